"""Pictogram things for the built-in renderer: actors, mounts, props and furniture.

``build_things`` turns the plan's ``things`` into ``Subject``s, the same records the hand-drawn
subjects are, so ``draw_subjects`` warps them with shadows, flips and depth order like any
subject. Their paths are numpy arrays over the clip, worked out once from the relation each has
to its actor: a mount under the actor's feet, a held prop at the hand, a thrown one on its arc.
A pictogram is one pose, so life comes from the path: steps bob and squash, dancers sway.

What falls or lands (a knocked cup, a thrown ball) comes back as ``Landing``s, which the
renderer turns into thumps and splashes on the frame the drawing touches down.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field, replace

import numpy as np
import torch

from generation.pipeline import builtin_sprites as sprites
from generation.pipeline import builtin_thing_looks as looks
from generation.pipeline.builtin_layers import SUBJECT_DEPTH
from generation.pipeline.builtin_palette import Grade
from generation.pipeline.builtin_subjects import (
    AIRBORNE,
    JUMP_CONTACT,
    PERCHED,
    PORTRAIT_UNIT,
    SHALLOWS_Y,
    UNIT,
    Landing,
    Motion,
    Subject,
    in_place,
    landings,
    pan_speed,
    shadow_sheet,
    wades,
)
from generation.pipeline.scene import ScenePlan, Thing
from generation.pipeline.scene_vocab import IN_PLACE_ACTIONS

logger = logging.getLogger(__name__)

# A falling thing starts this far into the clip, this far (frame heights) above where it lands.
FALL_START = 0.3
FALL_HEIGHT = 1.0
# What a falling thing splashes into.
WET_TARGETS = frozenset({"tumbler-glass", "glass-of-milk", "wine-glass", "cup-with-straw",
                         "beverage-box", "hot-beverage", "teacup-without-handle", "droplet",
                         "water-wave", "bathtub", "shape-pool"})  # fmt: skip
GRAVITY = 1.5  # world units (frame heights) per s²: a person is 1.7 m and 0.26 units tall
SEA_LINE = SHALLOWS_Y - 0.004  # where a board rides the surf on a beach
KNOCK_AT, THROW_AT, KICK_AT, MEET_AT = 0.45, 0.4, 0.35, 0.5  # shares of the clip
BETWEEN_SCALE = 1.5  # a game between two players is the scene's centre: drawn a little larger
STILL_LIFE_SIZE = 0.5  # person heights a small thing is drawn at when no one is in the scene
FOCUS_SCALE = 2.4  # a prop doing something of its own ("an ice cream melting") is the scene
# Where a prop on furniture sits, as a share of the furniture's height (its top is 1).
SURFACE = {"shape-bench": 0.55, "bed": 0.55, "chair": 0.5, "couch-and-lamp": 0.5}
# How much of a seated person's height the seat hides (their legs below the hip).
SEATED_LEGS = 0.12
# Mounts an actor stands on rather than sits in; on a beach they ride the surf.
BOARDS = frozenset({"shape-surfboard", "skateboard", "skis", "sled", "canoe"})
WALKING_BIRDS = frozenset(
    {"penguin", "chicken", "rooster", "turkey", "dodo", "baby-chick", "peacock", "flamingo"}
)
# Riders sit inside these: the vehicle is drawn over their legs.
ENCLOSED = frozenset(
    {"automobile", "racing-car", "police-car", "taxi", "bus", "tractor", "canoe", "sailboat"}
)


@dataclass
class Things:
    """Subjects and things in one draw order, and what fell or landed with a sound."""

    subjects: list[Subject]
    falls: list[Landing] = field(default_factory=list)


@dataclass
class _Item:
    """A drawn subject or thing with what relations need to know about its shape."""

    subject: Subject
    key: tuple[float, int]  # draw order: depth (far first), then behind/body/in front
    height: float  # world height
    half: float  # world half width
    body: str  # "person", "animal" or "thing": where its hand and mouth are
    facing: float = 1.0  # which way its picture faces before flipping: 1 right, -1 left


@dataclass
class _Clip:
    plan: ScenePlan
    grade: Grade
    rng: np.random.Generator
    motion: Motion
    times: np.ndarray
    duration: float
    max_px: float
    unit: float
    pan: float

    @property
    def count(self) -> int:
        return len(self.times)

    def frame(self, share: float) -> int:
        return min(self.count - 1, max(1, round(share * (self.count - 1))))

    def still(self, rel: float) -> np.ndarray:
        """World x of a point that stays ``rel`` from the middle of the frame."""
        return (rel + self.pan * SUBJECT_DEPTH * self.times).astype(np.float32)


def build_things(
    plan: ScenePlan,
    grade: Grade,
    rng: np.random.Generator,
    motion: Motion,
    timing: tuple[np.ndarray, float, float],
    subjects: list[Subject],
) -> Things:
    """Place every thing of the plan; a pictogram that cannot be drawn is left out."""
    if not plan.things:
        return Things(subjects)
    times, duration, max_px = timing
    unit = PORTRAIT_UNIT if motion.view_width < 0.9 else UNIT
    pan = pan_speed(plan, motion)
    clip = _Clip(plan, grade, rng, motion, times, duration, max_px, unit, pan)
    items = [_subject_item(subject) for subject in subjects]
    cast: dict[int, list[_Item]] = {}
    for item in items:
        if item.subject.cast >= 0:
            cast.setdefault(item.subject.cast, []).append(item)
    staged = _Stage(clip, items, cast)
    staged.place_actors()
    staged.place_furniture()
    staged.seat_actors()
    # Props go where riders sit, so mounts come first; what falls comes last, onto or into
    # what it lands on.
    for role, falls in (("mount", False), ("prop", False), ("prop", True)):
        for index, thing in enumerate(plan.things):
            if thing.role == role and (thing.motion == "fall") == falls:
                staged.place(thing, index)
    staged.relate_actors()
    ordered = sorted(enumerate(staged.items), key=lambda pair: (pair[1].key, pair[0]))
    everyone = [item.subject for _, item in ordered]
    hops = landings([item.subject for item in staged.actors], plan)
    falls = staged.falls + hops
    return Things(everyone, sorted(falls, key=lambda fall: (fall.frame, fall.x)))


# ---------------------------------------------------------------------------- staging


class _Stage:
    """The cast as it is being placed: items by cast index, furniture by thing index."""

    def __init__(self, clip: _Clip, items: list[_Item], cast: dict[int, list[_Item]]) -> None:
        self.clip = clip
        self.items = items
        self.cast = cast
        self.furniture: dict[int, _Item] = {}
        self.props: dict[int, _Item] = {}  # the first copy of each placed prop, by thing index
        # What something falls into or onto ("a glass" a lemon drops into): shown big.
        self.landing_spots = {t.on for t in clip.plan.things if t.motion == "fall" and t.on >= 0}
        self.falls: list[Landing] = []
        self.actors: list[_Item] = []
        self.taken = [_rel(clip, item.subject) for item in items if _grounded(item)]

    # --------------------------------------------------------------- actors

    def place_actors(self) -> None:
        plan = self.clip.plan
        paired = {t.actor for t in plan.things if t.relation == "between" and t.actor >= 0}
        slot = len(plan.subjects)
        for thing in plan.things:
            if thing.role != "actor":
                continue
            copies = self._actor_copies(thing, pair=slot in paired)
            if copies:
                self.cast[slot] = copies
                self.items += copies
                self.actors += copies
            slot += 1
        for index in paired:
            self._pair_up(index)

    def _actor_copies(self, thing: Thing, *, pair: bool) -> list[_Item]:
        clip = self.clip
        count = max(1, thing.count)
        shape = _shape(thing.icon, clip, looks.size_factor(thing.icon, thing.scale))
        if shape is None:
            return []
        sheet, size, half = shape
        gap = max(0.6 * clip.unit, 2.3 * half)
        rels = self._free(count, gap, pair=pair and count >= 2)
        copies = []
        for index, rel in enumerate(rels):
            copy = _actor(clip, thing.icon, sheet, (size, half), (rel, index), still=pair)
            copies.append(copy)
        return copies

    def _free(self, count: int, gap: float, *, pair: bool) -> list[float]:
        """``count`` places across the frame (a pair first, side by side), nearest the middle
        first, away from who already stands there."""
        d = self.clip.motion.direction
        centres = [0.0] + [d * side * k * gap / 2 for k in range(1, 60) for side in (1, -1)]
        found: list[float] = []
        for centre in centres:
            two = pair and not found
            spots = [centre - gap / 2, centre + gap / 2] if two else [centre]
            if all(self._clear(spot, gap) for spot in spots):
                found += spots
                self.taken += spots
            if len(found) >= count:
                break
        return found[:count]

    def _clear(self, spot: float, gap: float) -> bool:
        return all(abs(spot - taken) >= 0.75 * gap for taken in self.taken)

    def _pair_up(self, index: int) -> None:
        """Two players face each other, standing still, with room between them."""
        pair = self._players(index)
        if pair is None:
            return
        a, b = pair
        for item in (a, b):
            _stand_still(self.clip, item)
        games = [t for t in self.clip.plan.things if t.relation == "between" and t.actor == index]
        room = sum(2.2 * BETWEEN_SCALE * looks.extent(t.icon) * max(1, t.count) for t in games)
        apart = a.half + b.half + room * self.clip.unit * 0.5 + 0.03
        mid = (a.subject.x + b.subject.x) / 2
        side = 1.0 if float(b.subject.x[0]) >= float(a.subject.x[0]) else -1.0
        if np.abs(b.subject.x - a.subject.x).min() < apart:
            a.subject.x = (mid - side * apart / 2).astype(np.float32)
            b.subject.x = (mid + side * apart / 2).astype(np.float32)
        _face(a, side)
        _face(b, -side)

    def _players(self, index: int) -> tuple[_Item, _Item] | None:
        members = self.cast.get(index, [])
        if len(members) >= 2:
            return members[0], members[1]
        others = self.cast.get(index + 1, [])
        if members and others:
            return members[0], others[0]
        return None

    def relate_actors(self) -> None:
        """Chasers follow one step behind; huggers come together mid-clip and stay."""
        slot = len(self.clip.plan.subjects)
        for thing in self.clip.plan.things:
            if thing.role != "actor":
                continue
            mine, theirs = self.cast.get(slot, []), self.cast.get(thing.actor, [])
            slot += 1
            if not mine or not theirs or thing.actor == slot - 1:
                continue
            if thing.relation == "chase":
                _chase(self.clip, mine, theirs[0])
            elif thing.relation == "hug":
                _hug(self.clip, mine[0], theirs[0])

    # --------------------------------------------------------------- furniture

    def place_furniture(self) -> None:
        clip = self.clip
        knocked = {t.on for t in clip.plan.things if t.relation == "knock" and t.on >= 0}
        for index, thing in enumerate(clip.plan.things):
            if thing.role != "furniture":
                continue
            shape = _shape(thing.icon, clip, looks.size_factor(thing.icon, thing.scale))
            if shape is None:
                continue
            sheet, size, half = shape
            rel = 0.0 if index in knocked else self._free(1, 2.2 * half, pair=False)[0]
            ground = clip.motion.ground_y - 0.008
            x = np.full(clip.count, rel + clip.pan * SUBJECT_DEPTH * clip.duration / 2)
            subject = _still_subject(thing.icon, sheet, size, x, ground)
            subject.shadow = _shadow(clip, sheet, size, half)
            item = _Item(subject, (ground, 1), size, half, "thing", looks.facing(thing.icon))
            self.furniture[index] = item
            self.items.append(item)

    def seat_actors(self) -> None:
        """Who rests "on a couch" or "on a fence" sits or lies on its top, side by side."""
        plan = self.clip.plan
        for index, thing in enumerate(plan.things):
            base = self.furniture.get(index)
            if thing.relation != "seat" or base is None:
                continue
            seated = list(self.cast.get(thing.actor, []))
            after = thing.actor + 1  # a plural subject is one entry per head, one after another
            while after < len(plan.subjects) and plan.subjects[after] == plan.subjects[thing.actor]:
                seated += self.cast.get(after, [])
                after += 1
            if not seated:
                continue
            # The furniture goes where its first sitter is mid-clip, so both stay in view.
            mid = self.clip.count // 2
            base.subject.x = np.full_like(base.subject.x, float(seated[0].subject.x[mid]))
            for place, item in enumerate(seated):
                _seat(item, base, (place, len(seated)))

    # --------------------------------------------------------------- mounts and props

    def place(self, thing: Thing, index: int) -> None:
        clip = self.clip
        scale = BETWEEN_SCALE if thing.relation == "between" else 1.0
        if thing.motion == "fall":
            self._fall(thing)
            return
        if (thing.motion and thing.on < 0) or index in self.landing_spots:
            scale = FOCUS_SCALE  # what the sentence is about: big enough to see it melt or grow
        elif not clip.plan.cast():
            # A still life (no one in it: "a bowl of ramen with chopsticks") is its things:
            # small ones are brought up to a size to see; a shopping cart stays cart-sized.
            scale = float(np.clip(STILL_LIFE_SIZE / looks.extent(thing.icon), 1.0, FOCUS_SCALE))
        shape = _shape(thing.icon, clip, scale * looks.size_factor(thing.icon, thing.scale))
        if shape is None:
            return
        sheet, size, half = shape
        owners = self.cast.get(thing.actor, [])
        relation = thing.relation if owners or thing.relation == "knock" else ""
        if thing.role == "mount" and owners:
            for owner in owners:
                self.items.append(_ride(clip, thing.icon, (sheet, size, half), owner))
            return
        if relation == "between":
            self._between(thing, (sheet, size, half))
            return
        base = self.furniture.get(thing.on)
        for copy in range(max(1, thing.count)):
            owner = owners[copy % len(owners)] if owners else None
            made = self._prop(thing, (sheet, size, half), owner, base, copy)
            if made is not None:
                if thing.motion:
                    _own_motion(clip, made, thing.motion)
                self.items.append(made)
                self.props.setdefault(index, made)

    def _fall(self, thing: Thing) -> None:
        """It drops from above the frame and lands: into or onto what the prompt names
        ("a lemon dropping into a glass"), or on the ground. The landing is a sound event."""
        clip = self.clip
        target = self.props.get(thing.on) or self.furniture.get(thing.on)
        scale = 1.0 if target is not None else FOCUS_SCALE
        shape = _shape(thing.icon, clip, scale * looks.size_factor(thing.icon, thing.scale))
        if shape is None:
            return
        sheet, size, half = shape
        if target is not None:
            x = target.subject.x.astype(np.float32)
            floor = float(target.subject.y.max()) - 0.55 * target.height
            key = (target.key[0], target.key[1] + 1)  # in front of it, as if inside
        else:
            rel = self._free(1, 2.4 * half + 0.04, pair=False)[0]
            x = clip.still(rel)
            floor = clip.motion.ground_y + 0.004
            key = (floor, 1)
        t = clip.times
        start = clip.frame(FALL_START)
        after = np.clip(t - t[start], 0, None)
        top = floor - FALL_HEIGHT
        y = np.minimum(top + 0.5 * GRAVITY * after**2, floor).astype(np.float32)
        y[:start] = top
        spin = np.where(y < floor, after * 2.5, after[np.argmax(y >= floor)] * 2.5)
        subject = _still(thing.icon, sheet, size, (x, y, np.full_like(y, floor)),
                         angle=spin.astype(np.float32), flip=looks.facing(thing.icon))  # fmt: skip
        self.items.append(_Item(subject, key, size, half, "thing"))
        landed = int(np.argmax(y >= floor)) if bool((y >= floor).any()) else -1
        if landed > 0:
            wet = target is not None and target.subject.kind in WET_TARGETS
            strength = round(min(1.0, 0.35 + 0.4 * looks.extent(thing.icon)), 3)
            self.falls.append(Landing(landed, float(x[landed]), floor, size, strength, wet))

    def _prop(
        self,
        thing: Thing,
        shape: tuple[sprites.Sheet, float, float],
        owner: _Item | None,
        base: _Item | None,
        copy: int,
    ) -> _Item | None:
        clip = self.clip
        sheet, size, half = shape
        relation = thing.relation if owner is not None or thing.relation == "knock" else ""
        if relation == "knock" and owner is not None:
            item, fall = _knock(clip, thing.icon, shape, owner, base)
            self.falls.append(fall)
            if base is not None:
                self._push_back(base, item)
            return item
        if relation in ("hold", "eat", "throw") and owner is not None:
            item, fall = _in_hand(clip, thing.icon, shape, owner, relation)
            if fall is not None:
                self.falls.append(fall)
            return item
        if relation == "kick" and owner is not None:
            item, kicks = _kick(clip, thing.icon, shape, owner)
            self.falls += kicks
            return item
        if relation == "aloft" and owner is not None:
            kite, string = _aloft(clip, thing.icon, shape, owner, copy)
            self.items.append(string)
            return kite
        if relation in ("near", "push") and owner is not None:
            return _near(clip, thing.icon, shape, owner, copy, ahead=relation == "push")
        if base is not None:
            return _on_top(clip, thing.icon, shape, base, (copy, thing.count))
        rel = self._free(1, 2.4 * half + 0.04, pair=False)[0]
        x = np.full(clip.count, rel + clip.pan * SUBJECT_DEPTH * clip.duration / 2)
        ground = clip.motion.ground_y + 0.004
        subject = _still_subject(thing.icon, sheet, size, x, ground)
        subject.shadow = _shadow(clip, sheet, size, half)
        return _Item(subject, (ground, 1), size, half, "thing")

    def _push_back(self, base: _Item, cup: _Item) -> None:
        """Stand the furniture so the knocked prop sits at the edge its actor reaches."""
        edge = cup.subject.x[0] - base.subject.flip * 0.7 * base.half
        base.subject.x = np.full_like(base.subject.x, edge)

    def _between(self, thing: Thing, shape: tuple[sprites.Sheet, float, float]) -> None:
        pair = self._players(thing.actor)
        if pair is None:
            return
        a, b = pair
        sheet, size, half = shape
        count = max(1, thing.count)
        ground = max(float(a.subject.ground.max()), float(b.subject.ground.max())) + 0.004
        depth = max(a.key[0], b.key[0])
        mid = (a.subject.x + b.subject.x) / 2
        for copy in range(count):
            offset = (copy - (count - 1) / 2) * 2.1 * half
            subject = _still_subject(thing.icon, sheet, size, mid + offset, ground)
            subject.shadow = _shadow(self.clip, sheet, size, half)
            self.items.append(_Item(subject, (depth, 2), size, half, "thing"))


# ---------------------------------------------------------------------------- actors


def _actor(
    clip: _Clip,
    icon: str,
    sheet: sprites.Sheet,
    dims: tuple[float, float],
    slot: tuple[float, int],
    *,
    still: bool,
) -> _Item:
    """One copy of an actor thing, moving under the plan's action like a subject."""
    size, half = dims
    rel, index = slot
    plan, motion, times = clip.plan, clip.motion, clip.times
    body = looks.body(icon)
    phase0 = float(clip.rng.uniform(0, 1))
    action = "stand" if still else plan.action
    if body == "thing" and action in ("dance", "jump"):
        action = "walk"  # a car or a ship does not dance; it rolls along
    limit = 0.7 * motion.view_width / clip.duration
    travel = motion.travel if action in ("walk", "run", "fly", "float") else 0.0
    drift = float(np.clip(motion.direction * travel - clip.pan * SUBJECT_DEPTH, -limit, limit))
    x = clip.still(rel) + drift * (times - clip.duration / 2)
    path = _moves(clip, action, icon, (index, phase0))
    facing = looks.facing(icon)
    subject = Subject(
        kind=icon,
        sheet=sheet,
        shadow=None,
        size=size,
        x=x.astype(np.float32),
        pose=np.zeros(clip.count, np.int64),
        flip=motion.direction * facing,
        **path,
    )
    if _casts_shadow(clip, subject):
        subject.shadow = _shadow(clip, sheet, size, half)
    airborne = float(np.mean(subject.ground - subject.y)) > 0.15
    depth = 0.0 if airborne else float(np.mean(subject.ground))
    return _Item(subject, (depth, 1), size, half, body, facing)


