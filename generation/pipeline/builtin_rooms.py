"""The walls of a room for the built-in renderer: a hallway's doors, a classroom's blackboard.

A room is the "room" setting; the kinds the prompt names (``ScenePlan.room``) choose the wall
colour (the first kind) and what hangs on it (each kind's fittings, at most two kinds). The wall
is painted once per clip onto the backdrop, as the sky is outdoors; the floor and skirting are
layers (``builtin_layers.ROOM_FLOORS``). Every fitting is a few rectangles and bands, so a room
costs what a sky does.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from generation.pipeline.builtin_palette import Grade, hex_rgb
from generation.pipeline.scene import ScenePlan

# What a window shows outside, (top, bottom) by time of day.
WINDOW_VIEWS = {
    "dawn": ("#8fb0e0", "#ffc7a8"),
    "day": ("#5fa8ff", "#cfeaff"),
    "sunset": ("#5a4fa0", "#ff9a5a"),
    "night": ("#050b24", "#1d2b5a"),
}
WALL_FOOT = 0.655  # backdrop y where the wall meets the skirting board
DEFAULT_KIND = "living room"

Painter = Callable[["_Wall", float], None]


class _Wall:
    """The backdrop being painted, with its grid and what the fittings need."""

    def __init__(
        self,
        sky: torch.Tensor,
        plan: ScenePlan,
        grade: Grade,
        gen: torch.Generator,
        grid: tuple[torch.Tensor, torch.Tensor],
        view_width: float,
    ) -> None:
        self.sky, self.plan, self.grade, self.gen = sky, plan, grade, gen
        self.xs, self.ys = grid
        self.view_width = view_width
        self.window_x = 0.0  # where the window went, so a picture hangs clear of it

    def color(self, code: str) -> torch.Tensor:
        return torch.from_numpy(self.grade.style_only(hex_rgb(code))).view(3, 1, 1)

    def box(self, x: float, half_w: float, y0: float, y1: float) -> torch.Tensor:
        """A (1, H, W) mask of the rectangle centred on x between backdrop rows y0 and y1."""
        return (
            ((self.xs - x).abs() < half_w).float()
            * (self.ys >= y0).float()
            * (self.ys < y1).float()
        )

    def fill(self, mask: torch.Tensor, code: str, amount: float = 1.0) -> None:
        self.sky.lerp_(self.color(code).expand_as(self.sky), (mask * amount).expand_as(self.sky))

    def random(self, low: float, high: float) -> float:
        return low + (high - low) * float(torch.rand((), generator=self.gen))

    def spots(self, spacing: float, jitter: float = 0.0) -> list[float]:
        """x positions every ``spacing`` across the painted width, offset by the seed."""
        reach = float(self.xs.abs().max())
        start = -reach + self.random(0.0, spacing)
        return [x + self.random(-jitter, jitter) for x in np.arange(start, reach, spacing)]


def paint_room(
    sky: torch.Tensor,
    plan: ScenePlan,
    grade: Grade,
    gen: torch.Generator,
    xs: torch.Tensor,
    ys: torch.Tensor,
    view_width: float,
) -> None:
    """Paint the room's wall over the backdrop, in place."""
    kinds = tuple(dict.fromkeys(plan.room)) or (DEFAULT_KIND,)
    look = LOOKS.get(kinds[0], LOOKS[DEFAULT_KIND])
    wall = _Wall(sky, plan, grade, gen, (xs, ys), view_width)
    top, bottom = wall.color(look.wall[0]), wall.color(look.wall[1])
    blend = (ys / WALL_FOOT).clamp(0, 1)
    sky.copy_((top * (1 - blend) + bottom * blend).expand_as(sky))
    if plan.time_of_day == "night":
        sky.mul_(0.8)  # lamplight
    for kind in kinds[:2]:
        for fitting in LOOKS.get(kind, LOOKS[DEFAULT_KIND]).fittings:
            fitting(wall, view_width)


# ---------------------------------------------------------------------------- fittings


def paint_kitchen_wall(
    sky: torch.Tensor,
    plan: ScenePlan,
    grade: Grade,
    gen: torch.Generator,
    xs: torch.Tensor,
    ys: torch.Tensor,
    view_width: float,
) -> None:
    """A kitchen's wall over the backdrop: tiles between the counters and a window above them."""
    tile = (((xs * 28) % 1 < 0.06) | ((ys * 28) % 1 < 0.06)).float() * (ys > 0.3).float()
    sky.mul_(1 - tile * 0.12)
    wall = _Wall(sky, plan, grade, gen, (xs, ys), view_width)
    window(wall, wall.random(-0.15, 0.15), half_w=0.16, rows=(0.35, 0.55))


