"""The operators' wellbeing report (``manage.py wellbeing_report``) and the staff page.

Each population here is test data with known answers, written in bulk with back-dated times
(the check-in services are not what is under test), and every figure the report prints is
checked against a number worked out by hand.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from scipy.stats import binomtest

from accounts.models import User
from conftest import make_user
from feed.models import CheckIn, WatchDay, WellbeingChange
from feed.wellbeing_report import wellbeing_report, wilson_interval

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2025, 6, 15, 12, 0, tzinfo=UTC)
LONG_AGO = dt.datetime(2024, 6, 1, tzinfo=UTC)
RECENTLY = dt.date(2025, 6, 10)
FEB, MAR, APR, MAY = (dt.datetime(2025, m, d, 9, tzinfo=UTC) for m, d in
                      ((2, 10), (3, 12), (4, 8), (5, 20)))  # fmt: skip
MONTHLY, WEEKLY = CheckIn.Kind.MONTHLY, CheckIn.Kind.WEEKLY


# --- Building populations -----------------------------------------------------------------------


def people(
    prefix: str,
    count: int,
    *,
    joined: dt.datetime = LONG_AGO,
    watched: dt.date | None = RECENTLY,
    active: bool = True,
) -> list[User]:
    users = User.objects.bulk_create(
        User(username=f"{prefix}{i}", email=f"{prefix}{i}@example.com", is_active=active)
        for i in range(count)
    )
    User.objects.filter(pk__in=[u.pk for u in users]).update(date_joined=joined)
    if watched:
        WatchDay.objects.bulk_create(WatchDay(user=u, day=watched, seconds=900) for u in users)
    return users


def answer(users: Iterable[User], kind: str, said: str, when: dt.datetime) -> list[CheckIn]:
    rows = CheckIn.objects.bulk_create(CheckIn(user=u, kind=kind, answer=said) for u in users)
    CheckIn.objects.filter(pk__in=[r.pk for r in rows]).update(created_at=when)
    return rows


def changes(
    check_ins: list[CheckIn], *, breaks: int = 0, budgets: int = 0, undone: int = 0
) -> None:
    """A feed change after each worse answer; the first ``breaks`` accepted the break, the
    first ``budgets`` set a budget and the first ``undone`` undid it."""
    WellbeingChange.objects.bulk_create(
        WellbeingChange(
            check_in=c, user_id=c.user_id,
            break_accepted_at=NOW if i < breaks else None,
            budget_set_at=NOW if i < budgets else None, budget_minutes=30 if i < budgets else None,
            undone_at=NOW if i < undone else None,
        )
        for i, c in enumerate(check_ins)
    )  # fmt: skip


@pytest.fixture
def population(db: None) -> None:
    """41 people in the six-month population, 36 respondents (25 yes, 8 no, 3 not sure), and
    three people whose answers must not count."""
    r = people("regular", 40)
    quiet = people("quiet", 1, watched=None)  # active only through a check-in this month
    changes(answer(r[:10], MONTHLY, "no", FEB))  # later changed their minds
    answer(r[:12], WEEKLY, "better", MAR)
    answer(r[12:18], WEEKLY, "same", MAR)
    changes(answer(r[18:20], WEEKLY, "worse", MAR), breaks=2, budgets=1)
    answer(r[20:23], WEEKLY, "better", APR)
    answer(r[23:24], WEEKLY, "", APR)
    answer(r[:24], MONTHLY, "yes", MAY)
    changes(answer(r[24:32], MONTHLY, "no", MAY), breaks=3, budgets=3, undone=2)
    answer(r[32:35], MONTHLY, "not_sure", MAY)
    answer(quiet, MONTHLY, "yes", dt.datetime(2025, 6, 1, tzinfo=UTC))
    answer(r[:1], MONTHLY, "", dt.datetime(2025, 6, 5, tzinfo=UTC))  # dismissed after a yes
    answer(r[1:2], MONTHLY, "no", dt.datetime(2025, 6, 20, tzinfo=UTC))  # after "now"
    answer(r[35:36], MONTHLY, "yes", dt.datetime(2024, 12, 10, tzinfo=UTC))  # before the window
    # Not in the population: too new, deactivated, and not seen for two months.
    answer(people("newcomer", 1, joined=dt.datetime(2025, 3, 1, tzinfo=UTC)), MONTHLY, "yes", MAY)
    answer(people("gone", 1, active=False), MONTHLY, "yes", MAY)
    lapsed = people("lapsed", 1, watched=dt.date(2025, 4, 1))
    answer(lapsed, MONTHLY, "yes", MAR)
    changes(answer(lapsed, WEEKLY, "worse", MAR), breaks=1)


def verdict_population(yes: int, no: int, not_sure: int = 0, *, silent: int = 0) -> None:
    users = people("person", yes + no + not_sure + silent)
    answer(users[:yes], MONTHLY, "yes", MAY)
    answer(users[yes : yes + no], MONTHLY, "no", MAY)
    answer(users[yes + no : yes + no + not_sure], MONTHLY, "not_sure", MAY)


def wilson(k: int, n: int, z: float = 1.959963984540054) -> str:
    """Wilson's score interval worked out from its formula, as the report prints it."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return f"{(centre - half) * 100:.1f}–{(centre + half) * 100:.1f}%"


