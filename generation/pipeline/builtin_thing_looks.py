"""How pictogram things look in the built-in renderer: their size, which way they face, their
sheets in the clip's light, and the flat shapes drawn for what the pictogram set lacks.

Sizes come from the emojibase subgroup the pictogram index holds ("animal-mammal", "drink"),
then from a short table by name; a size is the thing's longer side in person heights.
"""

from __future__ import annotations

import logging
import math
from functools import lru_cache

import numpy as np
import torch
from PIL import Image, ImageDraw

from generation.pipeline import builtin_sprites as sprites
from generation.pipeline import pictograms
from generation.pipeline.builtin_palette import Grade
from generation.pipeline.builtin_subjects import MAX_SHEET_PX

logger = logging.getLogger("generation.pipeline.builtin_things")

FILL = 0.88  # share of a pictogram's square its drawing spans, to size rasters
# How big a thing is: its longer side in person heights, by emojibase subgroup, then by name.
# Tiny things are drawn larger than life so they read on a phone screen.
GROUP_EXTENT = {
    "person": 1.0, "person-role": 0.55, "person-fantasy": 1.0, "face-costume": 0.8,
    "animal-mammal": 0.8, "animal-bird": 0.45, "animal-bug": 0.18, "animal-marine": 0.5,
    "animal-reptile": 0.6, "animal-amphibian": 0.3, "plant-other": 0.5, "plant-flower": 0.3,
    "transport-ground": 1.2, "transport-water": 1.3, "transport-air": 1.5, "household": 0.8,
    "musical-instrument": 0.45, "sport": 0.2, "game": 0.22, "event": 0.3, "computer": 0.3,
    "food-fruit": 0.16, "food-vegetable": 0.16, "food-prepared": 0.18, "food-asian": 0.18,
    "food-sweet": 0.16, "drink": 0.15, "dishware": 0.18, "tool": 0.25, "clothing": 0.22,
}  # fmt: skip
EXTENT = {
    "elephant": 1.7, "mammoth": 1.8, "giraffe": 0.8, "horse": 1.3, "racehorse": 1.3,
    "cow": 1.3, "ox": 1.3, "water-buffalo": 1.3, "camel": 1.5, "two-hump-camel": 1.5,
    "rhinoceros": 1.5, "hippopotamus": 1.4, "bison": 1.4, "deer": 1.2,
    "zebra": 1.3, "llama": 1.2, "gorilla": 1.1, "tiger": 1.0,
    "dog": 0.75, "cat": 0.6, "mouse": 0.28, "rat": 0.32, "hamster": 0.28,
    "rabbit": 0.42, "chipmunk": 0.3, "hedgehog": 0.3, "bat": 0.35, "whale": 2.0,
    "spouting-whale": 2.0, "shark": 1.8, "dolphin": 1.3, "dragon": 1.8, "t-rex": 1.8,
    "sauropod": 1.9, "crocodile": 1.4, "penguin": 0.55, "flamingo": 0.9, "eagle": 0.6,
    "swan": 0.6, "bicycle": 0.9, "motorcycle": 1.0, "motor-scooter": 0.9, "kick-scooter": 0.7,
    "skateboard": 0.5, "roller-skate": 0.22, "automobile": 1.5, "racing-car": 1.5,
    "sled": 0.6, "skis": 0.9, "canoe": 1.3, "sailboat": 1.5, "ship": 1.7, "rocket": 1.5,
    "deciduous-tree": 2.0, "evergreen-tree": 2.0, "palm-tree": 2.0, "cactus": 1.1,
    "potted-plant": 0.4, "christmas-tree": 1.5, "balloon": 0.4, "chess-pawn": 0.18,
    "soccer-ball": 0.16, "basketball": 0.17, "teddy-bear": 0.3, "guitar": 0.55,
    "bed": 1.1, "couch-and-lamp": 1.1, "chair": 0.55, "toilet": 0.5, "bathtub": 0.9,
    "door": 1.2, "window": 0.7, "mirror": 0.6, "placard": 0.6,
    "shape-table": 0.95, "shape-desk": 0.95, "shape-bench": 1.0, "shape-shelf": 1.0,
    "shape-surfboard": 1.0, "shape-fence": 1.2, "shape-rug": 1.3, "shape-stall": 1.3,
    "shape-lamppost": 1.9, "shape-haybale": 0.7,
    # Animals the set draws as a face only: a face as big as the animal reads as a giant.
    "fox": 0.42, "wolf": 0.45, "lion": 0.5, "bear": 0.5, "polar-bear": 0.5, "panda": 0.5,
    "koala": 0.4, "frog": 0.3, "unicorn": 0.5, "moose": 0.6,
}  # fmt: skip
DEFAULT_EXTENT = 0.3


