"""seed_demo while a video worker is already serving the queue, as under ./run."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command

from conftest import start_worker
from feed.models import Post
from generation.management.commands.seed_demo import DEMO
from generation.models import GenerationJob

DEMO_VIDEOS = sum(len(prompts) for prompts in DEMO.values())


@pytest.fixture
def live_worker() -> Iterator[Any]:
    """A long-running video worker subprocess, ready before the test goes on."""
    import django_rq
    from rq import Worker

    proc = start_worker("video", burst=False)
    connection = django_rq.get_connection("video")
    deadline = time.monotonic() + 120
    while not Worker.all(connection=connection):
        assert proc.poll() is None, "the worker stopped at start-up"
        assert time.monotonic() < deadline, "the worker did not start"
        time.sleep(0.2)
    yield proc
    proc.terminate()
    proc.wait(timeout=30)


def _seed() -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("seed_demo", stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_it_publishes_every_demo_video_while_a_worker_is_running(live_worker: Any) -> None:
    said = _seed()

    assert f"Seeded {DEMO_VIDEOS} demo videos." in said, said
    assert "ended" not in said
    assert Post.objects.filter(author__username__in=DEMO).count() == DEMO_VIDEOS
    jobs = GenerationJob.objects.filter(creator__username__in=DEMO)
    assert sorted(jobs.values_list("status", flat=True)) == ["succeeded"] * DEMO_VIDEOS
    # Both workers took part or one did all; either way each video was rendered once.
    assert list(jobs.values_list("attempts", flat=True)) == [1] * DEMO_VIDEOS

    again = _seed()

    assert "Demo data already present; nothing to do." in again
    assert Post.objects.filter(author__username__in=DEMO).count() == DEMO_VIDEOS
    assert GenerationJob.objects.filter(creator__username__in=DEMO).count() == DEMO_VIDEOS
