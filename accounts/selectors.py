from __future__ import annotations

from django.shortcuts import get_object_or_404

from accounts.models import User


def user_get_by_handle(*, username: str) -> User:
    return get_object_or_404(User, username__iexact=username, is_active=True)
