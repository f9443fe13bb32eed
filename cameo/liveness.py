"""Check a selfie clip: one live person, the same throughout, following a head-pose challenge.

Pure functions: nothing here touches the database. ``read_clip`` decodes an upload with PyAV and
``verify_clip`` runs four checks on the sampled frames, in this order, and reports the first that
fails as one sentence a person can act on:

a. one face: exactly one face in at least ``MIN_ONE_FACE_SHARE`` of the sampled frames;
b. one person: every embedded frame within ``SAME_PERSON_MAX_DISTANCE`` of the clip's medoid
   frame (at most ``MAX_FAR_SHARE`` of them may miss, for a blurred frame);
c. the challenge: the head-pose events, in order (see ``pose_events``);
d. a real head: when the head turns, the eye on the far side looks narrower, which a flat photo
   tilted or sheared in front of the camera does not do (see ``parallax_score``).

The challenge comes before the photo check so that a real person who forgot to move hears what to
do rather than being told they look like a photo.

How the thresholds were chosen. The data are the synthetic clips of cameo/synthetic.py:
the astronaut photo cropped to a 480 x 480 "selfie", turned with a 2.5-D warp (her face painted
on an ellipsoid with a nose, rotated and projected), and the 25 x 25 ``lfw_subset`` faces upscaled
to 150; scikit-image 0.26, dlib 20.0.1, on the 2-core CPU machine.

* ``SAME_PERSON_MAX_DISTANCE`` is dlib's own 0.6 (99.38% on LFW). Same person: the astronaut
  noised, blurred, halved and re-enlarged, brightened, darkened and moved lay 0.09-0.30 from the
  plain crop; warped 10-35 degrees sideways and 10-25 up, 0.15-0.54 (the warp's smearing costs
  as much as the turn). Inside the passing test clip the farthest frame was 0.53 from the medoid.
  Different people: the astronaut against the 90 lfw faces dlib finds, 0.61 at the least (median
  0.81). Among the lfw faces themselves 6% of pairs are under 0.6, but the subset repeats people
  (Bush, Koizumi and Schroeder several times each: every pair under 0.5 we looked at was one
  person twice); among nine people told apart by eye, one pair of 36 (Powell and Koizumi) read
  0.56, the rest 0.64 and up. dlib's bound is what these numbers support: no evidence here for a
  tighter one, and 25-pixel crops blur people together more than a selfie clip does.
* ``YAW_EVENT`` 0.12, about 15-20 degrees (13 by the warp, 20 by the rule of thumb in
  cameo.faces): the warp read 0.09, 0.18, 0.25 and 0.33 at 10, 20, 30
  and 40 degrees to her left, and -0.05, -0.10, -0.24 at 10, 20 and 35 to her right (her head
  starts a touch to her left: 0.03). On a still photo wobbled in front of the camera the score's
  standard deviation was 0.005 and its range 0.006-0.032, far from 0.12.
* ``UP_EVENT`` 0.10: the warp moved the pitch score by +0.07, +0.13, +0.17 and +0.22 at 10, 15,
  20 and 25 degrees up; the wobbled still photo's pitch had a standard deviation of 0.007.
* ``DOWN_EVENT``: looking down barely moves the nose base against the eye line (-0.06 at 15
  degrees, back to 0 at 25 on the warp), so ``new_challenge`` never asks for it; a clear nod down
  is still recognised, for challenges made elsewhere.
* ``MIN_PARALLAX`` 0.15: in the turned frames of the warped clips the far eye narrowed by 0.29
  (median, log of the eye-width ratio; 0.08-0.17 at a 10 degree turn, 0.17-0.25 at 20, 0.34 at
  30). A flat photo sheared so its nose moves as far (yaw 0.12-0.16) scored 0.05 as a clip and at
  most 0.10 in single frames, from landmark noise: the eye-width ratio of the wobbled still photo
  had a standard deviation of 0.016.

None of these came from recordings of real people turning their heads; the tests prove the
plumbing and the geometry on one photo. Tune them on real clips, logged through
``VerifyResult.metrics``, before trusting the exact values.
"""

from __future__ import annotations

import math
import os
import secrets
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NamedTuple

import numpy as np
from PIL import Image

from cameo.faces import (
    SAME_PERSON_DISTANCE,
    Face,
    detect_boxes,
    embed_face,
    eye_width_log_ratio,
    face_at,
    face_crop,
)

