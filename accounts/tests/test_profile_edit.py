"""Editing your profile's text: the page, the service, and what everyone else then sees."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.services.users import PROFILE_HOLD_MESSAGE, profile_update
from safety.models import Report

pytestmark = pytest.mark.django_db

EDIT = "/accounts/profile/"


def _login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _bio(user: User) -> str:
    return User.objects.get(pk=user.pk).bio


def test_the_edit_page_is_where_the_profile_says(alice: User) -> None:
    assert reverse("accounts:profile_edit") == EDIT
    client = _login(alice)
    profile = client.get(reverse("profile", args=["alice"])).content.decode()
    assert f'href="{EDIT}">Edit profile</a>' in profile
    profile_update(user=alice, bio="I film clouds.")
    page = client.get(EDIT).content.decode()
    assert "<h1>Edit profile</h1>" in page and "I film clouds.</textarea>" in page


def test_a_person_writes_their_bio_and_everyone_sees_it(alice: User, bob: User) -> None:
    response = _login(alice).post(EDIT, {"bio": "  Skater, painter, 24.  "}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("profile", args=["alice"])
    assert "Your profile is updated." in response.content.decode()
    assert _bio(alice) == "Skater, painter, 24."
    seen = _login(bob).get(reverse("profile", args=["alice"])).content.decode()
    assert '<p data-testid="bio">Skater, painter, 24.</p>' in seen
    assert "Edit profile" not in seen


def test_an_empty_bio_clears_it(alice: User) -> None:
    profile_update(user=alice, bio="old words")
    _login(alice).post(EDIT, {"bio": ""})
    assert _bio(alice) == ""


def test_the_edit_page_refuses_other_methods(alice: User) -> None:
    assert _login(alice).put(EDIT, {"bio": "x"}).status_code == 405
    assert _bio(alice) == ""


def test_a_visitor_is_sent_to_log_in_and_nothing_changes(alice: User) -> None:
    for response in (Client().get(EDIT), Client().post(EDIT, {"bio": "hacked"})):
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert not User.objects.exclude(bio="").exists()


def test_only_your_own_profile_can_be_edited(alice: User, bob: User) -> None:
    _login(bob).post(EDIT, {"bio": "bob's words", "username": "alice", "user": alice.pk})
    assert (_bio(alice), _bio(bob)) == ("", "bob's words")


def test_100_kb_of_text_gets_the_length_sentence_and_nothing_is_written(alice: User) -> None:
    response = _login(alice).post(EDIT, {"bio": "x" * 100_000})
    assert response.status_code == 400
    assert "That&#x27;s 100,000 characters; the limit is 300. Shorten it and try again." in (
        response.content.decode()
    )
    assert _bio(alice) == ""


def test_html_in_a_bio_shows_as_text(alice: User, bob: User) -> None:
    _login(alice).post(EDIT, {"bio": '<script>alert("hi")</script><b>bold</b>'})
    page = _login(bob).get(reverse("profile", args=["alice"])).content.decode()
    assert "&lt;script&gt;alert(&quot;hi&quot;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in page
    assert "<script>alert" not in page and "<b>bold</b>" not in page


def test_a_bio_that_moderation_blocks_is_refused_and_the_report_survives(alice: User) -> None:
    response = _login(alice).post(EDIT, {"bio": "a nude 12 year old"})
    assert response.status_code == 400
    assert "sexual content involving minors" in response.content.decode()
    assert _bio(alice) == ""
    report = Report.objects.get()
    assert report.automatic and report.reason == "minors" and report.reported_user == alice


def test_a_bio_moderation_is_unsure_about_is_not_saved(
    alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from safety.services import text_checks

    monkeypatch.setattr(text_checks, "text_check", lambda **kw: "hold")
    response = _login(alice).post(EDIT, {"bio": "borderline words"})
    assert "Our checks weren&#x27;t sure about this bio, so it wasn&#x27;t saved." in (
        response.content.decode()
    )
    assert response.status_code == 400 and _bio(alice) == ""
    assert "borderline words</textarea>" in response.content.decode()  # kept for rewording
    assert PROFILE_HOLD_MESSAGE.startswith("Our checks weren't sure")


def test_a_suspended_person_cannot_change_their_bio(alice: User, settings: Any) -> None:
    alice.suspended_until = timezone.now() + dt.timedelta(days=2)
    alice.save(update_fields=["suspended_until"])
    with pytest.raises(ValidationError) as refused:
        profile_update(user=alice, bio="new words")
    assert "Your account is suspended until" in refused.value.messages[0]
    assert _bio(alice) == ""
    # Through the site, the suspension ends the session before the page is reached.
    response = _login(alice).post(EDIT, {"bio": "new words"})
    assert response.status_code == 302 and response.url == reverse("accounts:login")
    assert _bio(alice) == ""
