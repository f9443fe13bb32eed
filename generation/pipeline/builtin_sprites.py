"""Vector sprites for the built-in renderer, drawn from signed distance functions.

A subject's walk (or flap, or dance) cycle is drawn once, as a small sheet of poses, at the
largest size it will appear on screen. Every frame then only warps one pose into place, so a
sprite costs the same however many shapes make it up.

Sprite units: the subject stands on y = 0 and faces +x; y points up; a person is 1 unit tall.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch

from generation.pipeline import pictograms
from generation.pipeline.scene_vocab import IN_PLACE_ACTIONS as IN_PLACE

Parts = list[tuple[torch.Tensor, np.ndarray]]
# A coordinate is a plain number or a (poses, 1, 1) tensor when it moves from pose to pose.
Num = float | torch.Tensor
Point = tuple[Num, Num]
POSES = 12
# (x min, x max, y min, y max) of each kind's sheet, in sprite units.
EXTENTS: dict[str, tuple[float, float, float, float]] = {
    "person": (-0.5, 0.5, -0.05, 1.25),
    "dog": (-0.52, 0.55, -0.04, 0.68),
    "cat": (-0.45, 0.42, -0.04, 0.68),
    "bird": (-0.32, 0.32, 0.22, 0.82),
    "fish": (-0.38, 0.3, 0.3, 0.72),
    "car": (-0.56, 0.56, -0.03, 0.6),
    "balloon": (-0.26, 0.26, 0.0, 1.14),
    "ball": (-0.22, 0.22, -0.02, 0.42),
    "rocket": (-0.24, 0.24, -0.3, 1.04),
    "robot": (-0.42, 0.42, -0.03, 1.18),
    "boat": (-0.5, 0.5, 0.0, 1.02),
    "butterfly": (-0.24, 0.24, 0.3, 0.72),
    "tree": (-0.4, 0.4, -0.02, 1.0),
}
# World height of one sprite unit relative to a person (birds and butterflies read small).
SIZES: dict[str, float] = {
    "person": 1.0,
    "dog": 0.95,
    "cat": 0.85,
    "bird": 0.7,
    "fish": 1.0,
    "car": 1.25,
    "balloon": 0.8,
    "ball": 1.0,
    "rocket": 1.2,
    "robot": 1.0,
    "boat": 1.3,
    "butterfly": 0.8,
    "tree": 1.8,
}
OUTLINE = np.array([0.09, 0.08, 0.12], dtype=np.float32)


@dataclass(frozen=True)
class SpriteLook:
    """Colours of one subject, chosen by the seed."""

    main: np.ndarray
    second: np.ndarray
    skin: np.ndarray
    hair: np.ndarray
    dark: np.ndarray
    helmet: bool = False  # a space helmet over a person's head


@dataclass
class Sheet:
    """Premultiplied RGBA poses (P, 4, h, w) and where the sprite's feet are on them."""

    pixels: torch.Tensor
    anchor: tuple[float, float]  # (column, row) of sprite point (0, 0), continuous pixels
    px_per_unit: float


# ---------------------------------------------------------------------------- primitives


def circle(x: torch.Tensor, y: torch.Tensor, cx: Num, cy: Num, r: float) -> torch.Tensor:
    return torch.sqrt((x - cx) ** 2 + (y - cy) ** 2) - r


