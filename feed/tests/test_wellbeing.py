"""Wellbeing check-ins: when the card is due, each answer, what a worse answer changes in the
feed (and undoing it), the break and daily-limit offers, privacy, and the data export."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from html import unescape
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.services.users import follow_create, user_signup
from conftest import PASSWORD
from feed.models import CheckIn, FeedPreference, WellbeingChange
from feed.services import wellbeing
from feed.services.budget import budget_set, watch_heartbeat
from feed.services.steering import feed_mode_set, feed_mood_set
from feed.tests.feed_helpers import CALM, ENERGETIC, logged_in, publish_like, shown

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_pool")]
HTMX = {"HTTP_HX_REQUEST": "true"}
WEEKLY_Q = "How do you feel after using the app lately?"
MONTHLY_Q = "Looking back, is your life better for using the app?"


def _active(user: User, days: int = 7, end: dt.datetime | None = None) -> None:
    """Watch for half a minute on each of ``days`` days, the last one ``end`` (now)."""
    end = end or timezone.now()
    for back in range(days):
        watch_heartbeat(user=user, seconds=30, now=end - dt.timedelta(days=back))


def _answer(user: User, answer: str = "worse", kind: str = "weekly", **extra: Any) -> Any:
    return logged_in(user).post(
        reverse("feed:check_in_answer"), {"kind": kind, "answer": answer, **extra}, **HTMX
    )


def _person(username: str, zone: str) -> User:
    return user_signup(
        username=username,
        email=f"{username}@example.com",
        password=PASSWORD,
        birthdate=dt.date(1990, 5, 1),
        time_zone=zone,
    )


def _worse(user: User) -> WellbeingChange:
    _active(user)
    wellbeing.check_in_answer(user=user, kind="weekly", answer="worse")
    return WellbeingChange.objects.get(user=user)


# --- When a check-in is due -------------------------------------------------------------------


def test_no_check_in_is_due_for_a_new_person_or_a_visitor(alice: User) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert wellbeing.check_in_due(alice) is None
    assert wellbeing.check_in_due(AnonymousUser()) is None


def test_the_weekly_check_in_is_due_after_seven_days_with_watch_time(alice: User) -> None:
    now = timezone.now()
    _active(alice, days=6, end=now)
    assert wellbeing.check_in_due(alice, now) is None
    watch_heartbeat(user=alice, seconds=30, now=now - dt.timedelta(days=9))
    assert wellbeing.check_in_due(alice, now) == "weekly"


def test_days_without_watch_time_do_not_count(alice: User) -> None:
    now = timezone.now()
    _active(alice, days=6, end=now)
    watch_heartbeat(user=alice, seconds=0, now=now - dt.timedelta(days=8))
    assert wellbeing.check_in_due(alice, now) is None


def test_the_weekly_card_waits_seven_days_after_an_answer_or_a_skip(alice: User) -> None:
    start = timezone.now()
    _active(alice, end=start)
    with time_machine.travel(start, tick=False):
        wellbeing.check_in_dismiss(user=alice, kind="weekly")
    assert wellbeing.check_in_due(alice, start + dt.timedelta(days=6, hours=23)) is None
    later = start + dt.timedelta(days=7)
    assert wellbeing.check_in_due(alice, later) == "weekly"
    with time_machine.travel(later, tick=False):
        wellbeing.check_in_answer(user=alice, kind="weekly", answer="same")
    assert wellbeing.check_in_due(alice, later + dt.timedelta(days=3)) is None


def test_the_monthly_check_in_comes_30_days_after_signup_and_wins_over_the_weekly(
    alice: User,
) -> None:
    month_on = alice.date_joined + dt.timedelta(days=31)
    _active(alice, end=month_on)
    assert wellbeing.check_in_due(alice, alice.date_joined + dt.timedelta(days=29)) == "weekly"
    assert wellbeing.due_kinds(alice, month_on) == {"weekly", "monthly"}
    assert wellbeing.check_in_due(alice, month_on) == "monthly"
    with time_machine.travel(month_on, tick=False):
        wellbeing.check_in_answer(user=alice, kind="monthly", answer="yes")
    # The monthly answer stands for that week's too: no second card right after it.
    assert wellbeing.check_in_due(alice, month_on + dt.timedelta(days=1)) is None
    assert wellbeing.check_in_due(alice, month_on + dt.timedelta(days=7)) == "weekly"
    assert "monthly" not in wellbeing.due_kinds(alice, month_on + dt.timedelta(days=29))
    watch_heartbeat(user=alice, seconds=30, now=month_on + dt.timedelta(days=25))
    assert "monthly" in wellbeing.due_kinds(alice, month_on + dt.timedelta(days=30))


def test_the_monthly_check_in_needs_watch_time_in_the_last_30_days(alice: User) -> None:
    long_after = alice.date_joined + dt.timedelta(days=90)
    _active(alice, days=2, end=alice.date_joined + dt.timedelta(days=10))
    assert wellbeing.check_in_due(alice, long_after) is None
    watch_heartbeat(user=alice, seconds=30, now=long_after - dt.timedelta(days=3))
    assert wellbeing.check_in_due(alice, long_after) == "monthly"


def test_the_card_shows_on_the_feed_when_due_and_asks_its_question(alice: User) -> None:
    client = logged_in(alice)
    assert 'data-testid="check-in"' not in client.get("/").content.decode()
    _active(alice)
    page = client.get("/").content.decode()
    assert 'data-testid="check-in"' in page and WEEKLY_Q in page
    assert "Not now" in page and "Only you see your answer" in page


def test_the_monthly_card_shows_on_the_feed_with_its_own_answers(alice: User) -> None:
    month_on = alice.date_joined + dt.timedelta(days=31)
    _active(alice, end=month_on)
    with time_machine.travel(month_on, tick=False):
        page = logged_in(alice).get("/").content.decode()
    assert MONTHLY_Q in page
    assert all(f'data-answer="{a}"' in page for a in ("yes", "no", "not_sure"))


def test_working_out_the_card_costs_one_query(alice: User) -> None:
    _active(alice)
    with CaptureQueriesContext(connection) as queries:
        assert wellbeing.check_in_due(alice) == "weekly"
    assert len(queries.captured_queries) == 1


@pytest.mark.parametrize("has_preference", [True, False])
def test_the_feed_page_reads_the_check_in_with_the_preference_and_today_s_time(
    alice: User, has_preference: bool
) -> None:
    """A person with a preference row: one query reads it, today's watch time and whether a
    check-in is due. Without one (never changed a setting) the page asks the check-in alone."""
    _active(alice)
    if has_preference:
        budget_set(user=alice, minutes=45)
    client = logged_in(alice)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/").content.decode()
    assert 'data-testid="check-in"' in page and WEEKLY_Q in page
    reads = [q["sql"] for q in queries.captured_queries if "feed_checkin" in q["sql"]]
    # Without a preference row, the one read found nothing and the check-in is asked alone.
    assert len(reads) == (1 if has_preference else 2)
    assert "feed_feedpreference" in reads[0]
    alone = f'FROM "accounts_user" WHERE "accounts_user"."id" = {alice.pk}'
    assert reads[-1].endswith(alone) is not has_preference
    if has_preference:
        assert 'data-testid="budget-meter"' in page and "of 45 min today" in page
        assert not [
            q for q in queries.captured_queries if q["sql"].startswith('SELECT "feed_watchday"')
        ]


def test_the_next_page_through_htmx_never_asks_about_check_ins(alice: User) -> None:
    _active(alice)
    with mock.patch.object(wellbeing, "check_in_due", side_effect=AssertionError) as due:
        response = logged_in(alice).get("/?more=1", **HTMX)
    assert response.status_code == 200 and 'data-testid="check-in"' not in response.content.decode()
    assert not due.called


# --- Answering ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "answer", "thanks"),
    [
        ("weekly", "better", "Thanks, glad to hear it."),
        ("weekly", "same", "Thanks for telling us."),
        ("monthly", "yes", "Thanks, glad to hear it."),
        ("monthly", "not_sure", "Thanks for telling us."),
    ],
)
def test_an_answer_that_is_not_worse_is_saved_and_thanked_without_changing_the_feed(
    alice: User, kind: str, answer: str, thanks: str
) -> None:
    if kind == "weekly":
        _active(alice)
        response = _answer(alice, answer, kind, note="  a good week  ")
    else:
        month_on = alice.date_joined + dt.timedelta(days=31)
        _active(alice, end=month_on)
        with time_machine.travel(month_on, tick=False):
            response = _answer(alice, answer, kind, note="  a good week  ")
    body = response.content.decode()
    assert thanks in body and 'data-testid="check-in-thanks"' in body
    row = CheckIn.objects.get(user=alice, kind=kind)
    assert (row.answer, row.note) == (answer, "a good week")
    assert not WellbeingChange.objects.exists()
    assert not FeedPreference.objects.filter(user=alice).exclude(mood=None).exists()


def test_a_worse_answer_shows_what_changed_and_records_before_and_after(alice: User) -> None:
    _active(alice)
    feed_mood_set(user=alice, mood=0.9)
    feed_mode_set(user=alice, mode="latest")
    body = _answer(alice, "worse", note="too much scrolling").content.decode()
    assert 'data-testid="what-changed"' in body and "Your feed is calmer now" in body
    assert "Mood:</strong> energized (90 of 100) → relaxed (20 of 100)" in body
    assert "Goals:</strong> none → Be more connected to friends" in body
    assert "Feed:</strong> Latest → For you" in body
    assert "Undo these changes" in body and "Take a break?" in body and "30 minutes a day" in body
    change = WellbeingChange.objects.get(user=alice)
    assert change.before == {"mood": 0.9, "goals": [], "mode": "latest"}
    assert change.after == {"mood": 0.2, "goals": ["friends"], "mode": "for_you"}
    assert change.check_in.note == "too much scrolling"
    preference = FeedPreference.objects.get(user=alice)
    assert (preference.mood, preference.goals, preference.mode) == (0.2, ["friends"], "for_you")
    assert len(bytes(preference.goal_vectors)) > 0


def test_a_monthly_no_shifts_the_feed_like_a_weekly_worse(alice: User) -> None:
    month_on = alice.date_joined + dt.timedelta(days=31)
    _active(alice, end=month_on)
    with time_machine.travel(month_on, tick=False):
        body = _answer(alice, "no", "monthly").content.decode()
    assert "Your feed is calmer now" in body
    assert WellbeingChange.objects.get(user=alice).after["mood"] == 0.2


def test_a_worse_answer_keeps_the_goals_and_calmer_mood_already_chosen(alice: User) -> None:
    from feed.services.goals import feed_goals_set

    _active(alice)
    feed_goals_set(user=alice, goals=["fitness"])
    feed_mood_set(user=alice, mood=0.1)
    wellbeing.check_in_answer(user=alice, kind="weekly", answer="worse")
    change = WellbeingChange.objects.get(user=alice)
    assert change.after == {"mood": 0.1, "goals": ["friends", "fitness"], "mode": "for_you"}


def test_without_javascript_a_worse_answer_leads_to_the_check_ins_page(alice: User) -> None:
    _active(alice)
    client = logged_in(alice)
    response = client.post(reverse("feed:check_in_answer"), {"kind": "weekly", "answer": "worse"})
    change = WellbeingChange.objects.get(user=alice)
    assert response["Location"] == f"{reverse('feed:wellbeing')}#change-{change.pk}"
    page = client.get(response["Location"]).content.decode()
    assert "Here&#x27;s what changed in your feed." in page and f'id="change-{change.pk}"' in page


def test_dismissing_saves_a_row_with_no_answer_and_the_card_goes_away(alice: User) -> None:
    _active(alice)
    client = logged_in(alice)
    response = client.post(reverse("feed:check_in_dismiss"), {"kind": "weekly"}, **HTMX)
    assert "Okay, not now. We&#x27;ll ask again another time." in response.content.decode()
    assert CheckIn.objects.get(user=alice).answer == ""
    assert 'data-testid="check-in"' not in client.get("/").content.decode()


def test_a_note_over_500_characters_is_refused_and_nothing_is_written(alice: User) -> None:
    _active(alice)
    body = _answer(alice, "worse", note="x" * 612).content.decode()
    assert "Your note is 612 characters; the limit is 500. Shorten it and send your answer" in body
    assert WEEKLY_Q in body and "x" * 612 in body  # the note is kept
    assert not CheckIn.objects.exists() and not WellbeingChange.objects.exists()
    assert not FeedPreference.objects.exists()


def test_a_note_over_500_characters_without_javascript_is_a_400_with_the_sentence(
    alice: User,
) -> None:
    _active(alice)
    response = logged_in(alice).post(
        reverse("feed:check_in_answer"), {"kind": "weekly", "answer": "same", "note": "y" * 501}
    )
    assert response.status_code == 400
    assert "Your note is 501 characters; the limit is 500." in response.content.decode()
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize(
    ("kind", "answer", "sentence"),
    [
        ("weekly", "yes", "Choose one of the answers: better, about the same or worse."),
        ("monthly", "worse", "Choose one of the answers: yes, no or not sure."),
        ("weekly", "", "Choose one of the answers: better, about the same or worse."),
        ("daily", "worse", "That isn&#x27;t a check-in we ask."),
    ],
)
def test_an_answer_that_does_not_fit_the_question_is_refused_and_nothing_is_written(
    alice: User, kind: str, answer: str, sentence: str
) -> None:
    _active(alice)
    body = _answer(alice, answer, kind).content.decode()
    assert sentence in body
    assert not CheckIn.objects.exists() and not FeedPreference.objects.exists()


def test_an_answer_when_no_check_in_is_due_is_refused_and_nothing_is_written(
    alice: User,
) -> None:
    body = _answer(alice, "worse").content.decode()
    assert "There&#x27;s no weekly check-in waiting for you right now, so nothing was saved." in (
        body
    )
    assert not CheckIn.objects.exists() and not FeedPreference.objects.exists()


def test_a_second_answer_for_the_same_week_is_refused(alice: User) -> None:
    _active(alice)
    wellbeing.check_in_answer(user=alice, kind="weekly", answer="better")
    with pytest.raises(ValidationError, match="no weekly check-in waiting"):
        wellbeing.check_in_answer(user=alice, kind="weekly", answer="worse")
    with pytest.raises(ValidationError, match="no weekly check-in waiting"):
        wellbeing.check_in_dismiss(user=alice, kind="weekly")
    assert CheckIn.objects.count() == 1 and not WellbeingChange.objects.exists()


# --- A worse answer changes the next feed page ------------------------------------------------


def test_a_worse_check_in_changes_the_next_feed_page(
    alice: User, bob: User, template_job: Any
) -> None:
    calm = {publish_like(template_job, alice, f"{CALM}, take {i}").pk for i in range(12)}
    wild = {publish_like(template_job, alice, f"{ENERGETIC}, take {i}").pk for i in range(12)}
    _active(bob)
    client = logged_in(bob)
    first = client.get("/").content.decode()
    first_ids = shown(first)
    assert set(first_ids[:3]) & wild  # no mood yet: freshness and variety mix the two
    assert "It's calm, and your mood is set to relaxed." not in unescape(first)

    _answer(bob, "worse")

    following = client.get("/").content.decode()
    ids = shown(following)
    # Nothing was watched, so every calm video is still fresh and now comes first.
    assert len(ids) > len(calm) // 2
    assert set(ids[: len(calm)]) <= calm
    assert set(ids[len(calm) :]) <= wild
    first_why = unescape(following.split('data-testid="why"', 1)[1].split("</ul>", 1)[0])
    assert "It's calm, and your mood is set to relaxed." in first_why


def test_a_teen_whose_feed_is_not_personalised_is_switched_to_following(
    teen: User, charlie: User
) -> None:
    follow_create(follower=teen, followee=charlie)
    change = _worse(teen)
    assert change.before["mode"] == "for_you" and change.after["mode"] == "following"
    assert change.after["mood"] is None and change.after["goals"] == []
    assert FeedPreference.objects.get(user=teen).mode == "following"


def test_a_teen_who_follows_nobody_keeps_their_feed_and_is_told_so(teen: User) -> None:
    _active(teen)
    body = _answer(teen, "worse").content.decode()
    assert "Nothing in your feed settings needed to change" in body
    assert "follow people you like from their profiles" in body
    change = WellbeingChange.objects.get(user=teen)
    assert change.before == change.after


# --- Undo --------------------------------------------------------------------------------------


def test_undo_puts_back_what_the_check_in_changed(alice: User) -> None:
    feed_mode_set(user=alice, mode="latest")
    change = _worse(alice)
    response = logged_in(alice).post(reverse("feed:wellbeing_undo", args=[change.pk]), **HTMX)
    body = response.content.decode()
    assert "Undone: your mood, your goals and which feed you see went back" in body
    assert "You undid what your check-in changed" in body
    preference = FeedPreference.objects.get(user=alice)
    assert (preference.mood, preference.goals, preference.mode) == (None, [], "latest")
    change.refresh_from_db()
    assert change.undone_at is not None


def test_undo_keeps_a_setting_the_person_changed_since(alice: User) -> None:
    change = _worse(alice)
    feed_mood_set(user=alice, mood=0.7)
    undone = wellbeing.wellbeing_change_undo(user=alice, change_id=change.pk)
    assert (undone.restored, undone.kept) == (["goals"], ["mood"])
    preference = FeedPreference.objects.get(user=alice)
    assert (preference.mood, preference.goals) == (0.7, [])


def test_undoing_twice_is_refused_with_a_sentence(alice: User) -> None:
    change = _worse(alice)
    client = logged_in(alice)
    client.post(reverse("feed:wellbeing_undo", args=[change.pk]))
    feed_mood_set(user=alice, mood=0.2)
    response = client.post(reverse("feed:wellbeing_undo", args=[change.pk]), **HTMX)
    assert "You already undid these changes." in response.content.decode()
    assert FeedPreference.objects.get(user=alice).mood == 0.2


# --- The break and the daily limit -----------------------------------------------------------


def test_a_break_shows_the_break_page_in_the_persons_timezone_until_it_is_ended() -> None:
    dana = _person("dana", "Europe/Paris")
    change = _worse(dana)
    evening = dt.datetime(2026, 6, 1, 19, 25, tzinfo=dt.UTC)  # 21:25 in Paris
    client = logged_in(dana)
    with time_machine.travel(evening, tick=False):
        response = client.post(
            reverse("feed:wellbeing_break", args=[change.pk]), {"minutes": "15"}, follow=True
        )
        body = response.content.decode()
        assert "You're taking a break until 21:40" in body and "End my break now" in body
        assert 'class="feed-item"' not in body
        next_page = client.get("/?more=1", **HTMX).content.decode()
        assert 'data-testid="break"' in next_page and 'class="feed-item"' not in next_page
        change.refresh_from_db()
        assert change.break_accepted_at == evening
        ended = client.post(reverse("feed:break_end"), follow=True).content.decode()
    assert "Your break is over. Welcome back." in ended and 'data-testid="break"' not in ended
    assert FeedPreference.objects.get(user=dana).break_until is None


def test_a_break_for_the_rest_of_today_lasts_until_midnight_where_the_person_lives() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    kenji = _person("kenji", "Asia/Tokyo")
    change = _worse(kenji)
    evening = dt.datetime(2026, 6, 1, 20, 0, tzinfo=tokyo)  # 11:00 UTC
    with time_machine.travel(evening, tick=False):
        preference = wellbeing.wellbeing_break_take(user=kenji, change_id=change.pk, minutes=None)
        body = logged_in(kenji).get("/").content.decode()
    assert preference.break_until == dt.datetime(2026, 6, 2, 0, 0, tzinfo=tokyo)
    assert "You're taking a break until midnight" in body


def test_the_break_ends_by_itself_when_its_time_is_up(alice: User) -> None:
    change = _worse(alice)
    wellbeing.wellbeing_break_take(user=alice, change_id=change.pk, minutes=15)
    client = logged_in(alice)
    assert 'data-testid="break"' in client.get("/").content.decode()
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16)):
        assert 'data-testid="break"' not in client.get("/").content.decode()


@pytest.mark.parametrize("minutes", ["0", "forever", "100000"])
def test_a_break_off_the_list_is_refused_and_nothing_is_written(alice: User, minutes: str) -> None:
    change = _worse(alice)
    response = logged_in(alice).post(
        reverse("feed:wellbeing_break", args=[change.pk]), {"minutes": minutes}, **HTMX
    )
    assert "Choose a break of 15 minutes, an hour, or the rest of today." in (
        response.content.decode()
    )
    assert FeedPreference.objects.get(user=alice).break_until is None
    change.refresh_from_db()
    assert change.break_accepted_at is None


def test_the_daily_limit_offer_sets_the_limit(alice: User) -> None:
    change = _worse(alice)
    response = logged_in(alice).post(
        reverse("feed:wellbeing_budget", args=[change.pk]), {"minutes": "45"}, **HTMX
    )
    assert "Daily limit set to 45 minutes." in response.content.decode()
    assert FeedPreference.objects.get(user=alice).daily_budget_minutes == 45
    change.refresh_from_db()
    assert change.budget_minutes == 45 and change.budget_set_at is not None


@pytest.mark.parametrize(
    ("minutes", "sentence"),
    [
        ("lots", "Choose a daily limit of 30, 45 or 60 minutes."),
        ("9999", "9,999 minutes isn&#x27;t a daily limit we can keep."),
        ("\u00b2", "Choose a daily limit of 30, 45 or 60 minutes."),
        ("4\u2075", "Choose a daily limit of 30, 45 or 60 minutes."),
        ("9" * 40, "Choose a daily limit of 30, 45 or 60 minutes."),
    ],
)
def test_a_daily_limit_we_cannot_keep_is_refused_and_nothing_is_written(
    alice: User, minutes: str, sentence: str
) -> None:
    change = _worse(alice)
    response = logged_in(alice).post(
        reverse("feed:wellbeing_budget", args=[change.pk]), {"minutes": minutes}, **HTMX
    )
    assert sentence in response.content.decode()
    assert FeedPreference.objects.get(user=alice).daily_budget_minutes is None
    change.refresh_from_db()
    assert change.budget_set_at is None


# --- The check-ins page -------------------------------------------------------------------------


def test_the_check_ins_page_lists_answers_and_changes(alice: User) -> None:
    _active(alice)
    wellbeing.check_in_answer(user=alice, kind="weekly", answer="worse", note="long days")
    change = WellbeingChange.objects.get(user=alice)
    page = logged_in(alice).get(reverse("feed:wellbeing")).content.decode()
    assert "How you felt after using the app: <strong>Worse</strong>" in page
    assert "long days" in page and f'id="change-{change.pk}"' in page
    assert "Undo these changes" in page


def test_the_check_ins_page_has_an_empty_state(alice: User) -> None:
    page = logged_in(alice).get(reverse("feed:wellbeing")).content.decode()
    assert "No check-ins yet." in page and 'data-testid="no-check-ins"' in page


# --- Who may do what ---------------------------------------------------------------------------


def _post_views(change_id: int) -> list[tuple[str, dict[str, str]]]:
    return [
        (reverse("feed:check_in_answer"), {"kind": "weekly", "answer": "worse"}),
        (reverse("feed:check_in_dismiss"), {"kind": "weekly"}),
        (reverse("feed:wellbeing_undo", args=[change_id]), {}),
        (reverse("feed:wellbeing_break", args=[change_id]), {"minutes": "15"}),
        (reverse("feed:wellbeing_budget", args=[change_id]), {"minutes": "30"}),
        (reverse("feed:break_end"), {}),
    ]


def test_every_wellbeing_form_refuses_get(alice: User) -> None:
    change = _worse(alice)
    client = logged_in(alice)
    for url, data in _post_views(change.pk):
        assert client.get(url, data).status_code == 405, url
    assert CheckIn.objects.count() == 1 and FeedPreference.objects.get(user=alice).mood == 0.2


def test_visitors_are_sent_to_log_in(client: Any, alice: User) -> None:
    change = _worse(alice)
    for url, data in _post_views(change.pk):
        response = client.post(url, data)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    response = client.get(reverse("feed:wellbeing"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    change.refresh_from_db()
    assert change.undone_at is None and change.break_accepted_at is None
    assert CheckIn.objects.count() == 1


def test_someone_elses_change_is_404_and_untouched(alice: User, charlie: User) -> None:
    change = _worse(alice)
    client = logged_in(charlie)
    for url, data in _post_views(change.pk)[2:5]:
        assert client.post(url, data).status_code == 404, url
    change.refresh_from_db()
    assert change.undone_at is None and change.break_accepted_at is None
    assert change.budget_set_at is None
    preference = FeedPreference.objects.get(user=alice)
    assert preference.mood == 0.2 and preference.break_until is None


def test_answers_stay_private_from_other_people_and_a_linked_parent(
    teen: User, parent: User, charlie: User
) -> None:
    from accounts.services.teens import parent_link_accept, parent_link_code_create

    parent_link_accept(teen=teen, code=parent_link_code_create(parent=parent).code)
    _active(teen)
    wellbeing.check_in_answer(
        user=teen, kind="weekly", answer="worse", note="I scroll too late at night"
    )
    for viewer in (parent, charlie):
        client = logged_in(viewer)
        for url in (
            reverse("feed:wellbeing"),
            reverse("accounts:family"),
            reverse("profile", args=[teen.username]),
            reverse("accounts:notifications"),
        ):
            body = client.get(url).content.decode()
            assert "I scroll too late at night" not in body, url
            assert "Worse" not in body and "calmer" not in body, url
    own = logged_in(teen).get(reverse("feed:wellbeing")).content.decode()
    assert "I scroll too late at night" in own


def test_the_data_export_includes_check_ins_and_what_they_changed(alice: User) -> None:
    from accounts.selectors.export import data_export

    _active(alice)
    wellbeing.check_in_answer(user=alice, kind="weekly", answer="worse", note="tired")
    with data_export(user=alice) as out:
        archive = zipfile.ZipFile(io.BytesIO(out.read()))
    rows = json.loads(archive.read("wellbeing.json"))
    assert [(r["kind"], r["answer"], r["note"]) for r in rows] == [("weekly", "worse", "tired")]
    assert rows[0]["changed_in_your_feed"]["after"]["mood"] == 0.2
    assert "wellbeing.json" in archive.read("README.txt").decode()
    assert not [n for n in archive.namelist() if "checkin" in n or "wellbeingchange" in n]


def test_another_persons_export_has_none_of_my_check_ins(alice: User, bob: User) -> None:
    from accounts.selectors.export import data_export

    _active(alice)
    wellbeing.check_in_answer(user=alice, kind="weekly", answer="same", note="fine")
    with data_export(user=bob) as out:
        archive = zipfile.ZipFile(io.BytesIO(out.read()))
    assert json.loads(archive.read("wellbeing.json")) == []


def test_a_persons_own_budget_survives_an_undo(alice: User) -> None:
    change = _worse(alice)
    budget_set(user=alice, minutes=30)
    wellbeing.wellbeing_change_undo(user=alice, change_id=change.pk)
    assert FeedPreference.objects.get(user=alice).daily_budget_minutes == 30
