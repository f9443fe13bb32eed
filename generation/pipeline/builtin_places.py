"""Places for the built-in renderer: busy streets, neon signs, wet reflections, scenery and sky.

A plan's place gets dressed here beyond its silhouette layers:

* **busy**: a crowd of small walkers on the far side of the ground (both ways, under umbrellas
  in the rain) and, in a city, traffic on a far carriageway, with headlights and tail-lights
  at night;
* **neon signs** on the nearest building fronts of a city at night (or in neon colours);
* **reflections**: the band above the ground line mirrored into the wet ground, darkened,
  streaked and rippled, so mostly the lights show;
* **scenery** things repeated along the background and **sky** things up in the sky.

Everything is a pictogram or a small drawn sign, prepared once as a sprite sheet, on a path of
numpy arrays over the clip. A path is kept relative to the camera (``u``: world x minus the
camera's pan at the sprite's depth), so a crowd that wraps around that window never runs out
and parallax costs nothing. Each batch warps the visible sprites with one ``grid_sample`` per
sheet and blends them far to near; the reflection is a handful of whole-band tensor ops per
frame.
"""

from __future__ import annotations

import itertools
import logging
import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F  # noqa: N812 - the name everyone reads torch code with

from generation.pipeline import pictograms
from generation.pipeline.builtin_layers import SUBJECT_DEPTH, PreparedLayer, layers_for, ridge
from generation.pipeline.builtin_palette import Grade, hex_rgb
from generation.pipeline.builtin_sprites import Sheet, box, capsule, pictogram_sheet
from generation.pipeline.builtin_thing_looks import SHAPE_SIZES, SHAPES, shape_sheet
from generation.pipeline.scene import ScenePlan, Thing
from generation.pipeline.scene_things import SCENERY_SHAPES
from generation.pipeline.scene_vocab import ROOMS

logger = logging.getLogger(__name__)

WALKERS = ("person-walking", "woman-walking", "man-walking")  # each faces left
UMBRELLA = "umbrella"
# (icon, world height of its drawing) in the order a lane is filled; every one faces left.
VEHICLES = (
    ("automobile", 0.05),
    ("taxi", 0.05),
    ("bus", 0.068),
    ("taxi", 0.05),
    ("minibus", 0.052),
    ("automobile", 0.05),
)
# World y of walkers' feet, far to near, where a setting has open ground for a crowd.
WALK_BANDS: dict[str, tuple[float, float]] = {
    "city": (0.76, 0.792),
    "meadow": (0.73, 0.79),
    "beach": (0.766, 0.795),
    "forest": (0.735, 0.79),
    "mountains": (0.735, 0.79),
    "desert": (0.74, 0.79),
    "snow": (0.74, 0.79),
}
CROWD_DENSITY = 20.0  # walkers per world unit of the wrapped window
WALKER_TIERS = 4  # walker sizes, far to near: each size shares one prepared sheet
WALKER_HEIGHT = (0.075, 0.11)  # world height of a walker at the far and the near edge of the band
ROAD = (0.712, 0.757)  # world y of the far carriageway in a busy city: top, kerb
LANES = ((0.738, 0.66, -1.0), (0.754, 0.7, 1.0))  # (feet y, depth, direction) of each lane
LANE_SPEED = (0.14, 0.22)  # world units per second
SKY_DEPTH = 0.03
NEON = ("#ff3fa4", "#3ff0ff", "#ffe04a", "#5aff7a", "#ff8a3a", "#b06aff", "#ff3a4a")
MAX_SHEET_PX = 320


@dataclass
class Group:
    """Copies of one sheet on their own paths over the clip (N copies, T frames)."""

    sheet: Sheet
    size: np.ndarray  # (N,) world height of one sheet unit (``sheet.px_per_unit`` pixels)
    depth: np.ndarray  # (N,) parallax factor
    u: np.ndarray  # (N, T) world x of the anchor minus the camera's pan at that depth
    y: np.ndarray  # (N, T) world y of the anchor
    flip: np.ndarray  # (N,) 1 draws the sheet as it is, -1 mirrors it
    z: np.ndarray  # (N,) world y of what each copy stands on: larger is nearer, drawn later
    light: np.ndarray | None = None  # (N, T) brightness of the colours (flicker, distance)


@dataclass(frozen=True)
class Mirror:
    """Wet ground from world y ``line`` (at the subjects' depth) down."""

    line: float
    strength: float  # how much of the mirrored band shows right under the line
    ripple: float  # sideways wobble of the mirror image, in frame heights
    speed: float  # radians per second of the ripple


@dataclass
class Places:
    sky: list[Group]  # drawn before the back layers, so buildings hide them
    back: list[Group]  # signs, traffic and scenery, drawn over the back layers and mirrored
    crowd: list[Group]  # walkers, drawn after the mirror, in front of all that
    road: torch.Tensor | None  # (3, 1, 1) colour of the far carriageway, or None
    mirror: Mirror | None

    def __bool__(self) -> bool:
        return bool(self.sky or self.back or self.crowd or self.mirror or self.road is not None)


@dataclass(frozen=True)
class _Clip:
    t: np.ndarray  # (T,) seconds
    pan: np.ndarray  # (T,) camera pan, world units
    view_width: float  # frame width in world units at zoom 1
    span: float  # width of the window wrapped paths live in
    height: int  # frame height in pixels
    zoom: float  # largest zoom of the clip


def wants_signs(plan: ScenePlan) -> bool:
    """A city at night, or in neon colours, has lit signboards on its buildings."""
    return plan.setting == "city" and (plan.palette == "neon" or plan.time_of_day == "night")


