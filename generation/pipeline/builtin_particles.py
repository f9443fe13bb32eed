"""Weather, sparkle and splash particles for the built-in renderer, splatted as tiny stamps.

Each particle is a handful of pixels, so particles are written with ``index_put_`` at their
positions instead of being drawn over the whole frame. ``accumulate=True`` makes overlapping
stamps add up in a fixed order on the CPU, which keeps frames bit-identical run to run.

Most fields wrap around the frame for the whole clip. Confetti instead pops in a few bursts:
each burst's pieces fly out from one point, slow down and flutter to the ground, and the frame
each burst first shows is where its pop sound goes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from generation.pipeline.builtin_layers import SUBJECT_DEPTH
from generation.pipeline.builtin_palette import Grade
from generation.pipeline.builtin_subjects import Landing
from generation.pipeline.scene import ScenePlan, indoor_weather_heard

BURST_DRAG = 4.0  # 1/s: how fast a burst's pieces lose their launch speed
BURST_LEAD = 0.05  # s: a burst's first frame already shows the puff opening, not one dot
SPLASH_S = 0.4  # how long a splash's droplets and ring stay on screen
SPLASH_GRAVITY = 2.4  # world units / s^2 pulling droplets back down
SPLASH_DROPS = 44
SPLASH_RING = 72


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
    # Burst fields only (confetti): ``start`` is each piece's launch point, ``velocity`` its
    # launch speed, ``birth`` the second it appears and ``fall`` the speed it settles into.
    birth: torch.Tensor | None = None  # (N,)
    fall: torch.Tensor | None = None  # (N,)
    pops: tuple[int, ...] = ()  # first frame of each burst


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
    bursts: bool = False  # pops from a few points instead of filling the frame from the start


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
        bursts=True,
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
    # Wind: pale gusts streak sideways and torn-off leaves tumble along with them.
    "gust": FieldSpec(
        40, (0.9, 1.4, -0.03, 0.03), 0.01, ("#ffffff",), (0.45, 0.7), "gust", depth=0.7
    ),
    "leaves": FieldSpec(
        40,
        (0.45, 0.8, -0.02, 0.1),
        0.05,
        ("#6fae3a", "#c9a23a", "#d2691e", "#8fbf4a"),
        (0.85, 1.0),
        "leaf",
        depth=0.55,
    ),
}
# Weathers drawn by more than one field, or by fields named for what they show.
WEATHER_FIELDS: dict[str, tuple[str, ...]] = {"wind": ("gust", "leaves")}


def _stamp(name: str) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    points: list[tuple[int, int, float]] = []
    if name == "streak":
        points = [(round(-dy * 0.08), dy, 1.0 - dy / 20) for dy in range(16)]
    elif name == "flake":
        points = [(dx, dy, 1.0 / (1 + dx * dx + dy * dy)) for dx in (-1, 0, 1) for dy in (-1, 0, 1)]
    elif name == "sparkle":
        points = [(0, 0, 1.0), (1, 0, 0.35), (-1, 0, 0.35), (0, 1, 0.35), (0, -1, 0.35)]
    elif name == "gust":  # a long streak lying along the wind, two pixels thick, fading at the ends
        points = [(dx, dy, 1.0 - abs(dx - 24) / 25) for dx in range(49) for dy in (0, 1)]
    elif name == "leaf":  # a pointed oval about 12 px long, tilted, with a stalk
        points = [
            (dx, dy, 1.0)
            for dx in range(-5, 6)
            for dy in range(-5, 6)
            if (dx + dy) ** 2 / 36 + (dx - dy) ** 2 / 8 <= 1
        ]
        points += [(5, 5, 0.7), (6, 6, 0.5)]
    elif name == "chip":
        points = [(dx, dy, 1.0) for dx in range(4) for dy in range(3)]
    elif name == "ring":
        for k in range(16):
            a = k * math.pi / 8
            points.append((round(3.5 * math.cos(a)), round(3.5 * math.sin(a)), 0.7))
        points.append((-1, -1, 0.8))
    elif name == "drop":  # a round droplet about 5 px across
        points = [
            (dx, dy, 1.0 if dx * dx + dy * dy <= 2 else 0.55)
            for dx in range(-2, 3)
            for dy in range(-2, 3)
            if dx * dx + dy * dy <= 5
        ]
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
    plan: ScenePlan,
    grade: Grade,
    rng: np.random.Generator,
    size: tuple[int, int],
    clock: tuple[int, int] = (24, 96),
) -> list[Field]:
    """The weather's particle field; ``clock`` is (fps, frames), which bursts are timed by."""
    if indoor_weather_heard(plan):
        return []
    names = [n for n in WEATHER_FIELDS.get(plan.weather, (plan.weather,)) if n in SPECS]
    height, width = size
    area = height * width / 640**2
    return [
        _burst_field(SPECS[name], grade, rng, (area, width / height), plan.energy, clock)
        if SPECS[name].bursts
        else _field(SPECS[name], grade, rng, area, plan.energy)
        for name in names
    ]


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


