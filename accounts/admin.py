from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest

from accounts.models import (
    AccountDeletion,
    LimitExtensionRequest,
    ParentChange,
    ParentLink,
    TeenSettings,
    User,
)
from safety.admin import (
    SuspendActionForm,
    ban_accounts,
    strike_accounts,
    suspend_accounts,
    warn_accounts,
)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "email", "is_teen", "is_active", "suspended_until", "date_joined")
    list_filter = ("is_teen", "is_staff", "is_active", "groups")
    action_form = SuspendActionForm
    actions = [warn_accounts, strike_accounts, suspend_accounts, ban_accounts]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Profile", {"fields": ("birthdate", "is_teen", "timezone", "bio", "suspended_until")}),
    )


class _ReadOnlyAdmin(admin.ModelAdmin):
    """Audit and log rows: written by services, read here, never edited."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(TeenSettings)
class TeenSettingsAdmin(_ReadOnlyAdmin):
    list_display = (
        "user", "daily_limit_minutes", "quiet_start", "quiet_end", "dms_enabled", "personalised",
        "cameo_cap", "comments_from", "remixes_from", "updated_at",
    )  # fmt: skip
    search_fields = ("user__username",)


@admin.register(ParentLink)
class ParentLinkAdmin(_ReadOnlyAdmin):
    list_display = ("parent", "teen", "created_at", "accepted_at", "ended_at", "end_reason")
    list_filter = ("end_reason",)
    search_fields = ("parent__username", "teen__username")
    exclude = ("code",)  # a live code would let anyone reading admin link to the parent


@admin.register(ParentChange)
class ParentChangeAdmin(_ReadOnlyAdmin):
    list_display = ("teen", "field", "old_value", "new_value", "created_at")
    search_fields = ("teen__username",)


@admin.register(LimitExtensionRequest)
class LimitExtensionRequestAdmin(_ReadOnlyAdmin):
    list_display = ("teen", "day", "minutes", "state", "created_at", "decided_at")
    list_filter = ("state",)


@admin.register(AccountDeletion)
class AccountDeletionAdmin(_ReadOnlyAdmin):
    list_display = ("user_id", "deleted_at", "was_teen", "files_deleted")
    search_fields = ("=user_id", "=username_digest")