def build_places(
    plan: ScenePlan,
    grade: Grade,
    rng: np.random.Generator,
    layers: list[PreparedLayer],
    camera: dict[str, np.ndarray],
    size: tuple[int, int],
) -> Places:
    """Prepare everything the plan's place adds; draws from ``rng`` only when it adds something."""
    width, height = size
    view_width = width / height
    clip = _Clip(
        t=camera["t"].astype(np.float64),
        pan=camera["pan"].astype(np.float64),
        view_width=view_width,
        span=view_width + 0.5,
        height=height,
        zoom=float(camera["zoom"].max()),
    )
    sky = [group for thing in plan.things if thing.role == "sky"
           for group in _sky_thing(thing, grade, rng, clip)]  # fmt: skip
    back = _signs(plan, grade, rng, layers, clip) if wants_signs(plan) else []
    city_traffic = plan.busy and plan.setting == "city"
    if city_traffic:
        back += _traffic(plan, grade, rng, clip)
    for order, thing in enumerate(t for t in plan.things if t.role == "scenery"):
        back += _scenery(thing, order, plan, grade, rng, clip)
    crowd = _walkers(plan, grade, rng, clip) if plan.busy else []
    road = None
    if city_traffic:
        road = torch.from_numpy(grade.apply("#34343c")).view(3, 1, 1)
    return Places(sky=sky, back=back, crowd=crowd, road=road, mirror=_mirror(plan))


# ---------------------------------------------------------------------------- sheets


def _icon_sheet(name: str, world_height: float, clip: _Clip) -> Sheet:
    """A pictogram (or a drawn shape) about as many pixels tall as it will be at the clip's
    largest zoom."""
    px = int(np.clip(world_height * clip.height * clip.zoom * 1.15, 12, MAX_SHEET_PX))
    if name in SHAPES:  # shapes are sized by their width
        wide, tall = SHAPE_SIZES[name]
        return shape_sheet(name, max(8, round(px * wide / tall)))
    return pictogram_sheet(name, px)


def _at_scale(sheet: Sheet, world_height: float, clip: _Clip) -> Sheet:
    """With a camera that never zooms, resample the sheet once so one sheet pixel is one screen
    pixel; ``draw_groups`` then only shifts it into place instead of warping it every frame."""
    if clip.zoom != 1.0:
        return sheet
    factor = world_height * clip.height / sheet.px_per_unit
    _, _, h, w = sheet.pixels.shape
    size = (max(1, round(h * factor)), max(1, round(w * factor)))
    pixels = F.interpolate(sheet.pixels, size=size, mode="bilinear", antialias=True)
    anchor = (sheet.anchor[0] * size[1] / w, sheet.anchor[1] * size[0] / h)
    return Sheet(pixels.contiguous(), anchor, world_height * clip.height)


def _graded(sheet: Sheet, grade: Grade, lit: float, haze: float = 0.0) -> Sheet:
    """The sheet's colours through the scene's grade: ``lit`` of it ignores the time of day
    (lamps, headlights), ``haze`` of it goes toward the sky's horizon colour (distance)."""
    pixels = sheet.pixels[0]
    alpha = pixels[3:4]
    straight = (pixels[:3] / alpha.clamp(min=1e-6)).permute(1, 2, 0).numpy()
    color = grade.apply(straight) * (1 - lit) + grade.apply(straight, emissive=True) * lit
    horizon = grade.style_only(grade.sky_horizon())
    color = color * (1 - haze) + horizon * haze
    rgb = torch.from_numpy(np.ascontiguousarray(color)).permute(2, 0, 1) * alpha
    return Sheet(torch.cat([rgb, alpha])[None].contiguous(), sheet.anchor, sheet.px_per_unit)


def _pad(sheet: Sheet, left: int, right: int, top: int, bottom: int) -> Sheet:
    pixels = F.pad(sheet.pixels, (left, right, top, bottom))
    anchor = (sheet.anchor[0] + left, sheet.anchor[1] + top)
    return Sheet(pixels, anchor, sheet.px_per_unit)


def _glow(light: torch.Tensor, sigma: float) -> torch.Tensor:
    """Gaussian blur of (C, h, w) light, the bloom around anything bright."""
    radius = max(1, math.ceil(sigma * 2.5))
    taps = torch.exp(-((torch.arange(-radius, radius + 1, dtype=torch.float32) / sigma) ** 2) / 2)
    taps = taps / taps.sum()
    channels = light.shape[0]
    out = F.conv2d(light[:, None], taps.view(1, 1, 1, -1), padding=(0, radius))
    out = F.conv2d(out, taps.view(1, 1, -1, 1), padding=(radius, 0))
    return out[:, 0].view(channels, *light.shape[1:])


def _with_umbrella(walker: Sheet, umbrella: Sheet) -> Sheet:
    """A walker holding an open umbrella over the head: the handle at the hand, canopy above."""
    wp, up = walker.pixels[0], umbrella.pixels[0]
    body_h = walker.px_per_unit
    target_w = max(4, round(body_h * 0.78))
    uh, uw = up.shape[1:]
    scale = target_w / uw
    new_h = max(4, round(uh * scale))
    up = F.interpolate(up[None], size=(new_h, target_w), mode="bilinear", antialias=True)[0]
    feet_x, feet_y = walker.anchor
    # The handle's foot sits at 45 % of the body height, a little ahead of the body (left).
    top = round(feet_y - body_h * 0.45 - new_h)
    left = round(feet_x - body_h * 0.08 - target_w / 2)
    pad_top, pad_left = max(0, -top), max(0, -left)
    pad_right = max(0, left + target_w - wp.shape[2])
    out = F.pad(wp, (pad_left, pad_right, pad_top, 0))
    top, left = top + pad_top, left + pad_left
    region = out[:, top : top + new_h, left : left + target_w]
    region.mul_(1 - up[3:4]).add_(up)
    anchor = (feet_x + pad_left, feet_y + pad_top)
    return Sheet(out[None].contiguous(), anchor, walker.px_per_unit)


