from __future__ import annotations

from typing import Any

import django_rq
import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from feed.services.posts import post_publish
from generation.models import GenerationJob
from generation.services import generation_cancel


def test_a_persons_third_job_waits_as_pending_outside_the_queue(alice: User, submit: Any) -> None:
    jobs = [submit(alice, f"scene {n}") for n in range(3)]
    assert [j.status for j in jobs] == ["queued", "queued", "pending"]
    assert django_rq.get_queue("video").job_ids == [jobs[0].rq_job_id, jobs[1].rq_job_id]
    assert jobs[2].enqueued_at is None


@pytest.mark.django_db(transaction=True)
def test_another_persons_single_job_starts_before_the_first_persons_third(
    alice: User, bob: User, submit: Any, run_video_jobs: Any
) -> None:
    a1, a2, a3 = (submit(alice, f"alice scene {n}") for n in range(3))
    b1 = submit(bob, "bob's only scene")
    run_video_jobs()
    started = {job.pk: job.started_at for job in GenerationJob.objects.filter(status="succeeded")}
    assert len(started) == 4
    assert started[b1.pk] < started[a3.pk]
    assert started[a1.pk] < started[a2.pk] < started[b1.pk]


def test_cancelling_a_queued_job_releases_the_pending_one(
    alice: User, submit: Any, django_capture_on_commit_callbacks: Any
) -> None:
    first, _second, third = (submit(alice, f"scene {n}") for n in range(3))
    with django_capture_on_commit_callbacks(execute=True):
        generation_cancel(user=alice, job_id=first.pk)
    third.refresh_from_db()
    assert third.status == "queued" and third.enqueued_at is not None
    assert third.rq_job_id in django_rq.get_queue("video").job_ids


def test_a_pending_job_can_be_cancelled_without_touching_the_queue(
    alice: User, submit: Any
) -> None:
    jobs = [submit(alice, f"scene {n}") for n in range(3)]
    generation_cancel(user=alice, job_id=jobs[2].pk)
    jobs[2].refresh_from_db()
    assert jobs[2].status == "cancelled"
    assert django_rq.get_queue("video").count == 2


def test_job_page_shows_place_in_line_and_pending_explanation(
    client: Client, alice: User, bob: User, submit: Any
) -> None:
    submit(bob, "bob first")
    a1, a2, a3 = (submit(alice, f"scene {n}") for n in range(3))
    client.force_login(alice)
    assert "#3 in line" in client.get(reverse("generation:job", args=[a2.pk])).content.decode()
    pending = client.get(reverse("generation:job", args=[a3.pk])).content.decode()
    assert "This one starts as soon as one of them is done." in pending


def test_eta_comes_from_recent_render_times(
    client: Client, alice: User, bob: User, rendered: Any, submit: Any
) -> None:
    rendered(bob)
    GenerationJob.objects.update(render_seconds=2.0)  # 0.5 s of work per second of video
    job = submit(alice, duration_s=8)
    client.force_login(alice)
    page = client.get(reverse("generation:job_status", args=[job.pk])).content.decode()
    # First in line with no worker registered: one round of 4 s.
    assert "#1 in line · ready in about 4 s" in page


def test_remix_starts_from_the_original_and_records_its_parent(
    client: Client, alice: User, bob: User, rendered: Any, django_capture_on_commit_callbacks: Any
) -> None:
    original = post_publish(user=alice, job_id=rendered(alice, "a paper boat in the rain").pk)
    client.force_login(bob)
    post_page = client.get(reverse("feed:post", args=[original.pk])).content.decode()
    remix_url = (
        f"/create/?prompt=a%20paper%20boat%20in%20the%20rain&amp;seed={original.job.seed}"
        f"&amp;remix_of_id={original.pk}"
    )
    assert remix_url in post_page
    form = client.get(remix_url.replace("&amp;", "&")).content.decode()
    assert "a paper boat in the rain</textarea>" in form and "Remixing a video" in form
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("generation:create"),
            {"prompt": "a paper boat in a storm", "duration_s": "4", "aspect": "9:16",
             "seed": str(original.job.seed), "remix_of_id": str(original.pk)},
        )  # fmt: skip
    remix = GenerationJob.objects.get(creator=bob)
    assert remix.remix_of == original
    page = client.get(reverse("generation:job", args=[remix.pk])).content.decode()
    assert f'remix of <a href="/p/{original.pk}/">' in page


def test_remix_of_a_missing_post_is_refused_and_nothing_is_written(
    client: Client, bob: User
) -> None:
    client.force_login(bob)
    response = client.post(
        reverse("generation:create"),
        {"prompt": "a boat", "duration_s": "4", "aspect": "9:16", "remix_of_id": "999"},
    )
    assert "The video you are remixing is no longer available." in response.content.decode()
    assert not GenerationJob.objects.exists()
