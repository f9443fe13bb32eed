"""Follow, block and mute from a profile, and what each one changes for both people."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Block, Follow, Mute, Notification, User
from accounts.selectors.people import hidden_author_ids


def _login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _act(client: Client, username: str, action: str) -> str:
    url = reverse("accounts:relation", args=[username, action])
    return client.post(url, follow=True).content.decode()


@pytest.mark.django_db
def test_following_back_makes_a_mutual_and_the_profile_says_so(alice: User, bob: User) -> None:
    assert "You follow @bob." in _act(_login(alice), "bob", "follow")
    page = _act(_login(bob), "alice", "follow")
    assert "You follow @alice." in page and "Following · mutual" in page
    assert "1 follower · 1 following" in page
    _act(_login(alice), "bob", "unfollow")
    assert not Follow.objects.filter(follower=alice, followee=bob).exists()


@pytest.mark.django_db
def test_a_blocked_person_cannot_see_the_blockers_profile(alice: User, bob: User) -> None:
    _act(_login(bob), "alice", "follow")
    page = _act(_login(alice), "bob", "block")
    assert "You blocked @bob." in page and "Unblock" in page
    assert not Follow.objects.exists()
    assert _login(bob).get(reverse("profile", args=["alice"])).status_code == 404
    assert (
        _login(bob).post(reverse("accounts:relation", args=["alice", "follow"])).status_code == 404
    )
    assert not Follow.objects.exists()
    assert hidden_author_ids(viewer=alice) == {bob.pk}
    assert hidden_author_ids(viewer=bob) == {alice.pk}
    _act(_login(alice), "bob", "unblock")
    assert not Block.objects.exists()
    assert _login(bob).get(reverse("profile", args=["alice"])).status_code == 200


@pytest.mark.django_db
def test_muting_hides_someone_without_telling_them(alice: User, bob: User) -> None:
    page = _act(_login(alice), "bob", "mute")
    assert "You muted @bob." in page and "Unmute" in page
    assert Mute.objects.filter(muter=alice, muted=bob).exists()
    assert hidden_author_ids(viewer=alice) == {bob.pk}
    assert hidden_author_ids(viewer=bob) == set()
    assert not Notification.objects.filter(recipient=bob).exists()
    assert "Mute (hide" in _act(_login(alice), "bob", "unmute")


@pytest.mark.django_db
def test_relation_actions_need_a_post_a_login_and_a_real_action(alice: User, bob: User) -> None:
    url = reverse("accounts:relation", args=["bob", "follow"])
    assert _login(alice).get(url).status_code == 405
    anonymous = Client().post(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    bad = reverse("accounts:relation", args=["bob", "delete"])
    assert _login(alice).post(bad).status_code == 404
    assert "You can&#x27;t follow yourself." in _act(_login(alice), "alice", "follow")
    assert not Follow.objects.exists()


@pytest.mark.django_db
def test_blocks_and_mutes_take_posts_out_of_the_feed(
    alice: User, bob: User, charlie: User, rendered: Any
) -> None:
    from feed.models import Post
    from feed.selectors.posts import feed_latest
    from feed.services.posts import post_publish

    post = post_publish(user=bob, job_id=rendered(bob, "a lighthouse at dawn", seed=3).pk)
    assert [p.pk for p in feed_latest(viewer=alice)] == [post.pk]
    _act(_login(alice), "bob", "mute")
    assert feed_latest(viewer=alice) == []
    assert _login(alice).get(reverse("feed:post", args=[post.pk])).status_code == 200
    _act(_login(charlie), "bob", "block")
    assert feed_latest(viewer=charlie) == []
    assert _login(charlie).get(reverse("feed:post", args=[post.pk])).status_code == 404
    assert _login(bob).get(reverse("feed:post", args=[post.pk])).status_code == 200
    assert [p.pk for p in feed_latest(viewer=bob)] == [post.pk] and Post.objects.count() == 1