def _with_lights(car: Sheet) -> Sheet:
    """Headlights with a beam ahead (the left, where every vehicle pictogram faces) and
    tail-lights behind, baked in as pure light: colour with no alpha adds to what is under it."""
    h = car.px_per_unit
    beam, tail = round(h * 1.1), round(h * 0.35)
    car = _pad(car, beam, tail, 2, 2)
    pixels = car.pixels[0]
    _, ph, pw = pixels.shape
    xs = torch.arange(pw, dtype=torch.float32).view(1, pw) + 0.5
    ys = torch.arange(ph, dtype=torch.float32).view(ph, 1) + 0.5
    bottom = car.anchor[1]
    front, back = beam + h * 0.06, pw - tail - h * 0.05
    lamp_y = bottom - h * 0.38
    ahead = (front - xs).clamp(min=0)
    cone = (1 - ((ys - lamp_y - ahead * 0.12).abs() / (h * 0.07 + ahead * 0.22))).clamp(0, 1)
    beam_light = cone * torch.exp(-ahead / (h * 0.6)) * (xs < front) * 0.55
    head = torch.exp(-((xs - front) ** 2 + (ys - lamp_y) ** 2) / (2 * (h * 0.08) ** 2))
    tail_glow = torch.exp(
        -((xs - back) ** 2 + (ys - (bottom - h * 0.42)) ** 2) / (2 * (h * 0.09) ** 2)
    )
    warm = torch.tensor([1.0, 0.93, 0.72]).view(3, 1, 1)
    red = torch.tensor([1.0, 0.12, 0.1]).view(3, 1, 1)
    light = warm * (beam_light + head * 1.2) + red * tail_glow * 1.1
    pixels = pixels.clone()
    pixels[:3] += light * (1 - pixels[3:4] * 0.6)
    return Sheet(pixels[None].contiguous(), car.anchor, car.px_per_unit)


def _sign_sheet(rng: np.random.Generator, color: np.ndarray, size_px: tuple[int, int]) -> Sheet:
    """A neon signboard (w, h) pixels: a dark board with a glowing tube border and glyph strokes,
    or a lit box with dark glyphs; a bloom of its colour around it."""
    w, h = size_px
    short = min(w, h)
    pad = round(short * 0.6) + 3
    pw, ph = w + 2 * pad, h + 2 * pad
    xs = torch.arange(pw, dtype=torch.float32).view(1, pw) + 0.5 - pw / 2
    ys = torch.arange(ph, dtype=torch.float32).view(ph, 1) + 0.5 - ph / 2
    board = box(xs, ys, 0.0, 0.0, w / 2, h / 2, short * 0.2)
    board_a = (0.5 - board).clamp(0, 1)
    stroke = max(1.2, short * 0.09)
    glyphs = _glyphs(rng, xs, ys, (w, h), stroke)
    color_t = torch.from_numpy(color).view(3, 1, 1)
    core = color_t * 0.7 + 0.3  # a tube's core burns toward white
    if rng.uniform() < 0.6:  # tube sign: a dark board, lit border and glyphs
        ring = (stroke / 2 + 0.5 - (board + stroke * 1.6).abs()).clamp(0, 1)
        lit = torch.maximum(ring, glyphs) * board_a
        fill = torch.tensor([0.06, 0.03, 0.08]).view(3, 1, 1)
        rgb = fill * board_a * 0.9 * (1 - lit) + core * lit
        alpha = board_a * (0.9 + 0.1 * lit)
    else:  # light box: the board glows, the glyphs are cut out dark
        lit = board_a * (1 - glyphs * 0.85)
        rgb = color_t * 0.85 * lit + 0.08 * board_a * glyphs
        alpha = board_a
    bloom = _glow(color_t * lit, sigma=max(1.5, short * 0.28)) * 0.95
    rgb = rgb + bloom * (1 - alpha * 0.7)
    pixels = torch.cat([rgb, alpha[None]])[None].contiguous()
    return Sheet(pixels, (pw / 2, pad + h), float(h))


