from __future__ import annotations

from typing import Any

import django_rq
import pytest
from django.test import Client, override_settings
from django.urls import reverse
from rq.job import Job

from accounts.models import User
from generation.models import GenerationJob
from generation.services import UNAVAILABLE_MESSAGE, generation_requeue_stuck

CREATE = reverse("generation:create")


def _form(**overrides: Any) -> dict[str, Any]:
    return {
        "prompt": "a dog running on the beach",
        "duration_s": "4",
        "aspect": "9:16",
        **overrides,
    }


def test_submitting_creates_a_job_queued_on_the_video_queue(
    client: Client, alice: User, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CREATE, _form(seed="77"))
    job = GenerationJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("generation:job", args=[job.pk])
    assert (job.creator, job.seed, job.duration_s, job.aspect) == (alice, 77, 4, "9:16")
    assert job.enqueued_at is not None
    queue = django_rq.get_queue("video")
    assert queue.job_ids == [f"gen-{job.pk}"]
    page = client.get(response["Location"]).content.decode()
    assert "Waiting for a worker" in page
    assert 'hx-trigger="every 1s"' in page


def test_seed_is_chosen_when_left_empty(client: Client, alice: User) -> None:
    client.force_login(alice)
    client.post(CREATE, _form())
    assert GenerationJob.objects.get().seed >= 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"prompt": ""}, "Write a prompt describing the video you want."),
        ({"prompt": "   "}, "Write a prompt describing the video you want."),
        ({"prompt": "x" * 5000}, "Keep the prompt to 1,000 characters; this one has 5,000."),
        ({"prompt": "a cat\x00\x07 dancing"}, "The prompt contains control characters."),
        ({"duration_s": "7"}, "Choose a duration of 4, 8 or 12 seconds."),
        ({"aspect": "4:3"}, "Choose an aspect of 9:16, 16:9 or 1:1."),
        ({"seed": "abc"}, "The seed must be a whole number"),
        ({"seed": "-5"}, "The seed can&#x27;t be negative."),
    ],
)
def test_bad_create_input_shows_a_message_and_writes_nothing(
    client: Client, alice: User, overrides: dict[str, str], message: str
) -> None:
    client.force_login(alice)
    response = client.post(CREATE, _form(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not GenerationJob.objects.exists()
    assert django_rq.get_queue("video").count == 0


def test_create_without_csrf_token_is_refused(alice: User) -> None:
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(alice)
    assert csrf_client.post(CREATE, _form()).status_code == 403
    assert not GenerationJob.objects.exists()


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_log_in(client: Client) -> None:
    response = client.post(CREATE, _form())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not GenerationJob.objects.exists()


def test_create_refuses_other_methods(client: Client, alice: User) -> None:
    client.force_login(alice)
    assert client.delete(CREATE).status_code == 405


@override_settings(SORA_DAILY_GENERATIONS=2)
def test_daily_quota_is_enforced_with_the_reset_time(
    client: Client, alice: User, submit: Any
) -> None:
    submit(alice)
    submit(alice)
    client.force_login(alice)
    response = client.post(CREATE, _form())
    assert "You&#x27;ve used all 2 of today&#x27;s generations." in response.content.decode()
    assert "resets at 00:00" in response.content.decode()
    assert GenerationJob.objects.count() == 2


def test_another_persons_job_pages_are_404(
    client: Client, alice: User, charlie: User, submit: Any
) -> None:
    job = submit(alice)
    client.force_login(charlie)
    assert client.get(reverse("generation:job", args=[job.pk])).status_code == 404
    assert client.get(reverse("generation:job_status", args=[job.pk])).status_code == 404
    assert client.post(reverse("generation:job_cancel", args=[job.pk])).status_code == 404
    job.refresh_from_db()
    assert job.status == "queued" and not job.cancel_requested


@pytest.mark.django_db
def test_anonymous_job_page_sends_to_log_in(client: Client) -> None:
    response = client.get(reverse("generation:job", args=[1]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_cancelling_a_queued_job_removes_it_from_the_queue(
    client: Client, alice: User, submit: Any, django_capture_on_commit_callbacks: Any
) -> None:
    job = submit(alice)
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("generation:job_cancel", args=[job.pk]), HTTP_HX_REQUEST="true"
        )
    assert "This job was cancelled." in response.content.decode()
    assert "hx-trigger" not in response.content.decode()  # polling stops
    job.refresh_from_db()
    assert job.status == "cancelled"
    assert django_rq.get_queue("video").count == 0
    assert not Job.exists(job.rq_job_id, connection=django_rq.get_connection("video"))


def test_cancel_refuses_get(client: Client, alice: User, submit: Any) -> None:
    job = submit(alice)
    client.force_login(alice)
    assert client.get(reverse("generation:job_cancel", args=[job.pk])).status_code == 405
    job.refresh_from_db()
    assert job.status == "queued"


def test_cancelling_a_finished_job_says_so(client: Client, alice: User, submit: Any) -> None:
    job = submit(alice)
    GenerationJob.objects.filter(pk=job.pk).update(status="failed", error="x")
    client.force_login(alice)
    response = client.post(reverse("generation:job_cancel", args=[job.pk]), follow=True)
    assert "This job has already finished" in response.content.decode()


UNREACHABLE = {
    "video": {"URL": "unix:///nonexistent/valkey.sock?db=0"},
    "default": {"URL": "unix:///nonexistent/valkey.sock?db=0"},
}


def test_queue_down_at_submit_keeps_the_job_and_requeue_stuck_starts_it_later(
    client: Client, alice: User, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(alice)
    with override_settings(RQ_QUEUES=UNREACHABLE):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(CREATE, _form(), follow=True)
        body = response.content.decode()
        assert UNAVAILABLE_MESSAGE in body or UNAVAILABLE_MESSAGE.replace("'", "&#x27;") in body
        job = GenerationJob.objects.get()
        assert job.status == "queued" and job.enqueued_at is None
        assert generation_requeue_stuck().unreachable == 1
    # The queue is back.
    report = generation_requeue_stuck()
    assert report.enqueued == 1
    job.refresh_from_db()
    assert job.enqueued_at is not None
    assert django_rq.get_queue("video").job_ids == [job.rq_job_id]


def test_drafts_page_lists_only_my_unpublished_jobs(
    client: Client, alice: User, bob: User, submit: Any
) -> None:
    submit(alice, "alice's lighthouse at dawn")
    submit(bob, "bob's secret submarine")
    client.force_login(alice)
    body = client.get(reverse("generation:drafts")).content.decode()
    assert "lighthouse" in body and "submarine" not in body


def test_empty_drafts_page_invites_to_create(client: Client, alice: User) -> None:
    client.force_login(alice)
    assert "No drafts." in client.get(reverse("generation:drafts")).content.decode()
