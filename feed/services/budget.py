"""The daily time budget: a limit anyone may set, counted by the player's heartbeat.

Watch time only counts what the server can vouch for: each heartbeat adds the seconds the player
says it played, but never more than the real time since the previous heartbeat, and never more
than one beat's worth when there was none. A forged request claiming hours adds seconds.
Days follow the person's own timezone, or the server's TIME_ZONE when theirs is unknown.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from feed.models import FeedPreference, WatchDay
from feed.selectors.budget import BudgetStatus, DailyLimit, budget_status, budget_status_for, today

MIN_BUDGET_MINUTES = 1
MAX_BUDGET_MINUTES = 720
# The player reports about this often while a video plays (static/js/feed.js reads it from the
# page); one report never adds more than BEAT_CAP_SECONDS.
HEARTBEAT_SECONDS = 15
BEAT_CAP_SECONDS = 60


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
