"""Who may comment on and remix a teen's videos: by default only the people the teen follows.
A linked parent may open it to everyone; the teen may close it further, never open it.

An adult stranger sees a teen's videos only once a parent opened them to everyone
(``accounts.selectors.visibility``), so the tests of a stranger at the comment box start there."""

from __future__ import annotations

import datetime as dt
from html import unescape

import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification, ParentChange, ParentLink, TeenSettings, User
from accounts.services.teens import (
    parent_link_accept,
    parent_link_code_create,
    teen_settings_update_by_parent,
)
from accounts.services.users import follow_create, user_signup
from conftest import PASSWORD, make_user
from feed.models import Comment, Post
from feed.tests.social_helpers import login, published
from generation.models import GenerationJob

FOLLOWING_ONLY = "@tess only takes comments from people they follow."
REMIX_FOLLOWING_ONLY = "@tess only lets people they follow remix their videos."


def _comment_url(post: Post) -> str:
    return reverse("feed:comment_create", args=[post.pk])


def _comment_as(user: User, post: Post, text: str = "love this") -> tuple[int, str]:
    response = login(user).post(_comment_url(post), {"text": text})
    return response.status_code, unescape(response.content.decode())


def _remix_as(user: User, post: Post) -> str:
    response = login(user).post(
        reverse("generation:create"),
        {"prompt": "a paper boat in a storm", "duration_s": "4", "aspect": "9:16",
         "seed": str(post.job.seed), "remix_of_id": str(post.pk)},
    )  # fmt: skip
    return unescape(response.content.decode())


def _linked(parent: User, teen: User) -> ParentLink:
    return parent_link_accept(teen=teen, code=parent_link_code_create(parent=parent).code)


def _seen_by_everyone(teen: User, parent: User | None = None) -> None:
    """A linked parent lets everyone see the teen's videos; comments and remixes keep their own
    settings."""
    parent = parent or make_user("pat", age=45)
    link = _linked(parent, teen)
    teen_settings_update_by_parent(parent=parent, link_id=link.pk, videos_seen_by="everyone")


def _settings_form(row: TeenSettings, **change: str) -> dict[str, str]:
    return {
        "daily_limit_minutes": str(row.daily_limit_minutes),
        "quiet_start": row.quiet_start.strftime("%H:%M"),
        "quiet_end": row.quiet_end.strftime("%H:%M"),
        "cameo_cap": row.cameo_cap,
        "comments_from": row.comments_from,
        "remixes_from": row.remixes_from,
        **({"dms_enabled": "on"} if row.dms_enabled else {}),
        **({"personalised": "on"} if row.personalised else {}),
    } | change


# --- Comments -----------------------------------------------------------------------------------


def test_it_starts_teen_accounts_on_comments_and_remixes_from_people_they_follow(
    teen: User,
) -> None:
    row = TeenSettings.objects.get(user=teen)
    assert (row.comments_from, row.remixes_from) == ("following", "following")
    page = unescape(login(teen).get(reverse("accounts:teen")).content.decode())
    assert "Who may comment on your videos</dt><dd>Only people the teen follows" in page
    assert "Who may remix your videos</dt><dd>Only people the teen follows" in page


def test_it_refuses_a_strangers_comment_on_a_teens_video_and_tells_nobody(
    teen: User, charlie: User
) -> None:
    _seen_by_everyone(teen)
    post = published(teen)
    status, page = _comment_as(charlie, post)
    assert status == 400 and FOLLOWING_ONLY in page
    assert not Comment.objects.exists()
    assert Post.objects.get(pk=post.pk).comment_count == 0
    assert not Notification.objects.filter(recipient=teen, kind="comment").exists()


def test_it_lets_someone_the_teen_follows_comment_and_tells_the_teen(
    teen: User, alice: User
) -> None:
    post = published(teen)
    follow_create(follower=teen, followee=alice)
    status, _ = _comment_as(alice, post)
    assert status == 302
    assert list(Comment.objects.values_list("author__username", flat=True)) == ["alice"]
    note = Notification.objects.get(recipient=teen, kind="comment")
    assert note.text == "@alice commented on your video: “love this”"


