"""A teen's videos reach the people the teen follows (mutuals among them), their linked parent,
themselves and other teens, and no one else: not adult strangers, not adults who merely follow
the teen, not visitors. That holds in For you, Latest, search, the profile, the post page, the
share page, remixes, comments and the video files. A linked parent can open them to everyone, and
at 18 the person chooses for themselves."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models.signals import post_save
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification, ParentChange, ParentLink, TeenSettings, User
from accounts.services.teens import (
    parent_link_accept,
    parent_link_code_create,
    teen_birthday_check,
    teen_settings_tighten,
    teen_settings_update_by_parent,
    videos_audience_choose,
)
from accounts.services.users import follow_create, user_signup
from conftest import PASSWORD, make_user
from feed.models import Post
from feed.selectors import posts as feed_posts
from feed.tests.feed_helpers import quiet_hours_around_now, shown
from feed.tests.social_helpers import published
from generation.selectors import media_visible_to

pytestmark = pytest.mark.django_db

PROMPT = "a purple kite over the dunes"
SEEN_BY = ("alice", "bob", "pat", "tess", "tom")  # mutual, followed, parent, self, another teen
NOT_SEEN_BY = ("charlie", "dave", None)  # stranger, follower the teen doesn't follow, visitor


@pytest.fixture
def world(teen: User, alice: User, bob: User, charlie: User, parent: User) -> dict[str, Any]:
    """tess (15) and alice follow each other; tess follows bob; dave follows tess, who doesn't
    follow back; pat is tess's linked parent; tom is another teen; charlie knows nobody."""
    dave = make_user("dave")
    tom = make_user("tom", age=16)
    follow_create(follower=teen, followee=alice)
    follow_create(follower=alice, followee=teen)
    follow_create(follower=teen, followee=bob)
    follow_create(follower=dave, followee=teen)
    link = parent_link_accept(teen=teen, code=parent_link_code_create(parent=parent).code)
    olive = make_user("olive")
    for young in (teen, tom):  # the teens' feeds are open whatever the hour
        quiet_hours_around_now(young, now_inside=False)
    people = {u.username: u for u in (teen, alice, bob, charlie, parent, dave, tom, olive)}
    return {
        "people": people,
        "link": link,
        "adult_post": published(olive, "a purple kite over the sea"),
        "teen_post": published(teen, PROMPT),
    }


def _client(world: dict[str, Any], name: str | None) -> Client:
    client = Client()
    if name is not None:
        client.force_login(world["people"][name])
    return client


def _video_name(post: Post) -> str:
    """The stored name of the post's video, as the renderer names it (public id first)."""
    return f"videos/{post.job.public_id}-clip.mp4"


def _latest(client: Client) -> list[int]:
    client.post(reverse("feed:mode"), {"mode": "latest"})
    return shown(client.get(reverse("feed:index")).content.decode())


def _searched(client: Client, query: str = "purple kite") -> str:
    page = client.get(reverse("feed:search"), {"q": query}).content.decode()
    return page.split('data-testid="videos"', 1)[1]


# --- Who sees it, everywhere ----------------------------------------------------------------


@pytest.mark.parametrize("name", NOT_SEEN_BY)
def test_strangers_followers_and_visitors_never_see_a_teens_video(
    world: dict[str, Any], name: str | None
) -> None:
    client, post = _client(world, name), world["teen_post"]
    assert post.pk not in _latest(client)
    assert world["adult_post"].pk in _latest(client)
    assert f'data-post="{post.pk}"' not in _searched(client)
    assert f'data-post="{world["adult_post"].pk}"' in _searched(client)
    assert client.get(reverse("feed:post", args=[post.pk])).status_code == 404
    assert client.get(reverse("profile", args=["tess"])).status_code == 404
    share = client.get(reverse("record", args=[post.job.public_id]))
    assert share.status_code == 200  # the record's note, never a redirect to the post
    assert "isn't public" in html.unescape(share.content.decode())
    viewer = world["people"][name] if name else None
    assert not media_visible_to(user=viewer, name=_video_name(post))


