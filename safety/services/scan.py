"""The post-render scan: one pass over a video's sampled frames, before it is encoded.

Each sampled frame is handed once to every ``FrameCheck``: ``FaceCheck`` (dlib faces and 128-d
embeddings) and ``safety.nudity.NudityCheck`` (NudeNet). The faces feed two verdicts:

* **identity score**: for each cameo used in the video, the distance from its embedding to the
  closest face found (``CameoUse.identity_distance``), so a creator and the cameo's owner can see
  whether the likeness came through;
* **likeness guard**: every face is compared, in one matrix product, with every verified cameo
  whose owner keeps ``protect_likeness`` on. A face closer than ``LIKENESS_DISTANCE`` to such a
  cameo, and closer to it than to any cameo the video has consent for, **holds** the video: it
  stays a draft, ``post_publish`` refuses it, and the owner is told and may watch it.

The nudity check sees the same frames in the same walk, so nothing is decoded or sampled twice. A
frame with an exposed sexual body part scored at or over ``SORA_NUDITY_THRESHOLD`` holds the
video too, and files an automatic report for the moderators. Both verdicts land on one
``VideoScan``, whose ``hold_causes`` says which held it.

Threshold, measured through the built-in renderer
-------------------------------------------------
dlib's own same-person bound is 0.6 (``cameo.faces.SAME_PERSON_DISTANCE``). The only faces at
hand are public: ``skimage.data.astronaut()`` and the 25 x 25 grey crops of
``skimage.data.lfw_subset()`` (upscaled; 90 of 100 have a face dlib finds).

* Found at all: the composited cameo face is 36-50 pixels wide in a 9:16 or 1:1 clip; the HOG
  detector needs ``upsample=1`` for it and then finds it in every sampled frame. In 16:9 (480
  pixels high) the built-in renderer draws it ~21 pixels wide: not found at ``upsample=1``, and
  at ``upsample=2`` (4x the cost) only at 0.44-0.55, so a 16:9 builtin clip gets no identity
  score (a note tells the creator). Drawing cameo people ~1.5x bigger in landscape fixes it
  (tried: 36-pixel faces at 0.33-0.42).
* Same person, face in the video vs the cameo's embedding: astronaut 0.29-0.46 over 6 clips,
  LFW faces 0.26-0.51 over 13 clips (their blurry sources make them worse than a real cameo).
* Different people: the astronaut in a video vs the 90 LFW faces, closest 0.574; an LFW face in
  a video vs the other 89, closest 0.477 (lfw_subset repeats some people, so that may be the
  same person). Clips without cameos (12 prompts, three aspects) showed no faces at all.

0.6 would have matched the astronaut to an LFW stranger at 0.574, so the guard uses 0.55: above
every same-person distance seen through the renderer, below that stranger. A hold is reviewed,
not deleted, so a rare false hold costs less than a missed likeness.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.services.users import notify
from cameo.models import Cameo, CameoUse
from generation.models import GenerationJob
from safety.likeness import (
    EMBEDDING_SIZE,
    LIKENESS_DISTANCE,
    FaceCheck,
    Likenesses,
    Match,
    identity_distances,
    likeness_matches,
)
from safety.models import LikenessMatch, Report, VideoScan
from safety.nudity import NudityCheck

SAMPLES_PER_SECOND = 1
LIVE_USES = ("approved", "awaiting")  # a cameo use the video may show (CameoUse.State)

HOLD_REASON = (
    "This video is held for review: a face in it looks like someone who protects their "
    "likeness and is not a cameo in it. They have been told. It stays a draft and can't be "
    "published."
)
# What the creator reads; it names the rule, never what the detector saw.
NUDITY_HOLD_REASON = (
    "This video is held for review: our checks flagged it as possibly sexual content. A "
    "moderator will look at it. Until then it stays a draft and can't be published."
)
BOTH_HOLD_REASON = (
    "This video is held for review: a face in it looks like someone who protects their "
    "likeness, and our checks flagged it as possibly sexual content. It stays a draft and "
    "can't be published."
)

Progress = Callable[[float, str], None]


# --- One pass over sampled frames ------------------------------------------------------------


class FrameCheck(Protocol):
    """One detector in the single pass over sampled frames: ``look`` does the work on one frame
    and may run for several frames at once; ``record`` keeps what it saw, frame by frame in
    order, on the scan's own thread."""

    name: str

    def look(self, frame: np.ndarray) -> Any: ...

    def record(self, index: int, seen: Any) -> None: ...


# Frames looked at at once. dlib and onnxruntime let go of Python's lock while they work, so on
# two cores two frames take little longer than one; each thread keeps its own face models
# (``cameo.faces``), so the threads live as long as the worker.
SCAN_THREADS = max(1, min(2, len(os.sched_getaffinity(0))))
_threads: ThreadPoolExecutor | None = None
_threads_lock = threading.Lock()


