"""Direct messages: the inbox, a thread and its htmx send box, blocks, holds, limits, reports,
sending a post, and the moderators' hide and restore."""

from __future__ import annotations

from html import unescape
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.urls import reverse

from accounts.models import Notification, User
from accounts.services.blocks import block_create
from feed.models import Conversation, DirectMessage
from feed.selectors.social import dm_refusal
from feed.services.social import dm_send
from feed.tests.social_helpers import HTMX, login, published, watch_word
from safety.models import ModerationAction, Report
from safety.services.reports import moderation_suspend

pytestmark = pytest.mark.django_db

INBOX = reverse("feed:messages")


def _thread(username: str) -> str:
    return reverse("feed:thread", args=[username])


def test_a_message_starts_a_conversation_and_reaches_the_inbox(alice: User, bob: User) -> None:
    response = login(bob).post(_thread("alice"), {"text": "Loved your boat video!"})
    assert response["Location"] == _thread("alice")
    conversation = Conversation.objects.get()
    assert (conversation.user_low, conversation.user_high) == (alice, bob)
    message = DirectMessage.objects.get()
    assert (message.sender, message.text, message.read_at) == (bob, "Loved your boat video!", None)
    note = Notification.objects.get(recipient=alice)
    assert (note.kind, note.text, note.url) == ("dm", "@bob sent you a message.", "/messages/bob/")
    client = login(alice)
    inbox = unescape(client.get(INBOX).content.decode())
    assert "@bob" in inbox and "Loved your boat video!" in inbox
    assert 'aria-label="1 unread"' in inbox


def test_opening_the_thread_marks_it_read(alice: User, bob: User) -> None:
    dm_send(sender=bob, recipient_username="alice", text="hello")
    client = login(alice)
    page = client.get(_thread("bob")).content.decode()
    assert "hello" in page and 'id="dm-form"' in page
    assert DirectMessage.objects.get().read_at is not None
    assert Notification.objects.get(recipient=alice).read_at is not None
    assert "unread" not in client.get(INBOX).content.decode()


