"""In Chromium: the weekly check-in card shows on the feed, answering "worse" brings up what
changed, and the feed's order and "why" change on the next load."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from conftest import log_in
from feed.models import WellbeingChange
from feed.services.budget import watch_heartbeat
from feed.tests.feed_helpers import CALM, ENERGETIC, publish_like

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fresh_pool"),
]
ITEMS = "article.feed-item"


def _active_for_a_week(user: User) -> None:
    """Watch time on seven days, so the weekly check-in is due."""
    for back in range(7):
        watch_heartbeat(user=user, seconds=30, now=timezone.now() - dt.timedelta(days=back))


def _first_item(page: Any) -> tuple[int, str]:
    """The first feed item's post id and its "Why this video?"."""
    item = page.locator(ITEMS).first
    item.scroll_into_view_if_needed()
    item.get_by_text("Why this video?").click()
    return int(item.get_attribute("data-post")), item.locator("[data-testid=why]").inner_text()


def test_a_worse_check_in_changes_the_feed(
    live_server: Any, page: Any, alice: User, bob: User, template_job: Any
) -> None:
    calm = {publish_like(template_job, alice, f"{CALM}, take {i}").pk for i in range(12)}
    wild = {publish_like(template_job, alice, f"{ENERGETIC}, take {i}").pk for i in range(12)}
    _active_for_a_week(bob)
    log_in(page, live_server.url, bob, then="/feed/controls/")
    page.goto(f"{live_server.url}/")

    card = page.locator("[data-testid=check-in]")
    card.get_by_text("How do you feel after using the app lately?").wait_for()
    first_post, first_why = _first_item(page)
    assert first_post in wild and "your mood is set to relaxed" not in first_why

    card.scroll_into_view_if_needed()
    card.get_by_role("button", name="Worse").click()
    panel = page.locator("[data-testid=what-changed]")
    panel.get_by_text("Your feed is calmer now").wait_for()
    assert "Mood: not set → relaxed (20 of 100)" in panel.inner_text()
    assert "Goals: none → Be more connected to friends" in panel.inner_text()
    assert page.locator("[data-testid=check-in]").count() == 0
    assert WellbeingChange.objects.filter(user=bob, undone_at=None).count() == 1

    page.reload()
    post, why = _first_item(page)
    assert post in calm
    assert "It's calm, and your mood is set to relaxed." in why
    assert page.locator("[data-testid=check-in]").count() == 0