def _moves(clip: _Clip, action: str, icon: str, slot: tuple[int, float]) -> dict[str, np.ndarray]:
    """y, ground, tilt and squash of one actor copy over the clip."""
    index, phase0 = slot
    plan, motion, t = clip.plan, clip.motion, clip.times
    e = plan.energy
    body, group = looks.body(icon), looks.group(icon)
    ground = np.full_like(t, motion.ground_y + 0.012 * index)
    y = ground.copy()
    angle, xscale, yscale = np.zeros_like(t), np.ones_like(t), np.ones_like(t)
    cycles = motion.cadence * t + phase0
    bob = np.sin(2 * np.pi * 0.45 * t + phase0 * 6.28)
    alive = body != "thing"
    flies = group == "transport-air" or (group == "animal-bird" and icon not in WALKING_BIRDS)
    if group == "transport-water" and plan.setting == "beach":
        y = SEA_LINE - 0.02 + 0.004 * bob + 0.012 * index
        angle = 0.05 * bob
    elif action == "fly" or (flies and action not in ("stand", *PERCHED)):
        y = 0.3 + 0.08 * index + 0.03 * bob
        angle = motion.direction * 0.12 + 0.04 * np.sin(2 * np.pi * motion.cadence * t)
    elif action == "float":
        lift = 0.25 if plan.setting == "underwater" else 0.12
        y = ground - lift + 0.03 * bob
        angle = 0.06 * bob
    elif action == "jump":
        if wades(plan):
            ground = np.full_like(t, SHALLOWS_Y + 0.01 * index)
        swing = np.abs(np.sin(np.pi * motion.cadence * t + phase0 * 3))
        hop = np.clip((swing - JUMP_CONTACT) / (1 - JUMP_CONTACT), 0, None)
        y = ground - (0.06 + 0.06 * e) * hop
        yscale = 1 + 0.12 * (hop - 0.35) * (hop < 0.35)  # squashed at the bottom of a hop
    elif action in ("walk", "run"):
        running = action == "run"
        step = np.abs(np.sin(np.pi * 2 * cycles))
        y = ground - (0.02 if running else 0.01) * step * (1.0 if alive else 0.3)
        if alive:
            yscale = 1 + (0.07 if running else 0.04) * np.cos(4 * np.pi * cycles)
            angle = motion.direction * (0.1 if running else 0.0) + 0.06 * np.sin(2 * np.pi * cycles)
    elif action == "dance":
        angle = 0.16 * np.sin(2 * np.pi * motion.cadence * t + phase0 * 6)
        y = ground - 0.015 * np.abs(np.sin(2 * np.pi * motion.cadence * t))
        yscale = 1 + 0.05 * np.cos(4 * np.pi * motion.cadence * t)
    elif action == "spin":
        turn = np.cos(2 * np.pi * (0.5 + 0.5 * e) * t + phase0)
        xscale = np.where(turn >= 0, 1.0, -1.0) * np.maximum(np.abs(turn), 0.15)
    elif action in IN_PLACE_ACTIONS:  # its own scales: no squash-keeps-the-area below
        if not alive and action in ("sleep", "peck"):
            action = "rest"  # a lamp or a car does not curl up or peck
        angle, xscale, yscale = in_place(action, body == "person", motion, t, phase0)
        values = {"y": y, "ground": ground, "angle": angle, "xscale": xscale, "yscale": yscale}
        return {key: np.asarray(v, dtype=np.float32) for key, v in values.items()}
    elif alive:  # standing, waving: breathing and a slow rock
        angle = 0.04 * np.sin(2 * np.pi * 0.6 * t + phase0 * 6)
        yscale = 1 + 0.015 * np.sin(2 * np.pi * 1.1 * t + phase0 * 6)
    xscale = xscale / np.sqrt(yscale)  # squash keeps the area
    values = {"y": y, "ground": ground, "angle": angle, "xscale": xscale, "yscale": yscale}
    return {key: np.asarray(v, dtype=np.float32) for key, v in values.items()}