@pytest.mark.parametrize("name", SEEN_BY)
def test_the_people_the_teen_follows_their_parent_themselves_and_teens_see_it(
    world: dict[str, Any], name: str
) -> None:
    client, post = _client(world, name), world["teen_post"]
    assert post.pk in _latest(client)
    assert f'data-post="{post.pk}"' in _searched(client)
    page = client.get(reverse("feed:post", args=[post.pk]))
    assert page.status_code == 200 and PROMPT in page.content.decode()
    share = client.get(reverse("record", args=[post.job.public_id]))
    assert share.status_code == 302 and share["Location"] == reverse("feed:post", args=[post.pk])
    assert media_visible_to(user=world["people"][name], name=_video_name(post))


def test_the_profile_lists_the_video_to_someone_the_teen_follows(world: dict[str, Any]) -> None:
    page = _client(world, "bob").get(reverse("profile", args=["tess"])).content.decode()
    assert f'href="/p/{world["teen_post"].pk}/"' in page


@pytest.mark.parametrize("name", ["charlie", "dave"])
def test_for_you_leaves_a_teens_video_out_for_adult_strangers(
    world: dict[str, Any], name: str, fresh_pool: None
) -> None:
    ids = shown(_client(world, name).get(reverse("feed:index")).content.decode())
    assert world["adult_post"].pk in ids
    assert world["teen_post"].pk not in ids


@pytest.mark.parametrize("name", ["alice", "bob", "pat"])
def test_for_you_shows_a_teens_video_to_people_they_follow_and_their_parent(
    world: dict[str, Any], name: str, fresh_pool: None
) -> None:
    ids = shown(_client(world, name).get(reverse("feed:index")).content.decode())
    assert world["teen_post"].pk in ids


def test_for_you_costs_the_same_queries_however_many_teen_videos_are_in_the_pool(
    world: dict[str, Any], fresh_pool: None
) -> None:
    client = _client(world, "charlie")
    client.get(reverse("feed:index"))  # warm: compiled statements, the pool

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("feed:index"))
        return len(queries.captured_queries)

    before = count()
    for n in range(6):
        published(world["people"]["tess"], f"{PROMPT}, take {n}")
    client.get(reverse("feed:index"))
    assert count() == before


def test_remixing_or_commenting_on_a_hidden_video_is_a_404_and_writes_nothing(
    world: dict[str, Any],
) -> None:
    post, client = world["teen_post"], _client(world, "charlie")
    assert client.get(reverse("feed:remix", args=[post.pk])).status_code == 404
    response = client.post(reverse("feed:comment_create", args=[post.pk]), {"text": "hi"})
    assert response.status_code == 404
    assert not post.comments.exists()
    created = client.get(reverse("generation:create"), {"remix_of_id": post.pk})
    assert PROMPT not in created.content.decode()


def test_a_hidden_video_is_a_404_like_a_missing_one(world: dict[str, Any]) -> None:
    client = _client(world, "charlie")
    hidden = client.get(reverse("feed:post", args=[world["teen_post"].pk]))
    missing = client.get(reverse("feed:post", args=[Post.objects.order_by("-pk")[0].pk + 100]))
    assert hidden.status_code == missing.status_code == 404


def test_following_a_teen_does_not_open_their_videos_until_the_teen_follows_back(
    world: dict[str, Any],
) -> None:
    client, post = _client(world, "dave"), world["teen_post"]
    assert client.get(reverse("feed:post", args=[post.pk])).status_code == 404
    follow_create(follower=world["people"]["tess"], followee=world["people"]["dave"])
    assert client.get(reverse("feed:post", args=[post.pk])).status_code == 200


# --- A parent opens them to everyone ----------------------------------------------------------


FAMILY_FORM = {
    "daily_limit_minutes": "60", "quiet_start": "22:00", "quiet_end": "07:00",
    "cameo_cap": "only_me", "comments_from": "following", "remixes_from": "following",
}  # fmt: skip


