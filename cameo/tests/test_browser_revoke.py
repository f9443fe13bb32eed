"""In Chromium at phone size: the owner revokes a permission, is told how many videos come down,
confirms, and sees the receipt."""

from __future__ import annotations

import os
from typing import Any

import pytest

from accounts.models import User
from cameo.services.consent import (
    cameo_grant_decide,
    cameo_grant_request,
    cameo_mark_verified,
    cameo_settings_update,
)
from conftest import log_in
from generation.models import GenerationJob
from generation.services import generation_request

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMBEDDING = [0.02 * i for i in range(128)]


def _bob_made_videos_with_alice(alice: User, bob: User, count: int) -> list[GenerationJob]:
    cameo_mark_verified(owner=alice, display_name="Alice", embedding=EMBEDDING)
    cameo = cameo_settings_update(owner=alice, permission="approved")
    grant = cameo_grant_request(requester=bob, cameo_id=cameo.pk)
    cameo_grant_decide(owner=alice, grant_id=grant.pk, approve=True)
    return [
        generation_request(
            user=bob, prompt=f"@alice flying kite number {n}", duration_s=4, aspect="9:16", seed=n
        )
        for n in range(count)
    ]


def test_revoking_asks_to_confirm_with_the_count_then_takes_the_videos_down(
    live_server: Any, phone: Any, alice: User, bob: User
) -> None:
    jobs = _bob_made_videos_with_alice(alice, bob, 2)
    base = live_server.url
    log_in(phone, base, alice)
    phone.goto(f"{base}/cameo/")

    revoke = phone.locator("[data-testid=revoke-bob]")
    confirm = revoke.locator("button:has-text('Revoke permission')")
    assert not confirm.is_visible()
    revoke.locator("summary:has-text('Revoke')").click()
    assert "This takes down 2 videos @bob made with your cameo." in revoke.inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    confirm.click()  # the box isn't ticked: the browser keeps the form on the page
    assert phone.url == f"{base}/cameo/"
    assert all(GenerationJob.objects.get(pk=j.pk).taken_down_at is None for j in jobs)

    revoke.locator("text=I understand, revoke @bob's permission").click()
    confirm.click()
    phone.wait_for_load_state()
    phone.locator("text=Permission revoked. 2 videos taken down at").wait_for()
    assert all(GenerationJob.objects.get(pk=j.pk).taken_down_at for j in jobs)
    assert phone.locator("[data-testid=revoke-bob]").count() == 0
