"""In Chromium on a phone: an under-13 sign-up is refused, and trying again with an older
birthdate, from a form still open in another tab or after reloading, is refused the same way."""

from __future__ import annotations

import os
from typing import Any

import pytest

from accounts.models import User
from conftest import PASSWORD, _years_ago
from safety.models import ModerationAction

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SENTENCE = "You must be at least 13 years old to use this app."


def _fill(page: Any, username: str, age: int) -> None:
    page.fill("#id_username", username)
    page.fill("#id_email", f"{username}@example.com")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.fill("#id_birthdate", _years_ago(age).isoformat())
    page.click("button:has-text('Sign up')")


def test_a_child_who_changes_the_birthdate_after_the_refusal_is_still_refused(
    live_server: Any, browser: Any
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.set_default_timeout(20_000)
    first, second = context.new_page(), context.new_page()
    for page in (first, second):
        page.goto(f"{live_server.url}/accounts/signup/")

    _fill(first, "kiddo", 12)
    refusal = first.locator("[data-testid=age-gate]")
    refusal.wait_for()
    assert refusal.inner_text() == SENTENCE and refusal.is_visible()
    assert first.locator("#id_birthdate").count() == 0

    # The form still open in the other tab, now with an adult's birthdate.
    _fill(second, "grownup", 25)
    second.locator("[data-testid=age-gate]").wait_for()
    assert second.inner_text("[data-testid=age-gate]") == SENTENCE
    assert second.evaluate("document.documentElement.scrollWidth") <= 390

    # Reloading brings back the refusal, not the form.
    second.goto(f"{live_server.url}/accounts/signup/")
    assert second.inner_text("[data-testid=age-gate]") == SENTENCE
    assert second.locator("#id_birthdate").count() == 0

    assert not User.objects.exists()
    assert ModerationAction.objects.filter(kind="age_gate").count() == 2
    context.close()
