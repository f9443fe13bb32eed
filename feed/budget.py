"""The daily time budget: a limit anyone may set, counted by the player's heartbeat.

Watch time only counts what the server can vouch for: each heartbeat adds the seconds the player
says it played, but never more than the real time since the previous heartbeat, and never more
than one beat's worth when there was none. A forged request claiming hours adds seconds.
Days follow the person's own timezone, or the server's TIME_ZONE when theirs is unknown.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.teen_selectors import teen_rules
from feed.models import FeedPreference, WatchDay

MIN_BUDGET_MINUTES = 1
MAX_BUDGET_MINUTES = 720
# The player reports about this often while a video plays (static/js/feed.js reads it from the
# page); one report never adds more than BEAT_CAP_SECONDS.
HEARTBEAT_SECONDS = 15
BEAT_CAP_SECONDS = 60


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


@transaction.atomic
def budget_set(*, user: User, minutes: int | None) -> FeedPreference:
    """Set a daily limit in minutes, or remove it with None."""
    if minutes is not None and not MIN_BUDGET_MINUTES <= minutes <= MAX_BUDGET_MINUTES:
        raise ValidationError(
            f"{minutes:,} minutes isn't a daily limit we can keep. Choose between "
            f"{MIN_BUDGET_MINUTES} and {MAX_BUDGET_MINUTES} minutes (12 hours), or leave it "
            "empty for no limit."
        )
    preference, _ = FeedPreference.objects.select_for_update().get_or_create(user=user)
    preference.daily_budget_minutes = minutes
    preference.save(update_fields=["daily_budget_minutes", "updated_at"])
    return preference


@transaction.atomic
def budget_extend(*, user: User, now: dt.datetime | None = None) -> BudgetStatus:
    """Add SORA_BUDGET_EXTENSION_MINUTES to today's limit: adults only, and only a few times."""
    status = budget_status_for(user=user, now=now)
    if status.limit_minutes is None:
        raise ValidationError("You have no daily limit to extend.")
    if status.is_teen:
        raise ValidationError(
            "Teen accounts can't extend their daily limit. It starts again tomorrow."
        )
    if not status.extensions_left:
        raise ValidationError(
            f"You've already extended today's limit {settings.SORA_BUDGET_EXTENSIONS} times. "
            "It starts again tomorrow."
        )
    watch_day = _watch_day_for_update(user, now)
    watch_day.extensions += 1
    watch_day.save(update_fields=["extensions"])
    return budget_status(user=user, limit=DailyLimit(status.limit_minutes), watch_day=watch_day)


@transaction.atomic
def watch_heartbeat(*, user: User, seconds: float, now: dt.datetime | None = None) -> WatchDay:
    """Count watch time reported by the player, capped at the real time since the last beat.

    ``now`` is for tests; views never pass it."""
    now = now or timezone.now()
    watch_day = _watch_day_for_update(user, now)
    if watch_day.last_beat_at is None:
        elapsed = float(BEAT_CAP_SECONDS)
    else:
        elapsed = (now - watch_day.last_beat_at).total_seconds()
    credit = max(0.0, min(float(seconds), elapsed, float(BEAT_CAP_SECONDS)))
    watch_day.seconds += round(credit)
    watch_day.last_beat_at = now
    watch_day.save(update_fields=["seconds", "last_beat_at"])
    return watch_day


def _watch_day_for_update(user: User, now: dt.datetime | None) -> WatchDay:
    watch_day, _ = WatchDay.objects.select_for_update().get_or_create(
        user=user, day=today(user, now)
    )
    return watch_day
