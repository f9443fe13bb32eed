"""In Chromium on a phone-sized screen: start a video from your own picture of a person, which
asks first that everyone pictured agreed, then see the draft play with the picture beside it."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from accounts.models import User
from conftest import log_in, new_page, start_worker
from generation.models import GenerationJob
from generation.source_image import NEEDS_CONSENT

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser: Any) -> Any:
    return new_page(browser, timeout_ms=120_000)  # the first Create loads the checks' models


@pytest.fixture
def video_worker() -> Iterator[None]:
    worker = start_worker("video", burst=False)
    yield
    worker.terminate()
    try:
        worker.wait(timeout=15)
    except Exception:
        worker.kill()


def _friend_photo(folder: Path) -> Path:
    """A photo of a person (scikit-image's public-domain astronaut portrait)."""
    from skimage import data

    path = folder / "friend.jpg"
    out = io.BytesIO()
    Image.fromarray(data.astronaut()).save(out, format="JPEG", quality=90)
    path.write_bytes(out.getvalue())
    return path


def test_upload_a_picture_tick_that_everyone_agreed_create_and_watch_the_draft(
    live_server: Any, phone: Any, video_worker: None, alice: User, tmp_path: Path
) -> None:
    page = phone
    log_in(page, live_server.url, alice)

    photo = _friend_photo(tmp_path)
    page.goto(f"{live_server.url}/create/")
    page.fill("#id_prompt", "a dog running on the beach")
    page.set_input_files("#id_source_image", str(photo))
    page.click("button:has-text('Generate')")
    # Without the box ticked nothing is saved, and the page says what to do.
    page.get_by_text(NEEDS_CONSENT).wait_for()
    assert not GenerationJob.objects.exists()

    page.set_input_files("#id_source_image", str(photo))
    page.check("#id_source_consent")
    page.click("button:has-text('Generate')")
    page.wait_for_url("**/create/jobs/*/")
    page.get_by_text("Your picture is the first frame").wait_for()
    assert (
        page.evaluate(
            "() => document.querySelector('[data-testid=source-picture] img').naturalWidth"
        )
        == 512
    )

    page.wait_for_function(
        "() => { const v = document.querySelector('[data-testid=draft-video]');"
        " return v && v.readyState >= 2; }",
        timeout=180_000,
    )
    job = GenerationJob.objects.get()
    assert job.status == "succeeded" and job.source_consent_confirmed
    # The page fits the phone's width: nothing to scroll sideways.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
