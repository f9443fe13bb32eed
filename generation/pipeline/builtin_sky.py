"""The painted backdrop behind the built-in renderer's layers: sky, sun or moon, clouds, stars.

Painted once per clip on a canvas a little larger than the frame; each frame copies a window of
it, which is how clouds drift and the camera shakes without repainting anything.
"""

from __future__ import annotations

import numpy as np
import torch

from generation.pipeline.builtin_palette import Grade, hex_rgb, sky_colors
from generation.pipeline.builtin_rooms import paint_kitchen_wall, paint_room
from generation.pipeline.scene import ScenePlan

HORIZON_Y = 0.62


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


SKY_PAINTERS = {
    "space": _space_sky,
    "underwater": _underwater_sky,
    "stage": _stage_sky,
    "kitchen": paint_kitchen_wall,
    "room": paint_room,
}