def report_text(*args: str) -> str:
    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("wellbeing_report", *args, stdout=out)
    return out.getvalue()


def lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines()]


# --- The figures --------------------------------------------------------------------------------


def test_the_report_counts_each_persons_latest_answer_among_long_time_active_users(
    population: None,
) -> None:
    text = lines(report_text("--months", "6"))
    assert text[0] == "Wellbeing report: the last 6 months, 1 Jan 2025 to 15 Jun 2025"
    start = text.index("Is life better for using the app? (each person's latest monthly answer)")
    assert text[start + 1 : start + 8] == [
        "  Population                     41  people",
        "  Respondents                    36  (response rate 87.8%)",
        "    Yes                          25   69.4%",
        "    No                            8   22.2%",
        "    Not sure                      3    8.3%",
        "  Monthly cards answered         46   97.9%",
        "  Monthly cards dismissed         1",
    ]


def test_the_interval_is_wilsons_and_the_verdict_says_the_bar_is_clearly_met(
    population: None,
) -> None:
    assert wilson(25, 36) == "53.1–82.0%"
    text = report_text()
    verdict = (
        "Met: 69.4% of 36 respondents say their life is better (95% CI 53.1–82.0%). The whole "
        "interval is above 50%, so it is clearly met."
    )
    assert verdict in " ".join(line.strip() for line in text.splitlines())
    report = wellbeing_report(months=6, now=NOW)
    assert report.status == "met"
    assert report.ci is not None
    assert f"{report.ci[0] * 100:.1f}–{report.ci[1] * 100:.1f}%" == wilson(25, 36)


def test_the_trend_has_one_row_per_calendar_month_and_hides_groups_under_five(
    population: None,
) -> None:
    text = lines(report_text())
    start = text.index("Month by month")
    header = "Month Monthly Yes Say yes 0% 50% 100% Weekly Better Same Worse"
    assert " ".join(text[start + 1].split()) == header
    assert [line.split() for line in text[start + 2 : start + 8]] == [
        ["Jan", "2025", "0", "–", "–", "|", "0", "–", "–", "–"],
        ["Feb", "2025", "10", "0", "0.0%", "|", "0", "–", "–", "–"],
        ["Mar", "2025", "0", "–", "–", "|", "20", "12", "6", "2"],
        ["Apr", "2025", "0", "–", "–", "|", "3", "–", "–", "–"],
        ["May", "2025", "35", "24", "68.6%", "##########|####", "0", "–", "–", "–"],
        ["Jun", "2025", "1", "–", "–", "|", "0", "–", "–", "–"],
    ]
    # The bar column lines up under its scale: 50% above the mark.
    assert text[start + 1].index("50%") + 1 == text[start + 6].index("|")


