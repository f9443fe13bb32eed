"""The operators' wellbeing report: is the majority's life better for using the app?

One computation, ``wellbeing_report``, serves ``manage.py wellbeing_report`` and the staff page
at ``/admin/wellbeing/``. It reads aggregates only, in three queries whatever the number of
people, and never returns anyone's answer or note.

Definitions (the report prints them under its figures, with the dates filled in):

- **Window**: the last N calendar months counting the current one, in the server's timezone
  (``--months 6`` on 15 June runs from 1 January to now). The trend has one row per month.
- **Population**: accounts that are active (not deactivated), joined at least N months before
  now, and used the app in the last 30 days: a day with watch time, a post, or a check-in
  (answered or dismissed). People who stopped using the app are not counted: their silence is
  not read as an answer either way.
- **Respondents**: people in the population whose latest answered monthly check-in in the
  window ("Is your life better for using the app?") is yes, no or not sure. A dismissed card
  after an answer leaves the answer standing. "Better" = yes / respondents; "no" and "not sure"
  both count as not better. The 95% interval is Wilson's score interval (``scipy``).
- **Response rate**: respondents / population. Monthly cards answered and dismissed count the
  cards someone acted on; a card that was shown and ignored leaves no row.
- **Trend** and **mood**: every check-in of the population in the window, by calendar month;
  the weekly card asks how the app has felt lately (better, about the same, worse).
- **After a worse answer**: the feed changes that followed a weekly *worse* or a monthly *no*
  in the window, with how many accepted the suggested break, set a daily budget, or undid it.
- **Verdict**: met when more than half of the respondents say yes, with at least 30
  respondents; *clearly* when the whole interval is above 50% (or below, for not met).
- **Small groups**: a group of fewer than 5 answers shows its size only, never its split, so
  that nobody's answer can be read off a small count.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from statistics import NormalDist
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from accounts.models import User
from feed.models import CheckIn, Post, WatchDay, WellbeingChange

MIN_MONTHS = 1
MAX_MONTHS = 60
DEFAULT_MONTHS = 6
ACTIVE_DAYS = 30
MIN_RESPONDENTS = 30
MIN_GROUP = 5
MAJORITY = 0.5

Answer = CheckIn.Answer
MONTHLY_ANSWERS = (Answer.YES, Answer.NO, Answer.NOT_SURE)
WEEKLY_ANSWERS = (Answer.BETTER, Answer.SAME, Answer.WORSE)


def clean_months(value: object) -> int:
    """``value`` as a number of months the report accepts, or ValueError with a sentence."""
    try:
        months = int(str(value).strip())
    except ValueError:
        months = 0
    if not MIN_MONTHS <= months <= MAX_MONTHS:
        raise ValueError(
            f"The number of months must be a whole number from {MIN_MONTHS} to {MAX_MONTHS} "
            f"(you gave {str(value)[:20]!r}). Try 6 for the last six months."
        )
    return months


def percent(share: float | None) -> str:
    return "–" if share is None else f"{share * 100:.1f}%"


@dataclass(frozen=True)
class Part:
    """One answer's count within a group, and its share of the group."""

    key: str
    label: str
    count: int
    share: float

    @property
    def percent(self) -> str:
        return percent(self.share)


@dataclass(frozen=True)
class Split:
    """How a group of answers divides. ``parts`` is empty when the group is smaller than
    ``MIN_GROUP``: then only its size is reported."""

    total: int
    parts: tuple[Part, ...] = ()

    @property
    def shown(self) -> bool:
        return bool(self.parts)

    def share(self, key: str) -> float | None:
        return next((part.share for part in self.parts if part.key == key), None)

    def count(self, key: str) -> int | None:
        return next((part.count for part in self.parts if part.key == key), None)


