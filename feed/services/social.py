"""Writes for the social layer: comments, direct messages, and moderators hiding either.

Text a person writes is checked (``safety.services.text_check``) before the write's transaction
opens, as every text path does: a refusal that files an automatic report must not roll that report
back. The checks that decide *whether* someone may write are run again inside the transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from accounts.blocked import is_blocked_between
from accounts.models import Notification, User
from accounts.selectors.people import user_get_by_handle
from accounts.services.users import notify, require_can_write
from feed.models import Comment, CommentPolicy, Conversation, DirectMessage, Post
from feed.selectors import social as sel
from feed.selectors.posts import post_get_visible
from safety.models import ModerationAction
from safety.permissions import require_moderator
from safety.services.reports import close_reports
from safety.services.text_checks import text_check
from safety.watched import watched_match
from sora_site.text import clean_typed_text


def notify_person(*, recipient_id: int, actor: User, kind: str, text: str, url: str = "") -> None:
    """Tell someone what another person did: never about their own doing, and never across a
    block (either way)."""
    if recipient_id == actor.pk:
        return
    if is_blocked_between(recipient_id, actor):
        return
    notify(recipient_id=recipient_id, kind=kind, text=text, url=url, actor=actor)


def _clean_text(text: str | None, what: str) -> str:
    return clean_typed_text(text, empty_message=f"Write a {what} first.")


def _check_text(text: str, kind: str, user: User) -> str:
    """Refuse blocked text; return why it must wait for a moderator, or "" to show it at once."""
    moderation = text_check(text=text, kind=kind, user=user)
    word = watched_match(text)
    if word:
        return f"Contains the watched word “{word}”."
    if moderation == "hold":
        return "Our checks weren't sure about it."
    return ""


def _quote(text: str) -> str:
    return f"“{Truncator(text).chars(80)}”"


# --- Comments -----------------------------------------------------------------------------------


def _comment_target(
    author: User, post_id: int, parent_id: int | None
) -> tuple[Post, Comment | None]:
    """The post (404 unless visible, which also covers blocks either way) and the comment being
    replied to, after the poster's comment control."""
    post = post_get_visible(viewer=author, post_id=post_id)
    parent = None
    if parent_id is not None:
        parent = sel.comment_get_visible(viewer=author, comment_id=parent_id)
        if parent.post_id != post.pk:
            raise ValidationError("That comment belongs to another video. Reply on its page.")
        if parent.parent_id is not None:
            raise ValidationError("Replies go one level deep: reply to the comment above it.")
    refusal = sel.comment_refusal(user=author, post=post)
    if refusal:
        raise ValidationError(refusal)
    return post, parent


def comment_create(
    *, author: User, post_id: int, text: str, parent_id: int | None = None
) -> Comment:
    """Comment on a post, or reply to one of its top-level comments.

    Refused: a post the author can't see (404), the poster's comment control, empty, too long or
    blocked text, a suspended account. Text with a watched word, or that moderation holds, is
    saved hidden: only its author sees it until a moderator reviews it, and nobody is notified.
    """
    require_can_write(author)
    _comment_target(author, post_id, parent_id)
    text = _clean_text(text, "comment")
    hold = _check_text(text, "comment", author)
    return _comment_save(author=author, post_id=post_id, parent_id=parent_id, text=text, hold=hold)


@transaction.atomic
def _comment_save(
    *, author: User, post_id: int, parent_id: int | None, text: str, hold: str
) -> Comment:
    post, parent = _comment_target(author, post_id, parent_id)
    comment = Comment.objects.create(
        post=post, author=author, parent=parent, text=text,
        hidden_at=timezone.now() if hold else None, hidden_reason=hold,
    )  # fmt: skip
    if not hold:
        Post.objects.filter(pk=post.pk).update(comment_count=F("comment_count") + 1)
        _comment_notify(comment)
    return comment


def comment_url(comment: Comment) -> str:
    return f"{reverse('feed:post', args=[comment.post_id])}#comment-{comment.pk}"


