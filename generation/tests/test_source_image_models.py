"""A picture uploaded on Create reaches a generative model as its first frame (``image=``), or,
with a model that can't start from a picture, the creator is told it was not used.

Tiny random-weights pipelines of the real classes render noise, so these tests check the mode,
the pipeline class and that the picture changes the frames, never looks.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("diffusers", reason="diffusers is not installed")

from generation.describe import plan_sentences  # noqa: E402
from generation.pipeline.base import CameoImage, VideoRequest  # noqa: E402
from generation.pipeline.diffusers_backend import DiffusersBackend, RenderOptions  # noqa: E402
from generation.pipeline.tiny_models import save_tiny_model  # noqa: E402

TINY = RenderOptions(steps=2, max_side=32, max_frames=9)


def _picture(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 90), colour).save(out, format="PNG")
    return out.getvalue()


def _render(backend: DiffusersBackend, **kwargs: Any) -> Any:
    request = VideoRequest(prompt="a red fox in the snow", seed=7, aspect="1:1", **kwargs)
    return backend.generate(request, on_progress=lambda *_: None, should_cancel=lambda: False)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


def test_an_image_to_video_model_starts_from_the_uploaded_picture(folder: Path) -> None:
    backend = DiffusersBackend(
        str(save_tiny_model("wan-i2v", folder / "wan-i2v")), device="cpu", options=TINY
    )
    red = _render(backend, first_frame=_picture((200, 30, 30)))
    blue = _render(backend, first_frame=_picture((30, 30, 200)))
    assert red.plan["mode"] == "image-to-video"
    assert red.plan["pipeline"] == "WanImageToVideoPipeline"
    assert not np.array_equal(red.frames, blue.frames)  # same seed: only the picture differs
    assert not any("picture was not used" in note for note in red.notes)


def test_a_text_only_model_says_the_picture_was_not_used(folder: Path) -> None:
    backend = DiffusersBackend(
        str(save_tiny_model("wan-t2v", folder / "wan-t2v")), device="cpu", options=TINY
    )
    result = _render(backend, first_frame=_picture((200, 30, 30)))
    assert result.plan["mode"] == "text-to-video"
    assert "This model has no image-to-video mode, so your picture was not used." in result.notes


def test_with_a_picture_and_a_cameo_the_details_say_the_picture_started_it(folder: Path) -> None:
    backend = DiffusersBackend(
        str(save_tiny_model("wan-i2v", folder / "wan-i2v-2")), device="cpu", options=TINY
    )
    face = np.full((64, 64, 3), (30, 200, 30), dtype=np.uint8)
    cameo = CameoImage(name="alice", image=face)
    both = _render(backend, first_frame=_picture((200, 30, 30)), cameos=(cameo,))
    assert both.plan["starts_from"] == "picture" and both.plan["cameo"] is None
    assert "Mode: image-to-video, starting from your picture." in plan_sentences(both.plan)
    assert "cameo of alice" not in " ".join(plan_sentences(both.plan))

    alone = _render(backend, cameos=(cameo,))
    assert alone.plan["starts_from"] == "cameo" and alone.plan["cameo"] == "alice"
    assert "Mode: image-to-video, starting from the cameo of alice." in plan_sentences(alone.plan)