def test_it_does_not_count_following_the_teen_as_being_followed_by_them(
    teen: User, charlie: User
) -> None:
    _seen_by_everyone(teen)
    post = published(teen)
    follow_create(follower=charlie, followee=teen)
    status, page = _comment_as(charlie, post)
    assert status == 400 and FOLLOWING_ONLY in page
    assert not Comment.objects.exists()


def test_it_shows_the_sentence_where_the_comment_box_would_be(
    teen: User, alice: User, charlie: User
) -> None:
    _seen_by_everyone(teen)
    post = published(teen)
    follow_create(follower=teen, followee=alice)
    stranger = unescape(login(charlie).get(reverse("feed:post", args=[post.pk])).content.decode())
    assert f'data-testid="comment-refusal">{FOLLOWING_ONLY}</p>' in stranger
    assert 'id="comment-form"' not in stranger
    followed = login(alice).get(reverse("feed:post", args=[post.pk])).content.decode()
    assert 'id="comment-form"' in followed and FOLLOWING_ONLY not in unescape(followed)


# --- Remixes ------------------------------------------------------------------------------------


def test_it_refuses_a_strangers_remix_of_a_teens_video(teen: User, charlie: User) -> None:
    _seen_by_everyone(teen)
    post = published(teen)
    assert REMIX_FOLLOWING_ONLY in _remix_as(charlie, post)
    assert not GenerationJob.objects.filter(creator=charlie).exists()


def test_it_lets_someone_the_teen_follows_remix(teen: User, alice: User) -> None:
    post = published(teen)
    follow_create(follower=teen, followee=alice)
    _remix_as(alice, post)
    assert GenerationJob.objects.get(creator=alice).remix_of_id == post.pk


def test_it_offers_no_remix_button_to_a_stranger_on_the_post_or_the_feed(
    teen: User, alice: User, charlie: User
) -> None:
    _seen_by_everyone(teen)
    post = published(teen)
    follow_create(follower=teen, followee=alice)
    remix_link = f'href="/p/{post.pk}/remix/" class="remix-link"'
    create_link = f"remix_of_id={post.pk}"
    stranger = login(charlie)
    assert create_link not in stranger.get(reverse("feed:post", args=[post.pk])).content.decode()
    assert remix_link not in stranger.get("/?mode=latest").content.decode()
    followed = login(alice)
    assert create_link in followed.get(reverse("feed:post", args=[post.pk])).content.decode()
    assert remix_link in followed.get("/?mode=latest").content.decode()


def test_it_sends_a_stranger_following_the_remix_link_back_with_the_sentence(
    teen: User, charlie: User
) -> None:
    _seen_by_everyone(teen)
    post = published(teen)
    response = login(charlie).get(f"/p/{post.pk}/remix/", follow=True)
    assert response.redirect_chain == [(f"/p/{post.pk}/", 302)]
    assert REMIX_FOLLOWING_ONLY in unescape(response.content.decode())


# --- The parent loosens, the teen tightens ------------------------------------------------------


def test_a_parent_can_open_comments_to_everyone_and_the_teen_sees_it_in_the_change_log(
    teen: User, parent: User, charlie: User
) -> None:
    post = published(teen)
    link = _linked(parent, teen)
    row = TeenSettings.objects.get(user=teen)
    response = login(parent).post(
        reverse("accounts:family_settings", args=[link.pk]),
        _settings_form(row, comments_from="everyone", videos_seen_by="everyone"),
    )
    assert response.status_code == 302
    assert _comment_as(charlie, post)[0] == 302
    assert TeenSettings.objects.get(user=teen).remixes_from == "following"
    assert REMIX_FOLLOWING_ONLY in _remix_as(charlie, post)
    change = ParentChange.objects.get(teen=teen, field="comments_from")
    assert (change.field_label, change.old_value, change.new_value) == (
        "Who may comment on your videos", "Only people the teen follows", "Everyone",
    )  # fmt: skip
    log = unescape(login(teen).get(reverse("accounts:teen_changes")).content.decode())
    assert "Who may comment on your videos</strong>: Only people the teen follows → Everyone" in log
    told = Notification.objects.get(recipient=teen, kind="parent_change").text
    assert "Who may comment on your videos Only people the teen follows → Everyone" in told


