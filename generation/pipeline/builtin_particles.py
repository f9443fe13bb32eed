"""Weather and sparkle particles for the built-in renderer, splatted as tiny stamps.

Each particle is a handful of pixels, so particles are written with ``index_put_`` at their
positions instead of being drawn over the whole frame. ``accumulate=True`` makes overlapping
stamps add up in a fixed order on the CPU, which keeps frames bit-identical run to run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from generation.pipeline.builtin_palette import Grade
from generation.pipeline.scene import ScenePlan


@dataclass
class Field:
    """One kind of particle: start layout, motion and look, all fixed for the clip."""

    start: torch.Tensor  # (N, 2) in [0, 1): position in the wrapping field
    velocity: torch.Tensor  # (N, 2) field units per second
    sway: torch.Tensor  # (N, 3): amplitude, frequency (rad/s), phase
    color: torch.Tensor  # (N, 3)
    alpha: torch.Tensor  # (N,)
    twinkle: float  # 0: steady, else how much alpha pulses
    stamp: tuple[torch.Tensor, torch.Tensor, torch.Tensor]  # dx, dy, weight
    additive: bool  # light (stars, fireflies) adds; matter (rain, snow) covers
    depth: float  # parallax against the camera pan


@dataclass(frozen=True)
class FieldSpec:
    count: int  # per 640x640 frame; scaled with area
    speed: tuple[float, float, float, float]  # vx min/max, vy min/max (frame heights / s)
    sway: float
    colors: tuple[str, ...]
    alpha: tuple[float, float]
    stamp: str
    additive: bool = False
    twinkle: float = 0.0
    depth: float = 0.6


SPECS: dict[str, FieldSpec] = {
    "rain": FieldSpec(380, (-0.08, -0.04, 1.7, 2.3), 0.0, ("#c8d8f0",), (0.25, 0.5), "streak"),
    "snow": FieldSpec(300, (-0.03, 0.03, 0.06, 0.16), 0.02, ("#ffffff",), (0.6, 0.95), "flake"),
    "stars": FieldSpec(
        90,
        (0.0, 0.0, 0.0, 0.0),
        0.0,
        ("#ffffff", "#ffe8b0"),
        (0.5, 1.0),
        "sparkle",
        additive=True,
        twinkle=0.8,
        depth=0.05,
    ),
    "confetti": FieldSpec(
        240,
        (-0.05, 0.05, 0.1, 0.22),
        0.03,
        ("#ff4f6a", "#ffd23f", "#3fd0ff", "#7aff6a", "#c86aff", "#ff9a3f"),
        (0.85, 1.0),
        "chip",
    ),
    "bubbles": FieldSpec(
        70, (-0.01, 0.01, -0.16, -0.07), 0.012, ("#e0f8ff",), (0.45, 0.8), "ring", depth=0.5
    ),
    "fireflies": FieldSpec(
        45,
        (-0.02, 0.02, -0.02, 0.02),
        0.04,
        ("#e8ff7a", "#ffe66a"),
        (0.5, 0.9),
        "glow",
        additive=True,
        twinkle=1.0,
        depth=0.5,
    ),
}


def _stamp(name: str) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    points: list[tuple[int, int, float]] = []
    if name == "streak":
        points = [(round(-dy * 0.08), dy, 1.0 - dy / 20) for dy in range(16)]
    elif name == "flake":
        points = [(dx, dy, 1.0 / (1 + dx * dx + dy * dy)) for dx in (-1, 0, 1) for dy in (-1, 0, 1)]
    elif name == "sparkle":
        points = [(0, 0, 1.0), (1, 0, 0.35), (-1, 0, 0.35), (0, 1, 0.35), (0, -1, 0.35)]
    elif name == "chip":
        points = [(dx, dy, 1.0) for dx in range(4) for dy in range(3)]
    elif name == "ring":
        for k in range(16):
            a = k * math.pi / 8
            points.append((round(3.5 * math.cos(a)), round(3.5 * math.sin(a)), 0.7))
        points.append((-1, -1, 0.8))
    elif name == "glow":
        points = [
            (dx, dy, math.exp(-(dx * dx + dy * dy) / 3.0))
            for dx in range(-3, 4)
            for dy in range(-3, 4)
        ]
    dx, dy, w = zip(*points, strict=True)
    return (
        torch.tensor(dx, dtype=torch.int64),
        torch.tensor(dy, dtype=torch.int64),
        torch.tensor(w, dtype=torch.float32),
    )


def build_fields(
    plan: ScenePlan, grade: Grade, rng: np.random.Generator, size: tuple[int, int]
) -> list[Field]:
    names = [plan.weather] if plan.weather in SPECS else []
    height, width = size
    return [_field(SPECS[name], grade, rng, height * width / 640**2, plan.energy) for name in names]


def _field(
    spec: FieldSpec, grade: Grade, rng: np.random.Generator, area: float, energy: float
) -> Field:
    n = max(8, int(spec.count * area))
    vx0, vx1, vy0, vy1 = spec.speed
    pace = 0.75 + 0.5 * energy
    palette = np.stack([grade.apply(c, emissive=spec.additive) for c in spec.colors])
    return Field(
        start=torch.from_numpy(rng.random((n, 2), dtype=np.float32)),
        velocity=torch.from_numpy(
            np.stack([rng.uniform(vx0, vx1, n), rng.uniform(vy0, vy1, n)], -1).astype(np.float32)
            * pace
        ),
        sway=torch.from_numpy(
            np.stack(
                [
                    rng.uniform(0.3, 1.0, n) * spec.sway,
                    rng.uniform(0.8, 2.5, n),
                    rng.uniform(0, 6.3, n),
                ],
                -1,
            ).astype(np.float32)
        ),
        color=torch.from_numpy(palette[rng.integers(0, len(palette), n)]),
        alpha=torch.from_numpy(rng.uniform(*spec.alpha, n).astype(np.float32)),
        twinkle=spec.twinkle,
        stamp=_stamp(spec.stamp),
        additive=spec.additive,
        depth=spec.depth,
    )


def draw_fields(canvas: torch.Tensor, fields: list[Field], view: dict[str, torch.Tensor]) -> None:
    for field in fields:
        _draw_field(canvas, field, view)


def _draw_field(canvas: torch.Tensor, field: Field, view: dict[str, torch.Tensor]) -> None:
    batch, _, height, width = canvas.shape
    t = view["t"][:, None]  # (B, 1)
    span_x = width / height + 0.2  # the field wraps a little wider than the frame
    amp, freq, phase = field.sway.unbind(-1)
    fx = field.start[:, 0] * span_x + field.velocity[:, 0] * t + amp * torch.sin(freq * t + phase)
    fx = fx - view["pan"][:, None] * field.depth
    fy = field.start[:, 1] * 1.1 + field.velocity[:, 1] * t
    fx = torch.remainder(fx, span_x) - span_x / 2
    fy = torch.remainder(fy, 1.1) - 0.05
    zoom = (1 + (view["zoom"] - 1) * field.depth)[:, None]
    px = ((fx * zoom - view["shake_x"][:, None]) * height + width / 2).round().to(torch.int64)
    py = (((fy - 0.5) * zoom + 0.5 - view["shake_y"][:, None]) * height).round().to(torch.int64)
    alpha = field.alpha.expand(batch, -1)
    if field.twinkle:
        pulse = 0.5 + 0.5 * torch.sin(t * 3.0 * field.sway[:, 1] + field.sway[:, 2] * 5)
        alpha = alpha * (1 - field.twinkle + field.twinkle * pulse)
    _splat(canvas, px, py, alpha, field)


def _splat(
    canvas: torch.Tensor, px: torch.Tensor, py: torch.Tensor, alpha: torch.Tensor, field: Field
) -> None:
    batch, _, height, width = canvas.shape
    dx, dy, weight = field.stamp
    x = px[:, :, None] + dx
    y = py[:, :, None] + dy
    inside = ((x >= 0) & (x < width) & (y >= 0) & (y < height)).float()
    plane = height * width
    frame = torch.arange(batch, dtype=torch.int64).view(batch, 1, 1) * (3 * plane)
    index = frame + y.clamp(0, height - 1) * width + x.clamp(0, width - 1)
    amount = alpha[:, :, None] * weight * inside  # (B, N, S)
    flat = canvas.view(-1)
    for channel in range(3):
        idx = (index + channel * plane).view(-1)
        color = field.color[:, channel].view(1, -1, 1)
        # Light adds to what is there; matter (rain, snow) covers it by its alpha.
        target = color if field.additive else color - flat[idx].view_as(amount)
        delta = amount * target
        flat.index_put_((idx,), delta.reshape(-1), accumulate=True)
