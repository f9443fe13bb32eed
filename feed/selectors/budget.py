"""The daily time budget as the feed reads it: today's limit, watch time and what is left.

Days follow the person's own timezone, or the server's TIME_ZONE when theirs is unknown. The
writes (setting the limit, extending it, the player's heartbeat) are in ``feed.services.budget``.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.utils import timezone

from accounts.models import User
from accounts.selectors.teens import teen_rules
from feed.models import FeedPreference, WatchDay


@dataclass(frozen=True)
class DailyLimit:
    """Today's limit in minutes, and where it comes from. ``extra_minutes`` is the part of
    ``minutes`` a parent gave a teen for today only; ``from_teen_account`` says the teen
    account's limit binds (not a lower one the person set themselves)."""

    minutes: int | None
    extra_minutes: int = 0
    from_teen_account: bool = False


@dataclass(frozen=True)
class BudgetStatus:
    """Today's limit and watch time for one person."""

    limit_minutes: int | None
    watched_seconds: int
    extensions: int
    is_teen: bool
    extra_minutes: int = 0
    from_teen_account: bool = False

    @property
    def daily_minutes(self) -> int | None:
        """The everyday limit, without a parent's extra minutes for today."""
        if self.limit_minutes is None:
            return None
        return self.limit_minutes - self.extra_minutes

    @property
    def allowed_seconds(self) -> int | None:
        if self.limit_minutes is None:
            return None
        extra = self.extensions * settings.SORA_BUDGET_EXTENSION_MINUTES
        return (self.limit_minutes + extra) * 60

    @property
    def allowed_minutes(self) -> int | None:
        allowed = self.allowed_seconds
        return None if allowed is None else allowed // 60

    @property
    def reached(self) -> bool:
        allowed = self.allowed_seconds
        return allowed is not None and self.watched_seconds >= allowed

    @property
    def remaining_minutes(self) -> int | None:
        allowed = self.allowed_seconds
        if allowed is None:
            return None
        return max(0, (allowed - self.watched_seconds + 59) // 60)

    @property
    def watched_minutes(self) -> int:
        return self.watched_seconds // 60

    @property
    def extensions_left(self) -> int:
        return max(0, settings.SORA_BUDGET_EXTENSIONS - self.extensions)

    @property
    def can_extend(self) -> bool:
        return self.limit_minutes is not None and not self.is_teen and self.extensions_left > 0

    @property
    def extension_minutes(self) -> int:
        return settings.SORA_BUDGET_EXTENSION_MINUTES


def today(user: User, now: dt.datetime | None = None) -> dt.date:
    """The person's calendar day: in their own timezone when they have a valid one, otherwise
    in the server's TIME_ZONE."""
    return timezone.localdate(now or timezone.now(), _zone(getattr(user, "timezone", "")))


@lru_cache(maxsize=256)
def _zone(name: str) -> dt.tzinfo:
    try:
        return zoneinfo.ZoneInfo(name) if name else timezone.get_default_timezone()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()


def budget_status(*, user: User, limit: DailyLimit, watch_day: WatchDay | None) -> BudgetStatus:
    """Build the status from rows the caller already has (the feed loads them in one query)."""
    return BudgetStatus(
        limit_minutes=limit.minutes,
        watched_seconds=watch_day.seconds if watch_day else 0,
        extensions=watch_day.extensions if watch_day else 0,
        is_teen=user.is_teen,
        extra_minutes=limit.extra_minutes,
        from_teen_account=limit.from_teen_account,
    )


def effective_limit(
    user: User, own_minutes: int | None, now: dt.datetime | None = None
) -> DailyLimit:
    """Today's limit: the person's own, and for a teen never more than their teen limit plus
    what a parent approved for today."""
    if not getattr(user, "is_teen", False):
        return DailyLimit(own_minutes)

    rules = teen_rules(user, now)
    if rules is None:
        return DailyLimit(own_minutes)
    if own_minutes is not None and own_minutes < rules.minutes_allowed_today:
        return DailyLimit(own_minutes)
    return DailyLimit(
        rules.minutes_allowed_today,
        extra_minutes=rules.extra_minutes_today,
        from_teen_account=True,
    )


def budget_status_for(*, user: User, now: dt.datetime | None = None) -> BudgetStatus:
    """Today's status, read from the database."""
    own = (
        FeedPreference.objects.filter(user=user)
        .values_list("daily_budget_minutes", flat=True)
        .first()
    )
    limit = effective_limit(user, own, now)
    watch_day = WatchDay.objects.filter(user=user, day=today(user, now)).first()
    return budget_status(user=user, limit=limit, watch_day=watch_day)
