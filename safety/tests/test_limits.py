"""Rate limits: a person over a limit reads how long to wait, and nothing is written."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import User
from cameo.models import CameoGrant
from cameo.services.consent import cameo_mark_verified, cameo_settings_update
from conftest import PASSWORD, make_user
from safety.limits import too_many


def _rates(**changes: str) -> Any:
    return override_settings(SORA_RATE_LIMITS={**settings.SORA_RATE_LIMITS, **changes})


@pytest.mark.django_db
def test_guessing_a_password_is_stopped_per_account_with_the_wait_time(alice: User) -> None:
    client = Client()
    url = reverse("accounts:login")
    with _rates(**{"login-account": "3/10m"}):
        for _ in range(3):
            wrong = client.post(url, {"username": "alice", "password": "nope"})
            assert wrong.status_code == 200
        limited = client.post(url, {"username": "alice", "password": PASSWORD})
    html = limited.content.decode()
    assert limited.status_code == 429
    assert "Too many attempts in a short time. Try again in" in html
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_login_limit_for_one_account_does_not_lock_out_another(alice: User, bob: User) -> None:
    client = Client()
    url = reverse("accounts:login")
    with _rates(**{"login-account": "2/10m"}):
        for _ in range(3):
            client.post(url, {"username": "alice", "password": "nope"})
        ok = client.post(url, {"username": "bob", "password": PASSWORD})
    assert ok.status_code == 302


@pytest.mark.django_db
def test_signups_from_one_address_are_limited_and_no_account_is_made() -> None:
    client = Client()
    with _rates(**{"signup-ip": "1/h"}):
        first = client.post(reverse("accounts:signup"), _signup("first"))
        assert first.status_code == 302
        client.logout()
        second = client.post(reverse("accounts:signup"), _signup("second"))
    assert second.status_code == 429
    assert "Too many sign-ups from this address in a short time" in second.content.decode()
    assert not User.objects.filter(username="second").exists()


def _signup(name: str) -> dict[str, str]:
    return {
        "username": name, "email": f"{name}@example.com", "password1": PASSWORD,
        "password2": PASSWORD, "birthdate": "1990-01-01",
    }  # fmt: skip


@pytest.mark.django_db
def test_cameo_requests_are_limited_per_person(bob: User) -> None:
    client = Client()
    client.force_login(bob)
    owners = [make_user(f"owner{i}") for i in range(3)]
    for owner in owners:
        cameo_mark_verified(owner=owner, display_name="O", embedding=[0.0] * 128)
        cameo_settings_update(owner=owner, permission="approved")
    with _rates(**{"cameo-ask": "2/h"}):
        for owner in owners[:2]:
            client.post(reverse("cameo:ask", args=[owner.username]))
        limited = client.post(reverse("cameo:ask", args=[owners[2].username]), follow=True)
    assert "Too many requests in a short time. Try again in" in limited.content.decode()
    assert CameoGrant.objects.filter(grantee=bob).count() == 2


@pytest.mark.django_db
def test_a_limit_lets_people_through_when_the_cache_is_down(
    alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from redis.exceptions import ConnectionError as RedisConnectionError

    def down(*args: object, **kwargs: object) -> None:
        raise RedisConnectionError("valkey is down")

    monkeypatch.setattr("django_ratelimit.core.get_usage", down)
    response = Client().post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302


def test_the_wait_reads_in_seconds_minutes_or_hours() -> None:
    assert too_many(1).endswith("Try again in 1 second.")
    assert too_many(45).endswith("Try again in 45 seconds.")
    assert too_many(600, "requests").endswith("requests in a short time. Try again in 10 minutes.")
    assert too_many(3 * 3600).endswith("Try again in 3 hours.")
