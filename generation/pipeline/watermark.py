"""A visible watermark, "Sora · @handle", that hops between corners every two seconds.

The text is rendered once with PIL; each two-second run of frames then gets one vectorised
alpha blend over a small box, so watermarking a clip costs a few milliseconds. Moving the mark
means a single crop cannot remove it.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

HOP_SECONDS = 2
OPACITY = 0.62
# Diagonal hops: the next corner is never next to the last one, so no one crop keeps the video
# clean for more than two seconds.
CORNERS = ("top-left", "bottom-right", "top-right", "bottom-left")


def apply_watermark(
    frames: np.ndarray, *, handle: str, fps: int, site_name: str = "Sora"
) -> np.ndarray:
    """Blend the watermark into ``frames`` (uint8, (T, H, W, 3)) in place and return them."""
    if frames.ndim != 4 or frames.shape[3] != 3 or frames.dtype != np.uint8:
        raise ValueError("Frames must be a uint8 array shaped (frames, height, width, 3).")
    if fps < 1:
        raise ValueError("The frame rate must be at least 1 frame per second.")
    total, height, width = frames.shape[:3]
    color, alpha = render_mark(watermark_text(site_name, handle), min(height, width))
    box_h, box_w = alpha.shape[:2]
    if box_h >= height or box_w >= width:
        return frames  # a frame too small to hold the mark stays as it is
    margin = max(4, round(min(height, width) * 0.03))
    hop = HOP_SECONDS * fps
    for index, start in enumerate(range(0, total, hop)):
        top, left = corner_origin(
            CORNERS[index % len(CORNERS)], (height, width), (box_h, box_w), margin
        )
        region = frames[start : start + hop, top : top + box_h, left : left + box_w]
        _blend(region, color, alpha)
    return frames


def watermark_text(site_name: str, handle: str) -> str:
    handle = handle.strip().lstrip("@")
    return f"{site_name} · @{handle}" if handle else site_name


def render_mark(text: str, frame_side: int) -> tuple[np.ndarray, np.ndarray]:
    """White text with a dark edge: colour (h, w, 3) float32 and alpha (h, w, 1) float32."""
    font = ImageFont.load_default(size=max(10, round(frame_side * 0.042)))
    left, top, right, bottom = font.getbbox(text, stroke_width=2)
    size = (right - left + 4, bottom - top + 4)
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.text(
        (2 - left, 2 - top),
        text,
        font=font,
        fill=(255, 255, 255, 255),
        stroke_width=2,
        stroke_fill=(0, 0, 0, 160),
    )
    rgba = np.asarray(image, dtype=np.float32) / 255
    return rgba[:, :, :3], rgba[:, :, 3:] * OPACITY


def corner_origin(
    corner: str, frame: tuple[int, int], box: tuple[int, int], margin: int
) -> tuple[int, int]:
    """(top, left) of a box of size ``box`` in ``corner`` of a frame, ``margin`` px inside."""
    (height, width), (box_h, box_w) = frame, box
    top = margin if corner.startswith("top") else height - box_h - margin
    left = margin if corner.endswith("left") else width - box_w - margin
    return top, left


def _blend(region: np.ndarray, color: np.ndarray, alpha: np.ndarray) -> None:
    mixed = region.astype(np.float32)
    mixed += (color * 255 - mixed) * alpha
    np.rint(mixed, out=mixed)
    region[...] = mixed.astype(np.uint8)
