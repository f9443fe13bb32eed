"""Measure the cameo figures, in one run, on a synthetic clip (cameo.synthetic's GAN face):

1. verification: ``read_clip`` + ``verify_clip`` on an 8 s 640 x 480 30 fps clip that follows its
   challenge, written as an H.264 MP4 (a phone) and as a VP8 WebM (Chrome's MediaRecorder),
   as seconds per clip and as a share of the clip's length;
2. the likeness guard (see ``likeness_guard_figures``).

Each figure is the mean of ``--runs`` timed runs after one untimed warm-up, which loads dlib's
models, as wall and CPU seconds; the clips are made once and are not part of the timing.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cameo import faces, liveness, synthetic
from generation.pipeline.base import CameoImage, VideoRequest
from generation.pipeline.builtin import BuiltinBackend
from safety.services.scan import time_scan

CLIP_SECONDS = 8.0
CLIP_FPS = 30
CLIP_WIDTH = 640  # 640 x 480: what getUserMedia gives by default
CHALLENGE = ("left", "right", "up")
FORMATS = (("H.264 MP4", "libx264", "mp4"), ("VP8 WebM", "libvpx", "webm"))


@dataclass(frozen=True)
class BenchClip:
    label: str  # "H.264 MP4"
    path: Path
    challenge: tuple[str, ...]


class Command(BaseCommand):
    help = "Time cameo verification per clip on synthetic 8 s clips (MP4 and WebM)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--runs", type=int, default=3, help="Timed runs per figure.")
        parser.add_argument(
            "--seed", type=int, default=None, help="GAN face seed (cameo.synthetic.GAN_SEEDS)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        runs = max(1, options["runs"])
        seed = synthetic.GAN_SEEDS[0] if options["seed"] is None else options["seed"]
        with tempfile.TemporaryDirectory() as folder:
            clips = make_clips(seed, Path(folder))
            lines = verification_figures(clips, runs)
            lines += likeness_guard_figures(clips, runs)
        for line in lines:
            self.stdout.write(line)


def make_clips(seed: int, folder: Path) -> list[BenchClip]:
    head = synthetic.gan_head(seed, width=CLIP_WIDTH)
    frames = synthetic.turning_frames(
        CHALLENGE, head=head, seconds=CLIP_SECONDS, fps=CLIP_FPS, yaw_deg=synthetic.GAN_YAW_DEG
    )
    clips = []
    for label, codec, suffix in FORMATS:
        path = synthetic.write_clip(frames, folder / f"clip.{suffix}", CLIP_FPS, codec)
        clips.append(BenchClip(label, path, CHALLENGE))
    return clips


def _mean_seconds(job: Any, runs: int) -> tuple[float, float]:
    """(wall, CPU) seconds per run, means over ``runs``. CPU time shows what the work costs
    when other processes share the machine and stretch the wall time."""
    job()  # warm-up: loads the models and fills the caches
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        job()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.mean(walls), statistics.mean(cpus)


# --- 1. Verification ----------------------------------------------------------------------------


def _verify(clip: BenchClip) -> None:
    read = liveness.read_clip(clip.path)
    result = liveness.verify_clip(read.frames, read.duration_s, clip.challenge)
    if not result.ok:  # a failing clip stops early and would time the wrong thing
        raise CommandError(f"The {clip.label} bench clip failed verification: {result.reason}")


def verification_figures(clips: list[BenchClip], runs: int) -> list[str]:
    lines = []
    for clip in clips:
        seconds, cpu = _mean_seconds(lambda clip=clip: _verify(clip), runs)
        lines.append(
            f"Cameo verification (read_clip + verify_clip), {CLIP_SECONDS:g} s "
            f"{CLIP_WIDTH} x 480 {CLIP_FPS} fps {clip.label}: {seconds:.2f} s per clip "
            f"({cpu:.2f} s CPU), {seconds / CLIP_SECONDS:.2f} x the clip's length "
            f"(mean of {runs})"
        )
    return lines


# --- 2. The likeness guard ----------------------------------------------------------------------


GUARD_PROMPT = "@mira dancing on the beach at sunset"
GUARD_SIZES = (1_000, 10_000)


def _guard_render(seed: int) -> Any:
    """An 8 s 9:16 render by the built-in renderer with one cameo face, as the worker makes it."""
    face_image = synthetic.gan_face(seed)
    crop = faces.face_crop(face_image, faces.find_faces(face_image)[0])
    request = VideoRequest(
        prompt=GUARD_PROMPT, seed=7, duration_s=8, aspect="9:16",
        cameos=(CameoImage(name="mira", image=crop),),
    )  # fmt: skip
    return BuiltinBackend().generate(request, on_progress=lambda *a: None, should_cancel=bool)


def likeness_guard_figures(clips: list[BenchClip], runs: int, seed: int = 182) -> list[str]:
    """The post-render scan on an 8 s 9:16 render holding one cameo face: seconds per clip for
    finding and embedding faces in ~1 frame a second, and the comparison with N protected
    cameos as one matrix."""
    result = _guard_render(seed)
    time_scan(result.frames, result.fps, protected_cameos=10)  # warm-up
    lines = []
    for size in GUARD_SIZES:
        timings = [time_scan(result.frames, result.fps, protected_cameos=size) for _ in range(runs)]
        scan = statistics.mean(t.scan_seconds for t in timings)
        compare = statistics.mean(t.compare_seconds for t in timings) * 1000
        last = timings[-1]
        lines.append(
            f"Likeness guard, 8 s 9:16 render with one cameo: {scan:.2f} s per clip to find and "
            f"embed faces ({last.frames_scanned} frames, {last.faces_found} faces), "
            f"{scan / 8:.2f} x the clip's length; comparing with {size:,} protected cameos "
            f"{compare:.1f} ms (mean of {runs})"
        )
    return lines
