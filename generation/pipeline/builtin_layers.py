"""Scenery for the built-in renderer: a painted sky and parallax silhouette layers.

Every layer is a ridge line y = f(x) in world units. A frame's camera maps each screen row and
column to world coordinates on its own (x and y are separable: pan, zoom and shake never rotate
the view), so a layer costs one (B, H, W) subtraction, a clamp and a lerp per frame batch, and
parallax, zoom and animated waves come for free from the mapping.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from generation.pipeline.builtin_palette import Grade, hex_rgb, sky_colors
from generation.pipeline.scene import ScenePlan

SUBJECT_DEPTH = 0.85  # parallax factor of the plane the subjects walk on
GROUND_Y = 0.8  # world y (0 top, 1 bottom) of that plane's ground line
HORIZON_Y = 0.62


@dataclass(frozen=True)
class LayerSpec:
    kind: str
    depth: float  # parallax factor: 0 never moves, 1 moves with the camera
    base: float  # world y of the ridge's foot
    amp: float  # ridge height, world units
    freq: float  # features per world unit
    top: str  # colour at the ridge's top rows
    bottom: str  # colour at the bottom of the screen
    from_top: bool = False  # the layer hangs down from the ridge (cabinets, valances)
    sparse: float = 0.0  # share of cells left empty (pines, bushes)
    haze: float = 0.0  # how far toward the sky's horizon colour (distance)
    speed: float = 0.0  # animation in radians per second (waves, crowd)
    windows: bool = False


_L = LayerSpec
LAYERS: dict[str, tuple[LayerSpec, ...]] = {
    "meadow": (
        _L("hills", 0.1, 0.6, 0.07, 1.3, "#6f9fb0", "#6f9fa0", haze=0.55),
        _L("hills", 0.3, 0.66, 0.06, 2.2, "#5f9f4f", "#4f8a3f", haze=0.25),
        _L("bushes", 0.45, 0.69, 0.06, 3.5, "#3f7a35", "#2f6a2a", sparse=0.55),
        _L("hills", 0.6, 0.72, 0.03, 2.9, "#79b84a", "#5f9a3a"),
        _L("hills", SUBJECT_DEPTH, GROUND_Y - 0.01, 0.008, 3.0, "#8fcf5a", "#5f9f3a"),
        _L("grass", 1.3, 1.0, 0.06, 28.0, "#2f6a25", "#1f4a1a", sparse=0.3),
    ),
    "beach": (
        _L("hills", 0.08, 0.6, 0.05, 1.6, "#6fa0b8", "#6fa0b8", haze=0.6, sparse=0.5),
        _L("flat", 0.1, 0.61, 0.0, 1.0, "#2f7fc0", "#3fa5d8", haze=0.25),
        _L("waves", 0.45, 0.7, 0.008, 9.0, "#5fc0e8", "#8fe0f0", speed=2.2),
        _L("waves", 0.7, 0.745, 0.01, 6.0, "#e8f8ff", "#e8f8ff", speed=2.8),
        _L("dunes", SUBJECT_DEPTH, GROUND_Y - 0.04, 0.012, 2.0, "#f4dca0", "#e0bf7a"),
        _L("dunes", 1.3, 1.02, 0.03, 1.5, "#e8c98a", "#d0aa66", sparse=0.4),
    ),
    "city": (
        _L("buildings", 0.12, 0.62, 0.24, 4.0, "#8aa0c0", "#8aa0c0", haze=0.5),
        _L("buildings", 0.35, 0.68, 0.3, 2.6, "#53607a", "#44506a", windows=True),
        _L("buildings", 0.6, 0.74, 0.26, 1.8, "#39405a", "#30364a", windows=True),
        _L("flat", SUBJECT_DEPTH, GROUND_Y - 0.045, 0.0, 1.0, "#9a9aa2", "#8a8a92"),
        _L("flat", SUBJECT_DEPTH, GROUND_Y + 0.035, 0.0, 1.0, "#4a4a52", "#2a2a30"),
        _L("dashes", SUBJECT_DEPTH, GROUND_Y + 0.1, 0.0, 3.0, "#e8e0c0", "#e8e0c0"),
        _L("flat", SUBJECT_DEPTH, GROUND_Y + 0.108, 0.0, 1.0, "#4a4a52", "#2a2a30"),
    ),
    "forest": (
        _L("hills", 0.08, 0.6, 0.06, 1.5, "#6f9aa0", "#6f9aa0", haze=0.5),
        _L("pines", 0.25, 0.66, 0.2, 7.0, "#3f6f55", "#2f5a45", haze=0.3),
        _L("pines", 0.5, 0.72, 0.3, 4.5, "#24553a", "#1d4530", sparse=0.2),
        _L("hills", SUBJECT_DEPTH, GROUND_Y - 0.01, 0.01, 2.0, "#5a8a3a", "#3f6a2a"),
        _L("pines", 1.35, 1.12, 0.55, 1.1, "#14301f", "#0f2418", sparse=0.7),
    ),
    "space": (
        _L("hills", 0.25, 0.74, 0.03, 1.2, "#6a6a7a", "#4a4a5a", haze=0.15),
        _L("craters", SUBJECT_DEPTH, GROUND_Y - 0.01, 0.02, 1.6, "#a8a8b4", "#6a6a78"),
    ),
    "mountains": (
        _L("mountains", 0.06, 0.62, 0.32, 1.2, "#e8f0ff", "#7f9ac0", haze=0.35),
        _L("mountains", 0.2, 0.68, 0.24, 1.9, "#b0c4d8", "#5a7a90", haze=0.2),
        _L("hills", 0.5, 0.73, 0.05, 2.3, "#5f8f4a", "#4a7a3a"),
        _L("hills", SUBJECT_DEPTH, GROUND_Y - 0.01, 0.01, 2.5, "#7faf55", "#5a8a3a"),
        _L("rocks", 1.3, 1.03, 0.08, 2.2, "#4a4a48", "#30302e", sparse=0.5),
    ),
    "underwater": (
        _L("hills", 0.15, 0.74, 0.08, 1.4, "#1d6a8a", "#155a7a", haze=0.45),
        _L("coral", 0.45, 0.84, 0.14, 5.0, "#ff7f7f", "#c0506a", sparse=0.35, speed=1.2),
        _L("dunes", SUBJECT_DEPTH, 0.9, 0.015, 2.0, "#e0d0a0", "#b0a070"),
        _L("coral", 1.3, 1.05, 0.22, 2.5, "#f09a40", "#b05a2a", sparse=0.55, speed=1.5),
    ),
    "desert": (
        _L("mesas", 0.12, 0.62, 0.12, 1.1, "#c98a6a", "#c98a6a", haze=0.35, sparse=0.5),
        _L("dunes", 0.35, 0.67, 0.05, 1.7, "#e8b87a", "#d8a060"),
        _L("dunes", 0.6, 0.73, 0.05, 1.3, "#f0c88a", "#e0b070"),
        _L("dunes", SUBJECT_DEPTH, GROUND_Y - 0.01, 0.012, 1.6, "#f6d69a", "#e8c080"),
        _L("rocks", 1.3, 1.03, 0.07, 2.0, "#a0603a", "#7a4a2a", sparse=0.55),
    ),
    "snow": (
        _L("mountains", 0.08, 0.62, 0.28, 1.4, "#ffffff", "#b8cce0", haze=0.3),
        _L("pines", 0.3, 0.68, 0.2, 6.0, "#3f6f6a", "#2f5a55", sparse=0.3, haze=0.25),
        _L("hills", 0.55, 0.73, 0.04, 2.0, "#f4f8ff", "#dde8f4"),
        _L("hills", SUBJECT_DEPTH, GROUND_Y - 0.01, 0.01, 2.5, "#ffffff", "#e4eef8"),
        _L("pines", 1.35, 1.12, 0.5, 1.1, "#1f3a35", "#15302a", sparse=0.7),
    ),
    "stage": (
        _L("pillars", 0.3, 0.7, 0.55, 2.2, "#2a1040", "#1a0a28", sparse=0.0),
        _L("flat", SUBJECT_DEPTH, GROUND_Y - 0.06, 0.0, 1.0, "#8a5a3a", "#4a2a1a"),
        _L("valance", 0.2, 0.1, 0.04, 5.0, "#b0102a", "#700a1a", from_top=True),
        _L("crowd", 1.3, 1.02, 0.1, 14.0, "#0a0510", "#050208", speed=7.0),
    ),
    "kitchen": (
        _L("cabinets", 0.45, 0.3, 0.0, 2.2, "#b98a5a", "#a0754a", from_top=True),
        _L("flat", 0.6, 0.6, 0.0, 1.0, "#d8d8d0", "#c0c0b8"),
        _L("cabinets", 0.6, 0.63, 0.0, 2.2, "#a0754a", "#8a6038"),
        _L("flat", SUBJECT_DEPTH, GROUND_Y - 0.02, 0.0, 1.0, "#cfc4b0", "#a89a84"),
    ),
}


@dataclass
class PreparedLayer:
    spec: LayerSpec
    colors: torch.Tensor  # (3, H, 1) graded colour per screen row
    seed: int
    phases: torch.Tensor  # (4,) ridge phase offsets
    window_color: torch.Tensor | None


def prepare_layers(
    plan: ScenePlan, grade: Grade, rng: np.random.Generator, height: int
) -> list[PreparedLayer]:
    horizon = grade.sky_horizon()
    rows = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None]
    prepared: list[PreparedLayer] = []
    for spec in LAYERS[plan.setting]:
        top, bottom = _layer_colors(spec, plan, grade, horizon)
        colors = top[None, :] * (1 - rows) + bottom[None, :] * rows  # (H, 3)
        prepared.append(
            PreparedLayer(
                spec=spec,
                colors=torch.from_numpy(np.ascontiguousarray(colors.T[:, :, None])),
                seed=int(rng.integers(1, 2**20)),
                phases=torch.from_numpy(rng.uniform(0, 2 * np.pi, 4).astype(np.float32)),
                window_color=_window_color(spec, plan, grade),
            )
        )
    return prepared


def _layer_colors(
    spec: LayerSpec, plan: ScenePlan, grade: Grade, horizon: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    top, bottom = hex_rgb(spec.top), hex_rgb(spec.bottom)
    if plan.weather == "snow" and plan.setting not in ("snow", "underwater", "space", "kitchen"):
        # Snow settles on whatever the ground is.
        top, bottom = top * 0.35 + 0.65, bottom * 0.5 + 0.45
    top = top * (1 - spec.haze) + horizon * spec.haze
    bottom = bottom * (1 - spec.haze) + horizon * spec.haze
    return grade.apply(top), grade.apply(bottom)


def _window_color(spec: LayerSpec, plan: ScenePlan, grade: Grade) -> torch.Tensor | None:
    if not spec.windows or plan.time_of_day not in ("night", "sunset"):
        return None
    glow = "#ff4fd8" if plan.palette == "neon" else "#ffd98a"
    return torch.from_numpy(grade.apply(glow, emissive=True)).view(3, 1, 1)


# ---------------------------------------------------------------------------- ridge shapes


def _hash(cells: torch.Tensor, seed: int) -> torch.Tensor:
    """A repeatable [0, 1) value per integer cell, exact in int64 so frames never flicker."""
    v = (cells.to(torch.int64) * 73856093 + seed * 19349663) % 2147483647
    v = (v * 48271) % 2147483647
    v = (v * 48271) % 2147483647
    return v.to(torch.float32) / 2147483647.0


def _tri(u: torch.Tensor) -> torch.Tensor:
    return 1 - 2 * (u - torch.floor(u) - 0.5).abs()


def _cells(x: torch.Tensor, layer: PreparedLayer) -> tuple[torch.Tensor, torch.Tensor]:
    u = x * layer.spec.freq + layer.phases[0]
    cell = torch.floor(u)
    return cell, u - cell - 0.5


def ridge(layer: PreparedLayer, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """World y of the layer's top edge for world x (B, W) at times t (B, 1)."""
    spec = layer.spec
    if spec.kind in ("flat", "cabinets", "dashes") or spec.amp > 0:
        return RIDGES[spec.kind](layer, x, t)
    return torch.full_like(x, spec.base)


