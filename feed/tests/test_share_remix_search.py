"""Sharing a post (OpenGraph tags, copy link), remix lineage on both posts, and search for people
and posts."""

from __future__ import annotations

import re
from html import unescape
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Notification, User
from accounts.services.blocks import block_create
from conftest import make_user
from feed.services.features import post_features_update
from feed.services.posts import post_publish
from feed.tests.social_helpers import published
from safety.services.reports import moderation_ban, moderation_remove_video

SEARCH = reverse("feed:search")


def _meta(html: str, key: str) -> str:
    match = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">', html)
    assert match, f"no {key} tag"
    return unescape(match.group(1))


# --- Share --------------------------------------------------------------------------------------


def test_a_public_post_carries_opengraph_tags_and_a_copy_link(
    client: Client, alice: User, rendered: Any
) -> None:
    job = rendered(alice, "a lighthouse on a cliff at dawn")
    post = post_publish(user=alice, job_id=job.pk, caption="First light <3")
    html = client.get(reverse("feed:post", args=[post.pk])).content.decode()
    url = f"http://testserver/p/{post.pk}/"
    assert _meta(html, "og:url") == url and f'<link rel="canonical" href="{url}">' in html
    assert _meta(html, "og:title") == "@alice on Sora"
    assert _meta(html, "og:description") == "First light <3"
    assert _meta(html, "og:image") == f"http://testserver{job.poster.url}"
    assert _meta(html, "og:video") == f"http://testserver{job.video.url}"
    assert _meta(html, "twitter:card") == "summary_large_image"
    assert _meta(html, "twitter:image") == f"http://testserver{job.poster.url}"
    # A link preview fetches the poster without an account.
    assert client.get(job.poster.url).status_code == 200
    assert f'<input id="share-url" type="url" value="{url}" readonly>' in html
    assert '<button type="button" class="btn" data-copy="#share-url">Copy link</button>' in html
    assert '<script src="/static/js/social.js" defer></script>' in html
    assert finders.find("js/social.js")


@pytest.mark.django_db
def test_the_description_falls_back_to_the_prompt(client: Client, alice: User) -> None:
    post = published(alice, "a paper boat drifting down a rainy street")
    html = client.get(reverse("feed:post", args=[post.pk])).content.decode()
    assert _meta(html, "og:description") == "a paper boat drifting down a rainy street"


@pytest.mark.django_db
def test_a_post_someone_cannot_see_shares_nothing(client: Client, alice: User, bob: User) -> None:
    post = published(alice)
    block_create(blocker=alice, blocked=bob)
    client.force_login(bob)
    assert client.get(reverse("feed:post", args=[post.pk])).status_code == 404


# --- Remix lineage ------------------------------------------------------------------------------


def test_a_published_remix_shows_its_lineage_on_both_posts(
    client: Client, alice: User, bob: User, rendered: Any
) -> None:
    original = post_publish(user=alice, job_id=rendered(alice, "a paper boat in the rain").pk)
    remix_job = rendered(bob, "a paper boat in a storm", remix_of_id=original.pk)
    remix = post_publish(user=bob, job_id=remix_job.pk)
    remix_page = unescape(client.get(reverse("feed:post", args=[remix.pk])).content.decode())
    assert f'Remix of <a href="/p/{original.pk}/">@alice\'s video</a>' in remix_page
    original_page = client.get(reverse("feed:post", args=[original.pk])).content.decode()
    assert "Remixes (1)" in original_page and f'href="/p/{remix.pk}/" class="tile"' in original_page
    note = Notification.objects.get(recipient=alice, kind="remix")
    assert (note.text, note.url) == ("@bob remixed your video.", f"/p/{remix.pk}/")


@pytest.mark.django_db
def test_lineage_shows_only_what_the_viewer_may_see(
    client: Client, alice: User, bob: User, charlie: User, moderator: User
) -> None:
    original = published(alice, "a paper boat in the rain")
    remix = published(bob, "a paper boat in a storm", remix_of=original)
    block_create(blocker=bob, blocked=charlie)
    client.force_login(charlie)
    page = client.get(reverse("feed:post", args=[original.pk])).content.decode()
    assert "Remixes (" not in page and f"/p/{remix.pk}/" not in page
    moderation_remove_video(moderator=moderator, job_id=original.job_id, reason="spam")
    client.force_login(alice)
    remix_page = client.get(reverse("feed:post", args=[remix.pk])).content.decode()
    assert "Remix of a video that is no longer available." in remix_page
    assert f'href="/p/{original.pk}/"' not in remix_page


@pytest.mark.django_db
def test_remixing_your_own_video_notifies_nobody(alice: User) -> None:
    original = published(alice)
    published(alice, remix_of=original)
    assert not Notification.objects.filter(kind="remix").exists()


# --- Search -------------------------------------------------------------------------------------


def _search(client: Client, q: str) -> tuple[int, str]:
    response = client.get(SEARCH, {"q": q})
    return response.status_code, unescape(response.content.decode())


def _people(html: str) -> list[str]:
    section = html[html.index('data-testid="people"') : html.index('data-testid="videos"')]
    return re.findall(r'href="/@(\w+)/"', section)


def _videos(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'class="tile" data-post="(\d+)"', html)]


