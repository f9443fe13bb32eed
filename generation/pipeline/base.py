"""The one way to run a video backend: ``backend.generate(request, *, on_progress, should_cancel)``.

Every backend (the built-in renderer, the diffusers backend) takes a ``VideoRequest`` and returns
a ``VideoResult`` holding uint8 RGB frames. Encoding, watermarking and provenance happen after,
in the job, so they are the same for every backend.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import numpy as np

ASPECT_SIZES: dict[str, tuple[int, int]] = {
    # (width, height); both even, as yuv420p H.264 needs.
    "9:16": (480, 854),
    "16:9": (854, 480),
    "1:1": (640, 640),
}
DURATIONS: tuple[int, ...] = (4, 8, 12)
FPS = 24
MAX_SEED = 2**31 - 1

ProgressCallback = Callable[[float, str], None]
CancelCheck = Callable[[], bool]


class RenderCancelled(Exception):  # noqa: N818 - reads as an event, like StopIteration
    """Raised by a backend when ``should_cancel()`` turned true between steps or frame batches."""


@dataclass(frozen=True)
class CameoImage:
    """A cameo's reference image handed to a backend (RGB uint8, HxWx3) and its display name."""

    name: str
    image: Any  # numpy.ndarray, kept as Any so this module imports without numpy


@dataclass(frozen=True)
class VideoRequest:
    """What to render. The same request with the same seed gives the same frames."""

    prompt: str
    seed: int
    duration_s: int = 4
    aspect: str = "9:16"
    fps: int = FPS
    creator_handle: str = ""
    cameos: tuple[CameoImage, ...] = ()

    @property
    def size(self) -> tuple[int, int]:
        return ASPECT_SIZES[self.aspect]

    @property
    def num_frames(self) -> int:
        return self.duration_s * self.fps

    def check_inputs(self) -> None:
        """Raise ``ValueError`` with a sentence a person can read when the request is unusable."""
        if not self.prompt.strip():
            raise ValueError("The prompt is empty; describe the video you want.")
        if self.aspect not in ASPECT_SIZES:
            raise ValueError(f"Unknown aspect {self.aspect!r}; choose 9:16, 16:9 or 1:1.")
        if self.duration_s not in DURATIONS:
            raise ValueError("The duration must be 4, 8 or 12 seconds.")
        if not 0 <= self.seed <= MAX_SEED:
            raise ValueError(f"The seed must be between 0 and {MAX_SEED}.")


@dataclass
class VideoResult:
    """Rendered frames plus what the job records about how they were made."""

    frames: np.ndarray  # uint8, shape (T, H, W, 3), RGB
    fps: int
    backend: str
    model_hash: str = ""
    plan: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


class VideoBackend(Protocol):
    name: str

    def generate(
        self,
        request: VideoRequest,
        *,
        on_progress: ProgressCallback,
        should_cancel: CancelCheck,
    ) -> VideoResult: ...
