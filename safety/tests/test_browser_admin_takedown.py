"""In Chromium: a moderator finds a post in admin, sees it read-only with no way to delete it,
and takes it down with the Take down action; the video's files are then deleted."""

from __future__ import annotations

import os
from typing import Any

import django_rq
import pytest
from django.core.files.storage import default_storage
from rq import SimpleWorker

from accounts.models import User
from conftest import PASSWORD, new_page
from feed.services.posts import post_publish
from generation.models import GenerationJob
from safety.models import ModerationAction

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_moderator_takes_a_post_down_from_admin_instead_of_deleting_it(
    live_server: Any, browser: Any, alice: User, moderator: User, rendered: Any
) -> None:
    job = rendered(alice, "a lighthouse in a storm")
    post = post_publish(user=alice, job_id=job.pk)
    names = [job.video.name, job.poster.name]

    page = new_page(browser, viewport={"width": 1200, "height": 900})
    page.goto(f"{live_server.url}/admin/login/?next=/admin/feed/post/{post.pk}/change/")
    page.fill("#id_username", moderator.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"**/admin/feed/post/{post.pk}/change/")
    assert "a lighthouse in a storm" in page.inner_text("#content")
    assert page.locator("input[name=_save]").count() == 0
    assert page.locator("a.deletelink").count() == 0

    page.goto(f"{live_server.url}/admin/feed/post/")
    options = page.locator("select[name=action] option").all_inner_texts()
    assert "Take down (remove the video and delete its files)" in options
    assert not any("Delete" in option for option in options)
    page.check(f"input[name=_selected_action][value='{post.pk}']")
    page.select_option("select[name=action]", "remove_post_video")
    page.fill("input[name=reason]", "Copies someone else's film")
    page.click("button[name=index]")
    page.locator(".messagelist").wait_for()
    assert "Done for 1. Each is in the moderation log." in page.inner_text(".messagelist")

    action = ModerationAction.objects.get()
    assert (action.kind, action.moderator, action.target_user) == ("remove", moderator, alice)
    queue = django_rq.get_queue("default")
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    job = GenerationJob.objects.get(pk=job.pk)
    assert job.taken_down_at is not None and not job.video
    assert [default_storage.exists(name) for name in names] == [False, False]