def test_a_parent_opens_the_videos_to_everyone_and_the_teen_is_told(
    world: dict[str, Any],
) -> None:
    post, link = world["teen_post"], world["link"]
    row = TeenSettings.objects.get(user=link.teen)
    quiet = {f: getattr(row, f).strftime("%H:%M") for f in ("quiet_start", "quiet_end")}
    response = _client(world, "pat").post(
        reverse("accounts:family_settings", args=[link.pk]),
        {**FAMILY_FORM, **quiet, "videos_seen_by": "everyone"},
    )
    assert response.status_code == 302
    assert TeenSettings.objects.get(user=link.teen).videos_seen_by == "everyone"
    assert post.pk in _latest(_client(world, "charlie"))
    assert _client(world, None).get(reverse("feed:post", args=[post.pk])).status_code == 200
    change = ParentChange.objects.get(teen=link.teen, field="videos_seen_by")
    assert (change.old_value, change.new_value) == (
        "People the teen follows, and other teens",
        "Everyone",
    )
    told = Notification.objects.filter(recipient=link.teen, kind="parent_change").first()
    assert told.text == (
        "@pat changed your settings: Who can see your videos People the teen follows, and "
        "other teens → Everyone."
    )
    teen_page = html.unescape(_client(world, "tess").get("/accounts/teen/").content.decode())
    assert "<strong>Who can see your videos</strong>: People the teen follows" in teen_page


def test_the_family_page_offers_the_choice_recommending_the_narrow_one(
    world: dict[str, Any],
) -> None:
    page = html.unescape(_client(world, "pat").get("/accounts/family/").content.decode())
    assert "Who can see the videos" in page
    assert "People the teen follows, and other teens (recommended)" in page


def test_a_teen_cannot_open_their_own_videos_to_everyone_and_nothing_is_written(
    world: dict[str, Any],
) -> None:
    teen = world["people"]["tess"]
    with pytest.raises(ValidationError) as refused:
        teen_settings_tighten(teen=teen, videos_seen_by="everyone")
    assert refused.value.message_dict["videos_seen_by"] == [
        "You can narrow who can see your videos, but only a parent can widen it."
    ]
    assert TeenSettings.objects.get(user=teen).videos_seen_by == "following"


def test_a_teen_can_narrow_them_again_after_a_parent_widened_them(world: dict[str, Any]) -> None:
    teen, link = world["people"]["tess"], world["link"]
    teen_settings_update_by_parent(parent=link.parent, link_id=link.pk, videos_seen_by="everyone")
    teen_settings_tighten(teen=teen, videos_seen_by="following")
    assert world["teen_post"].pk not in _latest(_client(world, "charlie"))


def test_for_you_follows_a_parent_widening_the_videos_on_the_next_page(
    world: dict[str, Any], fresh_pool: None
) -> None:
    link, charlie = world["link"], _client(world, "charlie")
    assert world["teen_post"].pk not in shown(charlie.get(reverse("feed:index")).content.decode())
    teen_settings_update_by_parent(parent=link.parent, link_id=link.pk, videos_seen_by="everyone")
    assert world["teen_post"].pk in shown(charlie.get(reverse("feed:index")).content.decode())


def test_for_you_keeps_a_narrowed_teens_video_out_even_where_the_ranking_has_not_heard(
    world: dict[str, Any], fresh_pool: None
) -> None:
    """Another server process still ranks with who was open before the teen narrowed it (it
    reads that once per pool): the page's own query keeps the video out all the same."""
    teen, link, charlie = world["people"]["tess"], world["link"], _client(world, "charlie")
    teen_settings_update_by_parent(parent=link.parent, link_id=link.pk, videos_seen_by="everyone")
    assert world["teen_post"].pk in shown(charlie.get(reverse("feed:index")).content.decode())
    # As in a process that did not save the change: the ranking still counts the teen as open.
    post_save.disconnect(dispatch_uid="feed-kept-settings", sender=TeenSettings)
    try:
        teen_settings_tighten(teen=teen, videos_seen_by="following")
    finally:
        post_save.connect(
            feed_posts.kept_authors_changed, sender=TeenSettings, dispatch_uid="feed-kept-settings"
        )
    assert feed_posts._kept is not None and teen.pk not in feed_posts._kept.authors
    page = charlie.get(reverse("feed:index")).content.decode()
    assert world["teen_post"].pk not in shown(page)
    assert world["teen_post"].pk not in _latest(charlie)


def test_a_bad_choice_from_a_parent_is_a_sentence_and_nothing_is_written(
    world: dict[str, Any],
) -> None:
    link = world["link"]
    response = _client(world, "pat").post(
        reverse("accounts:family_settings", args=[link.pk]),
        {**FAMILY_FORM, "videos_seen_by": "the whole internet"},
    )
    assert response.status_code == 400
    assert "Choose who can see the videos from the list." in html.unescape(
        response.content.decode()
    )
    assert TeenSettings.objects.get(user=link.teen).videos_seen_by == "following"


