"""In Chromium: a new account's feed keeps its videos until they are watched. A reload at once
shows the same videos; once each has been in view for a second, the next visit is caught up."""

from __future__ import annotations

import os
import time
from typing import Any

import pytest

from accounts.models import User
from conftest import PASSWORD, make_user
from feed.models import SeenPost
from feed.tests.feed_helpers import publish_like

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fresh_pool"),
]
ITEMS = "article.feed-item"


def _shown(page: Any) -> list[int]:
    return [
        int(pk) for pk in page.locator(ITEMS).evaluate_all("els => els.map(e => e.dataset.post)")
    ]


def _seen_count(user: User, want: int, timeout: float = 15.0) -> int:
    """How many posts ``user`` has seen, once it reaches ``want`` or ``timeout`` passes (the
    browser reports in batches)."""
    deadline = time.monotonic() + timeout
    while True:
        count = SeenPost.objects.filter(user=user, seen_at__isnull=False).count()
        if count >= want or time.monotonic() > deadline:
            return count
        time.sleep(0.2)


def test_a_new_account_keeps_its_unwatched_videos_until_it_has_watched_them(
    live_server: Any, page: Any, alice: User, template_job: Any
) -> None:
    posts = {
        publish_like(template_job, alice, f"a kite over a hill, take {i}").pk for i in range(12)
    }
    dana = make_user("dana")
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", dana.username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base}/", wait_until="domcontentloaded")  # signing in lands on the feed
    first = _shown(page)
    assert len(first) == 10 and set(first) <= posts

    page.reload(wait_until="domcontentloaded")
    assert _shown(page) == first  # sent is not seen
    assert page.locator("[data-testid=caught-up]").count() == 0

    for i in range(len(posts)):
        page.wait_for_function(f"() => document.querySelectorAll('{ITEMS}').length > {i}")
        page.locator(ITEMS).nth(i).evaluate("el => el.scrollIntoView({block: 'center'})")
        page.wait_for_timeout(1300)
    assert set(_shown(page)) == posts  # the next page came in as the tenth was reached
    assert _seen_count(dana, len(posts)) == len(posts)

    page.reload()
    page.locator("[data-testid=caught-up]").wait_for()
    assert "You're all caught up" in page.locator("[data-testid=caught-up]").inner_text()
    assert page.locator(ITEMS).count() == 0
