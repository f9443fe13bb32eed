"""Helpers shared by the social-layer tests (comments, messages, notifications, share, search).

A published post normally needs a real render (about 30 s here on the first run). These tests are
about what happens after publishing, so ``published`` stands a finished render in as a job row,
the way ``test_feed`` builds volume, and then publishes it through the real ``post_publish``. The
tests that need a real video (share tags, remix lineage) use the ``rendered`` fixture instead.
"""

from __future__ import annotations

from typing import Any

import factory
from django.test import Client
from django.urls import reverse

from accounts.models import User
from feed.models import Post
from feed.services.posts import post_publish
from generation.models import GenerationJob


class FinishedJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GenerationJob

    prompt = factory.Sequence(lambda n: f"a paper boat drifting down a rainy street, take {n}")
    duration_s = 4
    aspect = "9:16"
    seed = factory.Sequence(int)
    status = GenerationJob.Status.SUCCEEDED
    progress = 100
    video = factory.Sequence(lambda n: f"videos/social-{n}.mp4")
    poster = factory.Sequence(lambda n: f"posters/social-{n}.jpg")


def published(user: User, prompt: str | None = None, caption: str = "", **job: Any) -> Post:
    if prompt is not None:
        job["prompt"] = prompt
    finished = FinishedJobFactory(creator=user, **job)
    return post_publish(user=user, job_id=finished.pk, caption=caption)


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def watch_word(moderator: User, phrase: str) -> None:
    """A moderator adds a watched word in admin, as they would."""
    response = login(moderator).post(
        reverse("admin:safety_watchedword_add"), {"phrase": phrase, "list_name": "tests"}
    )
    assert response.status_code == 302


HTMX = {"HTTP_HX_REQUEST": "true"}
