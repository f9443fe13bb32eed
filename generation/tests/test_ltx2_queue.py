"""LTX-2 through the real queue: a tiny random-weights LTX-2 folder, served by a video worker on
its own ``video-tiny-ltx2`` queue, renders a person's job into a stored MP4 that carries the
model's own sound as its AAC track.

The tiny model's picture and sound are noise, so these tests check what a person gets: an H.264
video with one AAC stream as long as the picture, loud enough to hear (the mixer masters a model's
sound like any soundtrack), and a job page that says the sound came from the model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import django_rq
import numpy as np
import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import User
from generation.models import GenerationJob
from generation.pipeline import get_backend

pytest.importorskip("diffusers", reason="diffusers is not installed")

from generation.pipeline.audio.master import integrated_loudness  # noqa: E402
from generation.pipeline.encode import decode_audio, probe_mp4  # noqa: E402
from generation.worker import VideoWorker  # noqa: E402

QUEUE = "video-tiny-ltx2"
# A tiny render: 2 steps at 32 px and 9 model frames, spread over the 4 s clip.
SMALL = {"SORA_MODEL_STEPS": 2, "SORA_MODEL_MAX_SIDE": 32, "SORA_MODEL_MAX_FRAMES": 9}
CATALOGUE = """[[model]]
name = "tiny-ltx2"
title = "Tiny LTX-2 (test model)"
repo = "test-org/tiny-ltx2-diffusers"
revision = "main"
revision_note = "a model built by the test, never pulled"
revision_source = "the test"
family = "ltx2"
pipeline = "LTX2Pipeline"
tasks = ["t2v", "i2v", "audio"]
download_note = "built locally"
licence = "Apache-2.0"
licence_url = "https://example.org/apache"
commercial_use = true
allow_patterns = ["model_index.json", "*/*"]
"""


@pytest.fixture(scope="module")
def ltx2_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from generation.pipeline.tiny_models import save_tiny_model

    return save_tiny_model("ltx2", tmp_path_factory.mktemp("models") / "tiny-ltx2")


@pytest.fixture
def ltx2_engine(ltx2_folder: Path, tmp_path: Path) -> Iterator[Path]:
    """``tiny-ltx2`` in the catalogue with its queue, and this process set up as its worker."""
    catalogue = tmp_path / "catalogue.toml"
    catalogue.write_text(CATALOGUE)
    overrides = {
        "SORA_MODEL_CATALOGUE": str(catalogue),
        "SORA_VIDEO_ENGINE": "tiny-ltx2",
        "SORA_VIDEO_MODEL": str(ltx2_folder),
        "SORA_DEVICE": "cpu",
        "RQ_QUEUES": {**settings.RQ_QUEUES, QUEUE: settings.RQ_QUEUES["video"]},
        **SMALL,
    }
    get_backend.cache_clear()
    with override_settings(**overrides):
        yield ltx2_folder
    get_backend.cache_clear()


def _run_worker() -> None:
    queue = django_rq.get_queue("video")
    VideoWorker([queue], connection=queue.connection).work(burst=True)


def _render(submit: Callable[..., Any], user: User, **kwargs: Any) -> GenerationJob:
    job = submit(user, "a dog barks at the waves on a windy beach", engine=QUEUE, **kwargs)
    assert django_rq.get_queue(QUEUE).job_ids == [job.rq_job_id]
    _run_worker()
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    return job


def test_a_worker_on_the_ltx2_queue_stores_an_mp4_with_the_models_sound_as_its_aac_track(
    client: Client, alice: User, submit: Callable[..., Any], ltx2_engine: Path
) -> None:
    job = _render(submit, alice, aspect="1:1", duration_s=4)
    assert (job.backend, job.engine) == ("diffusers", QUEUE)
    assert job.plan["family"] == "ltx2" and job.plan["pipeline"] == "LTX2Pipeline"
    path = default_storage.path(job.video.name)
    info = probe_mp4(path)
    assert info["codec"] == "h264" and info["audio_streams"] == 1
    assert info["audio"]["codec"] == "aac"
    assert info["duration_s"] == pytest.approx(4.0, abs=0.05)
    assert abs(info["audio"]["duration_s"] - info["duration_s"]) <= 0.1
    samples, rate = decode_audio(path)
    assert np.abs(samples).max() > 0.01
    # Mastered like every soundtrack (about -16 LUFS): loud enough to hear, not silence.
    assert integrated_loudness(samples, rate) > -30.0

    client.force_login(alice)
    page = client.get(reverse("generation:job", args=[job.pk])).content.decode()
    assert "Sound made by the model with the picture." in page


def test_a_silent_ltx2_job_has_no_sound_stream(
    alice: User, submit: Callable[..., Any], ltx2_engine: Path
) -> None:
    job = _render(submit, alice, aspect="1:1", duration_s=4, sound="off")
    info = probe_mp4(default_storage.path(job.video.name))
    assert info["codec"] == "h264"
    assert info["audio_streams"] == 0 and info["audio"] is None