def ellipse(x: torch.Tensor, y: torch.Tensor, cx: Num, cy: Num, rx: Num, ry: Num) -> torch.Tensor:
    # Not exact away from the edge, but exact enough within the 1-2 px that anti-aliasing reads.
    k = torch.sqrt(((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2)
    return (k - 1) * torch.minimum(torch.as_tensor(rx), torch.as_tensor(ry))


def capsule(
    x: torch.Tensor,
    y: torch.Tensor,
    a: Point,
    b: Point,
    r: float,
) -> torch.Tensor:
    pax, pay = x - a[0], y - a[1]
    bax, bay = b[0] - a[0], b[1] - a[1]
    h = ((pax * bax + pay * bay) / (bax * bax + bay * bay + 1e-9)).clamp(0, 1)
    return torch.sqrt((pax - bax * h) ** 2 + (pay - bay * h) ** 2) - r


def box(
    x: torch.Tensor, y: torch.Tensor, cx: Num, cy: Num, hw: float, hh: float, r: float = 0
) -> torch.Tensor:
    qx = (x - cx).abs() - (hw - r)
    qy = (y - cy).abs() - (hh - r)
    outside = torch.sqrt(qx.clamp(min=0) ** 2 + qy.clamp(min=0) ** 2)
    return outside + torch.maximum(qx, qy).clamp(max=0) - r


def polygon(x: torch.Tensor, y: torch.Tensor, points: list[Point]) -> torch.Tensor:
    """Convex polygon in either winding: the largest signed distance to an edge line."""
    (ax, ay), (bx, by), (cx, cy) = (
        tuple(float(torch.as_tensor(v).mean()) for v in p) for p in points[:3]
    )
    winding = 1.0 if (bx - ax) * (cy - by) - (by - ay) * (cx - bx) > 0 else -1.0
    result: torch.Tensor | None = None
    for (ax, ay), (bx, by) in zip(points, points[1:] + points[:1], strict=True):
        ex, ey = bx - ax, by - ay
        length = (ex * ex + ey * ey) ** 0.5 + 1e-9
        side = ((x - ax) * ey - (y - ay) * ex) * (winding / length)
        result = side if result is None else torch.maximum(result, side)
    assert result is not None
    return result


def limb(
    x: torch.Tensor,
    y: torch.Tensor,
    root: Point,
    angles: Point,
    lengths: tuple[float, float],
    r: float,
) -> tuple[torch.Tensor, Point]:
    """Two-segment limb hanging from ``root``; angles from straight down, forward positive."""
    mid = (root[0] + lengths[0] * torch.sin(angles[0]), root[1] - lengths[0] * torch.cos(angles[0]))
    end = (mid[0] + lengths[1] * torch.sin(angles[1]), mid[1] - lengths[1] * torch.cos(angles[1]))
    return torch.minimum(capsule(x, y, root, mid, r), capsule(x, y, mid, end, r * 0.92)), end


def shade(color: np.ndarray, amount: float) -> np.ndarray:
    return np.clip(color * amount, 0, 1).astype(np.float32)


# ---------------------------------------------------------------------------- kinds


@dataclass(frozen=True)
class Pose:
    """A person's joint angles for every pose: (upper, lower) per limb, near side first."""

    legs: tuple[tuple[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]
    arms: tuple[tuple[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]
    bob: torch.Tensor  # body height offset
    lean: float  # forward lean of the shoulders
    sway: torch.Tensor  # sideways hip offset


def person(
    x: torch.Tensor, y: torch.Tensor, ph: torch.Tensor, action: str, look: SpriteLook
) -> Parts:
    pose = person_pose(action, ph)
    hip = (pose.sway, 0.47 + pose.bob)
    shoulder = (pose.sway + pose.lean, 0.77 + pose.bob)
    head = (pose.sway + pose.lean * 1.2, 0.91 + pose.bob)
    parts: Parts = []
    for i, side in ((1, 0.78), (0, 1.0)):  # far limbs first, a little darker
        leg, foot = limb(x, y, hip, pose.legs[i], (0.24, 0.23), 0.055)
        shoe = ellipse(x, y, foot[0] + 0.035, foot[1] - 0.005, 0.065, 0.035)
        parts += [(leg, shade(look.second, side)), (shoe, shade(look.dark, side))]
    parts += _arm(x, y, shoulder, pose.arms[1], look, 0.8)
    parts.append((capsule(x, y, hip, shoulder, 0.1), look.main))
    parts.append((circle(x, y, head[0], head[1], 0.1), look.skin))
    hair = torch.maximum(circle(x, y, head[0] - 0.015, head[1] + 0.02, 0.1), head[1] - y)
    parts.append((torch.minimum(hair, circle(x, y, head[0] - 0.07, head[1], 0.05)), look.hair))
    parts.append((circle(x, y, head[0] + 0.05, head[1] + 0.01, 0.014), OUTLINE))
    parts += _arm(x, y, shoulder, pose.arms[0], look, 1.0)
    if look.helmet:
        ring = circle(x, y, head[0], head[1], 0.15).abs() - 0.012
        parts.append((ring, np.array([0.85, 0.88, 0.92], np.float32)))
    return parts


def _arm(
    x: torch.Tensor,
    y: torch.Tensor,
    shoulder: Point,
    angles: tuple[torch.Tensor, torch.Tensor],
    look: SpriteLook,
    light: float,
) -> Parts:
    arm, hand = limb(x, y, shoulder, angles, (0.17, 0.17), 0.044)
    return [
        (arm, shade(look.main, light)),
        (circle(x, y, hand[0], hand[1], 0.046), shade(look.skin, light)),
    ]


def person_pose(action: str, ph: torch.Tensor) -> Pose:
    """Joint angles (radians from straight down, forward positive) for one action's cycle."""
    s, c = torch.sin(ph), torch.cos(ph)
    zero = torch.zeros_like(s)
    if action in ("run", "walk"):
        run = action == "run"
        reach, bend, elbow = (0.75, 1.1, 1.3) if run else (0.42, 0.5, 0.25)
        legs = (
            (reach * s, reach * s - bend * c.clamp(min=0)),
            (-reach * s, -reach * s - bend * (-c).clamp(min=0)),
        )
        arms = (
            (-0.8 * reach * s, -0.8 * reach * s + elbow),
            (0.8 * reach * s, 0.8 * reach * s + elbow),
        )
        return Pose(legs, arms, (0.035 if run else 0.018) * c.abs(), 0.07 if run else 0.01, zero)
    if action == "dance":
        legs = ((0.25 + 0.15 * s, 0.1 + 0.15 * s), (-0.25 + 0.15 * s, -0.1 + 0.15 * s))
        arms = ((2.4 + 0.5 * s, 2.9 + 0.4 * s), (-2.4 + 0.5 * c, -2.9 + 0.4 * c))
        return Pose(legs, arms, 0.03 * c.abs(), 0.0, 0.05 * s)
    if action == "wave":
        legs = ((0.12 + zero, 0.12 + zero), (-0.12 + zero, -0.12 + zero))
        arms = ((2.5 + zero, 2.9 + 0.45 * s), (0.15 + zero, 0.2 + zero))
        return Pose(legs, arms, 0.008 * c, 0.0, zero)
    if action in ("jump", "fly"):
        legs = ((0.15 + 0.1 * s, -0.2 + 0.1 * s), (-0.1 + 0.1 * s, -0.45 + 0.1 * s))
        arms = ((2.6 + 0.2 * s, 2.8 + 0.2 * s), (-2.6 + 0.2 * c, -2.8 + 0.2 * c))
        return Pose(legs, arms, zero, 0.03, zero)
    if action in IN_PLACE:  # standing easy, arms down
        legs = ((0.08 + zero, 0.08 + zero), (-0.08 + zero, -0.08 + zero))
        arms = ((0.18 + 0.04 * s, 0.3 + 0.04 * s), (-0.18 + 0.04 * c, -0.1 + 0.04 * c))
        return Pose(legs, arms, 0.006 * c, 0.0, zero)
    # spin and float: arms out, a slow sway
    legs = ((0.18 + 0.05 * s, 0.12 + 0.05 * s), (-0.18 + 0.05 * s, -0.12 + 0.05 * s))
    arms = ((1.45 + 0.25 * s, 1.6 + 0.3 * s), (-1.45 + 0.25 * c, -1.6 + 0.3 * c))
    return Pose(legs, arms, 0.015 * s, 0.0, 0.015 * s)


def quadruped(
    x: torch.Tensor, y: torch.Tensor, ph: torch.Tensor, action: str, look: SpriteLook, *, cat: bool
) -> Parts:
    bob = (
        0.025 * torch.cos(ph).abs() if action in ("run", "jump", "dance") else 0.008 * torch.cos(ph)
    )
    body_y = (0.3 if cat else 0.34) + bob
    parts = _paws(x, y, ph, action, look, body_y)
    parts.append((_cat_tail(x, y, ph, body_y) if cat else _dog_tail(x, y, ph, body_y), look.main))
    rx, ry = (0.22, 0.095) if cat else (0.25, 0.12)
    parts.append((ellipse(x, y, 0.0, body_y, rx, ry), look.main))
    head = (0.25, body_y + 0.14) if cat else (0.27, body_y + 0.16)
    parts += _cat_head(x, y, head, look) if cat else _dog_head(x, y, head, ph, look)
    parts.append((circle(x, y, head[0] + 0.04, head[1] + 0.025, 0.016), OUTLINE))
    return parts


def _paws(
    x: torch.Tensor, y: torch.Tensor, ph: torch.Tensor, action: str, look: SpriteLook, body_y: Num
) -> Parts:
    """Four legs in a diagonal gait, the far pair first and darker."""
    gait = 0.45 if action == "run" else 0.25 if action == "walk" else 0.08
    parts: Parts = []
    for offset, depth in ((math.pi * 0.5, 0.69), (math.pi * 1.5, 0.92)):
        for hip_x, lag in ((-0.17, 0.0), (0.16, math.pi)):
            swing = gait * torch.sin(ph + offset + lag)
            foot = (hip_x + 0.28 * torch.sin(swing), 0.03)
            parts.append(
                (capsule(x, y, (hip_x, body_y - 0.02), foot, 0.04), shade(look.main, depth))
            )
    return parts


def _dog_tail(x: torch.Tensor, y: torch.Tensor, ph: torch.Tensor, body_y: Num) -> torch.Tensor:
    wag = 0.06 * torch.sin(ph * 3)
    return capsule(x, y, (-0.24, body_y + 0.05), (-0.38, body_y + 0.16 + wag), 0.03)


def _cat_tail(x: torch.Tensor, y: torch.Tensor, ph: torch.Tensor, body_y: Num) -> torch.Tensor:
    tip = (-0.3 + 0.04 * torch.sin(ph), 0.6 + 0.03 * torch.cos(ph))
    bend = (-0.33, body_y + 0.14)
    return torch.minimum(
        capsule(x, y, (-0.2, body_y + 0.02), bend, 0.025), capsule(x, y, bend, tip, 0.025)
    )


def _dog_head(
    x: torch.Tensor, y: torch.Tensor, at: Point, ph: torch.Tensor, look: SpriteLook
) -> Parts:
    hx, hy = at
    snout = np.clip(look.main * 0.55 + 0.45, 0, 1).astype(np.float32)
    ear_tip = (hx - 0.07, hy - 0.1 + 0.02 * torch.sin(ph))
    return [
        (circle(x, y, hx, hy, 0.1), look.main),
        (ellipse(x, y, hx + 0.1, hy - 0.035, 0.075, 0.05), snout),
        (circle(x, y, hx + 0.17, hy - 0.02, 0.022), OUTLINE),
        (capsule(x, y, (hx - 0.04, hy + 0.05), ear_tip, 0.035), look.dark),
    ]


def _cat_head(x: torch.Tensor, y: torch.Tensor, at: Point, look: SpriteLook) -> Parts:
    hx, hy = at
    ears = torch.minimum(
        polygon(x, y, [(hx - 0.08, hy + 0.03), (hx - 0.02, hy + 0.06), (hx - 0.07, hy + 0.14)]),
        polygon(x, y, [(hx + 0.0, hy + 0.06), (hx + 0.07, hy + 0.04), (hx + 0.05, hy + 0.15)]),
    )
    nose = np.array([0.95, 0.55, 0.6], np.float32)
    return [
        (torch.minimum(circle(x, y, hx, hy, 0.085), ears), look.main),
        (circle(x, y, hx + 0.082, hy - 0.01, 0.016), nose),
    ]


def bird(
    x: torch.Tensor, y: torch.Tensor, ph: torch.Tensor, action: str, look: SpriteLook
) -> Parts:
    s = torch.sin(ph)
    yb = 0.5
    far_tip = (-0.02, yb + 0.04 + 0.24 * torch.sin(ph + 0.4))
    near_tip = (-0.06, yb + 0.02 + 0.27 * s)
    return [
        (polygon(x, y, [(-0.02, yb + 0.02), (0.07, yb + 0.03), far_tip]), shade(look.main, 0.75)),
        (
            polygon(x, y, [(-0.14, yb), (-0.28, yb - 0.06), (-0.28, yb + 0.07)]),
            shade(look.main, 0.85),
        ),
        (ellipse(x, y, 0.0, yb, 0.16, 0.075), look.main),
        (circle(x, y, 0.13, yb + 0.055, 0.06), look.main),
        (polygon(x, y, [(0.18, yb + 0.07), (0.18, yb + 0.035), (0.27, yb + 0.05)]), look.second),
        (circle(x, y, 0.15, yb + 0.07, 0.013), OUTLINE),
        (polygon(x, y, [(-0.06, yb + 0.03), (0.05, yb + 0.03), near_tip]), shade(look.main, 1.1)),
    ]


def fish(
    x: torch.Tensor, y: torch.Tensor, ph: torch.Tensor, action: str, look: SpriteLook
) -> Parts:
    w = 0.04 * torch.sin(ph)
    yb = 0.5
    return [
        (polygon(x, y, [(-0.16, yb), (-0.34, yb - 0.12 + w), (-0.34, yb + 0.12 + w)]), look.second),
        (polygon(x, y, [(-0.08, yb + 0.08), (0.06, yb + 0.1), (-0.1, yb + 0.19)]), look.second),
        (ellipse(x, y, 0.0, yb, 0.23, 0.12), look.main),
        (capsule(x, y, (-0.05, yb + 0.09), (-0.05, yb - 0.09), 0.025), shade(look.second, 1.1)),
        (circle(x, y, 0.13, yb + 0.03, 0.035), np.ones(3, np.float32)),
        (circle(x, y, 0.14, yb + 0.03, 0.018), OUTLINE),
    ]


def car(x: torch.Tensor, y: torch.Tensor, ph: torch.Tensor, action: str, look: SpriteLook) -> Parts:
    bob = 0.006 * torch.sin(ph * 2)
    glass = np.array([0.6, 0.8, 0.95], np.float32)
    parts: Parts = [
        (box(x, y, -0.04, 0.44 + bob, 0.28, 0.12, 0.07), look.main),
        (box(x, y, -0.17, 0.44 + bob, 0.11, 0.07, 0.03), glass),
        (box(x, y, 0.09, 0.44 + bob, 0.11, 0.07, 0.03), glass),
        (box(x, y, 0.0, 0.25 + bob, 0.52, 0.12, 0.06), look.main),
        (circle(x, y, 0.49, 0.28 + bob, 0.03), np.array([1.0, 0.92, 0.5], np.float32)),
        (capsule(x, y, (-0.5, 0.2 + bob), (0.5, 0.2 + bob), 0.012), shade(look.main, 0.7)),
    ]
    for wx in (-0.3, 0.3):
        parts.append((circle(x, y, wx, 0.13, 0.13), look.dark))
        parts.append((circle(x, y, wx, 0.13, 0.055), np.array([0.75, 0.75, 0.78], np.float32)))
        spoke = (wx + 0.05 * torch.cos(-ph), 0.13 + 0.05 * torch.sin(-ph))
        parts.append((capsule(x, y, (wx, 0.13), spoke, 0.012), look.dark))
    return parts


def balloon(
    x: torch.Tensor, y: torch.Tensor, ph: torch.Tensor, action: str, look: SpriteLook
) -> Parts:
    sway = 0.03 * torch.sin(ph)
    return [
        (capsule(x, y, (sway, 0.62), (0.0, 0.02), 0.008), np.array([0.9, 0.9, 0.9], np.float32)),
        (polygon(x, y, [(sway - 0.03, 0.6), (sway + 0.03, 0.6), (sway, 0.66)]), look.main),
        (ellipse(x, y, sway, 0.88, 0.2, 0.25), look.main),
        (ellipse(x, y, sway - 0.07, 0.96, 0.04, 0.07), np.clip(look.main * 0.4 + 0.6, 0, 1)),
    ]


def ball(
    x: torch.Tensor, y: torch.Tensor, ph: torch.Tensor, action: str, look: SpriteLook
) -> Parts:
    body = circle(x, y, 0.0, 0.2, 0.2)
    band = ((x * torch.cos(ph) + (y - 0.2) * torch.sin(ph)).abs() - 0.05).clamp(min=-1)
    return [
        (body, np.ones(3, np.float32) * 0.97),
        (torch.maximum(body, band), look.main),
        (
            torch.maximum(
                body, circle(x, y, 0.08 * torch.cos(ph), 0.2 + 0.08 * torch.sin(ph), 0.05)
            ),
            look.second,
        ),
    ]


def rocket(
    x: torch.Tensor, y: torch.Tensor, ph: torch.Tensor, action: str, look: SpriteLook
) -> Parts:
    flicker = 0.08 * torch.sin(ph * 3).abs()
    white = np.array([0.95, 0.95, 0.97], np.float32)
    return [
        (
            polygon(x, y, [(-0.09, 0.14), (0.09, 0.14), (0.0, -0.16 - flicker)]),
            np.array([1.0, 0.55, 0.1], np.float32),
        ),
        (
            polygon(x, y, [(-0.05, 0.14), (0.05, 0.14), (0.0, -0.05 - flicker * 0.6)]),
            np.array([1.0, 0.95, 0.5], np.float32),
        ),
        (polygon(x, y, [(-0.1, 0.35), (-0.1, 0.12), (-0.23, 0.06), (-0.2, 0.25)]), look.main),
        (polygon(x, y, [(0.1, 0.12), (0.1, 0.35), (0.2, 0.25), (0.23, 0.06)]), look.main),
        (capsule(x, y, (0.0, 0.26), (0.0, 0.72), 0.12), white),
        (polygon(x, y, [(-0.118, 0.74), (0.118, 0.74), (0.0, 1.02)]), look.main),
        (circle(x, y, 0.0, 0.58, 0.065), shade(look.dark, 1.6)),
        (circle(x, y, 0.0, 0.58, 0.045), np.array([0.5, 0.8, 1.0], np.float32)),
    ]


def robot(
    x: torch.Tensor, y: torch.Tensor, ph: torch.Tensor, action: str, look: SpriteLook
) -> Parts:
    s = torch.sin(ph)
    metal = look.main
    glow = np.array([0.3, 1.0, 0.95], np.float32)
    lift = 0.04 * s.clamp(min=0) if action in ("walk", "run", "dance") else 0 * s
    parts: Parts = [
        (box(x, y, -0.09, 0.16 + lift, 0.055, 0.16), shade(metal, 0.75)),
        (box(x, y, 0.09, 0.16 + 0.04 * (-s).clamp(min=0), 0.055, 0.16), shade(metal, 0.85)),
        (capsule(x, y, (-0.2, 0.64), (-0.3, 0.42 + 0.2 * s), 0.04), shade(metal, 0.8)),
        (box(x, y, 0.0, 0.5, 0.19, 0.18, 0.04), metal),
        (box(x, y, 0.0, 0.52, 0.1, 0.07, 0.02), look.second),
        (capsule(x, y, (0.2, 0.64), (0.3, 0.42 - 0.2 * s), 0.04), metal),
        (box(x, y, 0.0, 0.84, 0.14, 0.11, 0.04), metal),
        (box(x, y, -0.05, 0.86, 0.03, 0.02), glow),
        (box(x, y, 0.06, 0.86, 0.03, 0.02), glow),
        (capsule(x, y, (0.0, 0.95), (0.0, 1.04), 0.012), shade(metal, 0.7)),
        (circle(x, y, 0.0, 1.06, 0.035), np.array([1.0, 0.25, 0.25], np.float32)),
    ]
    return parts


def boat(
    x: torch.Tensor, y: torch.Tensor, ph: torch.Tensor, action: str, look: SpriteLook
) -> Parts:
    flap = 0.03 * torch.sin(ph * 2)
    return [
        (capsule(x, y, (0.0, 0.25), (0.0, 0.97), 0.015), np.array([0.45, 0.3, 0.2], np.float32)),
        (
            polygon(x, y, [(0.03, 0.32), (0.4, 0.32), (0.03, 0.9)]),
            np.array([0.97, 0.97, 0.93], np.float32),
        ),
        (
            polygon(x, y, [(-0.03, 0.36), (-0.03, 0.82), (-0.3, 0.36)]),
            np.array([0.9, 0.9, 0.86], np.float32),
        ),
        (
            polygon(x, y, [(0.015, 0.92), (0.015, 0.99), (0.14, 0.955 + flap)]),
            np.array([0.95, 0.2, 0.2], np.float32),
        ),
        (polygon(x, y, [(-0.36, 0.04), (0.34, 0.04), (0.48, 0.26), (-0.48, 0.26)]), look.main),
        (capsule(x, y, (-0.44, 0.22), (0.44, 0.22), 0.02), shade(look.main, 0.6)),
    ]


def butterfly(
    x: torch.Tensor, y: torch.Tensor, ph: torch.Tensor, action: str, look: SpriteLook
) -> Parts:
    k = 0.2 + 0.8 * torch.cos(ph).abs()
    return [
        (ellipse(x, y, -0.1 * k, 0.56, 0.11 * k + 0.005, 0.09), look.main),
        (ellipse(x, y, 0.1 * k, 0.56, 0.11 * k + 0.005, 0.09), look.main),
        (ellipse(x, y, -0.07 * k, 0.44, 0.075 * k + 0.005, 0.06), look.second),
        (ellipse(x, y, 0.07 * k, 0.44, 0.075 * k + 0.005, 0.06), look.second),
        (capsule(x, y, (0.0, 0.4), (0.0, 0.6), 0.018), OUTLINE),
        (capsule(x, y, (0.0, 0.6), (0.05, 0.68), 0.006), OUTLINE),
        (capsule(x, y, (0.0, 0.6), (-0.05, 0.68), 0.006), OUTLINE),
    ]


def tree(
    x: torch.Tensor, y: torch.Tensor, ph: torch.Tensor, action: str, look: SpriteLook
) -> Parts:
    sway = 0.025 * torch.sin(ph)
    leaves = look.main
    return [
        (box(x, y, 0.0, 0.25, 0.05, 0.27, 0.02), np.array([0.45, 0.3, 0.18], np.float32)),
        (circle(x, y, -0.14 + sway, 0.58, 0.17), shade(leaves, 0.85)),
        (circle(x, y, 0.14 + sway, 0.6, 0.17), shade(leaves, 0.9)),
        (circle(x, y, 0.0 + sway * 1.4, 0.78, 0.19), leaves),
    ]


KindFn = Callable[[torch.Tensor, torch.Tensor, torch.Tensor, str, SpriteLook], Parts]
KINDS: dict[str, KindFn] = {
    "person": person,
    "dog": lambda x, y, ph, a, look: quadruped(x, y, ph, a, look, cat=False),
    "cat": lambda x, y, ph, a, look: quadruped(x, y, ph, a, look, cat=True),
    "bird": bird,
    "fish": fish,
    "car": car,
    "balloon": balloon,
    "ball": ball,
    "rocket": rocket,
    "robot": robot,
    "boat": boat,
    "butterfly": butterfly,
    "tree": tree,
}


# ---------------------------------------------------------------------------- sheets


def draw_sheet(
    kind: str,
    action: str,
    look: SpriteLook,
    px_per_unit: float,
    face: torch.Tensor | None = None,
    overlay: Callable[..., None] | None = None,
) -> Sheet:
    """Draw the pose cycle of one subject at ``px_per_unit``; ``face`` replaces a person's head
    and ``overlay`` draws over it all (what a cameo wears and holds, ``builtin_wearables``)."""
    x0, x1, y0, y1 = EXTENTS[kind]
    w = max(4, math.ceil((x1 - x0) * px_per_unit))
    h = max(4, math.ceil((y1 - y0) * px_per_unit))
    xs = (x0 + (torch.arange(w, dtype=torch.float32) + 0.5) / px_per_unit).view(1, 1, w)
    ys = (y1 - (torch.arange(h, dtype=torch.float32) + 0.5) / px_per_unit).view(1, h, 1)
    ph = torch.arange(POSES, dtype=torch.float32).view(POSES, 1, 1) * (2 * math.pi / POSES)
    parts = KINDS[kind](xs, ys, ph, action, look)
    rgb, alpha = _compose(parts, px_per_unit, (POSES, h, w))
    if face is not None and kind == "person":
        _paste_face(rgb, alpha, face, xs, ys, ph, action, px_per_unit)
    if overlay is not None:
        overlay(rgb, alpha, xs, ys, px_per_unit)
    pixels = torch.cat([rgb * alpha, alpha], dim=1)
    return _cropped(Sheet(pixels, (-x0 * px_per_unit, y1 * px_per_unit), px_per_unit))


def _cropped(sheet: Sheet) -> Sheet:
    """Trim the empty margin every pose shares: each frame warps only what can show."""
    seen = sheet.pixels[:, 3].amax(dim=0) > 1 / 512
    rows, cols = torch.nonzero(seen.any(dim=1)), torch.nonzero(seen.any(dim=0))
    if len(rows) == 0:
        return sheet
    r0, r1 = max(int(rows[0]) - 1, 0), int(rows[-1]) + 2
    c0, c1 = max(int(cols[0]) - 1, 0), int(cols[-1]) + 2
    pixels = sheet.pixels[:, :, r0:r1, c0:c1].contiguous()
    anchor = (sheet.anchor[0] - c0, sheet.anchor[1] - r0)
    return Sheet(pixels=pixels, anchor=anchor, px_per_unit=sheet.px_per_unit)


def _compose(
    parts: Parts, px_per_unit: float, shape: tuple[int, int, int]
) -> tuple[torch.Tensor, torch.Tensor]:
    """Paint parts in order with a dark outline around the union and a soft inner light."""
    poses, h, w = shape
    rgb = torch.zeros((poses, 3, h, w))
    union = torch.full((poses, h, w), 1e3)
    outline_px = max(1.2, px_per_unit * 0.014)
    for sdf, color in parts:
        sdf = sdf.expand(poses, h, w)
        cover = (0.5 - sdf * px_per_unit).clamp(0, 1)
        light = 0.86 + 0.2 * (-sdf * px_per_unit / (px_per_unit * 0.06)).clamp(0, 1)
        col = torch.from_numpy(np.asarray(color, dtype=np.float32)).view(1, 3, 1, 1)
        rgb.lerp_(col * light[:, None], cover[:, None])
        union = torch.minimum(union, sdf)
    inner = (0.5 - union * px_per_unit).clamp(0, 1)[:, None]
    alpha = (0.5 + outline_px - union * px_per_unit).clamp(0, 1)[:, None]
    outline = torch.from_numpy(OUTLINE).view(1, 3, 1, 1)
    rgb = outline + (rgb - outline) * inner
    return rgb, alpha


def _paste_face(
    rgb: torch.Tensor,
    alpha: torch.Tensor,
    face: torch.Tensor,
    xs: torch.Tensor,
    ys: torch.Tensor,
    ph: torch.Tensor,
    action: str,
    px_per_unit: float,
) -> None:
    """Put a cameo face, cut out by a soft ellipse, where the person's head is in every pose."""
    pose = person_pose(action, ph)
    # A little larger than the drawn head: a face has to be recognisable at sprite size.
    cx, cy = pose.sway + pose.lean * 1.2, 0.91 + pose.bob + 0.02
    rx, ry = 0.12, 0.148
    shape = (rgb.shape[0], ys.shape[1], xs.shape[2])
    gx = ((xs - cx) / rx).expand(shape)
    gy = (-(ys - cy) / ry).expand(shape)  # image rows run down, sprite y runs up
    grid = torch.stack([gx, gy], dim=-1)
    tex = torch.nn.functional.grid_sample(
        face.expand(rgb.shape[0], -1, -1, -1),
        grid,
        mode="bilinear",
        padding_mode="border",
        align_corners=False,
    )
    edge = (torch.sqrt(gx**2 + gy**2) - 1) * min(rx, ry) * px_per_unit
    ring = (0.5 + max(1.2, px_per_unit * 0.014) - edge).clamp(0, 1)[:, None]
    inside = (0.5 - edge).clamp(0, 1)[:, None]
    outline = torch.from_numpy(OUTLINE).view(1, 3, 1, 1)
    rgb.lerp_(outline.expand_as(rgb), ring)
    rgb.lerp_(tex, inside)
    alpha.copy_(torch.maximum(alpha, ring))


def pictogram_sheet(name: str, px: int) -> Sheet:
    """One-pose sprite sheet of the pictogram ``name`` drawn ``px`` wide, cropped to what it draws.

    The anchor is the bottom centre of the drawn content, and one sprite unit is the content's
    height, so a caller scales it like any other subject.
    """
    return _pictogram_sheet(name, px, pictograms.data_version())


@lru_cache(maxsize=256)
def _pictogram_sheet(name: str, px: int, version: int) -> Sheet:
    rgba = pictograms.raster(name, px)
    seen = rgba[..., 3] > 1 / 512
    rows, cols = np.flatnonzero(seen.any(axis=1)), np.flatnonzero(seen.any(axis=0))
    top, bottom, left, right = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
    # One transparent pixel around the content, as the drawn sprites keep, so the warp that
    # places a sprite samples clear edges.
    r0, r1 = max(top - 1, 0), min(bottom + 1, px)
    c0, c1 = max(left - 1, 0), min(right + 1, px)
    pixels = torch.from_numpy(np.ascontiguousarray(rgba[r0:r1, c0:c1].transpose(2, 0, 1)))
    anchor = ((left + right) / 2 - c0, bottom - r0)
    return Sheet(pixels=pixels[None].clone(), anchor=anchor, px_per_unit=float(bottom - top))
