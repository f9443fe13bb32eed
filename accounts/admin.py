from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import User
from safety.admin import SuspendActionForm, ban_accounts, suspend_accounts


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "email", "is_teen", "is_active", "suspended_until", "date_joined")
    list_filter = ("is_teen", "is_staff", "is_active", "groups")
    action_form = SuspendActionForm
    actions = [suspend_accounts, ban_accounts]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Profile", {"fields": ("birthdate", "is_teen", "bio", "suspended_until")}),
    )
