"""Drawing what a cameo owner's instructions put on their cameo person.

Clothing colours change the person's own colours (a blue jacket is the torso and sleeves, jeans
are the legs, boots are the shoes). Hats, crowns, glasses, scarves and ties are drawn on top
of the cameo face in every pose of the sheet, and a held thing is its pictogram at the near
hand, so they move with the person however the clip animates them.

Where the head and hands are in a pose comes from ``person_pose``, with the same joint
positions ``builtin_sprites.person`` and ``_paste_face`` use.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np
import torch
import torch.nn.functional as F  # noqa: N812 - the name everyone reads torch code with

from generation.pipeline import builtin_sprites as sprites
from generation.pipeline import pictograms
from generation.pipeline.builtin_sprites import OUTLINE, Parts, SpriteLook
from generation.pipeline.cameo_looks import CameoLook, Held, Wearable

# Which colour of a person's look each clothing slot repaints.
SLOT_COLORS = {"torso": "main", "legs": "second", "feet": "dark"}
FACE_CENTRE_UP = 0.02  # _paste_face puts the face this far above the drawn head's centre
FACE_RY = 0.148  # the pasted face's half height
EYES_UP = 0.035  # the eyes of a head-and-shoulders picture sit a little above its middle
HELD_SIZE = 0.26  # sprite units (a person is 1 tall)
BIG_HELD = {"guitar": 0.46, "umbrella": 0.5, "violin": 0.4, "skateboard": 0.46, "banjo": 0.44}
HELD_PX = 64  # raster size of a held pictogram; a sheet shows it at most ~60 px wide

# Draws onto a sheet's straight RGB and alpha: (rgb, alpha, xs, ys, px_per_unit).
Overlay = Callable[[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, float], None]


def look_for(faces: Sequence[torch.Tensor], looks: Sequence[CameoLook], face: object) -> CameoLook:
    """The look that goes with ``face``: ``looks`` runs in the same order as the faces."""
    for known, look in zip(faces, looks, strict=False):
        if known is face:
            return look
    return CameoLook()


def dress(look: SpriteLook, cameo: CameoLook, lit: Callable[[str], np.ndarray]) -> SpriteLook:
    """The person's colours with their clothes repainted; ``lit`` lights a colour for the scene."""
    changes = {
        SLOT_COLORS[item.slot]: lit(item.color)
        for item in cameo.items
        if isinstance(item, Wearable) and item.slot in SLOT_COLORS
    }
    return replace(look, **changes) if changes else look


def overlay(cameo: CameoLook, action: str, lit: Callable[[str], np.ndarray]) -> Overlay | None:
    """A function that draws the worn and held things onto a person's sheet, or None."""
    worn = [i for i in cameo.items if isinstance(i, Wearable) and i.slot not in SLOT_COLORS]
    held = [i for i in cameo.items if isinstance(i, Held)]
    if not worn and not held:
        return None

    def draw(
        rgb: torch.Tensor, alpha: torch.Tensor, xs: torch.Tensor, ys: torch.Tensor, px: float
    ) -> None:
        ph = torch.arange(rgb.shape[0], dtype=torch.float32).view(-1, 1, 1)
        ph = ph * (2 * np.pi / sprites.POSES)
        pose = sprites.person_pose(action, ph)
        parts: Parts = []
        for item in worn:
            parts += _worn_parts(item, pose, xs, ys, lit(item.color))
        _paint(rgb, alpha, parts, px)
        for thing in held:
            _hold(rgb, alpha, thing, pose, xs, ys)

    return draw


# ---------------------------------------------------------------------------- worn things


def _worn_parts(
    item: Wearable, pose: sprites.Pose, x: torch.Tensor, y: torch.Tensor, color: np.ndarray
) -> Parts:
    cx = pose.sway + pose.lean * 1.2
    cy = 0.91 + pose.bob + FACE_CENTRE_UP
    if item.slot == "head":
        return _headwear(item.style, x, y, (cx, cy), color)
    if item.slot == "eyes":
        return _eyewear(item.style, x, y, (cx, cy + EYES_UP), color)
    return _neckwear(item.style, x, y, (pose.sway + pose.lean, 0.77 + pose.bob), color)


