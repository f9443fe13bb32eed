"""In Chromium on a 390×844 phone: the sound choice on Create, a draft that plays with sound on
its job page, and a published video heard in the feed once the sound button is pressed.

Set SORA_SHOTS to a folder to keep a screenshot of each page looked at.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from accounts.models import User
from conftest import log_in
from feed.pool import pool_clear
from feed.services.features import post_features_update
from feed.services.posts import post_publish

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
FEED_VIDEO = "article.feed-item video"
# True once the element has decoded some sound: Chromium counts the audio bytes it decoded.
HEARD = "v => !v.muted && !v.paused && v.webkitAudioDecodedByteCount > 0"


def _shot(page: Any, name: str) -> None:
    folder = os.environ.get("SORA_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_on_a_phone_create_offers_sound_on_no_music_and_silent(
    live_server: Any, page: Any, alice: User
) -> None:
    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, alice, then=reverse("generation:create"))
    choice = page.locator("[data-testid=sound-choice]")
    assert choice.locator("legend").inner_text() == "Sound"
    labels = [text.split("\n")[0] for text in choice.locator("label").all_inner_texts()]
    assert [label.split(" ")[0] for label in labels] == ["Sound", "No", "Silent"]
    assert page.is_checked("#id_sound_0")
    box = choice.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    # The whole line is the tap target, not only the small circle.
    choice.locator("label", has_text="Silent").click()
    assert page.is_checked("#id_sound_2") and not page.is_checked("#id_sound_0")
    choice.scroll_into_view_if_needed()
    _shot(page, "phone-create-sound")


def test_a_video_plays_with_sound_on_its_job_page_and_in_the_feed_after_unmute(
    live_server: Any, page: Any, alice: User, bob: User, rendered: Any
) -> None:
    job = rendered(alice, "rain in a city at night, a man says “what a night”")
    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, alice, then=reverse("generation:job", args=[job.pk]))
    draft = page.locator("[data-testid=draft-video]")
    assert draft.evaluate("v => v.controls && !v.muted && !v.defaultMuted")
    assert page.locator("[data-testid=soundtrack]").inner_text().startswith("Sound: ")
    draft.evaluate("v => v.play()")
    page.wait_for_function(f"() => ({HEARD})(document.querySelector('[data-testid=draft-video]'))")
    _shot(page, "phone-job-sound")

    post = post_publish(user=alice, job_id=job.pk)
    post_features_update(post_id=post.pk)
    pool_clear()
    page.context.clear_cookies()
    log_in(page, live_server.url, bob, then="/")
    page.wait_for_function(
        f"() => {{ const v = document.querySelector('{FEED_VIDEO}');"
        " return v && !v.paused && v.currentTime > 0.2; }"
    )
    assert page.eval_on_selector(FEED_VIDEO, "v => v.muted") is True  # feeds start muted
    page.locator("article.feed-item").first.locator(".mute").click()
    page.eval_on_selector(FEED_VIDEO, "v => v.play()")
    page.wait_for_timeout(1000)
    assert page.eval_on_selector(FEED_VIDEO, "v => v.muted") is False
    page.wait_for_function(f"() => ({HEARD})(document.querySelector('{FEED_VIDEO}'))")
    assert page.eval_on_selector(FEED_VIDEO, "v => v.webkitAudioDecodedByteCount") > 0
