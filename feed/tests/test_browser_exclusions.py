"""In Chromium on a phone: writing "nothing scary" shows More, Less and None, and Latest hides
the scary videos, says how many above the first one, under the top bar where it can be read
and tapped, and shows them on request."""

from __future__ import annotations

import os
from typing import Any

import pytest

from accounts.models import User
from conftest import PASSWORD
from feed.tests.feed_helpers import publish_like

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fresh_pool"),
]
ITEMS = "article.feed-item"


def test_writing_nothing_scary_shows_three_columns_and_hides_scary_videos_on_latest(
    live_server: Any, page: Any, alice: User, bob: User, template_job: Any
) -> None:
    scary = publish_like(template_job, alice, "a haunted house at night with a ghost in the window")
    calm = publish_like(template_job, alice, "a sailboat on a calm lake at dawn")
    page.set_viewport_size({"width": 390, "height": 844})
    base = live_server.url
    page.goto(f"{base}/accounts/login/?next=/feed/controls/")
    page.fill("#id_username", bob.username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base}/feed/controls/")

    page.fill("#id_instruction", "more sailing, nothing scary")
    page.get_by_role("button", name="Steer by these words").click()
    page.wait_for_url(f"{base}/feed/controls/")
    assert "none of scary" in page.inner_text("body")
    more = page.locator("[data-testid=read-more]")
    less = page.locator("[data-testid=read-less]")
    none = page.locator("[data-testid=read-none]")
    assert "sailing" in more.inner_text() and "Nothing here" in less.inner_text()
    assert "scary" in none.inner_text()
    # Side by side on a phone: three columns in one row.
    tops = {round(box["y"]) for box in (c.bounding_box() for c in (more, less, none))}
    assert len(tops) == 1

    page.get_by_label("Latest").check()
    page.locator("#mode").get_by_role("button", name="Save").click()
    page.goto(f"{base}/")
    note = page.locator("[data-testid=hidden-note]")
    assert "1 video hidden because of your words “nothing scary”." in note.inner_text()
    ids = [int(i.get_attribute("data-post")) for i in page.locator(ITEMS).all()]
    assert ids == [calm.pk]
    link = note.get_by_role("link", name="Show them")
    assert link.get_attribute("href") == "/?show_hidden=1"
    _assert_on_screen_below_the_top_bar(page, link)
    link.click()
    page.wait_for_url(f"{base}/?show_hidden=1")
    ids = [int(i.get_attribute("data-post")) for i in page.locator(ITEMS).all()]
    assert ids == [calm.pk, scary.pk]

    # On a desktop screen too, the note opens the page, readable and tappable.
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{base}/")
    _assert_on_screen_below_the_top_bar(page, page.get_by_role("link", name="Show them"))


def _assert_on_screen_below_the_top_bar(page: Any, link: Any) -> None:
    """The link is shown, within the screen, under the sticky top bar, and nothing floats over
    it: a tap at its centre lands on it."""
    assert link.element_handle().is_visible()
    box = link.bounding_box()
    bar = page.locator(".topbar").bounding_box()
    viewport = page.viewport_size
    assert box["y"] >= bar["y"] + bar["height"]
    assert box["y"] + box["height"] <= viewport["height"]
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    hit = page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).closest('[data-testid=show-hidden]') !== null",
        [x, y],
    )
    assert hit, "something covers the Show them link"