def _burst_field(
    spec: FieldSpec,
    grade: Grade,
    rng: np.random.Generator,
    frame_shape: tuple[float, float],
    energy: float,
    clock: tuple[int, int],
) -> Field:
    """2 to 4 bursts (one more per 4 s of clip), each a cloud of pieces from one point."""
    fps, frames = clock
    area, aspect = frame_shape
    duration = frames / fps
    pops = _burst_frames(rng, fps, duration)
    per_burst = max(12, int(spec.count * area * (0.5 + 0.3 * energy)))
    n = per_burst * len(pops)
    which = np.repeat(np.arange(len(pops)), per_burst)
    # Bursts alternate sides and stay in the upper half, so each cloud has room to fall.
    side = np.where(np.arange(len(pops)) % 2 == 0, -1.0, 1.0) * rng.choice([-1.0, 1.0])
    origin_x = side * rng.uniform(0.08, 0.28, len(pops)) * aspect
    origin_y = rng.uniform(0.15, 0.4, len(pops))
    heading = rng.uniform(0, 2 * np.pi, n)
    speed = np.sqrt(rng.random(n)) * (0.9 + 0.5 * energy)
    launch = np.stack([np.cos(heading) * speed, np.sin(heading) * speed - 0.35], -1)
    palette = np.stack([grade.apply(c) for c in spec.colors])
    vy0, vy1 = spec.speed[2:]
    return Field(
        start=torch.from_numpy(np.stack([origin_x[which], origin_y[which]], -1).astype(np.float32)),
        velocity=torch.from_numpy(launch.astype(np.float32)),
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
        birth=torch.from_numpy((np.array(pops, dtype=np.float32) / fps)[which]),
        fall=torch.from_numpy(rng.uniform(vy0, vy1, n).astype(np.float32) * (0.75 + 0.5 * energy)),
        pops=tuple(pops),
    )


