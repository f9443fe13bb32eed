"""Measure, in one run of a real ``./run``, whether a fresh start makes anyone wait on a cold model:

(a) the first Create submit after start-up divided by the median of the next ten (goal: at most
    1.5), each one a signed-in POST to /create/ over HTTP, as a person's click is;
(b) how long a post's features job takes on the ``default`` worker, first and second job after
    start-up (goal: at most 1 s).

``--root`` starts ``run`` from another checkout, to compare with an older version of the code.
"""

from __future__ import annotations

import os
import signal
import socket
import statistics
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

from sora_site.visitor import Visitor

RATIO_GOAL = 1.5
FEATURES_GOAL_S = 1.0
PROMPTS = [
    "a red fox running through a snowy forest, pan right",
    "a lighthouse on a cliff in a storm at night",
    "a cat sleeping on a sunny windowsill",
    "fireworks over a harbour, slow zoom out",
    "a koi pond in the rain, birds flying over",
    "an astronaut floating among the stars",
    "a street market at dusk with lanterns",
    "a sailboat on a calm lake at dawn",
    "a snowy mountain village in the morning",
    "a dog catching a frisbee on the beach",
    "a hot air balloon drifting over green hills",
]


def _verdict(ok: bool) -> str:
    return "meets" if ok else "MISSES"


class Command(BaseCommand):
    help = "Measure the first Create click after ./run starts and a warm default-queue job."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--root", default=str(settings.BASE_DIR), help="Checkout to run.")

    def handle(self, *args: Any, root: str, **options: Any) -> None:
        var_dir = Path(tempfile.mkdtemp(prefix="sora-firstclick-"))
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        proc = self._start(Path(root), var_dir, port)
        try:
            self._wait_for_workers(var_dir / "valkey.sock")
            self._bench_submits(f"http://127.0.0.1:{port}")
            self._bench_features(var_dir / "valkey.sock")
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)

    def _start(self, root: Path, var_dir: Path, port: int) -> subprocess.Popen[bytes]:
        skip = {"REDIS_URL", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
        env = {k: v for k, v in os.environ.items() if k not in skip}
        env.update(SORA_VAR_DIR=str(var_dir), SORA_PORT=str(port))
        log = (var_dir / "run.log").open("ab")
        proc = subprocess.Popen(
            [str(root / "run")], env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5):
                    return proc
            except OSError:
                pass
            if proc.poll() is not None:
                raise CommandError(f"./run exited early; see {var_dir / 'run.log'}")
            time.sleep(0.2)
        raise CommandError("./run did not answer within 10 minutes.")

    def _wait_for_workers(self, socket_path: Path) -> None:
        """Both queues' workers register once they have loaded what they preload."""
        connection = redis.Redis(unix_socket_path=str(socket_path))
        deadline = time.monotonic() + 300
        for name in ("video", "default"):
            while Worker.count(queue=Queue(name, connection=connection)) < 1:
                if time.monotonic() > deadline:
                    raise CommandError(f"No {name} worker registered within 5 minutes.")
                time.sleep(0.1)

    def _bench_submits(self, base: str) -> None:
        visitor = Visitor(base, timeout=120)
        visitor.get("/accounts/signup/")
        password = "bench-password-4471"
        visitor.post(
            "/accounts/signup/",
            {"username": f"firstclick{int(time.time())}", "email": "fc@example.com",
             "password1": password, "password2": password, "birthdate": "1990-01-01"},
        )  # fmt: skip
        times = []
        for seed, prompt in enumerate(PROMPTS):
            visitor.get("/create/")
            started = time.perf_counter()
            landed = visitor.post(
                "/create/",
                {"prompt": prompt, "duration_s": "4", "aspect": "9:16", "seed": str(seed)},
            )
            times.append(time.perf_counter() - started)
            if "/create/jobs/" not in landed:
                raise CommandError(f"Submit {seed + 1} did not reach a job page: {landed}")
        first, median = times[0], statistics.median(times[1:])
        ratio = first / median
        self.stdout.write(
            f"(a) first Create submit {first:.2f} s, median of the next ten {median:.2f} s: "
            f"ratio {ratio:.2f} ({_verdict(ratio <= RATIO_GOAL)} the goal of {RATIO_GOAL})"
        )

    def _bench_features(self, socket_path: Path) -> None:
        queue = Queue("default", connection=redis.Redis(unix_socket_path=str(socket_path)))
        for label in ("first", "second"):
            # Post 1 is seed_demo's first published video.
            job = queue.enqueue("feed.jobs.post_features", 1)
            deadline = time.monotonic() + 300
            while job.get_status(refresh=True) not in {"finished", "failed"}:
                if time.monotonic() > deadline:
                    raise CommandError("The features job did not finish within 5 minutes.")
                time.sleep(0.05)
            if job.get_status() == "failed":
                raise CommandError(f"The features job failed: {job.latest_result()}")
            job.refresh()
            seconds = (job.ended_at - job.started_at).total_seconds()
            self.stdout.write(
                f"(b) {label} post features job on the default worker: {seconds:.2f} s "
                f"({_verdict(seconds <= FEATURES_GOAL_S)} the goal of {FEATURES_GOAL_S:.0f} s)"
            )