def window(
    wall: _Wall,
    x: float,
    *,
    half_w: float = 0.15,
    curtains: bool = False,
    rows: tuple[float, float] = (0.2, 0.46),
) -> None:
    """A window showing the time of day outside, with a frame, and curtains if asked."""
    y0, y1 = rows
    bar = (y0 + y1) / 2
    outside_top, outside_bottom = WINDOW_VIEWS[wall.plan.time_of_day]
    share = ((wall.ys - y0) / (y1 - y0)).clamp(0, 1)
    view = wall.color(outside_top) * (1 - share) + wall.color(outside_bottom) * share
    wall.fill(wall.box(x, half_w + 0.015, y0 - 0.015, y1 + 0.015), "#f4f1ea")
    glass = wall.box(x, half_w, y0, y1)
    wall.sky.lerp_(view.expand_as(wall.sky), glass.expand_as(wall.sky))
    wall.fill(wall.box(x, 0.006, y0, y1) + wall.box(x, half_w, bar - 0.004, bar + 0.004), "#f4f1ea")
    if curtains:
        folds = 0.85 + 0.15 * torch.cos((wall.xs - x) * 160)
        for side in (-1, 1):
            drape = wall.box(x + side * (half_w + 0.01), 0.05, y0 - 0.04, y1 + 0.1)
            cloth = (wall.color("#b04a4a") * folds).expand_as(wall.sky)
            wall.sky.lerp_(cloth, drape.expand_as(wall.sky))


def _windows(wall: _Wall, view_width: float) -> None:
    wall.window_x = wall.random(-0.25, 0.25) * view_width
    window(wall, wall.window_x, curtains=True)


def _office_windows(wall: _Wall, view_width: float) -> None:
    for x in wall.spots(0.55, 0.02):
        window(wall, x, half_w=0.17)
        slats = ((wall.ys * 90) % 1 < 0.35).float() * wall.box(x, 0.17, 0.2, 0.46)
        wall.fill(slats, "#e8e4dc", 0.85)  # blinds


def _blackboard(wall: _Wall, view_width: float) -> None:
    x, half_w = wall.random(-0.05, 0.05), min(0.42, 0.4 * view_width + 0.1)
    wall.fill(wall.box(x, half_w + 0.02, 0.14, 0.5), "#8a5a3a")
    wall.fill(wall.box(x, half_w, 0.16, 0.48), "#2f4a3a")
    for row in range(5):  # lines of chalk writing, each a different length
        y = 0.21 + row * 0.055
        end = x - half_w + 0.04 + wall.random(0.3, 0.9) * (2 * half_w - 0.08)
        scribble = y + 0.008 * torch.sin(wall.xs * 120 + row)
        line = ((wall.ys - scribble).abs() < 0.0035).float()
        line *= ((wall.xs > x - half_w + 0.04) & (wall.xs < end)).float()
        wall.fill(line, "#e8efe8", 0.8)
    wall.fill(wall.box(x, half_w, 0.48, 0.495), "#6a4a2a")  # the chalk ledge


def _doors(wall: _Wall, view_width: float) -> None:
    for x in wall.spots(0.5, 0.04):
        wall.fill(wall.box(x, 0.11, 0.27, WALL_FOOT), "#f0ece4")
        wall.fill(wall.box(x, 0.09, 0.29, WALL_FOOT), "#9a6a44")
        wall.fill(wall.box(x, 0.075, 0.31, 0.42), "#8a5c3a")  # panel
        knob = ((wall.xs - x - 0.065) ** 2 + (wall.ys - 0.47) ** 2 < 0.011**2).float()
        wall.fill(knob, "#e0c060")


def _ceiling_lights(wall: _Wall, view_width: float) -> None:
    for x in wall.spots(0.45):
        glow = torch.exp(-(((wall.xs - x) / 0.12) ** 2 + (wall.ys / 0.05) ** 2))
        wall.fill(glow, "#fffbe8", 0.7)


def _handrail(wall: _Wall, view_width: float) -> None:
    wall.fill(wall.box(0.0, 99.0, 0.5, 0.512), "#7fa8a0")
    wall.fill(wall.box(0.0, 99.0, 0.512, 0.516), "#5f8880")


def _cross_sign(wall: _Wall, view_width: float) -> None:
    x = wall.random(-0.3, 0.3) * view_width
    wall.fill(wall.box(x, 0.06, 0.1, 0.22), "#ffffff")
    wall.fill(wall.box(x, 0.04, 0.145, 0.175) + wall.box(x, 0.015, 0.12, 0.2), "#e0303a")


