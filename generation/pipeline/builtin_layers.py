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

from generation.pipeline.builtin_palette import Grade, hex_rgb
from generation.pipeline.scene import ScenePlan
from generation.pipeline.scene_vocab import ROOMS

SUBJECT_DEPTH = 0.85  # parallax factor of the plane the subjects walk on
GROUND_Y = 0.8  # world y (0 top, 1 bottom) of that plane's ground line


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
    opacity: float = 1.0  # below 1 for mist, which never hides what is behind it


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
        _L("flat", 0.1, 0.61, 0.0, 1.0, "#2f7fc0", "#3fa5d8", haze=0.45),
        _L("waves", 0.45, 0.7, 0.008, 9.0, "#5fc0e8", "#8fe0f0", speed=2.2, haze=0.3),
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
        _L("bushes", 1.3, 1.04, 0.1, 2.2, "#1f4a2a", "#14351e", sparse=0.5),
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
        _L("bushes", 1.3, 1.04, 0.09, 2.2, "#e8f0f8", "#c8d8e8", sparse=0.5),
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
    for spec in _with_mist(plan, layers_for(plan)):
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


# A room's skirting board and floor, by the kind of room that sets its look (builtin_rooms):
# (skirting, floor far, floor near).
ROOM_FLOORS: dict[str, tuple[str, str, str]] = {
    "hospital": ("#9ab8b0", "#e4ecea", "#c8d4d2"),
    "classroom": ("#7a5a3a", "#c89a64", "#a67a48"),
    "library": ("#5a3a22", "#9a6a40", "#7a502e"),
    "gallery": ("#d8d4cc", "#c8a87a", "#a88858"),
    "gym": ("#6a6a6a", "#d8a868", "#b88848"),
    "office": ("#6a7280", "#8a94a4", "#6f7888"),
    "hallway": ("#8a6a4a", "#d4c8b4", "#b4a48c"),
    "bedroom": ("#f4f0ea", "#b8875a", "#96683e"),
    "living room": ("#f4f0ea", "#b8875a", "#96683e"),
}


def layers_for(plan: ScenePlan) -> tuple[LayerSpec, ...]:
    """The setting's layers; a room's floor depends on which room it is."""
    if plan.setting != "room":
        return LAYERS[plan.setting]
    kind = plan.room[0] if plan.room and plan.room[0] in ROOM_FLOORS else "living room"
    skirting, far, near = ROOM_FLOORS[kind]
    return (
        _L("flat", 0.0, 0.655, 0.0, 1.0, skirting, skirting),
        _L("flat", 0.0, 0.672, 0.0, 1.0, far, near),
    )


MIST = LayerSpec("hills", 0.4, 0.7, 0.06, 0.9, "#d8dde6", "#c8d0dc", opacity=0.5)


def _with_mist(plan: ScenePlan, layers: tuple[LayerSpec, ...]) -> tuple[LayerSpec, ...]:
    """Mysterious and sad scenes get a band of mist between the far and the near layers."""
    if plan.mood not in ("mysterious", "sad") or plan.setting in ("space", "stage", *ROOMS):
        return layers
    return layers[:2] + (MIST,) + layers[2:]


def _layer_colors(
    spec: LayerSpec, plan: ScenePlan, grade: Grade, horizon: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    top, bottom = hex_rgb(spec.top), hex_rgb(spec.bottom)
    if plan.weather == "snow" and plan.setting not in ("snow", "underwater", "space", *ROOMS):
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


@dataclass
class Band:
    """One layer in one frame batch: its edge in pixels and the rows it can touch."""

    layer: PreparedLayer
    x: torch.Tensor  # (B, W) world x
    y: torch.Tensor  # (B, H) world y
    rows_px: torch.Tensor  # (B, H) world y in this layer's pixels
    edge_px: torch.Tensor  # (B, W) ridge in the same pixels, offset so that mask = rows - edge
    first: int  # rows above this are untouched in every frame of the batch
    last: int  # rows from here down are untouched (hanging layers) or fully covered
    covers: bool  # True when rows from ``last`` down are fully covered in every frame


def layer_bands(layers: list[PreparedLayer], view: dict[str, torch.Tensor]) -> list[Band]:
    """Work out every layer's edge for the batch before drawing any, so rows can be culled."""
    height = int(view["height"])
    bands = []
    for layer in layers:
        x, y, zoom = layer_coords(view, layer.spec.depth)
        px = zoom * height  # pixels per world unit at this layer's depth
        rows, edge = (y * px).contiguous(), ridge(layer, x, view["t"][:, None]) * px
        if layer.spec.from_top:  # mask = edge - rows + 0.5, so flip both signs
            rows, edge = -rows, -edge - 0.5
            last = int(torch.searchsorted(-rows, -edge.min(dim=1, keepdim=True).values).max())
            bands.append(Band(layer, x, y, rows, edge, 0, min(last + 1, height), False))
            continue
        edge = edge - 0.5  # a pixel is half covered where its centre sits on the edge
        first = torch.searchsorted(rows, edge.min(dim=1, keepdim=True).values, right=True)
        full = torch.searchsorted(rows, edge.max(dim=1, keepdim=True).values + 1.0)
        solid = layer.spec.opacity >= 1.0
        last = int(full.max()) if solid else height
        bands.append(Band(layer, x, y, rows, edge, int(first.min()), last, solid))
    return bands


def covered_from(bands: list[Band]) -> int:
    """First row that some layer covers completely in every frame of the batch."""
    return min([b.last for b in bands if b.covers], default=int(1e9))


def draw_layers(canvas: torch.Tensor, bands: list[Band], scratch: torch.Tensor) -> None:
    """Composite layers far to near into ``canvas`` (B, 3, H, W), in place.

    Each layer only touches rows between its highest edge and the row from which a nearer
    layer covers everything, which skips most of every frame for most layers.
    """
    height = canvas.shape[2]
    for index, band in enumerate(bands):
        stop = min(band.last if not band.covers else height, covered_from(bands[index + 1 :]))
        stop = min(stop, height)
        if stop <= band.first:
            continue
        rows = slice(band.first, stop)
        mask = scratch[:, :, : stop - band.first]
        torch.sub(band.rows_px[:, None, rows, None], band.edge_px[:, None, None, :], out=mask)
        mask.clamp_(0, band.layer.spec.opacity)
        canvas[:, :, rows].lerp_(band.layer.colors[:, rows], mask)
        if band.layer.window_color is not None:
            _draw_windows(canvas[:, :, rows], band.layer, band.x, band.y[:, rows], mask)


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
    """Lit windows on building faces: a grid of cells, some on, inside the building mask.

    Whether a window is lit is frac(a(column) + b(row)) > 0.45, a per-column and a per-row
    hash added, so the per-pixel work is one add, one frac and one compare.
    """
    s = layer.spec
    cols = x * s.freq * 9 + layer.phases[0] * 9
    rows = y * 60
    col_on = ((cols - torch.floor(cols) - 0.5).abs() < 0.22).float()
    row_on = ((rows - torch.floor(rows) - 0.5).abs() < 0.25).float() * (y < s.base - 0.01)
    col_hash = _hash(torch.floor(cols), layer.seed)[:, None, :]
    row_hash = (_hash(torch.floor(rows), layer.seed + 1) * 0.618)[:, :, None]
    glow = torch.add(col_hash, row_hash)
    glow.frac_().gt_(0.45).mul_(col_on[:, None, :]).mul_(row_on[:, :, None]).mul_(mask[:, 0])
    canvas.lerp_(layer.window_color, glow[:, None])