def _headwear(
    style: str, x: torch.Tensor, y: torch.Tensor, at: sprites.Point, color: np.ndarray
) -> Parts:
    cx, cy = at
    top = cy + FACE_RY  # the top of the face: a hat sits on it, covering only the hairline
    # Capsules, not flat ellipses: the ellipse distance is only exact near round shapes.
    brim = sprites.capsule(x, y, (cx - 0.17, top - 0.02), (cx + 0.17, top - 0.02), 0.028)
    band = sprites.shade(color, 0.55)
    if style == "top hat":
        crown = sprites.box(x, y, cx, top + 0.08, 0.1, 0.095, 0.01)
        return [
            (brim, color),
            (crown, color),
            (sprites.box(x, y, cx, top + 0.01, 0.101, 0.02), band),
        ]
    if style == "cap":
        dome = torch.maximum(sprites.ellipse(x, y, cx, top - 0.04, 0.13, 0.09), top - 0.04 - y)
        visor = sprites.capsule(x, y, (cx + 0.05, top - 0.04), (cx + 0.22, top - 0.045), 0.02)
        return [(visor, sprites.shade(color, 0.8)), (dome, color)]
    if style == "beanie":
        dome = torch.maximum(sprites.ellipse(x, y, cx, top - 0.06, 0.135, 0.11), top - 0.06 - y)
        rim = sprites.box(x, y, cx, top - 0.05, 0.137, 0.025, 0.01)
        return [
            (dome, color),
            (rim, sprites.shade(color, 0.8)),
            (sprites.circle(x, y, cx, top + 0.07, 0.032), color),
        ]
    if style == "crown":
        base = top - 0.01
        spikes = [
            sprites.polygon(x, y, [(cx + a, base), (cx + b, base), (cx + tip, base + h)])
            for a, b, tip, h in (
                (-0.1, -0.02, -0.085, 0.1),
                (-0.045, 0.045, 0.0, 0.12),
                (0.02, 0.1, 0.085, 0.1),
            )  # fmt: skip
        ]
        band_sdf = sprites.box(x, y, cx, base, 0.1, 0.028, 0.008)
        jewel = sprites.circle(x, y, cx, base, 0.016)
        ruby = np.array([0.85, 0.1, 0.2], np.float32)
        return [*((s, color) for s in spikes), (band_sdf, color), (jewel, ruby)]
    crown = sprites.box(x, y, cx, top + 0.045, 0.115, 0.07, 0.035)
    ribbon = sprites.box(x, y, cx, top, 0.116, 0.018)
    return [(brim, color), (crown, color), (ribbon, band)]


def _eyewear(
    style: str, x: torch.Tensor, y: torch.Tensor, at: sprites.Point, color: np.ndarray
) -> Parts:
    cx, cy = at
    frame = sprites.capsule(x, y, (cx - 0.11, cy + 0.005), (cx + 0.11, cy + 0.005), 0.007)
    lenses = [sprites.ellipse(x, y, cx + dx, cy, 0.04, 0.032) for dx in (-0.048, 0.048)]
    if style == "sunglasses":
        return [(frame, color), *((lens, color) for lens in lenses)]
    rims = [lens.abs() - 0.007 for lens in lenses]
    bridge = sprites.capsule(x, y, (cx - 0.01, cy + 0.005), (cx + 0.01, cy + 0.005), 0.006)
    arms = torch.minimum(
        sprites.capsule(x, y, (cx - 0.12, cy + 0.01), (cx - 0.088, cy + 0.005), 0.006),
        sprites.capsule(x, y, (cx + 0.088, cy + 0.005), (cx + 0.12, cy + 0.01), 0.006),
    )
    return [(torch.minimum(torch.minimum(rims[0], rims[1]), torch.minimum(bridge, arms)), color)]


