from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Notification, User
from cameo.services.consent import (
    cameo_grant_decide,
    cameo_grant_request,
    cameo_grant_revoke,
    cameo_mark_verified,
    cameo_settings_update,
)

PAGE = reverse("accounts:notifications")


def _cameo(owner: User, permission: str = "approved") -> Any:
    cameo_mark_verified(owner=owner, display_name=owner.username, embedding=[0.0] * 128)
    return cameo_settings_update(owner=owner, permission=permission)


def test_a_cameo_request_and_its_answer_reach_both_people(
    client: Client, alice: User, bob: User
) -> None:
    grant = cameo_grant_request(requester=bob, cameo_id=_cameo(alice).pk)
    client.force_login(alice)
    page = client.get(PAGE).content.decode()
    assert "@bob asked to use your cameo." in page and 'href="/@bob/"' in page
    assert '<span class="badge" data-testid="unread">1</span>' in page
    cameo_grant_decide(owner=alice, grant_id=grant.pk, approve=True)
    client.force_login(bob)
    assert "@alice approved your request to use their cameo." in client.get(PAGE).content.decode()


def test_a_takedown_tells_the_creator_why(
    client: Client, alice: User, bob: User, rendered: Any
) -> None:
    cameo = _cameo(alice)
    grant = cameo_grant_request(requester=bob, cameo_id=cameo.pk)
    cameo_grant_decide(owner=alice, grant_id=grant.pk, approve=True)
    job = rendered(bob, "@alice on a swing")
    client.force_login(alice)
    assert "@bob is making a video with your cameo." in client.get(PAGE).content.decode()
    cameo_grant_revoke(owner=alice, grant_id=grant.pk)
    client.force_login(bob)
    page = client.get(PAGE).content.decode()
    assert "One of your videos was taken down. @alice withdrew permission" in page
    assert f'href="/create/jobs/{job.pk}/"' in page


def test_marking_all_as_read_clears_the_badge(client: Client, alice: User, bob: User) -> None:
    cameo_grant_request(requester=bob, cameo_id=_cameo(alice).pk)
    client.force_login(alice)
    response = client.post(PAGE, follow=True)
    assert 'data-testid="unread"' not in response.content.decode()
    assert not Notification.objects.filter(recipient=alice, read_at__isnull=True).exists()


def test_no_notifications_shows_what_will_appear(client: Client, alice: User) -> None:
    client.force_login(alice)
    assert "No notifications yet." in client.get(PAGE).content.decode()


def test_notifications_are_private(client: Client, alice: User, bob: User) -> None:
    cameo_grant_request(requester=bob, cameo_id=_cameo(alice).pk)
    client.force_login(bob)
    assert "asked to use your cameo" not in client.get(PAGE).content.decode()
    client.post(PAGE)  # bob marking his own as read leaves alice's alone
    assert Notification.objects.filter(recipient=alice, read_at__isnull=True).count() == 1


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_log_in(client: Client) -> None:
    assert client.get(PAGE)["Location"].startswith(reverse("accounts:login"))
    assert client.post(PAGE)["Location"].startswith(reverse("accounts:login"))


def test_notifications_refuse_other_methods(client: Client, alice: User) -> None:
    client.force_login(alice)
    assert client.delete(PAGE).status_code == 405
