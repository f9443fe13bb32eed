"""Strikes and appeals (Mastodon's rules): the person sees each strike and why, appeals once
within the window, and a moderator upholds or reverses it; enough active strikes suspend."""

from __future__ import annotations

import datetime as dt
from html import unescape
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification, User
from conftest import make_user
from safety.models import Appeal, ModerationAction, Strike
from safety.services import console
from safety.services.reports import moderation_suspend


def _login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _strike(moderator: User, person: User, reason: str = "Spam in comments") -> Strike:
    action = console.moderation_strike(moderator=moderator, user_id=person.pk, reason=reason)
    return action.strike


def _kinds() -> list[str]:
    return list(ModerationAction.objects.order_by("id").values_list("kind", flat=True))


def _appeal_page(user: User, strike: Strike, text: str, **headers: Any) -> Any:
    url = reverse("safety:appeal", args=[strike.pk])
    return _login(user).post(url, {"text": text}, **headers)


def _decide(moderator: User, appeal: Appeal, action: str, reason: str) -> str:
    data = {"action": action, "_selected_action": [appeal.pk], "reason": reason, "index": 0}
    url = reverse("admin:safety_appeal_changelist")
    return unescape(_login(moderator).post(url, data, follow=True).content.decode())


def _age(strike: Strike, days: int) -> None:
    """Move a strike into the past, the way time would."""
    created = timezone.now() - dt.timedelta(days=days)
    Strike.objects.filter(pk=strike.pk).update(
        created_at=created, expires_at=created + dt.timedelta(days=90)
    )


# --- Strikes and suspension ---------------------------------------------------------------------


@pytest.mark.django_db
def test_three_active_strikes_suspend_the_account_and_log_the_suspension(
    bob: User, moderator: User
) -> None:
    _strike(moderator, bob, "first")
    _strike(moderator, bob, "second")
    bob.refresh_from_db()
    assert bob.suspended_until is None and _kinds() == ["strike", "strike"]
    _strike(moderator, bob, "third")
    bob.refresh_from_db()
    left = bob.suspended_until - timezone.now()
    assert dt.timedelta(days=6, hours=23) < left <= dt.timedelta(days=7)
    assert _kinds() == ["strike", "strike", "strike", "suspend"]
    suspension = ModerationAction.objects.get(kind="suspend")
    assert suspension.target_user == bob and suspension.moderator == moderator
    told = Notification.objects.filter(recipient=bob, kind="strike").first()
    assert told.text == (
        "Your account is suspended for 7 days: you have 3 active strikes. The latest: third"
    )


@pytest.mark.django_db
def test_the_number_of_strikes_that_suspends_is_a_setting(
    bob: User, moderator: User, settings: Any
) -> None:
    settings.SORA_STRIKES_TO_SUSPEND = 2
    settings.SORA_STRIKE_SUSPEND_DAYS = 3
    _strike(moderator, bob, "first")
    assert "(1 of 2 before a suspension)" in Notification.objects.get(recipient=bob).text
    _strike(moderator, bob, "second")
    bob.refresh_from_db()
    assert bob.is_suspended
    assert bob.suspended_until - timezone.now() <= dt.timedelta(days=3)
    assert _kinds() == ["strike", "strike", "suspend"]


@pytest.mark.django_db
def test_strikes_older_than_the_active_window_do_not_count(bob: User, moderator: User) -> None:
    old = _strike(moderator, bob, "long ago")
    _age(old, 91)
    _strike(moderator, bob, "second")
    _strike(moderator, bob, "third")
    bob.refresh_from_db()
    assert bob.suspended_until is None and "suspend" not in _kinds()


@pytest.mark.django_db
def test_a_strike_never_shortens_a_longer_suspension(bob: User, moderator: User) -> None:
    moderation_suspend(moderator=moderator, user_id=bob.pk, days=30, reason="scam ring")
    for n in range(3):
        _strike(moderator, bob, f"strike {n}")
    bob.refresh_from_db()
    assert bob.suspended_until - timezone.now() > dt.timedelta(days=29)


