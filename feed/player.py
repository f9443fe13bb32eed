"""What every page that plays a published video needs for the time rules: during a teen's quiet
hours, or once the daily limit is reached, the player is replaced by the quiet-hours or limit
notice; otherwise the page carries the budget meter, so the heartbeat counts the time its video
plays (``static/js/feed.js`` counts any ``video[data-counted]`` as well as the feed's own).

The feed page itself answers quiet hours with a whole page
(``feed.views._common.quiet_hours_response``); the post page (where search and profiles lead)
puts the notice where the player would be.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from accounts.selectors.teens import more_time_of, teen_rules
from feed.selectors.budget import BudgetStatus, budget_status_for
from feed.services import budget


def limit_context(request: HttpRequest, status: BudgetStatus | None) -> dict[str, Any]:
    """What the limit notice offers a teen whose teen-account limit is reached: asking their
    linked parent for more time (or how to link one), or the request already waiting."""
    if status is None or not status.reached or not status.from_teen_account:
        return {}

    return {"more_time": more_time_of(teen=request.user)}


def player_context(request: HttpRequest) -> dict[str, Any]:
    """``player_off`` is "quiet" or "limit" when the player must not show, with what the notice
    reads; otherwise the meter's context, for the heartbeat. Visitors have no limits."""
    user = request.user
    if not user.is_authenticated:
        return {}
    if user.is_teen:
        rules = teen_rules(user)
        if rules is not None and rules.in_quiet_hours():
            ends_at = rules.quiet_hours_end().time()
            return {"player_off": "quiet", "rules": rules, "ends_at": ends_at}
    status = budget_status_for(user=user)
    if status.reached:
        return {"player_off": "limit", "budget": status, **limit_context(request, status)}
    return {
        "budget_status": status,
        "heartbeat_seconds": budget.HEARTBEAT_SECONDS,
        "show_limit": True,
    }