def test_the_parents_page_offers_both_controls(teen: User, parent: User) -> None:
    _linked(parent, teen)
    page = unescape(login(parent).get(reverse("accounts:family")).content.decode())
    assert "Who may comment on the videos" in page and "Who may remix the videos" in page
    assert '<option value="following" selected>Only people the teen follows</option>' in page


def test_a_teen_can_close_comments_to_everyone_even_people_they_follow(
    teen: User, alice: User
) -> None:
    post = published(teen)
    follow_create(follower=teen, followee=alice)
    row = TeenSettings.objects.get(user=teen)
    response = login(teen).post(
        reverse("accounts:teen_settings"),
        _settings_form(row, comments_from="nobody", remixes_from="nobody"),
    )
    assert response.status_code == 302
    status, page = _comment_as(alice, post)
    assert status == 400 and "@tess doesn't take comments." in page
    assert "@tess doesn't let anyone remix their videos." in _remix_as(alice, post)
    assert not Comment.objects.exists() and not GenerationJob.objects.filter(creator=alice).exists()
    assert not ParentChange.objects.exists()  # the teen's own change is not a parent's


def test_a_teen_cannot_open_comments_or_remixes_wider(teen: User, charlie: User) -> None:
    row = TeenSettings.objects.get(user=teen)
    response = login(teen).post(
        reverse("accounts:teen_settings"),
        _settings_form(row, comments_from="everyone", remixes_from="everyone"),
    )
    assert response.status_code == 400
    page = unescape(response.content.decode())
    assert "You can narrow who may comment on your videos, but only a parent can widen it." in page
    assert "You can narrow who may remix your videos, but only a parent can widen it." in page
    row = TeenSettings.objects.get(user=teen)
    assert (row.comments_from, row.remixes_from) == ("following", "following")
    _seen_by_everyone(teen)
    assert _comment_as(charlie, published(teen))[0] == 400


def test_it_refuses_a_choice_that_is_not_on_the_list_and_changes_nothing(
    teen: User, parent: User
) -> None:
    link = _linked(parent, teen)
    row = TeenSettings.objects.get(user=teen)
    response = login(parent).post(
        reverse("accounts:family_settings", args=[link.pk]),
        _settings_form(row, comments_from="the_world"),
    )
    assert response.status_code == 400
    assert "Choose who may comment on the videos from the list." in unescape(
        response.content.decode()
    )
    assert TeenSettings.objects.get(user=teen).comments_from == "following"
    assert not ParentChange.objects.exists()


def test_a_form_without_the_new_choices_leaves_them_as_they_are(teen: User, parent: User) -> None:
    link = _linked(parent, teen)
    row = TeenSettings.objects.get(user=teen)
    form = _settings_form(row, daily_limit_minutes="90")
    del form["comments_from"], form["remixes_from"]
    login(parent).post(reverse("accounts:family_settings", args=[link.pk]), form)
    row = TeenSettings.objects.get(user=teen)
    assert (row.daily_limit_minutes, row.comments_from, row.remixes_from) == (
        90, "following", "following",
    )  # fmt: skip


# --- Turning 18 ---------------------------------------------------------------------------------


def test_the_limits_stop_applying_on_the_18th_birthday(charlie: User) -> None:
    birthday = timezone.localdate() + dt.timedelta(days=2)
    try:
        birthdate = birthday.replace(year=birthday.year - 18)
    except ValueError:  # 29 February
        birthdate = dt.date(birthday.year - 18, 3, 1)
    nearly = user_signup(
        username="nearly", email="nearly@example.com", password=PASSWORD, birthdate=birthdate
    )
    _seen_by_everyone(nearly)
    post = published(nearly)
    assert _comment_as(charlie, post)[0] == 400
    with time_machine.travel(timezone.now() + dt.timedelta(days=3)):
        assert _comment_as(charlie, post)[0] == 302
        _remix_as(charlie, post)
    assert GenerationJob.objects.get(creator=charlie).remix_of_id == post.pk
    assert Notification.objects.filter(recipient=nearly, kind="comment").count() == 1
