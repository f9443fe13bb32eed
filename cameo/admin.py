"""Cameos, grants, uses and the consent log in Django admin: read-only for everyone, superusers
too.

Consent belongs to the cameo's owner: only their own pages change a cameo's settings, decide or
revoke a grant, or approve a video, through ``cameo.services.consent``, which write the ConsentEvent
and take down what lost consent. Deleting here is removed (no delete page, no "Delete selected"); a
video made with a cameo is taken down from the video jobs' or posts' admin with "Remove the video",
which goes through the one takedown and writes a ModerationAction.
"""

from __future__ import annotations

from django.contrib import admin

from cameo.models import Cameo, CameoGrant, CameoUse, ConsentEvent
from safety.admin import ServicesOnlyAdmin


@admin.register(Cameo)
class CameoAdmin(ServicesOnlyAdmin):
    list_display = ("owner", "display_name", "state", "permission", "approve_each_video")
    list_filter = ("state", "permission", "protect_likeness")
    search_fields = ("owner__username", "display_name")
    # Face data is never shown.
    exclude = ("embedding",)


@admin.register(CameoGrant)
class CameoGrantAdmin(ServicesOnlyAdmin):
    list_display = ("cameo", "grantee", "state", "expires_at", "decided_at")
    list_filter = ("state",)


@admin.register(ConsentEvent)
class ConsentEventAdmin(ServicesOnlyAdmin):
    """The audit log: readable, never editable."""

    list_display = ("created_at", "action", "cameo_owner", "actor", "subject")
    list_filter = ("action",)
    search_fields = ("cameo_owner__username", "actor__username", "subject__username")


@admin.register(CameoUse)
class CameoUseAdmin(ServicesOnlyAdmin):
    list_display = ("job", "cameo", "state", "created_at", "decided_at")
    list_filter = ("state",)
