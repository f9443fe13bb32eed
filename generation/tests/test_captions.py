"""Subtitles for spoken lines: when they show, where they sit, and how they read."""

from __future__ import annotations

import numpy as np
import pytest

from generation.pipeline.audio.captions import NAME_COLOURS, burn_captions
from generation.pipeline.audio.speech import Cue
from generation.pipeline.base import ASPECT_SIZES

FPS = 24


def _frames(aspect: str, seconds: float = 2.0) -> np.ndarray:
    width, height = ASPECT_SIZES[aspect]
    frames = np.zeros((round(seconds * FPS), height, width, 3), np.uint8)
    frames[..., 1] = 140  # a plain green picture, so any change is the subtitle
    return frames


def _cue(text: str, start_s: float, end_s: float, *, speaker: int = 0, who: str = "") -> Cue:
    return Cue(text, speaker, start_s, end_s, np.zeros(1, np.float32), who)


def _changed(frames: np.ndarray, before: np.ndarray) -> np.ndarray:
    return np.any(frames != before, axis=-1)  # (T, H, W)


def test_it_shows_a_subtitle_only_while_its_line_is_heard() -> None:
    frames = _frames("9:16")
    before = frames.copy()

    burn_captions(frames, [_cue("Best day ever!", 0.5, 1.25)], FPS)

    shown = [int(t) for t in np.flatnonzero(_changed(frames, before).any(axis=(1, 2)))]
    assert shown == list(range(12, 31))  # frames at 0.5 s .. 1.25 s
    assert _changed(frames, before)[20].sum() > 2000  # a readable box, not a speck


@pytest.mark.parametrize("aspect", ["9:16", "16:9", "1:1"])
def test_the_subtitle_keeps_clear_of_the_feed_controls_and_the_watermark_corners(
    aspect: str,
) -> None:
    frames = _frames(aspect)
    before = frames.copy()
    text = "Look at all the beautiful stars above the sea tonight, my friend!"

    burn_captions(frames, [_cue(text, 0.0, 1.9, who="dog")], FPS)

    _, height, width, _ = frames.shape
    rows, cols = np.nonzero(_changed(frames, before).any(axis=0))
    assert rows.max() < height * 0.88  # the bottom 12% is the feed's
    assert rows.min() > height * 0.45  # the lower part of the picture
    assert cols.min() >= width * 0.1 and cols.max() <= width * 0.9  # away from the corners
    text_height = rows.max() - rows.min()
    assert 0.04 * min(width, height) < text_height < 0.3 * height


def test_the_speaker_is_named_in_their_voice_colour() -> None:
    frames = _frames("1:1")

    burn_captions(
        frames,
        [
            _cue("hi", 0.0, 0.5, speaker=0, who="dog"),
            _cue("hello", 1.0, 1.5, speaker=1, who="cat"),
        ],
        FPS,
    )

    def has_colour(frame: np.ndarray, colour: tuple[int, ...]) -> bool:
        distance = np.abs(frame.astype(int) - np.array(colour[:3])).sum(axis=-1)
        return bool((distance < 40).sum() > 30)

    assert has_colour(frames[6], NAME_COLOURS[0]) and not has_colour(frames[6], NAME_COLOURS[1])
    assert has_colour(frames[30], NAME_COLOURS[1]) and not has_colour(frames[30], NAME_COLOURS[0])


def test_a_long_line_is_shown_in_pages_that_share_its_time() -> None:
    frames = _frames("9:16", seconds=6.0)
    before = frames.copy()
    text = " ".join(["a very long line about the sea and the sky and the sun"] * 3)

    burn_captions(frames, [_cue(text, 0.0, 6.0)], FPS)

    changed = _changed(frames, before)
    first, last = changed[10], changed[-10]
    assert np.any(first != last)  # a different page later in the line
    for frame in (first, last):
        rows = np.flatnonzero(frame.any(axis=1))
        assert rows.max() - rows.min() < 0.2 * frames.shape[1]  # at most three rows at a time


def test_a_line_the_font_cannot_draw_leaves_the_picture_untouched() -> None:
    frames = _frames("16:9")
    before = frames.copy()

    burn_captions(frames, [_cue("🎉🎉", 0.0, 1.0)], FPS)

    assert np.array_equal(frames, before)
