"""Suspensions and bans: the session ends, writes are refused, and a ban empties the feed."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from accounts.models import User
from conftest import PASSWORD
from feed.selectors.posts import feed_latest
from feed.services.posts import post_publish
from generation.models import GenerationJob
from generation.services import generation_request
from safety.models import ModerationAction
from safety.services.reports import moderation_ban, moderation_suspend


def _login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _suspend_from_admin(moderator: User, person: User, days: str, reason: str) -> str:
    data = {
        "action": "suspend_accounts", "_selected_action": [person.pk], "reason": reason,
        "days": days, "index": 0,
    }  # fmt: skip
    url = reverse("admin:accounts_user_changelist")
    return _login(moderator).post(url, data, follow=True).content.decode()


@pytest.mark.django_db
def test_a_suspended_persons_session_ends_and_they_read_until_when(
    alice: User, moderator: User
) -> None:
    client = _login(alice)
    page = _suspend_from_admin(moderator, alice, "3", "spam")
    assert "Done for 1." in page
    response = client.get(reverse("generation:create"), follow=True)
    html = response.content.decode()
    assert "Your account is suspended until" in html
    assert "_auth_user_id" not in client.session
    login = (
        Client()
        .post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD})
        .content.decode()
    )
    assert "Your account is suspended until" in login
    action = ModerationAction.objects.get()
    assert action.kind == "suspend" and action.target_user == alice and "3 days" in action.reason


@pytest.mark.django_db
def test_every_service_refuses_a_suspended_persons_writes(
    alice: User, bob: User, moderator: User
) -> None:
    from accounts.services.users import follow_create
    from cameo.services.consent import cameo_grant_request

    moderation_suspend(moderator=moderator, user_id=alice.pk, days=1, reason="spam")
    alice.refresh_from_db()
    attempts = [
        lambda: generation_request(user=alice, prompt="a cat", duration_s=4, aspect="9:16", seed=1),
        lambda: follow_create(follower=alice, followee=bob),
        lambda: cameo_grant_request(requester=alice, cameo_id=1),
        lambda: post_publish(user=alice, job_id=1),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError, match="suspended until"):
            attempt()
    assert not GenerationJob.objects.exists()


@pytest.mark.django_db
def test_a_bad_suspension_is_refused(alice: User, moderator: User) -> None:
    page = _suspend_from_admin(moderator, alice, "0", "spam")
    assert "Suspend for 1 to 365 days." in page
    alice.refresh_from_db()
    assert alice.suspended_until is None and not ModerationAction.objects.exists()


@pytest.mark.django_db
def test_a_ban_takes_every_post_out_of_the_feed_at_once(
    alice: User, bob: User, moderator: User, rendered: Any
) -> None:
    post = post_publish(user=bob, job_id=rendered(bob, "a lighthouse at dawn", seed=3).pk)
    assert [p.pk for p in feed_latest(viewer=alice)] == [post.pk]
    moderation_ban(moderator=moderator, user_id=bob.pk, reason="threats")
    assert feed_latest(viewer=alice) == []
    assert _login(alice).get(reverse("feed:post", args=[post.pk])).status_code == 404
    assert ModerationAction.objects.get().kind == "ban"
    bob.refresh_from_db()
    assert not bob.is_active


@pytest.mark.django_db
def test_staff_who_are_not_moderators_cannot_suspend(alice: User) -> None:
    from conftest import make_user

    staff = make_user("staffer")
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    with pytest.raises(Exception, match="Only moderators"):
        moderation_suspend(moderator=staff, user_id=alice.pk, days=1, reason="x")
    alice.refresh_from_db()
    assert alice.suspended_until is None