def _comment_notify(comment: Comment) -> None:
    """The parent comment's author hears of a reply, the poster of a comment; one note each."""
    who, quote, url = f"@{comment.author.username}", _quote(comment.text), comment_url(comment)
    told = {comment.author_id}
    if comment.parent_id is not None and comment.parent.author_id not in told:
        notify_person(
            recipient_id=comment.parent.author_id, actor=comment.author, kind="reply",
            text=f"{who} replied to your comment: {quote}", url=url,
        )  # fmt: skip
        told.add(comment.parent.author_id)
    if comment.post.author_id not in told:
        notify_person(
            recipient_id=comment.post.author_id, actor=comment.author, kind="comment",
            text=f"{who} commented on your video: {quote}", url=url,
        )  # fmt: skip


def _uncount(post_id: int, shown: int) -> None:
    if shown:
        Post.objects.filter(pk=post_id).update(
            comment_count=Greatest(F("comment_count") - shown, 0)
        )


@transaction.atomic
def comment_remove(*, user: User, comment_id: int) -> Comment:
    """Its author or the video's poster removes a comment; its replies go with it."""
    comment = sel.comment_get_visible(viewer=user, comment_id=comment_id)
    if user.pk not in (comment.author_id, comment.post.author_id):
        raise PermissionDenied(
            "Only the person who wrote a comment or the video's poster can remove it."
        )
    gone = Comment.objects.filter(Q(pk=comment.pk) | Q(parent=comment), removed_at__isnull=True)
    shown = gone.filter(hidden_at__isnull=True).count()
    gone.update(removed_at=timezone.now())
    _uncount(comment.post_id, shown)
    return comment


@transaction.atomic
def post_comment_policy_set(*, user: User, post_id: int, policy: str) -> Post:
    """The poster chooses who may comment: everyone, people they follow, or nobody. Comments
    already made stay."""
    post = post_get_visible(viewer=user, post_id=post_id)
    if post.author_id != user.pk:
        raise PermissionDenied("Only the video's poster can choose who comments on it.")
    if policy not in CommentPolicy.values:
        raise ValidationError("Choose who may comment: everyone, people you follow, or nobody.")
    post.comment_policy = policy
    post.save(update_fields=["comment_policy"])
    return post


# --- Direct messages ----------------------------------------------------------------------------


def thread_url(username: str) -> str:
    return reverse("feed:thread", args=[username])


def _refuse_dm(sender: User, recipient: User) -> None:
    refusal = sel.dm_refusal(sender, recipient)
    if refusal:
        raise PermissionDenied(refusal)


def dm_send(*, sender: User, recipient_username: str, text: str) -> DirectMessage:
    """Send a direct message, starting the conversation the first time.

    ``dm_refusal`` decides who may message whom (PermissionDenied with its sentence); an unknown
    or closed account is a 404. Held text is saved hidden like a comment. The recipient is
    notified once per run of unread messages, not for every one.
    """
    require_can_write(sender)
    recipient = user_get_by_handle(username=recipient_username)
    _refuse_dm(sender, recipient)
    text = _clean_text(text, "message")
    hold = _check_text(text, "dm", sender)
    return _dm_save(sender=sender, recipient=recipient, text=text, hold=hold)


def _conversation_for(a: User, b: User) -> Conversation:
    low, high = sorted((a.pk, b.pk))
    try:
        with transaction.atomic():
            conversation, _ = Conversation.objects.get_or_create(user_low_id=low, user_high_id=high)
    except IntegrityError:  # both people wrote first at the same moment
        conversation = Conversation.objects.get(user_low_id=low, user_high_id=high)
    return conversation


@transaction.atomic
def _dm_save(*, sender: User, recipient: User, text: str, hold: str) -> DirectMessage:
    _refuse_dm(sender, recipient)
    conversation = _conversation_for(sender, recipient)
    already_waiting = DirectMessage.objects.filter(
        conversation=conversation, sender=sender, read_at__isnull=True, hidden_at__isnull=True
    ).exists()
    now = timezone.now()
    message = DirectMessage.objects.create(
        conversation=conversation, sender=sender, text=text,
        hidden_at=now if hold else None, hidden_reason=hold,
    )  # fmt: skip
    if not hold:
        conversation.last_message_at = now
        conversation.save(update_fields=["last_message_at"])
        if not already_waiting:
            _dm_notify(message, recipient.pk)
    return message