def _own_motion(clip: _Clip, item: _Item, action: str) -> None:
    """A thing's own in-place action ("a candle flickering") on top of where it was put."""
    subject = item.subject
    direction = float(np.sign(subject.flip) or 1.0)
    motion = replace(clip.motion, direction=direction, cadence=OWN_CADENCE[action])
    phase0 = float(clip.rng.uniform(0, 1))
    angle, xscale, yscale = in_place(action, False, motion, clip.times, phase0)
    subject.angle = (subject.angle + angle).astype(np.float32)
    subject.xscale = (subject.xscale * xscale).astype(np.float32)
    before = subject.yscale if subject.yscale is not None else 1.0
    subject.yscale = (before * yscale).astype(np.float32)


# Cycles per second of a thing's own action (the plan's cadence belongs to its actors).
OWN_CADENCE = {
    "rest": 0.5, "sleep": 0.25, "peck": 0.8, "shiver": 7.0, "stretch": 0.25, "grow": 0.3,
    "shrink": 0.3, "shout": 0.9,
}  # fmt: skip


def _stand_still(clip: _Clip, item: _Item) -> None:
    """Stop travelling (keep the place held mid-clip) and stand on the ground."""
    subject = item.subject
    mid = clip.count // 2
    subject.x = clip.still(float(subject.x[mid]) - clip.pan * SUBJECT_DEPTH * clip.times[mid])
    if float(np.mean(subject.ground - subject.y)) > 0.05:
        subject.y = subject.ground.copy()
        subject.angle = np.zeros_like(subject.angle)


