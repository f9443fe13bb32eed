"""``manage.py bench_scan``: the cost and verdicts of the post-render scan on rendered clips.

Each clip is rendered by the built-in renderer, the way a worker makes it (some with a cameo face
from ``cameo.synthetic``, since skin and faces are what a nudity detector could mistake), then
walked once by ``safety.services.scan.scan_frames`` with both frame checks, faces and nudity. It
prints per clip the frames scanned, ms per frame for each check, faces found and the highest nudity
score; then the totals and how many clips the nudity check would hold. The likeness guard's verdict
needs protected cameos from the database, so ``bench_cameo`` times that part. The first clip's pass
also loads both models; it is timed apart as the warm-up.

P4 compares each clip's scan with its render (wall seconds of ``BuiltinBackend.generate``, in
the same process, one after the other, so a busy machine slows both): the scan should take at
most half as long. Beside the cost it checks the verdict a faster scan must keep: every clip with
a cameo face shows that face (closest face within ``LIKENESS_DISTANCE`` of the face the cameo
was made from), and no clip matches a face that is not in it.
"""

from __future__ import annotations

import functools
import statistics
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cameo import faces, synthetic
from cameo.synthetic import GAN_SEEDS
from generation.pipeline.base import CameoImage, VideoRequest
from generation.pipeline.builtin import BuiltinBackend
from safety.likeness import LIKENESS_DISTANCE, FaceCheck, pairwise_distances
from safety.nudity import NudityCheck
from safety.services.scan import scan_frames

PROMPTS = (
    "a dog running on the beach at sunset",
    "a city street at night in the rain",
    "a person dancing on the beach",
    "two friends laughing at a picnic in the park",
    "a swimmer diving into a pool on a summer day",
    "a cat sleeping on a sofa by the window",
    "a person doing yoga at sunrise",
    "fireworks over a lake",
)
ASPECTS = ("9:16", "16:9", "1:1")
P4_TARGET = 0.5  # scan seconds / render seconds
# When P4 was set, a 4 s built-in clip took 1.3 s to render: half of that, per second of video.
P4_PER_SECOND = 0.5 * 1.3 / 4


@dataclass(frozen=True)
class ClipScan:
    prompt: str
    aspect: str
    cameo: bool
    frames: int
    face_ms: float  # per sampled frame
    nudity_ms: float
    faces: int
    nudity_score: float
    nudity_frames: int
    seconds: float  # the whole pass
    render_seconds: float = 0.0
    duration: int = 4  # seconds of video
    # Closest face to the cameo in the clip (None: no cameo, or no face found), and to any of the
    # other synthetic faces, which are not in it.
    own_distance: float | None = None
    stranger_distance: float | None = None

    @property
    def ratio(self) -> float:
        return self.seconds / self.render_seconds if self.render_seconds else 0.0

    @property
    def matched(self) -> bool:
        return self.own_distance is not None and self.own_distance < LIKENESS_DISTANCE

    @property
    def false_match(self) -> bool:
        return self.stranger_distance is not None and self.stranger_distance < LIKENESS_DISTANCE


