"""Who is a moderator: the one place the rule is written.

A moderator is an active account with ``safety.add_moderationaction``, which the ``moderators``
group grants. Services call ``require_moderator`` before they act; pages, admin and media
access ask ``is_moderator``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

MODERATOR_PERMISSION = "safety.add_moderationaction"


def is_moderator(user: Any) -> bool:
    """True for an active account with the moderator permission; False for visitors."""
    return bool(getattr(user, "is_active", False)) and user.has_perm(MODERATOR_PERMISSION)


def require_moderator(user: Any) -> None:
    """Refuse anyone who isn't a moderator."""
    if not is_moderator(user):
        raise PermissionDenied("Only moderators can act on reports and held videos.")
