"""The one way to run a video backend: ``backend.generate(request, *, on_progress, should_cancel)``.

Every backend (the built-in renderer, the diffusers backend) takes a ``VideoRequest`` and returns
a ``VideoResult`` holding uint8 RGB frames, and sound when the backend makes its own (LTX-2).
The soundtrack for backends without sound, captions, encoding, watermarking and provenance happen
after, in the job, so they are the same for every backend.
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
AUDIO_RATE = 48_000  # every soundtrack is mixed and encoded at 48 kHz stereo


class Sound:
    """What a person chose for a video's sound on Create."""

    ON = "on"  # ambience, music, effects and spoken lines (the default)
    NO_MUSIC = "no_music"  # everything but the music bed
    OFF = "off"  # no audio stream at all

    CHOICES: tuple[str, ...] = (ON, NO_MUSIC, OFF)


ProgressCallback = Callable[[float, str], None]
CancelCheck = Callable[[], bool]


class RenderCancelled(Exception):  # noqa: N818 - reads as an event, like StopIteration
    """Raised by a backend when ``should_cancel()`` turned true between steps or frame batches."""


@dataclass(frozen=True)
class CameoImage:
    """A cameo's reference image handed to a backend (RGB uint8, HxWx3) and its display name.

    ``instructions`` are the owner's own words for every video with them ("always wearing a
    red hat"), and ``handle`` names the owner where a backend reports what it did with them.
    """

    name: str
    image: Any  # numpy.ndarray, kept as Any so this module imports without numpy
    handle: str = ""
    instructions: str = ""


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
    sound: str = Sound.ON
    # The creator's words alone when ``prompt`` also carries the cameos' instructions (for
    # models that read text); the built-in renderer plans from these and draws the
    # instructions on the cameo people itself.
    creator_prompt: str = ""
    # A picture the person uploaded (JPEG, PNG or WebP bytes, checked on Create) to start from:
    # an image-to-video model's first frame, the built-in renderer's background plate.
    first_frame: bytes | None = None

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
        if self.sound not in Sound.CHOICES:
            raise ValueError("The sound must be on, music off, or silent.")


@dataclass(frozen=True)
class SoundEvent:
    """Something on screen that makes a sound, at the frame it happens.

    Backends that know their own timeline (the built-in renderer) list these, so an effect lands
    on the frame where the sprite lands instead of being guessed from the pixels afterwards.
    ``kind`` is one of "thump" (a landing), "lightning" (thunder follows after a delay),
    "splash" (something hits water) and "pop" (confetti); ``strength`` is 0..1.
    """

    kind: str
    frame: int
    strength: float = 1.0


@dataclass
class AudioTrack:
    """A soundtrack: float32 samples shaped (samples, channels) in [-1, 1] at ``sample_rate``.

    ``source`` says who made it ("builtin" for the mixer, or a backend's name when the model
    makes sound with the picture); ``summary`` says what is in it in words, for the job page.
    """

    samples: np.ndarray
    sample_rate: int
    source: str
    summary: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def duration_s(self) -> float:
        return self.samples.shape[0] / self.sample_rate


@dataclass
class VideoResult:
    """Rendered frames plus what the job records about how they were made."""

    frames: np.ndarray  # uint8, shape (T, H, W, 3), RGB
    fps: int
    backend: str
    model_hash: str = ""
    plan: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    events: list[SoundEvent] = field(default_factory=list)
    audio: AudioTrack | None = None  # set by a backend that makes its own sound


class VideoBackend(Protocol):
    name: str

    def generate(
        self,
        request: VideoRequest,
        *,
        on_progress: ProgressCallback,
        should_cancel: CancelCheck,
    ) -> VideoResult: ...
