"""Subjects for the built-in renderer: where each one is in every frame, and drawing them there.

Paths are plain numpy arrays over the clip, worked out once. Drawing warps one pose of a sheet
per frame with ``grid_sample`` into a box around the subject, then blends only that box.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F  # noqa: N812 - the name everyone reads torch code with

from generation.pipeline import builtin_sprites as sprites
from generation.pipeline import builtin_wearables as wearables
from generation.pipeline import scene_vocab as vocab
from generation.pipeline.builtin_layers import GROUND_Y, SUBJECT_DEPTH
from generation.pipeline.builtin_palette import Grade
from generation.pipeline.cameo_looks import CameoLook, prompt_look
from generation.pipeline.scene import ScenePlan
from generation.pipeline.scene_vocab import COLORS

UNIT = 0.23  # world height of one sprite unit: a person is about a quarter of the frame
PORTRAIT_UNIT = 0.26  # a tall frame has room to show its subjects bigger
# A cameo wears a real face that the likeness check must find afterwards: at UNIT in a 16:9
# frame the face is ~21 px, under what dlib detects; at 0.34 it is ~36 px and found every time.
CAMEO_LANDSCAPE_UNIT = 0.34
FLYERS = frozenset({"bird", "butterfly", "rocket"})
AIRBORNE = frozenset({"balloon"}) | FLYERS
MAX_SHEET_PX = 240  # sheet resolution cap; bigger on screen is upscaled, still smooth
# A hop is |sin| with its low part cut off, so the feet rest on the ground for a moment between
# hops: at the fastest cadence (1.4 hops per second) that moment lasts 1.75 frames at 24 fps, so
# every landing has a frame where the sprite truly touches down, which is where its thump goes.
JUMP_CONTACT = 0.16
# On a beach, jumpers play in the shallows: their feet are in the surf band (between the sea's
# wave line at 0.70 and the foam at 0.745), not on the sand, so every landing there is in water.
SHALLOWS_Y = 0.728
MAX_LANDINGS = 24  # more than this in one clip reads as a drum roll, not as landings

SKIN = ("#ffdbac", "#f1c27d", "#e0ac69", "#c68642", "#8d5524", "#5c3a1e")
HAIR = ("#2a1a10", "#4a2a14", "#8a5a2a", "#d8b060", "#b04a1a", "#1a1a1a")
BRIGHT = ("#e8453c", "#f2a33a", "#f5d547", "#5cc46a", "#3f8fe0", "#8a5ce0", "#e85ca8", "#3fc7c7")
PANTS = ("#2f4a7a", "#2a2a30", "#6a5a40", "#4a6a4a", "#5a3a6a")
FUR = {
    "dog": ("#c8894a", "#e8c890", "#3a2a20", "#f0ece0", "#8a5a30"),
    "cat": ("#f0a040", "#7a7a80", "#2a2a2e", "#f4efe6", "#c07a40"),
    "fish": ("#ff8a20", "#ffd23f", "#3fa0ff", "#ff5a7a"),
    "robot": ("#a8b0bc", "#d0d4da", "#7a8a9a"),
    "tree": ("#4f9a3f", "#6fb04a", "#3a7a35"),
    "boat": ("#b05a3a", "#3a5a9a", "#f0f0f0"),
}


@dataclass
class Subject:
    kind: str
    sheet: sprites.Sheet
    shadow: sprites.Sheet | None
    size: float  # world units per sprite unit
    x: np.ndarray  # (T,) world x of the feet
    y: np.ndarray  # (T,) world y of the feet
    ground: np.ndarray  # (T,) world y of the shadow
    pose: np.ndarray  # (T,) int pose index
    angle: np.ndarray  # (T,) clockwise screen rotation, radians
    xscale: np.ndarray  # (T,) horizontal squash for turning on the spot
    flip: float  # 1 faces right, -1 faces left
    yscale: np.ndarray | None = None  # (T,) vertical stretch (squash and stretch); None: 1
    cast: int = -1  # index into ``ScenePlan.cast()``; -1 for a cameo person the plan lacks


@dataclass(frozen=True)
class Landing:
    """A frame where a subject's feet come back to the ground (or the water) after a hop."""

    frame: int
    x: float  # world x of the feet at that frame
    y: float  # world y of the ground under them
    size: float  # the subject's world units per sprite unit
    strength: float  # 0..1: bigger subjects falling from higher land harder
    in_water: bool


