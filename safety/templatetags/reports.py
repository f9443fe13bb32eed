"""Template helpers for report controls that sit on other apps' pages (a post, a profile), so
those views need not know about report reasons."""

from __future__ import annotations

from django import template

from safety.models import Report

register = template.Library()


@register.simple_tag
def report_reasons() -> list[tuple[str, str]]:
    """The preset reasons a person picks from, as (value, label)."""
    return list(Report.Reason.choices)