def _face(item: _Item, side: float) -> None:
    item.subject.flip = side * item.facing


def _chase(clip: _Clip, chasers: list[_Item], target: _Item) -> None:
    """Each chaser runs a step behind the one before, where the target was a moment ago."""
    lag = max(1, round(0.25 * clip.count / clip.duration))
    ahead = target
    heading = float(np.sign(target.subject.flip * target.facing) or 1.0)
    behind = 0.0
    for chaser in chasers:
        step = ahead.half + chaser.half + 0.03
        lagged = np.concatenate([np.repeat(ahead.subject.x[:1], lag), ahead.subject.x[:-lag]])
        chaser.subject.x = (lagged - heading * step).astype(np.float32)
        _face(chaser, heading)
        behind += step
        ahead = chaser
    # The chase is the scene: its middle, not the one chased, goes where the target stood.
    for item in [target, *chasers]:
        item.subject.x = (item.subject.x + heading * behind / 2).astype(np.float32)


def _hug(clip: _Clip, hugger: _Item, other: _Item) -> None:
    """The two come together by mid-clip and then move as one."""
    a, b = hugger.subject, other.subject
    side = 1.0 if float(a.x[0] - b.x[0]) >= 0 else -1.0
    close = b.x + side * 0.75 * (hugger.half + other.half)  # arms round each other
    u = np.clip((clip.times / clip.duration - 0.1) / (MEET_AT - 0.1), 0, 1)
    ease = u * u * (3 - 2 * u)
    a.x = (a.x * (1 - ease) + close * ease).astype(np.float32)
    _face(hugger, -side)
    _face(other, side)


