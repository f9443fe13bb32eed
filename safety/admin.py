from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from safety.models import LikenessMatch, PublicFigure, Report, VideoScan


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
