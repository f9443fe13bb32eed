"""Comments: posting, replies, the poster's comment control, moderation holds, removal, reports
and the moderators' hide and restore."""

from __future__ import annotations

from html import unescape
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.urls import reverse

from accounts.models import Notification, User
from accounts.services.blocks import block_create
from accounts.services.users import follow_create
from conftest import make_user
from feed.models import Comment, Post
from feed.services.social import comment_create, moderation_comment_hide, post_comment_policy_set
from feed.tests.social_helpers import HTMX, login, published, watch_word
from safety.models import ModerationAction, Report
from safety.services.reports import moderation_suspend

pytestmark = pytest.mark.django_db


def _comment_url(post: Post) -> str:
    return reverse("feed:comment_create", args=[post.pk])


def _page(client: Any, post: Post) -> str:
    return unescape(client.get(reverse("feed:post", args=[post.pk])).content.decode())


# --- Posting ------------------------------------------------------------------------------------


def test_a_comment_shows_on_the_post_counts_and_tells_the_poster(alice: User, bob: User) -> None:
    post = published(alice)
    client = login(bob)
    response = client.post(_comment_url(post), {"text": "Love the rain on the boat"})
    comment = Comment.objects.get()
    assert response["Location"] == f"/p/{post.pk}/#comment-{comment.pk}"
    page = _page(client, post)
    assert "Love the rain on the boat" in page and "@bob" in page
    assert Post.objects.get().comment_count == 1
    note = Notification.objects.get(recipient=alice)
    assert note.text == "@bob commented on your video: “Love the rain on the boat”"
    assert note.url == f"/p/{post.pk}/#comment-{comment.pk}"