# ---------------------------------------------------------------------------- mounts


def _ride(clip: _Clip, icon: str, shape: tuple[sprites.Sheet, float, float], rider: _Item) -> _Item:
    """The mount goes under the rider's feet and carries them; the rider sits or stands on it."""
    sheet, size, half = shape
    r = rider.subject
    t = clip.times
    board = icon in BOARDS
    phase = float(clip.rng.uniform(0, 2 * np.pi))
    tilt = np.zeros_like(t)
    if board and clip.plan.setting == "beach":
        # On the beach a board rides the surf: it bobs and tilts with the wave.
        y = SEA_LINE + 0.006 * np.sin(2 * np.pi * 0.5 * t + phase)
        tilt = 0.1 * np.sin(2 * np.pi * 0.45 * t + phase)
        ground = y
    elif float(np.mean(r.ground - r.y)) > 0.15:  # an airborne rider: the mount flies too
        y, ground = r.y.copy(), r.ground.copy()
    else:
        ground = r.ground.copy()
        y = ground - (0.0 if board else 0.006 * np.abs(np.sin(2 * np.pi * 1.6 * t + phase)))
    seat = (0.72 if board else 0.6 if looks.body(icon) == "animal" else 0.5) * size
    r.y = (y - seat * np.cos(tilt) + 0.0).astype(np.float32)
    r.ground = ground.astype(np.float32)
    r.angle = (r.angle * 0.3 + tilt * 0.8).astype(np.float32)
    r.shadow = None
    facing = looks.facing(icon)
    subject = Subject(
        kind=icon,
        sheet=sheet,
        shadow=None,
        size=size,
        x=r.x.copy(),
        y=np.asarray(y, np.float32),
        ground=np.asarray(ground, np.float32),
        pose=np.zeros(clip.count, np.int64),
        angle=tilt.astype(np.float32),
        xscale=np.ones(clip.count, np.float32),
        flip=float(np.sign(r.flip * rider.facing) or 1.0) * facing,
    )
    if _casts_shadow(clip, subject) and not (board and clip.plan.setting == "beach"):
        subject.shadow = _shadow(clip, sheet, size, half)
    tier = 2 if icon in ENCLOSED else 0
    return _Item(subject, (rider.key[0], tier), size, half, "thing", facing)


