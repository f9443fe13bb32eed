"""Posts, likes, comments and messages in Django admin: read-only for everyone, superusers too.

Deleting a post here is removed (no delete page, no "Delete selected") and replaced by the "Take
down" action, which calls ``safety.services.reports.moderation_remove_video``: the one takedown
(``generation.services.takedown``) takes the post off every page, writes the ModerationAction in
the same transaction and deletes the video's files through a job. Comments and messages are hidden
and restored through ``feed.services.social``'s moderation services, which log each action too.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from feed.models import Comment, DirectMessage, Like, Post
from feed.services import social
from safety.admin import ReasonActionForm, ServicesOnlyAdmin, moderation_action, remove_post_video
from safety.models import ModerationAction
from safety.permissions import is_moderator

# CheckIn and WellbeingChange have no admin pages on purpose: a check-in's answer and note are
# private to the person. Staff see only totals, on the wellbeing report at /admin/wellbeing/
# (``feed.admin_wellbeing``), linked from the admin index.


@admin.register(Post)
class PostAdmin(ServicesOnlyAdmin):
    list_display = ("id", "author", "created_at", "like_count")
    search_fields = ("author__username", "job__prompt", "caption")
    date_hierarchy = "created_at"
    fields = ("author", "job", "prompt", "caption", "comment_policy", "like_count",
              "comment_count", "created_at")  # fmt: skip
    readonly_fields = ("prompt", "created_at")
    action_form = ReasonActionForm
    actions = [remove_post_video]

    @admin.display(description="Prompt")
    def prompt(self, obj: Post) -> str:
        return obj.job.prompt


@admin.register(Like)
class LikeAdmin(ServicesOnlyAdmin):
    list_display = ("user", "post", "created_at")


class _ModeratedText(ServicesOnlyAdmin):
    """Moderators read and act on comments and messages here; nobody edits or deletes the text.
    Access follows the moderator permission (``safety.add_moderationaction``), so other staff
    see nothing, and every change goes through a service that writes the moderation log."""

    action_form = ReasonActionForm

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return is_moderator(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_moderator(request.user) or super().has_module_permission(request)

    @admin.display(boolean=True, description="Hidden")
    def is_hidden(self, obj: Any) -> bool:
        return obj.hidden_at is not None


hide_comments = moderation_action(
    "hide_comments", "Hide (only its author sees it)",
    lambda mod, row, why, _: social.moderation_comment_hide(
        moderator=mod, comment_id=row.pk, reason=why
    ),
)  # fmt: skip


restore_comments = moderation_action(
    "restore_comments", "Restore (show it again)",
    lambda mod, row, why, _: social.moderation_comment_restore(
        moderator=mod, comment_id=row.pk, reason=why
    ),
)  # fmt: skip


@admin.register(Comment)
class CommentAdmin(_ModeratedText):
    list_display = ("created_at", "author", "post", "text", "is_hidden", "hidden_reason")
    list_filter = (
        ("hidden_at", admin.EmptyFieldListFilter),
        ("removed_at", admin.EmptyFieldListFilter),
    )
    search_fields = ("author__username", "text")
    list_select_related = ("author", "post")
    readonly_fields = ("post", "author", "parent", "text", "created_at", "hidden_at",
                       "hidden_reason", "removed_at")  # fmt: skip
    actions = [hide_comments, restore_comments]


hide_messages = moderation_action(
    "hide_messages", "Hide (the recipient no longer sees it)",
    lambda mod, row, why, _: social.moderation_message_hide(
        moderator=mod, message_id=row.pk, reason=why
    ),
)  # fmt: skip


restore_messages = moderation_action(
    "restore_messages", "Restore (deliver it)",
    lambda mod, row, why, _: social.moderation_message_restore(
        moderator=mod, message_id=row.pk, reason=why
    ),
)  # fmt: skip


@admin.register(DirectMessage)
class DirectMessageAdmin(_ModeratedText):
    """Messages are private: moderators see only those that were reported, held by the checks or
    acted on by a moderator, never a whole inbox."""

    list_display = ("created_at", "sender", "text", "is_hidden", "hidden_reason")
    list_filter = (("hidden_at", admin.EmptyFieldListFilter),)
    search_fields = ("sender__username", "text")
    list_select_related = ("sender",)
    readonly_fields = ("conversation", "sender", "text", "created_at", "read_at", "hidden_at",
                       "hidden_reason")  # fmt: skip
    actions = [hide_messages, restore_messages]

    def get_queryset(self, request: HttpRequest) -> QuerySet[DirectMessage]:
        acted_on = ModerationAction.objects.filter(message__isnull=False).values("message_id")
        seen = Q(hidden_at__isnull=False) | Q(reports__isnull=False) | Q(pk__in=acted_on)
        return super().get_queryset(request).filter(seen).distinct()
