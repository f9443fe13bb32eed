"""In Chromium: a parent links to their teen, lowers the daily limit, and the teen sees the
change; the teen asks for more time and sees the answer arrive without reloading. Sign-up takes
the browser's timezone."""

from __future__ import annotations

import os
from typing import Any

import pytest

from accounts.models import TeenSettings, User
from conftest import PASSWORD, log_in, new_page

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_parent_links_lowers_the_limit_and_the_teen_sees_the_change(
    live_server: Any, browser: Any, parent: User, teen: User
) -> None:
    base = live_server.url
    mum = log_in(new_page(browser, viewport={"width": 420, "height": 860}), base, parent)
    mum.click("nav.tabbar a:has-text('Profile')")
    mum.click("nav a:has-text('Family')")
    mum.wait_for_url("**/accounts/family/")
    mum.click("button:has-text('Create a link code')")
    code = mum.inner_text("[data-testid=link-code]")
    assert len(code) == 9 and code[4] == "-"

    kid = log_in(new_page(browser, viewport={"width": 420, "height": 860}), base, teen)
    kid.click("nav.tabbar a:has-text('Profile')")
    kid.click("nav a:has-text('Teen settings')")
    kid.wait_for_url("**/accounts/teen/")
    kid.fill("#id_code", code)
    kid.click("button:has-text('Link to my parent')")
    kid.wait_for_selector("text=You're linked to @pat.")

    mum.reload()
    section = mum.locator("[data-testid=teen-tess]")
    section.locator("input[name=daily_limit_minutes]").fill("30")
    section.locator("button:has-text('Save @tess')").click()
    mum.wait_for_selector("text=Saved. @tess was told about each change.")
    assert TeenSettings.objects.get(user=teen).daily_limit_minutes == 30

    kid.reload()
    changes = kid.inner_text("[data-testid=parent-changes]")
    assert "Daily limit: 60 minutes → 30 minutes" in changes and "by @pat" in changes
    assert "30 minutes" in kid.inner_text("[data-testid=teen-settings]")
    assert kid.inner_text("[data-testid=unread]") == "1"

    # More time: the teen asks (htmx), the parent approves (htmx), the teen's box updates by
    # itself while it polls.
    kid.select_option("#id_minutes", "15")
    kid.click("button:has-text('Ask @pat for more time')")
    kid.wait_for_selector("text=You asked @pat for 15 more minutes. Waiting for their answer…")
    mum.reload()
    mum.click("button:has-text('Give 15 minutes')")
    mum.wait_for_selector("text=You gave @tess 15 more minutes today.")
    kid.wait_for_selector("text=@pat gave you 15 more minutes today.", timeout=15_000)
    assert kid.inner_text("[data-testid=extra-minutes]") == "15 extra"


def test_signing_up_takes_the_timezone_from_the_browser(live_server: Any, browser: Any) -> None:
    context = browser.new_context(timezone_id="Asia/Tokyo")
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/signup/")
    assert page.input_value("#id_timezone") == "Asia/Tokyo"
    page.fill("#id_username", "kenji")
    page.fill("#id_email", "kenji@example.com")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.fill("#id_birthdate", "2011-05-05")
    page.click("button:has-text('Sign up')")
    page.wait_for_url("**/create/")
    kenji = User.objects.get(username="kenji")
    assert (kenji.timezone, kenji.is_teen) == ("Asia/Tokyo", True)
    assert TeenSettings.objects.filter(user=kenji).exists()