def _neckwear(
    style: str, x: torch.Tensor, y: torch.Tensor, at: sprites.Point, color: np.ndarray
) -> Parts:
    sx, sy = at  # the shoulders, under the chin
    if style == "tie":
        knot = sprites.box(x, y, sx + 0.03, sy - 0.005, 0.022, 0.018, 0.006)
        blade = sprites.polygon(
            x,
            y,
            [
                (sx + 0.012, sy - 0.02),
                (sx + 0.048, sy - 0.02),
                (sx + 0.055, sy - 0.17),
                (sx + 0.03, sy - 0.2),
                (sx + 0.005, sy - 0.17),
            ],  # fmt: skip
        )
        return [(blade, color), (knot, sprites.shade(color, 0.8))]
    if style == "bow tie":
        wings = [
            sprites.polygon(
                x,
                y,
                [(sx + 0.03, sy - 0.01), (sx + 0.03 + d, sy + 0.02), (sx + 0.03 + d, sy - 0.04)],
            )  # fmt: skip
            for d in (-0.06, 0.06)
        ]
        return [
            *((w, color) for w in wings),
            (sprites.circle(x, y, sx + 0.03, sy - 0.01, 0.014), color),
        ]
    wrap = sprites.capsule(x, y, (sx - 0.085, sy + 0.01), (sx + 0.085, sy + 0.01), 0.038)
    tail = sprites.capsule(x, y, (sx - 0.05, sy), (sx - 0.075, sy - 0.19), 0.032)
    return [(tail, sprites.shade(color, 0.85)), (wrap, color)]


def _paint(rgb: torch.Tensor, alpha: torch.Tensor, parts: Parts, px: float) -> None:
    """Paint parts over the sheet with one dark outline around them all, as sprites have."""
    if not parts:
        return
    shape = (rgb.shape[0], rgb.shape[2], rgb.shape[3])
    union = torch.full(shape, 1e3)
    for sdf, _ in parts:
        union = torch.minimum(union, sdf.expand(shape))
    ring = (0.5 + max(1.2, px * 0.014) - union * px).clamp(0, 1)[:, None]
    rgb.lerp_(torch.from_numpy(OUTLINE).view(1, 3, 1, 1).expand_as(rgb), ring)
    for sdf, color in parts:
        cover = (0.5 - sdf.expand(shape) * px).clamp(0, 1)[:, None]
        fill = torch.from_numpy(np.asarray(color, dtype=np.float32)).view(1, 3, 1, 1)
        rgb.lerp_(fill.expand_as(rgb), cover)
    alpha.copy_(torch.maximum(alpha, ring))


# ---------------------------------------------------------------------------- held things


def _hold(
    rgb: torch.Tensor,
    alpha: torch.Tensor,
    thing: Held,
    pose: sprites.Pose,
    xs: torch.Tensor,
    ys: torch.Tensor,
) -> None:
    """Composite the held pictogram, its lower middle in the near hand, over every pose."""
    try:
        tex = torch.from_numpy(pictograms.raster(thing.icon, HELD_PX).transpose(2, 0, 1).copy())
    except pictograms.PictogramError:
        return
    hx, hy = _near_hand(pose)
    half = BIG_HELD.get(thing.icon, HELD_SIZE) / 2
    shape = (rgb.shape[0], ys.shape[1], xs.shape[2])
    gx = ((xs - hx - 0.02) / half).expand(shape)
    gy = (-(ys - hy - 0.55 * half) / half).expand(shape)
    src = F.grid_sample(
        tex[None].expand(rgb.shape[0], -1, -1, -1),
        torch.stack([gx, gy], dim=-1),
        mode="bilinear",
        padding_mode="zeros",
        align_corners=False,
    )
    a_src = src[:, 3:4]
    out_alpha = a_src + alpha * (1 - a_src)
    premult = src[:, :3] + rgb * alpha * (1 - a_src)
    rgb.copy_(torch.where(out_alpha > 1e-6, premult / out_alpha.clamp(min=1e-6), rgb))
    alpha.copy_(out_alpha)


def _near_hand(pose: sprites.Pose) -> tuple[torch.Tensor, torch.Tensor]:
    """Where the near hand is in each pose: the end of ``person``'s near arm (0.17 + 0.17)."""
    shoulder_x, shoulder_y = pose.sway + pose.lean, 0.77 + pose.bob
    upper, lower = pose.arms[0]
    mid_x = shoulder_x + 0.17 * torch.sin(upper)
    mid_y = shoulder_y - 0.17 * torch.cos(upper)
    return mid_x + 0.17 * torch.sin(lower), mid_y - 0.17 * torch.cos(lower)