def test_the_weekly_mood_is_counted_with_percentages(population: None) -> None:
    text = lines(report_text())
    assert "How the app has felt lately (weekly check-in): 23 answers, 1 cards dismissed" in text
    start = text.index(
        "How the app has felt lately (weekly check-in): 23 answers, 1 cards dismissed"
    )
    assert text[start + 1 : start + 4] == [
        "    Better                       15   65.2%",
        "    About the same                6   26.1%",
        "    Worse                         2    8.7%",
    ]


def test_what_followed_a_worse_answer_is_counted_against_the_feed_changes(
    population: None,
) -> None:
    text = lines(report_text())
    start = text.index("After a worse answer (a weekly worse or a monthly no)")
    assert text[start + 1 : start + 6] == [
        "  Worse answers                  20",
        "  Feed changes after one         20",
        "    Break accepted                5   25.0%",
        "    Daily budget set              4   20.0%",
        "    Change undone                 2   10.0%",
    ]


def test_the_footer_states_the_definitions_with_their_dates(population: None) -> None:
    text = " ".join(line.strip() for line in report_text().splitlines())
    assert "Window: the last 6 calendar months counting this one, 1 Jan 2025 to 15 Jun 2025" in text
    assert "Population: active accounts that joined on or before 15 Dec 2024 and used the" in text
    assert "app since 16 May 2025 (watch time, a post or a check-in)." in text
    assert "Respondents: people in the population whose latest answered monthly check-in" in text
    assert "A group of fewer than 5 answers shows its size, never its split" in text


def test_the_json_output_carries_the_same_numbers(population: None) -> None:
    data = json.loads(report_text("--json"))
    assert (data["population"], data["respondents"], data["status"]) == (41, 36, "met")
    assert data["answers"]["parts"]["yes"] == {"count": 25, "share": 0.6944}
    assert [round(x * 100, 1) for x in data["ci95"]] == [53.1, 82.0]
    assert data["trend"][1]["monthly"] == {"total": 10, "parts": {
        "yes": {"count": 0, "share": 0.0}, "no": {"count": 10, "share": 1.0},
        "not_sure": {"count": 0, "share": 0.0}}}  # fmt: skip
    assert data["trend"][5]["monthly"] == {"total": 1, "parts": {}}
    assert data["after_worse"] == {
        "worse_answers": 20, "changes": 20, "breaks": 5, "budgets": 4, "undone": 2,
    }  # fmt: skip


def test_a_shorter_window_leaves_out_older_answers_and_newer_members_join(
    population: None,
) -> None:
    report = wellbeing_report(months=2, now=NOW)
    # Joined on 1 March, the newcomer has been here for the two months asked about.
    assert (report.population, report.respondents, report.answers.count("yes")) == (42, 37, 26)
    assert [row.month for row in report.trend] == [dt.date(2025, 5, 1), dt.date(2025, 6, 1)]
    assert report.monthly_answered == 37
    assert report.mood.total == 0
    assert report.after_worse.changes == 8