def _split(counts: dict[str, int], keys: tuple[str, ...]) -> Split:
    total = sum(counts.get(key, 0) for key in keys)
    if total < MIN_GROUP:
        return Split(total=total)
    parts = tuple(
        Part(key=key, label=Answer(key).label, count=counts.get(key, 0),
             share=counts.get(key, 0) / total)
        for key in keys
    )  # fmt: skip
    return Split(total=total, parts=parts)


@dataclass(frozen=True)
class MonthRow:
    """One calendar month of the trend: monthly answers (yes / no / not sure) and weekly ones
    (better / about the same / worse), with the cards dismissed."""

    month: dt.date
    monthly: Split
    monthly_dismissed: int
    weekly: Split
    weekly_dismissed: int

    @property
    def share_yes(self) -> float | None:
        return self.monthly.share(Answer.YES)

    @property
    def share_yes_text(self) -> str:
        return percent(self.share_yes)

    @property
    def yes_text(self) -> str:
        count = self.monthly.count(Answer.YES)
        return "–" if count is None else f"{count:,}"


@dataclass(frozen=True)
class AfterWorse:
    """What followed the worse answers (a weekly *worse* or a monthly *no*). A count from 1 to
    ``MIN_GROUP - 1`` is None ("fewer than 5"), and the break, budget and undo counts are None
    unless there were at least ``MIN_GROUP`` feed changes."""

    worse_answers: int | None
    changes: int | None
    breaks: int | None = None
    budgets: int | None = None
    undone: int | None = None

    def share(self, count: int | None) -> float | None:
        return None if count is None or not self.changes else count / self.changes

    @property
    def worse_answers_text(self) -> str:
        return _small_text(self.worse_answers)

    @property
    def changes_text(self) -> str:
        return _small_text(self.changes)

    @property
    def outcomes(self) -> tuple[tuple[str, int, str], ...]:
        """(label, count, percent of the changes) for each offer, or () when not shown."""
        if self.breaks is None or self.budgets is None or self.undone is None:
            return ()
        rows = (("Break accepted", self.breaks), ("Daily budget set", self.budgets),
                ("Change undone", self.undone))  # fmt: skip
        return tuple((label, n, percent(self.share(n))) for label, n in rows)


@dataclass(frozen=True)
class Report:
    """Everything the command and the staff page show, computed once."""

    months: int
    now: dt.datetime
    window_start: dt.datetime
    joined_before: dt.datetime
    active_since: dt.datetime
    population: int
    answers: Split
    ci: tuple[float, float] | None
    monthly_answered: int
    monthly_dismissed: int
    trend: tuple[MonthRow, ...]
    mood: Split
    weekly_dismissed: int
    after_worse: AfterWorse
    definitions: tuple[str, ...] = field(default=())

    @property
    def respondents(self) -> int:
        return self.answers.total

    @property
    def share_better(self) -> float | None:
        return self.answers.share(Answer.YES)

    @property
    def response_rate(self) -> float | None:
        return self.respondents / self.population if self.population else None

    @property
    def monthly_answered_share(self) -> float | None:
        acted = self.monthly_answered + self.monthly_dismissed
        return self.monthly_answered / acted if acted else None

    @property
    def window_text(self) -> str:
        return f"{day(self.window_start)} to {day(self.now)}"

    @property
    def share_better_text(self) -> str:
        return percent(self.share_better)

    @property
    def response_rate_text(self) -> str:
        return percent(self.response_rate)

    @property
    def monthly_answered_text(self) -> str:
        return percent(self.monthly_answered_share)

    @property
    def ci_text(self) -> str:
        return interval(self.ci)

    @property
    def status(self) -> str:
        """``empty``, ``not_enough``, ``met`` or ``not_met``."""
        if not self.population:
            return "empty"
        if self.respondents < MIN_RESPONDENTS:
            return "not_enough"
        return "met" if (self.share_better or 0) > MAJORITY else "not_met"

    @property
    def verdict(self) -> str:
        return _verdict(self)


