from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from accounts.selectors.people import unread_count


def site(request: HttpRequest) -> dict[str, Any]:
    context: dict[str, Any] = {"SITE_NAME": settings.SITE_NAME}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context["UNREAD_NOTIFICATIONS"] = unread_count(user=user)
    return context
