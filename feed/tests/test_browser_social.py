"""In Chromium: a comment and a direct message appear without a page reload, a refusal shows
where the person typed, and the share link copies."""

from __future__ import annotations

import os
from typing import Any

import pytest

from accounts.models import User
from conftest import log_in, new_page
from feed.models import Comment, DirectMessage
from feed.services.social import post_comment_policy_set
from feed.tests.social_helpers import published

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser: Any) -> Any:
    viewport = {"width": 420, "height": 860}
    return new_page(browser, viewport=viewport, permissions=["clipboard-read", "clipboard-write"])


def _mark_page(page: Any) -> None:
    """A flag that a reload would wipe out."""
    page.evaluate("() => { window.__samePage = true; }")


def _still_same_page(page: Any) -> bool:
    return page.evaluate("() => window.__samePage === true")


def test_a_comment_appears_without_a_reload(
    live_server: Any, page: Any, alice: User, bob: User
) -> None:
    post = published(alice, "a paper boat drifting down a rainy street")
    log_in(page, live_server.url, bob)
    page.goto(f"{live_server.url}/p/{post.pk}/")
    assert "No comments yet." in page.inner_text("#comments")
    _mark_page(page)
    page.fill("#comment-text", "The reflections <b>are</b> lovely")
    page.click("#comment-form button[type=submit]")
    comment = page.locator("[data-testid=comment]").first
    comment.wait_for()
    assert "The reflections <b>are</b> lovely" in comment.inner_text()
    assert page.inner_text("#comment-count") == "1"
    assert page.input_value("#comment-text") == ""
    assert page.locator("#comments-empty").count() == 0
    assert _still_same_page(page)
    assert Comment.objects.get().text == "The reflections <b>are</b> lovely"

    page.click("button[data-copy]")
    page.wait_for_function(
        "() => document.querySelector('[data-copy-status]').textContent.length > 0"
    )
    assert page.inner_text("[data-copy-status]") == "Link copied."
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied == f"{live_server.url}/p/{post.pk}/"


def test_a_refused_comment_shows_why_where_it_was_typed(
    live_server: Any, page: Any, alice: User, bob: User
) -> None:
    post = published(alice)
    log_in(page, live_server.url, bob)
    page.goto(f"{live_server.url}/p/{post.pk}/")
    post_comment_policy_set(user=alice, post_id=post.pk, policy="nobody")  # while bob types
    _mark_page(page)
    page.fill("#comment-text", "anyone there?")
    page.click("#comment-form button[type=submit]")
    error = page.locator("#comment-errors [role=alert]")
    error.wait_for()
    assert error.inner_text() == "@alice turned comments off for this video."
    assert page.input_value("#comment-text") == "anyone there?"
    assert _still_same_page(page) and not Comment.objects.exists()


def test_a_message_appears_in_the_thread_without_a_reload(
    live_server: Any, page: Any, alice: User, bob: User
) -> None:
    log_in(page, live_server.url, bob)
    page.goto(f"{live_server.url}/@alice/")
    page.click("[data-testid=relation] a:text-is('Message')")
    page.wait_for_url("**/messages/alice/")
    _mark_page(page)
    page.fill("#dm-text", "Hi Alice! Loved the boat.")
    page.click("#dm-form button[type=submit]")
    message = page.locator("[data-testid=message]").first
    message.wait_for()
    assert "Hi Alice! Loved the boat." in message.inner_text()
    assert page.input_value("#dm-text") == ""
    assert page.locator("#thread-empty").count() == 0
    assert _still_same_page(page)
    assert DirectMessage.objects.get().sender == bob
