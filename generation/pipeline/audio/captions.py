"""Subtitles for spoken lines, burnt into the frames while each line is heard.

A subtitle sits centred in the lower part of the picture, its bottom edge at 76% of the height:
clear of the bottom 12% where the feed lays its caption and buttons over the video, of the
on-screen caption the renderer draws from 78% down, and of the corners where the watermark
hops. Text size follows the frame's short side, so 9:16, 16:9 and 1:1 read alike on a phone.
A line too long for two rows is shown in pages, each on screen for its share of the line;
the speaker's name, when the prompt gives one, leads the first page in that voice's colour.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from generation.pipeline.audio.speech import Cue

BOTTOM = 0.76  # the subtitle's bottom edge, as a fraction of the frame height
MAX_WIDTH = 0.8  # of the frame width, which keeps the box out of the watermark's corners
ROWS_PER_PAGE = 2
TEXT_SIZE = 0.06  # of the frame's short side
# The renderer's caption fonts: DejaVu covers Cyrillic and Greek; Pillow's own font otherwise.
FONTS = ("DejaVuSans-Bold.ttf", "DejaVuSans.ttf")
TEXT_COLOUR = (255, 255, 255, 255)
BOX_COLOUR = (12, 12, 22, 165)
# Each speaker's name in its own colour, so a reader tells the two voices apart at a glance.
NAME_COLOURS = ((255, 209, 102, 255), (128, 212, 255, 255))

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


def burn_captions(frames: np.ndarray, cues: list[Cue], fps: int) -> None:
    """Draw each cue's text on the frames shown between its start and end, in place."""
    if not cues or frames.size == 0:
        return
    count, height, width, _ = frames.shape
    font = _font(max(14, round(min(height, width) * TEXT_SIZE)))
    for cue in cues:
        for rows, start_s, end_s in _pages(cue, font, width):
            first = max(math.ceil(start_s * fps - 1e-6), 0)
            last = min(math.floor(end_s * fps + 1e-6), count - 1)
            if first > last:
                continue
            name = _name(cue) if rows[0].startswith(_name(cue)) else ""
            rgb, alpha = _subtitle(rows, name, cue.speaker, font)
            _blend(frames[first : last + 1], rgb, alpha, height, width)


def _name(cue: Cue) -> str:
    return f"{cue.who.capitalize()}: " if cue.who else ""


def _pages(cue: Cue, font: Font, width: int) -> list[tuple[list[str], float, float]]:
    """(rows, start, end) per page; a page is on screen for its share of the characters."""
    text = " ".join(_drawable(cue.text, font).split())
    if not text:
        return []
    rows = _wrap(_name(cue) + text, font, width * MAX_WIDTH * 0.92)
    pages = [rows[i : i + ROWS_PER_PAGE] for i in range(0, len(rows), ROWS_PER_PAGE)]
    if len(pages) > 1 and len(pages[-1]) == 1:
        pages[-2:] = [pages[-2] + pages[-1]]  # three rows once beat a page with one short row
    sizes = [sum(len(row) for row in page) for page in pages]
    out: list[tuple[list[str], float, float]] = []
    start = cue.start_s
    for page, size in zip(pages, sizes, strict=True):
        end = start + (cue.end_s - cue.start_s) * size / sum(sizes)
        out.append((page, start, end))
        start = end
    return out


def _subtitle(
    rows: list[str], name: str, speaker: int, font: Font
) -> tuple[np.ndarray, np.ndarray]:
    """The subtitle as float RGB (h, w, 3) and alpha (h, w, 1), drawn once per page."""
    ascent, descent = font.getmetrics()
    row_h = ascent + descent + max(2, ascent // 6)
    pad_x, pad_y = max(8, ascent // 2), max(6, ascent // 3)
    box_w = int(max(font.getlength(row) for row in rows)) + 2 * pad_x
    box_h = row_h * len(rows) + 2 * pad_y
    image = Image.new("RGBA", (box_w, box_h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, box_w - 1, box_h - 1), radius=row_h // 2, fill=BOX_COLOUR)
    for i, row in enumerate(rows):
        x = (box_w - font.getlength(row)) / 2
        y = pad_y + i * row_h
        if i == 0 and name:
            draw.text((x, y), name, font=font, fill=NAME_COLOURS[speaker % len(NAME_COLOURS)])
            x += font.getlength(name)
            row = row[len(name) :]
        draw.text((x, y), row, font=font, fill=TEXT_COLOUR)
    pixels = np.asarray(image, dtype=np.float32) / 255.0
    return pixels[:, :, :3] * 255.0, pixels[:, :, 3:4]


def _blend(frames: np.ndarray, rgb: np.ndarray, alpha: np.ndarray, height: int, width: int) -> None:
    box_h, box_w = alpha.shape[:2]
    top = max(round(height * BOTTOM) - box_h, 0)
    left = max((width - box_w) // 2, 0)
    box_h, box_w = min(box_h, height - top), min(box_w, width - left)
    rgb, alpha = rgb[:box_h, :box_w], alpha[:box_h, :box_w]
    region = frames[:, top : top + box_h, left : left + box_w].astype(np.float32)
    region *= 1.0 - alpha
    region += rgb * alpha
    frames[:, top : top + box_h, left : left + box_w] = np.clip(region + 0.5, 0, 255).astype(
        np.uint8
    )


def _wrap(text: str, font: Font, max_width: float) -> list[str]:
    """Words into rows no wider than ``max_width``; a word wider than a row is split."""
    rows: list[str] = []
    row = ""
    for word in text.split():
        while font.getlength(word) > max_width and len(word) > 1:
            cut = max(
                (n for n in range(1, len(word)) if font.getlength(word[:n]) <= max_width),
                default=1,
            )
            if row:
                rows.append(row)
                row = ""
            rows.append(word[:cut])
            word = word[cut:]
        candidate = f"{row} {word}" if row else word
        if row and font.getlength(candidate) > max_width:
            rows.append(row)
            row = word
        else:
            row = candidate
    if row:
        rows.append(row)
    return rows


def _font(size: int) -> Font:
    for name in FONTS:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def _drawable(text: str, font: Font) -> str:
    """Drop characters the font would draw as empty boxes (emoji, CJK in a Latin font)."""
    missing = bytes(font.getmask("\U0010fffd"))
    return "".join(c for c in text if c.isspace() or bytes(font.getmask(c)) != missing)
