"""Measure what keeping the diffusers pipeline warm in one worker process buys, and costs.

- P2: the second job's latency divided by the first's, on one backend instance. The first job
  loads the model (as a worker's first job does); the target is at most 0.3.
- P3: the process's resident memory after the last job divided by that after job 5. Memory that
  is not given back between jobs shows up here; the target is at most 1.05.

With SORA_VIDEO_MODEL unset it uses a tiny random-weights model built into a temporary folder.
Jobs are kept small (a low model resolution, few steps, 1 s of output) so 50 of them take about
a minute on a laptop CPU; with a real model pass --steps and --max-side to taste.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from generation.pipeline.base import VideoRequest
from generation.pipeline.diffusers_backend import DiffusersBackend, RenderOptions, low_vram_from_env
from generation.pipeline.tiny_models import KINDS

P2_TARGET = 0.3
P3_TARGET = 1.05
P3_BASELINE_JOB = 5


def rss_bytes() -> int:
    """This process's resident memory now (not its peak), from /proc where there is one."""
    try:
        fields = Path("/proc/self/statm").read_text().split()
        return int(fields[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        # ru_maxrss is the peak, in KiB on Linux: only an upper bound, but better than nothing.
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _mib(size: int) -> str:
    return f"{size / 2**20:.1f} MiB"


def _verdict(value: float, target: float) -> str:
    return "meets" if value <= target else "MISSES"


class Command(BaseCommand):
    help = "Measure warm-worker latency (P2) and memory growth over many jobs (P3)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--jobs", type=int, default=50, help="Jobs to run (at least 6).")
        parser.add_argument(
            "--kind", default="wan-t2v", help="Tiny model to build when SORA_VIDEO_MODEL is unset."
        )
        parser.add_argument("--steps", type=int, default=2)
        parser.add_argument("--max-side", type=int, default=64)
        parser.add_argument("--max-frames", type=int, default=17)
        parser.add_argument("--seconds", type=float, default=1.0)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["jobs"] <= P3_BASELINE_JOB:
            raise CommandError(f"--jobs must be more than {P3_BASELINE_JOB} to measure P3.")
        with tempfile.TemporaryDirectory(prefix="sora-bench-model-") as tmp:
            path = settings.SORA_VIDEO_MODEL or self._tiny_model(Path(tmp), options["kind"])
            self._bench(path, options)

    def _tiny_model(self, folder: Path, kind: str) -> str:
        if kind not in KINDS:
            raise CommandError(f"Unknown --kind {kind!r}; choose one of {', '.join(KINDS)}.")
        self.stdout.write(f"SORA_VIDEO_MODEL is unset: using a tiny random-weights {kind} model.")
        # Built in another process: building imports diffusers, and a worker's first job pays
        # for that import, so this process must not have it yet.
        path = folder / kind
        subprocess.run(
            [sys.executable, str(settings.BASE_DIR / "manage.py"), "make_tiny_model", str(path),
             "--kind", kind],
            check=True, capture_output=True,
        )  # fmt: skip
        return str(path)

    def _bench(self, path: str, options: dict[str, Any]) -> None:
        render = RenderOptions(
            steps=options["steps"],
            max_side=options["max_side"],
            max_frames=options["max_frames"],
            seconds=options["seconds"],
        )
        started = time.perf_counter()
        try:
            # As in a worker: the instance is made once, and its first job loads the model.
            backend = DiffusersBackend(
                path, device=settings.SORA_DEVICE, low_vram=low_vram_from_env(), options=render
            )
            backend.load()
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        loading = time.perf_counter() - started
        self.stdout.write(f"Model {path} ({backend.pipeline_class}) on {backend.device}")
        times, rss = self._run_jobs(backend, options["jobs"], started)
        self._report(times, rss, options["jobs"])
        self.stdout.write(
            f"Of job 1, {loading:.3f} s went to loading (importing diffusers included)."
        )

    def _run_jobs(
        self, backend: Any, jobs: int, started: float
    ) -> tuple[list[float], dict[int, int]]:
        times: list[float] = []
        rss: dict[int, int] = {}
        for number in range(1, jobs + 1):
            request = VideoRequest(
                prompt=f"bench job {number}: a kite over a windy beach", seed=number, aspect="1:1"
            )
            backend.generate(request, on_progress=lambda *_: None, should_cancel=lambda: False)
            now = time.perf_counter()
            times.append(now - started)
            started = now
            rss[number] = rss_bytes()
            if number <= 2 or number % 10 == 0:
                self.stdout.write(f"  job {number:3d}: {times[-1]:.3f} s, RSS {_mib(rss[number])}")
        return times, rss

    def _report(self, times: list[float], rss: dict[int, int], jobs: int) -> None:
        p2 = times[1] / times[0]
        p3 = rss[jobs] / rss[P3_BASELINE_JOB]
        self.stdout.write(
            f"Job 1 (loads the model): {times[0]:.3f} s; job 2 (warm): {times[1]:.3f} s; "
            f"median of jobs 3-{jobs}: {statistics.median(times[2:]):.3f} s"
        )
        self.stdout.write(
            f"P2 = job 2 / job 1 = {p2:.3f} ({_verdict(p2, P2_TARGET)} ≤ {P2_TARGET})"
        )
        self.stdout.write(
            f"RSS after job {P3_BASELINE_JOB}: {_mib(rss[P3_BASELINE_JOB])}; "
            f"after job {jobs}: {_mib(rss[jobs])}"
        )
        self.stdout.write(
            f"P3 = RSS after {jobs} jobs / after {P3_BASELINE_JOB} = {p3:.3f} "
            f"({_verdict(p3, P3_TARGET)} ≤ {P3_TARGET})"
        )
