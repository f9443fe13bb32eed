"""The built-in renderer's background plate: the uploaded picture, cover-fitted, slowly moving."""

from __future__ import annotations

import io

import numpy as np
import torch
from PIL import Image

from generation.pipeline.base import VideoRequest
from generation.pipeline.builtin_plate import build_plate, cover_fit, draw_plate


def _gradient_png(size: tuple[int, int]) -> bytes:
    width, height = size
    xs = np.linspace(0, 255, width, dtype=np.float32)[None, :].repeat(height, axis=0)
    ys = np.linspace(0, 255, height, dtype=np.float32)[:, None].repeat(width, axis=1)
    rgb = np.stack([xs, ys, 255 - xs], axis=-1).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, format="PNG")
    return out.getvalue()


def _frames(request: VideoRequest, picks: list[int]) -> np.ndarray:
    plate = build_plate(request)
    assert plate is not None
    width, height = request.size
    out = []
    for index in picks:
        canvas = torch.zeros((1, 3, height, width))
        draw_plate(canvas, plate, slice(index, index + 1))
        out.append((canvas[0].permute(1, 2, 0).numpy() * 255).round().astype(np.uint8))
    return np.stack(out)


def test_the_first_frame_is_the_whole_picture_cover_fitted_to_the_frame() -> None:
    picture = _gradient_png((1200, 600))  # landscape into a portrait frame: the sides are cut
    request = VideoRequest(prompt="a dog", seed=1, aspect="9:16", first_frame=picture)
    first = _frames(request, [0])[0]
    with Image.open(io.BytesIO(picture)) as image:
        expected = cover_fit(np.asarray(image.convert("RGB")), request.size)
    assert first.shape == expected.shape == (854, 480, 3)
    assert np.abs(first.astype(int) - expected.astype(int)).mean() < 4


def test_the_camera_moves_in_slowly_and_the_same_seed_moves_it_the_same_way() -> None:
    request = VideoRequest(prompt="a dog", seed=3, first_frame=_gradient_png((640, 640)))
    start, middle, end = _frames(request, [0, 48, 95]).astype(int)
    step = np.abs(_frames(request, [1])[0].astype(int) - start).mean()
    assert 0 < step < 2  # slow: one frame barely changes
    assert np.abs(end - start).mean() > np.abs(middle - start).mean() > 2
    assert np.array_equal(_frames(request, [95])[0], end.astype(np.uint8))


def test_a_request_without_a_picture_has_no_plate() -> None:
    assert build_plate(VideoRequest(prompt="a dog", seed=1)) is None
