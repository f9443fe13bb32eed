"""Accounts in Django admin.

Moderators read accounts and act on them only through the actions (warn, strike, suspend, ban, lift
a suspension or ban), which call ``safety.services.reports`` / ``safety.services.console`` and write
a ModerationAction. Superusers may still edit the operator's side of an account (name, email,
password, staff status and groups), but not what a service guards: a suspension, a ban
(``is_active``), the birthdate and teen status the age checks set, or the bio that text moderation
checks. Those are read-only here, and change only through the same actions.

Adding and deleting accounts is removed, for superusers too: people sign up on the site, where the
age check runs, and an account is deleted by its owner
(``accounts.services.deletion.account_delete``, which deletes its files and writes an
AccountDeletion) or closed with the "Ban" action. Parent links, teen settings and the logs are
read-only.
"""

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
    ServicesOnlyAdmin,
    SuspendActionForm,
    ban_accounts,
    reinstate_accounts,
    strike_accounts,
    suspend_accounts,
    warn_accounts,
)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "email", "is_teen", "is_active", "suspended_until", "date_joined")
    list_filter = ("is_teen", "is_staff", "is_active", "groups")
    action_form = SuspendActionForm
    actions = [warn_accounts, strike_accounts, suspend_accounts, ban_accounts, reinstate_accounts]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Profile", {"fields": ("birthdate", "is_teen", "timezone", "bio", "suspended_until")}),
    )
    readonly_fields = ("is_active", "suspended_until", "birthdate", "is_teen", "bio")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(TeenSettings)
class TeenSettingsAdmin(ServicesOnlyAdmin):
    list_display = (
        "user", "daily_limit_minutes", "quiet_start", "quiet_end", "dms_enabled", "personalised",
        "cameo_cap", "comments_from", "remixes_from", "updated_at",
    )  # fmt: skip
    search_fields = ("user__username",)


@admin.register(ParentLink)
class ParentLinkAdmin(ServicesOnlyAdmin):
    list_display = ("parent", "teen", "created_at", "accepted_at", "ended_at", "end_reason")
    list_filter = ("end_reason",)
    search_fields = ("parent__username", "teen__username")
    exclude = ("code",)  # a live code would let anyone reading admin link to the parent


@admin.register(ParentChange)
class ParentChangeAdmin(ServicesOnlyAdmin):
    list_display = ("teen", "field", "old_value", "new_value", "created_at")
    search_fields = ("teen__username",)


@admin.register(LimitExtensionRequest)
class LimitExtensionRequestAdmin(ServicesOnlyAdmin):
    list_display = ("teen", "day", "minutes", "state", "created_at", "decided_at")
    list_filter = ("state",)


@admin.register(AccountDeletion)
class AccountDeletionAdmin(ServicesOnlyAdmin):
    list_display = ("user_id", "deleted_at", "was_teen", "files_deleted")
    search_fields = ("=user_id", "=username_digest")
