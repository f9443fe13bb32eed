from __future__ import annotations

from typing import Any

import factory
import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from feed.cards import like_button
from feed.models import Like, Post
from feed.selectors.posts import FEED_PAGE_SIZE
from feed.services.posts import post_publish
from generation.models import GenerationJob


def test_publishing_a_draft_puts_it_in_the_feed_and_on_the_profile(
    client: Client, alice: User, rendered: Any
) -> None:
    job = rendered(alice, "a lighthouse on a cliff at dawn")
    client.force_login(alice)
    response = client.post(reverse("feed:publish", args=[job.pk]), {"caption": "first light"})
    post = Post.objects.get()
    assert response["Location"] == reverse("feed:post", args=[post.pk])
    assert (post.author, post.job, post.caption) == (alice, job, "first light")
    feed = client.get("/").content.decode()
    assert f'src="{job.video.url}"' in feed and f'poster="{job.poster.url}"' in feed
    assert "@alice" in feed and "first light" in feed
    assert f'src="{job.poster.url}"' in client.get("/@alice/").content.decode()
    assert "No drafts." in client.get(reverse("generation:drafts")).content.decode()


def test_publish_refuses_get(client: Client, alice: User, rendered: Any) -> None:
    job = rendered(alice)
    client.force_login(alice)
    assert client.get(reverse("feed:publish", args=[job.pk])).status_code == 405
    assert not Post.objects.exists()


def test_stranger_cannot_publish_my_draft(
    client: Client, alice: User, charlie: User, rendered: Any
) -> None:
    job = rendered(alice)
    client.force_login(charlie)
    assert client.post(reverse("feed:publish", args=[job.pk])).status_code == 404
    assert not Post.objects.exists()


def test_anonymous_publish_is_sent_to_log_in(client: Client, alice: User, submit: Any) -> None:
    job = submit(alice)
    response = client.post(reverse("feed:publish", args=[job.pk]))
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not Post.objects.exists()


def test_unfinished_job_cannot_be_published(client: Client, alice: User, submit: Any) -> None:
    job = submit(alice)
    client.force_login(alice)
    response = client.post(reverse("feed:publish", args=[job.pk]), follow=True)
    assert "Only a finished video can be published." in response.content.decode()
    assert not Post.objects.exists()


def test_a_draft_is_published_once(client: Client, alice: User, rendered: Any) -> None:
    job = rendered(alice)
    client.force_login(alice)
    client.post(reverse("feed:publish", args=[job.pk]))
    response = client.post(reverse("feed:publish", args=[job.pk]), follow=True)
    assert "This video is already published." in response.content.decode()
    assert Post.objects.count() == 1


@pytest.mark.django_db
def test_empty_feed_invites_people_to_create(client: Client) -> None:
    body = client.get("/").content.decode()
    assert "No videos yet." in body and "Sign up and create the first one" in body


class _FinishedJobFactory(factory.django.DjangoModelFactory):
    """Volume for paging: rows that reuse one really rendered file."""

    class Meta:
        model = GenerationJob

    prompt = factory.Sequence(lambda n: f"scene number {n}")
    duration_s = 4
    aspect = "9:16"
    seed = factory.Sequence(int)
    status = GenerationJob.Status.SUCCEEDED
    progress = 100


@pytest.fixture
def many_posts(alice: User, rendered: Any) -> list[Post]:
    template = rendered(alice)
    posts = [post_publish(user=alice, job_id=template.pk)]
    for job in _FinishedJobFactory.create_batch(
        FEED_PAGE_SIZE + 2, creator=alice, video=template.video.name, poster=template.poster.name
    ):
        posts.append(post_publish(user=alice, job_id=job.pk))
    return posts


def test_feed_is_latest_first_and_loads_more_when_revealed(
    client: Client, many_posts: list[Post]
) -> None:
    first = client.get("/").content.decode()
    newest, oldest = many_posts[-1], many_posts[0]
    assert first.index(f'data-post="{newest.pk}"') < first.index(f'data-post="{many_posts[-2].pk}"')
    assert f'data-post="{oldest.pk}"' not in first
    last_on_page = many_posts[-FEED_PAGE_SIZE]
    assert f'hx-get="/?before={last_on_page.pk}" hx-trigger="revealed"' in first
    more = client.get(f"/?before={last_on_page.pk}", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in more  # the partial only
    assert f'data-post="{oldest.pk}"' in more
    assert "That&#x27;s everything for now." in more or "That's everything for now." in more


def test_like_toggles_and_counts(client: Client, bob: User, many_posts: list[Post]) -> None:
    post = many_posts[0]
    client.force_login(bob)
    url = reverse("feed:like", args=[post.pk])
    liked = client.post(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'aria-pressed="true"' in liked and "<span>1</span>" in liked
    unliked = client.post(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'aria-pressed="false"' in unliked and "<span>0</span>" in unliked
    assert not Like.objects.exists()


def _card_like_button(page: str, post: Post) -> str:
    card = page[page.index(f'data-post="{post.pk}"') :]
    card = card[card.index('<div class="actions">') + len('<div class="actions">') :]
    return card[: card.index('<a href="')].strip()


def test_a_cards_like_button_is_the_one_a_like_swaps_in(
    client: Client, bob: User, many_posts: list[Post]
) -> None:
    """The cards write the like button out (templates/jinja2/feed/cards.html) rather than
    include feed/like_button.html: the two must stay the same markup, signed in or not."""
    post = many_posts[-1]
    anonymous = _card_like_button(client.get("/").content.decode(), post)
    assert anonymous == like_button(post_id=post.pk, like_count=0, liked=False, signed_in=False)
    assert "Log in to like" in anonymous
    client.force_login(bob)
    swapped = client.post(reverse("feed:like", args=[post.pk]), HTTP_HX_REQUEST="true")
    page = client.get("/").content.decode()
    assert _card_like_button(page, post) == swapped.content.decode()
    assert 'aria-pressed="true"' in swapped.content.decode()


def test_like_refuses_get_and_anonymous(client: Client, many_posts: list[Post]) -> None:
    url = reverse("feed:like", args=[many_posts[0].pk])
    assert client.post(url)["Location"].startswith(reverse("accounts:login"))
    assert not Like.objects.exists()


def test_like_refuses_get_when_logged_in(client: Client, bob: User, many_posts: list[Post]) -> None:
    client.force_login(bob)
    assert client.get(reverse("feed:like", args=[many_posts[0].pk])).status_code == 405


@pytest.mark.django_db
def test_unknown_post_is_404(client: Client) -> None:
    assert client.get(reverse("feed:post", args=[999])).status_code == 404
    assert client.get("/?before=abc").status_code == 200