def _glyphs(
    rng: np.random.Generator,
    xs: torch.Tensor,
    ys: torch.Tensor,
    size_px: tuple[int, int],
    stroke: float,
) -> torch.Tensor:
    """Made-up characters along the board's long side: a few straight strokes each."""
    w, h = size_px
    vertical = h > w
    short, long = (w, h) if vertical else (h, w)
    cell = short * 0.62
    count = max(1, int((long - short * 0.35) // (cell * 1.05)))
    out = torch.zeros(ys.shape[0], xs.shape[1])
    grid = (-0.36, 0.0, 0.36)
    for i in range(count):
        offset = (i - (count - 1) / 2) * cell * 1.05
        cx, cy = (0.0, offset) if vertical else (offset, 0.0)
        for _ in range(int(rng.integers(2, 5))):
            a = (grid[int(rng.integers(3))], grid[int(rng.integers(3))])
            b = (grid[int(rng.integers(3))], grid[int(rng.integers(3))])
            if a == b:
                b = (a[0], -a[1] if a[1] else 0.36)
            p = (cx + a[0] * cell, cy + a[1] * cell)
            q = (cx + b[0] * cell, cy + b[1] * cell)
            out = torch.maximum(out, (0.5 - capsule(xs, ys, p, q, stroke / 2)).clamp(0, 1))
    return out


# ---------------------------------------------------------------------------- builders


def _wrap(u: np.ndarray, span: float) -> np.ndarray:
    return (u + span / 2) % span - span / 2


def _mirror(plan: ScenePlan) -> Mirror | None:
    if not plan.reflections:
        return None
    ground = [s.base - s.amp for s in layers_for(plan)
              if s.depth == SUBJECT_DEPTH and not s.from_top]  # fmt: skip
    rain = plan.weather == "rain"
    return Mirror(
        line=min(ground, default=0.78),
        strength={"night": 1.0, "sunset": 0.8}.get(
            plan.time_of_day, 0.7
        ),  # lights show most at night
        ripple=0.0045 if rain else 0.0015,
        speed=7.0 if rain else 2.5,
    )


def _walkers(plan: ScenePlan, grade: Grade, rng: np.random.Generator, clip: _Clip) -> list[Group]:
    """A crowd walking both ways across the far part of the ground, near ones bigger."""
    band = WALK_BANDS.get(plan.setting)
    if band is None:
        return []
    count = round(CROWD_DENSITY * clip.span)
    far, near = band
    feet = np.sort(rng.uniform(far, near, count))
    share = (feet - far) / (near - far)  # 0 at the far edge, 1 at the near one
    tiers = np.minimum((share * WALKER_TIERS).astype(np.int64), WALKER_TIERS - 1)
    tier_heights = WALKER_HEIGHT[0] + (WALKER_HEIGHT[1] - WALKER_HEIGHT[0]) * (
        (np.arange(WALKER_TIERS) + 0.5) / WALKER_TIERS
    )
    heights = tier_heights[tiers]
    depth = 0.62 + 0.2 * share
    direction = rng.choice([-1.0, 1.0], count)
    speed = rng.uniform(0.03, 0.065, count)
    start = (np.arange(count) + rng.uniform(0, 1, count)) / count * clip.span - clip.span / 2
    start = rng.permutation(start)
    kinds = rng.integers(len(WALKERS), size=count)
    umbrellas = rng.uniform(size=count) < (0.65 if plan.weather == "rain" else 0.0)
    cadence = rng.uniform(1.6, 2.2, count)
    phase = rng.uniform(0, np.pi, count)
    t = clip.t[None, :]
    u = _wrap(start[:, None] + (direction * speed)[:, None] * t
              - clip.pan[None, :] * depth[:, None], clip.span)  # fmt: skip
    bob = np.abs(np.sin(np.pi * cadence[:, None] * t + phase[:, None]))
    y = feet[:, None] - heights[:, None] * 0.035 * bob
    light = (0.72 + 0.28 * share)[:, None] * np.ones_like(t)  # farther is dimmer
    groups: list[Group] = []
    for kind, umbrella, tier in itertools.product(
        range(len(WALKERS)), (False, True), range(WALKER_TIERS)
    ):
        pick = np.flatnonzero((kinds == kind) & (umbrellas == umbrella) & (tiers == tier))
        if not len(pick):
            continue
        height = float(tier_heights[tier])
        try:
            sheet = _walker_sheet(WALKERS[kind], umbrella, height, clip)
        except pictograms.PictogramError as exc:
            logger.warning("Walkers are drawn without %s: %s", WALKERS[kind], exc)
            continue
        sheet = _at_scale(_graded(sheet, grade, lit=0.3, haze=0.18), height, clip)
        groups.append(
            Group(
                sheet=sheet,
                size=heights[pick].astype(np.float32),
                depth=depth[pick].astype(np.float32),
                u=u[pick].astype(np.float32),
                y=y[pick].astype(np.float32),
                flip=-direction[pick],  # the pictograms face left
                z=feet[pick],
                light=light[pick].astype(np.float32),
            )
        )
    return groups


# Channel orders that turn the purple umbrella pictogram orange and green, one per walker kind.
UMBRELLA_TINTS = ((0, 1, 2), (2, 0, 1), (1, 2, 0))


def _walker_sheet(name: str, umbrella: bool, height: float, clip: _Clip) -> Sheet:
    walker = _icon_sheet(name, height, clip)
    if not umbrella:
        return walker
    try:
        canopy = _icon_sheet(UMBRELLA, height * 0.8, clip)
        tint = list(UMBRELLA_TINTS[WALKERS.index(name) % len(UMBRELLA_TINTS)]) + [3]
        canopy = Sheet(canopy.pixels[:, tint], canopy.anchor, canopy.px_per_unit)
        return _with_umbrella(walker, canopy)
    except pictograms.PictogramError as exc:
        logger.warning("Walkers go without umbrellas: %s", exc)
        return walker


def _traffic(plan: ScenePlan, grade: Grade, rng: np.random.Generator, clip: _Clip) -> list[Group]:
    """Two lanes of cars, taxis and buses on the far carriageway, one lane each way."""
    night = plan.time_of_day in ("night", "sunset") or plan.weather == "rain"
    groups: list[Group] = []
    for lane, (feet, depth, direction) in enumerate(LANES):
        count = max(2, round(clip.span / 0.24))
        speed = float(rng.uniform(*LANE_SPEED))
        slots = (np.arange(count) + rng.uniform(-0.25, 0.25, count)) / count * clip.span
        first = int(rng.integers(len(VEHICLES)))
        scale = 0.88 if lane == 0 else 1.0  # the far lane is a little smaller
        u = _wrap(slots[:, None] + direction * speed * clip.t[None, :]
                  - clip.pan[None, :] * depth, clip.span)  # fmt: skip
        for index in range(count):
            name, height = VEHICLES[(first + index) % len(VEHICLES)]
            try:
                sheet = _at_scale(_icon_sheet(name, height * scale, clip), height * scale, clip)
            except pictograms.PictogramError as exc:
                logger.warning("Traffic is drawn without %s: %s", name, exc)
                continue
            sheet = _graded(sheet, grade, lit=0.25, haze=0.12 + 0.08 * (1 - lane))
            if night:
                sheet = _with_lights(sheet)
            groups.append(
                Group(
                    sheet=sheet,
                    size=np.array([height * scale], np.float32),
                    depth=np.array([depth], np.float32),
                    u=u[index : index + 1].astype(np.float32),
                    y=np.full((1, len(clip.t)), feet, np.float32),
                    flip=np.array([-direction]),
                    z=np.array([feet]),
                )
            )
    return groups


def _signs(
    plan: ScenePlan,
    grade: Grade,
    rng: np.random.Generator,
    layers: list[PreparedLayer],
    clip: _Clip,
) -> list[Group]:
    """Neon signboards on the fronts of the nearest row of buildings that stays in view."""
    fronts = [layer for layer in layers if layer.spec.kind == "buildings" and layer.spec.windows]
    if not fronts:
        return []
    layer = max(fronts, key=lambda item: item.spec.depth)
    spec, depth = layer.spec, layer.spec.depth
    phase = float(layer.phases[0])
    reach = clip.view_width / 2 + 0.3
    lo = float(clip.pan.min()) * depth - reach
    hi = float(clip.pan.max()) * depth + reach
    cells = np.arange(math.floor(lo * spec.freq + phase), math.ceil(hi * spec.freq + phase) + 1)
    left = (cells - phase) / spec.freq  # world x where each block starts
    block = 0.9 / spec.freq  # the rest of the cell is the alley
    tops = ridge(layer, torch.from_numpy((left + block / 2)[None]).float(), torch.zeros(1, 1))[0]
    floor = ROAD[0] - 0.015 if plan.busy else spec.base - 0.02
    colors = [grade.style_only(hex_rgb(code)) for code in NEON]
    groups: list[Group] = []
    for x0, top in zip(left, tops.numpy().astype(np.float64), strict=True):
        for x, bottom, w, h in _sign_spots(rng, x0, block, (top + 0.02, floor)):
            color = colors[int(rng.integers(len(colors)))]
            px = clip.height * clip.zoom
            h_px = max(4, round(h * px))
            sheet = _sign_sheet(rng, color, (max(4, round(w * px)), h_px))
            h = h_px / px  # whole pixels tall at the largest zoom, exactly
            light = None
            if rng.uniform() < 0.3:  # a tired tube stutters now and then
                rate, p, q = rng.uniform(0.25, 0.6), rng.uniform(0, 6.3), rng.uniform(0, 6.3)
                off = (np.sin(2 * np.pi * rate * clip.t + p) > 0.8) & (
                    np.sin(2 * np.pi * 9.0 * clip.t + q) > -0.3
                )
                light = np.where(off, 0.18, 1.0)[None].astype(np.float32)
            groups.append(
                Group(
                    sheet=sheet,
                    size=np.array([h], np.float32),
                    depth=np.array([depth], np.float32),
                    u=(x - clip.pan * depth)[None].astype(np.float32),
                    y=np.full((1, len(clip.t)), bottom, np.float32),
                    flip=np.array([1.0]),
                    z=np.array([spec.base - 0.5]),  # on the building, behind the street
                    light=light,
                )
            )
    return groups


def _sign_spots(
    rng: np.random.Generator, x0: float, block: float, face: tuple[float, float]
) -> list[tuple[float, float, float, float]]:
    """(centre x, bottom y, width, height) of the signs on one building front spanning
    ``block`` from ``x0``, between the heights ``face`` (top, bottom): tall boards hanging at
    either edge, wide boards over the floors between them, now and then a rooftop billboard."""
    top, floor = face
    spots: list[tuple[float, float, float, float]] = []
    for edge in (x0 + 0.028, x0 + block - 0.028):
        if rng.uniform() < 0.8:
            w, h = float(rng.uniform(0.03, 0.04)), float(rng.uniform(0.1, 0.17))
            h = min(h, floor - top)
            if h >= 0.06:
                spots.append((edge, floor - float(rng.uniform(0, floor - top - h)), w, h))
    level = floor
    inner = block - 0.13  # between the tall boards
    while inner > 0.08 and level - 0.05 > top:
        h = float(rng.uniform(0.03, 0.045))
        if rng.uniform() < 0.7:
            w = float(rng.uniform(0.07, min(0.17, inner)))
            x = x0 + 0.065 + w / 2 + float(rng.uniform(0, inner - w))
            spots.append((x, level, w, h))
        level -= h + float(rng.uniform(0.015, 0.04))
    if rng.uniform() < 0.35:
        w, h = float(rng.uniform(0.12, min(0.22, block * 0.8))), float(rng.uniform(0.045, 0.06))
        spots.append((x0 + block / 2 + float(rng.uniform(-0.05, 0.05)), top - 0.02, w, h))
    return spots


# One building the prompt names ("a haunted house", "a lighthouse") stands alone, this much
# taller than the street of them a plural makes.
LANDMARK_SCALE = 1.6


def _is_building(name: str) -> bool:
    group = pictograms.subgroup(name) if name not in SHAPES else ""
    return name in SCENERY_SHAPES or group.startswith("place-") or group == "hotel"


def _scenery_height(name: str) -> tuple[float, bool]:
    """World height of a scenery pictogram, and whether it hangs above the street."""
    if name == "shape-lighthouse":
        return 0.2, False
    group = pictograms.subgroup(name)
    if group.startswith("place-") or group == "hotel":
        return 0.16, False
    if group in ("plant-other",):
        return 0.15, False
    if group.startswith("plant-"):
        return 0.05, False
    if group == "light-video":  # lanterns and lamps hang on a line across the view
        return 0.055, True
    if group.startswith("transport-"):
        return 0.06, False
    return 0.07, False


def _scenery(
    thing: Thing,
    order: int,
    plan: ScenePlan,
    grade: Grade,
    rng: np.random.Generator,
    clip: _Clip,
) -> list[Group]:
    """One scenery pictogram repeated along the far edge of the ground, at the depth of the
    nearest background layer, so it slides with that layer."""
    height, hangs = _scenery_height(thing.icon)
    last = thing.word.split()[-1] if thing.word else ""
    # "houses" make a street of them; "a circus" or "the campus" is one place
    plural = last.endswith("s") and not last.endswith(("ss", "us", "is"))
    landmark = thing.count == 1 and not plural and _is_building(thing.icon)
    height *= thing.scale * (LANDMARK_SCALE if landmark else 1.0)
    try:
        sheet = _icon_sheet(thing.icon, height, clip)
    except pictograms.PictogramError as exc:
        logger.warning("Scenery %r is not drawn: %s", thing.word or thing.icon, exc)
        return []
    sheet = _at_scale(_graded(sheet, grade, lit=0.5 if hangs else 0.0, haze=0.12), height, clip)
    # Copies across one frame width: a street of houses; indoors or a named landmark, one.
    visible = thing.count if plan.setting in ROOMS or landmark else max(3, thing.count)
    spacing = clip.view_width / visible
    if hangs:
        wire = torch.from_numpy(grade.apply("#1a1a20")).view(3, 1, 1)
        sheet = _on_wire(sheet, spacing / height, wire)
    band = WALK_BANDS.get(plan.setting)
    feet = (band[0] - 0.004 if band else _ground_top(plan)) + 0.003 * order
    backdrop = [s.depth for s in layers_for(plan) if s.depth < SUBJECT_DEPTH and s.amp > 0]
    depth = max(backdrop, default=0.6)
    if landmark and plan.setting not in ROOMS:
        # One of it in the whole clip, in view mid-clip, off the middle: the camera passes it
        # rather than meeting a copy every frame width.
        count = 1
        mid = clip.pan[len(clip.pan) // 2] * depth
        side = rng.choice((-1.0, 1.0)) * 0.18 * clip.view_width
        u = np.asarray(mid + side - clip.pan[None, :] * depth, np.float64)
    else:
        count = math.ceil(clip.span / spacing)
        span = count * spacing  # whole copies, so the wrap keeps the spacing even
        start = (np.arange(count) + 0.5 + rng.uniform(-0.15, 0.15, count)) * spacing - span / 2
        start = start + order * spacing * 0.5
        u = _wrap(start[:, None] - clip.pan[None, :] * depth, span)
    y = np.full_like(u, feet)
    if hangs:  # strung up between the buildings, swaying a little
        sway = rng.uniform(0, 6.3, count)[:, None]
        y = y - 0.17 + 0.004 * np.sin(1.3 * clip.t[None, :] + sway)
    return [
        Group(
            sheet=sheet,
            size=np.full(count, height, np.float32),
            depth=np.full(count, depth, np.float32),
            u=u.astype(np.float32),
            y=y.astype(np.float32),
            flip=np.ones(count),
            z=np.full(count, feet),
        )
    ]


def _on_wire(sheet: Sheet, width_units: float, color: torch.Tensor) -> Sheet:
    """A hanging pictogram on a short cord from a wire ``width_units`` (sheet units) wide, so
    copies placed that far apart join into one line strung across the street."""
    pixels = sheet.pixels[0]
    _, h, w = pixels.shape
    unit = sheet.px_per_unit
    wire_w = max(w, math.ceil(width_units * unit) + 2)
    cord = max(2, round(unit * 0.25))
    side = (wire_w - w) // 2
    out = F.pad(pixels, (side, wire_w - w - side, cord + 2, 0))
    top = next(r for r in range(h) if float(pixels[3, r].max()) > 0.5) + cord + 2
    thick = max(1, round(unit * 0.04))
    mid = side + round(sheet.anchor[0])
    for rows, cols in ((slice(0, thick), slice(0, wire_w)), (slice(0, top), slice(mid, mid + 1))):
        region = out[:, rows, cols]
        region[:3] = color * 0.9
        region[3] = 0.9
    anchor = (sheet.anchor[0] + side, sheet.anchor[1] + cord + 2)
    return Sheet(out[None].contiguous(), anchor, unit)


def _ground_top(plan: ScenePlan) -> float:
    ground = [s.base - s.amp for s in layers_for(plan)
              if s.depth == SUBJECT_DEPTH and not s.from_top]  # fmt: skip
    return min(ground, default=0.78)


def _sky_thing(thing: Thing, grade: Grade, rng: np.random.Generator, clip: _Clip) -> list[Group]:
    """``count`` copies of a sky pictogram: flyers cross slowly, clouds drift, the rest hang."""
    name = thing.icon
    group = pictograms.subgroup(name)
    flies = group in ("transport-air", "animal-bird")
    drifts = "cloud" in name
    height = {"rainbow": 0.34}.get(name, 0.12 if drifts else 0.08 if flies else 0.09)
    try:
        sheet = _icon_sheet(name, height, clip)
    except pictograms.PictogramError as exc:
        logger.warning("Sky thing %r is not drawn: %s", thing.word or name, exc)
        return []
    lit = 0.5 if flies or drifts else 1.0
    sheet = _at_scale(_graded(sheet, grade, lit=lit, haze=0.1 if drifts else 0.0), height, clip)
    if name == "rainbow":  # light, not paint: the sky shows through it
        sheet = Sheet(sheet.pixels * 0.7, sheet.anchor, sheet.px_per_unit)
    count = max(1, thing.count)
    duration = float(clip.t[-1]) if len(clip.t) > 1 else 1.0
    width = clip.view_width
    slots = ((np.arange(count) + 0.5) / count - 0.5) * width * 0.8
    slots = slots + rng.uniform(-0.05, 0.05, count) * width
    # A rainbow rises from behind the horizon, where the scenery hides its foot.
    y0 = np.full(count, 0.64) if name == "rainbow" else 0.12 + rng.uniform(0, 0.16, count)
    direction = float(rng.choice([-1.0, 1.0]))
    t = clip.t[None, :]
    if flies:  # across most of the frame over the clip, climbing a little
        cross = width * 0.9 / max(duration, 1.0)
        u = slots[:, None] * 0.3 - direction * width * 0.45 + direction * cross * t
        y = y0[:, None] - 0.03 * t / max(duration, 1.0)
    else:
        drift = direction * (0.012 if drifts else 0.0)
        u = slots[:, None] + drift * t
        y = np.repeat(y0[:, None], len(clip.t), axis=1)
    u = u - clip.pan[None, :] * SKY_DEPTH
    # The aeroplane pictogram noses up and to the right; a leftward flight mirrors it.
    flip = np.full(count, direction if flies else 1.0)
    return [
        Group(
            sheet=sheet,
            size=np.full(count, height, np.float32),
            depth=np.full(count, SKY_DEPTH, np.float32),
            u=u.astype(np.float32),
            y=y.astype(np.float32),
            flip=flip,
            z=y0.astype(np.float64),
        )
    ]


# ---------------------------------------------------------------------------- drawing


def draw_sky_places(
    canvas: torch.Tensor, places: Places, view: dict[str, torch.Tensor], frames: slice
) -> None:
    """Sky things, drawn before the back layers so the scenery stands in front of them."""
    if places.sky:
        draw_groups(canvas, places.sky, view, frames)


def draw_ground_places(
    canvas: torch.Tensor, places: Places, view: dict[str, torch.Tensor], frames: slice
) -> None:
    """Over the back layers: the far road, signs, traffic and scenery, then the wet ground's
    mirror of all that, then the crowd."""
    if places.road is not None:
        _draw_road(canvas, places.road, view)
    if places.back:
        draw_groups(canvas, places.back, view, frames)
    if places.mirror is not None:
        draw_reflection(canvas, places.mirror, view)
    if places.crowd:
        draw_groups(canvas, places.crowd, view, frames)


def _rows_at(world_y: float, depth: float, view: dict[str, torch.Tensor]) -> np.ndarray:
    """Screen row (float pixels, per frame) of world y ``world_y`` at parallax ``depth``."""
    zoom = 1 + (view["zoom"].numpy() - 1) * depth
    return ((world_y - 0.5) * zoom + 0.5 - view["shake_y"].numpy()) * int(view["height"])


def _draw_road(canvas: torch.Tensor, color: torch.Tensor, view: dict[str, torch.Tensor]) -> None:
    height = canvas.shape[2]
    tops, kerbs = _rows_at(ROAD[0], 0.7, view), _rows_at(ROAD[1], SUBJECT_DEPTH, view)
    for b in range(canvas.shape[0]):
        top, kerb = max(0, round(float(tops[b]))), min(height, round(float(kerbs[b])))
        if kerb > top:
            canvas[b, :, top:kerb] = color
            edge = min(height, kerb + max(1, height // 320))
            canvas[b, :, kerb - 1 : edge] = color * 1.6  # the kerb catches the light


def draw_groups(
    canvas: torch.Tensor, groups: list[Group], view: dict[str, torch.Tensor], frames: slice
) -> None:
    """Warp every visible copy of every group into place and blend them far to near."""
    batch, _, height, width = canvas.shape
    zoom = view["zoom"].numpy()[None, :]
    pan_free = view["orbit"].numpy()[None, :]
    shake_x, shake_y = view["shake_x"].numpy()[None, :], view["shake_y"].numpy()[None, :]
    boxes: list[tuple[float, int, torch.Tensor, int, int]] = []  # (z, frame, pixels, x0, y0)
    for group in groups:
        depth = group.depth[:, None]
        scale_zoom = 1 + (zoom - 1) * depth
        u = group.u[:, frames] - pan_free * (depth - SUBJECT_DEPTH)
        ax = (u * scale_zoom - shake_x) * height + width / 2
        ay = ((group.y[:, frames] - 0.5) * scale_zoom + 0.5 - shake_y) * height
        scale = scale_zoom * height * group.size[:, None] / group.sheet.px_per_unit
        h_in, w_in = group.sheet.pixels.shape[2:]
        cx, cy = group.sheet.anchor
        flip = group.flip[:, None]
        xa = ax + (0 - cx) * scale * flip
        xb = ax + (w_in - cx) * scale * flip
        x0 = np.floor(np.minimum(xa, xb)) - 1
        x1 = np.ceil(np.maximum(xa, xb)) + 1
        y0 = np.floor(ay - cy * scale) - 1
        y1 = np.ceil(ay + (h_in - cy) * scale) + 1
        seen = (x1 > 0) & (x0 < width) & (y1 > 0) & (y0 < height) & (x1 - x0 < 4 * width)
        n_idx, b_idx = np.nonzero(seen)
        if not len(n_idx):
            continue
        if np.abs(scale[seen] - 1).max() < 1e-3:  # one sheet pixel per screen pixel
            boxes += _shifted(group, seen, (ax, ay), frames)
            continue
        bw = int((x1 - x0)[seen].max())
        bh = int((y1 - y0)[seen].max())
        s = scale[seen] * np.broadcast_to(flip, scale.shape)[seen]
        sy = scale[seen]
        theta = np.zeros((len(n_idx), 2, 3), np.float32)
        theta[:, 0, 0] = bw / (s * w_in)
        theta[:, 0, 2] = 2 * ((x0[seen] + bw / 2 - ax[seen]) / s + cx) / w_in - 1
        theta[:, 1, 1] = bh / (sy * h_in)
        theta[:, 1, 2] = 2 * ((y0[seen] + bh / 2 - ay[seen]) / sy + cy) / h_in - 1
        grid = _grid(theta, bh, bw)
        source = group.sheet.pixels.expand(len(n_idx), -1, -1, -1)
        warped = F.grid_sample(source, grid, mode="bilinear", align_corners=False)
        if group.light is not None:
            light = group.light[:, frames][seen]
            warped[:, :3].mul_(torch.from_numpy(np.ascontiguousarray(light)).view(-1, 1, 1, 1))
        for k, (n, b) in enumerate(zip(n_idx, b_idx, strict=True)):
            boxes.append((float(group.z[n]), int(b), warped[k], int(x0[n, b]), int(y0[n, b])))
    boxes.sort(key=lambda item: item[0])
    for _, b, pixels, left, top in boxes:
        _blend(canvas[b], pixels, left, top)


def _shifted(
    group: Group, seen: np.ndarray, anchors: tuple[np.ndarray, np.ndarray], frames: slice
) -> list[tuple[float, int, torch.Tensor, int, int]]:
    """Boxes for copies drawn at their sheet's own size: each one is the sheet split between
    two neighbouring columns by its sub-pixel offset, on the nearest row."""
    ax, ay = anchors
    pixels = group.sheet.pixels
    _, _, h_in, w_in = pixels.shape
    cx, cy = group.sheet.anchor
    flips = np.broadcast_to(group.flip[:, None], seen.shape)
    boxes: list[tuple[float, int, torch.Tensor, int, int]] = []
    for mirrored in (False, True):
        n_idx, b_idx = np.nonzero(seen & ((flips < 0) == mirrored))
        if not len(n_idx):
            continue
        source = pixels.flip(3) if mirrored else pixels
        left = ax[n_idx, b_idx] - (w_in - cx if mirrored else cx)
        x0 = np.floor(left)
        frac = torch.from_numpy((left - x0).astype(np.float32)).view(-1, 1, 1, 1)
        top = np.round(ay[n_idx, b_idx] - cy)
        if group.light is not None:
            light = group.light[:, frames][n_idx, b_idx].astype(np.float32)
            shade = torch.cat([torch.from_numpy(light).view(-1, 1, 1, 1).expand(-1, 3, 1, 1),
                               torch.ones(len(n_idx), 1, 1, 1)], dim=1)  # fmt: skip
            source = source * shade
        out = torch.zeros((len(n_idx), 4, h_in, w_in + 1))
        torch.mul(source, 1 - frac, out=out[..., :w_in])
        out[..., 1:].addcmul_(source.expand(len(n_idx), -1, -1, -1), frac)
        for k, (n, b) in enumerate(zip(n_idx, b_idx, strict=True)):
            boxes.append((float(group.z[n]), int(b), out[k], int(x0[k]), int(top[k])))
    return boxes


def _grid(theta: np.ndarray, height: int, width: int) -> torch.Tensor:
    """``affine_grid`` for scale-and-shift thetas: x follows the column, y the row."""
    xs = torch.from_numpy(((np.arange(width) * 2 + 1) / width - 1).astype(np.float32))
    ys = torch.from_numpy(((np.arange(height) * 2 + 1) / height - 1).astype(np.float32))
    t = torch.from_numpy(theta)
    grid = torch.empty((t.shape[0], height, width, 2))
    grid[..., 0] = (t[:, 0, 0, None] * xs + t[:, 0, 2, None])[:, None, :]
    grid[..., 1] = (t[:, 1, 1, None] * ys + t[:, 1, 2, None])[:, :, None]
    return grid


def _blend(frame: torch.Tensor, pixels: torch.Tensor, left: int, top: int) -> None:
    """Premultiplied "over" of ``pixels`` (4, h, w) at (left, top), clipped to the frame."""
    _, height, width = frame.shape
    h, w = pixels.shape[1:]
    c0, r0 = max(left, 0), max(top, 0)
    c1, r1 = min(left + w, width), min(top + h, height)
    if c0 >= c1 or r0 >= r1:
        return
    src = pixels[:, r0 - top : r1 - top, c0 - left : c1 - left]
    frame[:, r0:r1, c0:c1].mul_(1 - src[3:4]).add_(src[:3])


def draw_reflection(canvas: torch.Tensor, mirror: Mirror, view: dict[str, torch.Tensor]) -> None:
    """Mirror the band above the ground line into the ground: darkened, streaked down and
    rippled, with bright things (windows, signs, lamps) showing much more than dark ones.

    The mirror image is worked out on every other row (it is smeared down anyway) for each run
    of frames whose ground line is on the same row, and each of its rows is added to two.
    """
    batch, _, height, _ = canvas.shape
    lines = np.round(_rows_at(mirror.line, SUBJECT_DEPTH, view)).astype(np.int64)
    start = 0
    while start < batch:
        stop = start + 1
        while stop < batch and lines[stop] == lines[start]:
            stop += 1
        line = int(lines[start])
        rows = min(height - line, line) // 2 * 2
        if rows >= 8:
            times = view["t"][start:stop].view(-1, 1, 1, 1)
            _mirror_rows(canvas[start:stop], mirror, line, rows, times)
        start = stop


def _mirror_rows(
    frames: torch.Tensor, mirror: Mirror, line: int, rows: int, times: torch.Tensor
) -> None:
    count, _, height, width = frames.shape
    half = rows // 2
    source = torch.arange(line - 1, line - rows - 1, -2)  # every other row going up
    above = frames.index_select(2, source)  # (n, 3, half, W); row 0 is just above the line
    k = torch.arange(half, dtype=torch.float32).view(1, 1, -1, 1)
    nearness = 0.25 + k / half  # ripples grow toward the viewer
    wobble = torch.sin(k * 1.1 + times * mirror.speed) + 0.5 * torch.sin(k * 0.42 - times * 2.3)
    shift = (mirror.ripple * height * nearness * wobble).round().long()  # (n, 1, half, 1)
    index = (torch.arange(width).view(1, 1, 1, -1) + shift).clamp_(0, width - 1)
    image = above.gather(3, index.expand(count, 3, half, width))
    # Smear each light down a few rows, as wet asphalt stretches it.
    smear = image.clone()
    smear[:, :, 1:].add_(image[:, :, :-1])
    smear[:, :, 2:].add_(image[:, :, :-2], alpha=0.5)
    image = smear.mul_(0.4)
    # Lights: what is brighter than the dusk around it, boosted; the rest barely shows.
    shine = (image - 0.3).clamp_(min=0).mul_(1.8).add_(image.mul_(0.18))
    shine.mul_(mirror.strength * torch.exp(-k / (0.9 * half)))
    ground = frames[:, :, line : line + rows].view(count, 3, half, 2, width)
    ground.mul_(0.78).add_(shine[:, :, :, None])
