"""Dates and times as people read them, in one place for every page.

``{{ value|ago }}`` says "just now" for the first minute, then "5 minutes ago" (Django's own
``timesince`` would say "0 minutes ago"). ``{{ value|stamp }}`` says "5 Dec 2026, 14:02" in the
site's time zone, for a datetime or for the ISO text a signed manifest carries.
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.timesince import timesince

register = template.Library()

JUST_NOW_SECONDS = 60
STAMP_FORMAT = "j M Y, H:i"


@register.filter
def ago(value: dt.datetime | None) -> str:
    if not isinstance(value, dt.datetime):
        return ""
    if (timezone.now() - value).total_seconds() < JUST_NOW_SECONDS:
        return "just now"
    return f"{timesince(value)} ago"


@register.filter
def stamp(value: dt.datetime | str | None) -> str:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(value, dt.datetime):
        return ""
    if timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return date_format(timezone.localtime(value), STAMP_FORMAT)