# ---------------------------------------------------------------------------- props


def _hand(owner: _Item, clip: _Clip, mouth: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """World (x, y) of the owner's hand (or mouth) over the clip."""
    s = owner.subject
    ahead = np.sign(s.flip * owner.facing) * np.sign(s.xscale)
    stretch = s.yscale if s.yscale is not None else np.ones_like(s.y)
    if owner.body == "animal":
        forward, up = 0.75, 0.6
    elif mouth:
        forward, up = 0.5, 0.8
    else:
        forward, up = 0.6, 0.45
    x = s.x + ahead * forward * owner.half * np.abs(s.xscale)
    return x.astype(np.float32), (s.y - up * owner.height * stretch).astype(np.float32)


def _in_hand(
    clip: _Clip,
    icon: str,
    shape: tuple[sprites.Sheet, float, float],
    owner: _Item,
    relation: str,
) -> tuple[_Item, Landing | None]:
    """Held, eaten bite by bite, or thrown from the hand in a spinning arc."""
    sheet, size, half = shape
    hx, hy = _hand(owner, clip, mouth=relation == "eat")
    y = hy + 0.5 * size  # the prop's middle at the hand
    x = hx.copy()
    angle = np.zeros(clip.count, np.float32)
    scale = np.ones(clip.count, np.float32)
    fall = None
    if relation == "eat":
        scale = _bites(clip)
    elif relation == "throw":
        x, y, angle, fall = _throw(clip, (x, y), owner, size)
    flip = owner.subject.flip * owner.facing * looks.facing(icon)
    subject = _still(icon, sheet, size, (x, y, y), angle=angle, flip=flip, scale=scale)
    return _Item(subject, (owner.key[0], 2), size, half, "thing"), fall


def _bites(clip: _Clip) -> np.ndarray:
    """Size over the clip: four bites, each taking a quarter away with a short ease."""
    u = clip.times / clip.duration
    taken = np.zeros_like(u)
    for at in np.linspace(0.2, 0.8, 4):
        step = np.clip((u - at) / 0.04, 0, 1)
        taken += 0.21 * step * step * (3 - 2 * step)
    return (1 - taken).astype(np.float32)


def _throw(
    clip: _Clip, held: tuple[np.ndarray, np.ndarray], owner: _Item, size: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, Landing]:
    """Leaves the hand at ``THROW_AT``, flies on a spinning arc and lands (in water: splash)."""
    x, y = held
    x, y = x.copy(), y.copy()
    t = clip.times
    release = clip.frame(THROW_AT)
    ahead = float(np.sign(owner.subject.flip * owner.facing) or 1.0)
    wet = clip.plan.setting == "beach"
    land = SEA_LINE if wet else float(owner.subject.ground[release]) + 0.01
    vy = 0.8
    # Time to come down to ``land`` from the hand: solve y0 - vy t + g t²/2 = land.
    rise = land - float(y[release])
    flight = (vy + math.sqrt(vy * vy + 2 * GRAVITY * max(rise, 0.0))) / GRAVITY
    after = np.clip(t - t[release], 0, flight)
    x0, y0 = float(x[release]), float(y[release])
    vx = ahead * min(0.3, 0.35 * clip.motion.view_width / flight)
    turns = max(1, round(1.5 * flight))
    flying = t >= t[release]
    x = np.where(flying, x0 + vx * after, x)
    y = np.where(flying, y0 - vy * after + 0.5 * GRAVITY * after**2, y)
    angle = np.where(flying, ahead * 2 * np.pi * turns * after / flight, 0.0)
    landed = int(np.searchsorted(t, t[release] + flight))
    frame = min(landed, clip.count - 1)
    fall = Landing(frame, float(x[frame]), land, size, 0.6, wet)
    return x, y, angle, fall


def _kick(
    clip: _Clip, icon: str, shape: tuple[sprites.Sheet, float, float], owner: _Item
) -> tuple[_Item, list[Landing]]:
    """Waits at the feet, then leaves them at ``KICK_AT`` with a hop and rolls away."""
    sheet, size, half = shape
    s = owner.subject
    t = clip.times
    kick = clip.frame(KICK_AT)
    ahead = float(np.sign(s.flip * owner.facing) or 1.0)
    start = float(s.x[kick]) + ahead * (0.6 * owner.half + half)
    after = np.clip(t - t[kick], 0, None)
    # Fast enough to leave the kicker behind, slow enough to stay in a tall frame a while.
    speed, friction = 0.2 + 1.5 * clip.motion.travel, 1.2
    run = speed / friction * (1 - np.exp(-friction * after))
    x = start + ahead * run
    hop_s = 0.35
    hop = 0.07 * np.clip(np.sin(np.pi * after / hop_s), 0, None) * (after < hop_s)
    ground = np.full(clip.count, float(s.ground.max()) + 0.006, np.float32)
    y = ground - hop
    subject = _still(
        icon, sheet, size, (x, y, ground), angle=ahead * run / max(0.5 * size, 1e-3), flip=1.0
    )
    subject.shadow = _shadow(clip, sheet, size, half)
    touch = min(clip.count - 1, int(np.searchsorted(t, t[kick] + hop_s)))
    x_at = float(x[kick])
    hits = [Landing(kick, x_at, float(ground[0]), size, 0.5, False)]
    if touch > kick:
        hits.append(Landing(touch, float(x[touch]), float(ground[0]), size, 0.3, False))
    return _Item(subject, (float(ground[0]), 2), size, half, "thing"), hits


def _knock(
    clip: _Clip,
    icon: str,
    shape: tuple[sprites.Sheet, float, float],
    owner: _Item,
    base: _Item | None,
) -> tuple[_Item, Landing]:
    """Stands at the furniture's edge; the actor reaches it, it tips and falls to the ground."""
    sheet, size, half = shape
    s = owner.subject
    t = clip.times
    knock = clip.frame(KNOCK_AT)
    ahead = float(np.sign(s.flip * owner.facing) or 1.0)
    cup_x = float(s.x[knock]) + ahead * 0.8 * owner.half
    floor = float(s.ground.max()) + 0.01
    if base is not None:
        top = float(base.subject.y[0]) - _surface(base) * base.height
        depth = base.key[0]
        base.subject.flip = ahead  # the actor walks towards its far edge
    else:
        top, depth = floor, owner.key[0]
    drop = max(floor - top, 0.0)
    fall_s = math.sqrt(2 * drop / GRAVITY) if drop > 0 else 0.0
    tip_s = 0.2
    after = np.clip(t - t[knock], 0, None)
    tipping = np.clip(after / (tip_s + fall_s), 0, 1)
    falling = np.clip(after - tip_s, 0, fall_s)
    x = cup_x + ahead * (0.35 * falling + half * tipping)  # swatted: it flies off forwards
    y = top + 0.5 * GRAVITY * falling**2
    # Lying on its side at the end, its middle on the floor rather than its base.
    y = y - half * tipping
    angle = ahead * (np.pi / 2) * tipping**1.5
    subject = _still(icon, sheet, size, (x, y, y), angle=angle, flip=looks.facing(icon) * ahead)
    frame = min(clip.count - 1, int(np.searchsorted(t, t[knock] + tip_s + fall_s)))
    strength = round(min(1.0, 0.35 + 0.4 * looks.extent(icon) + 2.0 * drop), 3)
    fall = Landing(frame, float(x[frame]), floor, size, strength, False)
    return _Item(subject, (depth, 2), size, half, "thing"), fall


def _near(
    clip: _Clip,
    icon: str,
    shape: tuple[sprites.Sheet, float, float],
    owner: _Item,
    copy: int,
    *,
    ahead: bool = False,
) -> _Item:
    """Close beside the actor, on the ground (or in the air beside a flyer), moving with it:
    behind it (pulled, led), or just ahead of its hands (pushed)."""
    sheet, size, half = shape
    s = owner.subject
    behind = -float(np.sign(s.flip * owner.facing) or 1.0)
    side = -behind if ahead else behind
    gap = 0.005 if ahead else 0.015
    x = s.x + side * (owner.half + half * (1 + 2 * copy) + gap)
    airborne = float(np.mean(s.ground - s.y)) > 0.15
    y = s.y.copy() if airborne else s.ground + 0.003
    subject = _still_subject(icon, sheet, size, x, 0.0)
    subject.y = np.asarray(y, np.float32)
    subject.ground = np.asarray(s.ground + 0.003, np.float32)
    if not airborne:
        subject.shadow = _shadow(clip, sheet, size, half)
    return _Item(subject, (owner.key[0], 1), size, half, "thing")


TETHER = 0.42  # world length of a kite's string: about one and a half person heights


def _aloft(
    clip: _Clip,
    icon: str,
    shape: tuple[sprites.Sheet, float, float],
    owner: _Item,
    copy: int,
) -> tuple[_Item, _Item]:
    """A kite on its string: up and behind the flyer's hand, swinging and tugging in the wind.
    The string is a line from the hand, turned the way the kite swings, so they stay joined."""
    sheet, size, half = shape
    hx, hy = _hand(owner, clip)
    s = owner.subject
    behind = -float(np.sign(s.flip * owner.facing) or 1.0)
    phase = float(clip.rng.uniform(0, 2 * np.pi))
    t = clip.times
    # Clockwise from straight up, about the hand: leaning back, swinging, with gusts.
    lean = behind * (0.5 + 0.12 * copy) + 0.14 * np.sin(1.1 * t + phase)
    lean = lean + 0.05 * np.sin(3.7 * t + 2 * phase)
    length = TETHER * (1 + 0.04 * np.sin(0.9 * t + phase))
    kx = hx + length * np.sin(lean)
    ky = hy - length * np.cos(lean) + 0.5 * size  # the kite's middle at the string's end
    tilt = (0.3 * np.sin(2.3 * t + phase)).astype(np.float32)
    kite = _still(icon, sheet, size, (kx, ky, ky), angle=tilt, flip=looks.facing(icon))
    line = _string_sheet(TETHER * clip.max_px)
    string = _still("string", line, TETHER, (hx, hy, hy), angle=lean, flip=1.0)
    string.xscale = string.yscale = (length / TETHER).astype(np.float32)
    return (
        _Item(kite, (0.0, 0), size, half, "thing"),
        _Item(string, (owner.key[0], 2), TETHER, 0.01, "thing"),
    )


def _string_sheet(px: float) -> sprites.Sheet:
    """A thin dark line ``px`` tall, anchored at its foot: a kite's string."""
    height = int(np.clip(px, 16, 1024))
    pixels = torch.zeros((1, 4, height + 2, 5), dtype=torch.float32)
    pixels[0, :3, 1:-1, 2] = 0.12 * 0.85
    pixels[0, 3, 1:-1, 2] = 0.85
    pixels[0, :3, 1:-1, 1:4:2] = 0.12 * 0.25
    pixels[0, 3, 1:-1, 1:4:2] = 0.25
    return sprites.Sheet(pixels=pixels, anchor=(2.5, height + 1), px_per_unit=float(height))


def _on_top(
    clip: _Clip,
    icon: str,
    shape: tuple[sprites.Sheet, float, float],
    base: _Item,
    copy: tuple[int, int],
) -> _Item:
    """Stands on the furniture's top, several side by side."""
    sheet, size, half = shape
    index, count = copy
    top = base.subject.y - _surface(base) * base.height
    spread = (index - (max(count, 1) - 1) / 2) * 2.2 * half
    x = base.subject.x + float(np.clip(spread, -0.8 * base.half, 0.8 * base.half))
    subject = _still_subject(icon, sheet, size, x, 0.0)
    subject.y = subject.ground = np.asarray(top, np.float32)
    return _Item(subject, (base.key[0], 2), size, half, "thing")


def _seat(item: _Item, base: _Item, place: tuple[int, int]) -> None:
    """Moves someone onto the furniture's top, keeping their own bobbing, breathing or hops."""
    subject = item.subject
    index, count = place
    top = base.subject.y - _surface(base) * base.height
    lift = subject.y - subject.ground
    spread = (index - (max(count, 1) - 1) / 2) * 2.0 * item.half
    subject.x = (base.subject.x + float(np.clip(spread, -0.8 * base.half, 0.8 * base.half))).astype(
        np.float32
    )
    # Someone with legs sits: they sink behind the seat, which hides their legs, as a person
    # seated on a bench or couch looks from the front. Animals lie or perch on the top.
    legs = SEATED_LEGS * item.height if item.body == "person" else 0.0
    subject.ground = np.asarray(top + legs, np.float32) + np.zeros_like(subject.ground)
    subject.y = (subject.ground + lift).astype(np.float32)
    item.key = (base.key[0], 0 if legs else 2)


# ---------------------------------------------------------------------------- pieces


def _shape(icon: str, clip: _Clip, scale: float = 1.0) -> tuple[sprites.Sheet, float, float] | None:
    """(sheet, world height per sheet unit, world half width) of ``icon`` in this clip."""
    extent = looks.extent(icon) * scale
    sheet = looks.thing_sheet(icon, clip.grade, extent * clip.unit * clip.max_px)
    if sheet is None:
        return None
    size = looks.world_size(icon, sheet, clip.unit) * scale
    return sheet, size, looks.half_width(sheet, size)


def _still_subject(
    icon: str, sheet: sprites.Sheet, size: float, x: np.ndarray, ground: float
) -> Subject:
    count = len(x)
    level = np.full(count, ground, np.float32)
    return _still(icon, sheet, size, (np.asarray(x), level, level), flip=looks.facing(icon))


def _subject_item(subject: Subject) -> _Item:
    """A hand-drawn subject with its size and draw-order key, as ``build_subjects`` sorts."""
    x0, x1, y0, y1 = sprites.EXTENTS[subject.kind]
    depth = 0.0 if subject.kind in AIRBORNE else float(subject.y.mean())
    body = {"person": "person", "robot": "person", "dog": "animal", "cat": "animal"}
    return _Item(
        subject,
        (depth, 1),
        height=subject.size * (y1 - max(y0, 0.0)) * 0.92,
        half=subject.size * (x1 - x0) * 0.32,
        body=body.get(subject.kind, "animal" if subject.kind in ("bird", "fish") else "thing"),
    )


def _rel(clip: _Clip, subject: Subject) -> float:
    mid = clip.count // 2
    return float(subject.x[mid] - clip.pan * SUBJECT_DEPTH * clip.times[mid])


def _grounded(item: _Item) -> bool:
    return item.subject.kind not in AIRBORNE and float(np.mean(item.subject.ground)) > 0.6


def _surface(item: _Item) -> float:
    return SURFACE.get(item.subject.kind, 1.0)


def _casts_shadow(clip: _Clip, subject: Subject) -> bool:
    if clip.plan.setting == "space" or wades(clip.plan):
        return False
    return float(np.min(subject.ground - subject.y)) < 0.08


def _shadow(clip: _Clip, sheet: sprites.Sheet, size: float, half: float) -> sprites.Sheet | None:
    if clip.plan.setting == "space":
        return None
    return shadow_sheet(0.95 * half / size, sheet.px_per_unit)


def _still(
    icon: str,
    sheet: sprites.Sheet,
    size: float,
    path: tuple[np.ndarray, np.ndarray, np.ndarray],
    *,
    flip: float,
    angle: np.ndarray | None = None,
    scale: np.ndarray | None = None,
) -> Subject:
    """A one-pose thing (a prop, a fixture) along ``path`` = (x, y, ground) over the clip,
    turned by ``angle`` and scaled evenly by ``scale`` where given; no shadow."""
    x, y, ground = (np.asarray(v, np.float32) for v in path)
    count = len(x)
    even = np.ones(count, np.float32) if scale is None else np.asarray(scale, np.float32)
    return Subject(
        kind=icon,
        sheet=sheet,
        shadow=None,
        size=size,
        x=x,
        y=y,
        ground=ground,
        pose=np.zeros(count, np.int64),
        angle=np.zeros(count, np.float32) if angle is None else np.asarray(angle, np.float32),
        xscale=even,
        flip=flip,
        yscale=None if scale is None else even.copy(),
    )
