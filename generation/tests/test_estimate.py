"""The queue's "ready in about …" comes from the jobs actually ahead and measured render speed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_rq
import pytest
import time_machine
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from conftest import make_user
from generation.estimate import (
    QueueEstimate,
    RenderSpeed,
    Running,
    fit_speed,
    queue_estimate,
    ready_in,
    remaining_seconds,
)
from generation.models import GenerationJob

# 2 s to start, encode and sign, plus 1 s per second of video.
SPEED = RenderSpeed(fixed=2.0, per_second=1.0)


def test_it_splits_render_time_into_a_fixed_part_and_a_part_per_second() -> None:
    speed = fit_speed([(4, 6.0), (12, 14.0), (8, 10.0)])
    assert speed is not None
    assert (round(speed.fixed, 6), round(speed.per_second, 6)) == (2.0, 1.0)


def test_with_one_clip_length_all_the_time_is_per_second_of_video() -> None:
    assert fit_speed([(4, 2.0), (4, 2.0)]) == RenderSpeed(fixed=0.0, per_second=0.5)
    assert fit_speed([]) is None


def test_a_short_clip_behind_two_long_ones_waits_for_both() -> None:
    # The case people saw: a 4 s clip behind two 12 s clips on one worker.
    seconds = ready_in(duration_s=4, ahead=[12, 12], running=[], workers=1, speed=SPEED)
    assert seconds == 14 + 14 + 6


def test_two_workers_take_the_jobs_ahead_side_by_side() -> None:
    seconds = ready_in(duration_s=4, ahead=[12, 12], running=[], workers=2, speed=SPEED)
    assert seconds == 14 + 6


def test_a_running_job_counts_for_what_is_left_of_it() -> None:
    running = [Running(duration_s=12, elapsed=5.0, progress=30)]
    seconds = ready_in(duration_s=4, ahead=[8], running=running, workers=1, speed=SPEED)
    assert seconds == (14 - 5) + 10 + 6


def test_a_job_past_its_prediction_is_judged_by_its_progress() -> None:
    late = Running(duration_s=4, elapsed=30.0, progress=75)
    assert remaining_seconds(late, SPEED) == 10.0


def test_long_waits_are_said_in_minutes_and_short_ones_in_seconds() -> None:
    assert QueueEstimate(position=1, eta_seconds=90).text == "about 90 s"
    assert QueueEstimate(position=1, eta_seconds=200).text == "about 3 min"
    assert QueueEstimate(position=1, eta_seconds=None).text == ""


def _history(submit: Any, user: User, runs: list[tuple[int, float]]) -> None:
    """Finished renders of these (clip length, seconds), as the worker records them."""
    for duration, seconds in runs:
        job = submit(user, "history", duration_s=duration)
        GenerationJob.objects.filter(pk=job.pk).update(
            status=GenerationJob.Status.SUCCEEDED, render_seconds=seconds,
            finished_at=timezone.now(),
        )  # fmt: skip
        django_rq.get_queue("video").remove(job.rq_job_id)


@pytest.fixture
def queued(submit: Any, charlie: User) -> list[Any]:
    """Render history of 2 s + 1 s per second, then two 12 s clips by other people in line."""
    _history(submit, charlie, [(4, 6.0), (12, 14.0)])
    return [submit(make_user(name), "a long one", duration_s=12) for name in ("dora", "eli")]


def test_the_job_page_promises_the_time_of_the_jobs_ahead(
    client: Client, alice: User, submit: Any, queued: list[Any]
) -> None:
    job = submit(alice, "a short one", duration_s=4)
    assert queue_estimate(job=job) == QueueEstimate(position=3, eta_seconds=34)
    client.force_login(alice)
    page = client.get(reverse("generation:job_status", args=[job.pk])).content.decode()
    assert "#3 in line · ready in about 34 s" in page


def test_the_job_page_counts_a_job_being_rendered(
    client: Client, alice: User, submit: Any, queued: list[Any]
) -> None:
    started = timezone.now()
    GenerationJob.objects.filter(pk=queued[0].pk).update(
        status=GenerationJob.Status.RUNNING, progress=40, started_at=started
    )
    django_rq.get_queue("video").remove(queued[0].rq_job_id)
    job = submit(alice, "a short one", duration_s=4)
    with time_machine.travel(started + dt.timedelta(seconds=4), tick=False):
        estimate = queue_estimate(job=job)
    # 10 s left of the running 12 s clip, 14 s for the next one, 6 s for this one.
    assert estimate == QueueEstimate(position=2, eta_seconds=30)


def test_a_long_wait_reads_in_minutes_on_the_job_page(
    client: Client, alice: User, submit: Any, queued: list[Any]
) -> None:
    GenerationJob.objects.filter(status=GenerationJob.Status.SUCCEEDED).update(
        render_seconds=F("duration_s") * 10
    )
    job = submit(alice, "a short one", duration_s=12)
    client.force_login(alice)
    page = client.get(reverse("generation:job", args=[job.pk])).content.decode()
    # Ten seconds of work per second of video: three 12 s clips make six minutes.
    assert "#3 in line · ready in about 6 min" in page


def test_a_job_for_a_model_gets_its_place_on_that_models_queue_but_no_time(
    client: Client, alice: User, submit: Any, queued: list[Any]
) -> None:
    from generation.engines import engine_queue

    model = engine_queue("ltx-2")
    first = submit(make_user("fay"), "on the model", engine=model)
    job = submit(alice, "on the model too", engine=model)
    try:
        # Its place counts the model's own line, not the built-in renderer's two 12 s clips,
        # and the built-in renderer's speed says nothing about how fast the model is.
        assert queue_estimate(job=job) == QueueEstimate(position=2, eta_seconds=None)
        # A model's job being rendered doesn't hold up the built-in renderer's line either.
        GenerationJob.objects.filter(pk=first.pk).update(
            status=GenerationJob.Status.RUNNING, progress=10, started_at=timezone.now()
        )
        builtin = submit(make_user("gus"), "a short one", duration_s=4)
        assert queue_estimate(job=builtin) == QueueEstimate(position=3, eta_seconds=34)
    finally:
        django_rq.get_queue(model).empty()
