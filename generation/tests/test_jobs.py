from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import django_rq
import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from conftest import start_worker
from generation import services
from generation.models import GenerationJob
from generation.pipeline import get_backend
from generation.pipeline.encode import probe_mp4
from generation.services import render
from generation.tests.tiny_engine import TINY, tiny_engine_settings


def _media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_worker_renders_a_playable_draft(client: Client, alice: User, rendered: Any) -> None:
    job = rendered(alice, duration_s=4, aspect="9:16")
    assert (job.progress, job.stage, job.attempts) == (100, "Ready", 1)
    assert job.backend == "builtin" and job.plan
    info = probe_mp4(default_storage.path(job.video.name))
    assert info["codec"] == "h264" and info["pix_fmt"] == "yuv420p"
    assert (info["width"], info["height"]) == (480, 854)
    assert abs(info["duration_s"] - 4.0) < 0.1
    assert default_storage.open(job.poster.name).read(3) == b"\xff\xd8\xff"  # a JPEG
    client.force_login(alice)
    page = client.get(reverse("generation:job_status", args=[job.pk])).content.decode()
    assert f'src="{job.video.url}"' in page
    assert "Publish" in page
    assert "hx-trigger" not in page  # polling stops once the job ends


def test_same_prompt_and_seed_render_the_same_video(alice: User, rendered: Any) -> None:
    first = rendered(alice, "fireflies in a forest at night", seed=9)
    second = rendered(alice, "fireflies in a forest at night", seed=9)
    assert _decoded(first) == _decoded(second)


def _decoded(job: GenerationJob) -> list[bytes]:
    """The pictures, not the bytes: each file's signed manifest differs (time, signature)."""
    import av

    with av.open(default_storage.path(job.video.name)) as container:
        return [f.to_ndarray(format="rgb24").tobytes() for f in container.decode(video=0)]


def test_a_claimed_job_cannot_be_claimed_twice(alice: User, submit: Any) -> None:
    job = submit(alice)
    GenerationJob.objects.filter(pk=job.pk).update(status="running")
    assert render.generation_render(job_id=job.pk) is None
    job.refresh_from_db()
    assert job.attempts == 0 and not job.video


class _CancelMidway:
    """Wraps the real backend and cancels through the real service after the first batch."""

    def __init__(self, user: User, job_id: int) -> None:
        self.name = "builtin"
        self.user, self.job_id = user, job_id

    def generate(self, request: Any, *, on_progress: Any, should_cancel: Any) -> Any:
        def progress(fraction: float, stage: str = "") -> None:
            on_progress(fraction, stage)
            if fraction > 0:
                services.generation_cancel(user=self.user, job_id=self.job_id)

        return get_backend().generate(request, on_progress=progress, should_cancel=should_cancel)


