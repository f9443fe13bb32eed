"""Who follows whom, read at the bottom of the accounts app: the people selectors and the teen
rules both ask it, so neither has to import the other."""

from __future__ import annotations

from accounts.models import Follow, User


def are_mutuals(a: User, b: User) -> bool:
    return (
        Follow.objects.filter(follower=a, followee=b).exists()
        and Follow.objects.filter(follower=b, followee=a).exists()
    )