@dataclass(frozen=True)
class Motion:
    """Clip-wide movement shared by subjects and the camera."""

    direction: float
    travel: float  # world units per second along x
    cadence: float  # animation cycles per second
    ground_y: float
    view_width: float  # frame width in world units (world units are frame heights)


def plan_motion(plan: ScenePlan, rng: np.random.Generator, view_width: float) -> Motion:
    e = plan.energy
    travel = {"walk": 0.05 + 0.05 * e, "run": 0.12 + 0.12 * e, "fly": 0.08 + 0.08 * e}.get(
        plan.action, 0.012
    )
    first = plan.subjects[0] if plan.subjects else ""
    if first in ("car", "fish", "boat") and plan.action in ("run", "float", "walk"):
        travel = max(travel, 0.05 + 0.08 * e)
    cadence = {
        "walk": 0.8 + 0.5 * e,
        "run": 1.4 + 0.8 * e,
        "dance": 0.8 + 0.9 * e,
        "wave": 1.0 + 0.8 * e,
        "jump": 0.8 + 0.6 * e,
        "spin": 0.4 + 0.5 * e,
        "fly": 1.0 + 0.8 * e,
        "float": 0.3 + 0.3 * e,
        "rest": 0.5,
        "sleep": 0.25,
        "peck": 0.5 + 0.6 * e,
        "shiver": 6.0 + 3.0 * e,
        "stretch": 0.25,
        "grow": 0.3,
        "shrink": 0.3,
        "shout": 0.7 + 0.6 * e,
    }[plan.action]
    ground = 0.895 if plan.setting == "underwater" else GROUND_Y
    return Motion(float(rng.choice([-1.0, 1.0])), travel, cadence, ground, view_width)


def pan_speed(plan: ScenePlan, motion: Motion) -> float:
    """World units per second the camera pans; a panning camera keeps pace with the subjects.

    Around furniture, or two players with something between them, the camera holds still:
    panning along would slide the table or the board out of the frame.
    """
    if plan.camera == "pan" and not holds_still(plan):
        return motion.direction * max(0.9 * motion.travel / SUBJECT_DEPTH, 0.05)
    return motion.direction * 0.006


def holds_still(plan: ScenePlan) -> bool:
    """Whether the plan stages its cast around a place: furniture, a game between players, or
    a prop doing something of its own."""
    return any(t.role == "furniture" or t.relation == "between" or t.motion for t in plan.things)


def build_subjects(
    plan: ScenePlan,
    grade: Grade,
    rng: np.random.Generator,
    motion: Motion,
    timing: tuple[np.ndarray, float, float],
    faces: list[torch.Tensor],
    looks: Sequence[CameoLook] = (),
) -> list[Subject]:
    """One ``Subject`` per planned subject; cameo faces go on people, extra faces add people.

    ``looks`` (one per face, in order) dress each cameo person as its owner's instructions say.
    """
    times, duration, max_px = timing
    cast = _cast(plan, faces)
    pan = pan_speed(plan, motion)
    unit = PORTRAIT_UNIT if motion.view_width < 0.9 else UNIT
    subjects = []
    worn: set[str] = set()  # main colours taken, so two kids do not wear the same shirt
    lit = partial(_lit, grade=grade)
    # The first person the prompt names wears what it says ("a man in a suit").
    prompt_dressed = next((i for i, c in enumerate(cast) if c[0] == "person" and c[2] is None), -1)
    for i, (kind, color, face, slot) in enumerate(cast):
        look = _look(kind, plan, grade, rng, color, worn)
        dressed = wearables.look_for(faces, looks, face)
        if i == prompt_dressed and plan.worn:
            dressed = prompt_look(plan.worn)
        look = wearables.dress(look, dressed, lit)
        wide_cameo = face is not None and unit == UNIT
        size = (CAMEO_LANDSCAPE_UNIT if wide_cameo else unit) * sprites.SIZES[kind]
        px = float(np.clip(size * max_px, 24, MAX_SHEET_PX))
        action = _sprite_action(kind, plan.action)
        overlay = wearables.overlay(dressed, action, lit)
        sheet = sprites.draw_sheet(kind, action, look, px, face, overlay)
        path = _path(kind, plan, motion, rng, (i, len(cast), size), (times, duration, pan))
        shadow = _shadow(kind, px) if _casts_shadow(kind, plan, path) else None
        subject = Subject(kind=kind, sheet=sheet, shadow=shadow, size=size, cast=slot, **path)
        subjects.append(subject)
    subjects.sort(key=lambda s: float(s.y.mean()) if s.kind not in AIRBORNE else 0.0)
    return subjects