def wellbeing_report(*, months: int, now: dt.datetime | None = None) -> Report:
    """The wellbeing figures for the last ``months`` calendar months (see the module's
    definitions). Three queries: the population's latest monthly answers, the population's
    check-ins by month, and the feed changes after worse answers."""
    months = clean_months(months)
    now = now or timezone.now()
    tz = timezone.get_default_timezone()
    local_now = timezone.localtime(now, tz)
    first_of_month = local_now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    window_start = first_of_month - relativedelta(months=months - 1)
    joined_before = now - relativedelta(months=months)
    active_since = now - dt.timedelta(days=ACTIVE_DAYS)
    people = _population(now=now, joined_before=joined_before, active_since=active_since)
    population, latest = _latest_answers(people, window_start=window_start, now=now)
    answers = _split(latest, MONTHLY_ANSWERS)
    month_starts = [window_start + relativedelta(months=i) for i in range(months)]
    counts = _checkin_counts(people, month_starts=month_starts, now=now)
    trend = tuple(_month_row(counts.get(m.date(), {}), m.date()) for m in month_starts)
    totals = _sum_counts(counts.values())
    report = Report(
        months=months,
        now=now,
        window_start=window_start,
        joined_before=joined_before,
        active_since=active_since,
        population=population,
        answers=answers,
        ci=_wilson(answers),
        monthly_answered=sum(totals.get(("monthly", key), 0) for key in MONTHLY_ANSWERS),
        monthly_dismissed=totals.get(("monthly", ""), 0),
        trend=trend,
        mood=_split({a: totals.get(("weekly", a), 0) for a in WEEKLY_ANSWERS}, WEEKLY_ANSWERS),
        weekly_dismissed=totals.get(("weekly", ""), 0),
        after_worse=_after_worse(people, totals, window_start=window_start, now=now),
    )
    return _with_definitions(report)


def _population(
    *, now: dt.datetime, joined_before: dt.datetime, active_since: dt.datetime
) -> QuerySet[User]:
    recent = {"created_at__gt": active_since, "created_at__lte": now}
    tz = timezone.get_default_timezone()
    # Watch days are dates in each person's own timezone; the server's date is within a day.
    watched = WatchDay.objects.filter(
        user=OuterRef("pk"), seconds__gt=0,
        day__gt=timezone.localdate(active_since, tz), day__lte=timezone.localdate(now, tz),
    )  # fmt: skip
    posted = Post.objects.filter(author=OuterRef("pk"), **recent)
    checked_in = CheckIn.objects.filter(user=OuterRef("pk"), **recent)
    return User.objects.filter(is_active=True, date_joined__lte=joined_before).filter(
        Exists(watched) | Exists(posted) | Exists(checked_in)
    )


def _latest_answers(
    people: QuerySet[User], *, window_start: dt.datetime, now: dt.datetime
) -> tuple[int, dict[str, int]]:
    """The population's size, and how many people's latest monthly answer is each answer."""
    latest = (
        CheckIn.objects.filter(
            user=OuterRef("pk"),
            kind=CheckIn.Kind.MONTHLY,
            answer__in=MONTHLY_ANSWERS,
            created_at__gte=window_start,
            created_at__lte=now,
        )  # fmt: skip
        .order_by("-created_at", "-id")
        .values("answer")[:1]
    )
    by_answer = {key: Count("pk", filter=Q(latest=key)) for key in MONTHLY_ANSWERS}
    row = people.annotate(latest=Subquery(latest)).aggregate(population=Count("pk"), **by_answer)
    population = row.pop("population")
    return population, row