@pytest.mark.django_db
def test_staff_who_are_not_moderators_cannot_strike_or_decide_appeals(
    bob: User, moderator: User
) -> None:
    staff = make_user("stella")
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    staff.user_permissions.add(Permission.objects.get(codename="view_appeal"))
    with pytest.raises(PermissionDenied):
        console.moderation_strike(moderator=staff, user_id=bob.pk, reason="no")
    strike = _strike(moderator, bob)
    appeal = console.appeal_create(user=bob, strike_id=strike.pk, text="It wasn't me.")
    page = _decide(staff, appeal, "reverse_appeals", "fine")
    assert "Only moderators can act on reports and held videos." in page
    appeal.refresh_from_db()
    strike.refresh_from_db()
    assert appeal.decision == "pending" and strike.reversed_at is None
    assert _kinds() == ["strike"]


# --- The standing page --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_standing_page_shows_each_strike_with_its_reason_escaped(
    bob: User, moderator: User
) -> None:
    _strike(moderator, bob, "<script>alert(1)</script> posted scam links")
    html = _login(bob).get(reverse("safety:standing")).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; posted scam links" in html
    assert "<script>alert(1)" not in html
    until = (timezone.now() + dt.timedelta(days=90)).strftime("%-d %b %Y")
    assert f"<strong>counts</strong> until {until}" in html
    assert "Strikes that count now: <strong>1</strong> of 3." in html
    assert "Send appeal" in html


@pytest.mark.django_db
def test_someone_with_no_strikes_sees_a_kind_empty_state(alice: User) -> None:
    html = _login(alice).get(reverse("safety:standing")).content.decode()
    assert "No strikes. Thanks for keeping it kind." in html


@pytest.mark.django_db
def test_the_standing_page_needs_a_login() -> None:
    response = Client().get(reverse("safety:standing"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_warnings_show_on_the_standing_page_and_their_notification_links_there(
    bob: User, moderator: User
) -> None:
    console.moderation_warn(moderator=moderator, user_id=bob.pk, reason="Keep it civil")
    told = Notification.objects.get(recipient=bob, kind="warned")
    html = _login(bob).get(told.url).content.decode()
    assert "Keep it civil" in html and "Warnings" in html
    assert "No strikes. Thanks for keeping it kind." in html


# --- Appeals ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_person_appeals_a_strike_once_from_the_standing_page(bob: User, moderator: User) -> None:
    strike = _strike(moderator, bob)
    done = _appeal_page(bob, strike, "Those were my own links, not spam.")
    assert done.status_code == 302 and done["Location"] == reverse("safety:standing")
    appeal = Appeal.objects.get()
    assert (appeal.strike, appeal.text, appeal.decision) == (
        strike, "Those were my own links, not spam.", "pending",
    )  # fmt: skip
    page = _login(bob).get(reverse("safety:standing")).content.decode()
    assert "Your appeal:</strong> Waiting for a moderator" in page and "Send appeal" not in page
    again = _appeal_page(bob, strike, "Please look again.")
    assert again.status_code == 400
    assert "already appealed this strike. Each strike can be appealed once." in unescape(
        again.content.decode()
    )
    assert Appeal.objects.get().text == "Those were my own links, not spam."


@pytest.mark.django_db
def test_an_appeal_after_twenty_days_is_refused(bob: User, moderator: User) -> None:
    strike = _strike(moderator, bob)
    _age(strike, 21)
    page = _login(bob).get(reverse("safety:standing")).content.decode()
    assert "window to appeal this strike closed" in page and "Send appeal" not in page
    response = _appeal_page(bob, strike, "Too late?")
    assert response.status_code == 400
    assert "A strike can be appealed within 20 days. The window for this one closed on" in (
        response.content.decode()
    )
    assert not Appeal.objects.exists()


@pytest.mark.django_db
def test_an_appeal_on_day_nineteen_is_still_taken(bob: User, moderator: User) -> None:
    strike = _strike(moderator, bob)
    _age(strike, 19)
    assert _appeal_page(bob, strike, "Still in time.").status_code == 302
    assert Appeal.objects.filter(strike=strike).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("   ", "Write why you think the strike was a mistake, then send it."),
        ("x" * 2001, "That's 2,001 characters; the limit is 2,000. Shorten it and try again."),
    ],
)
def test_an_empty_or_overlong_appeal_is_refused_and_kept_in_the_box(
    bob: User, moderator: User, text: str, sentence: str
) -> None:
    strike = _strike(moderator, bob)
    response = _appeal_page(bob, strike, text)
    html = unescape(response.content.decode())
    assert response.status_code == 400 and sentence in html
    assert not Appeal.objects.exists()