def group(icon: str) -> str:
    return pictograms.subgroup(base_name(icon))


def base_name(icon: str) -> str:
    """The default-tone icon of a skin-tone variant ("astronaut-dark" -> "astronaut")."""
    head, _, tone = icon.rpartition("-")
    if tone in ("light", "medium", "dark") and head:
        return head.removesuffix("-medium").removesuffix("-light").removesuffix("-dark")
    return icon


def body(icon: str) -> str:
    kind = group(icon)
    if kind.startswith("person") or kind == "face-costume":
        return "person"
    return "animal" if kind.startswith("animal") else "thing"


def extent(icon: str) -> float:
    """The longer side of ``icon`` in person heights."""
    base = base_name(icon)
    return EXTENT.get(base, GROUP_EXTENT.get(pictograms.subgroup(base), DEFAULT_EXTENT))


def world_size(icon: str, sheet: sprites.Sheet, unit: float) -> float:
    """World height of one sheet unit (the drawing's height) for a longer side of extent."""
    h, w = (float(n) for n in sheet.pixels.shape[2:])
    return extent(icon) * unit * min(1.0, (h - 2) / max(w - 2, 1.0))


# A size word sets a floor or a ceiling as well as a factor: a giant cupcake is at least as big
# as a large animal, a tiny elephant no bigger than a cat.
GIANT_AT_LEAST = 0.9
TINY_AT_MOST = 0.4


def size_factor(icon: str, word_scale: float) -> float:
    """What to multiply ``icon``'s usual extent by for a size word's ``word_scale``."""
    if word_scale == 1.0:
        return 1.0
    usual = extent(icon)
    wanted = usual * word_scale
    wanted = max(wanted, GIANT_AT_LEAST) if word_scale > 1.0 else min(wanted, TINY_AT_MOST)
    return wanted / usual


def half_width(sheet: sprites.Sheet, size: float) -> float:
    return (float(sheet.pixels.shape[3]) - 2) / sheet.px_per_unit * size / 2


# ---------------------------------------------------------------------------- sheets


def thing_sheet(icon: str, grade: Grade, on_screen_px: float) -> sprites.Sheet | None:
    """The icon's sheet drawn at the size it shows, in the clip's light; None if it fails."""
    px = int(np.clip(math.ceil(on_screen_px / FILL / 8) * 8, 16, MAX_SHEET_PX))
    try:
        sheet = shape_sheet(icon, px) if icon in SHAPES else sprites.pictogram_sheet(icon, px)
    except pictograms.PictogramError as exc:
        logger.warning("Left out of the video: %s", exc)
        return None
    return _graded(sheet, grade)


def _graded(sheet: sprites.Sheet, grade: Grade) -> sprites.Sheet:
    """Light the picture like the subjects: half by the time of day, half as it is."""
    pixels = sheet.pixels[0].numpy()
    alpha = pixels[3:4]
    rgb = (pixels[:3] / np.maximum(alpha, 1e-6)).transpose(1, 2, 0)
    lit = grade.apply(rgb) * 0.45 + grade.apply(rgb, emissive=True) * 0.55
    out = np.concatenate([lit.transpose(2, 0, 1) * alpha, alpha]).astype(np.float32)
    return sprites.Sheet(
        pixels=torch.from_numpy(out)[None].contiguous(),
        anchor=sheet.anchor,
        px_per_unit=sheet.px_per_unit,
    )


