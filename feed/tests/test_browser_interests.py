"""In Chromium on a 390×844 phone: picking a topic chip and adding your own interest.

Set SORA_SHOTS to a folder to keep a screenshot of the interests control after each step.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from accounts.models import User
from conftest import PHONE, log_in
from feed.models import FeedPreference
from safety.moderation import moderate_text
from sora_site.embeddings import embed_texts

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SECTION = "section#interests"


def _shot(page: Any, name: str, *, screen: bool = False) -> None:
    """The interests section, or with ``screen`` what the phone's screen shows."""
    folder = os.environ.get("SORA_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        target = page if screen else page.locator(SECTION)
        target.screenshot(path=str(Path(folder) / f"{name}.png"))


def test_a_person_picks_a_topic_and_adds_their_own_interest_on_a_phone(
    live_server: Any, phone: Any, alice: User
) -> None:
    # The live server runs in this process: load MiniLM and the moderation rules here, so the
    # first save doesn't spend the click's timeout loading them on a busy machine.
    moderate_text("jazz", kind="comment")
    embed_texts(["a video of jazz"])
    page = phone
    log_in(page, live_server.url, alice, then="/feed/controls/")
    section = page.locator(SECTION)
    section.get_by_label("Gardening", exact=True).check()
    section.get_by_label("Add your own").fill("jazz, rock climbing")
    _shot(page, "interests-filled")
    section.get_by_role("button", name="Save interests").click()
    page.get_by_text("Interests saved. Your next videos follow it.").wait_for()
    section = page.locator(SECTION)
    assert section.get_by_label("Gardening", exact=True).is_checked()
    assert section.get_by_label("Add your own").input_value() == "jazz, rock climbing"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _shot(page, "interests-saved")
    preference = FeedPreference.objects.get(user=alice)
    assert preference.interests == ["gardening", "jazz", "rock climbing"]

    section.get_by_label("Add your own").fill(
        "jazz, skateboarding in the rain at night with friends"
    )
    section.get_by_role("button", name="Save interests").click()
    error = page.locator(f"{SECTION} [role=alert]").first
    error.wait_for()
    assert "is 47 characters long; each one can be at most 40." in error.inner_text()
    box = error.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]
    _shot(page, "interests-too-long", screen=True)
    preference.refresh_from_db()
    assert preference.interests == ["gardening", "jazz", "rock climbing"]
