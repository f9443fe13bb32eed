"""A person reports a post in Chromium, follows it under "Your reports", reads a moderator's
reply and answers through the htmx box."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.urls import reverse

from accounts.models import User
from conftest import log_in
from safety.models import Report, ReportMessage
from safety.services.reports import report_message_create

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_report_a_post_follow_it_and_answer_a_moderator(
    live_server: Any, page: Any, alice: User, bob: User, moderator: User, rendered: Any
) -> None:
    from feed.services.posts import post_publish

    post = post_publish(user=bob, job_id=rendered(bob).pk)
    base = live_server.url
    log_in(page, base, alice)

    page.goto(base + reverse("feed:post", args=[post.pk]))
    page.click("[data-testid=report] summary")
    page.check(f"#report-{post.job_id}-spam")
    page.fill(f"#report-note-{post.job_id}", "Same clip posted forty times today.")
    page.click("[data-testid=report] button:has-text('Send report')")
    page.locator(".msg-success").filter(has_text="Thanks. Moderators will look at it.").wait_for()
    report = Report.objects.get()
    assert (report.reporter, report.job_id, report.reason) == (alice, post.job_id, "spam")

    page.click("nav.tabbar a:has-text('Profile')")
    page.click("nav a:has-text('Your reports')")
    page.wait_for_url(f"{base}/safety/reports/")
    row = page.locator(f"[data-testid=report-{report.pk}]")
    assert "A video by @bob" in row.inner_text()
    assert row.locator("[data-testid=status]").inner_text() == "Waiting for a moderator"

    row.locator("a").click()
    page.wait_for_url(f"{base}/safety/reports/{report.pk}/")
    assert "No messages yet." in page.inner_text("[data-testid=thread]")
    report_message_create(author=moderator, report_id=report.pk, text="Thanks, which account?")
    page.reload()
    assert "Moderator: Thanks, which account?" in page.inner_text("[data-testid=thread]")

    page.fill("#id_text", "The one called @bob, since this morning.")
    page.click("[data-testid=reply] button:has-text('Send')")
    page.locator("[data-testid=message]").nth(1).wait_for()
    thread = page.inner_text("[data-testid=thread]")
    assert "You: The one called @bob, since this morning." in thread
    assert page.input_value("#id_text") == ""
    assert page.url == f"{base}/safety/reports/{report.pk}/"  # swapped in place, no navigation
    mine = ReportMessage.objects.get(from_moderator=False)
    assert (mine.author, mine.text) == (alice, "The one called @bob, since this morning.")