if TYPE_CHECKING:
    import random
    from collections.abc import Sequence

# --- The challenge ------------------------------------------------------------------------------
CHALLENGE_STEPS = ("left", "right", "up", "down")
CHALLENGE_LENGTH = 3
# Only "up" is asked for: see DOWN_EVENT in the module docstring.
_GENERATED_VERTICAL = ("up",)
_HORIZONTAL = ("left", "right")

# --- The file -----------------------------------------------------------------------------------
SAMPLE_FPS = 8.0
MIN_DURATION_S = 3.0
MAX_DURATION_S = 15.0
MAX_CLIP_BYTES = 25 * 1024 * 1024
MIN_SHORT_SIDE = 240
# Frames are kept this size (short side) for the crops; faces are searched for at the smaller
# size, where HOG takes ~12 ms a frame and still finds a face 22% of the frame's height.
FRAME_SHORT_SIDE = 480
DETECT_SHORT_SIDE = 360

# --- The checks (see the module docstring for the data behind each) -----------------------------
MIN_ONE_FACE_SHARE = 0.8
EMBED_FRAMES = 10  # ~70 ms each; spread evenly over the frames with one face
SAME_PERSON_MAX_DISTANCE = SAME_PERSON_DISTANCE
MAX_FAR_SHARE = 0.15  # one frame in ten may be a blurred outlier
YAW_EVENT = 0.12
UP_EVENT = 0.10
DOWN_EVENT = 0.10
MIN_EVENT_S = 0.25  # a pose held this long counts; a transit through it does not
MAX_EXTRA_EVENTS = 1  # one stray move is forgiven; flailing through every pose is not
MIN_PARALLAX = 0.15

# --- What people read ---------------------------------------------------------------------------
UNREADABLE = "We couldn't read that clip; record it again, or upload an MP4 or WebM video."
PHOTO_FILE = "That file is a photo, not a video; record a short clip of yourself instead."
TOO_BIG = "The clip is {mb:.0f} MB, over the 25 MB limit; record a shorter clip."
TOO_SMALL = "The clip is only {width} x {height} pixels; record at 320 x 240 or larger."
BAD_DURATION = (
    "The clip is {seconds:.1f} seconds long; record one between "
    f"{MIN_DURATION_S:g} and {MAX_DURATION_S:g} seconds."
)
TOO_LONG = (
    f"The clip is over {MAX_DURATION_S + 1:g} seconds long; record one between "
    f"{MIN_DURATION_S:g} and {MAX_DURATION_S:g} seconds."
)
NO_FACE = "We couldn't see a face in enough of the clip; face the camera in good light."
TWO_FACES = "We saw more than one face in much of the clip; record it alone."
FACE_CHANGED = "The face changed during the clip; record it again, on your own."
CHALLENGE_MISSED = "We didn't see you {steps}, in that order; try again following the steps."
STILL_PHOTO = "The clip looks like a still photo held to the camera; record yourself live."

# ffmpeg's demuxers for single images are all called "<codec>_pipe" (png_pipe, jpeg_pipe, ...).
_IMAGE_DEMUXERS = ("image2", "gif", "apng", "webp")


class ClipError(ValueError):
    """The upload is not a usable clip; ``str(error)`` is a sentence to show the person."""


class Clip(NamedTuple):
    frames: list[np.ndarray]  # RGB uint8, sampled at ~SAMPLE_FPS, short side <= FRAME_SHORT_SIDE
    duration_s: float


@dataclass
class ClipMetrics:
    """What verify_clip measured, for the logs (``as_dict`` is JSON-ready)."""

    frames: int = 0
    one_face_share: float = 0.0
    no_face_share: float = 0.0
    multi_face_share: float = 0.0
    embedded_frames: int = 0
    max_pairwise_distance: float = 0.0
    max_medoid_distance: float = 0.0
    far_share: float = 0.0
    poses_seen: tuple[str, ...] = ()
    yaw_range: tuple[float, float] = (0.0, 0.0)
    pitch_range: tuple[float, float] = (0.0, 0.0)
    parallax_score: float | None = None
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(eq=False)
class VerifyResult:
    """The verdict on a clip.

    ``reason`` is "" when ``ok``, else the sentence for the first check that failed. On success
    ``mean_embedding`` is the plain mean of the embedded frames that agree with the medoid: not
    renormalised, so ``faces.face_distance`` against a single photo keeps dlib's 0.6 scale.
    ``reference_frames`` holds 3-4 crops (the most frontal frame, then the strongest frame of
    each pose asked for) and ``thumbnail`` the frontal one, all 256 x 256 uint8 RGB. They are
    empty/None when the clip failed, so a failed clip cannot be stored by mistake.
    """

    ok: bool
    reason: str
    metrics: ClipMetrics
    mean_embedding: np.ndarray | None = None
    reference_frames: list[np.ndarray] = field(default_factory=list)
    thumbnail: np.ndarray | None = None


