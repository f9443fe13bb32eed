"""Helpers for the feed's ranking, steering and budget tests.

Rendering is the slow part of a post (seconds each here), so these tests render one real video
and publish many posts that reuse its files, each through the real ``post_publish`` and the
real features job (``post_features_update``), so every post has the embedding, topics and
energy the For-you ranking reads.
"""

from __future__ import annotations

import datetime as dt

import factory
from django.test import Client
from django.utils import timezone

from accounts.models import TeenSettings, User
from feed.models import Post
from feed.services.features import post_features_update
from feed.services.posts import post_publish
from generation.models import GenerationJob

CALM = "a calm peaceful lake at dawn, a boat floating slowly, static shot"
ENERGETIC = "a crazy energetic party, dancers jumping fast, handheld shake"


class ReusedRenderFactory(factory.django.DjangoModelFactory):
    """A finished job that reuses a really rendered file."""

    class Meta:
        model = GenerationJob

    prompt = factory.Sequence(lambda n: f"scene number {n}")
    duration_s = 4
    aspect = "9:16"
    seed = factory.Sequence(int)
    status = GenerationJob.Status.SUCCEEDED
    progress = 100


def publish_like(template: GenerationJob, author: User, prompt: str, features: bool = True) -> Post:
    """Publish a post with ``prompt`` that reuses ``template``'s files, and compute its features
    the way the job does."""
    job = ReusedRenderFactory(
        creator=author, prompt=prompt, video=template.video.name, poster=template.poster.name
    )
    post = post_publish(user=author, job_id=job.pk)
    if features:
        post_features_update(post_id=post.pk)
    return post


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def shown(html: str) -> list[int]:
    """The post ids of the feed items in a page, in order."""
    import re

    return [int(pk) for pk in re.findall(r'class="feed-item" data-post="(\d+)"', html)]


def quiet_hours_around_now(teen: User, *, now_inside: bool) -> None:
    """Put the teen's quiet window around the current time, or twelve hours away from it, so a
    test doesn't depend on the hour it runs at (the default window is 22:00 to 07:00)."""
    now = timezone.localtime(timezone.now()).replace(second=0, microsecond=0)
    centre = now if now_inside else now + dt.timedelta(hours=12)
    start, end = centre - dt.timedelta(hours=1), centre + dt.timedelta(hours=1)
    TeenSettings.objects.filter(user=teen).update(quiet_start=start.time(), quiet_end=end.time())
