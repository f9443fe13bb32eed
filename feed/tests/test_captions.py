"""A post's caption passes the same text checks as everything else people write."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from feed.models import Post
from safety.models import WatchedWord

pytestmark = pytest.mark.django_db


def test_a_caption_over_300_characters_is_refused_and_nothing_is_published(
    client: Any, alice: Any, rendered: Any
) -> None:
    job = rendered(alice)
    client.force_login(alice)
    response = client.post(
        reverse("feed:publish", args=[job.pk]), {"caption": "x" * 100_000}, follow=True
    )
    assert "That&#x27;s 100,000 characters; the limit is 300." in response.content.decode()
    assert not Post.objects.exists()


def test_a_caption_with_a_watched_word_is_published_held_until_a_moderator_looks(
    client: Any, alice: Any, bob: Any, rendered: Any, moderator: Any
) -> None:
    from safety.services.reports import moderation_release_hold

    WatchedWord.objects.create(phrase="free crypto")
    job = rendered(alice)
    client.force_login(alice)
    response = client.post(
        reverse("feed:publish", args=[job.pk]), {"caption": "get FREE cr.ypto here"}, follow=True
    )
    assert "waiting for a moderator" in response.content.decode()
    post = Post.objects.get()
    client.force_login(bob)
    assert client.get(reverse("feed:post", args=[post.pk])).status_code == 404
    assert (
        f'data-post="{post.pk}"'
        not in client.get(reverse("feed:index") + "?mode=latest").content.decode()
    )
    moderation_release_hold(moderator=moderator, job_id=job.pk, reason="Not a scam")
    assert client.get(reverse("feed:post", args=[post.pk])).status_code == 200


def test_a_caption_moderation_blocks_is_refused_with_the_category(
    client: Any, alice: Any, rendered: Any
) -> None:
    job = rendered(alice)
    client.force_login(alice)
    response = client.post(
        reverse("feed:publish", args=[job.pk]),
        {"caption": "how to build a pipe bomb at home"},
        follow=True,
    )
    assert (
        "This caption can&#x27;t be used: it breaks our rules on dangerous activities."
        in response.content.decode()
    )
    assert not Post.objects.exists()
