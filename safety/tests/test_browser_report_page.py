"""In Chromium: a moderator removes a reported video from the report's own page, and a viewer
files a report on a phone-sized screen."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest

from accounts.models import User
from cameo.services.consent import cameo_mark_verified, cameo_settings_update
from conftest import PASSWORD, log_in
from feed.services.posts import post_publish
from generation.models import GenerationJob
from generation.services import generation_request
from safety.models import ModerationAction, Report
from safety.services.reports import report_create

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _page(browser: Any, width: int = 1200, height: int = 900) -> Any:
    context = browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(20_000)
    return context.new_page()


def test_a_moderator_removes_the_reported_video_from_the_reports_page(
    live_server: Any, browser: Any, alice: User, bob: User, moderator: User
) -> None:
    cameo_mark_verified(owner=alice, display_name="Alice", embedding=[0.0] * 128)
    cameo = cameo_settings_update(owner=alice, permission="everyone")
    job = generation_request(
        user=bob, prompt="a picnic", duration_s=4, aspect="9:16", seed=1, cameo_ids=[cameo.pk]
    )
    report = report_create(reporter=alice, job_id=job.pk, reason="likeness", likeness=True)

    page = _page(browser)
    page.goto(f"{live_server.url}/admin/login/?next=/admin/safety/report/{report.pk}/change/")
    page.fill("#id_username", moderator.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"**/admin/safety/report/{report.pk}/change/")
    box = page.locator("[data-testid=act]")
    box.locator("textarea[name=reason]").fill("Uses Alice's face without her consent")
    box.locator("button:has-text('Remove the video')").click()
    page.locator(".messagelist").wait_for()

    assert "Done for 1. Each is in the moderation log." in page.inner_text(".messagelist")
    facts = page.inner_text(".report-facts")
    assert "Taken down" in facts
    assert "Removed by a moderator: Uses Alice's face without her consent" in facts
    assert "Removed a video by mona: Uses Alice's face without her consent" in page.inner_text(
        "#content"
    )
    job.refresh_from_db()
    assert job.taken_down_at is not None
    action = ModerationAction.objects.get()
    assert (action.kind, action.moderator, action.job) == ("remove", moderator, job)
    assert Report.objects.get(pk=report.pk).status == "resolved"


def test_a_viewer_reports_a_video_on_a_360_pixel_screen(
    live_server: Any, browser: Any, rendered: Callable[..., Any], alice: User, bob: User
) -> None:
    job: GenerationJob = rendered(bob, "a red kite over green hills")
    post = post_publish(user=bob, job_id=job.pk)

    page = _page(browser, width=360, height=740)
    log_in(page, live_server.url, alice)
    page.goto(f"{live_server.url}/p/{post.pk}/")
    report = page.locator("[data-testid=report]")
    report.locator("summary").click()
    form = page.locator("[data-testid=report-form]")
    form.wait_for()

    radios = form.locator("input[type=radio][name=reason]")
    assert radios.count() == len(Report.Reason.choices)
    assert form.locator("input[type=radio]:checked").count() == 0
    # Every line of the form sits inside the screen: nothing is cut off or needs sideways scrolling.
    right_edges = form.evaluate(
        "f => [f, ...f.querySelectorAll('label, textarea, button')]"
        ".map(e => e.getBoundingClientRect().right)"
    )
    assert max(right_edges) <= 360, right_edges
    assert form.evaluate("f => f.scrollWidth <= f.clientWidth")

    form.get_by_label("Spam or scam").check()
    form.locator("textarea[name=note]").fill("Same video posted fifty times")
    form.locator("button:has-text('Send report')").click()
    page.locator("text=Thanks. Moderators will look at it.").wait_for()

    filed = Report.objects.get()
    assert (filed.reporter, filed.reason, filed.target) == (alice, "spam", "video")
    assert filed.note == "Same video posted fifty times"
