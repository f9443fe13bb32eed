"""A person signs up, creates a video, watches it render, plays it and publishes it."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

import pytest

from conftest import start_worker
from generation.models import GenerationJob

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def video_worker() -> Iterator[None]:
    worker = start_worker("video", burst=False)
    yield
    worker.terminate()
    try:
        worker.wait(timeout=15)
    except Exception:
        worker.kill()


_READ_STATUS = """() => {
  if (document.querySelector('[data-testid=draft-video]')) { return 'done'; }
  const percent = document.querySelector('[data-testid=percent]');
  return percent ? percent.textContent.trim() : null;
}"""


def _watch_progress(page: Any, timeout: float = 120) -> list[int]:
    """Percentages the bar showed until the draft appeared (read in one step, since htmx may
    swap the partial between two separate queries)."""
    seen: list[int] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = page.evaluate(_READ_STATUS)
        if state == "done":
            return seen
        text = (state or "").rstrip("%")
        if text.isdigit() and (not seen or seen[-1] != int(text)):
            seen.append(int(text))
        time.sleep(0.1)
    raise AssertionError(f"the draft never appeared; progress seen: {seen}")


def test_sign_up_create_watch_publish_and_see_it_in_the_feed(
    live_server: Any, page: Any, video_worker: None
) -> None:
    page.goto(f"{live_server.url}/accounts/signup/")
    page.fill("#id_username", "browserfan")
    page.fill("#id_email", "fan@example.com")
    page.fill("#id_password1", "correct-horse-battery-9")
    page.fill("#id_password2", "correct-horse-battery-9")
    page.fill("#id_birthdate", "1994-03-02")
    page.click("button:has-text('Sign up')")
    page.wait_for_url("**/create/")

    page.fill("#id_prompt", "a golden retriever running on the beach at sunset")
    page.select_option("#id_duration_s", "4")
    page.select_option("#id_aspect", "9:16")
    page.click("button:has-text('Generate')")
    page.wait_for_url("**/create/jobs/*/")

    seen = _watch_progress(page)
    assert seen == sorted(seen), f"progress went backwards: {seen}"
    job = GenerationJob.objects.get()
    assert job.status == "succeeded" and job.progress == 100

    page.wait_for_function(
        "() => { const v = document.querySelector('[data-testid=draft-video]');"
        " return v && v.readyState >= 2; }",
        timeout=20_000,
    )
    duration = page.eval_on_selector("[data-testid=draft-video]", "v => v.duration")
    assert abs(duration - 4.0) <= 0.2
    played = page.eval_on_selector(
        "[data-testid=draft-video]",
        "v => new Promise(r => { const t0 = v.currentTime; v.play().then(() => setTimeout("
        "() => r(v.currentTime > t0 || v.currentTime > 0), 600)).catch(() => r(false)); })",
    )
    assert played, "the draft video did not advance when played"

    page.click("button:has-text('Publish')")
    page.wait_for_url("**/p/*/")
    page.goto(f"{live_server.url}/")
    item = page.locator(f"article[data-post='{job.post.pk}']")
    assert item.count() == 1
    assert "@browserfan" in item.inner_text()
    assert item.locator("video").get_attribute("src") == job.video.url


def test_anyone_can_verify_a_downloaded_video(
    live_server: Any, page: Any, alice: Any, rendered: Any
) -> None:
    from django.core.files.storage import default_storage

    job = rendered(alice, "a lighthouse at dawn", seed=4)
    page.goto(f"{live_server.url}/verify/")
    page.set_input_files("#id_video", default_storage.path(job.video.name))
    page.click("button:has-text('Check this video')")
    result = page.locator("[data-testid=verify-result]")
    result.wait_for()
    text = result.inner_text()
    assert "Made on Sora" in text and "@alice" in text
    assert "The video exists here but isn't public." in text