# --- Challenges ---------------------------------------------------------------------------------


def new_challenge(rng: random.Random | None = None) -> tuple[str, ...]:
    """Three steps: two turns and one look up, in a random order, never the same step twice in a
    row. There are always two turns because the photo check (d) needs turned frames.

    Pass a seeded ``random.Random`` in tests; the default draws from the OS so nobody can guess
    the next challenge and pre-record it.
    """
    rng = rng or secrets.SystemRandom()
    vertical_at = rng.randrange(CHALLENGE_LENGTH)
    steps: list[str] = []
    for index in range(CHALLENGE_LENGTH):
        if index == vertical_at:
            steps.append(rng.choice(_GENERATED_VERTICAL))
            continue
        choices = [s for s in _HORIZONTAL if not steps or s != steps[-1]]
        steps.append(rng.choice(choices))
    return tuple(steps)


def check_challenge(steps: Sequence[str]) -> tuple[str, ...]:
    """The steps as a tuple, or ValueError if they are not a valid challenge (a caller's bug)."""
    steps = tuple(steps)
    if len(steps) != CHALLENGE_LENGTH or any(s not in CHALLENGE_STEPS for s in steps):
        raise ValueError(f"A challenge is {CHALLENGE_LENGTH} of {CHALLENGE_STEPS}, got {steps}.")
    if any(a == b for a, b in zip(steps, steps[1:], strict=False)):
        raise ValueError(f"A challenge never repeats a step back to back, got {steps}.")
    return steps


def _step_phrases(steps: Sequence[str]) -> list[str]:
    """Phrases like "turn your head left", "right", "look up"; a turn after a turn needs no verb."""
    phrases = []
    for index, step in enumerate(steps):
        if step in _HORIZONTAL:
            after_turn = index > 0 and steps[index - 1] in _HORIZONTAL
            phrases.append(step if after_turn else f"turn your head {step}")
        else:
            phrases.append(f"look {step}")
    return phrases


def challenge_text(steps: Sequence[str]) -> str:
    """The instruction shown before recording: "Turn your head left, then right, then look up." """
    text = ", then ".join(_step_phrases(check_challenge(steps)))
    return text[0].upper() + text[1:] + "."


def challenge_missed_text(steps: Sequence[str]) -> str:
    """The sentence for a clip whose head movements didn't follow ``steps``."""
    phrases = [p.replace("your head ", "") for p in _step_phrases(check_challenge(steps))]
    return CHALLENGE_MISSED.format(steps=", then ".join(phrases))


# --- Reading the file ---------------------------------------------------------------------------


def _source_size(source: str | os.PathLike[str] | IO[bytes]) -> int | None:
    if isinstance(source, str | os.PathLike):
        return Path(source).stat().st_size
    size = getattr(source, "size", None)  # Django's UploadedFile knows it without seeking
    if isinstance(size, int):
        return size
    try:
        position = source.tell()
        size = source.seek(0, os.SEEK_END)
        source.seek(position)
    except (AttributeError, OSError):
        return None
    return size


def _check_size(source: str | os.PathLike[str] | IO[bytes], max_bytes: int) -> None:
    try:
        size = _source_size(source)
    except OSError as error:
        raise ClipError(UNREADABLE) from error
    if size is not None and size > max_bytes:
        raise ClipError(TOO_BIG.format(mb=size / (1024 * 1024)))
    if size == 0:
        raise ClipError(UNREADABLE)


def _video_stream(container: Any) -> Any:
    format_name = container.format.name
    if format_name.endswith("_pipe") or format_name in _IMAGE_DEMUXERS:
        raise ClipError(PHOTO_FILE)
    if not container.streams.video:
        raise ClipError(UNREADABLE)
    stream = container.streams.video[0]
    width, height = stream.codec_context.width, stream.codec_context.height
    if width and height and min(width, height) < MIN_SHORT_SIDE:
        raise ClipError(TOO_SMALL.format(width=width, height=height))
    # Chrome's WebM has no duration in its header; when a file has one, refuse early.
    if container.duration and container.duration / 1_000_000 > MAX_DURATION_S + 1:
        raise ClipError(BAD_DURATION.format(seconds=container.duration / 1_000_000))
    stream.thread_type = "AUTO"
    return stream