class Command(BaseCommand):
    help = "Render N clips and time the one-pass scan (faces + nudity) on each."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--videos", type=int, default=8, help="How many clips (1-100).")
        parser.add_argument("--duration", type=int, default=4, choices=(4, 8, 12))
        parser.add_argument(
            "--threshold", type=float, default=None, help="Default: SORA_NUDITY_THRESHOLD."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        count = options["videos"]
        if not 1 <= count <= 100:
            raise CommandError(f"--videos must be between 1 and 100, not {count}.")
        threshold = options["threshold"] or settings.SORA_NUDITY_THRESHOLD
        if not 0 < threshold <= 1:
            raise CommandError(f"--threshold must be above 0 and at most 1, not {threshold}.")
        warm = _warm_up(threshold)
        self.stdout.write(f"Model loading and first frames (warm-up): {warm:.2f} s")
        scans = [
            _scan_clip(i, options["duration"], threshold, self.stdout.write) for i in range(count)
        ]
        for line in _summary(scans, threshold):
            self.stdout.write(line)


def _seed_of(index: int) -> int | None:
    """The synthetic face in clip ``index``: even clips have one, odd ones none."""
    return synthetic.GAN_SEEDS[index // 2 % len(synthetic.GAN_SEEDS)] if index % 2 == 0 else None


@functools.cache
def _face_embedding(seed: int) -> Any:
    """The embedding of the picture a cameo of this face would be made from."""
    found = faces.find_faces(synthetic.gan_face(seed))
    return found[0].embedding if found else None


def _closest(embeddings: Any, seeds: list[int]) -> float | None:
    wanted = [e for e in (_face_embedding(seed) for seed in seeds) if e is not None]
    if not len(embeddings) or not wanted:
        return None
    return float(pairwise_distances(embeddings, np.stack(wanted).astype(np.float32)).min())


def _render(index: int, duration: int) -> tuple[Any, str, str, bool, float]:
    prompt, aspect = PROMPTS[index % len(PROMPTS)], ASPECTS[index % len(ASPECTS)]
    seed = _seed_of(index)
    with_cameo = seed is not None
    cameos = ()
    if seed is not None:
        cameos = (CameoImage(name="mira", image=synthetic.gan_face(seed)),)
    request = VideoRequest(
        prompt=prompt, seed=index, duration_s=duration, aspect=aspect, cameos=cameos
    )
    started = time.perf_counter()
    clip = BuiltinBackend().generate(request, on_progress=lambda *a: None, should_cancel=bool)
    return clip, prompt, aspect, with_cameo, time.perf_counter() - started


def _warm_up(threshold: float) -> float:
    clip, *_ = _render(0, 4)
    started = time.perf_counter()
    scan_frames(clip.frames, clip.fps, [FaceCheck(), NudityCheck(threshold=threshold)])
    return time.perf_counter() - started


def _scan_clip(index: int, duration: int, threshold: float, write: Any) -> ClipScan:
    clip, prompt, aspect, with_cameo, render_seconds = _render(index, duration)
    faces, nudity = FaceCheck(), NudityCheck(threshold=threshold)
    spent: dict[str, float] = {}
    frames, seconds = scan_frames(clip.frames, clip.fps, [faces, nudity], spent=spent)
    own = _seed_of(index)
    embeddings = faces.embeddings()
    result = ClipScan(
        prompt=prompt, aspect=aspect, cameo=with_cameo, frames=frames,
        face_ms=spent["faces"] * 1000 / frames, nudity_ms=spent["nudity"] * 1000 / frames,
        faces=len(faces.sightings), nudity_score=nudity.top_score,
        nudity_frames=len(nudity.frames), seconds=seconds, render_seconds=render_seconds,
        duration=duration,
        own_distance=_closest(embeddings, [own]) if own is not None else None,
        stranger_distance=_closest(embeddings, [s for s in GAN_SEEDS if s != own]),
    )  # fmt: skip
    write(
        f"{index + 1:>3}. {aspect:>4} {'cameo ' if with_cameo else '      '}{prompt[:44]:<44} "
        f"{frames} frames, faces {result.face_ms:.0f} ms/frame ({result.faces} found), nudity "
        f"{result.nudity_ms:.0f} ms/frame (top {result.nudity_score:.2f}), pass {seconds:.2f} s"
    )
    write(
        f"     render {result.render_seconds:.2f} s, scan / render {result.ratio:.2f}; "
        f"{_likeness_words(result)}"
    )
    return result


def _likeness_words(scan: ClipScan) -> str:
    def shown(distance: float | None) -> str:
        return "no face" if distance is None else f"{distance:.2f}"

    own = f"its cameo's face at {shown(scan.own_distance)}, " if scan.cameo else ""
    return f"{own}closest other face {shown(scan.stranger_distance)}"


def _summary(scans: list[ClipScan], threshold: float) -> list[str]:
    frames = sum(s.frames for s in scans)
    face_ms = sum(s.face_ms * s.frames for s in scans) / frames
    nudity_ms = sum(s.nudity_ms * s.frames for s in scans) / frames
    holds = sum(1 for s in scans if s.nudity_frames)
    return [
        f"Clips: {len(scans)}, frames scanned: {frames}",
        f"Faces (dlib, upsample 1): {face_ms:.1f} ms per frame",
        f"Nudity (NudeNet 320n): {nudity_ms:.1f} ms per frame",
        f"Whole pass: {statistics.median(s.seconds for s in scans):.2f} s per clip (median)",
        f"Highest counted nudity score on any clip: {max(s.nudity_score for s in scans):.2f}",
        f"Held for nudity at threshold {threshold:.2f}: {holds} of {len(scans)}",
        *_p4(scans),
    ]


def _p4(scans: list[ClipScan]) -> list[str]:
    ratio = statistics.median(s.ratio for s in scans)
    worst = max(s.ratio for s in scans)
    cameo = [s for s in scans if s.cameo]
    matched = sum(1 for s in cameo if s.matched)
    false = sum(1 for s in scans if s.false_match)
    ok = ratio <= P4_TARGET
    per_second = statistics.median(s.seconds / s.duration for s in scans)
    worst_per_second = max(s.seconds / s.duration for s in scans)
    return [
        f"Cameo clips whose face matched (< {LIKENESS_DISTANCE}): {matched} of {len(cameo)}; "
        f"clips matching a face not in them: {false} of {len(scans)}",
        f"P4 scan / render: median {ratio:.2f}, worst {worst:.2f} "
        f"({'meets' if ok else 'MISSES'} ≤ {P4_TARGET})",
        # The ratio moves with the renderer's speed as much as the scan's; this does not.
        f"Scan per second of video: median {per_second:.3f} s, worst {worst_per_second:.3f} s "
        f"(the goal as set, half of a 1.3 s render for a 4 s clip: ≤ {P4_PER_SECOND:.3f} s)",
    ]
