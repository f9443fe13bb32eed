from __future__ import annotations

from django.shortcuts import get_object_or_404

from accounts.models import User


def user_get_by_handle(*, username: str) -> User:
    return get_object_or_404(User, username__iexact=username, is_active=True)


def is_blocked_between(a: User, b: User) -> bool:
    """True when either person blocked the other."""
    from django.db.models import Q

    from accounts.models import Block

    return Block.objects.filter(Q(blocker=a, blocked=b) | Q(blocker=b, blocked=a)).exists()


def are_mutuals(a: User, b: User) -> bool:
    from accounts.models import Follow

    return (
        Follow.objects.filter(follower=a, followee=b).exists()
        and Follow.objects.filter(follower=b, followee=a).exists()
    )


def notifications_for(*, user: User, limit: int = 100) -> list:
    from accounts.models import Notification

    return list(Notification.objects.filter(recipient=user)[:limit])


def unread_count(*, user: User) -> int:
    from accounts.models import Notification

    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