def _frame_size(width: int, height: int) -> tuple[int, int]:
    scale = min(1.0, FRAME_SHORT_SIDE / min(width, height))
    # Even sizes keep swscale's chroma handling exact.
    return max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2)


def _to_rgb(frame: Any) -> np.ndarray:
    width, height = _frame_size(frame.width, frame.height)
    image = frame.to_ndarray(format="rgb24", width=width, height=height)
    # Phones store portrait video sideways with a display matrix; ffmpeg's convention is that
    # `rotation` is the counter-clockwise turn that makes it upright, as np.rot90's k is.
    turns = round((getattr(frame, "rotation", 0) or 0) / 90) % 4
    return np.ascontiguousarray(np.rot90(image, k=turns)) if turns else image


def _sample(container: Any, stream: Any) -> Clip:
    frames: list[np.ndarray] = []
    times: list[float] = []
    next_time = 0.0
    rate = float(stream.average_rate or 30)
    for index, frame in enumerate(container.decode(stream)):
        moment = frame.time if frame.time is not None else index / rate
        times.append(moment)
        elapsed = moment - times[0]
        if elapsed > MAX_DURATION_S + 1:  # stop decoding a long clip as soon as we know
            raise ClipError(TOO_LONG)
        if elapsed + 1e-6 >= next_time:
            frames.append(_to_rgb(frame))
            next_time += 1 / SAMPLE_FPS
    if len(times) <= 1:
        raise ClipError(PHOTO_FILE if times else UNREADABLE)
    step = float(np.median(np.diff(times)))
    return Clip(frames, times[-1] - times[0] + step)


def read_clip(
    source: str | os.PathLike[str] | IO[bytes], *, max_bytes: int = MAX_CLIP_BYTES
) -> Clip:
    """Decode a clip into RGB frames sampled at ~SAMPLE_FPS, and its duration in seconds.

    ``source`` is a path or an open binary file (Django's UploadedFile works). Raises ClipError,
    with a sentence, for a file over ``max_bytes``, one that is not a video or is corrupt, a photo
    under a video's name, a clip under MIN_SHORT_SIDE pixels or one outside 3-15 seconds.
    """
    import av

    _check_size(source, max_bytes)
    try:
        with av.open(source, mode="r") as container:
            stream = _video_stream(container)
            clip = _sample(container, stream)
    except ClipError:
        raise
    except (av.error.FFmpegError, OSError, ValueError, EOFError) as error:
        raise ClipError(UNREADABLE) from error
    if not MIN_DURATION_S <= clip.duration_s <= MAX_DURATION_S:
        raise ClipError(BAD_DURATION.format(seconds=clip.duration_s))
    return clip


# --- Pose events --------------------------------------------------------------------------------


def _pose_label(yaw: float, pitch: float) -> str | None:
    """The direction a frame's head points, or None for "about straight"."""
    if abs(yaw) >= YAW_EVENT / 2:
        # A turned face's eyes look closer together, which inflates the nose's drop below them:
        # judge pitch only on faces that look roughly straight ahead.
        pitch = 0.0
    scores = {
        "left": yaw / YAW_EVENT,
        "right": -yaw / YAW_EVENT,
        "up": pitch / UP_EVENT,
        "down": -pitch / DOWN_EVENT,
    }
    label, score = max(scores.items(), key=lambda item: item[1])
    return label if score >= 1 else None


def pose_events(
    yaws: Sequence[float | None], pitches: Sequence[float | None], *, min_frames: int = 2
) -> tuple[str, ...]:
    """The poses a clip holds, in order, from per-frame yaw and relative pitch scores.

    ``pitches`` are relative to the person's own straight-ahead value (positive = up), ``yaws``
    positive = the person's left. Frames without one face (None) are skipped, neither breaking
    nor extending a pose. A pose counts once it is held for ``min_frames`` frames in a row;
    repeats with only "straight ahead" between them merge into one event.
    """
    labels = [
        _pose_label(yaw, pitch)
        for yaw, pitch in zip(yaws, pitches, strict=True)
        if yaw is not None and pitch is not None
    ]
    events: list[str] = []
    run_label, run_length = None, 0
    for label in [*labels, None]:
        if label == run_label:
            run_length += 1
            continue
        if run_label is not None and run_length >= min_frames and events[-1:] != [run_label]:
            events.append(run_label)
        run_label, run_length = label, 1
    return tuple(events)