def _flat(layer: PreparedLayer, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    return torch.full_like(x, layer.spec.base)


def _dashes(layer: PreparedLayer, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Lane markings: the layer after this one covers all but a thin band of these."""
    _, local = _cells(x, layer)
    return layer.spec.base + (local.abs() > 0.25).float()


def _hills(layer: PreparedLayer, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    s, p = layer.spec, layer.phases
    f = s.freq
    wave = (
        0.55 * torch.sin(f * x + p[0])
        + 0.3 * torch.sin(2.3 * f * x + p[1])
        + 0.15 * torch.sin(5.1 * f * x + p[2])
    )
    if s.sparse:  # islands: hills only where a slow wave rises above the sea
        wave = wave + 1 - ((torch.sin(0.37 * f * x + p[3]) + 1 - 2 * s.sparse) * 3).clamp(0, 1) * 2
    return s.base - s.amp * (0.5 + 0.5 * wave).clamp(min=0)


def _mountains(layer: PreparedLayer, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    s, p = layer.spec, layer.phases
    u = x * s.freq
    peaks = 0.6 * _tri(u + p[0]) ** 1.5 + 0.3 * _tri(2.1 * u + p[1]) + 0.1 * _tri(4.7 * u + p[2])
    return s.base - s.amp * peaks


def _dunes(layer: PreparedLayer, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    s, p = layer.spec, layer.phases
    u = x * s.freq * 2 * np.pi
    wave = torch.sin(u + p[0]) + 0.35 * torch.sin(2 * u + p[0] + 1.2) + 0.2 * torch.sin(3.3 * u)
    out = s.base - s.amp * (0.5 + 0.35 * wave)
    if s.sparse:
        out = out + s.amp * 2 * (_hash(torch.floor(x * s.freq + p[1]), layer.seed) < s.sparse)
    return out


def _waves(layer: PreparedLayer, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    s, p = layer.spec, layer.phases
    u = x * s.freq * 2 * np.pi
    wave = 0.7 * torch.sin(u + s.speed * t + p[0]) + 0.3 * torch.sin(2.7 * u - 1.3 * s.speed * t)
    return s.base - s.amp * wave


def _buildings(layer: PreparedLayer, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    s = layer.spec
    cell, local = _cells(x, layer)
    height = 0.3 + 0.7 * _hash(cell, layer.seed)
    alley = (local > 0.4).float() * 0.85  # a narrow gap between blocks shows the row behind
    return s.base - s.amp * height * (1 - alley)


def _peaked(layer: PreparedLayer, x: torch.Tensor, profile: torch.Tensor) -> torch.Tensor:
    """Shared tail of cell-based shapes: scale by a per-cell height, drop empty cells."""
    s = layer.spec
    cell, _ = _cells(x, layer)
    height = 0.55 + 0.45 * _hash(cell, layer.seed)
    empty = (_hash(cell, layer.seed + 7) < s.sparse).float()
    return s.base - s.amp * height * profile.clamp(min=0) * (1 - empty)


def _pines(layer: PreparedLayer, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    _, local = _cells(x, layer)
    cone = 1 - 2.6 * local.abs()
    trunk = (local.abs() < 0.05).float() * 0.25
    return _peaked(layer, x, torch.maximum(cone, trunk))


def _bushes(layer: PreparedLayer, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    _, local = _cells(x, layer)
    return _peaked(layer, x, torch.sqrt((1 - (2.2 * local) ** 2).clamp(min=0)))


def _grass(layer: PreparedLayer, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    _, local = _cells(x, layer)
    blades = 1 - 1.8 * local.abs()
    return _peaked(layer, x, blades * (0.6 + 0.4 * torch.sin(x * 3.1 + layer.phases[1]) ** 2))


def _rocks(layer: PreparedLayer, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    _, local = _cells(x, layer)
    return _peaked(layer, x, (1 - (2 * local) ** 4).clamp(min=0) ** 0.5)


def _coral(layer: PreparedLayer, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    _, local = _cells(x, layer)
    sway = 0.06 * torch.sin(t * layer.spec.speed + x * 3)
    fronds = (1 - (2.2 * (local + sway)) ** 2).clamp(min=0).sqrt()
    fingers = 0.75 + 0.25 * torch.cos((local + sway) * 30)
    return _peaked(layer, x, fronds * fingers)


def _mesas(layer: PreparedLayer, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    _, local = _cells(x, layer)
    return _peaked(layer, x, (1.6 - 3.5 * local.abs()).clamp(max=1))


def _craters(layer: PreparedLayer, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    s = layer.spec
    _, local = _cells(x, layer)
    rim = torch.exp(-(((local.abs() - 0.3) * 12) ** 2)) - 0.6 * (local.abs() < 0.3).float()
    return s.base - s.amp * (0.4 + 0.6 * rim)


def _pillars(layer: PreparedLayer, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    s = layer.spec
    _, local = _cells(x, layer)
    return s.base - s.amp * (local.abs() < 0.09).float()


def _valance(layer: PreparedLayer, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    s = layer.spec
    _, local = _cells(x, layer)
    return s.base + s.amp * (1 - 4 * local**2)


def _cabinets(layer: PreparedLayer, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    s = layer.spec
    _, local = _cells(x, layer)
    gap = (local.abs() > 0.46).float()
    if s.from_top:
        return s.base * (1 - gap)  # a gap reaches the ceiling
    return s.base + gap * 0.02


def _crowd(layer: PreparedLayer, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    s = layer.spec
    cell, local = _cells(x, layer)
    bob = 0.5 + 0.5 * torch.sin(t * s.speed + _hash(cell, layer.seed) * 6.28)
    head = torch.sqrt((1 - (3.2 * local) ** 2).clamp(min=0))
    shoulders = (1 - local.abs() * 1.2) * 0.55
    return s.base - s.amp * (torch.maximum(head, shoulders) * (0.75 + 0.25 * bob))


RIDGES = {
    "flat": _flat,
    "dashes": _dashes,
    "hills": _hills,
    "mountains": _mountains,
    "dunes": _dunes,
    "waves": _waves,
    "buildings": _buildings,
    "pines": _pines,
    "bushes": _bushes,
    "grass": _grass,
    "rocks": _rocks,
    "coral": _coral,
    "mesas": _mesas,
    "craters": _craters,
    "pillars": _pillars,
    "valance": _valance,
    "cabinets": _cabinets,
    "crowd": _crowd,
}


# ---------------------------------------------------------------------------- drawing


def draw_layers(
    canvas: torch.Tensor,
    layers: list[PreparedLayer],
    view: dict[str, torch.Tensor],
    scratch: torch.Tensor,
) -> None:
    """Composite every layer, far to near, into ``canvas`` (B, 3, H, W) in place.

    ``view`` holds the batch's camera: screen coordinates ``sx`` (W,), ``sy`` (H,), and per
    frame ``t``, ``pan``, ``orbit``, ``zoom``, ``shake_x``, ``shake_y`` (B,).
    """
    height = canvas.shape[2]
    for layer in layers:
        x, y, zoom = layer_coords(view, layer.spec.depth)
        edge = ridge(layer, x, view["t"][:, None])
        px = zoom * height  # pixels per world unit for this layer
        mask = scratch[: canvas.shape[0]]
        if layer.spec.from_top:
            torch.sub((edge * px)[:, None, None, :], (y * px)[:, None, :, None], out=mask)
        else:
            torch.sub((y * px)[:, None, :, None], (edge * px)[:, None, None, :], out=mask)
        mask.add_(0.5).clamp_(0, 1)
        canvas.lerp_(layer.colors, mask)
        if layer.window_color is not None:
            _draw_windows(canvas, layer, x, y, mask)


def layer_coords(
    view: dict[str, torch.Tensor], depth: float
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """World x (B, W), world y (B, H) and zoom (B, 1) of a layer at parallax ``depth``."""
    zoom = (1 + (view["zoom"] - 1) * depth)[:, None]
    x = (view["sx"][None, :] + view["shake_x"][:, None]) / zoom
    x = x + (view["pan"] * depth + view["orbit"] * (depth - SUBJECT_DEPTH))[:, None]
    y = (view["sy"][None, :] + view["shake_y"][:, None] - 0.5) / zoom + 0.5
    return x, y, zoom


def _draw_windows(
    canvas: torch.Tensor, layer: PreparedLayer, x: torch.Tensor, y: torch.Tensor, mask: torch.Tensor
) -> None:
    """Lit windows on building faces: a grid of cells, some on, inside the building mask."""
    s = layer.spec
    cols = x * s.freq * 9 + layer.phases[0] * 9
    rows = y * 60
    col_on = ((cols - torch.floor(cols) - 0.5).abs() < 0.22).float()
    row_on = ((rows - torch.floor(rows) - 0.5).abs() < 0.25).float()
    lit = _hash(torch.floor(cols)[:, None, :] * 131 + torch.floor(rows)[:, :, None], layer.seed)
    glow = (lit > 0.45).float() * col_on[:, None, :] * row_on[:, :, None]
    glow.mul_(mask[:, 0]).mul_((y < s.base - 0.01).float()[:, :, None])
    canvas.lerp_(layer.window_color, glow[:, None])


# ---------------------------------------------------------------------------- sky


def paint_sky(
    plan: ScenePlan,
    grade: Grade,
    rng: np.random.Generator,
    size: tuple[int, int],
    view_width: float,
) -> torch.Tensor:
    """The static backdrop (3, H, W) behind every layer, painted once per clip."""
    height, width = size
    gen = torch.Generator().manual_seed(int(rng.integers(0, 2**31 - 1)))
    top, horizon = (torch.from_numpy(c).view(3, 1, 1) for c in sky_colors(plan, grade))
    ys = torch.linspace(0, 1, height).view(1, height, 1)
    xs = (torch.arange(width, dtype=torch.float32) - width / 2).view(1, 1, width) / height
    blend = (ys / HORIZON_Y).clamp(0, 1) ** 1.4
    sky = (top * (1 - blend) + horizon * blend).expand(3, height, width).contiguous()
    painter = SKY_PAINTERS.get(plan.setting, _outdoor_sky)
    painter(sky, plan, grade, gen, xs, ys, view_width)
    return sky.clamp_(0, 1)


def _smooth_noise(
    gen: torch.Generator, size: tuple[int, int], cells: tuple[int, int]
) -> torch.Tensor:
    coarse = torch.rand((1, 1, cells[0], cells[1]), generator=gen)
    return torch.nn.functional.interpolate(coarse, size=size, mode="bicubic", align_corners=False)[
        0, 0
    ]


def _outdoor_sky(
    sky: torch.Tensor,
    plan: ScenePlan,
    grade: Grade,
    gen: torch.Generator,
    xs: torch.Tensor,
    ys: torch.Tensor,
    view_width: float,
) -> None:
    height, width = sky.shape[1:]
    sun_x = (float(torch.rand((), generator=gen)) - 0.5) * 0.55 * view_width
    sun_y = {"dawn": 0.5, "day": 0.16, "sunset": 0.5, "night": 0.16}[plan.time_of_day]
    dist = torch.sqrt((xs - sun_x) ** 2 + (ys - sun_y) ** 2)
    if plan.time_of_day == "night":
        _stars_into(sky, gen, ys, density=0.0025)
        moon = torch.from_numpy(grade.style_only(hex_rgb("#f4f1dc"))).view(3, 1, 1)
        sky.lerp_(moon.expand_as(sky), ((0.045 - dist) * height).clamp(0, 1).expand_as(sky))
        sky.add_(torch.exp(-((dist / 0.12) ** 2)) * 0.12)
    else:
        sun = grade.style_only(hex_rgb("#fff4c8" if plan.time_of_day == "day" else "#ffd27a"))
        sun_t = torch.from_numpy(sun).view(3, 1, 1)
        glow = torch.exp(-((dist / 0.22) ** 2)) * 0.55 + ((0.05 - dist) * height).clamp(0, 1)
        sky.lerp_(sun_t.expand_as(sky), glow.clamp(0, 1).expand_as(sky))
    _clouds_into(sky, plan, grade, gen, ys)


def _clouds_into(
    sky: torch.Tensor, plan: ScenePlan, grade: Grade, gen: torch.Generator, ys: torch.Tensor
) -> None:
    """Cumulus clouds: clusters of soft puffs with flat, shaded bottoms, each in its own box."""
    height, width = sky.shape[1:]
    overcast = plan.weather in ("rain", "snow")
    if overcast:
        gray = torch.from_numpy(grade.apply("#8a909a")).view(3, 1, 1)
        sky.lerp_(gray.expand_as(sky), 0.55)
    base = "#30344a" if plan.time_of_day == "night" else "#a4a8b2" if overcast else "#ffffff"
    color = torch.from_numpy(grade.apply(base, emissive=plan.time_of_day == "day")).view(3, 1, 1)
    count = int(width / height * (9 if overcast else 4)) + 2
    for _ in range(count):
        u = torch.rand(4, generator=gen)
        scale = float(0.035 + 0.05 * u[0]) * height
        cx, cy = float(u[1]) * width, float(0.05 + 0.33 * u[2] ** 1.5) * height
        _cloud(sky, gen, color, (cx, cy), scale)


def _cloud(
    sky: torch.Tensor,
    gen: torch.Generator,
    color: torch.Tensor,
    at: tuple[float, float],
    scale: float,
) -> None:
    height, width = sky.shape[1:]
    cx, cy = at
    x0, x1 = max(0, int(cx - 3 * scale)), min(width, int(cx + 3 * scale) + 1)
    y0, y1 = max(0, int(cy - 1.6 * scale)), min(height, int(cy + 0.6 * scale) + 1)
    if x0 >= x1 or y0 >= y1:
        return
    xs = torch.arange(x0, x1, dtype=torch.float32).view(1, -1)
    ys = torch.arange(y0, y1, dtype=torch.float32).view(-1, 1)
    density = torch.zeros((y1 - y0, x1 - x0))
    for k in range(6):
        u = torch.rand(3, generator=gen)
        px = cx + (k / 5 - 0.5) * 3.2 * scale + float(u[0] - 0.5) * scale * 0.6
        r = scale * float(0.55 + 0.45 * u[1]) * (1.15 - abs(k / 5 - 0.5))
        py = cy - r * 0.45 - float(u[2]) * scale * 0.25
        puff = ((r - torch.sqrt((xs - px) ** 2 + (ys - py) ** 2)) / (0.3 * r)).clamp(0, 1)
        density = torch.maximum(density, puff)
    density.mul_(((cy + 0.1 * scale - ys) / (0.2 * scale)).clamp(0, 1))
    shade = 1 - 0.22 * ((ys - (cy - 1.2 * scale)) / (1.3 * scale)).clamp(0, 1)
    region = sky[:, y0:y1, x0:x1]
    region.lerp_((color * shade).expand_as(region), (density * 0.92).expand_as(region))


def _stars_into(sky: torch.Tensor, gen: torch.Generator, ys: torch.Tensor, density: float) -> None:
    height, width = sky.shape[1:]
    twinkle = torch.rand((height, width), generator=gen)
    stars = (twinkle < density).float() * torch.rand((height, width), generator=gen)
    sky.add_((stars * (1 - ys[0] / 0.75).clamp(0, 1)).expand_as(sky))


def _space_sky(
    sky: torch.Tensor,
    plan: ScenePlan,
    grade: Grade,
    gen: torch.Generator,
    xs: torch.Tensor,
    ys: torch.Tensor,
    view_width: float,
) -> None:
    height, width = sky.shape[1:]
    for color in ("#8a2fbf", "#2f6fbf"):
        cloud = _smooth_noise(gen, (height, width), (5, 6))
        tint = torch.from_numpy(grade.style_only(hex_rgb(color))).view(3, 1, 1)
        sky.add_(tint * ((cloud - 0.45) * 1.6).clamp(0, 1) * 0.6)
    _stars_into(sky, gen, ys * 0.6, density=0.004)
    px, py, radius = float(torch.rand((), generator=gen)) * 0.4 - 0.2, 0.3, 0.11
    dist = torch.sqrt((xs - px) ** 2 + (ys - py) ** 2)
    planet = torch.from_numpy(grade.style_only(hex_rgb("#e0904a"))).view(3, 1, 1)
    light = (1.2 - ((xs - px + 0.05) ** 2 + (ys - py + 0.05) ** 2).sqrt() / radius).clamp(0.2, 1)
    disk = ((radius - dist) * height).clamp(0, 1)
    sky.lerp_((planet * light).expand_as(sky), disk.expand_as(sky))
    ring = (0.012 - ((xs - px) ** 2 + ((ys - py) * 4) ** 2).sqrt().sub(0.19).abs()) * height
    sky.add_(ring.clamp(0, 1) * (dist > radius * 0.98).float() * 0.5)


def _underwater_sky(
    sky: torch.Tensor,
    plan: ScenePlan,
    grade: Grade,
    gen: torch.Generator,
    xs: torch.Tensor,
    ys: torch.Tensor,
    view_width: float,
) -> None:
    # Slanted light shafts from the surface, brightest near the top.
    for _ in range(5):
        cx = float(torch.rand((), generator=gen)) * 1.4 - 0.7
        band = (1 - ((xs - cx) - (ys * 0.35)).abs() / 0.05).clamp(0, 1)
        sky.add_(band * (1 - ys) ** 2 * 0.22)


def _stage_sky(
    sky: torch.Tensor,
    plan: ScenePlan,
    grade: Grade,
    gen: torch.Generator,
    xs: torch.Tensor,
    ys: torch.Tensor,
    view_width: float,
) -> None:
    for i in range(4):
        cx = -0.6 + i * 0.4 + float(torch.rand((), generator=gen)) * 0.1
        color = ("#ff3fa0", "#3fa0ff", "#ffd23f", "#7f3fff")[i]
        tint = torch.from_numpy(grade.style_only(hex_rgb(color))).view(3, 1, 1)
        glow = torch.exp(-(((xs - cx) / 0.05) ** 2 + ((ys - 0.14) / 0.03) ** 2))
        cone = (1 - (xs - cx).abs() / (0.02 + ys * 0.25)).clamp(0, 1) * (ys > 0.14).float()
        sky.add_(tint * (glow + cone * 0.28 * (1 - ys)))


def _kitchen_sky(
    sky: torch.Tensor,
    plan: ScenePlan,
    grade: Grade,
    gen: torch.Generator,
    xs: torch.Tensor,
    ys: torch.Tensor,
    view_width: float,
) -> None:
    # Tiles on the wall between the counters, and a window showing the time of day.
    tile = (((xs * 28) % 1 < 0.06) | ((ys * 28) % 1 < 0.06)).float() * (ys > 0.3).float()
    sky.mul_(1 - tile * 0.12)
    outside_top, outside_bottom = SKY_WINDOW[plan.time_of_day]
    wx = float(torch.rand((), generator=gen)) * 0.3 - 0.15
    inside = ((xs - wx).abs() < 0.16).float() * ((ys - 0.45).abs() < 0.1).float()
    frame = ((xs - wx).abs() < 0.175).float() * ((ys - 0.45).abs() < 0.115).float()
    glass = torch.from_numpy(
        np.stack(
            [grade.style_only(hex_rgb(outside_top)), grade.style_only(hex_rgb(outside_bottom))]
        )
    )
    view = glass[0].view(3, 1, 1) * (1 - (ys - 0.35) / 0.2) + glass[1].view(3, 1, 1) * (
        (ys - 0.35) / 0.2
    )
    sky.mul_(1 - frame * 0.35)
    sky.lerp_(view.expand_as(sky), inside.expand_as(sky))


SKY_WINDOW = {
    "dawn": ("#8fb0e0", "#ffc7a8"),
    "day": ("#5fa8ff", "#cfeaff"),
    "sunset": ("#5a4fa0", "#ff9a5a"),
    "night": ("#050b24", "#1d2b5a"),
}

SKY_PAINTERS = {
    "space": _space_sky,
    "underwater": _underwater_sky,
    "stage": _stage_sky,
    "kitchen": _kitchen_sky,
}