Cast = list[tuple[str, str, torch.Tensor | None, int]]


def _cast(plan: ScenePlan, faces: list[torch.Tensor]) -> Cast:
    """(kind, colour, face, index in ``plan.cast()``) per subject: faces go on the planned
    people, then on new people."""
    cast: Cast = []
    spare = list(faces)
    for slot, (kind, color) in enumerate(zip(plan.subjects, plan.colors, strict=False)):
        face = spare.pop(0) if kind == "person" and spare else None
        cast.append((kind, color, face, slot))
    extra = [("person", "", face, -1) for face in spare]
    # Cameo people come first so a crowded plan never pushes them out.
    return (extra + cast)[: max(3, len(faces))]


def _sprite_action(kind: str, action: str) -> str:
    if kind in ("car",) and action in ("walk", "run"):
        return "run"
    return action


def _casts_shadow(kind: str, plan: ScenePlan, path: dict[str, np.ndarray]) -> bool:
    if kind in AIRBORNE or kind in ("boat", "fish") or plan.setting == "space" or wades(plan):
        return False
    return float(np.min(path["ground"] - path["y"])) < 0.08


def _look(
    kind: str,
    plan: ScenePlan,
    grade: Grade,
    rng: np.random.Generator,
    color: str,
    worn: set[str],
) -> sprites.SpriteLook:
    def pick(options: tuple[str, ...]) -> np.ndarray:
        return _lit(options[int(rng.integers(len(options)))], grade)

    fresh = tuple(c for c in FUR.get(kind, BRIGHT) if c not in worn) or FUR.get(kind, BRIGHT)
    main_hex = COLORS[color] if color else fresh[int(rng.integers(len(fresh)))]
    worn.add(main_hex)
    main = _lit(main_hex, grade)
    return sprites.SpriteLook(
        main=main,
        second=pick(PANTS if kind == "person" else BRIGHT),
        skin=pick(SKIN),
        hair=pick(HAIR),
        dark=pick(("#2a2226", "#3a2f2a")),
        helmet=plan.setting in ("space", "underwater") and kind == "person",
    )


def _lit(color: str, grade: Grade) -> np.ndarray:
    # Subjects are nearer and better lit than the scenery: half the time-of-day grade.
    return grade.apply(color) * 0.45 + grade.apply(color, emissive=True) * 0.55


def _shadow(kind: str, px: float) -> sprites.Sheet:
    x0, x1, _, _ = sprites.EXTENTS[kind]
    return shadow_sheet((x1 - x0) * 0.42, px)


def shadow_sheet(half: float, px: float) -> sprites.Sheet:
    """A soft ground shadow ``half`` sprite units wide either side of the feet."""
    w, h = math.ceil(half * 2.4 * px), max(4, math.ceil(half * 0.5 * px))
    xs = (torch.arange(w, dtype=torch.float32) + 0.5 - w / 2).view(1, w) / (half * px)
    ys = (torch.arange(h, dtype=torch.float32) + 0.5 - h / 2).view(h, 1) / (half * 0.18 * px)
    alpha = (1 - (xs**2 + ys**2)).clamp(0, 1) ** 0.8 * 0.32
    pixels = torch.cat([torch.zeros(3, h, w), alpha[None]], dim=0)[None].contiguous()
    return sprites.Sheet(pixels=pixels, anchor=(w / 2, h / 2), px_per_unit=px)


