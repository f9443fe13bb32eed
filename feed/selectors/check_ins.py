"""When a wellbeing check-in is due (``feed.services.wellbeing`` asks them and keeps the
answers). A read: the feed page folds its four values into the query it makes for the viewer's
preference (``feed.selectors.posts``), and other pages ask ``due_kinds`` on its own.

Activity is days with watch time (``WatchDay`` rows with seconds, counted by the player's
heartbeat): the check-in asks how *using* the app feels, and watching the feed is the use a
worse answer changes. Days spent only creating don't count.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from feed.models import CheckIn, WatchDay
from feed.prepared import Prepared
from feed.selectors.budget import today

Kind = CheckIn.Kind

WEEKLY_ACTIVE_DAYS = 7
WEEKLY_EVERY = dt.timedelta(days=7)
MONTHLY_AFTER_SIGNUP = dt.timedelta(days=30)
MONTHLY_EVERY = dt.timedelta(days=30)

# What ``due_kinds`` decides by: days with watch time, the last of them, the last check-in of
# either kind and the last monthly one.
DueRow = tuple[int | None, dt.date | None, dt.datetime | None, dt.datetime | None]
DUE_COLUMNS = ("due_active_days", "due_last_watched", "due_last_any", "due_last_monthly")


def _count(qs: Any) -> Coalesce:
    counted = qs.order_by().values("user").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _newest(qs: Any) -> Subquery:
    return Subquery(qs.order_by("-created_at").values("created_at")[:1])


def due_columns(user_ref: str) -> dict[str, Any]:
    """``DUE_COLUMNS`` as subqueries on the person whose id is the outer query's ``user_ref``."""
    watched = WatchDay.objects.filter(user=OuterRef(user_ref), seconds__gt=0)
    check_ins = CheckIn.objects.filter(user=OuterRef(user_ref))
    return {
        "due_active_days": _count(watched),
        "due_last_watched": Subquery(watched.order_by("-day").values("day")[:1]),
        "due_last_any": _newest(check_ins),
        "due_last_monthly": _newest(check_ins.filter(kind=Kind.MONTHLY)),
    }


# Asked on pages besides the feed: compiled once (``feed.prepared``), then only run.
_DUE = Prepared(
    lambda user_id: (
        User.objects.filter(pk=user_id).annotate(**due_columns("pk")).values_list(*DUE_COLUMNS)
    ),
    list_size=0,
)


def due_row(user: Any) -> DueRow | None:
    found = _DUE.rows(user_id=user.pk)
    return found[0] if found else None


def due_kinds(user: Any, now: dt.datetime | None = None, *, row: DueRow | None = None) -> set[str]:
    """Which check-ins are due, in one query, or none when the caller read ``row`` already
    (the feed page does, with the viewer's preference).

    Weekly: watch time on at least 7 different days, and no check-in of either kind in the last
    7 days (a monthly one stands for that week's, so two cards never come one after the other).
    Monthly: the account is at least 30 days old, has watch time in the last 30 days, and has
    no monthly check-in in the last 30 days. Answered and dismissed count alike."""
    if not getattr(user, "is_authenticated", False):
        return set()
    now = now or timezone.now()
    found = row if row is not None else due_row(user)
    if found is None:
        return set()
    active_days, last_watched, last_any, last_monthly = found
    month_start = today(user, now) - dt.timedelta(days=29)
    kinds = set()
    if (active_days or 0) >= WEEKLY_ACTIVE_DAYS and _waited(last_any, now, WEEKLY_EVERY):
        kinds.add(Kind.WEEKLY)
    if (
        user.date_joined <= now - MONTHLY_AFTER_SIGNUP
        and last_watched is not None
        and last_watched >= month_start
        and _waited(last_monthly, now, MONTHLY_EVERY)
    ):
        kinds.add(Kind.MONTHLY)
    return kinds


def _waited(last: dt.datetime | None, now: dt.datetime, period: dt.timedelta) -> bool:
    return last is None or last <= now - period


def check_in_due(
    user: Any, now: dt.datetime | None = None, *, row: DueRow | None = None
) -> str | None:
    """The check-in to show now, or None; monthly wins when both are due. Never for visitors."""
    kinds = due_kinds(user, now, row=row)
    if Kind.MONTHLY in kinds:
        return Kind.MONTHLY
    if Kind.WEEKLY in kinds:
        return Kind.WEEKLY
    return None