@pytest.mark.django_db
def test_someone_elses_strike_cannot_be_appealed(bob: User, charlie: User, moderator: User) -> None:
    strike = _strike(moderator, bob)
    assert _appeal_page(charlie, strike, "Let me in").status_code == 404
    with pytest.raises(Http404):
        console.appeal_create(user=charlie, strike_id=strike.pk, text="Let me in")
    assert not Appeal.objects.exists()


@pytest.mark.django_db
def test_the_appeal_form_takes_only_a_post_from_a_logged_in_person(
    bob: User, moderator: User
) -> None:
    strike = _strike(moderator, bob)
    url = reverse("safety:appeal", args=[strike.pk])
    assert _login(bob).get(url).status_code == 405
    anonymous = Client().post(url, {"text": "hello"})
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert not Appeal.objects.exists()


@pytest.mark.django_db
def test_an_appeal_through_htmx_swaps_the_strike_card(bob: User, moderator: User) -> None:
    strike = _strike(moderator, bob)
    response = _appeal_page(bob, strike, "Not spam.", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert f'id="strike-{strike.pk}"' in html and "Waiting for a moderator" in html
    refused = _appeal_page(bob, strike, "Again.", HTTP_HX_REQUEST="true")
    assert refused.status_code == 200
    assert "already appealed this strike" in unescape(refused.content.decode())
    assert Appeal.objects.count() == 1


@pytest.mark.django_db
def test_appeals_are_rate_limited_with_the_wait_time(bob: User, moderator: User) -> None:
    first, second = _strike(moderator, bob, "one"), _strike(moderator, bob, "two")
    rates = {**settings.SORA_RATE_LIMITS, "appeal": "1/h"}
    with override_settings(SORA_RATE_LIMITS=rates):
        assert _appeal_page(bob, first, "Not spam.").status_code == 302
        limited = _appeal_page(bob, second, "Not spam either.")
    assert limited.status_code == 429
    assert "Too many appeals in a short time. Try again in" in limited.content.decode()
    assert Appeal.objects.count() == 1


# --- Deciding appeals ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_reversing_a_strike_lifts_the_suspension_it_caused(bob: User, moderator: User) -> None:
    strikes = [_strike(moderator, bob, f"strike {n}") for n in range(3)]
    bob.refresh_from_db()
    assert bob.is_suspended
    appeal = console.appeal_create(user=bob, strike_id=strikes[0].pk, text="Wrong person.")
    page = _decide(moderator, appeal, "reverse_appeals", "It was someone else")
    assert "Done for 1. Each is in the moderation log." in page
    bob.refresh_from_db()
    strikes[0].refresh_from_db()
    appeal.refresh_from_db()
    assert bob.suspended_until is None and strikes[0].reversed_at is not None
    assert (appeal.decision, appeal.moderator, appeal.response) == (
        "reversed", moderator, "It was someone else",
    )  # fmt: skip
    assert _kinds() == ["strike", "strike", "strike", "suspend", "reverse"]
    assert ModerationAction.objects.get(kind="reverse").reason == (
        "It was someone else (suspension lifted)"
    )
    told = Notification.objects.get(recipient=bob, kind="appeal_decided")
    assert told.text.startswith("Your suspension is lifted. A moderator reversed your strike")
    assert told.url == reverse("safety:standing")
    html = _login(bob).get(reverse("safety:standing")).content.decode()
    assert "reversed on appeal" in html and "Strikes that count now: <strong>2</strong>" in html


@pytest.mark.django_db
def test_reversing_a_strike_keeps_a_suspension_a_moderator_gave_afterwards(
    bob: User, moderator: User
) -> None:
    strikes = [_strike(moderator, bob, f"strike {n}") for n in range(3)]
    moderation_suspend(moderator=moderator, user_id=bob.pk, days=30, reason="scam ring")
    appeal = console.appeal_create(user=bob, strike_id=strikes[0].pk, text="Wrong person.")
    console.appeal_decide(moderator=moderator, appeal_id=appeal.pk, uphold=False, reason="ok")
    bob.refresh_from_db()
    assert bob.is_suspended
    assert "suspension is lifted" not in Notification.objects.get(kind="appeal_decided").text


@pytest.mark.django_db
def test_upholding_a_strike_tells_the_person_and_it_keeps_counting(
    bob: User, moderator: User
) -> None:
    strike = _strike(moderator, bob, "Spam")
    appeal = console.appeal_create(user=bob, strike_id=strike.pk, text="Not spam.")
    _decide(moderator, appeal, "uphold_appeals", "The links were to a scam shop")
    appeal.refresh_from_db()
    strike.refresh_from_db()
    assert appeal.decision == "upheld" and strike.reversed_at is None
    assert _kinds() == ["strike", "uphold"]
    told = Notification.objects.get(recipient=bob, kind="appeal_decided")
    assert told.text == (
        "A moderator reviewed your appeal and upheld the strike: The links were to a scam shop"
    )
    html = _login(bob).get(reverse("safety:standing")).content.decode()
    assert "Upheld" in html and "The links were to a scam shop" in html
    page = _decide(moderator, appeal, "reverse_appeals", "changed my mind")
    assert "This appeal has already been decided." in page
    assert _kinds() == ["strike", "uphold"]


@pytest.mark.django_db
def test_a_decision_needs_a_reason(bob: User, moderator: User) -> None:
    strike = _strike(moderator, bob)
    appeal = console.appeal_create(user=bob, strike_id=strike.pk, text="Not spam.")
    assert "Write why in the Why box first." in _decide(moderator, appeal, "uphold_appeals", "")
    appeal.refresh_from_db()
    assert appeal.decision == "pending" and _kinds() == ["strike"]


@pytest.mark.django_db
def test_the_appeal_queue_lists_pending_appeals_first(
    alice: User, bob: User, moderator: User
) -> None:
    older = console.appeal_create(
        user=alice, strike_id=_strike(moderator, alice, "a").pk, text="older"
    )
    newer = console.appeal_create(user=bob, strike_id=_strike(moderator, bob, "b").pk, text="newer")
    console.appeal_decide(moderator=moderator, appeal_id=older.pk, uphold=True, reason="ok")
    html = _login(moderator).get(reverse("admin:safety_appeal_changelist")).content.decode()
    assert html.index(f"/admin/safety/appeal/{newer.pk}/change/") < html.index(
        f"/admin/safety/appeal/{older.pk}/change/"
    )


@pytest.mark.django_db
def test_a_reversed_strike_cannot_be_appealed_again_or_decided_twice(
    bob: User, moderator: User
) -> None:
    strike = _strike(moderator, bob)
    appeal = console.appeal_create(user=bob, strike_id=strike.pk, text="Not spam.")
    console.appeal_decide(moderator=moderator, appeal_id=appeal.pk, uphold=False, reason="ok")
    with pytest.raises(ValidationError, match="already appealed"):
        console.appeal_create(user=bob, strike_id=strike.pk, text="again")
    with pytest.raises(ValidationError, match="already been decided"):
        console.appeal_decide(moderator=moderator, appeal_id=appeal.pk, uphold=True, reason="x")
    assert Appeal.objects.count() == 1 and _kinds() == ["strike", "reverse"]
