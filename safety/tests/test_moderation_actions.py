"""Moderators act on reports and held videos from admin; every action is logged for good."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from accounts.models import Notification, User
from cameo.services.consent import cameo_mark_verified, cameo_settings_update
from conftest import make_user
from generation.models import GenerationJob
from generation.services import generation_request
from safety.models import ModerationAction, Report
from safety.services.reports import moderation_release_hold, report_create


def _held_job(user: User) -> GenerationJob:
    job = generation_request(
        user=user, prompt="you killed that karaoke song!", duration_s=4, aspect="9:16", seed=1
    )
    assert job.held_at is not None
    return job


def _admin(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _act(client: Client, model: str, action: str, pk: int, reason: str) -> str:
    url = reverse(f"admin:{model}_changelist")
    data = {"action": action, "_selected_action": [pk], "reason": reason, "index": 0}
    return client.post(url, data, follow=True).content.decode()


@pytest.mark.django_db
def test_a_moderator_releases_a_held_video_and_it_is_logged(alice: User, moderator: User) -> None:
    job = _held_job(alice)
    page = _act(_admin(moderator), "generation_generationjob", "release_job_hold", job.pk, "ok")
    assert "Done for 1. Each is in the moderation log." in page
    job.refresh_from_db()
    assert job.held_at is None and job.held_reason == ""
    action = ModerationAction.objects.get()
    assert (action.moderator, action.kind, action.target_user, action.job) == (
        moderator, "release", alice, job,
    )  # fmt: skip
    assert action.reason == "ok"
    assert Notification.objects.filter(recipient=alice, kind="hold_released").exists()


@pytest.mark.django_db
def test_an_action_without_a_reason_is_refused_and_changes_nothing(
    alice: User, moderator: User
) -> None:
    job = _held_job(alice)
    page = _act(_admin(moderator), "generation_generationjob", "release_job_hold", job.pk, "")
    assert "Write why in the Why box first." in page
    job.refresh_from_db()
    assert job.held_at is not None and not ModerationAction.objects.exists()


@pytest.mark.django_db
def test_removing_a_reported_video_tells_the_reporter_and_the_creator(
    alice: User, bob: User, moderator: User
) -> None:
    cameo_mark_verified(owner=alice, display_name="Alice", embedding=[0.0] * 128)
    cameo = cameo_settings_update(owner=alice, permission="everyone")
    job = generation_request(
        user=bob, prompt="a picnic", duration_s=4, aspect="9:16", seed=1, cameo_ids=[cameo.pk]
    )
    report = report_create(reporter=alice, job_id=job.pk, reason="likeness", likeness=True)
    page = _act(
        _admin(moderator), "safety_report", "remove_reported_video", report.pk, "not consented"
    )
    assert "Done for 1." in page
    job.refresh_from_db()
    report.refresh_from_db()
    assert job.taken_down_at is not None and "not consented" in job.takedown_reason
    assert report.status == "resolved"
    assert Notification.objects.filter(recipient=alice, kind="report_outcome").exists()
    assert Notification.objects.filter(recipient=bob, kind="taken_down").exists()
    assert ModerationAction.objects.get().kind == "remove"


@pytest.mark.django_db
def test_staff_who_are_not_moderators_cannot_act(alice: User) -> None:
    staff = make_user("staffer")
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    job = _held_job(alice)
    with pytest.raises(PermissionDenied):
        moderation_release_hold(moderator=staff, job_id=job.pk, reason="ok")
    response = _admin(staff).post(
        reverse("admin:generation_generationjob_changelist"),
        {"action": "release_job_hold", "_selected_action": [job.pk], "reason": "ok"},
    )
    assert response.status_code == 403
    job.refresh_from_db()
    assert job.held_at is not None and not ModerationAction.objects.exists()


@pytest.mark.django_db
def test_the_moderation_log_cannot_be_edited_or_deleted(alice: User, moderator: User) -> None:
    job = _held_job(alice)
    moderation_release_hold(moderator=moderator, job_id=job.pk, reason="ok")
    action = ModerationAction.objects.get()
    client = _admin(moderator)
    assert client.get(reverse("admin:safety_moderationaction_changelist")).status_code == 200
    delete = reverse("admin:safety_moderationaction_delete", args=[action.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    change = reverse("admin:safety_moderationaction_change", args=[action.pk])
    client.post(change, {"reason": "edited"})
    action.refresh_from_db()
    assert action.reason == "ok" and ModerationAction.objects.count() == 1
    assert Report.objects.count() == 0
