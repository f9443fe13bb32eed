"""Who is blocked between whom: the one place the block rule is read.

A block works both ways for what people see of each other (posts, profiles, notifications,
cameos, reports), and one way for what it says: "You blocked @x" to the blocker, a plain refusal
to the blocked. Every check in the site goes through these four functions.
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, Q, QuerySet

from accounts.models import Block, User

M = TypeVar("M", bound=Model)


def _pk(person: User | int) -> int:
    return person if isinstance(person, int) else person.pk


def has_blocked(blocker: User | int, blocked: User | int) -> bool:
    """True when ``blocker`` blocked ``blocked`` (one way)."""
    return Block.objects.filter(blocker_id=_pk(blocker), blocked_id=_pk(blocked)).exists()


def is_blocked_between(a: User | int, b: User | int) -> bool:
    """True when either person blocked the other."""
    a, b = _pk(a), _pk(b)
    return Block.objects.filter(
        Q(blocker_id=a, blocked_id=b) | Q(blocker_id=b, blocked_id=a)
    ).exists()


def blocked_ids(viewer: User) -> set[int]:
    """The people this viewer blocked or who blocked them; none for a visitor."""
    if not viewer.is_authenticated:
        return set()
    blocked = Block.objects.filter(blocker=viewer).values_list("blocked_id", flat=True)
    blockers = Block.objects.filter(blocked=viewer).values_list("blocker_id", flat=True)
    return set(blocked) | set(blockers)


def without_blocked(qs: QuerySet[M], viewer: User, field: str = "author") -> QuerySet[M]:
    """``qs`` less the rows whose ``field`` blocked the viewer or was blocked by them, as two
    subqueries in the same SQL statement."""
    if not viewer.is_authenticated:
        return qs
    return qs.exclude(
        **{f"{field}__in": Block.objects.filter(blocker=viewer).values("blocked")}
    ).exclude(**{f"{field}__in": Block.objects.filter(blocked=viewer).values("blocker")})