def test_cancel_while_rendering_stops_and_leaves_no_file(
    alice: User, submit: Any, run_video_jobs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = submit(alice, duration_s=8)
    backend = _CancelMidway(alice, job.pk)
    monkeypatch.setattr("generation.pipeline.get_backend", lambda: backend)
    run_video_jobs()
    job.refresh_from_db()
    assert job.status == "cancelled" and job.stage == "Cancelled"
    assert not job.video
    assert _media_files() == []


class _Slow:
    name = "slow"

    def generate(self, request: Any, *, on_progress: Any, should_cancel: Any) -> Any:
        time.sleep(5)
        raise AssertionError("the timeout should have stopped this")


@override_settings(SORA_JOB_TIMEOUT=1)
def test_render_past_the_time_limit_fails_with_a_message(
    client: Client, alice: User, submit: Any, run_video_jobs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = submit(alice)
    monkeypatch.setattr("generation.pipeline.get_backend", lambda: _Slow())
    run_video_jobs()
    job.refresh_from_db()
    assert job.status == "failed"
    client.force_login(alice)
    page = client.get(reverse("generation:job", args=[job.pk])).content.decode()
    assert "The render took longer than the 1-second limit and was stopped." in page
    assert "Try again" in page


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_requeue_stuck_puts_back_a_job_whose_worker_died(alice: User, submit: Any) -> None:
    job = submit(alice)
    django_rq.get_queue("video").empty()
    GenerationJob.objects.filter(pk=job.pk).update(
        status="running", attempts=1, worker_host=socket.gethostname(),
        worker_pid=_dead_pid(),
    )  # fmt: skip
    report = services.generation_requeue_stuck()
    assert (report.requeued, report.enqueued) == (1, 1)
    job.refresh_from_db()
    assert job.status == "queued" and job.progress == 0
    assert django_rq.get_queue("video").job_ids == [job.rq_job_id]


def test_requeue_stuck_leaves_a_live_render_alone(alice: User, submit: Any) -> None:
    job = submit(alice)
    GenerationJob.objects.filter(pk=job.pk).update(
        status="running", attempts=1, worker_host=socket.gethostname(),
        worker_pid=os.getpid(), heartbeat_at=timezone.now(),
    )  # fmt: skip
    report = services.generation_requeue_stuck()
    assert report.requeued == 0 and report.failed == 0
    job.refresh_from_db()
    assert job.status == "running"


def test_requeue_stuck_fails_a_job_after_the_last_try(
    client: Client, alice: User, submit: Any
) -> None:
    job = submit(alice)
    GenerationJob.objects.filter(pk=job.pk).update(
        status="running", attempts=settings.SORA_MAX_ATTEMPTS,
        worker_host=socket.gethostname(), worker_pid=_dead_pid(),
    )  # fmt: skip
    assert services.generation_requeue_stuck().failed == 1
    client.force_login(alice)
    page = client.get(reverse("generation:job", args=[job.pk])).content.decode()
    assert "The render was interrupted 3 times" in page


def test_requeue_stuck_treats_a_silent_remote_worker_as_gone(alice: User, submit: Any) -> None:
    job = submit(alice)
    long_ago = timezone.now() - dt.timedelta(minutes=10)
    GenerationJob.objects.filter(pk=job.pk).update(
        status="running", attempts=1, worker_host="another-machine", worker_pid=1,
        heartbeat_at=long_ago,
    )  # fmt: skip
    assert services.generation_requeue_stuck(stale_after=60).requeued == 1


def test_requeue_stuck_command_prints_what_it_did(alice: User, submit: Any, capsys: Any) -> None:
    from django.core.management import call_command

    job = submit(alice)
    django_rq.get_queue("video").empty()
    GenerationJob.objects.filter(pk=job.pk).update(enqueued_at=None)
    call_command("requeue_stuck")
    assert "enqueued 1, fingerprints queued 0" in capsys.readouterr().out


def _wait_for(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_real_rqworker_subprocess_renders_a_job(alice: User, submit: Any) -> None:
    job = submit(alice, duration_s=4)
    worker = start_worker("video", burst=True)
    assert worker.wait(timeout=120) == 0
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    assert probe_mp4(default_storage.path(job.video.name))["codec"] == "h264"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_render_is_recovered_by_another_worker(alice: User, submit: Any) -> None:
    job = submit(alice, "a long snowy mountain flight with birds", duration_s=12, aspect="16:9")
    worker = start_worker("video", burst=False)
    try:
        _wait_for(
            lambda: GenerationJob.objects.filter(
                pk=job.pk, status="running", progress__gt=2
            ).exists(),
            60,
            "the render to start",
        )
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    job.refresh_from_db()
    assert job.status == "running" and not job.video
    assert not [p for p in _media_files() if p.suffix == ".mp4"]  # nothing half-written shows

    report = services.generation_requeue_stuck()
    assert report.requeued == 1
    second = start_worker("video", burst=True)
    assert second.wait(timeout=180) == 0
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    assert job.attempts == 2
    assert [p.name for p in _media_files() if p.suffix == ".mp4"] == [Path(job.video.name).name]


@pytest.fixture
def tiny_model_setting(tmp_path: Path) -> Any:
    """SORA_VIDEO_MODEL pointing at a tiny random-weights Wan pipeline built here."""
    from generation.pipeline.tiny_models import save_tiny_model

    folder = save_tiny_model("wan-t2v", tmp_path / "tiny-wan")
    get_backend.cache_clear()
    small = {"SORA_MODEL_STEPS": 2, "SORA_MODEL_MAX_SIDE": 32, "SORA_MODEL_MAX_FRAMES": 9}
    small |= tiny_engine_settings(tmp_path)
    with override_settings(SORA_VIDEO_MODEL=str(folder), SORA_DEVICE="cpu", **small):
        yield folder
    get_backend.cache_clear()


def test_a_job_renders_through_the_queue_with_a_diffusers_model(
    alice: User, rendered: Any, tiny_model_setting: Path
) -> None:
    job = rendered(alice, "a tiny test", duration_s=4, aspect="1:1", engine=TINY)
    assert job.backend == "diffusers" and job.model_hash
    assert job.plan["pipeline"] == "WanPipeline"
    info = probe_mp4(default_storage.path(job.video.name))
    assert (info["codec"], info["width"], info["height"]) == ("h264", 640, 640)
    assert abs(info["duration_s"] - 4.0) < 0.1


@pytest.mark.slow
def test_a_video_worker_with_a_broken_model_refuses_to_start(tmp_path: Path) -> None:
    (tmp_path / "model_index.json").write_text('{"_class_name": "StableDiffusionPipeline"}')
    env = {"SORA_VIDEO_MODEL": str(tmp_path)}
    worker = start_worker("video", burst=True, extra_env=env, capture=True)
    _, err = worker.communicate(timeout=120)
    assert worker.returncode == 2
    assert "The video worker can't start:" in err.decode()
    assert "StableDiffusionPipeline" in err.decode()


class _Noting:
    """The real renderer, plus a note such as a backend leaves when it falls back."""

    name = "builtin"

    def generate(self, request: Any, *, on_progress: Any, should_cancel: Any) -> Any:
        from generation.pipeline.builtin import BuiltinBackend

        result = BuiltinBackend().generate(
            request, on_progress=on_progress, should_cancel=should_cancel
        )
        result.notes.append("This model has no image-to-video mode, so the cameo was described.")
        return result


def test_a_backends_notes_are_shown_on_the_job(
    client: Client, alice: User, rendered: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("generation.pipeline.get_backend", lambda: _Noting())
    job = rendered(alice)
    client.force_login(alice)
    page = client.get(reverse("generation:job", args=[job.pk])).content.decode()
    assert "This model has no image-to-video mode, so the cameo was described." in page
    assert "How the prompt was read" in page
