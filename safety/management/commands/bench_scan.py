"""``manage.py bench_scan``: the cost and verdicts of the post-render scan on rendered clips.

Each clip is rendered by the built-in renderer, the way a worker makes it (some with a cameo
face from ``cameo.synthetic``, since skin and faces are what a nudity detector could mistake),
then walked once by ``safety.scan.scan_frames`` with both frame checks, faces and nudity. It
prints per clip the frames scanned, ms per frame for each check, faces found and the highest
nudity score; then the totals and how many clips the nudity check would hold. The likeness
guard's verdict needs protected cameos from the database, so ``bench_cameo`` times that part.
The first clip's pass also loads both models; it is timed apart as the warm-up.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

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


def _render(index: int, duration: int) -> tuple[Any, str, str, bool]:
    from cameo import synthetic
    from generation.pipeline.base import CameoImage, VideoRequest
    from generation.pipeline.builtin import BuiltinBackend

    prompt, aspect = PROMPTS[index % len(PROMPTS)], ASPECTS[index % len(ASPECTS)]
    with_cameo = index % 2 == 0
    cameos = ()
    if with_cameo:
        face = synthetic.gan_face(synthetic.GAN_SEEDS[index // 2 % len(synthetic.GAN_SEEDS)])
        cameos = (CameoImage(name="mira", image=face),)
    request = VideoRequest(
        prompt=prompt, seed=index, duration_s=duration, aspect=aspect, cameos=cameos
    )
    clip = BuiltinBackend().generate(request, on_progress=lambda *a: None, should_cancel=bool)
    return clip, prompt, aspect, with_cameo


def _warm_up(threshold: float) -> float:
    from safety.nudity import NudityCheck
    from safety.scan import FaceCheck, scan_frames

    clip, *_ = _render(0, 4)
    started = time.perf_counter()
    scan_frames(clip.frames, clip.fps, [FaceCheck(), NudityCheck(threshold=threshold)])
    return time.perf_counter() - started


def _scan_clip(index: int, duration: int, threshold: float, write: Any) -> ClipScan:
    from safety.nudity import NudityCheck
    from safety.scan import FaceCheck, scan_frames

    clip, prompt, aspect, with_cameo = _render(index, duration)
    faces, nudity = FaceCheck(), NudityCheck(threshold=threshold)
    spent: dict[str, float] = {}
    frames, seconds = scan_frames(clip.frames, clip.fps, [faces, nudity], spent=spent)
    result = ClipScan(
        prompt=prompt, aspect=aspect, cameo=with_cameo, frames=frames,
        face_ms=spent["faces"] * 1000 / frames, nudity_ms=spent["nudity"] * 1000 / frames,
        faces=len(faces.sightings), nudity_score=nudity.top_score,
        nudity_frames=len(nudity.frames), seconds=seconds,
    )  # fmt: skip
    write(
        f"{index + 1:>3}. {aspect:>4} {'cameo ' if with_cameo else '      '}{prompt[:44]:<44} "
        f"{frames} frames, faces {result.face_ms:.0f} ms/frame ({result.faces} found), nudity "
        f"{result.nudity_ms:.0f} ms/frame (top {result.nudity_score:.2f}), pass {seconds:.2f} s"
    )
    return result


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
    ]