def _shelves(wall: _Wall, view_width: float) -> None:
    spines = ("#8a2a2a", "#2a4a8a", "#2a6a3a", "#c08a2a", "#5a2a6a", "#d0c0a0", "#3a3a3a")
    colors = torch.stack([wall.color(code)[:, 0, 0] for code in spines])  # (k, 3)
    width = 0.022
    column = torch.floor(wall.xs / width)
    pick = ((column * 7919 + 13) % len(spines)).long()  # (1, 1, W)
    books = colors[pick[0, 0]].T[:, None, :]  # (3, 1, W)
    for row in range(4):
        y1 = 0.22 + row * 0.135
        tall = y1 - 0.11 * (0.65 + 0.35 * ((column * 31 + row) % 5) / 4)
        mask = ((wall.ys > tall) & (wall.ys < y1)).float()
        mask *= ((wall.xs / width - column) < 0.88).float()
        wall.sky.lerp_(books.expand_as(wall.sky), mask.expand_as(wall.sky))
        wall.fill(wall.box(0.0, 99.0, y1, y1 + 0.012), "#6a4426")  # the shelf board


def _frames(wall: _Wall, view_width: float) -> None:
    art = ("#d9573b", "#3b7dd9", "#e8c13b", "#3bb07a")
    for i, x in enumerate(wall.spots(0.42, 0.03)):
        top = wall.random(0.16, 0.24)
        wall.fill(wall.box(x, 0.11, top, top + 0.2), "#c9a24a")
        wall.fill(wall.box(x, 0.095, top + 0.012, top + 0.188), "#f4efe2")
        blob = ((wall.xs - x) / 0.06) ** 2 + ((wall.ys - top - 0.1) / 0.06) ** 2 < 1
        wall.fill(blob.float(), art[i % len(art)], 0.85)


def _picture(wall: _Wall, view_width: float) -> None:
    side = -1.0 if wall.window_x > 0 else 1.0
    x = wall.window_x + side * max(0.36, wall.random(0.28, 0.34) * view_width)
    wall.fill(wall.box(x, 0.07, 0.18, 0.3), "#6a4426")
    wall.fill(wall.box(x, 0.06, 0.19, 0.29), "#8fb8a0")
    hill = (wall.ys > 0.25 + 0.02 * torch.sin((wall.xs - x) * 60)).float()
    wall.fill(hill * wall.box(x, 0.06, 0.19, 0.29), "#4f7a3f")


def _wallpaper(wall: _Wall, view_width: float) -> None:
    stripes = ((wall.xs * 24) % 1 < 0.5).float() * (wall.ys < WALL_FOOT).float()
    wall.sky.mul_(1 - stripes * 0.05)


def _mirror(wall: _Wall, view_width: float) -> None:
    wall.fill(wall.box(0.0, 0.45 * view_width, 0.12, 0.5), "#b8c8d4")
    shine = ((wall.xs + wall.ys * 0.6) * 12 % 1 < 0.08).float() * wall.box(
        0.0, 0.45 * view_width, 0.12, 0.5
    )
    wall.fill(shine, "#eef4f8", 0.6)


def _wall_bars(wall: _Wall, view_width: float) -> None:
    bars = ((wall.xs * 30) % 1 < 0.18).float() * ((wall.ys > 0.5) & (wall.ys < WALL_FOOT)).float()
    wall.fill(bars, "#c89a5a")


class Look:
    """One kind of room: its wall colours and the fittings that say which room it is."""

    def __init__(self, wall: tuple[str, str], fittings: tuple[Painter, ...]) -> None:
        self.wall = wall
        self.fittings = fittings


LOOKS: dict[str, Look] = {
    "hospital": Look(("#d8efe6", "#c2e2d6"), (_ceiling_lights, _handrail, _cross_sign)),
    "classroom": Look(("#f2e6c4", "#e2d2a8"), (_blackboard,)),
    "library": Look(("#c9a77c", "#b08a60"), (_shelves,)),
    "gallery": Look(("#f4f2ee", "#e4e0d8"), (_ceiling_lights, _frames)),
    "gym": Look(("#dfe5ea", "#c8d0d8"), (_mirror, _wall_bars)),
    "office": Look(("#dfe4ea", "#c9d0da"), (_ceiling_lights, _office_windows)),
    "hallway": Look(("#ece4d4", "#d8ccb6"), (_ceiling_lights, _doors)),
    "bedroom": Look(("#d9dcef", "#c3c7e0"), (_wallpaper, _windows)),
    "living room": Look(("#ead9bf", "#d8c2a2"), (_wallpaper, _windows, _picture)),
}
