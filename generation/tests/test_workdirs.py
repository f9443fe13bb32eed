"""Render folders live under SORA_WORK_DIR and don't outlive a killed worker."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.models import User
from conftest import start_worker
from generation.models import GenerationJob
from generation.workdirs import job_workdirs, workdirs_sweep


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def _folder(job_id: int, pid: int, host: str | None = None) -> Path:
    """A render folder as a worker names it, with a half-written video inside."""
    host = host or socket.gethostname()
    folder = Path(settings.SORA_WORK_DIR) / f"sora-job-{job_id}-{pid}-{host}-k3x_9q2a"
    folder.mkdir(parents=True)
    (folder / "video.mp4").write_bytes(b"\x00" * 1024)
    return folder


def _running(job: GenerationJob, pid: int, host: str | None = None) -> None:
    GenerationJob.objects.filter(pk=job.pk).update(
        status="running", attempts=1, worker_pid=pid,
        worker_host=host or socket.gethostname(), heartbeat_at=timezone.now(),
    )  # fmt: skip


@pytest.fixture(autouse=True)
def _empty_work_dir() -> Iterator[None]:
    yield
    shutil.rmtree(settings.SORA_WORK_DIR, ignore_errors=True)


def test_it_removes_a_killed_workers_folder_when_a_worker_starts(
    alice: User, submit: Any, run_video_jobs: Any
) -> None:
    job = submit(alice)
    dead = _dead_pid()
    _running(job, dead)
    orphan = _folder(job.pk, dead)

    run_video_jobs()

    assert not orphan.exists()
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    assert job_workdirs() == []  # the retried render's own folder went when it finished


def test_it_keeps_the_folder_of_a_render_still_running(alice: User, submit: Any) -> None:
    job = submit(alice)
    _running(job, os.getpid())
    live = _folder(job.pk, os.getpid())

    assert workdirs_sweep() == []

    assert (live / "video.mp4").read_bytes() == b"\x00" * 1024


def test_it_removes_a_folder_whose_job_is_no_longer_running(alice: User, rendered: Any) -> None:
    job = rendered(alice)
    # This process is alive, but the job it was rendering has ended.
    left = _folder(job.pk, os.getpid())

    assert workdirs_sweep() == [left]

    assert not left.exists()


def test_it_judges_another_hosts_folder_by_its_job_row(alice: User, submit: Any) -> None:
    running, waiting = submit(alice, "fireflies at dusk"), submit(alice, "a neon city at night")
    _running(running, 4242, host="render-node-2")
    kept = _folder(running.pk, 4242, host="render-node-2")
    gone = _folder(waiting.pk, 4242, host="render-node-2")

    assert workdirs_sweep() == [gone]

    assert kept.exists() and not gone.exists()


def test_it_leaves_other_files_in_the_work_folder_alone(alice: User, submit: Any) -> None:
    root = Path(settings.SORA_WORK_DIR)
    root.mkdir(parents=True, exist_ok=True)
    notes = root / "operator-notes"
    notes.mkdir(exist_ok=True)

    workdirs_sweep()

    assert notes.is_dir()


def test_it_encodes_inside_a_folder_named_for_the_job_under_the_work_dir(
    alice: User, submit: Any, run_video_jobs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generation.pipeline import encode

    seen: list[Path] = []
    real = encode.encode_mp4

    def spy(frames: Any, fps: int, path: Path, **kw: Any) -> Any:
        seen.append(path.parent)
        return real(frames, fps, path, **kw)

    monkeypatch.setattr(encode, "encode_mp4", spy)
    job = submit(alice)

    run_video_jobs()

    [folder] = seen
    assert folder.parent == Path(settings.SORA_WORK_DIR)
    assert folder.name.startswith(f"sora-job-{job.pk}-{os.getpid()}-")
    assert not folder.exists()


def _wait_for(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_encoding_leaves_no_folder_once_another_starts(
    alice: User, submit: Any
) -> None:
    job = submit(alice, "snowy mountains in the morning, birds flying over", duration_s=12)
    worker = start_worker("video", burst=False)
    try:
        _wait_for(lambda: job_workdirs() != [], 180, "the encode to start")
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    [orphan] = job_workdirs()
    assert orphan.name.startswith(f"sora-job-{job.pk}-{worker.pid}-")

    second = start_worker("video", burst=True)
    assert second.wait(timeout=240) == 0

    assert job_workdirs() == []
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("succeeded", 2)