def _path(
    kind: str,
    plan: ScenePlan,
    motion: Motion,
    rng: np.random.Generator,
    slot: tuple[int, int, float],
    clock: tuple[np.ndarray, float, float],
) -> dict[str, Any]:
    """Per-frame position, pose and turn of subject ``slot[0]`` of ``slot[1]`` (size slot[2])."""
    times, duration, pan = clock
    index, count, size = slot
    phase0 = float(rng.uniform(0, 1))
    x = _track(kind, plan, motion, (index, count), clock)
    y, ground = _heights(kind, plan, motion, times, index, phase0)
    angle, xscale = _turns(kind, plan, motion, times, phase0)
    if kind == "ball" and plan.action not in ("spin", *vocab.IN_PLACE_ACTIONS):
        angle = motion.direction * (x - x[0]) / (0.2 * size)  # roll without slipping
    cycles = motion.cadence * times + phase0
    yscale = None
    if plan.action in vocab.IN_PLACE_ACTIONS:
        lies_flat = kind == "person"
        angle, xscale, yscale = in_place(plan.action, lies_flat, motion, times, phase0)
        cycles = np.full_like(times, phase0)  # no walking legs while staying put
    if kind in FLYERS and kind != "rocket":
        cycles = (2.5 + 2.5 * plan.energy) * times + phase0  # wings beat faster than legs
    if kind == "car":
        cycles = np.abs(x - x[0]) / (size * 0.13 * 2 * math.pi) + phase0  # wheels roll
    pose = np.floor(cycles * sprites.POSES).astype(np.int64) % sprites.POSES
    as32 = {"x": x, "y": y, "ground": ground, "angle": angle, "xscale": xscale}
    if yscale is not None:
        as32["yscale"] = yscale
    return {key: v.astype(np.float32) for key, v in as32.items()} | {
        "pose": pose,
        "flip": motion.direction,
    }


PERCHED = frozenset({"rest", "sleep", "peck"})  # fliers that stay on the ground for these


