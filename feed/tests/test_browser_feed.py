"""In Chromium: the feed loads its next page on scroll, follows the mood slider (with "why"
updated), and stops when the daily limit is spent, on post pages too."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from conftest import log_in
from feed.models import Post
from feed.services.budget import watch_heartbeat
from feed.services.steering import feed_mood_set
from feed.tests.feed_helpers import CALM, ENERGETIC, publish_like

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fresh_pool"),
]
ITEMS = "article.feed-item"


def _scroll_to_last_item(page: Any) -> None:
    page.locator(ITEMS).last.scroll_into_view_if_needed()


def _why(page: Any, index: int) -> str:
    """Open the item's "Why this video?" and read it."""
    item = page.locator(ITEMS).nth(index)
    item.scroll_into_view_if_needed()
    item.get_by_text("Why this video?").click()
    return item.locator("[data-testid=why]").inner_text()


def _post_id(page: Any, index: int) -> int:
    return int(page.locator(ITEMS).nth(index).get_attribute("data-post"))


def test_scrolling_to_the_end_loads_the_next_page_then_says_all_caught_up(
    live_server: Any, page: Any, alice: User, bob: User, template_job: Any
) -> None:
    posts = [publish_like(template_job, alice, f"a kite over a hill, take {i}") for i in range(13)]
    log_in(page, live_server.url, bob, then="/feed/controls/")
    page.goto(f"{live_server.url}/")
    assert page.locator(ITEMS).count() == 10
    _scroll_to_last_item(page)
    page.wait_for_function(f"() => document.querySelectorAll('{ITEMS}').length === 13")
    page.locator("[data-testid=caught-up]").wait_for()
    shown = {_post_id(page, i) for i in range(13)}
    assert shown == {post.pk for post in posts}
    assert "It's new: posted" in _why(page, 12)


def test_moving_the_mood_slider_reorders_the_next_page_and_updates_why(
    live_server: Any, page: Any, alice: User, bob: User, template_job: Any
) -> None:
    calm = {publish_like(template_job, alice, f"{CALM}, take {i}").pk for i in range(12)}
    wild = {publish_like(template_job, alice, f"{ENERGETIC}, take {i}").pk for i in range(12)}
    feed_mood_set(user=bob, mood=0.0)
    log_in(page, live_server.url, bob, then="/feed/controls/")
    page.goto(f"{live_server.url}/")
    assert {_post_id(page, i) for i in range(10)} <= calm
    assert "It's calm, and your mood is set to relaxed." in _why(page, 0)

    page.click("#steer-panel summary")
    page.locator("[data-testid=mood-slider]").fill("100")
    page.get_by_text("Mood saved. Your next videos follow it.").wait_for()
    _scroll_to_last_item(page)
    page.wait_for_function(f"() => document.querySelectorAll('{ITEMS}').length > 10")
    assert _post_id(page, 10) in wild
    assert "It's energetic, and your mood is set to energized." in _why(page, 10)


def test_a_one_minute_limit_ends_the_feed_when_the_minute_is_watched(
    live_server: Any, page: Any, alice: User, bob: User, template_job: Any, monkeypatch: Any
) -> None:
    from feed.services import budget

    monkeypatch.setattr(budget, "HEARTBEAT_SECONDS", 1)  # the player reports every second
    for i in range(3):
        publish_like(template_job, alice, f"a sailboat on a bay, take {i}")
    log_in(page, live_server.url, bob, then="/feed/controls/")
    page.fill("#id_minutes", "1")
    page.click("#budget button[type=submit]")
    page.get_by_text("Daily limit set to 1 minute.").wait_for()
    # 58 of the 60 seconds were watched earlier today (two beats half a minute apart).
    watch_heartbeat(user=bob, seconds=30, now=timezone.now() - dt.timedelta(seconds=60))
    watch_heartbeat(user=bob, seconds=28, now=timezone.now() - dt.timedelta(seconds=30))

    page.goto(f"{live_server.url}/")
    assert page.locator(ITEMS).count() == 3
    page.get_by_text("You've reached your limit for today").wait_for(timeout=30_000)
    assert page.evaluate("() => document.body.classList.contains('limit-reached')")
    assert page.evaluate("() => [...document.querySelectorAll('video')].every(v => v.paused)")
    page.goto(f"{live_server.url}/")
    assert page.locator(ITEMS).count() == 0
    assert page.get_by_text("You've reached your limit for today").is_visible()
    assert Post.objects.count() == 3


def test_a_teens_post_page_counts_its_player_and_the_limit_notice_replaces_it(
    live_server: Any, page: Any, alice: User, teen: User, template_job: Any, monkeypatch: Any
) -> None:
    """Search and profiles lead to the post page: its player counts toward a teen's limit, and
    once the limit is spent the notice covers it, on a 390 px phone."""
    from accounts.models import TeenSettings
    from accounts.services.teens import teen_settings_tighten
    from feed.services import budget

    monkeypatch.setattr(budget, "HEARTBEAT_SECONDS", 1)  # the player reports every second
    page.set_viewport_size({"width": 390, "height": 844})
    post = publish_like(template_job, alice, "a sailboat on a bay")
    teen_settings_tighten(teen=teen, daily_limit_minutes=1)
    # Quiet hours twelve hours away, so the post page is open whenever this runs.
    far = (timezone.localtime() + dt.timedelta(hours=12)).replace(second=0, microsecond=0)
    TeenSettings.objects.filter(user=teen).update(
        quiet_start=(far - dt.timedelta(hours=1)).time(), quiet_end=far.time()
    )
    watch_heartbeat(user=teen, seconds=30, now=timezone.now() - dt.timedelta(seconds=60))
    watch_heartbeat(user=teen, seconds=28, now=timezone.now() - dt.timedelta(seconds=30))
    log_in(page, live_server.url, teen, then="/feed/controls/")

    page.goto(f"{live_server.url}/p/{post.pk}/")
    assert page.locator("video[data-counted]").count() == 1
    page.get_by_text("You've reached your limit for today").wait_for(timeout=30_000)
    assert page.evaluate("() => [...document.querySelectorAll('video')].every(v => v.paused)")
    assert page.get_by_text("Your daily limit is 1 minute.").is_visible()
    page.goto(f"{live_server.url}/p/{post.pk}/")
    assert page.locator("video").count() == 0
    assert page.get_by_text("You've reached your limit for today").is_visible()