def test_an_htmx_send_answers_with_the_new_message(alice: User, bob: User) -> None:
    response = login(bob).post(_thread("alice"), {"text": "via htmx"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert f'id="message-{DirectMessage.objects.get().pk}"' in html and "via htmx" in html


def test_more_messages_before_they_are_read_notify_once(alice: User, bob: User) -> None:
    for text in ("one", "two", "three"):
        dm_send(sender=bob, recipient_username="alice", text=text)
    assert Notification.objects.filter(recipient=alice, kind="dm").count() == 1
    assert DirectMessage.objects.count() == 3


def test_an_empty_inbox_and_thread_say_what_to_do(alice: User, bob: User) -> None:
    client = login(alice)
    assert "No messages yet. Open someone's profile" in unescape(client.get(INBOX).content.decode())
    assert "No messages yet. Say hello to @bob." in client.get(_thread("bob")).content.decode()


def test_the_profile_has_a_message_button(alice: User, bob: User) -> None:
    page = login(bob).get("/@alice/").content.decode()
    assert f'href="{_thread("alice")}">Message</a>' in page


def test_messages_refuse_other_methods(alice: User, bob: User) -> None:
    client = login(bob)
    assert client.put(_thread("alice")).status_code == 405
    assert client.post(INBOX).status_code == 405
    assert not DirectMessage.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client: Any, alice: User) -> None:
    assert client.get(INBOX)["Location"].startswith(reverse("accounts:login"))
    response = client.post(_thread("alice"), {"text": "hi"})
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not DirectMessage.objects.exists()


def test_an_unknown_person_is_404(alice: User) -> None:
    client = login(alice)
    assert client.get(_thread("nobody_here")).status_code == 404
    assert client.post(_thread("nobody_here"), {"text": "hi"}).status_code == 404
    assert not Conversation.objects.exists()


def test_someone_who_blocked_you_is_404_like_their_profile(alice: User, bob: User) -> None:
    block_create(blocker=alice, blocked=bob)
    client = login(bob)
    assert client.get(reverse("profile", args=["alice"])).status_code == 404
    assert client.post(_thread("alice"), {"text": "why did you block me"}).status_code == 404
    assert client.post(_thread("alice"), {"text": "why"}, **HTMX).status_code == 404
    page = client.get(_thread("alice"))
    assert page.status_code == 404 and "alice" not in unescape(page.content.decode()).lower()
    assert not DirectMessage.objects.exists() and not Conversation.objects.exists()


def test_the_blocker_cannot_message_the_person_they_blocked(alice: User, bob: User) -> None:
    block_create(blocker=alice, blocked=bob)
    response = login(alice).post(_thread("bob"), {"text": "hi"})
    assert response.status_code == 403 and not DirectMessage.objects.exists()
    assert "You blocked @bob. Unblock them to send a message." in unescape(
        response.content.decode()
    )


def test_you_cannot_message_yourself_or_a_suspended_person(
    alice: User, bob: User, moderator: User
) -> None:
    assert dm_refusal(alice, alice) == "You can't message yourself."
    moderation_suspend(moderator=moderator, user_id=bob.pk, days=2, reason="spam")
    bob.refresh_from_db()
    refusal = "@bob's account is suspended, so it can't get messages for now."
    assert dm_refusal(alice, bob) == refusal
    with pytest.raises(PermissionDenied, match="suspended"):
        dm_send(sender=alice, recipient_username="bob", text="hi")
    assert not DirectMessage.objects.exists()


def test_script_in_a_message_shows_as_text(alice: User, bob: User) -> None:
    dm_send(sender=bob, recipient_username="alice", text='<img src=x onerror="alert(1)">')
    raw = login(alice).get(_thread("bob")).content.decode()
    assert "<img src=x" not in raw and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in raw


def test_a_huge_message_gets_a_sentence_and_nothing_is_written(alice: User, bob: User) -> None:
    response = login(bob).post(_thread("alice"), {"text": "b" * 100_000})
    assert response.status_code == 400
    assert "That's 100,000 characters; the limit is 2,000." in unescape(response.content.decode())
    assert not DirectMessage.objects.exists() and not Conversation.objects.exists()


def test_an_empty_message_is_refused(alice: User, bob: User) -> None:
    response = login(bob).post(_thread("alice"), {"text": ""}, **HTMX)
    assert response.status_code == 400 and "Write a message first." in response.content.decode()
    assert not DirectMessage.objects.exists()


def test_messages_are_rate_limited_per_person(alice: User, bob: User) -> None:
    client = login(bob)
    with override_settings(SORA_RATE_LIMITS={**settings.SORA_RATE_LIMITS, "dm": "3/10m"}):
        for n in range(3):
            client.post(_thread("alice"), {"text": f"message {n}"})
        limited = client.post(_thread("alice"), {"text": "one more"})
    assert limited.status_code == 429
    assert "Too many messages in a short time. Try again in" in limited.content.decode()
    assert DirectMessage.objects.count() == 3


def test_a_watched_word_holds_a_message_for_review(alice: User, bob: User, moderator: User) -> None:
    watch_word(moderator, "free crypto")
    dm_send(sender=bob, recipient_username="alice", text="free crypto, click here")
    assert "free crypto" not in login(alice).get(_thread("bob")).content.decode()
    mine = login(bob).get(_thread("alice")).content.decode()
    assert "free crypto, click here" in mine
    assert "Only you can see this until a moderator reviews it." in mine
    assert not Notification.objects.filter(recipient=alice).exists()
    assert "No messages yet." in unescape(login(alice).get(INBOX).content.decode())


# --- Reports ------------------------------------------------------------------------------------


def test_the_recipient_reports_a_message(alice: User, bob: User) -> None:
    message = dm_send(sender=bob, recipient_username="alice", text="send me money")
    url = reverse("feed:message_report", args=[message.pk])
    done = login(alice).post(url, {"reason": "spam", "next": _thread("bob")}, follow=True)
    assert "Thanks. Moderators will look at it." in done.content.decode()
    report = Report.objects.get()
    assert (report.target, report.message, report.reported_user) == ("dm", message, bob)


def test_only_the_recipient_can_report_a_message(alice: User, bob: User, charlie: User) -> None:
    message = dm_send(sender=bob, recipient_username="alice", text="hi")
    url = reverse("feed:message_report", args=[message.pk])
    assert login(charlie).post(url, {"reason": "spam"}).status_code == 404
    assert login(bob).post(url, {"reason": "spam"}).status_code == 404
    assert login(alice).get(url).status_code == 405
    assert not Report.objects.exists()


def test_anonymous_cannot_report_a_message(client: Any, alice: User, bob: User) -> None:
    message = dm_send(sender=bob, recipient_username="alice", text="hi")
    response = client.post(reverse("feed:message_report", args=[message.pk]), {"reason": "spam"})
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not Report.objects.exists()


# --- Moderators ---------------------------------------------------------------------------------


def _admin(user: User, action: str, pk: int, reason: str) -> Any:
    url = reverse("admin:feed_directmessage_changelist")
    data = {"action": action, "_selected_action": [pk], "reason": reason, "index": 0}
    return login(user).post(url, data, follow=True)


def test_moderators_see_only_reported_or_held_messages(
    alice: User, bob: User, moderator: User
) -> None:
    private = dm_send(sender=bob, recipient_username="alice", text="a private hello")
    reported = dm_send(sender=bob, recipient_username="alice", text="send me money")
    login(alice).post(reverse("feed:message_report", args=[reported.pk]), {"reason": "spam"})
    listing = login(moderator).get(reverse("admin:feed_directmessage_changelist")).content
    assert b"send me money" in listing and b"a private hello" not in listing
    assert private.pk != reported.pk


def test_a_moderator_hides_and_restores_a_message(alice: User, bob: User, moderator: User) -> None:
    message = dm_send(sender=bob, recipient_username="alice", text="send me money")
    login(alice).post(reverse("feed:message_report", args=[message.pk]), {"reason": "spam"})
    done = _admin(moderator, "hide_messages", message.pk, "Scam")
    assert "Done for 1. Each is in the moderation log." in done.content.decode()
    action = ModerationAction.objects.get()
    assert (action.kind, action.message, action.target_user) == ("hide", message, bob)
    assert "send me money" not in login(alice).get(_thread("bob")).content.decode()
    assert Report.objects.get().status == "resolved"
    _admin(moderator, "restore_messages", message.pk, "Not a scam after all")
    assert ModerationAction.objects.get(kind="restore").message == message
    assert "send me money" in login(alice).get(_thread("bob")).content.decode()


def test_staff_outside_the_moderators_cannot_open_messages(alice: User, bob: User) -> None:
    from conftest import make_user

    dm_send(sender=bob, recipient_username="alice", text="hi")
    staff = make_user("stella")
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    assert login(staff).get(reverse("admin:feed_directmessage_changelist")).status_code == 403
    assert not ModerationAction.objects.exists()


# --- Sending a post -----------------------------------------------------------------------------


def test_a_post_is_sent_by_message_with_its_link(alice: User, bob: User) -> None:
    post = published(alice)
    response = login(bob).post(
        reverse("feed:post_send", args=[post.pk]), {"to": "@alice", "note": "look at this"}
    )
    assert response["Location"] == _thread("alice")
    text = DirectMessage.objects.get().text
    assert text == f"look at this\n{settings.SORA_SITE_URL}/p/{post.pk}/"


def test_sending_a_post_you_cannot_see_is_404(alice: User, bob: User, charlie: User) -> None:
    post = published(alice)
    block_create(blocker=alice, blocked=bob)
    response = login(bob).post(reverse("feed:post_send", args=[post.pk]), {"to": "charlie"})
    assert response.status_code == 404 and not DirectMessage.objects.exists()


def test_sending_a_post_to_nobody_gets_a_sentence(alice: User, bob: User) -> None:
    post = published(alice)
    url = reverse("feed:post_send", args=[post.pk])
    response = login(bob).post(url, {"to": "ghost_person"})
    assert response.status_code == 400
    assert "There's no one called @ghost_person here. Check the spelling." in unescape(
        response.content.decode()
    )
    assert login(bob).get(url).status_code == 405
    assert not DirectMessage.objects.exists()
