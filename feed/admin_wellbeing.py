"""The staff wellbeing page at ``/admin/wellbeing/``: the operators' report with a chart.

Every staff member may see it, moderators included: it holds totals only, built by
``feed.wellbeing_report`` with its small-group rule, never a person's answer or note. That is
also why ``CheckIn`` and ``WellbeingChange`` have no admin pages (see ``feed/admin.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from feed.wellbeing_report import (
    DEFAULT_MONTHS,
    MAJORITY,
    MAX_MONTHS,
    MIN_GROUP,
    MIN_MONTHS,
    MonthRow,
    Report,
    clean_months,
    wellbeing_report,
)

MONTH_CHOICES = (1, 3, 6, 12, 24, 36, 60)

# The chart's drawing area, in SVG units.
CHART_WIDTH = 720
CHART_HEIGHT = 260
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 16, 40
# Up to this many months, each bar is named and its share written on it.
WRITTEN_MONTHS = 12


@dataclass(frozen=True)
class Bar:
    """One month on the chart. ``value`` and ``note`` are written on the chart only when there
    are few enough months for them to fit; ``title`` (the hover text) always says it all."""

    x: float
    cx: float
    y: float
    width: float
    height: float
    has_share: bool
    label: str
    value: str
    note: str
    title: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    right: int
    top: int
    baseline: float
    fifty: float
    bars: tuple[Bar, ...]


def trend_chart(report: Report) -> Chart:
    """Bars of the share saying yes, month by month, against a line at 50%."""
    plot_height = CHART_HEIGHT - TOP - BOTTOM
    baseline = TOP + plot_height
    slot = (CHART_WIDTH - LEFT - RIGHT) / max(len(report.trend), 1)
    bars = tuple(
        _bar(i, row, slot=slot, baseline=baseline, plot_height=plot_height, count=len(report.trend))
        for i, row in enumerate(report.trend)
    )
    return Chart(
        width=CHART_WIDTH, height=CHART_HEIGHT, left=LEFT, right=CHART_WIDTH - RIGHT, top=TOP,
        baseline=baseline, fifty=baseline - MAJORITY * plot_height, bars=bars,
    )  # fmt: skip


def _bar(
    i: int, row: MonthRow, *, slot: float, baseline: float, plot_height: float, count: int
) -> Bar:
    share = row.share_yes
    height = 0.0 if share is None else share * plot_height
    why = "no answers" if not row.monthly.total else f"fewer than {MIN_GROUP} answers"
    short = "none" if not row.monthly.total else f"< {MIN_GROUP}"
    roomy = count <= WRITTEN_MONTHS
    # With many months, name every few of them so that the labels don't run together.
    step = math.ceil(count / WRITTEN_MONTHS)
    label = "" if i % step else (f"{row.month:%b}" if roomy else f"{row.month:%b %y}")
    return Bar(
        x=round(LEFT + (i + 0.15) * slot, 1), cx=round(LEFT + (i + 0.5) * slot, 1),
        y=round(baseline - height, 1), width=round(slot * 0.7, 1), height=round(height, 1),
        has_share=share is not None, label=label,
        value=row.share_yes_text if roomy and share is not None else "",
        note=short if roomy and share is None else "",
        title=f"{row.month:%B %Y}: {row.monthly.total:,} monthly "
        f"answer{'' if row.monthly.total == 1 else 's'}, "
        + (f"{row.share_yes_text} say yes" if share is not None else why),
    )  # fmt: skip


@require_GET
def wellbeing(request: HttpRequest) -> HttpResponse:
    """The report for ``?months=`` (6 by default); a bad value shows why and the default."""
    error = ""
    try:
        months = clean_months(request.GET.get("months", DEFAULT_MONTHS))
    except ValueError as exc:
        error, months = f"{exc} Showing the last {DEFAULT_MONTHS} months instead.", DEFAULT_MONTHS
    report = wellbeing_report(months=months)
    choices = sorted({*MONTH_CHOICES, months})
    context = {
        **admin.site.each_context(request),
        "title": "Wellbeing",
        "report": report,
        "chart": trend_chart(report),
        "error": error,
        "months": months,
        "month_choices": choices,
        "min_months": MIN_MONTHS,
        "max_months": MAX_MONTHS,
        "min_group": MIN_GROUP,
    }
    return TemplateResponse(request, "admin/wellbeing.html", context)
