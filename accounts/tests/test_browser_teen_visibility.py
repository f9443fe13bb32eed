"""In Chromium on a phone-sized screen: an adult stranger searches for a teen's video and finds
nothing, not even a hint that it exists; a mutual follow searches the same words and finds it."""

from __future__ import annotations

import os
from typing import Any

import pytest

from accounts.models import User
from accounts.services.users import follow_create
from conftest import PHONE, log_in, new_page
from feed.tests.social_helpers import published

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _search(page: Any, base: str, words: str) -> Any:
    page.goto(f"{base}/search/")
    page.fill("#search-q", words)
    page.click("form[role=search] button[type=submit]")
    page.wait_for_url("**/search/?q=*")
    return page.locator("[data-testid=videos]")


def test_a_stranger_finds_nothing_and_a_mutual_finds_the_teens_video(
    live_server: Any, browser: Any, teen: User, alice: User, charlie: User
) -> None:
    follow_create(follower=teen, followee=alice)
    follow_create(follower=alice, followee=teen)
    post = published(teen, "a purple kite over the dunes")
    base = live_server.url

    stranger = log_in(new_page(browser), base, charlie)
    videos = _search(stranger, base, "purple kite")
    assert "No videos like “purple kite” yet." in videos.inner_text()
    assert videos.locator(f"[data-post='{post.pk}']").count() == 0
    assert "@tess" not in stranger.content()
    width = stranger.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]  # nothing pushes the phone page sideways

    mutual = log_in(new_page(browser), base, alice)
    videos = _search(mutual, base, "purple kite")
    tile = videos.locator(f"[data-post='{post.pk}']")
    assert tile.count() == 1 and "@tess" in tile.inner_text()
    tile.click()
    mutual.wait_for_url(f"**/p/{post.pk}/")
    assert "a purple kite over the dunes" in mutual.content()