def _checkin_counts(
    people: QuerySet[User], *, month_starts: list[dt.datetime], now: dt.datetime
) -> dict[dt.date, dict[tuple[str, str], int]]:
    """Check-ins of the population in the window: month → (kind, answer) → count, where an
    empty answer is a dismissed card."""
    # Months by comparing with their first instants rather than TruncMonth: on SQLite that is a
    # Python function called for every row, seven times slower over a million check-ins.
    month = Case(
        *(When(created_at__lt=start, then=Value(i)) for i, start in enumerate(month_starts[1:])),
        default=Value(len(month_starts) - 1),
        output_field=IntegerField(),
    )
    rows = (
        CheckIn.objects.filter(
            user__in=people.values("pk"), created_at__gte=month_starts[0], created_at__lte=now
        )
        .annotate(month=month)
        .values("month", "kind", "answer")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[dt.date, dict[tuple[str, str], int]] = {}
    for row in rows:
        first_day = month_starts[row["month"]].date()
        counts.setdefault(first_day, {})[(row["kind"], row["answer"])] = row["n"]
    return counts


def _sum_counts(months: Iterable[dict[tuple[str, str], int]]) -> dict[tuple[str, str], int]:
    totals: dict[tuple[str, str], int] = {}
    for month in months:
        for key, n in month.items():
            totals[key] = totals.get(key, 0) + n
    return totals


def _month_row(counts: dict[tuple[str, str], int], month: dt.date) -> MonthRow:
    monthly = {answer: n for (kind, answer), n in counts.items() if kind == "monthly"}
    weekly = {answer: n for (kind, answer), n in counts.items() if kind == "weekly"}
    return MonthRow(
        month=month,
        monthly=_split(monthly, MONTHLY_ANSWERS),
        monthly_dismissed=monthly.get("", 0),
        weekly=_split(weekly, WEEKLY_ANSWERS),
        weekly_dismissed=weekly.get("", 0),
    )


def _after_worse(
    people: QuerySet[User],
    totals: dict[tuple[str, str], int],
    *,
    window_start: dt.datetime,
    now: dt.datetime,
) -> AfterWorse:
    counts = WellbeingChange.objects.filter(
        user__in=people.values("pk"),
        check_in__created_at__gte=window_start,
        check_in__created_at__lte=now,
    ).aggregate(
        changes=Count("id"),
        breaks=Count("id", filter=Q(break_accepted_at__isnull=False)),
        budgets=Count("id", filter=Q(budget_set_at__isnull=False)),
        undone=Count("id", filter=Q(undone_at__isnull=False)),
    )
    worse = totals.get(("weekly", Answer.WORSE), 0) + totals.get(("monthly", Answer.NO), 0)
    changes = counts.pop("changes")
    after = AfterWorse(worse_answers=_small_hidden(worse), changes=_small_hidden(changes))
    return after if changes < MIN_GROUP else replace(after, **counts)


def _small_hidden(count: int) -> int | None:
    return None if 0 < count < MIN_GROUP else count


def _small_text(count: int | None) -> str:
    return f"fewer than {MIN_GROUP}" if count is None else f"{count:,}"


def _wilson(answers: Split) -> tuple[float, float] | None:
    yes = answers.count(Answer.YES)
    if yes is None:
        return None
    return wilson_interval(yes, answers.total)


def wilson_interval(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval for ``k`` successes in ``n`` trials (Newcombe 1998, method 3).

    The same numbers as scipy's ``binomtest(k, n).proportion_ci(method="wilson")``, from the
    standard library: the report doesn't load scipy for one formula.
    """
    z = NormalDist().inv_cdf(0.5 + 0.5 * confidence)
    p = k / n
    denom = 2 * (n + z**2)
    center = (2 * n * p + z**2) / denom
    delta = z / denom * math.sqrt(4 * n * p * (1 - p) + z**2)
    return (0.0 if k == 0 else center - delta), (1.0 if k == n else center + delta)


# --- Words ---------------------------------------------------------------------------------


def day(value: dt.datetime | dt.date) -> str:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value, timezone.get_default_timezone())
    return f"{value.day} {value:%b %Y}"


def interval(ci: tuple[float, float] | None) -> str:
    if ci is None:
        return "–"
    return f"{ci[0] * 100:.1f}–{ci[1] * 100:.1f}%"


def _verdict(report: Report) -> str:
    status = report.status
    n = report.respondents
    if status == "empty":
        return (
            f"Nobody to ask yet: no account has been with us for {report.months} months or more "
            f"and used the app in the last {ACTIVE_DAYS} days."
        )
    if status == "not_enough":
        return _not_enough(report)
    share = f"{percent(report.share_better)} of {n:,} respondents say their life is better"
    low, high = report.ci or (0.0, 1.0)
    if status == "met":
        how = (
            "The whole interval is above 50%, so it is clearly met."
            if low > MAJORITY
            else "The interval reaches below 50%, so it is met but not yet clearly."
        )
        return f"Met: {share} (95% CI {interval(report.ci)}). {how}"
    how = (
        "The whole interval is below 50%, so it is clearly not met."
        if high < MAJORITY
        else "The interval reaches above 50%, so more answers could change this."
    )
    return f"Not met: {share} (95% CI {interval(report.ci)}); the bar is more than half. {how}"


def _not_enough(report: Report) -> str:
    n = report.respondents
    head = (
        f"Not enough answers yet: {n:,} of the {report.population:,} people in the population "
        f"answered the monthly check-in, and a verdict needs at least {MIN_RESPONDENTS}."
    )
    if report.share_better is None:
        return head
    return (
        f"{head} So far {percent(report.share_better)} say their life is better "
        f"(95% CI {interval(report.ci)})."
    )


def _with_definitions(report: Report) -> Report:
    lines = (
        f"Window: the last {report.months} calendar months counting this one, "
        f"{day(report.window_start)} to {day(report.now)} (server time).",
        f"Population: active accounts that joined on or before {day(report.joined_before)} and "
        f"used the app since {day(report.active_since)} (watch time, a post or a check-in). "
        "People who stopped using the app are not counted, and their silence is not read as "
        "an answer.",
        "Respondents: people in the population whose latest answered monthly check-in in the "
        "window is yes, no or not sure. Better = yes / respondents; no and not sure count as "
        "not better. 95% CI: Wilson score interval.",
        "Response rate: respondents / population. Cards answered and dismissed count the cards "
        "someone acted on; a card shown and ignored leaves no trace.",
        "Trend and mood: every check-in of the population in the window, by calendar month. "
        "Weekly asks how the app has felt lately; monthly asks whether life is better for it.",
        "After a worse answer: the feed changes after a weekly worse or a monthly no in the "
        "window, and how many accepted the break, set a daily budget, or undid the change.",
        f"Verdict: met when more than half say yes, with at least {MIN_RESPONDENTS} "
        "respondents; clearly when the whole interval is on one side of 50%.",
        f"Privacy: figures are totals only. A group of fewer than {MIN_GROUP} answers shows its "
        "size, never its split, and no one's answer or note appears here.",
    )
    return replace(report, definitions=lines)


def report_as_dict(report: Report) -> dict[str, Any]:
    """The report as plain JSON types, for ``--json``."""

    def split(value: Split) -> dict[str, Any]:
        parts = {p.key: {"count": p.count, "share": round(p.share, 4)} for p in value.parts}
        return {"total": value.total, "parts": parts}

    return {
        "months": report.months,
        "now": report.now.isoformat(),
        "window_start": report.window_start.isoformat(),
        "population": report.population,
        "respondents": report.respondents,
        "answers": split(report.answers),
        "share_better": report.share_better,
        "ci95": list(report.ci) if report.ci else None,
        "response_rate": report.response_rate,
        "monthly_cards": {"answered": report.monthly_answered,
                          "dismissed": report.monthly_dismissed},
        "trend": [
            {"month": row.month.isoformat(), "monthly": split(row.monthly),
             "monthly_dismissed": row.monthly_dismissed, "weekly": split(row.weekly),
             "weekly_dismissed": row.weekly_dismissed}
            for row in report.trend
        ],
        "mood": split(report.mood),
        "weekly_dismissed": report.weekly_dismissed,
        "after_worse": asdict(report.after_worse),
        "status": report.status,
        "verdict": report.verdict,
        "definitions": list(report.definitions),
    }  # fmt: skip
