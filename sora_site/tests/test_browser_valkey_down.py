"""With Valkey down, a person signs in and asks for a video; it is saved, and once Valkey is back
``requeue_stuck`` queues it and a worker renders it."""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command

from accounts.models import User
from generation.models import GenerationJob
from generation.services import UNAVAILABLE_MESSAGE
from sora_site.tests.valkey_helpers import OwnValkey, site_on

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def own_valkey() -> Iterator[OwnValkey]:
    """The site's cache and queues on a Valkey of this test's own, which it stops and restarts."""
    server = OwnValkey()
    server.start()
    with site_on(server.url):
        yield server
    server.close()


def test_it_signs_in_and_saves_a_request_while_valkey_is_down_then_renders_it_when_back(
    live_server: Any,
    page: Any,
    alice: User,
    own_valkey: OwnValkey,
    run_video_jobs: Callable[[], None],
) -> None:
    from conftest import PASSWORD

    own_valkey.stop()

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/create/")
    page.fill("#id_prompt", "a paper boat drifting down a rainy street")
    page.select_option("#id_duration_s", "4")
    page.select_option("#id_aspect", "9:16")
    # The first prompt loads the moderation model in the server: allow it a minute.
    with page.expect_navigation(url="**/create/jobs/*/", timeout=90_000):
        page.click("button:has-text('Generate')", no_wait_after=True)
    assert UNAVAILABLE_MESSAGE in page.inner_text("main")

    job = GenerationJob.objects.get()
    assert (job.creator, job.prompt) == (alice, "a paper boat drifting down a rainy street")
    assert job.status == GenerationJob.Status.QUEUED and job.enqueued_at is None

    own_valkey.start()  # back on the same socket, empty
    out = io.StringIO()
    call_command("requeue_stuck", stdout=out)
    assert "enqueued 1" in out.getvalue()
    run_video_jobs()

    job.refresh_from_db()
    assert job.status == GenerationJob.Status.SUCCEEDED, job.error
    assert job.video and default_storage.exists(job.video.name)
    assert default_storage.size(job.video.name) > 10_000

    # Still signed in after the restart: the session comes from the database.
    page.reload()
    page.wait_for_selector("[data-testid=draft-video]")
    assert UNAVAILABLE_MESSAGE not in page.inner_text("main")