def follows_challenge(seen: Sequence[str], challenge: Sequence[str]) -> bool:
    """True when the challenge's steps appear in ``seen`` in order, with at most
    MAX_EXTRA_EVENTS others mixed in (a replayed clip that runs through every pose fails)."""
    remaining = iter(seen)
    in_order = all(step in remaining for step in challenge)
    return in_order and len(seen) - len(challenge) <= MAX_EXTRA_EVENTS


# --- The checks ---------------------------------------------------------------------------------


@dataclass(eq=False)
class _Seen:
    """One sampled frame and the faces found in it (in the frame's own pixels)."""

    index: int
    faces: list[Face]


def _detect(frame: np.ndarray) -> list[Face]:
    """Faces found on a copy shrunk to DETECT_SHORT_SIDE, measured on the frame itself."""
    scale = min(1.0, DETECT_SHORT_SIDE / min(frame.shape[:2]))
    small = frame
    if scale < 1.0:
        size = (round(frame.shape[1] * scale), round(frame.shape[0] * scale))
        small = np.asarray(Image.fromarray(frame).resize(size, Image.Resampling.BILINEAR))
    found = detect_boxes(small, upsample=0)
    return [
        face_at(frame, tuple(round(v / scale) for v in box), embed=False, score=score)
        for box, score in found
    ]


def _face_shares(seen: list[_Seen], metrics: ClipMetrics) -> str | None:
    total = max(1, len(seen))
    counts = [len(s.faces) for s in seen]
    metrics.one_face_share = sum(c == 1 for c in counts) / total
    metrics.no_face_share = sum(c == 0 for c in counts) / total
    metrics.multi_face_share = sum(c > 1 for c in counts) / total
    if metrics.one_face_share >= MIN_ONE_FACE_SHARE:
        return None
    return TWO_FACES if metrics.multi_face_share > metrics.no_face_share else NO_FACE


def _spread(count: int, pick: int) -> list[int]:
    """``pick`` indices spread evenly over range(count)."""
    if count <= pick:
        return list(range(count))
    return sorted({round(i * (count - 1) / (pick - 1)) for i in range(pick)})


def _identity(
    frames: Sequence[np.ndarray], single: list[_Seen], metrics: ClipMetrics
) -> tuple[str | None, np.ndarray]:
    """The failure sentence (or None) and the mean embedding of the frames that agree."""
    chosen = [single[i] for i in _spread(len(single), EMBED_FRAMES)]
    embeddings = np.stack([embed_face(frames[s.index], s.faces[0]) for s in chosen])
    pairwise = np.linalg.norm(embeddings[:, None] - embeddings[None], axis=-1)
    # The medoid, not the centroid: with two people half each, the centroid sits between them
    # and near both, while the medoid is one of them and far from the other.
    medoid = int(np.argmin(np.median(pairwise, axis=1)))
    to_medoid = pairwise[medoid]
    agree = to_medoid < SAME_PERSON_MAX_DISTANCE
    metrics.embedded_frames = len(chosen)
    metrics.max_pairwise_distance = float(pairwise.max())
    metrics.max_medoid_distance = float(to_medoid.max())
    metrics.far_share = float(1 - agree.mean())
    failed = FACE_CHANGED if metrics.far_share > MAX_FAR_SHARE else None
    return failed, embeddings[agree].mean(axis=0).astype(np.float32)


def _pitch_baseline(yaws: np.ndarray, pitches: np.ndarray) -> float:
    """The person's own straight-ahead pitch: the median over frames not turned sideways."""
    straight = np.abs(yaws) < YAW_EVENT / 2
    source = pitches[straight] if straight.sum() >= 3 else pitches
    return float(np.median(source))


