"""``manage.py moderation_report --days 30``: the transparency report for a window of days.

Everything counted was created in the window (reports, actions, appeals, scans); a report's
"open" or "closed" is its state now. Plain text, for an operator to read or publish.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from safety.models import Appeal, ModerationAction, Report, VideoScan

MAX_DAYS = 3650


def parse_days(raw: object) -> int:
    try:
        days = int(str(raw).strip())
    except ValueError:
        days = 0
    if not 1 <= days <= MAX_DAYS:
        raise CommandError(f"--days must be a whole number from 1 to {MAX_DAYS:,}, not {raw!r}.")
    return days


def duration_words(seconds: float) -> str:
    """ "45 min", "3 h 20 min", "2 d 4 h"; under a minute reads as such."""
    minutes = int(seconds // 60)
    if minutes < 1:
        return "under a minute"
    hours, minutes = divmod(minutes, 60)
    if hours < 1:
        return f"{minutes} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if days else f"{hours} h {minutes} min"


def _tally(counts: Counter[str], labels: dict[str, str], indent: str = "    ") -> list[str]:
    """One line per key, most first, then by label; "(none)" when empty."""
    if not counts:
        return [f"{indent}(none)"]
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], labels.get(kv[0], kv[0])))
    return [f"{indent}{labels.get(key, key)}: {n}" for key, n in ordered]


class Command(BaseCommand):
    help = "Print the moderation transparency report for the last N days."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days", default="30", help=f"How many days back, 1 to {MAX_DAYS} (default 30)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = parse_days(options["days"])
        now = timezone.now()
        since = now - dt.timedelta(days=days)
        for line in report_lines(since, now, days):
            self.stdout.write(line)


def report_lines(since: dt.datetime, now: dt.datetime, days: int) -> list[str]:
    window = f"{since:%Y-%m-%d %H:%M} to {now:%Y-%m-%d %H:%M} UTC"
    return [
        f"Moderation report for the last {days} day{'s' if days != 1 else ''} ({window})",
        "",
        *_reports(since),
        "",
        *_actions(since),
        "",
        *_appeals(since),
        "",
        *_holds(since),
        "",
        *_prompt_reports(since),
    ]


def _reports(since: dt.datetime) -> list[str]:
    rows = list(
        Report.objects.filter(created_at__gte=since).values_list(
            "reason", "target", "status", "automatic", "created_at", "resolved_at"
        )
    )
    status = Counter(r[2] for r in rows)
    automatic = sum(1 for r in rows if r[3])
    closed = status[Report.Status.RESOLVED] + status[Report.Status.DISMISSED]
    return [
        f"Reports filed: {len(rows)} ({len(rows) - automatic} by people, {automatic} automatic)",
        f"  open: {status[Report.Status.OPEN]}",
        f"  closed: {closed} (resolved {status[Report.Status.RESOLVED]}, "
        f"dismissed {status[Report.Status.DISMISSED]})",
        "  by category:",
        *_tally(Counter(r[0] for r in rows), dict(Report.Reason.choices)),
        "  by target:",
        *_tally(Counter(r[1] for r in rows), dict(Report.Target.choices)),
        f"  median time to resolution: {_median_resolution(r[4:] for r in rows)}",
    ]


def _median_resolution(spans: Iterable[tuple[dt.datetime, dt.datetime | None]]) -> str:
    seconds = [(done - made).total_seconds() for made, done in spans if done is not None]
    if not seconds:
        return "no report closed yet"
    n = len(seconds)
    return f"{duration_words(statistics.median(seconds))} (over {n} closed report{'s' * (n != 1)})"


def _actions(since: dt.datetime) -> list[str]:
    kinds = Counter(
        ModerationAction.objects.filter(created_at__gte=since).values_list("kind", flat=True)
    )
    return [
        f"Moderation actions: {sum(kinds.values())}",
        *_tally(kinds, dict(ModerationAction.Kind.choices), indent="  "),
    ]


def _appeals(since: dt.datetime) -> list[str]:
    decisions = Counter(
        Appeal.objects.filter(created_at__gte=since).values_list("decision", flat=True)
    )
    return [
        f"Appeals filed: {sum(decisions.values())}",
        f"  upheld: {decisions[Appeal.Decision.UPHELD]}",
        f"  reversed: {decisions[Appeal.Decision.REVERSED]}",
        f"  pending: {decisions[Appeal.Decision.PENDING]}",
    ]


def _holds(since: dt.datetime) -> list[str]:
    held = VideoScan.objects.filter(created_at__gte=since, outcome=VideoScan.Outcome.HELD)
    causes: Counter[str] = Counter()
    total = 0
    for recorded in held.values_list("hold_causes", flat=True):
        total += 1
        # Scans from before causes were recorded could only be held for a likeness.
        causes.update(recorded or ["likeness"])
    return [
        f"Videos held automatically after rendering: {total}",
        *_tally(causes, {}, indent="  "),
        *(["  (a video held for more than one cause counts under each)"] if total else []),
    ]


def _prompt_reports(since: dt.datetime) -> list[str]:
    reasons = Counter(
        Report.objects.filter(
            created_at__gte=since, automatic=True, target=Report.Target.PROMPT
        ).values_list("reason", flat=True)
    )
    return [
        f"Automatic prompt reports: {sum(reasons.values())}",
        *_tally(reasons, dict(Report.Reason.choices), indent="  "),
    ]
