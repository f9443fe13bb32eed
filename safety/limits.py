"""Rate limits on the writes people can abuse, counted in the shared cache by django-ratelimit.

One call per guarded action: ``limit_wait(request, "login-ip")`` counts the attempt and returns
the seconds to wait when the limit is spent, else None. Views turn that into ``too_many``'s
sentence with a 429, never a 500. The rates are settings (``SORA_RATE_LIMITS``), so an operator
can loosen or tighten them without code.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit import ALL
from django_ratelimit import core as ratelimit
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

# What each limit counts: the visitor's address, the account they name, or who is signed in.
_KEYS: dict[str, str] = {
    "signup-ip": "ip",
    "login-ip": "ip",
    "login-account": "post:username",
    "cameo-ask": "user",
    "cameo-record": "user",
    "report": "user",
    "comment": "user",
    "dm": "user",
    "report-message": "user",
    "appeal": "user",
    "search": "user_or_ip",
}

# While Valkey is away the "limits" cache counts in each web process's memory instead (see
# CACHES in settings), so a limit is at worst as many times looser as there are web processes,
# never stricter than with the shared count. No limit fails closed, each for its own reason:
# - login-ip, login-account: refusing every sign-in would lock everybody out for the length of
#   the outage; a guesser still meets a per-process count, on top of the slow password hash.
# - signup-ip, comment, dm, search, cameo-ask, cameo-record: everyday actions; the per-process
#   count still stops a script, and the damage of a few extra is small and moderated.
# - report, report-message, appeal: asking for help or contesting a strike must never be
#   refused because of the cache; moderators see every report anyway.
# If no count can be read at all, limit_wait lets the attempt through and logs it.


def limit_wait(request: HttpRequest, name: str) -> int | None:
    """Count one attempt at ``name``; the seconds until the next is allowed when over the limit.

    When the shared count can't be reached it is kept per process (above); if no count can be
    read at all, the attempt is let through and logged: a limit must never cause a 500.
    """
    rate = settings.SORA_RATE_LIMITS[name]
    try:
        # Any method counts: callers decide what to guard, and search is a GET.
        usage = ratelimit.get_usage(
            request, group=f"sora:{name}", key=_KEYS[name], rate=rate, method=ALL,
            increment=True,
        )  # fmt: skip
    except RedisError:
        log.warning("Rate limit %s not checked: the cache is unavailable", name, exc_info=True)
        return None
    if usage is None or not usage["should_limit"]:
        return None
    return max(1, int(usage["time_left"]))


def too_many(seconds: int, what: str = "attempts") -> str:
    """The sentence a limited person reads: what happened and how long to wait."""
    if seconds >= 90 * 60:
        wait = f"{round(seconds / 3600)} hours"
    elif seconds >= 90:
        wait = f"{round(seconds / 60)} minutes"
    else:
        wait = f"{seconds} second{'s' if seconds != 1 else ''}"
    return f"Too many {what} in a short time. Try again in {wait}."


def limited_view(name: str, what: str, on_limit: Callable[[HttpRequest, str], Any]) -> Callable:
    """Decorate a view: POSTs over the limit get ``on_limit(request, sentence)`` instead."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if request.method == "POST" and (wait := limit_wait(request, name)) is not None:
                return on_limit(request, too_many(wait, what))
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
