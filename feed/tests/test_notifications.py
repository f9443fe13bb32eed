"""Notifications from the social layer (likes, comments, follows, remixes, messages, moderation)
and the notifications page: labels, filters, marking one or all as read."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Notification, User
from accounts.services.blocks import block_create
from accounts.services.users import follow_create
from cameo.services.consent import cameo_grant_request, cameo_mark_verified, cameo_settings_update
from feed.services.posts import like_toggle
from feed.services.social import comment_create, dm_send, moderation_comment_hide, notify_person
from feed.tests.social_helpers import HTMX, login, published
from safety.services.reports import report_create_comment

pytestmark = pytest.mark.django_db

PAGE = reverse("accounts:notifications")


def _read_url(note: Notification) -> str:
    return reverse("accounts:notification_read", args=[note.pk])


def test_a_like_tells_the_poster_once(alice: User, bob: User) -> None:
    post = published(alice)
    for _ in range(3):  # like, unlike, like again
        like_toggle(user=bob, post_id=post.pk)
    note = Notification.objects.get(recipient=alice)
    assert (note.kind, note.text, note.url) == ("like", "@bob liked your video.", f"/p/{post.pk}/")


def test_liking_your_own_video_tells_nobody(alice: User) -> None:
    like_toggle(user=alice, post_id=published(alice).pk)
    assert not Notification.objects.exists()


def test_a_follow_tells_the_person_followed(alice: User, bob: User) -> None:
    follow_create(follower=bob, followee=alice)
    follow_create(follower=bob, followee=alice)  # already following: no second note
    note = Notification.objects.get(recipient=alice)
    assert (note.kind, note.text, note.url) == ("follow", "@bob followed you.", "/@bob/")


def test_nobody_is_told_across_a_block(alice: User, bob: User) -> None:
    block_create(blocker=alice, blocked=bob)
    notify_person(recipient_id=alice.pk, actor=bob, kind="like", text="x")
    notify_person(recipient_id=bob.pk, actor=alice, kind="like", text="x")
    notify_person(recipient_id=alice.pk, actor=alice, kind="like", text="x")
    assert not Notification.objects.exists()


def test_a_reporter_hears_what_moderators_did_with_a_comment(
    alice: User, bob: User, charlie: User, moderator: User
) -> None:
    post = published(alice)
    comment = comment_create(author=bob, post_id=post.pk, text="buy followers")
    report_create_comment(reporter=charlie, comment_id=comment.pk, reason="spam")
    moderation_comment_hide(moderator=moderator, comment_id=comment.pk, reason="Spam")
    note = Notification.objects.get(recipient=charlie)
    assert note.text == "A moderator hid the comment you reported. Thank you."


def _one_of_each(alice: User, bob: User) -> None:
    post = published(alice)
    like_toggle(user=bob, post_id=post.pk)
    comment_create(author=bob, post_id=post.pk, text="lovely")
    follow_create(follower=bob, followee=alice)
    published(bob, remix_of=post)
    dm_send(sender=bob, recipient_username="alice", text="hi")
    cameo_mark_verified(owner=alice, display_name="Alice", embedding=[0.0] * 128)
    cameo = cameo_settings_update(owner=alice, permission="approved")
    cameo_grant_request(requester=bob, cameo_id=cameo.pk)


def test_the_page_labels_each_kind_and_filters_by_it(alice: User, bob: User) -> None:
    _one_of_each(alice, bob)
    client = login(alice)
    page = client.get(PAGE).content.decode()
    for label in ("Likes", "Comments", "Follows", "Remixes", "Messages", "Cameo"):
        assert f'<span class="chip">{label}</span>' in page
    assert '<span class="badge" data-testid="unread">6</span>' in page
    likes = client.get(PAGE, {"show": "likes"}).content.decode()
    assert "@bob liked your video." in likes and "@bob followed you." not in likes
    remixes = client.get(PAGE, {"show": "remixes"}).content.decode()
    assert "@bob remixed your video." in remixes and "liked" not in remixes
    assert "liked your video" in client.get(PAGE, {"show": "nonsense"}).content.decode()


def test_a_filter_with_nothing_in_it_says_so(alice: User) -> None:
    page = login(alice).get(PAGE, {"show": "remixes"}).content.decode()
    assert "Nothing here yet." in page


def test_one_notification_is_marked_read_in_place(alice: User, bob: User) -> None:
    follow_create(follower=bob, followee=alice)
    note = Notification.objects.get()
    response = login(alice).post(_read_url(note), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert 'class=""' in html and "Mark as read" not in html and "@bob followed you." in html
    note.refresh_from_db()
    assert note.read_at is not None


def test_marking_one_read_without_htmx_returns_to_the_list(alice: User, bob: User) -> None:
    follow_create(follower=bob, followee=alice)
    response = login(alice).post(_read_url(Notification.objects.get()))
    assert response["Location"] == PAGE
    assert Notification.objects.get().read_at is not None


def test_marking_one_read_refuses_get_and_other_peoples(
    alice: User, bob: User, charlie: User
) -> None:
    follow_create(follower=bob, followee=alice)
    note = Notification.objects.get()
    assert login(alice).get(_read_url(note)).status_code == 405
    assert login(charlie).post(_read_url(note)).status_code == 404
    assert Notification.objects.get().read_at is None


def test_anonymous_cannot_mark_a_notification_read(client: Client, alice: User, bob: User) -> None:
    follow_create(follower=bob, followee=alice)
    response = client.post(_read_url(Notification.objects.get()))
    assert response["Location"].startswith(reverse("accounts:login"))
    assert Notification.objects.get().read_at is None


def test_mark_all_as_read_clears_the_social_notes_too(alice: User, bob: User) -> None:
    _one_of_each(alice, bob)
    client = login(alice)
    page = client.post(PAGE, follow=True).content.decode()
    assert 'data-testid="unread"' not in page
    assert not Notification.objects.filter(recipient=alice, read_at__isnull=True).exists()


def test_the_empty_page_lists_what_will_show_up(alice: User) -> None:
    page = login(alice).get(PAGE).content.decode()
    assert "No notifications yet. Likes, comments, follows, remixes, messages" in page


def test_a_parents_change_is_filed_under_family_for_the_teen(teen: User, parent: User) -> None:
    from accounts.services.teens import (
        parent_link_accept,
        parent_link_code_create,
        teen_settings_update_by_parent,
    )

    link = parent_link_accept(teen=teen, code=parent_link_code_create(parent=parent).code)
    teen_settings_update_by_parent(parent=parent, link_id=link.pk, daily_limit_minutes=45)
    page = login(teen).get(PAGE, {"show": "family"}).content.decode()
    assert '<span class="chip">Family</span>' in page
    assert f"@{parent.username} changed your settings: " in page and "→ 45" in page
