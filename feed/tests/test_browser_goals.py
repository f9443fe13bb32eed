"""In Chromium: pick a goal on the controls page (saved in place through htmx), see "Why this
video?" name it in the feed, and follow its link to the goal page."""

from __future__ import annotations

import os
from typing import Any

import pytest

from accounts.models import User
from conftest import log_in
from feed.models import FeedPreference
from feed.tests.feed_helpers import publish_like

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fresh_pool"),
]
ITEMS = "article.feed-item"


def test_picking_a_goal_makes_the_feed_name_it_and_the_goal_page_count_it(
    live_server: Any, page: Any, alice: User, bob: User, template_job: Any
) -> None:
    workout = publish_like(template_job, alice, "a home workout with push-ups and squats")
    publish_like(template_job, alice, "a red car racing through the city")
    base = live_server.url
    log_in(page, base, bob, then="/feed/controls/")

    page.locator("#goals").get_by_label("Get fit").check()
    page.locator("#goals button[type=submit]").click()
    page.get_by_text("Goals saved: get fit. Your next videos follow them.").wait_for()
    assert page.url == f"{base}/feed/controls/"  # swapped in place, no reload
    assert page.locator("#goals").get_by_label("Get fit").is_checked()
    assert FeedPreference.objects.get(user=bob).goals == ["fitness"]

    page.goto(f"{base}/")
    first = page.locator(ITEMS).first
    assert int(first.get_attribute("data-post")) == workout.pk
    first.get_by_text("Why this video?").click()
    assert "It's for your goal: get fit." in first.locator("[data-testid=why]").inner_text()
    first.locator("[data-testid=goal-link]").click()
    page.wait_for_url(f"{base}/feed/goals/")
    shown = page.locator("[data-testid=goal-fitness] [data-testid=shown]").inner_text()
    assert shown == "1 video, of the 2 the feed showed you"