def parallax_score(yaws: Sequence[float], eye_ratios: Sequence[float]) -> float | None:
    """How much narrower the far eye looks in clearly turned frames (median, log units).

    ``yaws`` are image-based (unmirrored) scores, ``eye_ratios`` faces.eye_width_log_ratio. Both
    eyes seldom measure the same even face-on, so the ratio counts from its median over the
    frames facing the camera (all frames, if none does: skipping the check then would let a
    photo that never faces the camera through). A real head turned 20-30 degrees gives ~0.2 and
    up; a flat photo gives ~0. None when no frame is turned far enough to judge.
    """
    yaw = np.asarray(yaws, dtype=np.float64)
    ratio = np.asarray(eye_ratios, dtype=np.float64)
    turned = np.abs(yaw) >= YAW_EVENT
    if not turned.any():
        return None
    straight = np.abs(yaw) < YAW_EVENT / 2
    baseline = np.median(ratio[straight] if straight.any() else ratio)
    narrowing = ratio[turned] - baseline
    return float(np.median(np.sign(yaw[turned]) * narrowing))


@dataclass(eq=False)
class _Poses:
    yaws: np.ndarray  # the person's left positive, whatever the file's mirroring
    pitches: np.ndarray  # relative to their straight-ahead pitch, up positive
    image_yaws: np.ndarray
    eye_ratios: np.ndarray


def _poses(single: list[_Seen], mirrored: bool) -> _Poses:
    image_yaws = np.array([s.faces[0].yaw for s in single])
    raw_pitches = np.array([s.faces[0].pitch for s in single])
    eye_ratios = np.array([eye_width_log_ratio(s.faces[0].landmarks5) for s in single])
    yaws = -image_yaws if mirrored else image_yaws
    pitches = raw_pitches - _pitch_baseline(yaws, raw_pitches)
    return _Poses(yaws, pitches, image_yaws, eye_ratios)


def _crops(
    frames: Sequence[np.ndarray], single: list[_Seen], poses: _Poses, steps: Sequence[str]
) -> tuple[np.ndarray, list[np.ndarray]]:
    """(thumbnail, reference crops): the most frontal frame, then each step's strongest frame."""
    strength = {
        "left": poses.yaws,
        "right": -poses.yaws,
        "up": poses.pitches,
        "down": -poses.pitches,
    }
    picks = [int(np.argmin(np.abs(poses.yaws) + np.abs(poses.pitches)))]
    for step in dict.fromkeys(steps):
        picks.append(int(np.argmax(strength[step])))
    crops = [face_crop(frames[single[i].index], single[i].faces[0]) for i in picks]
    return crops[0], crops


def verify_clip(
    frames: Sequence[np.ndarray],
    duration_s: float,
    challenge: Sequence[str],
    *,
    mirrored: bool = False,
) -> VerifyResult:
    """Run checks a-d (module docstring) on ``read_clip``'s frames.

    ``mirrored`` says the file is a mirror image of the scene (some phone camera apps save the
    front camera that way; the browser's MediaRecorder does not), which swaps left and right.
    """
    started = time.perf_counter()
    steps = check_challenge(challenge)
    metrics = ClipMetrics(frames=len(frames))

    def fail(reason: str) -> VerifyResult:
        metrics.seconds = time.perf_counter() - started
        return VerifyResult(ok=False, reason=reason, metrics=metrics)

    seen = [_Seen(i, _detect(frame)) for i, frame in enumerate(frames)]
    if failed := _face_shares(seen, metrics):
        return fail(failed)
    single = [s for s in seen if len(s.faces) == 1]
    failed, mean_embedding = _identity(frames, single, metrics)
    if failed:
        return fail(failed)
    poses = _poses(single, mirrored)
    metrics.yaw_range = (float(poses.yaws.min()), float(poses.yaws.max()))
    metrics.pitch_range = (float(poses.pitches.min()), float(poses.pitches.max()))
    fps = len(frames) / duration_s if duration_s > 0 else SAMPLE_FPS
    min_frames = max(1, math.ceil(MIN_EVENT_S * fps - 1e-6))
    metrics.poses_seen = pose_events(poses.yaws, poses.pitches, min_frames=min_frames)
    if not follows_challenge(metrics.poses_seen, steps):
        return fail(challenge_missed_text(steps))
    metrics.parallax_score = parallax_score(poses.image_yaws, poses.eye_ratios)
    if metrics.parallax_score is not None and metrics.parallax_score < MIN_PARALLAX:
        return fail(STILL_PHOTO)
    thumbnail, references = _crops(frames, single, poses, steps)
    metrics.seconds = time.perf_counter() - started
    return VerifyResult(True, "", metrics, mean_embedding, references, thumbnail)
