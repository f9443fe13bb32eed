"""Measure the figures the walking skeleton promises, in one run:

1. the wall time of ``./run`` until the page first answers (fresh data folder, then a restart);
2. the wall time from submitting a 4 s 9:16 prompt (over HTTP, as a person would) to a playable
   draft, against that running instance;
3. the built-in renderer's speed, as seconds of video per wall second, encode included.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import redis
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rq import Queue, Worker

from generation.pipeline import encode
from generation.pipeline.base import VideoRequest
from generation.pipeline.builtin import BuiltinBackend
from generation.pipeline.watermark import apply_watermark
from sora_site.visitor import Visitor


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Command(BaseCommand):
    help = "Measure ./run start-up, submit-to-draft time and the built-in renderer's speed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--skip-run", action="store_true", help="Only measure rendering.")

    def handle(self, *args: Any, skip_run: bool, **options: Any) -> None:
        if not skip_run:
            self._bench_run_and_submit()
        self._bench_render()

    # --- ./run -----------------------------------------------------------------------------------

    def _start(self, var_dir: Path, port: int) -> tuple[subprocess.Popen[bytes], float]:
        env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
        env.update(SORA_VAR_DIR=str(var_dir), SORA_PORT=str(port))
        env.pop("DJANGO_SETTINGS_MODULE", None)
        log = (var_dir / "run.log").open("ab")
        started = time.monotonic()
        proc = subprocess.Popen(
            [str(settings.BASE_DIR / "run")], env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}/"
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as resp:
                    if resp.status == 200:
                        return proc, time.monotonic() - started
            except OSError:
                pass
            if proc.poll() is not None:
                raise CommandError(f"./run exited early; see {var_dir / 'run.log'}")
            if time.monotonic() - started > 600:
                raise CommandError("./run did not answer within 10 minutes.")
            time.sleep(0.1)

    def _stop(self, proc: subprocess.Popen[bytes]) -> int:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        time.sleep(0.5)
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            return 0
        leftovers = subprocess.run(
            ["pgrep", "-g", str(proc.pid)], capture_output=True, text=True
        ).stdout.split()
        os.killpg(proc.pid, signal.SIGKILL)
        return len(leftovers)

    def _bench_run_and_submit(self) -> None:
        var_dir = Path(tempfile.mkdtemp(prefix="sora-bench-"))
        port = _free_port()
        proc, fresh = self._start(var_dir, port)
        left = self._stop(proc)
        self.stdout.write(
            f"./run until the page answers, fresh data (migrate + seed_demo): {fresh:.1f} s"
        )
        proc, warm = self._start(var_dir, port)
        self.stdout.write(f"./run until the page answers, restart: {warm:.1f} s")
        try:
            ready = self._wait_for_video_worker(var_dir / "valkey.sock") + warm
            self.stdout.write(f"./run until a video worker is ready (model loaded): {ready:.1f} s")
            submit = self._submit_to_draft(f"http://127.0.0.1:{port}")
            self.stdout.write(f"submit to playable draft, 4 s 9:16 clip: {submit:.2f} s")
        finally:
            left += self._stop(proc)
        self.stdout.write(f"processes left behind after SIGTERM: {left}")

    def _wait_for_video_worker(self, socket_path: Path) -> float:
        """A video worker registers with the queue only after it has loaded its backend."""
        started = time.monotonic()
        connection = redis.Redis(unix_socket_path=str(socket_path))
        queue = Queue("video", connection=connection)
        while Worker.count(queue=queue) < 1:
            if time.monotonic() - started > 300:
                raise CommandError("No video worker registered within 5 minutes.")
            time.sleep(0.1)
        return time.monotonic() - started

    def _submit_to_draft(self, base: str) -> float:
        browser = Visitor(base, timeout=30)
        browser.get("/accounts/signup/")
        password = "bench-password-4471"
        browser.post(
            "/accounts/signup/",
            {"username": f"bench{int(time.time())}", "email": "bench@example.com",
             "password1": password, "password2": password, "birthdate": "1990-01-01"},
        )  # fmt: skip
        browser.get("/create/")
        started = time.monotonic()
        job_url = browser.post(
            "/create/",
            {"prompt": "a red fox running through a snowy forest, pan right",
             "duration_s": "4", "aspect": "9:16", "seed": "5"},
        )  # fmt: skip
        job_path = urllib.parse.urlparse(job_url).path
        while True:
            status = browser.get(f"{job_path}status/")
            match = re.search(r'<video[^>]+src="([^"]+)"', status)
            if match:
                elapsed = time.monotonic() - started
                head = browser.opener.open(base + match.group(1), timeout=30).read(12)
                if head[4:8] != b"ftyp":
                    raise CommandError("The draft is not an MP4 file.")
                return elapsed
            if "Failed" in status or time.monotonic() - started > 300:
                raise CommandError(f"The bench job did not finish: {status[:300]}")
            time.sleep(0.05)

    # --- renderer --------------------------------------------------------------------------------

    def _bench_render(self) -> None:
        backend = BuiltinBackend()
        warm = VideoRequest(prompt="warm up", seed=0, duration_s=4, aspect="1:1")
        backend.generate(warm, on_progress=lambda *a: None, should_cancel=lambda: False)
        for duration in (4, 8):
            request = VideoRequest(
                prompt="a golden retriever running on the beach at sunset, slow zoom in",
                seed=7, duration_s=duration, aspect="9:16", creator_handle="bench",
            )  # fmt: skip
            t0 = time.perf_counter()
            result = backend.generate(
                request, on_progress=lambda *a: None, should_cancel=lambda: False
            )
            t1 = time.perf_counter()
            frames = apply_watermark(result.frames, handle="bench", fps=result.fps)
            t2 = time.perf_counter()
            with tempfile.TemporaryDirectory() as tmp:
                encode.encode_mp4(frames, result.fps, Path(tmp) / "bench.mp4")
            t3 = time.perf_counter()
            total = t3 - t0
            self.stdout.write(
                f"render {duration} s 9:16 (480x854, {len(frames)} frames): "
                f"render {t1 - t0:.2f} s, "
                f"watermark {t2 - t1:.2f} s, encode {t3 - t2:.2f} s, total {total:.2f} s "
                f"= {duration / total:.2f}x real time"
            )
