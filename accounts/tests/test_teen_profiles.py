"""A teen's profile by its address: closed, like a handle nobody holds, to the adults and visitors
who can't find the teen in search; open to mutuals, other teens, the linked parent and the teen.
The teen's posts reach adults only as ``accounts.selectors.visibility`` says; where a parent opened
them to everyone, a stranger sees them with the teen's handle unlinked."""

from __future__ import annotations

import datetime as dt
import html
import zoneinfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Block, Follow, User
from accounts.services.teens import (
    parent_link_accept,
    parent_link_code_create,
    teen_settings_update_by_parent,
)
from accounts.services.users import follow_create, user_signup
from conftest import PASSWORD, make_user
from feed.services.steering import feed_mode_set
from feed.tests.social_helpers import login, published

pytestmark = pytest.mark.django_db


def _profile(client: Client, username: str = "tess") -> tuple[int, str]:
    response = client.get(reverse("profile", args=[username]))
    return response.status_code, html.unescape(response.content.decode())


def _act(client: Client, action: str, username: str = "tess") -> tuple[int, str]:
    url = reverse("accounts:relation", args=[username, action])
    response = client.post(url, follow=True)
    return response.status_code, html.unescape(response.content.decode())


def test_an_adult_stranger_gets_the_same_404_as_for_a_handle_nobody_holds(
    teen: User, alice: User
) -> None:
    status, page = _profile(login(alice))
    missing_status, missing_page = _profile(login(alice), "nobody_by_this_name")
    assert status == missing_status == 404
    assert page == missing_page.replace("nobody_by_this_name", "tess")
    assert "@tess" not in page


def test_a_visitor_gets_the_same_404_as_an_adult_stranger(teen: User) -> None:
    status, page = _profile(Client())
    assert status == 404 and "@tess" not in page


@pytest.mark.parametrize("who", ["mutual", "other_teen", "parent", "self"])
def test_people_who_can_find_a_teen_can_open_their_profile(
    teen: User, alice: User, parent: User, who: str
) -> None:
    follow_create(follower=alice, followee=teen)
    follow_create(follower=teen, followee=alice)
    parent_link_accept(teen=teen, code=parent_link_code_create(parent=parent).code)
    viewer = {
        "mutual": alice, "other_teen": make_user("tom", age=16), "parent": parent, "self": teen,
    }[who]  # fmt: skip
    status, page = _profile(login(viewer))
    assert status == 200 and "<h1>@tess</h1>" in page


def test_following_an_adult_opens_the_teens_profile_to_them_to_follow_back(
    teen: User, alice: User
) -> None:
    follow_create(follower=teen, followee=alice)
    client = login(alice)
    status, page = _profile(client)
    assert status == 200 and "Follow back" in page
    status, page = _act(client, "follow")
    assert status == 200 and "You follow @tess." in page and "Following · mutual" in page
    assert Follow.objects.filter(follower=alice, followee=teen).exists()


def test_an_adult_stranger_cannot_follow_a_teen_by_address_and_nothing_is_written(
    teen: User, alice: User
) -> None:
    for action in ("follow", "mute", "block"):
        assert _act(login(alice), action)[0] == 404
    assert not Follow.objects.exists() and not Block.objects.exists()


def test_the_follow_button_refuses_get(teen: User, alice: User) -> None:
    follow_create(follower=teen, followee=alice)
    response = login(alice).get(reverse("accounts:relation", args=["tess", "follow"]))
    assert response.status_code == 405
    assert not Follow.objects.filter(follower=alice).exists()


def test_a_visitor_following_a_teen_is_sent_to_log_in(teen: User) -> None:
    response = Client().post(reverse("accounts:relation", args=["tess", "follow"]))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert not Follow.objects.exists()


def test_an_adult_who_blocked_a_teen_can_still_unblock_them(teen: User, alice: User) -> None:
    follow_create(follower=alice, followee=teen)
    follow_create(follower=teen, followee=alice)
    client = login(alice)
    status, page = _act(client, "block")
    assert status == 200 and "You blocked @tess." in page and "Unblock" in page
    assert not Follow.objects.exists()  # a block ends both follows, so no longer mutuals
    status, page = _act(client, "unblock")
    assert status == 200 and "You unblocked @tess." in page
    assert not Block.objects.exists()
    assert _profile(client)[0] == 404  # closed again: back on the feed, not on a 404