def _burst_frames(rng: np.random.Generator, fps: int, duration: float) -> list[int]:
    """First frames of the bursts: one early, the rest spread out, the last 1.2 s before the end."""
    count = int(min(4, 1 + duration // 4))
    first = rng.uniform(0.15, 0.45)
    last = max(first + 0.5, duration - 1.2)
    times = np.linspace(first, last, count)
    gap = (last - first) / max(count - 1, 1)
    times[1:] += rng.uniform(-0.2, 0.2, count - 1) * gap
    picked = np.round(times * fps).astype(int)
    return sorted({int(f) for f in np.clip(picked, 1, int(duration * fps) - 1)})


def draw_fields(canvas: torch.Tensor, fields: list[Field], view: dict[str, torch.Tensor]) -> None:
    for field in fields:
        if field.birth is None:
            _draw_field(canvas, field, view)
        else:
            _draw_bursts(canvas, field, view)


def _draw_bursts(canvas: torch.Tensor, field: Field, view: dict[str, torch.Tensor]) -> None:
    """Pieces launch from their burst's point, slow down and settle into a swaying fall."""
    assert field.birth is not None and field.fall is not None
    batch, _, height, width = canvas.shape
    t = view["t"][:, None]  # (B, 1)
    born = t >= field.birth
    if not bool(born.any()):
        return
    age = (t - field.birth).clamp(min=0) + BURST_LEAD
    slowed = 1 - torch.exp(-BURST_DRAG * age)
    reach = slowed / BURST_DRAG  # distance covered at launch speed, as drag takes it away
    amp, freq, phase = field.sway.unbind(-1)
    fx = field.start[:, 0] + field.velocity[:, 0] * reach + amp * torch.sin(freq * age + phase)
    fy = field.start[:, 1] + field.velocity[:, 1] * reach + field.fall * (age - reach)
    fx = fx - view["pan"][:, None] * field.depth
    px, py = _to_screen(fx, fy, view, field.depth, (height, width))
    _splat(canvas, px, py, field.alpha * born, field.color, field.stamp, field.additive)


def _to_screen(
    fx: torch.Tensor,
    fy: torch.Tensor,
    view: dict[str, torch.Tensor],
    depth: float,
    size: tuple[int, int],
) -> tuple[torch.Tensor, torch.Tensor]:
    """Pixel column and row of panned points (x from the frame's centre) on a plane at ``depth``."""
    height, width = size
    zoom = (1 + (view["zoom"] - 1) * depth)[:, None]
    px = ((fx * zoom - view["shake_x"][:, None]) * height + width / 2).round().to(torch.int64)
    py = (((fy - 0.5) * zoom + 0.5 - view["shake_y"][:, None]) * height).round().to(torch.int64)
    return px, py


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
    px, py = _to_screen(fx, fy, view, field.depth, (height, width))
    alpha = field.alpha.expand(batch, -1)
    if field.twinkle:
        pulse = 0.5 + 0.5 * torch.sin(t * 3.0 * field.sway[:, 1] + field.sway[:, 2] * 5)
        alpha = alpha * (1 - field.twinkle + field.twinkle * pulse)
    _splat(canvas, px, py, alpha, field.color, field.stamp, field.additive)


def _splat(
    canvas: torch.Tensor,
    px: torch.Tensor,
    py: torch.Tensor,
    alpha: torch.Tensor,
    colors: torch.Tensor,
    stamp: tuple[torch.Tensor, torch.Tensor, torch.Tensor],
    additive: bool,
) -> None:
    """Stamp N points per frame: ``px``, ``py``, ``alpha`` are (B, N), ``colors`` (N, 3)."""
    batch, _, height, width = canvas.shape
    dx, dy, weight = stamp
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
        color = colors[:, channel].view(1, -1, 1)
        # Light adds to what is there; matter (rain, snow) covers it by its alpha.
        target = color if additive else color - flat[idx].view_as(amount)
        delta = amount * target
        flat.index_put_((idx,), delta.reshape(-1), accumulate=True)


# ---------------------------------------------------------------------------- splashes


@dataclass
class Splashes:
    """Droplets and a spreading ring where something lands in water, on the subjects' plane.

    A point sits at ``start + velocity * age + gravity * age^2 / 2`` (world units) from its
    ``birth`` until ``life`` seconds later, fading as it goes.
    """

    birth: torch.Tensor  # (N,) seconds
    start: torch.Tensor  # (N, 2) world x, y
    velocity: torch.Tensor  # (N, 2) world units per second
    gravity: torch.Tensor  # (N,) world units per second squared (0 for the ring)
    life: torch.Tensor  # (N,) seconds
    color: torch.Tensor  # (N, 3)
    alpha: torch.Tensor  # (N,)
    stamp: tuple[torch.Tensor, torch.Tensor, torch.Tensor]


def build_splashes(
    landings: list[Landing], grade: Grade, rng: np.random.Generator, fps: int
) -> Splashes | None:
    """A splash for every landing in water, sized by the subject and how hard it landed."""
    wet = [landing for landing in landings if landing.in_water]
    if not wet:
        return None
    parts = [_splash(landing, rng, fps) for landing in wet]
    columns = [np.concatenate(column) for column in zip(*parts, strict=True)]
    birth, start, velocity, gravity, life, alpha, is_drop = columns
    colors = np.stack([grade.apply("#f4fbff"), grade.apply("#cfeeff")])
    return Splashes(
        birth=torch.from_numpy(birth.astype(np.float32)),
        start=torch.from_numpy(start.astype(np.float32)),
        velocity=torch.from_numpy(velocity.astype(np.float32)),
        gravity=torch.from_numpy(gravity.astype(np.float32)),
        life=torch.from_numpy(life.astype(np.float32)),
        color=torch.from_numpy(colors[is_drop.astype(np.int64)]),
        alpha=torch.from_numpy(alpha.astype(np.float32)),
        stamp=_stamp("drop"),
    )


def _splash(landing: Landing, rng: np.random.Generator, fps: int) -> tuple[np.ndarray, ...]:
    """Columns (birth, start, velocity, gravity, life, alpha, is_drop) of one splash."""
    n, m = SPLASH_DROPS, SPLASH_RING
    kick = (landing.size / 0.23) ** 0.5 * (0.6 + 0.6 * landing.strength)
    up = rng.uniform(0.3, 0.7, n) * kick
    drops_v = np.stack([rng.uniform(-0.3, 0.3, n) * kick, -up], -1)
    # A droplet is gone once it falls back under the water line, or when the splash ends.
    drops_life = np.minimum(SPLASH_S, 2 * up / SPLASH_GRAVITY)
    around = np.linspace(0, 2 * np.pi, m, endpoint=False)
    rim = np.stack([np.cos(around), 0.22 * np.sin(around)], -1)  # a ring seen from the side
    feet = np.array([landing.x, landing.y])
    drops_at = feet + np.stack([rng.uniform(-0.2, 0.2, n) * landing.size, np.zeros(n)], -1)
    return (
        np.full(n + m, landing.frame / fps),
        np.concatenate([drops_at, feet + rim * 0.25 * landing.size]),
        np.concatenate([drops_v, rim * 0.4 * landing.size / SPLASH_S]),  # rim ends at 0.65 size
        np.concatenate([np.full(n, SPLASH_GRAVITY), np.zeros(m)]),
        np.concatenate([drops_life, np.full(m, SPLASH_S)]),
        np.concatenate([rng.uniform(0.7, 1.0, n), np.full(m, 0.85)]),
        np.concatenate([np.ones(n), np.zeros(m)]),
    )


def draw_splashes(canvas: torch.Tensor, splashes: Splashes, view: dict[str, torch.Tensor]) -> None:
    batch, _, height, width = canvas.shape
    t = view["t"][:, None]  # (B, 1)
    age = t - splashes.birth
    alive = (age >= 0) & (age < splashes.life)
    if not bool(alive.any()):
        return
    age = age.clamp(min=0)
    x = splashes.start[:, 0] + splashes.velocity[:, 0] * age
    y = splashes.start[:, 1] + splashes.velocity[:, 1] * age + splashes.gravity * age**2 / 2
    x = x - view["pan"][:, None] * SUBJECT_DEPTH
    px, py = _to_screen(x, y, view, SUBJECT_DEPTH, (height, width))
    fade = (1 - age / splashes.life).clamp(0, 1).sqrt()
    alpha = splashes.alpha * fade * alive
    _splat(canvas, px, py, alpha, splashes.color, splashes.stamp, additive=False)