# --- Turning 18 -------------------------------------------------------------------------------


def _nearly_18(username: str = "nearly") -> User:
    birthday = timezone.localdate() + dt.timedelta(days=1)
    try:
        birthdate = birthday.replace(year=birthday.year - 18)
    except ValueError:  # 29 February
        birthdate = dt.date(birthday.year - 18, 3, 1)
    return user_signup(
        username=username, email=f"{username}@example.com", password=PASSWORD,
        birthdate=birthdate, time_zone="UTC",
    )  # fmt: skip


def _birthday() -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(12, 0), tzinfo=dt.UTC)


def test_at_18_the_videos_stay_with_people_they_follow_until_they_choose(
    charlie: User,
) -> None:
    nearly = _nearly_18()
    post = published(nearly, PROMPT)
    assert teen_birthday_check(user=nearly, now=_birthday())
    nearly.refresh_from_db()
    assert not nearly.is_teen
    stranger = Client()
    stranger.force_login(charlie)
    assert stranger.get(reverse("feed:post", args=[post.pk])).status_code == 404
    profile = stranger.get(reverse("profile", args=["nearly"]))
    assert profile.status_code == 200
    assert f'href="/p/{post.pk}/"' not in profile.content.decode()
    told = Notification.objects.get(recipient=nearly, kind="video_audience")
    assert told.text == (
        "You're 18 now. Your videos still reach only people you follow and teens until you "
        "choose who can see them."
    )
    assert told.url == "/accounts/teen/#videos"


def test_at_18_the_settings_page_offers_the_choice_and_everyone_opens_them(
    charlie: User,
) -> None:
    nearly = _nearly_18()
    post = published(nearly, PROMPT)
    teen_birthday_check(user=nearly, now=_birthday())
    client = Client()
    client.force_login(nearly)
    page = html.unescape(client.get("/accounts/teen/").content.decode())
    assert 'id="videos"' in page and "Who can see your videos" in page
    assert "That stays until you choose otherwise here." in page
    response = client.post(reverse("accounts:videos_audience"), {"videos_seen_by": "everyone"})
    assert response.status_code == 302
    assert TeenSettings.objects.get(user=nearly).videos_seen_by == "everyone"
    assert Client().get(reverse("feed:post", args=[post.pk])).status_code == 200
    page = html.unescape(client.get("/accounts/teen/").content.decode())
    assert "Everyone can see your videos." in page


def test_choosing_at_18_refuses_get_visitors_bad_input_and_people_who_were_never_teens(
    alice: User,
) -> None:
    url = reverse("accounts:videos_audience")
    nearly = _nearly_18()
    teen_birthday_check(user=nearly, now=_birthday())
    nearly.refresh_from_db()
    client = Client()
    client.force_login(nearly)
    assert client.get(url).status_code == 405
    bad = client.post(url, {"videos_seen_by": "martians"})
    assert bad.status_code == 400
    assert "Choose who can see your videos from the list." in html.unescape(bad.content.decode())
    visitor = Client().post(url, {"videos_seen_by": "everyone"})
    assert visitor.status_code == 302 and "/accounts/login/" in visitor["Location"]
    assert TeenSettings.objects.get(user=nearly).videos_seen_by == "following"
    with pytest.raises(ValidationError) as refused:
        videos_audience_choose(user=alice, audience="following")
    assert refused.value.messages == [
        "Your videos are already shown to everyone who can see them here; there is nothing to "
        "choose."
    ]
    assert not TeenSettings.objects.filter(user=alice).exists()


def test_a_teen_cannot_use_the_18_choice_to_open_their_videos(teen: User) -> None:
    with pytest.raises(ValidationError) as refused:
        videos_audience_choose(user=teen, audience="everyone")
    assert refused.value.messages == [
        "You can narrow who can see your videos, but only a parent can widen it."
    ]
    assert TeenSettings.objects.get(user=teen).videos_seen_by == "following"


def test_a_linked_parent_link_ended_no_longer_sees(world: dict[str, Any]) -> None:
    link: ParentLink = world["link"]
    from accounts.services.teens import parent_link_end

    parent_link_end(parent=link.parent, link_id=link.pk)
    client = _client(world, "pat")
    assert client.get(reverse("feed:post", args=[world["teen_post"].pk])).status_code == 404