def test_an_adult_can_unfollow_a_teen_whose_profile_has_closed_to_them(
    teen: User, alice: User
) -> None:
    follow_create(follower=alice, followee=teen)
    follow_create(follower=teen, followee=alice)
    Follow.objects.filter(follower=teen).delete()  # the teen unfollowed
    client = login(alice)
    assert _profile(client)[0] == 404
    status, page = _act(client, "unfollow")
    assert status == 200 and "You no longer follow @tess." in page
    assert not Follow.objects.exists()


def _open_videos_to_everyone(teen: User, parent: User) -> None:
    link = parent_link_accept(teen=teen, code=parent_link_code_create(parent=parent).code)
    teen_settings_update_by_parent(parent=parent, link_id=link.pk, videos_seen_by="everyone")


def test_a_teens_posts_reach_an_adult_stranger_only_once_a_parent_opens_them(
    teen: User, alice: User, parent: User
) -> None:
    post = published(teen, caption="my first skate video")
    feed_mode_set(user=alice, mode="latest")
    client = login(alice)
    assert client.get(reverse("feed:post", args=[post.pk])).status_code == 404
    assert f'data-post="{post.pk}"' not in client.get(reverse("feed:index")).content.decode()
    _open_videos_to_everyone(teen, parent)
    assert client.get(reverse("feed:post", args=[post.pk])).status_code == 200
    assert f'data-post="{post.pk}"' in client.get(reverse("feed:index")).content.decode()
    assert _profile(client)[0] == 404  # the profile stays closed


def test_where_a_teens_profile_is_closed_their_handle_shows_without_a_link(
    teen: User, alice: User, bob: User, parent: User
) -> None:
    from feed.services.social import comment_create

    _open_videos_to_everyone(teen, parent)
    post = published(teen, caption="my first skate video")
    comment_create(author=teen, post_id=post.pk, text="thanks for watching")
    follow_create(follower=teen, followee=bob)  # teens take comments from people they follow
    comment_create(author=bob, post_id=post.pk, text="great jump")
    feed_mode_set(user=alice, mode="latest")
    client = login(alice)
    profile = reverse("profile", args=["tess"])
    feed = client.get(reverse("feed:index")).content.decode()
    page = client.get(reverse("feed:post", args=[post.pk])).content.decode()
    assert f'data-post="{post.pk}"' in feed and "@tess" in feed
    assert f'href="{profile}"' not in feed
    assert "@tess" in page and "thanks for watching" in page
    assert f'href="{profile}"' not in page
    assert f'href="{reverse("profile", args=["bob"])}"' in page  # adults stay linked


def test_a_mutual_sees_the_teens_handle_linked_everywhere(teen: User, alice: User) -> None:
    from feed.services.social import comment_create

    follow_create(follower=alice, followee=teen)
    follow_create(follower=teen, followee=alice)
    post = published(teen, caption="my first skate video")
    comment_create(author=teen, post_id=post.pk, text="thanks for watching")
    feed_mode_set(user=alice, mode="latest")
    client = login(alice)
    profile = f'href="{reverse("profile", args=["tess"])}"'
    assert profile in client.get(reverse("feed:index")).content.decode()
    assert client.get(reverse("feed:post", args=[post.pk])).content.decode().count(profile) == 2


def test_the_profile_opens_to_everyone_on_the_18th_birthday_in_their_timezone(
    alice: User,
) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    nearly = user_signup(
        username="nearly", email="nearly@example.com", password=PASSWORD,
        birthdate=tomorrow.replace(year=tomorrow.year - 18), time_zone="Asia/Tokyo",
    )  # fmt: skip
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    eve = dt.datetime.combine(tomorrow - dt.timedelta(days=1), dt.time(21, 0), tzinfo=tokyo)
    with time_machine.travel(eve, tick=False):
        assert _profile(login(alice), "nearly")[0] == 404
        assert _profile(Client(), "nearly")[0] == 404
    # Just past midnight in Tokyo on the birthday, before the daily command has run.
    birthday = dt.datetime.combine(tomorrow, dt.time(0, 5), tzinfo=tokyo)
    with time_machine.travel(birthday, tick=False):
        assert User.objects.get(pk=nearly.pk).is_teen
        status, page = _profile(login(alice), "nearly")
        assert status == 200 and "<h1>@nearly</h1>" in page
        assert _profile(Client(), "nearly")[0] == 200
