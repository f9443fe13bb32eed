"""Reporting a video, and the automatic report for minors-related prompts."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from cameo.services.consent import cameo_mark_verified, cameo_settings_update
from generation.services import generation_request
from safety.models import Report


def _login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _video_with(owner: User, creator: User):  # noqa: ANN202
    cameo_mark_verified(owner=owner, display_name=owner.username, embedding=[0.0] * 128)
    cameo = cameo_settings_update(owner=owner, permission="everyone")
    job = generation_request(
        user=creator, prompt="a picnic", duration_s=4, aspect="9:16", seed=1,
        cameo_ids=[cameo.pk],
    )  # fmt: skip
    return job, job.cameo_uses.get()


@pytest.mark.django_db
def test_the_cameo_owner_reports_misuse_from_the_video_page(alice: User, bob: User) -> None:
    job, use = _video_with(alice, bob)
    client = _login(alice)
    page = client.get(reverse("cameo:use", args=[use.pk])).content.decode()
    assert 'data-testid="report"' in page
    done = client.post(
        reverse("safety:report_video", args=[job.pk]),
        {
            "reason": "likeness",
            "note": "I never agreed to this",
            "next": f"/cameo/videos/{use.pk}/",
        },
        follow=True,
    )
    assert "Thanks. Moderators will look at it." in done.content.decode()
    report = Report.objects.get()
    assert (report.reporter, report.reported_user, report.target) == (alice, bob, "likeness")
    assert report.note == "I never agreed to this" and report.status == "open"


@pytest.mark.django_db
def test_reporting_again_merges_into_the_open_report(alice: User, bob: User) -> None:
    job, _ = _video_with(alice, bob)
    client = _login(alice)
    for _ in range(3):
        client.post(reverse("safety:report_video", args=[job.pk]), {"reason": "likeness"})
    report = Report.objects.get()
    assert report.duplicates == 2


@pytest.mark.django_db
def test_a_flood_of_reports_is_rate_limited(alice: User, bob: User, settings) -> None:  # noqa: ANN001
    settings.SORA_RATE_LIMITS = {**settings.SORA_RATE_LIMITS, "report": "2/h"}
    job, _ = _video_with(alice, bob)
    client = _login(alice)
    for _ in range(2):
        client.post(reverse("safety:report_video", args=[job.pk]), {"reason": "likeness"})
    limited = client.post(
        reverse("safety:report_video", args=[job.pk]), {"reason": "likeness"}, follow=True
    )
    assert "Too many reports in a short time. Try again in" in limited.content.decode()
    assert Report.objects.get().duplicates == 1


@pytest.mark.django_db
def test_a_video_you_cannot_see_cannot_be_reported(alice: User, bob: User, charlie: User) -> None:
    job, _ = _video_with(alice, bob)
    response = _login(charlie).post(
        reverse("safety:report_video", args=[job.pk]), {"reason": "spam"}
    )
    assert response.status_code == 404 and not Report.objects.exists()
    assert _login(alice).get(reverse("safety:report_video", args=[job.pk])).status_code == 405


@pytest.mark.django_db
def test_a_bad_reason_or_a_long_note_is_refused(alice: User, bob: User) -> None:
    job, _ = _video_with(alice, bob)
    client = _login(alice)
    url = reverse("safety:report_video", args=[job.pk])
    bad = client.post(url, {"reason": "because"}, follow=True).content.decode()
    assert "Choose a reason from the list." in bad
    long = client.post(url, {"reason": "spam", "note": "x" * 1001}, follow=True).content.decode()
    assert "Keep the note to 1,000 characters." in long
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_a_minors_related_prompt_is_refused_and_reported_automatically(alice: User) -> None:
    response = _login(alice).post(
        reverse("generation:create"),
        {"prompt": "a nude 12 year old", "duration_s": 4, "aspect": "9:16"},
    )
    assert "sexual content involving minors" in response.content.decode()
    report = Report.objects.get()
    assert report.automatic and report.reason == "minors" and report.reported_user == alice
    assert report.target == "prompt" and "a nude 12 year old" in report.note
