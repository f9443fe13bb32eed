"""Contact sheets: a few frames of a rendered corpus prompt side by side, under the prompt.

A person flips through them to see whether what the plan says it drew is on screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from generation.fidelity.score import Row
from generation.pipeline.base import Sound, VideoRequest

SHEET_COUNT = 12
SHEET_DURATION_S = 4
FRAME_SHARES = (0.0, 0.5, 0.9)  # where in the clip each frame of a sheet is taken
THUMB_WIDTH = 240
TITLE_HEIGHT = 28
MARGIN = 6


def spread(rows: Sequence[Row], count: int = SHEET_COUNT) -> list[Row]:
    """``count`` evenly spaced rows, so every part of the corpus (it is grouped by topic) shows."""
    if count >= len(rows):
        return list(rows)
    return [rows[i * len(rows) // count] for i in range(count)]


def render_sheet(backend: Any, row: Row, index: int, folder: Path) -> Path:
    """Render the prompt (4 s, 9:16, silent) and save its contact sheet as a PNG."""
    request = VideoRequest(
        prompt=row.prompt, seed=index, duration_s=SHEET_DURATION_S, aspect="9:16", sound=Sound.OFF
    )
    result = backend.generate(request, on_progress=lambda *a: None, should_cancel=lambda: False)
    frames = [result.frames[int(share * (len(result.frames) - 1))] for share in FRAME_SHARES]
    path = folder / f"sheet-{index:02d}.png"
    contact_sheet(frames, row.prompt).save(path)
    return path


def contact_sheet(frames: Sequence[Any], title: str) -> Image.Image:
    """Frames (H x W x 3 uint8 arrays) scaled to one width, side by side under a title line."""
    thumbs = [_thumb(frame) for frame in frames]
    height = max(thumb.height for thumb in thumbs)
    width = sum(thumb.width for thumb in thumbs) + MARGIN * (len(thumbs) + 1)
    sheet = Image.new("RGB", (width, height + TITLE_HEIGHT + MARGIN), "white")
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default(size=14)
    draw.text(
        (MARGIN, MARGIN), _fit(draw, title, font, width - 2 * MARGIN), fill="black", font=font
    )
    x = MARGIN
    for thumb in thumbs:
        sheet.paste(thumb, (x, TITLE_HEIGHT))
        x += thumb.width + MARGIN
    return sheet


def _thumb(frame: Any) -> Image.Image:
    image = Image.fromarray(frame)
    height = round(image.height * THUMB_WIDTH / image.width)
    return image.resize((THUMB_WIDTH, height), Image.Resampling.BILINEAR)


def _fit(draw: ImageDraw.ImageDraw, text: str, font: Any, width: int) -> str:
    """The title, cut with an ellipsis where it would run past the sheet's edge."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text.rstrip() + "…"
