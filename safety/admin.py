from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest

from safety import services
from safety.models import LikenessMatch, ModerationAction, PublicFigure, Report, VideoScan


class _ReadOnly(admin.ModelAdmin):
    """Scans are a record of what the machine decided: moderators read them, nobody edits."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class LikenessMatchInline(admin.TabularInline):
    model = LikenessMatch
    fields = ("cameo_owner", "cameo", "distance", "frame_index")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(VideoScan)
class VideoScanAdmin(_ReadOnly):
    list_display = (
        "created_at", "job", "outcome", "frames_scanned", "faces_found", "protected_cameos",
        "seconds",
    )  # fmt: skip
    list_filter = ("outcome",)
    search_fields = ("job__creator__username", "job__prompt")
    date_hierarchy = "created_at"
    inlines = [LikenessMatchInline]


@admin.register(LikenessMatch)
class LikenessMatchAdmin(_ReadOnly):
    list_display = ("created_at", "cameo_owner", "scan", "distance", "frame_index")
    search_fields = ("cameo_owner__username", "scan__job__creator__username")


@admin.register(PublicFigure)
class PublicFigureAdmin(admin.ModelAdmin):
    """Operators keep the protected names here; moderators may read them."""

    list_display = ("name", "aliases", "account", "note", "created_at")
    search_fields = ("name", "aliases", "note")
    raw_id_fields = ("account",)


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """The report queue. Acting on reports (remove, warn, strike, suspend) comes with the
    moderation console; for now moderators read, filter and close them."""

    list_display = ("created_at", "reason", "target", "status", "reporter", "reported_user",
                    "duplicates", "automatic")  # fmt: skip
    list_filter = ("status", "reason", "target", "automatic")
    search_fields = ("reporter__username", "reported_user__username", "note")
    raw_id_fields = ("reporter", "reported_user", "job")
    readonly_fields = ("reporter", "automatic", "target", "job", "reported_user", "reason",
                       "note", "duplicates", "created_at")  # fmt: skip


class ReasonActionForm(ActionForm):
    """Every moderation action says why: the reason goes into the audit log and to the person."""

    reason = forms.CharField(
        required=False, max_length=300, label="Why",
        widget=forms.TextInput(attrs={"size": 40}),
    )  # fmt: skip


def run_moderation(
    modeladmin: admin.ModelAdmin, request: HttpRequest, items: Any, act: Callable[..., Any]
) -> None:
    """Apply ``act(moderator=, obj=, reason=)`` to each item, reporting each refusal."""
    reason = request.POST.get("reason", "").strip()
    if not reason:
        modeladmin.message_user(request, "Write why in the Why box first.", messages.ERROR)
        return
    done = 0
    for obj in items:
        try:
            act(moderator=request.user, obj=obj, reason=reason)
            done += 1
        except (ValidationError, PermissionDenied) as exc:
            text = " ".join(getattr(exc, "messages", [str(exc)]))
            modeladmin.message_user(request, f"{obj}: {text}", messages.ERROR)
    if done:
        modeladmin.message_user(request, f"Done for {done}. Each is in the moderation log.")


@admin.action(description="Remove the reported video")
def remove_reported_video(modeladmin: admin.ModelAdmin, request: HttpRequest, qs: Any) -> None:
    def act(*, moderator: Any, obj: Report, reason: str) -> None:
        if obj.job_id is None:
            raise ValidationError("This report has no video.")
        services.moderation_remove_video(moderator=moderator, job_id=obj.job_id, reason=reason)

    run_moderation(modeladmin, request, qs, act)


@admin.action(description="Release the reported video's hold")
def release_reported_video(modeladmin: admin.ModelAdmin, request: HttpRequest, qs: Any) -> None:
    def act(*, moderator: Any, obj: Report, reason: str) -> None:
        if obj.job_id is None:
            raise ValidationError("This report has no video.")
        services.moderation_release_hold(moderator=moderator, job_id=obj.job_id, reason=reason)

    run_moderation(modeladmin, request, qs, act)


@admin.action(description="Dismiss the report")
def dismiss_report(modeladmin: admin.ModelAdmin, request: HttpRequest, qs: Any) -> None:
    def act(*, moderator: Any, obj: Report, reason: str) -> None:
        services.report_dismiss(moderator=moderator, report_id=obj.pk, reason=reason)

    run_moderation(modeladmin, request, qs, act)


ReportAdmin.action_form = ReasonActionForm
ReportAdmin.actions = [remove_reported_video, release_reported_video, dismiss_report]


@admin.register(ModerationAction)
class ModerationActionAdmin(admin.ModelAdmin):
    """The moderation log: filterable, never editable."""

    list_display = ("created_at", "kind", "moderator", "target_user", "job", "report", "reason")
    list_filter = ("kind", "moderator")
    search_fields = ("reason", "target_user__username", "moderator__username")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.action(description="Release the hold")
def release_job_hold(modeladmin: admin.ModelAdmin, request: HttpRequest, qs: Any) -> None:
    def act(*, moderator: Any, obj: Any, reason: str) -> None:
        services.moderation_release_hold(moderator=moderator, job_id=obj.pk, reason=reason)

    run_moderation(modeladmin, request, qs, act)


@admin.action(description="Remove the video")
def remove_job_video(modeladmin: admin.ModelAdmin, request: HttpRequest, qs: Any) -> None:
    def act(*, moderator: Any, obj: Any, reason: str) -> None:
        services.moderation_remove_video(moderator=moderator, job_id=obj.pk, reason=reason)

    run_moderation(modeladmin, request, qs, act)


class SuspendActionForm(ReasonActionForm):
    days = forms.IntegerField(required=False, label="Days", initial=7)


@admin.action(description="Suspend for the number of days given")
def suspend_accounts(modeladmin: admin.ModelAdmin, request: HttpRequest, qs: Any) -> None:
    try:
        days = int(request.POST.get("days") or 0)
    except ValueError:
        days = 0

    def act(*, moderator: Any, obj: Any, reason: str) -> None:
        services.moderation_suspend(moderator=moderator, user_id=obj.pk, days=days, reason=reason)

    run_moderation(modeladmin, request, qs, act)


@admin.action(description="Ban (close the account; its posts leave every feed)")
def ban_accounts(modeladmin: admin.ModelAdmin, request: HttpRequest, qs: Any) -> None:
    def act(*, moderator: Any, obj: Any, reason: str) -> None:
        services.moderation_ban(moderator=moderator, user_id=obj.pk, reason=reason)

    run_moderation(modeladmin, request, qs, act)