def _looking_threads() -> ThreadPoolExecutor:
    global _threads
    with _threads_lock:
        if _threads is None:
            _threads = ThreadPoolExecutor(SCAN_THREADS, thread_name_prefix="scan")
        return _threads


def sample_indices(num_frames: int, fps: int, per_second: float = SAMPLES_PER_SECOND) -> list[int]:
    """About ``per_second`` frames a second, each from the middle of its stretch."""
    if num_frames <= 0:
        return []
    step = max(1, round(fps / per_second))
    return list(range(min(step // 2, num_frames - 1), num_frames, step))


def scan_frames(
    frames: np.ndarray,
    fps: int,
    checks: Sequence[FrameCheck],
    *,
    on_progress: Progress | None = None,
    spent: dict[str, float] | None = None,
) -> tuple[int, float]:
    """Walk the sampled frames once, handing each to every check: ``SCAN_THREADS`` frames are
    looked at at once, and what each check saw is recorded in frame order. Returns (frames,
    seconds); ``spent``, when given, gathers the seconds each check took, by its name (summed
    over the threads, so it can exceed the whole pass)."""
    started = time.monotonic()
    spent = {} if spent is None else spent
    picks = sample_indices(len(frames), fps)

    def look(index: int) -> list[tuple[Any, float]]:
        frame = np.ascontiguousarray(frames[index])
        seen = []
        for check in checks:
            began = time.perf_counter()
            seen.append((check.look(frame), time.perf_counter() - began))
        return seen

    looked = _looking_threads().map(look, picks) if len(picks) > 1 else map(look, picks)
    for n, (index, seen) in enumerate(zip(picks, looked, strict=True), start=1):
        for check, (what, seconds) in zip(checks, seen, strict=True):
            check.record(index, what)
            spent[check.name] = spent.get(check.name, 0.0) + seconds
        if on_progress is not None:
            on_progress(n / len(picks), "Checking faces")
    return len(picks), time.monotonic() - started


# --- Comparing faces with cameos -------------------------------------------------------------


# --- The verdict on one job ------------------------------------------------------------------


@dataclass
class ScanResult:
    """What the scan of one video found; ``video_scan_record`` stores it."""

    frames_scanned: int
    faces_found: int
    seconds: float
    protected_cameos: int
    identity: dict[int, float | None]  # cameo id -> distance, for each cameo used
    matches: list[Match]
    threshold: float = LIKENESS_DISTANCE
    nudity_frames: list[int] = field(default_factory=list)  # sampled frames at/over threshold
    nudity_score: float = 0.0  # the highest counted-class score seen
    nudity_threshold: float | None = None  # None when the nudity check did not run

    @property
    def hold_causes(self) -> list[str]:
        return [c for c, hit in (("likeness", self.matches), ("nudity", self.nudity_frames)) if hit]

    @property
    def held(self) -> bool:
        return bool(self.hold_causes)

    @property
    def hold_reason(self) -> str:
        causes = self.hold_causes
        if not causes:
            return ""
        if len(causes) == 2:
            return BOTH_HOLD_REASON
        return HOLD_REASON if causes == ["likeness"] else NUDITY_HOLD_REASON


def video_scan(
    job: GenerationJob,
    frames: np.ndarray,
    fps: int,
    *,
    on_progress: Progress | None = None,
    protected: Likenesses | None = None,
) -> ScanResult:
    """Scan a job's freshly rendered frames (uint8, (T, H, W, 3) RGB). Reads, never writes."""
    started = time.monotonic()
    faces = FaceCheck()
    nudity = NudityCheck(threshold=settings.SORA_NUDITY_THRESHOLD)
    scanned, _ = scan_frames(frames, fps, [faces, nudity], on_progress=on_progress)
    embeddings = faces.embeddings()
    protected = Likenesses.protected() if protected is None else protected
    used = list(
        CameoUse.objects.filter(job=job, state__in=LIVE_USES).values_list(
            "cameo_id", "cameo__owner_id", "cameo__embedding"
        )
    )
    own = Cameo.objects.filter(owner=job.creator_id).values_list("pk", "owner_id", "embedding")
    # The creator's own likeness never holds their own video.
    consented = Likenesses.from_rows([*used, *own])
    return ScanResult(
        frames_scanned=scanned,
        faces_found=len(faces.sightings),
        protected_cameos=len(protected),
        identity=identity_distances(embeddings, Likenesses.from_rows(used)),
        matches=likeness_matches(faces.sightings, embeddings, protected, consented),
        seconds=time.monotonic() - started,
        nudity_frames=nudity.frames,
        nudity_score=nudity.top_score,
        nudity_threshold=nudity.threshold,
    )


@transaction.atomic
def video_scan_record(*, job: GenerationJob, result: ScanResult) -> VideoScan:
    """Store a scan; on a hit, hold the video. A likeness match tells each matched owner where
    to watch it; nudity files an automatic report for the moderators and tells the creator.

    Runs inside the transaction that marks the render finished, so no one ever sees a finished
    video that was not scanned.
    """
    scan = VideoScan.objects.create(
        job=job,
        outcome=VideoScan.Outcome.HELD if result.held else VideoScan.Outcome.PASSED,
        hold_reason=result.hold_reason,
        frames_scanned=result.frames_scanned,
        faces_found=result.faces_found,
        protected_cameos=result.protected_cameos,
        threshold=result.threshold,
        nudity_frames=len(result.nudity_frames),
        nudity_score=round(result.nudity_score, 4),
        nudity_threshold=result.nudity_threshold,
        hold_causes=result.hold_causes,
        seconds=round(result.seconds, 3),
    )
    for cameo_id, distance in result.identity.items():
        CameoUse.objects.filter(job=job, cameo_id=cameo_id).update(
            identity_distance=None if distance is None else round(distance, 4)
        )
    if not result.held:
        return scan
    GenerationJob.objects.filter(pk=job.pk).update(
        held_at=timezone.now(), held_reason=result.hold_reason
    )
    if result.nudity_frames:
        _report_nudity(job, result)
    LikenessMatch.objects.bulk_create(
        LikenessMatch(
            scan=scan, cameo_id=m.cameo_id, cameo_owner_id=m.owner_id,
            distance=round(m.distance, 4), frame_index=m.frame,
        )
        for m in result.matches
    )  # fmt: skip
    for match in result.matches:
        notify(
            recipient_id=match.owner_id,
            kind="likeness_held",
            text=(
                f"A video by @{job.creator.username} looks like it shows you, and you are not a "
                "cameo in it. It is held and can't be published. Watch it under Videos with me."
            ),
            url=reverse("cameo:videos"),
            actor=job.creator,
        )
    return scan


def _report_nudity(job: GenerationJob, result: ScanResult) -> None:
    """Put a nudity hold in the moderators' queue, and tell the creator why their draft waits."""
    Report.objects.create(
        automatic=True, target=Report.Target.VIDEO, job=job, reported_user_id=job.creator_id,
        reason=Report.Reason.SEXUAL,
        note=(
            f"Automatic: {len(result.nudity_frames)} of {result.frames_scanned} sampled frames "
            f"scored at least {result.nudity_threshold:.2f} for exposed sexual body parts (highest "
            f"{result.nudity_score:.2f}; frames {', '.join(map(str, result.nudity_frames[:20]))})."
        ),
    )  # fmt: skip
    notify(
        recipient_id=job.creator_id, kind="nudity_held", text=NUDITY_HOLD_REASON,
        url=reverse("generation:job", args=[job.pk]),
    )  # fmt: skip


# --- Timing ----------------------------------------------------------------------------------


@dataclass
class ScanTiming:
    frames_scanned: int
    faces_found: int
    protected_cameos: int
    scan_seconds: float  # detecting and embedding faces
    compare_seconds: float  # the likeness guard's matrix work

    @property
    def seconds(self) -> float:
        return self.scan_seconds + self.compare_seconds

    @property
    def seconds_per_frame(self) -> float:
        return self.seconds / max(self.frames_scanned, 1)


def time_scan(
    frames: np.ndarray, fps: int, *, protected_cameos: int = 1000, seed: int = 0
) -> ScanTiming:
    """Time the scan on one clip against ``protected_cameos`` random likenesses (no database).

    The random embeddings are scaled like dlib's (unit length, about) so no face matches them;
    the work is what a real matrix of that size costs.
    """
    faces = FaceCheck()
    scanned, scan_seconds = scan_frames(frames, fps, [faces])
    rng = np.random.default_rng(seed)
    matrix = rng.normal(size=(protected_cameos, EMBEDDING_SIZE)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    ids = np.arange(protected_cameos, dtype=np.int64)
    protected = Likenesses(cameo_ids=ids, owner_ids=ids, matrix=matrix)
    nobody = Likenesses.from_rows([])
    started = time.monotonic()
    embeddings = faces.embeddings()
    likeness_matches(faces.sightings, embeddings, protected, nobody)
    return ScanTiming(
        frames_scanned=scanned,
        faces_found=len(faces.sightings),
        protected_cameos=protected_cameos,
        scan_seconds=scan_seconds,
        compare_seconds=time.monotonic() - started,
    )
