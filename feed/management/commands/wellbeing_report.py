"""``manage.py wellbeing_report --months 6``: is the majority's life better for using the app?

Prints the share of respondents who say yes with a 95% interval, the month-by-month trend, the
response rate, the weekly mood, what followed worse answers, a plain verdict and the
definitions behind every figure (``feed.wellbeing_report``). ``--json`` prints the same for
machines. It only reads.
"""

from __future__ import annotations

import json
import textwrap
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from feed.wellbeing_report import (
    DEFAULT_MONTHS,
    MIN_GROUP,
    AfterWorse,
    Report,
    Split,
    clean_months,
    report_as_dict,
    wellbeing_report,
)

WIDTH = 100
LABEL = 24
BAR = 20
# Over the bar column: 50% sits above the bar's middle mark.
_BAR_SCALE = f"{'0%':<{BAR // 2 - 1}}50%{'100%':>{BAR // 2 - 1}}"


class Command(BaseCommand):
    help = "Report whether most people say their life is better for using the app."

    def add_arguments(self, parser: CommandParser) -> None:
        # A string, so that a bad value gets this report's sentence rather than argparse's.
        parser.add_argument(
            "--months", default=str(DEFAULT_MONTHS),
            help=f"Calendar months to look back over, counting this one (default "
            f"{DEFAULT_MONTHS}; 1 to 60).",
        )  # fmt: skip
        parser.add_argument("--json", action="store_true", help="Print JSON for machines.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            months = clean_months(options["months"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        report = wellbeing_report(months=months)
        if options["json"]:
            self.stdout.write(json.dumps(report_as_dict(report), indent=2))
        else:
            self.stdout.write(report_text(report))


def report_text(report: Report) -> str:
    """The report laid out for a terminal."""
    sections = [
        [f"Wellbeing report: the last {report.months} months, {report.window_text}"],
        ["Verdict", *_wrapped(report.verdict)],
        _answers_section(report),
        _trend_section(report),
        _mood_section(report),
        _after_worse_section(report.after_worse),
        ["How these are counted", *(line for d in report.definitions
                                    for line in _wrapped(d, bullet=True))],
    ]  # fmt: skip
    return "\n\n".join("\n".join(lines) for lines in sections) + "\n"


def _wrapped(text: str, *, bullet: bool = False) -> list[str]:
    first = "  - " if bullet else "  "
    return textwrap.wrap(text, WIDTH, initial_indent=first, subsequent_indent=" " * len(first))


def _row(label: str, value: object, share: str = "") -> str:
    shown = f"{value:,}" if isinstance(value, int) else str(value)
    return f"  {label:<{LABEL}}{shown:>9}  {share:>6}".rstrip()


def _split_rows(split: Split) -> list[str]:
    if not split.total:
        return []
    if not split.shown:
        return [f"    Fewer than {MIN_GROUP} answers, so they are not split."]
    return [_row(f"  {p.label}", p.count, p.percent) for p in split.parts]


def _answers_section(report: Report) -> list[str]:
    lines = [
        "Is life better for using the app? (each person's latest monthly answer)",
        _row("Population", report.population, "people"),
        _row("Respondents", report.respondents) + f"  (response rate {report.response_rate_text})",
        *_split_rows(report.answers),
    ]
    if report.population and not report.respondents:
        lines.append("    Nobody in the population has answered the monthly check-in yet.")
    lines += [
        _row("Monthly cards answered", report.monthly_answered, report.monthly_answered_text),
        _row("Monthly cards dismissed", report.monthly_dismissed),
    ]
    return lines


def _trend_section(report: Report) -> list[str]:
    lines = ["Month by month", _trend_line("Month", "Monthly", "Yes", "Say yes", _BAR_SCALE,
                                           "Weekly", "Better", "Same", "Worse")]  # fmt: skip
    for row in report.trend:
        monthly, weekly = row.monthly, row.weekly
        lines.append(_trend_line(
            f"{row.month:%b %Y}", f"{monthly.total:,}", row.yes_text, row.share_yes_text,
            _bar(row.share_yes), f"{weekly.total:,}", _count(weekly, "better"),
            _count(weekly, "same"), _count(weekly, "worse"),
        ))  # fmt: skip
    lines.append(
        f"  – : no answers that month, or fewer than {MIN_GROUP}, so they are not split. "
        "| marks 50%."
    )
    return lines


def _trend_line(month: str, *cells: str) -> str:
    monthly, yes, share, bar, *weekly = cells
    counts = "".join(f"{cell:>8}" for cell in weekly)
    return f"  {month:<8}{monthly:>9}{yes:>8}{share:>9}  {bar:<{BAR + 1}}{counts}".rstrip()


def _count(split: Split, key: str) -> str:
    count = split.count(key)
    return "–" if count is None else f"{count:,}"


def _bar(share: float | None) -> str:
    filled = "" if share is None else "#" * round(share * BAR)
    cells = filled.ljust(BAR)
    return f"{cells[: BAR // 2]}|{cells[BAR // 2 :]}"


def _mood_section(report: Report) -> list[str]:
    mood = report.mood
    head = (
        f"How the app has felt lately (weekly check-in): {mood.total:,} answers, "
        f"{report.weekly_dismissed:,} cards dismissed"
    )
    lines = [head, *_split_rows(mood)]
    if not mood.total:
        lines.append("    No weekly answers in this window.")
    return lines


def _after_worse_section(after: AfterWorse) -> list[str]:
    lines = ["After a worse answer (a weekly worse or a monthly no)"]
    if after.worse_answers == 0 and after.changes == 0:
        return [*lines, "    No worse answers in this window."]
    lines += [
        _row("Worse answers", after.worse_answers_text),
        _row("Feed changes after one", after.changes_text),
    ]
    if not after.outcomes:
        return [*lines, f"    Fewer than {MIN_GROUP} changes, so what followed is not shown."]
    return lines + [_row(f"  {label}", n, share) for label, n, share in after.outcomes]