def test_an_htmx_comment_answers_with_the_comment_and_the_new_count(alice: User, bob: User) -> None:
    post = published(alice)
    response = login(bob).post(_comment_url(post), {"text": "first!"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "first!" in html and f'id="comment-{Comment.objects.get().pk}"' in html
    assert '<span id="comment-count" hx-swap-oob="true">1</span>' in html


def test_commenting_refuses_get(alice: User, bob: User) -> None:
    post = published(alice)
    assert login(bob).get(_comment_url(post)).status_code == 405
    assert not Comment.objects.exists()


def test_anonymous_commenters_are_sent_to_log_in(client: Any, alice: User) -> None:
    post = published(alice)
    response = client.post(_comment_url(post), {"text": "hello"})
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not Comment.objects.exists()
    assert "Log in</a> to comment." in _page(client, post)


def test_an_empty_post_has_a_real_empty_state(client: Any, alice: User) -> None:
    assert "No comments yet." in _page(client, published(alice))


def test_a_post_you_cannot_see_cannot_be_commented_on(alice: User, bob: User) -> None:
    post = published(alice)
    block_create(blocker=alice, blocked=bob)
    client = login(bob)
    assert client.post(_comment_url(post), {"text": "hi"}).status_code == 404
    missing = reverse("feed:comment_create", args=[999])
    assert client.post(missing, {"text": "hi"}).status_code == 404
    assert not Comment.objects.exists()


def test_a_post_you_cannot_see_cannot_be_liked_either(alice: User, bob: User) -> None:
    from feed.models import Like

    post = published(alice)
    block_create(blocker=alice, blocked=bob)
    assert login(bob).post(reverse("feed:like", args=[post.pk])).status_code == 404
    assert not Like.objects.exists() and not Notification.objects.filter(kind="like").exists()


def test_someone_you_blocked_cannot_comment_either(alice: User, bob: User) -> None:
    post = published(alice)
    block_create(blocker=bob, blocked=alice)
    assert login(bob).post(_comment_url(post), {"text": "hi"}).status_code == 404
    assert not Comment.objects.exists()


def test_script_in_a_comment_shows_as_text(alice: User, bob: User) -> None:
    post = published(alice)
    client = login(bob)
    client.post(_comment_url(post), {"text": "<script>alert('x')</script> nice"})
    raw = client.get(reverse("feed:post", args=[post.pk])).content.decode()
    assert "<script>alert" not in raw
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; nice" in raw


def test_a_huge_comment_gets_a_sentence_and_nothing_is_written(alice: User, bob: User) -> None:
    post = published(alice)
    client = login(bob)
    huge = "a" * 100_000
    response = client.post(_comment_url(post), {"text": huge})
    assert response.status_code == 400
    assert "That's 100,000 characters; the limit is 2,000. Shorten it and try again." in unescape(
        response.content.decode()
    )
    htmx = client.post(_comment_url(post), {"text": huge}, **HTMX)
    assert htmx.status_code == 400 and htmx["HX-Retarget"] == "#comment-errors"
    assert "the limit is 2,000" in unescape(htmx.content.decode())
    assert not Comment.objects.exists() and Post.objects.get().comment_count == 0


def test_an_empty_comment_is_refused(alice: User, bob: User) -> None:
    post = published(alice)
    response = login(bob).post(_comment_url(post), {"text": "   "})
    assert response.status_code == 400 and "Write a comment first." in response.content.decode()
    assert not Comment.objects.exists()


def test_comments_are_rate_limited_per_person(alice: User, bob: User) -> None:
    post = published(alice)
    client = login(bob)
    with override_settings(SORA_RATE_LIMITS={**settings.SORA_RATE_LIMITS, "comment": "2/10m"}):
        for n in range(2):
            client.post(_comment_url(post), {"text": f"comment {n}"})
        limited = client.post(_comment_url(post), {"text": "one too many"})
        htmx = client.post(_comment_url(post), {"text": "one too many"}, **HTMX)
    assert limited.status_code == 429 and htmx.status_code == 429
    assert "Too many comments in a short time. Try again in" in limited.content.decode()
    assert "Too many comments in a short time." in htmx.content.decode()
    assert Comment.objects.count() == 2


def test_a_suspended_person_cannot_comment(alice: User, bob: User, moderator: User) -> None:
    post = published(alice)
    moderation_suspend(moderator=moderator, user_id=bob.pk, days=3, reason="spam")
    bob.refresh_from_db()
    # The suspension also ends their session, so the refusal is the service's.
    with pytest.raises(ValidationError, match="Your account is suspended until"):
        comment_create(author=bob, post_id=post.pk, text="still here")
    assert not Comment.objects.exists()


# --- Replies ------------------------------------------------------------------------------------


def test_a_reply_goes_under_its_comment_and_tells_both_people(
    alice: User, bob: User, charlie: User
) -> None:
    post = published(alice)
    parent = comment_create(author=bob, post_id=post.pk, text="What model is this?")
    response = login(charlie).post(
        _comment_url(post), {"text": "The built-in one", "parent_id": parent.pk}, **HTMX
    )
    reply = Comment.objects.get(parent=parent)
    assert response.status_code == 200 and "The built-in one" in response.content.decode()
    page = _page(login(alice), post)
    replies = page[page.index(f'id="replies-{parent.pk}"') :]
    assert f'id="comment-{reply.pk}"' in replies
    assert Notification.objects.get(recipient=bob, kind="reply").text.startswith(
        "@charlie replied to your comment"
    )
    assert Notification.objects.filter(recipient=alice, kind="comment").count() == 2
    assert Post.objects.get().comment_count == 2


def test_replies_go_one_level_deep(alice: User, bob: User) -> None:
    post = published(alice)
    parent = comment_create(author=bob, post_id=post.pk, text="top")
    reply = comment_create(author=alice, post_id=post.pk, text="reply", parent_id=parent.pk)
    response = login(bob).post(_comment_url(post), {"text": "deeper", "parent_id": reply.pk})
    assert response.status_code == 400
    assert "Replies go one level deep: reply to the comment above it." in unescape(
        response.content.decode()
    )
    assert Comment.objects.count() == 2


def test_replying_to_yourself_on_your_own_post_notifies_nobody(alice: User) -> None:
    post = published(alice)
    parent = comment_create(author=alice, post_id=post.pk, text="behind the scenes")
    comment_create(author=alice, post_id=post.pk, text="and more", parent_id=parent.pk)
    assert not Notification.objects.filter(kind__in=["comment", "reply"]).exists()


# --- The poster's comment control ---------------------------------------------------------------


def test_the_poster_turns_comments_off_and_others_read_why(alice: User, bob: User) -> None:
    post = published(alice)
    owner = login(alice)
    response = owner.post(reverse("feed:comment_policy", args=[post.pk]), {"policy": "nobody"})
    assert response.status_code == 302 and Post.objects.get().comment_policy == "nobody"
    client = login(bob)
    assert "Comments are off." in _page(client, post)
    refused = client.post(_comment_url(post), {"text": "hi"})
    assert refused.status_code == 400
    assert "@alice turned comments off for this video." in unescape(refused.content.decode())
    assert not Comment.objects.exists()


def test_following_only_lets_in_the_people_the_poster_follows(
    alice: User, bob: User, charlie: User
) -> None:
    post = published(alice)
    follow_create(follower=alice, followee=bob)
    post_comment_policy_set(user=alice, post_id=post.pk, policy="following")
    refused = login(charlie).post(_comment_url(post), {"text": "hi"})
    assert "@alice only takes comments from people they follow." in unescape(
        refused.content.decode()
    )
    assert login(bob).post(_comment_url(post), {"text": "hi"}).status_code == 302
    assert list(Comment.objects.values_list("author__username", flat=True)) == ["bob"]


def test_the_policy_control_answers_htmx_with_the_comments_section(alice: User) -> None:
    post = published(alice)
    response = login(alice).post(
        reverse("feed:comment_policy", args=[post.pk]), {"policy": "following"}, **HTMX
    )
    html = response.content.decode()
    assert '<section class="card comments" id="comments"' in html and "<html" not in html
    assert '<option value="following" selected>' in html


def test_the_policy_control_refuses_get_strangers_and_bad_values(alice: User, bob: User) -> None:
    post = published(alice)
    url = reverse("feed:comment_policy", args=[post.pk])
    assert login(alice).get(url).status_code == 405
    assert login(bob).post(url, {"policy": "nobody"}).status_code == 403
    assert 'data-testid="comment-policy"' not in _page(login(bob), post)
    bad = login(alice).post(url, {"policy": "friends"}, follow=True)
    assert "Choose who may comment: everyone, people you follow, or nobody." in unescape(
        bad.content.decode()
    )
    assert Post.objects.get().comment_policy == "everyone"


def test_anonymous_cannot_change_the_policy(client: Any, alice: User) -> None:
    post = published(alice)
    response = client.post(reverse("feed:comment_policy", args=[post.pk]), {"policy": "nobody"})
    assert response["Location"].startswith(reverse("accounts:login"))
    assert Post.objects.get().comment_policy == "everyone"


# --- Held by a watched word ---------------------------------------------------------------------


def test_a_watched_word_hides_the_comment_from_everyone_but_its_author(
    alice: User, bob: User, charlie: User, moderator: User
) -> None:
    watch_word(moderator, "free crypto")
    post = published(alice)
    login(bob).post(_comment_url(post), {"text": "Get FREE crypto at my profile"})
    comment = Comment.objects.get()
    assert comment.hidden_at is not None and "free crypto" in comment.hidden_reason
    mine = _page(login(bob), post)
    assert "Get FREE crypto at my profile" in mine
    assert "Only you can see this until a moderator reviews it." in mine
    for other in (alice, charlie):
        assert "Get FREE crypto" not in _page(login(other), post)
    assert Post.objects.get().comment_count == 0
    assert not Notification.objects.filter(recipient=alice, kind="comment").exists()


def test_text_the_checks_are_unsure_about_waits_for_a_moderator(alice: User, bob: User) -> None:
    post = published(alice)
    login(bob).post(_comment_url(post), {"text": "nasty words"})
    comment = Comment.objects.get()
    assert comment.hidden_at is not None
    assert comment.hidden_reason == "Our checks weren't sure about it."
    assert "nasty words" not in _page(login(alice), post)
    assert "Only you can see this until a moderator reviews it." in _page(login(bob), post)


# --- Removing -----------------------------------------------------------------------------------


def test_the_author_removes_a_comment_and_its_replies(alice: User, bob: User) -> None:
    post = published(alice)
    comment = comment_create(author=bob, post_id=post.pk, text="oops")
    comment_create(author=alice, post_id=post.pk, text="no worries", parent_id=comment.pk)
    url = reverse("feed:comment_remove", args=[comment.pk])
    response = login(bob).post(url, **HTMX)
    assert response.status_code == 200
    assert '<span id="comment-count" hx-swap-oob="true">0</span>' in response.content.decode()
    assert Comment.objects.filter(removed_at__isnull=True).count() == 0
    page = _page(login(alice), post)
    assert "oops" not in page and "no worries" not in page and "No comments yet." in page


def test_the_poster_removes_someone_elses_comment(alice: User, bob: User) -> None:
    post = published(alice)
    comment = comment_create(author=bob, post_id=post.pk, text="rude")
    response = login(alice).post(reverse("feed:comment_remove", args=[comment.pk]))
    assert response["Location"] == f"/p/{post.pk}/#comments"
    assert Comment.objects.get().removed_at is not None
    assert Post.objects.get().comment_count == 0


def test_a_stranger_cannot_remove_a_comment(alice: User, bob: User, charlie: User) -> None:
    post = published(alice)
    comment = comment_create(author=bob, post_id=post.pk, text="mine")
    url = reverse("feed:comment_remove", args=[comment.pk])
    assert login(charlie).post(url).status_code == 403
    assert login(bob).get(url).status_code == 405
    assert Comment.objects.get().removed_at is None


def test_anonymous_cannot_remove_a_comment(client: Any, alice: User, bob: User) -> None:
    comment = comment_create(author=bob, post_id=published(alice).pk, text="mine")
    response = client.post(reverse("feed:comment_remove", args=[comment.pk]))
    assert response["Location"].startswith(reverse("accounts:login"))
    assert Comment.objects.get().removed_at is None


# --- Reports ------------------------------------------------------------------------------------


def test_someone_reports_a_comment_with_a_reason(alice: User, bob: User, charlie: User) -> None:
    post = published(alice)
    comment = comment_create(author=bob, post_id=post.pk, text="buy followers here")
    url = reverse("feed:comment_report", args=[comment.pk])
    client = login(charlie)
    done = client.post(
        url, {"reason": "spam", "note": "a bot", "next": f"/p/{post.pk}/"}, follow=True
    )
    assert "Thanks. Moderators will look at it." in done.content.decode()
    client.post(url, {"reason": "spam"})
    report = Report.objects.get()
    assert (report.target, report.comment, report.reported_user) == ("comment", comment, bob)
    assert (report.reason, report.note, report.duplicates) == ("spam", "a bot", 1)


def test_a_comment_report_refuses_bad_input_get_and_strangers(
    alice: User, bob: User, charlie: User
) -> None:
    post = published(alice)
    comment = comment_create(author=bob, post_id=post.pk, text="hello")
    url = reverse("feed:comment_report", args=[comment.pk])
    bad = login(charlie).post(url, {"reason": "boring", "next": f"/p/{post.pk}/"}, follow=True)
    assert "Choose a reason from the list." in bad.content.decode()
    assert login(charlie).get(url).status_code == 405
    block_create(blocker=bob, blocked=charlie)
    assert login(charlie).post(url, {"reason": "spam"}).status_code == 404
    assert not Report.objects.exists()


def test_anonymous_cannot_report_a_comment(client: Any, alice: User, bob: User) -> None:
    comment = comment_create(author=bob, post_id=published(alice).pk, text="hello")
    response = client.post(reverse("feed:comment_report", args=[comment.pk]), {"reason": "spam"})
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not Report.objects.exists()


# --- Moderators ---------------------------------------------------------------------------------


def _admin_action(user: User, action: str, pk: int, reason: str) -> Any:
    url = reverse("admin:feed_comment_changelist")
    data = {"action": action, "_selected_action": [pk], "reason": reason, "index": 0}
    return login(user).post(url, data, follow=True)


def test_a_moderator_hides_and_restores_a_comment_from_admin(
    alice: User, bob: User, charlie: User, moderator: User
) -> None:
    post = published(alice)
    comment = comment_create(author=bob, post_id=post.pk, text="this is off topic")
    login(charlie).post(reverse("feed:comment_report", args=[comment.pk]), {"reason": "hate"})
    done = _admin_action(moderator, "hide_comments", comment.pk, "Hate speech")
    assert "Done for 1. Each is in the moderation log." in done.content.decode()
    hide = ModerationAction.objects.get()
    assert (hide.kind, hide.comment, hide.target_user, hide.reason) == (
        "hide",
        comment,
        bob,
        "Hate speech",
    )
    assert "this is off topic" not in _page(login(charlie), post)
    assert Post.objects.get().comment_count == 0
    assert Report.objects.get().status == "resolved"
    assert Notification.objects.get(recipient=bob, kind="comment_hidden").text == (
        "A moderator hid your comment: Hate speech"
    )
    _admin_action(moderator, "restore_comments", comment.pk, "On a second look, fine")
    restore = ModerationAction.objects.get(kind="restore")
    assert restore.comment == comment
    assert "this is off topic" in _page(login(charlie), post)
    assert Post.objects.get().comment_count == 1


def test_restoring_a_held_comment_tells_the_poster_then(
    alice: User, bob: User, moderator: User
) -> None:
    watch_word(moderator, "giveaway")
    post = published(alice)
    comment = comment_create(author=bob, post_id=post.pk, text="giveaway at my page")
    _admin_action(moderator, "restore_comments", comment.pk, "Harmless")
    assert Notification.objects.filter(recipient=alice, kind="comment").count() == 1
    assert Post.objects.get().comment_count == 1


def test_staff_outside_the_moderators_cannot_hide_comments(alice: User, bob: User) -> None:
    post = published(alice)
    comment = comment_create(author=bob, post_id=post.pk, text="hello")
    staff = make_user("stella")
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    staff.user_permissions.add(Permission.objects.get(codename="view_post"))
    client = login(staff)
    assert client.get(reverse("admin:feed_comment_changelist")).status_code == 403
    data = {"action": "hide_comments", "_selected_action": [comment.pk], "reason": "x"}
    assert client.post(reverse("admin:feed_comment_changelist"), data).status_code == 403
    with pytest.raises(PermissionDenied):
        moderation_comment_hide(moderator=staff, comment_id=comment.pk, reason="x")
    assert Comment.objects.get().hidden_at is None and not ModerationAction.objects.exists()


def test_a_hide_needs_a_reason(alice: User, bob: User, moderator: User) -> None:
    comment = comment_create(author=bob, post_id=published(alice).pk, text="hello")
    done = _admin_action(moderator, "hide_comments", comment.pk, "")
    assert "Write why in the Why box first." in done.content.decode()
    assert Comment.objects.get().hidden_at is None and not ModerationAction.objects.exists()


# --- Feed ---------------------------------------------------------------------------------------


def test_feed_items_show_the_comment_count_and_link_to_the_comments(
    client: Any, alice: User, bob: User
) -> None:
    post = published(alice)
    comment_create(author=bob, post_id=post.pk, text="nice")
    feed = client.get("/").content.decode()
    assert f'href="/p/{post.pk}/#comments" class="comments-link"' in feed
    assert '<use href="#i-comment"/></svg><span>1</span>' in feed
