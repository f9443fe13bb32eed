"""In Chromium: a 15-year-old in Tokyo signs up at 23:00 on their clock (a frozen, ticking clock
on the live server) and their feed shows the quiet-hours page, though it is mid-afternoon on the
server's clock."""

from __future__ import annotations

import datetime as dt
import os
import zoneinfo
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from accounts.models import User
from conftest import PASSWORD

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOKYO = "Asia/Tokyo"


def test_a_teen_signs_up_at_23_and_sees_the_quiet_hours_page(
    live_server: Any, browser: Any
) -> None:
    # Today's date (not a fixed one), so the session cookie the server sets isn't already
    # expired for the browser, whose own clock isn't frozen.
    late = dt.datetime.combine(
        timezone.localdate(), dt.time(23, 0), tzinfo=zoneinfo.ZoneInfo(TOKYO)
    )
    born = late.date().replace(year=late.year - 15) - dt.timedelta(days=1)
    context = browser.new_context(timezone_id=TOKYO, viewport={"width": 420, "height": 860})
    context.set_default_timeout(20_000)
    page = context.new_page()
    with time_machine.travel(late, tick=True):
        page.goto(f"{live_server.url}/accounts/signup/")
        assert page.input_value("#id_timezone") == TOKYO
        page.fill("#id_username", "hana")
        page.fill("#id_email", "hana@example.com")
        page.fill("#id_password1", PASSWORD)
        page.fill("#id_password2", PASSWORD)
        page.fill("#id_birthdate", born.isoformat())
        page.click("button:has-text('Sign up')")
        page.wait_for_url("**/create/")

        page.goto(f"{live_server.url}/")
        quiet = page.locator("[data-testid=quiet-hours]")
        assert quiet.locator("h1").inner_text() == "Quiet hours"
        assert "The feed rests from 22:00 to 07:00. It's back at 07:00." in quiet.inner_text()
        assert page.locator(".feed-item").count() == 0
        # Mid-afternoon on the server's clock: it is the teen's own clock that is quiet.
        assert timezone.now().astimezone(dt.UTC).hour == 14
    hana = User.objects.get(username="hana")
    assert (hana.timezone, hana.is_teen) == (TOKYO, True)