def test_the_report_runs_in_three_queries_whatever_the_population(
    population: None, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(3):
        wellbeing_report(months=6, now=NOW)


# --- Verdicts -----------------------------------------------------------------------------------


def verdict(*args: str) -> str:
    text = lines(report_text(*args))
    start = text.index("Verdict") + 1
    end = text.index("", start)
    return " ".join(line.strip() for line in text[start:end])


def test_exactly_half_saying_yes_is_not_a_majority(db: None) -> None:
    verdict_population(20, 15, 5)
    assert verdict() == (
        f"Not met: 50.0% of 40 respondents say their life is better (95% CI {wilson(20, 40)}); "
        "the bar is more than half. The interval reaches above 50%, so more answers could "
        "change this."
    )
    assert wilson(20, 40) == "35.2–64.8%"


def test_a_clear_minority_saying_yes_is_clearly_not_met(db: None) -> None:
    verdict_population(6, 24)
    assert verdict() == (
        "Not met: 20.0% of 30 respondents say their life is better (95% CI 9.5–37.3%); the bar "
        "is more than half. The whole interval is below 50%, so it is clearly not met."
    )
    assert wilson(6, 30) == "9.5–37.3%"


def test_a_majority_whose_interval_reaches_below_half_is_met_but_not_clearly(db: None) -> None:
    verdict_population(18, 14)
    assert verdict() == (
        f"Met: 56.2% of 32 respondents say their life is better (95% CI {wilson(18, 32)}). The "
        "interval reaches below 50%, so it is met but not yet clearly."
    )


def test_fewer_than_thirty_respondents_is_not_enough_for_a_verdict(db: None) -> None:
    verdict_population(7, 3, silent=2)
    assert verdict() == (
        "Not enough answers yet: 10 of the 12 people in the population answered the monthly "
        "check-in, and a verdict needs at least 30. So far 70.0% say their life is better "
        f"(95% CI {wilson(7, 10)})."
    )
    assert wilson(7, 10) == "39.7–89.2%"


def test_fewer_than_five_answers_are_never_split(db: None) -> None:
    users = people("few", 4)
    answer(users[:2], MONTHLY, "yes", MAY)
    changes(answer(users[2:3], MONTHLY, "no", MAY), breaks=1)
    answer(users[3:], WEEKLY, "worse", MAY)
    text = lines(report_text())
    assert verdict() == (
        "Not enough answers yet: 3 of the 4 people in the population answered the monthly "
        "check-in, and a verdict needs at least 30."
    )
    assert "    Fewer than 5 answers, so they are not split." in text
    assert "Yes" not in "\n".join(text[text.index("Verdict") + 3 : text.index("Month by month")])
    assert "  Worse answers           fewer than 5" in text
    assert "    Fewer than 5 changes, so what followed is not shown." in text
    data = json.loads(report_text("--json"))
    assert data["answers"] == {"total": 3, "parts": {}} and data["ci95"] is None
    assert data["after_worse"]["breaks"] is None


def test_an_empty_install_says_there_is_nobody_to_ask_yet(db: None) -> None:
    text = lines(report_text())
    assert verdict() == (
        "Nobody to ask yet: no account has been with us for 6 months or more and used the app "
        "in the last 30 days."
    )
    assert "  Population                      0  people" in text
    assert "  Respondents                     0  (response rate –)" in text
    assert "    No weekly answers in this window." in text
    assert "    No worse answers in this window." in text


def test_people_who_joined_recently_are_counted_once_the_window_is_shorter(db: None) -> None:
    users = people("new", 5, joined=dt.datetime(2025, 4, 1, tzinfo=UTC))
    answer(users, MONTHLY, "yes", MAY)
    assert wellbeing_report(months=6, now=NOW).population == 0
    short = wellbeing_report(months=2, now=NOW)
    assert (short.population, short.respondents, short.share_better) == (5, 5, 1.0)


# --- Bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize("months", ["0", "999", "x", "-3", "6.5"])
def test_a_number_of_months_out_of_range_is_refused_with_a_sentence(
    population: None, months: str
) -> None:
    before = (CheckIn.objects.count(), WellbeingChange.objects.count(), User.objects.count())
    out = StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("wellbeing_report", "--months", months, stdout=out)
    assert str(refused.value) == (
        f"The number of months must be a whole number from 1 to 60 (you gave '{months}'). "
        "Try 6 for the last six months."
    )
    assert out.getvalue() == ""
    after = (CheckIn.objects.count(), WellbeingChange.objects.count(), User.objects.count())
    assert after == before


# --- The staff page -----------------------------------------------------------------------------


def staff_member() -> User:
    user = make_user("stafford")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def page(user: User | None, query: str = "", method: str = "get") -> tuple[int, str, str]:
    client = Client()
    if user is not None:
        client.force_login(user)
    with time_machine.travel(NOW, tick=False):
        response = getattr(client, method)(reverse("admin_wellbeing") + query)
    return response.status_code, response.content.decode(), response.get("Location", "")


def test_staff_see_the_figures_and_a_chart_of_the_trend(population: None) -> None:
    status, html, _ = page(staff_member())
    assert status == 200
    assert (
        "Met: 69.4% of 36 respondents say their life is better (95% CI 53.1–82.0%). The whole "
        "interval is above 50%, so it is clearly met."
    ) in html
    assert '<th scope="row">Population</th><td class="num">41</td>' in html
    assert "response rate 87.8%" in html
    assert '<th scope="row">Not sure</th><td class="num">3</td><td class="num">8.3%</td>' in html
    assert '<svg class="wellbeing-chart"' in html
    assert ">68.6%</text>" in html and ">0.0%</text>" in html
    assert 'class="fifty"' in html
    assert "June 2025: 1 monthly answer, fewer than 5 answers</title>" in html
    assert "&lt; 5</text>" in html
    assert '<th scope="row">Break accepted</th><td class="num">5</td>' in html
    assert "Window: the last 6 calendar months counting this one" in html


def test_the_page_never_shows_a_persons_answer_or_note(population: None) -> None:
    user = User.objects.get(username="regular0")
    rows = answer([user], MONTHLY, "yes", dt.datetime(2025, 6, 2, tzinfo=UTC))
    CheckIn.objects.filter(pk=rows[0].pk).update(note="my sister moved away")
    _, html, _ = page(staff_member())
    assert "my sister moved away" not in html
    assert "regular0" not in html


def test_the_months_selector_changes_the_window(population: None) -> None:
    status, html, _ = page(staff_member(), "?months=2")
    assert status == 200
    assert "The last 2 months, 1 May 2025 to 15 Jun 2025." in html
    assert '<option value="2" selected>2 months</option>' in html


def test_a_bad_number_of_months_on_the_page_says_why_and_shows_the_default(
    population: None,
) -> None:
    status, html, _ = page(staff_member(), "?months=999")
    assert status == 200
    assert (
        "The number of months must be a whole number from 1 to 60 (you gave &#x27;999&#x27;). "
        "Try 6 for the last six months. Showing the last 6 months instead."
    ) in html
    assert "The last 6 months, 1 Jan 2025 to 15 Jun 2025." in html


def test_a_moderator_who_is_staff_may_see_the_page(population: None, moderator: User) -> None:
    status, html, _ = page(moderator)
    assert status == 200
    assert "69.4% of 36 respondents" in html


@pytest.mark.parametrize("who", ["anonymous", "alice"])
def test_people_who_are_not_staff_are_sent_to_the_admin_login(
    population: None, alice: User, who: str
) -> None:
    status, html, location = page(None if who == "anonymous" else alice)
    assert status == 302
    assert location == "/admin/login/?next=/admin/wellbeing/"
    assert "69.4%" not in html


def test_the_page_only_answers_get(population: None) -> None:
    status, _, _ = page(staff_member(), method="post")
    assert status == 405


def test_the_admin_index_links_to_the_page(db: None) -> None:
    client = Client()
    client.force_login(staff_member())
    html = client.get(reverse("admin:index")).content.decode()
    assert f'<a href="{reverse("admin_wellbeing")}">Wellbeing</a>' in html


@pytest.mark.parametrize("n", [1, 2, 7, 30, 101, 2500])
def test_the_wilson_interval_matches_scipys_for_every_count(n: int) -> None:
    for k in sorted({0, 1, n // 3, n // 2, n - 1, n}):
        expected = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
        low, high = wilson_interval(k, n)
        assert low == pytest.approx(expected.low, abs=1e-12)
        assert high == pytest.approx(expected.high, abs=1e-12)