@lru_cache(maxsize=256)
def facing(icon: str) -> float:
    """Which way a picture faces: where its top part leans against the whole (a head leads)."""
    if icon in SHAPES:
        return 1.0
    try:
        alpha = pictograms.raster(icon, 64)[..., 3]
    except (pictograms.PictogramError, ValueError):
        return 1.0
    rows = np.flatnonzero(alpha.max(axis=1) > 0.5)
    if len(rows) == 0:
        return 1.0
    cols = np.arange(alpha.shape[1], dtype=np.float32)
    top = alpha[rows[0] : rows[0] + max(1, (rows[-1] - rows[0]) // 3)]
    lean = float((top.sum(axis=0) @ cols) / max(top.sum(), 1e-6))
    centre = float((alpha.sum(axis=0) @ cols) / max(alpha.sum(), 1e-6))
    return -1.0 if lean < centre - 1.5 else 1.0


# Shapes the pictogram set lacks, drawn flat in its style: (width, height) in a unit box and
# the rectangles and ellipses that make them, colours as hex.
SHAPE_SIZES = {
    "shape-table": (1.0, 0.6),
    "shape-desk": (1.0, 0.62),
    "shape-bench": (1.0, 0.5),
    "shape-shelf": (0.7, 1.0),
    "shape-surfboard": (1.0, 0.16),
    "shape-fence": (1.0, 0.45),
    "shape-rug": (1.0, 0.1),
    "shape-stall": (1.0, 0.95),
    "shape-lamppost": (0.3, 1.0),
    "shape-haybale": (1.0, 0.62),
    "shape-lighthouse": (0.42, 1.0),
}
SHAPES = frozenset(SHAPE_SIZES)
WOOD, WOOD_DARK, WOOD_LIGHT = "#b9804a", "#8a5a32", "#d39a60"


@lru_cache(maxsize=64)
def shape_sheet(icon: str, px: int) -> sprites.Sheet:
    """Draw a shape at ``px`` wide, supersampled, cut to its content like a pictogram sheet."""
    wide, tall = SHAPE_SIZES[icon]
    scale = 3
    w, h = max(8, round(px * wide)), max(4, round(px * tall))
    image = Image.new("RGBA", (w * scale, h * scale), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    _SHAPE_DRAWERS[icon](draw, w * scale, h * scale)
    image = image.resize((w, h), Image.Resampling.LANCZOS)
    rgba = np.asarray(image, dtype=np.float32) / 255.0
    rgba[..., :3] *= rgba[..., 3:]
    padded = np.zeros((h + 2, w + 2, 4), np.float32)
    padded[1:-1, 1:-1] = np.clip(rgba, 0, 1)
    pixels = torch.from_numpy(padded.transpose(2, 0, 1).copy())[None]
    return sprites.Sheet(pixels=pixels, anchor=((w + 2) / 2, h + 1), px_per_unit=float(h))


def _table(draw: ImageDraw.ImageDraw, w: int, h: int, *, drawer: bool = False) -> None:
    top = h * 0.14
    for x0 in (w * 0.08, w * 0.84):
        draw.rectangle((x0, top, x0 + w * 0.08, h), fill=WOOD_DARK)
    draw.rounded_rectangle((0, 0, w, top * 1.15), radius=top * 0.4, fill=WOOD)
    draw.rectangle((w * 0.03, top * 0.75, w * 0.97, top * 1.15), fill=WOOD_DARK)
    if drawer:
        draw.rectangle((w * 0.55, top, w * 0.92, h * 0.55), fill=WOOD)
        draw.rectangle((w * 0.68, h * 0.3, w * 0.8, h * 0.36), fill=WOOD_DARK)


def _bench(draw: ImageDraw.ImageDraw, w: int, h: int) -> None:
    for x0 in (w * 0.1, w * 0.82):
        draw.rectangle((x0, h * 0.5, x0 + w * 0.07, h), fill=WOOD_DARK)
    draw.rounded_rectangle((0, h * 0.46, w, h * 0.6), radius=h * 0.04, fill=WOOD)
    draw.rounded_rectangle((w * 0.02, 0, w * 0.98, h * 0.12), radius=h * 0.04, fill=WOOD)
    draw.rounded_rectangle((w * 0.02, h * 0.18, w * 0.98, h * 0.3), radius=h * 0.04, fill=WOOD)
    for x0 in (w * 0.12, w * 0.84):
        draw.rectangle((x0, 0, x0 + w * 0.05, h * 0.48), fill=WOOD_DARK)


def _shelf(draw: ImageDraw.ImageDraw, w: int, h: int) -> None:
    draw.rectangle((0, 0, w, h), fill=WOOD_DARK)
    draw.rectangle((w * 0.07, h * 0.04, w * 0.93, h * 0.96), fill=WOOD)
    books = ("#d84a3a", "#3f7fd0", "#e8b83a", "#4aa860", "#8a5cc0")
    for row in range(3):
        floor = h * (0.33 + 0.31 * row)
        draw.rectangle((w * 0.07, floor, w * 0.93, floor + h * 0.035), fill=WOOD_DARK)
        x = w * 0.1
        for i in range(5 - row):
            width = w * (0.09 + 0.03 * ((i + row) % 2))
            tall = h * (0.2 + 0.04 * ((i * 3 + row) % 3))
            draw.rectangle((x, floor - tall, x + width, floor), fill=books[(i + row) % 5])
            x += width + w * 0.015


def _surfboard(draw: ImageDraw.ImageDraw, w: int, h: int) -> None:
    draw.ellipse((0, 0, w, h), fill="#f4f1e8")
    draw.ellipse((w * 0.04, h * 0.12, w * 0.96, h * 0.62), fill="#3fb6d8")
    draw.rectangle((w * 0.1, h * 0.3, w * 0.9, h * 0.42), fill="#f2a33a")


def _fence(draw: ImageDraw.ImageDraw, w: int, h: int) -> None:
    for y0 in (0.3, 0.65):
        draw.rectangle((0, h * y0, w, h * (y0 + 0.1)), fill=WOOD_DARK)
    for i in range(6):
        x0 = w * (0.02 + i * 0.165)
        draw.polygon(
            [(x0, h * 0.12), (x0 + w * 0.05, 0), (x0 + w * 0.1, h * 0.12), (x0 + w * 0.1, h),
             (x0, h)],
            fill=WOOD_LIGHT,
        )  # fmt: skip


def _rug(draw: ImageDraw.ImageDraw, w: int, h: int) -> None:
    draw.rounded_rectangle((0, 0, w, h), radius=h * 0.3, fill="#b8433f")
    draw.rounded_rectangle((w * 0.04, h * 0.2, w * 0.96, h * 0.8), radius=h * 0.2, fill="#e0a548")
    for i in range(7):
        x0 = w * (0.1 + i * 0.12)
        draw.rectangle((x0, h * 0.35, x0 + w * 0.05, h * 0.65), fill="#2f6f8f")


def _stall(draw: ImageDraw.ImageDraw, w: int, h: int) -> None:
    """A market stall: a counter under a striped awning on two poles."""
    for x0 in (w * 0.06, w * 0.9):
        draw.rectangle((x0, h * 0.12, x0 + w * 0.04, h), fill=WOOD_DARK)
    stripes = 6
    for i in range(stripes):
        colour = "#d8443a" if i % 2 == 0 else "#f4efe4"
        x0, x1 = w * i / stripes, w * (i + 1) / stripes
        draw.rectangle((x0, 0, x1, h * 0.2), fill=colour)
        draw.pieslice((x0, h * 0.12, x1, h * 0.3), 0, 180, fill=colour)
    draw.rectangle((w * 0.03, h * 0.58, w * 0.97, h), fill=WOOD)
    draw.rectangle((0, h * 0.54, w, h * 0.62), fill=WOOD_DARK)


def _lamppost(draw: ImageDraw.ImageDraw, w: int, h: int) -> None:
    draw.rectangle((w * 0.42, h * 0.12, w * 0.58, h), fill="#3d4450")
    draw.rectangle((w * 0.25, h * 0.95, w * 0.75, h), fill="#3d4450")
    draw.polygon([(w * 0.1, h * 0.1), (w * 0.9, h * 0.1), (w * 0.7, 0), (w * 0.3, 0)],
                 fill="#3d4450")  # fmt: skip
    draw.ellipse((w * 0.22, h * 0.08, w * 0.78, h * 0.16), fill="#ffe08a")


def _haybale(draw: ImageDraw.ImageDraw, w: int, h: int) -> None:
    draw.rounded_rectangle((0, 0, w, h), radius=h * 0.25, fill="#e0b84e")
    for i in range(1, 6):
        y = h * i / 6
        draw.line((w * 0.05, y, w * 0.95, y), fill="#c49a36", width=max(1, round(h * 0.03)))
    for x0 in (w * 0.28, w * 0.68):
        draw.rectangle((x0, 0, x0 + w * 0.04, h), fill="#9a6a2a")


def _lighthouse(draw: ImageDraw.ImageDraw, w: int, h: int) -> None:
    """A tapering tower in red and white bands under a lamp room with a dome, on a rock."""
    draw.ellipse((0, h * 0.9, w, h * 1.1), fill="#6d6a66")
    base, top = h * 0.93, h * 0.3
    bands = 4
    for i in range(bands):  # from the foot up, each band a little narrower
        y0 = base - (base - top) * i / bands
        y1 = base - (base - top) * (i + 1) / bands
        half0 = w * (0.36 - 0.12 * i / bands)
        half1 = w * (0.36 - 0.12 * (i + 1) / bands)
        colour = "#d8443a" if i % 2 == 0 else "#f4efe4"
        draw.polygon(
            [(w / 2 - half0, y0), (w / 2 + half0, y0), (w / 2 + half1, y1), (w / 2 - half1, y1)],
            fill=colour,
        )
    draw.rectangle((w * 0.22, top - h * 0.025, w * 0.78, top + h * 0.01), fill="#3d4450")
    draw.rectangle((w * 0.3, h * 0.16, w * 0.7, top - h * 0.025), fill="#ffe08a")
    for x0 in (w * 0.42, w * 0.56):  # the lamp room's window bars
        draw.rectangle((x0, h * 0.16, x0 + w * 0.03, top - h * 0.025), fill="#3d4450")
    draw.pieslice((w * 0.26, h * 0.07, w * 0.74, h * 0.25), 180, 360, fill="#d8443a")
    draw.rectangle((w * 0.48, h * 0.0, w * 0.52, h * 0.09), fill="#3d4450")
    draw.rectangle((w * 0.44, h * 0.72, w * 0.56, base), fill="#5a3a2a")  # the door


_SHAPE_DRAWERS = {
    "shape-table": _table,
    "shape-desk": lambda draw, w, h: _table(draw, w, h, drawer=True),
    "shape-bench": _bench,
    "shape-shelf": _shelf,
    "shape-surfboard": _surfboard,
    "shape-fence": _fence,
    "shape-rug": _rug,
    "shape-stall": _stall,
    "shape-lamppost": _lamppost,
    "shape-haybale": _haybale,
    "shape-lighthouse": _lighthouse,
}
