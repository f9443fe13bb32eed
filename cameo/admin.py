from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from cameo.models import Cameo, CameoGrant, CameoUse, ConsentEvent


@admin.register(Cameo)
class CameoAdmin(admin.ModelAdmin):
    list_display = ("owner", "display_name", "state", "permission", "approve_each_video")
    list_filter = ("state", "permission", "protect_likeness")
    search_fields = ("owner__username", "display_name")
    raw_id_fields = ("owner",)
    # Face data is never shown or edited by hand.
    exclude = ("embedding",)
    readonly_fields = ("state", "rejection_reason", "verified_at")


@admin.register(CameoGrant)
class CameoGrantAdmin(admin.ModelAdmin):
    list_display = ("cameo", "grantee", "state", "expires_at", "decided_at")
    list_filter = ("state",)
    raw_id_fields = ("cameo", "grantee")


@admin.register(ConsentEvent)
class ConsentEventAdmin(admin.ModelAdmin):
    """The audit log: readable, never editable."""

    list_display = ("created_at", "action", "cameo_owner", "actor", "subject")
    list_filter = ("action",)
    search_fields = ("cameo_owner__username", "actor__username", "subject__username")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(CameoUse)
class CameoUseAdmin(admin.ModelAdmin):
    list_display = ("job", "cameo", "state", "created_at", "decided_at")
    list_filter = ("state",)
    raw_id_fields = ("job", "cameo", "grant")