@pytest.mark.django_db
def test_people_are_found_by_handle_prefix_exact_first(
    client: Client, alice: User, bob: User
) -> None:
    make_user("alicia")
    make_user("malice")
    status, html = _search(client, "@ALI")
    assert status == 200 and _people(html) == ["alice", "alicia"]
    make_user("ali")
    assert _people(_search(client, "ali")[1])[0] == "ali"


@pytest.mark.django_db
def test_search_never_finds_people_blocked_either_way_or_banned(
    client: Client, alice: User, bob: User, moderator: User
) -> None:
    alicia, albert = make_user("alicia"), make_user("albert")
    block_create(blocker=alice, blocked=bob)
    block_create(blocker=bob, blocked=alicia)
    moderation_ban(moderator=moderator, user_id=albert.pk, reason="spam")
    client.force_login(bob)
    assert _people(_search(client, "al")[1]) == []
    client.logout()
    assert _people(_search(client, "al")[1]) == ["alice", "alicia"]


@pytest.mark.django_db
def test_posts_are_found_by_meaning(client: Client, alice: User) -> None:
    dog = published(alice, "a golden retriever running on the beach at sunset")
    boat = published(alice, "a paper boat drifting down a rainy street")
    city = published(alice, "a neon city at night with cars")
    for post in (dog, boat, city):
        post_features_update(post_id=post.pk)
    assert _videos(_search(client, "dog playing by the sea")[1]) == [dog.pk]
    assert _videos(_search(client, "boat in the rain")[1]) == [boat.pk]
    status, html = _search(client, "music video")
    assert status == 200 and _videos(html) == [] and "No videos like “music video” yet." in html


@pytest.mark.django_db
def test_a_post_without_features_yet_is_found_by_its_words(client: Client, alice: User) -> None:
    post = published(alice, "a sunflower field in the wind", caption="Sunflower festival")
    assert _videos(_search(client, "sunflower")[1]) == [post.pk]


@pytest.mark.django_db
def test_search_leaves_out_posts_the_viewer_cannot_see(
    client: Client, alice: User, bob: User
) -> None:
    post = published(alice, "a golden retriever running on the beach")
    post_features_update(post_id=post.pk)
    block_create(blocker=alice, blocked=bob)
    client.force_login(bob)
    assert _videos(_search(client, "golden retriever")[1]) == []


@pytest.mark.django_db
def test_a_search_reads_no_embeddings_from_the_database(client: Client, alice: User) -> None:
    """Post vectors come from the candidate pool this process already holds for For you."""
    dog = published(alice, "a golden retriever running on the beach at sunset")
    post_features_update(post_id=dog.pk)
    assert _videos(_search(client, "dog playing by the sea")[1]) == [dog.pk]  # the pool is read
    with CaptureQueriesContext(connection) as queries:
        assert _videos(_search(client, "a dog on the sand")[1]) == [dog.pk]
    assert not [q for q in queries.captured_queries if "embedding" in q["sql"]]


@pytest.mark.django_db
def test_the_closest_video_hidden_from_the_viewer_makes_way_for_the_next(
    client: Client, alice: User, bob: User
) -> None:
    closest = published(alice, "a golden retriever running on the beach at sunset")
    carol = make_user("carol")
    next_closest = published(carol, "a dog playing in the waves by the sea")
    for post in (closest, next_closest):
        post_features_update(post_id=post.pk)
    block_create(blocker=alice, blocked=bob)
    client.force_login(bob)
    # One post checked at a time: the first check finds only what bob may not see.
    with mock.patch("feed.selectors.social.SEARCH_CHECKED", 1):
        found = _videos(_search(client, "a golden retriever running on the beach at sunset")[1])
    assert found == [next_closest.pk]


@pytest.mark.django_db
def test_an_empty_search_explains_what_it_finds(client: Client) -> None:
    status, html = _search(client, "")
    assert status == 200 and "Find people by their @handle, or describe a video" in html


@pytest.mark.django_db
def test_a_huge_search_gets_a_sentence(client: Client) -> None:
    status, html = _search(client, "x" * 100_000)
    assert status == 400
    assert "That search is 100,000 characters long. Keep it under 200 and try again." in html


@pytest.mark.django_db
def test_script_in_a_search_shows_as_text(client: Client) -> None:
    response = client.get(SEARCH, {"q": "<script>alert(1)</script>"})
    raw = response.content.decode()
    assert "<script>alert(1)" not in raw and "&lt;script&gt;alert(1)&lt;/script&gt;" in raw


@pytest.mark.django_db
def test_searches_are_rate_limited(client: Client, alice: User) -> None:
    with override_settings(SORA_RATE_LIMITS={**settings.SORA_RATE_LIMITS, "search": "2/m"}):
        for _ in range(2):
            assert _search(client, "alice")[0] == 200
        status, html = _search(client, "alice")
    assert status == 429 and "Too many searches in a short time. Try again in" in html
    assert 'data-testid="people"' not in html


@pytest.mark.django_db
def test_search_refuses_post(client: Client) -> None:
    assert client.post(SEARCH, {"q": "x"}).status_code == 405


@pytest.mark.django_db
def test_every_page_has_the_search_box(client: Client, alice: User) -> None:
    client.force_login(alice)
    page = client.get(reverse("feed:messages")).content.decode()
    assert '<form method="get" action="/search/" class="topsearch" role="search">' in page
    assert 'name="q"' in page and 'aria-label="Search people and videos"' in page
