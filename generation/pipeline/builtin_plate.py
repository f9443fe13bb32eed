"""The built-in renderer's background plate: a picture the person uploaded, behind the subjects.

The picture is cover-fitted to the frame (scaled until it fills it, the overflow cropped evenly),
once per clip, at a little more than the frame's resolution so the camera can move in without
blurring. Each frame then shows a window of it (a slow Ken Burns move: an eased zoom of
``ZOOM`` over the clip, drifting towards a corner the seed picks), sampled with one
``grid_sample`` per batch. The first frame is the whole cover-fitted picture.

With a plate the painted backdrop (sky, hills, scenery, foreground strips) is covered, and the
vignette is left off, so the picture keeps its own colours; the drawn subjects, weather and
caption go over it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch
import torch.nn.functional as F  # noqa: N812 - torch's own convention
from PIL import Image, ImageOps

if TYPE_CHECKING:
    from generation.pipeline.base import VideoRequest

ZOOM = 0.12  # the camera moves in this much (12%) over the clip
DRIFT = 0.8  # share of the room the zoom leaves that the window drifts across


@dataclass(frozen=True)
class Plate:
    """The cover-fitted picture and where each frame's window into it sits."""

    pixels: torch.Tensor  # (1, 3, h, w) float32, 0..1 like the rest of the canvas
    theta: torch.Tensor  # (T, 2, 3) float32: each frame's affine window, in grid_sample units


def picture_rgb(data: bytes) -> np.ndarray:
    """Picture bytes (JPEG, PNG or WebP) as an upright RGB uint8 array."""
    with Image.open(io.BytesIO(data)) as picture:
        return np.asarray(ImageOps.exif_transpose(picture.convert("RGB")), dtype=np.uint8)


def cover_fit(picture: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Scale ``picture`` to fill ``size`` (width, height), cropping the overflow evenly."""
    fitted = ImageOps.fit(Image.fromarray(picture), size, Image.Resampling.LANCZOS)
    return np.asarray(fitted, dtype=np.uint8)


def _ease(u: np.ndarray) -> np.ndarray:
    return u * u * (3 - 2 * u)


def ken_burns(num_frames: int, seed: int) -> np.ndarray:
    """(T, 2, 3) affine windows: an eased zoom in, drifting towards a corner the seed picks."""
    u = _ease(np.linspace(0.0, 1.0, num_frames))
    zoom = 1.0 + ZOOM * u
    corner = np.random.default_rng(seed).choice([-1.0, 1.0], size=2)
    room = 1.0 - 1.0 / zoom  # how far the window's centre may move and stay inside the picture
    theta = np.zeros((num_frames, 2, 3), dtype=np.float32)
    theta[:, 0, 0] = theta[:, 1, 1] = 1.0 / zoom
    theta[:, 0, 2] = corner[0] * room * DRIFT
    theta[:, 1, 2] = corner[1] * room * DRIFT
    return theta


def build_plate(request: VideoRequest) -> Plate | None:
    """The plate for a request that carries a picture; None without one."""
    if request.first_frame is None:
        return None
    width, height = request.size
    # Fitted a zoom's worth larger, so the last frame still has a pixel for each pixel shown.
    fitted = cover_fit(
        picture_rgb(request.first_frame),
        (round(width * (1 + ZOOM)), round(height * (1 + ZOOM))),
    )
    pixels = torch.from_numpy(fitted.astype(np.float32) / 255).permute(2, 0, 1).unsqueeze(0)
    theta = torch.from_numpy(ken_burns(request.num_frames, request.seed))
    return Plate(pixels=pixels.contiguous(), theta=theta)


def draw_plate(canvas: torch.Tensor, plate: Plate | None, frames: slice) -> None:
    """Paint each frame's window of the plate over the whole canvas (B, 3, H, W)."""
    if plate is None:
        return
    batch, _, height, width = canvas.shape
    theta = plate.theta[frames][:batch]
    grid = F.affine_grid(theta, [batch, 3, height, width], align_corners=False)
    source = plate.pixels.expand(batch, -1, -1, -1)
    canvas.copy_(F.grid_sample(source, grid, mode="bilinear", align_corners=False))


def plate_light(size: tuple[int, int]) -> torch.Tensor:
    """No vignette over a photo: the light map (times 255, as ``_finish`` takes it) that leaves
    every pixel as it is."""
    width, height = size
    return torch.full((1, height, width), 255.0)