def _dm_notify(message: DirectMessage, recipient_id: int) -> None:
    notify_person(
        recipient_id=recipient_id, actor=message.sender, kind="dm",
        text=f"@{message.sender.username} sent you a message.",
        url=thread_url(message.sender.username),
    )  # fmt: skip


def dm_share_post(
    *, sender: User, recipient_username: str, post_id: int, note: str = ""
) -> DirectMessage:
    """Send someone a link to a post, with an optional note. The sender must be able to see the
    post (404 otherwise); the message is then an ordinary one, checked the same way."""
    post = post_get_visible(viewer=sender, post_id=post_id)
    handle = recipient_username.strip().lstrip("@")
    if not handle:
        raise ValidationError("Write the @handle of the person to send it to.")
    if not User.objects.filter(username__iexact=handle, is_active=True).exists():
        raise ValidationError(f"There's no one called @{handle} here. Check the spelling.")
    link = f"{settings.SORA_SITE_URL}{reverse('feed:post', args=[post.pk])}"
    text = f"{note.strip()}\n{link}".strip()
    return dm_send(sender=sender, recipient_username=handle, text=text)


@transaction.atomic
def conversation_mark_read(*, user: User, conversation: Conversation) -> int:
    """Mark what the other person sent as read, and the message notifications with it."""
    if user.pk not in (conversation.user_low_id, conversation.user_high_id):
        raise PermissionDenied("This isn't your conversation.")
    now = timezone.now()
    count = (
        DirectMessage.objects.filter(conversation=conversation, read_at__isnull=True)
        .exclude(sender=user)
        .update(read_at=now)
    )
    other_id = (
        conversation.user_high_id
        if conversation.user_low_id == user.pk
        else conversation.user_low_id
    )
    other = User.objects.get(pk=other_id)
    Notification.objects.filter(
        recipient=user, kind="dm", url=thread_url(other.username), read_at__isnull=True
    ).update(read_at=now)
    return count


# --- Moderators ---------------------------------------------------------------------------------


def _was_held(**target: object) -> bool:
    """Hidden by the automatic checks rather than by a moderator: nobody was told of it yet."""
    return not ModerationAction.objects.filter(kind=ModerationAction.Kind.HIDE, **target).exists()


@transaction.atomic
def moderation_comment_hide(*, moderator: User, comment_id: int, reason: str) -> object:
    """Hide a comment from everyone but its author; its open reports are resolved."""
    require_moderator(moderator)
    comment = Comment.objects.select_for_update().get(pk=comment_id)
    if comment.hidden_at is not None:
        raise ValidationError("This comment is already hidden.")
    if comment.removed_at is None:
        _uncount(comment.post_id, 1)
    comment.hidden_at = timezone.now()
    comment.hidden_reason = f"Hidden by a moderator: {reason}"[:300]
    comment.save(update_fields=["hidden_at", "hidden_reason"])
    close_reports("A moderator hid the comment you reported. Thank you.", comment=comment)
    notify(
        recipient_id=comment.author_id, kind="comment_hidden",
        text=f"A moderator hid your comment: {reason}", url=comment_url(comment),
    )  # fmt: skip
    return ModerationAction.objects.create(
        moderator=moderator, kind=ModerationAction.Kind.HIDE, reason=reason,
        target_user_id=comment.author_id, comment=comment,
    )  # fmt: skip


