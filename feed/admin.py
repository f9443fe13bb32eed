from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from feed import social
from feed.models import Comment, DirectMessage, Like, Post
from safety.admin import ReasonActionForm, moderation_action

# CheckIn and WellbeingChange have no admin pages on purpose: a check-in's answer and note are
# private to the person. Staff see only totals, on the wellbeing report at /admin/wellbeing/
# (``feed.admin_wellbeing``), linked from the admin index.


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ("id", "author", "created_at", "like_count")
    search_fields = ("author__username", "job__prompt", "caption")
    raw_id_fields = ("author", "job")
    date_hierarchy = "created_at"


@admin.register(Like)
class LikeAdmin(admin.ModelAdmin):
    list_display = ("user", "post", "created_at")
    raw_id_fields = ("user", "post")


def _is_moderator(request: HttpRequest) -> bool:
    return request.user.is_active and request.user.has_perm("safety.add_moderationaction")


class _ModeratedText(admin.ModelAdmin):
    """Moderators read and act on comments and messages here; nobody edits or deletes the text.
    Access follows the moderator permission (``safety.add_moderationaction``), so other staff
    see nothing, and every change goes through a service that writes the moderation log."""

    action_form = ReasonActionForm

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return _is_moderator(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_moderator(request) or super().has_module_permission(request)

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
        from safety.models import ModerationAction

        acted_on = ModerationAction.objects.filter(message__isnull=False).values("message_id")
        seen = Q(hidden_at__isnull=False) | Q(reports__isnull=False) | Q(pk__in=acted_on)
        return super().get_queryset(request).filter(seen).distinct()
