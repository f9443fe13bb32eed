"""The video worker's start-up: what it loads before the first job, and what it says if it can't."""

from __future__ import annotations

import dataclasses
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from generation.pipeline import pictograms
from generation.pipeline.base import VideoRequest
from generation.pipeline.builtin import BuiltinBackend
from generation.worker import warm_pictograms


@dataclasses.dataclass(frozen=True)
class SmallRequest(VideoRequest):
    """A 96x160 request, so the render in this test takes a moment."""

    @property
    def size(self) -> tuple[int, int]:
        return (96, 160)


@pytest.fixture
def broken_icons(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the pictogram data whose icon file is corrupt; the shipped data is untouched."""
    copy = tmp_path / "data"
    shutil.copytree(pictograms.DATA_DIR, copy)
    (copy / pictograms.ICONS_FILE).write_bytes(b"this is not gzip")
    monkeypatch.setattr(pictograms, "DATA_DIR", copy)
    pictograms.reload()
    yield copy / pictograms.ICONS_FILE
    pictograms.reload()


def test_worker_start_names_a_corrupt_pictogram_file_and_videos_still_render(
    broken_icons: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        warm_pictograms()
        warnings = [r.getMessage() for r in caplog.records if r.name == "generation.worker"]
        request = SmallRequest(
            prompt="a cat knocking a cup off a table in a kitchen", seed=3, duration_s=4, fps=6
        )
        result = BuiltinBackend().generate(
            request, on_progress=lambda *_: None, should_cancel=lambda: False
        )

    assert any(str(broken_icons) in w and "is corrupt" in w for w in warnings)
    # The planner still asks for the cup; the renderer leaves it out and says so.
    assert "Left out of the video: There is no pictogram named 'hot-beverage'" in caplog.text
    assert result.frames.shape == (24, 160, 96, 3)
    assert float(result.frames.std()) > 10  # a drawn scene, not a blank frame


def test_worker_start_with_good_pictograms_logs_nothing_about_them(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="generation.worker"):
        warm_pictograms()

    assert [r.getMessage() for r in caplog.records if r.name == "generation.worker"] == []
    assert pictograms.find("dog") is not None
    assert np.isfinite(pictograms.raster("dog", 32)).all()


def test_a_worker_keeps_freed_memory_for_the_next_clip_once_per_process() -> None:
    import ctypes.util
    import sys

    from generation.worker import keep_freed_memory

    if not sys.platform.startswith("linux") or ctypes.util.find_library("c") is None:
        pytest.skip("glibc's allocator settings exist on Linux only")
    first = keep_freed_memory()
    assert first is True  # this machine's C library is glibc, which has mallopt
    assert keep_freed_memory() is first  # a process-wide setting, made once


def test_the_planner_is_warm_after_the_backend_loads() -> None:
    from generation.pipeline import scene

    BuiltinBackend().load()
    assert scene._anchor_vectors.cache_info().currsize == 1