@transaction.atomic
def moderation_comment_restore(*, moderator: User, comment_id: int, reason: str) -> object:
    """Show a hidden comment again. One that the checks held is announced to the poster now,
    since nobody was told of it when it was written."""
    require_moderator(moderator)
    comment = (
        Comment.objects.select_for_update().select_related("post", "author").get(pk=comment_id)
    )
    if comment.hidden_at is None:
        raise ValidationError("This comment isn't hidden.")
    held = _was_held(comment=comment)
    comment.hidden_at, comment.hidden_reason = None, ""
    comment.save(update_fields=["hidden_at", "hidden_reason"])
    if comment.removed_at is None:
        Post.objects.filter(pk=comment.post_id).update(comment_count=F("comment_count") + 1)
        if held:
            _comment_notify(comment)
    notify(
        recipient_id=comment.author_id, kind="comment_restored",
        text="A moderator reviewed your comment. Everyone can see it now.",
        url=comment_url(comment),
    )  # fmt: skip
    return ModerationAction.objects.create(
        moderator=moderator, kind=ModerationAction.Kind.RESTORE, reason=reason,
        target_user_id=comment.author_id, comment=comment,
    )  # fmt: skip


def _recipient_id(message: DirectMessage) -> int:
    conversation = message.conversation
    if conversation.user_low_id == message.sender_id:
        return conversation.user_high_id
    return conversation.user_low_id


@transaction.atomic
def moderation_message_hide(*, moderator: User, message_id: int, reason: str) -> object:
    """Hide a direct message from its recipient; its open reports are resolved."""
    require_moderator(moderator)
    message = (
        DirectMessage.objects.select_for_update().select_related("conversation").get(pk=message_id)
    )
    if message.hidden_at is not None:
        raise ValidationError("This message is already hidden.")
    message.hidden_at = timezone.now()
    message.hidden_reason = f"Hidden by a moderator: {reason}"[:300]
    message.save(update_fields=["hidden_at", "hidden_reason"])
    close_reports("A moderator hid the message you reported. Thank you.", message=message)
    notify(
        recipient_id=message.sender_id, kind="message_hidden",
        text=f"A moderator hid a message you sent: {reason}",
    )  # fmt: skip
    return ModerationAction.objects.create(
        moderator=moderator, kind=ModerationAction.Kind.HIDE, reason=reason,
        target_user_id=message.sender_id, message=message,
    )  # fmt: skip


@transaction.atomic
def moderation_message_restore(*, moderator: User, message_id: int, reason: str) -> object:
    """Show a hidden message to its recipient, who is told of it if the checks had held it."""
    require_moderator(moderator)
    message = (
        DirectMessage.objects.select_for_update()
        .select_related("conversation", "sender")
        .get(pk=message_id)
    )
    if message.hidden_at is None:
        raise ValidationError("This message isn't hidden.")
    held = _was_held(message=message)
    message.hidden_at, message.hidden_reason = None, ""
    message.save(update_fields=["hidden_at", "hidden_reason"])
    Conversation.objects.filter(pk=message.conversation_id).update(last_message_at=timezone.now())
    if held:
        _dm_notify(message, _recipient_id(message))
    notify(
        recipient_id=message.sender_id, kind="message_restored",
        text="A moderator reviewed your message and delivered it.",
    )  # fmt: skip
    return ModerationAction.objects.create(
        moderator=moderator, kind=ModerationAction.Kind.RESTORE, reason=reason,
        target_user_id=message.sender_id, message=message,
    )  # fmt: skip


# --- Notifications for likes and remixes (called from feed.services.posts) ----------------------


def notify_like(*, post: Post, user: User) -> None:
    """Tell the poster of a like; liking, unliking and liking again tells them once."""
    text = f"@{user.username} liked your video."
    url = reverse("feed:post", args=[post.pk])
    if Notification.objects.filter(
        recipient_id=post.author_id, kind="like", text=text, url=url, read_at__isnull=True
    ).exists():
        return
    notify_person(recipient_id=post.author_id, actor=user, kind="like", text=text, url=url)


def notify_remix(post: Post) -> None:
    """Tell the original's poster that a remix of their video was published."""
    original = post.job.remix_of
    if original is None:
        return
    notify_person(
        recipient_id=original.author_id, actor=post.author, kind="remix",
        text=f"@{post.author.username} remixed your video.",
        url=reverse("feed:post", args=[post.pk]),
    )  # fmt: skip
