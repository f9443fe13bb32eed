"""Kill a video worker mid-render, again and again, and check nothing is left behind.

In a database, Valkey and media folder of its own, each run submits one clip (12 s by default,
built-in renderer), starts a real video worker, waits for the render to reach a random point
(a progress percentage drawn from 1 to 97, so every stage gets hit: frames, sound, faces,
watermark, encode, signing, saving) and SIGKILLs the worker. It then starts a fresh worker, whose
start-up puts the interrupted job back (``generation_requeue_stuck``) and removes the killed
render's folder, and waits for the job to end. The goal: every job ends done, or failed with a
sentence; none is left running; no render folder stays under var/work; and storage holds no file
that no job points at (so a failed job keeps none).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.services.users import user_signup
from generation.models import GenerationJob
from generation.services import generation_request
from generation.workdirs import job_workdirs
from sora_site.bench_site import OWN_DATA, run_in_own_site

# "Saving" is 97%: past it the job is done, so a kill point above it would hit an idle worker.
LAST_POINT = 97
PROMPTS = (
    "snowy mountains in the morning, birds flying over",
    "a neon city at night in the rain, camera pans left",
    "a golden retriever running on the beach at sunset, slow zoom in",
    'confetti on a stage, dancers spinning, caption "we did it!"',
    "fireflies in a misty forest at dusk",
)


@dataclass
class Run:
    number: int
    job_id: int
    target: int  # the progress percentage at which the worker is killed
    killed_stage: str = ""
    hit: bool = False  # the kill stopped a render (not a worker whose job had already ended)
    killed_progress: int = 0
    killed_after: float = 0.0  # seconds from the claim to the kill
    status: str = ""
    attempts: int = 0
    error: str = ""
    recovered_in: float = 0.0  # seconds from the restart to the job's end
    folders: int = 0
    files: int = 0

    @property
    def ok(self) -> bool:
        ended = self.status == "succeeded" or (self.status == "failed" and _sentence(self.error))
        return ended and not self.folders and not self.files


def _sentence(text: str) -> bool:
    text = text.strip()
    return len(text) > 10 and text[0].isupper() and text.endswith((".", "!", "?"))


class Command(BaseCommand):
    help = (
        "SIGKILL a video worker at random points of renders, restart it each time, and check "
        "every job ends done or failed with a sentence and no file or folder is orphaned."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--runs", type=int, default=10, help="Kills to make (default 10).")
        parser.add_argument(
            "--duration",
            type=int,
            default=12,
            choices=(4, 8, 12),
            help="Seconds of video per render (default 12; 4 for a quick check).",
        )
        parser.add_argument("--seed", type=int, default=0, help="Picks the kill points.")
        parser.add_argument(
            "--at",
            type=int,
            default=None,
            metavar="PERCENT",
            help="Kill every run at this progress (1-97) instead of a random point.",
        )
        parser.add_argument(
            "--timeout", type=float, default=600, help="Seconds to wait for one job, at most."
        )
        parser.add_argument("--here", action="store_true", help="Use this process's database.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["runs"] < 1:
            raise CommandError("--runs must be at least 1.")
        if options["at"] is not None and not 1 <= options["at"] <= LAST_POINT:
            raise CommandError(f"--at is a progress percentage from 1 to {LAST_POINT}.")
        if options["here"]:
            self._bench(options)
        else:
            self._in_own_folder(options)

    # --- A database and queue of its own ------------------------------------------------------

    def _in_own_folder(self, options: dict[str, Any]) -> None:
        args = []
        for name in ("runs", "duration", "seed", "timeout", "at"):
            if options[name] is not None:
                args += [f"--{name}", str(options[name])]
        # A model set for this machine's workers must not reach the bench's own worker.
        own = (*OWN_DATA, "SORA_WORK_DIR", "SORA_VIDEO_MODEL")
        run_in_own_site("bench_faults", args, self.stdout.write, own=own)

    # --- The runs ----------------------------------------------------------------------------

    def _bench(self, options: dict[str, Any]) -> None:
        call_command("migrate", verbosity=0)
        rng = random.Random(options["seed"])
        point = f"at {options['at']}%"
        if options["at"] is None:
            point = f"at a random point (seed {options['seed']})"
        self.stdout.write(
            f"{options['runs']} run(s): a {options['duration']} s render each, the worker "
            f"killed {point} and restarted."
        )
        runs = []
        for number in range(1, options["runs"] + 1):
            target = rng.randint(1, LAST_POINT)
            run = self._one_run(number, options["at"] or target, options)
            runs.append(run)
            self.stdout.write(
                f"  run {number}: killed in {run.killed_stage!r} at {run.killed_progress}%, "
                f"ended {run.status} after the restart."
            )
        self._report(runs)

    def _one_run(self, number: int, target: int, options: dict[str, Any]) -> Run:
        job = generation_request(
            user=_bench_user(number), prompt=PROMPTS[number % len(PROMPTS)],
            duration_s=options["duration"], aspect="9:16", seed=number,
        )  # fmt: skip
        run = Run(number=number, job_id=job.pk, target=target)
        worker = _start_worker(number, "first")
        try:
            claimed = _wait(
                lambda: GenerationJob.objects.filter(pk=job.pk, worker_pid=worker.pid).exists(),
                options["timeout"],
                f"run {number}: the worker to claim the job",
                worker,
            )
            _wait(
                lambda: _reached(job.pk, target),
                options["timeout"],
                f"run {number}: the render to reach {target}%",
                worker,
            )
            worker.send_signal(signal.SIGKILL)
            run.killed_after = time.monotonic() - claimed
        finally:
            _stop(worker, kill=True)
        job.refresh_from_db()
        run.killed_stage, run.killed_progress = job.stage, job.progress
        run.hit = job.status == GenerationJob.Status.RUNNING
        if not run.hit:
            run.killed_stage = f"(ended first) {job.stage}"
        restarted = time.monotonic()
        worker = _start_worker(number, "restart")
        try:
            _wait(
                lambda: GenerationJob.objects.filter(pk=job.pk, status__in=GenerationJob.TERMINAL)
                .exists(),
                options["timeout"],
                f"run {number}: the job to end after the restart",
                worker,
            )  # fmt: skip
            run.recovered_in = time.monotonic() - restarted
        finally:
            _stop(worker, kill=False)
        self._check(run)
        return run

    def _check(self, run: Run) -> None:
        job = GenerationJob.objects.get(pk=run.job_id)
        run.status, run.attempts, run.error = job.status, job.attempts, job.error
        run.folders = len(job_workdirs())
        run.files = len(_orphan_files())

    def _report(self, runs: list[Run]) -> None:
        self.stdout.write("")
        self.stdout.write(
            "  run  job  kill at  killed in               after    status     tries  "
            "recovered  folders  files"
        )
        for r in runs:
            self.stdout.write(
                f"  {r.number:>3}  {r.job_id:>3}  {r.target:>6}%  "
                f"{(r.killed_stage or '-')[:22]:<22}  {r.killed_after:>5.1f} s  {r.status:<9}  "
                f"{r.attempts:>5}  {r.recovered_in:>7.1f} s  {r.folders:>7}  {r.files:>5}"
            )
            if r.status == "failed":
                self.stdout.write(f"       error: {r.error}")
        total = len(runs)
        ended = sum(
            r.status == "succeeded" or (r.status == "failed" and _sentence(r.error)) for r in runs
        )
        done = sum(r.status == "succeeded" for r in runs)
        running = GenerationJob.objects.exclude(status__in=GenerationJob.TERMINAL).count()
        folders, files = len(job_workdirs()), len(_orphan_files())
        hits = sum(r.hit for r in runs)
        self.stdout.write("")
        self.stdout.write(f"Kills that stopped a render mid-way: {hits} of {total}.")
        self.stdout.write(
            f"{ended} of {total} jobs ended done or failed with a sentence "
            f"({done} done, {total - done} failed)."
        )
        self.stdout.write(f"Jobs left running or queued: {running}.")
        self.stdout.write(f"Orphan render folders under {settings.SORA_WORK_DIR}: {folders}.")
        self.stdout.write(f"Orphan files in storage: {files}.")
        met = ended == total and not running and not folders and not files
        verdict = "Goal met" if met else "Goal missed"
        self.stdout.write(
            f"{verdict}: {ended} of {total} ended, {running} unfinished, {folders + files} orphans."
        )


def _bench_user(number: int) -> Any:
    # One person per run, so no run waits on another's quota or queue cap.
    return user_signup(
        username=f"bench_faults_{number}", email=f"bench_faults_{number}@example.com",
        password=secrets.token_urlsafe(16), birthdate=dt.date(1990, 1, 1),
    )  # fmt: skip


def _start_worker(number: int, which: str) -> subprocess.Popen[bytes]:
    args = [sys.executable, str(settings.BASE_DIR / "manage.py"), "rqworker", "video"]
    args += ["--worker-class", "generation.worker.VideoWorker"]
    log = Path(settings.VAR_DIR) / f"worker-{number}-{which}.log"
    with log.open("ab") as out:
        return subprocess.Popen(
            args, cwd=settings.BASE_DIR, env=dict(os.environ), stdout=out, stderr=out
        )


def _stop(worker: subprocess.Popen[bytes], *, kill: bool) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
    try:
        worker.wait(timeout=60)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait(timeout=10)


def _reached(job_id: int, target: int) -> bool:
    """The render got to the kill point, or ended before it (then the kill hits an idle worker)."""
    row = GenerationJob.objects.filter(pk=job_id).values_list("progress", "status").first()
    return row is None or row[0] >= target or row[1] in GenerationJob.TERMINAL


def _wait(predicate: Any, timeout: float, what: str, worker: subprocess.Popen[bytes]) -> float:
    """Poll until ``predicate`` holds; returns the monotonic time it did."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if worker.poll() is not None:
            raise CommandError(
                f"The worker stopped (exit status {worker.returncode}) while waiting for {what}."
            )
        if time.monotonic() > deadline:
            raise CommandError(f"Timed out after {timeout:.0f} s waiting for {what}.")
        time.sleep(0.01)
    return time.monotonic()


def _orphan_files() -> list[str]:
    """Stored videos and posters that no job points at."""
    kept = set()
    for video, poster in GenerationJob.objects.values_list("video", "poster"):
        kept.update(name for name in (video, poster) if name)
    stored = []
    for folder in ("videos", "posters"):
        if default_storage.exists(folder):
            stored += [f"{folder}/{name}" for name in default_storage.listdir(folder)[1]]
    return sorted(name for name in stored if name not in kept)
