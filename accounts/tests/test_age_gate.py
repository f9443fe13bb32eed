"""The age gate: an under-13 attempt closes sign-up to that browser and that address for a day."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.age_gate import AGE_GATE_COOKIE, FIRST_REASON, RETRY_REASON, address_digest
from accounts.models import AgeGateRefusal, User
from conftest import PASSWORD, _years_ago
from safety.models import ModerationAction

pytestmark = pytest.mark.django_db

SENTENCE = "You must be at least 13 years old to use this app."
SIGNUP = "/accounts/signup/"


def _form(age: int, username: str = "newperson") -> dict[str, str]:
    return {
        "username": username,
        "email": f"{username}@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "birthdate": _years_ago(age).isoformat(),
    }


def _under_13(client: Client, address: str = "203.0.113.7") -> None:
    response = client.post(SIGNUP, _form(12, "kiddo"), REMOTE_ADDR=address)
    assert response.status_code == 200 and SENTENCE in response.content.decode()


def test_the_same_browser_trying_again_with_an_adult_birthdate_is_refused() -> None:
    browser = Client()
    _under_13(browser)
    assert browser.cookies[AGE_GATE_COOKIE]["max-age"] == 24 * 3600
    # From another address too: the browser itself carries the refusal.
    response = browser.post(SIGNUP, _form(25), REMOTE_ADDR="198.51.100.20")
    assert response.status_code == 403
    page = response.content.decode()
    assert SENTENCE in page and 'name="birthdate"' not in page
    assert not User.objects.exists()


def test_another_browser_on_the_same_address_is_refused() -> None:
    _under_13(Client())
    response = Client().post(SIGNUP, _form(25), REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 403 and SENTENCE in response.content.decode()
    assert not User.objects.exists()


def test_an_ipv6_address_counts_by_its_network() -> None:
    _under_13(Client(), address="2001:db8:1:2::10")
    response = Client().post(SIGNUP, _form(25), REMOTE_ADDR="2001:db8:1:2:abcd::99")
    assert response.status_code == 403 and not User.objects.exists()


def test_the_sign_up_page_shows_the_refusal_instead_of_the_form_while_closed() -> None:
    browser = Client()
    _under_13(browser)
    page = browser.get(SIGNUP, REMOTE_ADDR="198.51.100.20").content.decode()
    assert SENTENCE in page and '<form method="post" novalidate>' not in page


def test_someone_else_elsewhere_can_still_sign_up() -> None:
    _under_13(Client())
    response = Client().post(SIGNUP, _form(25), REMOTE_ADDR="198.51.100.20")
    assert response.status_code == 302 and User.objects.filter(username="newperson").exists()


def test_the_gate_opens_again_after_a_day() -> None:
    browser = Client()
    _under_13(browser)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=24, minutes=1)):
        # The cookie's signature is older than a day, and so is the address's row.
        response = browser.post(SIGNUP, _form(25), REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 302 and User.objects.filter(username="newperson").exists()


def test_a_retry_does_not_lengthen_the_day() -> None:
    _under_13(Client())
    with time_machine.travel(timezone.now() + dt.timedelta(hours=23)):
        assert Client().post(SIGNUP, _form(25), REMOTE_ADDR="203.0.113.7").status_code == 403
    with time_machine.travel(timezone.now() + dt.timedelta(hours=24, minutes=1)):
        response = Client().post(SIGNUP, _form(25), REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 302


def test_each_refusal_is_in_the_audit_log_with_nothing_personal() -> None:
    browser = Client()
    _under_13(browser)
    browser.post(SIGNUP, _form(25), REMOTE_ADDR="203.0.113.7")
    actions = list(ModerationAction.objects.order_by("id"))
    assert [(a.kind, a.reason, a.moderator_id, a.target_user_id) for a in actions] == [
        ("age_gate", FIRST_REASON, None, None),
        ("age_gate", RETRY_REASON, None, None),
    ]
    assert FIRST_REASON == "A sign-up was refused: the birthdate given was under 13."
    stored = list(AgeGateRefusal.objects.values_list("address_digest", flat=True))
    assert stored == [address_digest("203.0.113.7")] and "203.0.113.7" not in stored[0]
    everything = " ".join(a.reason for a in actions) + " ".join(stored)
    for personal in ("kiddo", "newperson", "example.com", _years_ago(12).isoformat()):
        assert personal not in everything


def test_a_forged_cookie_does_not_close_the_gate() -> None:
    browser = Client()
    browser.cookies[AGE_GATE_COOKIE] = "1"
    response = browser.post(reverse("accounts:signup"), _form(25), REMOTE_ADDR="198.51.100.9")
    assert response.status_code == 302 and not ModerationAction.objects.exists()


# --- An operator reopens an address ----------------------------------------------------------


def _age_gate(*args: str) -> str:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("age_gate", *args, stdout=out)
    return out.getvalue()


def test_an_operator_reopens_a_shared_address_and_the_log_keeps_why_not_where() -> None:
    _under_13(Client(), "198.51.100.20")
    assert _age_gate("198.51.100.20") == (
        "Sign-ups from 198.51.100.20 are closed: a birthdate under 13 was given from it in the "
        "last 24 hours.\n"
    )
    out = _age_gate("198.51.100.20", "--reopen", "--reason", "School office asked; checked ID")
    assert out.startswith("Sign-ups from 198.51.100.20 are open again.")
    assert _age_gate("198.51.100.20") == "Sign-ups from 198.51.100.20 are open.\n"
    row = ModerationAction.objects.get(kind=ModerationAction.Kind.AGE_GATE_REOPEN)
    assert row.reason == "School office asked; checked ID" and row.moderator is None
    assert "198.51.100" not in row.reason

    # A new browser at that address can sign up now.
    response = Client().post(SIGNUP, _form(30, "teacher"), REMOTE_ADDR="198.51.100.20")
    assert response.status_code == 302 and User.objects.filter(username="teacher").exists()


def test_reopening_needs_a_reason_and_an_open_address_changes_nothing() -> None:
    from django.core.management.base import CommandError

    _under_13(Client(), "198.51.100.21")
    with pytest.raises(CommandError, match="Say why sign-ups from this address are reopened."):
        _age_gate("198.51.100.21", "--reopen")
    assert AgeGateRefusal.objects.count() == 1
    assert not ModerationAction.objects.filter(kind=ModerationAction.Kind.AGE_GATE_REOPEN)

    out = _age_gate("192.0.2.99", "--reopen", "--reason", "asked")
    assert out == "Sign-ups from 192.0.2.99 were not closed; nothing changed.\n"
    assert not ModerationAction.objects.filter(kind=ModerationAction.Kind.AGE_GATE_REOPEN)
