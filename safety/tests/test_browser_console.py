"""A moderator works a report in admin and the creator appeals, both in Chromium."""

from __future__ import annotations

import os
from typing import Any

import pytest

from accounts.models import User
from cameo.services.consent import cameo_mark_verified, cameo_settings_update
from conftest import PASSWORD, log_in
from generation.services import generation_request
from safety.models import Appeal, ModerationAction, Report, Strike
from safety.services.reports import report_create

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _page(browser: Any) -> Any:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    context.set_default_timeout(20_000)
    return context.new_page()


def _report_on_bobs_video(alice: User, bob: User) -> Report:
    cameo_mark_verified(owner=alice, display_name="Alice", embedding=[0.0] * 128)
    cameo = cameo_settings_update(owner=alice, permission="everyone")
    job = generation_request(
        user=bob, prompt="a picnic", duration_s=4, aspect="9:16", seed=1, cameo_ids=[cameo.pk]
    )
    return report_create(reporter=alice, job_id=job.pk, reason="likeness", likeness=True)


def _run_action(page: Any, report: Report, action: str, reason: str = "") -> None:
    page.check(f"input[name=_selected_action][value='{report.pk}']")
    page.select_option("select[name=action]", action)
    if reason:
        page.fill("input[name=reason]", reason)
    page.click("button[name=index]")
    page.wait_for_load_state()


def test_a_moderator_strikes_from_the_queue_and_the_creator_appeals(
    live_server: Any, browser: Any, alice: User, bob: User, moderator: User
) -> None:
    report = _report_on_bobs_video(alice, bob)
    base = live_server.url

    mod = _page(browser)
    mod.goto(f"{base}/admin/")
    mod.fill("#id_username", moderator.username)
    mod.fill("#id_password", PASSWORD)
    mod.click("input[type=submit]")
    mod.click("a[href='/admin/safety/report/']")
    assert "It uses my face or likeness" in mod.inner_text("#result_list")
    _run_action(mod, report, "assign_to_me")
    assert "Assigned 1 report to you." in mod.inner_text(".messagelist")
    mod.click("#changelist-filter a:has-text('Assigned to me')")
    mod.wait_for_url("**/admin/safety/report/?assignee=me")
    mod.locator(f"input[name=_selected_action][value='{report.pk}']").wait_for()
    _run_action(mod, report, "strike_reported_person", "Used Alice's face without asking")
    assert "Done for 1. Each is in the moderation log." in mod.inner_text(".messagelist")

    strike = Strike.objects.get()
    assert (strike.user, strike.report) == (bob, report)
    assert list(ModerationAction.objects.values_list("kind", flat=True)) == ["strike"]
    assert Report.objects.get(pk=report.pk).assignee == moderator

    creator = _page(browser)
    log_in(creator, base, bob)
    creator.goto(f"{base}/safety/standing/")
    card = creator.locator(f"[data-testid=strike-{strike.pk}]")
    assert "Used Alice's face without asking" in card.inner_text()
    card.locator("textarea").fill("Alice said yes in person; I'll ask her to confirm.")
    card.locator("button:has-text('Send appeal')").click()
    creator.locator("[data-testid=appeal]").filter(has_text="Waiting for a moderator").wait_for()
    assert creator.locator("button:has-text('Send appeal')").count() == 0

    appeal = Appeal.objects.get()
    assert (appeal.strike, appeal.decision) == (strike, "pending")
    assert appeal.text == "Alice said yes in person; I'll ask her to confirm."
