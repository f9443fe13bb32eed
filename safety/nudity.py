"""Frame moderation: NudeNet's detector, run as one ``FrameCheck`` in the post-render scan.

NudeNet 3.4 ships its 320 x 320 YOLO detector (``320n.onnx``) inside the wheel and runs it
through onnxruntime, so nothing is downloaded. Both are imported inside ``detector()``: the web
process never loads them, and a worker loads the model once and keeps it for every later job.

Only exposed sexual body parts count (``COUNTED_CLASSES``); faces, feet, bellies, armpits and
anything covered are ignored. A sampled frame counts when a counted class scores at least
``settings.SORA_NUDITY_THRESHOLD``; one such frame holds the video for a moderator.

The detector is reached through the module attribute ``_detector``: tests swap it for one that
returns a fixed detection, so the real scan, hold and report code runs without explicit images.

Cost and threshold, measured on this project's 2-CPU box (``manage.py bench_scan``)
---------------------------------------------------------------------------------
* Cost: 26 ms a frame (onnxruntime on the CPU), against 177 ms for dlib's faces in the same
  pass; a 4 s clip (4 sampled frames) takes 0.83 s for the whole pass (median of 24 clips).
  Loading the model takes 0.07 s, once per worker.
* Harmless input: 24 built-in renders (three aspects, half with a cameo face), 96 frames, gave
  no detection of a counted class at all (NudeNet drops boxes under 0.25). Of 24 harmless
  stills (scikit-image's samples, 10 LFW faces, 3 GAN faces) one scored: the colour wheel, a
  smooth round gradient, as exposed buttocks at 0.83. The coffee cup scored 0.30 only when
  fed in the wrong channel order (see ``frame_score``).
* No explicit images were used, so recall could not be measured here. The default, 0.5, sits
  well above the 0.25-0.30 noise and leans toward catching: a hold costs one moderator's look,
  a miss puts nudity in the feed. Round skin-toned shapes can pass any sensible threshold
  (the colour wheel), so a rare false hold is expected. Operators with a labelled set should
  tune ``SORA_NUDITY_THRESHOLD``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

# NudeNet 3.4's label names (nudenet/nudenet.py, ``__labels``).
COUNTED_CLASSES = frozenset(
    {
        "FEMALE_GENITALIA_EXPOSED",
        "MALE_GENITALIA_EXPOSED",
        "BUTTOCKS_EXPOSED",
        "FEMALE_BREAST_EXPOSED",
        "ANUS_EXPOSED",
    }
)


class Detector(Protocol):
    """What the scan needs from NudeNet: detections for one BGR image."""

    def detect(self, image: Any) -> list[dict[str, Any]]: ...


_detector: Detector | None = None


def detector() -> Detector:
    """NudeNet's detector, loaded on first use and kept warm for the life of the process."""
    global _detector
    if _detector is None:
        import nudenet  # imports onnxruntime and cv2
        import onnxruntime

        found = nudenet.NudeDetector()
        # One thread for each frame: the scan looks at two frames at once, and two runs that
        # each spread over every core slowed each other down threefold.
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        model = Path(nudenet.__file__).parent / "320n.onnx"
        found.onnx_session = onnxruntime.InferenceSession(
            str(model), options, providers=["CPUExecutionProvider"]
        )
        _detector = found
    return _detector


def frame_score(frame: np.ndarray) -> float:
    """The highest score of a counted class in one RGB frame; 0.0 when none is seen."""
    # NudeNet swaps channels twice on an array (cvtColor, then blobFromImage's swapRB), so an
    # array reaches the model in the order it was given. From a file it gets cv2.imread's BGR,
    # the order it was trained and tested with, so the RGB frame is handed over as BGR.
    bgr = np.ascontiguousarray(frame[..., ::-1])
    detections = detector().detect(bgr)
    return max(
        (float(d["score"]) for d in detections if d.get("class") in COUNTED_CLASSES),
        default=0.0,
    )


@dataclass
class NudityCheck:
    """Scores every sampled frame; remembers the frames at or over the threshold."""

    threshold: float
    frames: list[int] = field(default_factory=list)
    top_score: float = 0.0
    name: str = "nudity"

    def look(self, frame: np.ndarray) -> float:
        """One frame's score (safe to run for several frames at once)."""
        return frame_score(frame)

    def record(self, index: int, score: float) -> None:
        self.top_score = max(self.top_score, score)
        if score >= self.threshold:
            self.frames.append(index)

    def observe(self, index: int, frame: np.ndarray) -> None:
        self.record(index, self.look(frame))