def in_place(
    action: str, lies_flat: bool, motion: Motion, times: np.ndarray, phase0: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rotation, horizontal and vertical scale over time for the actions done on the spot.

    Rotation is clockwise about the feet, so a positive angle tips the head towards the way
    the subject faces (``motion.direction``). ``lies_flat``: sleeping lays it on its back (a
    person); otherwise it curls low.
    """
    d, t = motion.direction, times
    duration = float(t[-1] + t[1] - t[0]) if len(t) > 1 else 1.0
    angle, xscale, yscale = np.zeros_like(t), np.ones_like(t), np.ones_like(t)
    breath = np.sin(2 * np.pi * motion.cadence * t + phase0 * 6.28)
    settle = _ease(np.clip(t / (0.15 * duration), 0, 1))  # the first moments of the clip
    through = _ease(np.clip(t / (0.9 * duration), 0, 1))  # nearly the whole clip
    if action == "rest":
        angle = 0.03 * np.sin(2 * np.pi * 0.4 * t + phase0 * 6.28)
        yscale = 1 + 0.02 * breath
    elif action == "sleep":
        if lies_flat:
            angle = -d * (np.pi / 2) * settle  # falls back onto the ground, head behind
            yscale = 1 + 0.03 * breath * settle
        else:
            yscale = 1 - 0.3 * settle + 0.025 * breath
            xscale = 1 + 0.12 * settle
    elif action == "peck":
        dip = np.clip(np.sin(2 * np.pi * motion.cadence * t + phase0 * 6.28), 0, 1) ** 2
        angle = d * 0.4 * dip
        yscale = 1 - 0.08 * dip
    elif action == "shiver":
        angle = 0.045 * breath
        xscale = 1 + 0.03 * np.cos(2 * np.pi * motion.cadence * t)
    elif action == "stretch":  # up on its toes and back down, twice in a clip
        reach = np.sin(np.pi * 2 * motion.cadence * t + phase0) ** 2
        yscale = 1 + 0.18 * reach
        xscale = 1 - 0.06 * reach
    elif action == "shout":  # head back and a swelling chest, in bursts
        burst = np.clip(np.sin(2 * np.pi * motion.cadence * t + phase0 * 6.28), 0, 1) ** 2
        angle = -d * 0.2 * burst
        yscale = 1 + 0.07 * burst
        xscale = 1 + 0.04 * burst
    elif action == "grow":
        xscale = yscale = 0.55 + 0.5 * through
    elif action == "shrink":
        yscale = 1 - 0.55 * through
        xscale = 1 + 0.3 * through
    return angle, xscale, yscale


def _ease(u: np.ndarray) -> np.ndarray:
    return u * u * (3 - 2 * u)


def _track(
    kind: str,
    plan: ScenePlan,
    motion: Motion,
    slot: tuple[int, int],
    clock: tuple[np.ndarray, float, float],
) -> np.ndarray:
    """World x over time: the group moves with the camera and drifts across the frame."""
    times, duration, pan = clock
    index, count = slot
    d = motion.direction
    travel = motion.travel if plan.action in ("walk", "run", "fly", "float") else 0.01
    spread = (index - (count - 1) / 2) * -d * (0.13 + 0.05 * sprites.SIZES[kind])
    # Speed across the screen, capped so that nobody leaves the frame before the clip ends.
    limit = 0.7 * motion.view_width / duration
    drift = float(np.clip(d * travel - pan * SUBJECT_DEPTH, -limit, limit))
    return spread + pan * SUBJECT_DEPTH * times + drift * (times - duration / 2)


def _turns(
    kind: str, plan: ScenePlan, motion: Motion, times: np.ndarray, phase0: float
) -> tuple[np.ndarray, np.ndarray]:
    """Screen rotation and horizontal squash (turning on the spot) over time."""
    d, e = motion.direction, plan.energy
    angle = np.zeros_like(times)
    xscale = np.ones_like(times)
    if plan.action == "dance":
        angle = 0.12 * np.sin(2 * np.pi * motion.cadence * times + phase0 * 6)
    if plan.action == "spin":
        spin = 2 * np.pi * (0.5 + 0.5 * e) * times + phase0
        if kind in ("ball", "balloon", "rocket", "butterfly"):
            angle = spin
        else:
            turn = np.cos(spin)
            xscale = np.where(turn >= 0, 1.0, -1.0) * np.maximum(np.abs(turn), 0.15)
    if kind == "rocket":
        angle = d * (np.pi / 2 - 0.4) + 0.05 * np.sin(3 * times)  # nose along the flight
    if kind == "person" and plan.action == "fly":
        angle = np.full_like(times, d * 0.35)
    return angle, xscale


def _heights(
    kind: str, plan: ScenePlan, motion: Motion, times: np.ndarray, index: int, phase0: float
) -> tuple[np.ndarray, np.ndarray]:
    """World y of the feet and of the shadow over time."""
    e = plan.energy
    ground = np.full_like(times, motion.ground_y + 0.012 * index)
    bob = np.sin(2 * np.pi * 0.45 * times + phase0 * 6.28)
    if plan.setting == "beach" and kind == "boat":
        return 0.69 + 0.004 * bob + 0.012 * index, ground
    if (kind in FLYERS and plan.action not in PERCHED) or plan.action == "fly":
        return 0.3 + 0.1 * index + 0.03 * bob, ground
    if kind == "balloon":
        return motion.ground_y - 0.32 - 0.05 * index + 0.02 * bob, ground
    if plan.setting == "underwater" and (kind == "fish" or plan.action == "float"):
        return 0.42 + 0.13 * index + 0.025 * bob, ground
    if plan.action == "float":
        return motion.ground_y - 0.12 + 0.04 * bob, ground
    if plan.action == "jump":
        if wades(plan):
            ground = np.full_like(times, SHALLOWS_Y + 0.01 * index)
        swing = np.abs(np.sin(np.pi * motion.cadence * times + phase0 * 3))
        hop = np.clip((swing - JUMP_CONTACT) / (1 - JUMP_CONTACT), 0, None)
        return ground - (0.06 + 0.06 * e) * hop, ground
    return ground.copy(), ground


def wades(plan: ScenePlan) -> bool:
    """Jumpers on a beach jump in the surf; everywhere else they land on solid ground.

    Underwater there is no surface in view, so a landing there is on the seabed: a thump.
    """
    return plan.setting == "beach" and plan.action == "jump"


def landings(subjects: list[Subject], plan: ScenePlan) -> list[Landing]:
    """Every frame where a subject's feet touch down after being in the air, sorted by frame.

    Read from the same ``y`` and ``ground`` arrays that place the sprites, so a landing is the
    first frame at which the drawn feet are on the ground line again.
    """
    found: list[Landing] = []
    for subject in subjects:
        lift = subject.ground - subject.y
        down = lift <= 0
        for frame in np.flatnonzero(down[1:] & ~down[:-1]) + 1:
            drop = float(lift[max(0, frame - 24) : frame].max())  # height of the hop it ends
            weight = sprites.SIZES.get(subject.kind, subject.size / UNIT)
            strength = min(1.0, 0.25 + 0.35 * weight + 0.4 * drop / 0.12)
            x, y = float(subject.x[frame]), float(subject.ground[frame])
            found.append(Landing(int(frame), x, y, subject.size, round(strength, 3), wades(plan)))
    found.sort(key=lambda landing: (landing.frame, landing.x))
    if len(found) > MAX_LANDINGS:  # an even subset keeps the rhythm going to the end
        keep = np.linspace(0, len(found) - 1, MAX_LANDINGS).round().astype(int)
        found = [found[i] for i in keep]
    return found


# ---------------------------------------------------------------------------- drawing


def draw_subjects(
    canvas: torch.Tensor, subjects: list[Subject], view: dict[str, torch.Tensor], frames: slice
) -> None:
    """Composite every subject (and its shadow) into ``canvas`` for frames ``frames``."""
    for subject in subjects:
        if subject.shadow is not None:
            _draw_sheet(canvas, subject.shadow, subject, view, frames, shadow=True)
        _draw_sheet(canvas, subject.sheet, subject, view, frames, shadow=False)


def _screen(
    subject: Subject, view: dict[str, torch.Tensor], frames: slice, shadow: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Screen pixel position of the sprite's anchor and screen pixels per world unit."""
    height, width = int(view["height"]), int(view["width"])
    zoom = 1 + (view["zoom"].numpy() - 1) * SUBJECT_DEPTH
    world_y = subject.ground[frames] if shadow else subject.y[frames]
    sx = (subject.x[frames] - view["pan"].numpy() * SUBJECT_DEPTH) * zoom - view["shake_x"].numpy()
    sy = (world_y - 0.5) * zoom + 0.5 - view["shake_y"].numpy()
    return sx * height + width / 2, sy * height, zoom * height


def _draw_sheet(
    canvas: torch.Tensor,
    sheet: sprites.Sheet,
    subject: Subject,
    view: dict[str, torch.Tensor],
    frames: slice,
    *,
    shadow: bool,
) -> None:
    batch, _, height, width = canvas.shape
    ax, ay, px_per_world = _screen(subject, view, frames, shadow)
    scale = px_per_world * subject.size / sheet.px_per_unit  # screen px per sheet px
    angle = np.zeros(batch, np.float32) if shadow else subject.angle[frames]
    xscale = np.ones(batch, np.float32) if shadow else subject.xscale[frames]
    flip = subject.flip * xscale
    stretch = subject.yscale
    ys = np.ones(batch, np.float32) if shadow or stretch is None else stretch[frames]
    # Forward map sheet px -> screen px: M = scale * R(angle) * diag(flip, ys).
    cos, sin = np.cos(angle), np.sin(angle)
    m = (
        np.stack([np.stack([cos * flip, -sin * ys], -1), np.stack([sin * flip, cos * ys], -1)], -2)
        * scale[:, None, None]
    )
    h_in, w_in = sheet.pixels.shape[2:]
    corners = np.array([[0, 0], [w_in, 0], [0, h_in], [w_in, h_in]], dtype=np.float32) - np.array(
        sheet.anchor, dtype=np.float32
    )
    mapped = np.einsum("bij,kj->bki", m, corners)
    lo = np.floor(mapped.min(axis=1) + np.stack([ax, ay], -1)).astype(np.int64) - 1
    hi = np.ceil(mapped.max(axis=1) + np.stack([ax, ay], -1)).astype(np.int64) + 1
    bw, bh = int((hi - lo)[:, 0].max()), int((hi - lo)[:, 1].max())
    if bw <= 0 or bh <= 0 or bw > 4 * width or bh > 4 * height:
        return
    theta = _theta(m, lo, (bw, bh), (ax, ay), sheet.anchor, (w_in, h_in))
    poses = sheet.pixels if sheet.pixels.shape[0] == 1 else sheet.pixels[subject.pose[frames]]
    poses = poses.expand(batch, -1, -1, -1)
    grid = _grid(torch.from_numpy(theta), bh, bw)
    warped = F.grid_sample(poses, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    if shadow:  # a shadow fades as its subject leaves the ground
        lift = subject.ground[frames] - subject.y[frames]
        fade = np.clip(1 - lift / 0.12, 0.2, 1).astype(np.float32)
        warped.mul_(torch.from_numpy(fade).view(-1, 1, 1, 1))
    _blend_boxes(canvas, warped, lo)


def _theta(
    m: np.ndarray,
    lo: np.ndarray,
    box_size: tuple[int, int],
    anchor_screen: tuple[np.ndarray, np.ndarray],
    anchor_sheet: tuple[float, float],
    sheet_size: tuple[int, int],
) -> np.ndarray:
    """affine_grid's theta: output box normalised coords -> sheet normalised coords."""
    bw, bh = box_size
    w_in, h_in = sheet_size
    inv = np.linalg.inv(m)  # screen px offset -> sheet px offset
    cx = lo[:, 0] + bw / 2 - anchor_screen[0]  # box centre relative to the anchor
    cy = lo[:, 1] + bh / 2 - anchor_screen[1]
    theta = np.empty((m.shape[0], 2, 3), np.float32)
    for row, (size_in, anchor) in enumerate(((w_in, anchor_sheet[0]), (h_in, anchor_sheet[1]))):
        theta[:, row, 0] = inv[:, row, 0] * bw / size_in
        theta[:, row, 1] = inv[:, row, 1] * bh / size_in
        theta[:, row, 2] = 2 * (inv[:, row, 0] * cx + inv[:, row, 1] * cy + anchor) / size_in - 1
    return theta


def _grid(theta: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """``affine_grid`` by broadcasting: two adds per pixel instead of a batched matmul."""
    xs = (torch.arange(width, dtype=torch.float32) * 2 + 1) / width - 1
    ys = (torch.arange(height, dtype=torch.float32) * 2 + 1) / height - 1
    grid = torch.empty((theta.shape[0], height, width, 2))
    for axis in range(2):
        across = theta[:, axis, 0, None, None] * xs.view(1, 1, width)
        down = theta[:, axis, 1, None, None] * ys.view(1, height, 1) + theta[:, axis, 2, None, None]
        torch.add(across, down, out=grid[..., axis])
    return grid


def _blend_boxes(canvas: torch.Tensor, warped: torch.Tensor, lo: np.ndarray) -> None:
    """Premultiplied "over" of each frame's box at its place, clipped to the frame."""
    _, _, height, width = canvas.shape
    bh, bw = warped.shape[2:]
    for b in range(canvas.shape[0]):
        x0, y0 = int(lo[b, 0]), int(lo[b, 1])
        cx0, cy0 = max(x0, 0), max(y0, 0)
        cx1, cy1 = min(x0 + bw, width), min(y0 + bh, height)
        if cx0 >= cx1 or cy0 >= cy1:
            continue
        src = warped[b, :, cy0 - y0 : cy1 - y0, cx0 - x0 : cx1 - x0]
        region = canvas[b, :, cy0:cy1, cx0:cx1]
        region.mul_(1 - src[3:4]).add_(src[:3])
