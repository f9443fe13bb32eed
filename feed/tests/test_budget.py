"""The daily time budget: setting it, the heartbeat that counts watch time, the limit, extending."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from feed.models import FeedPreference, SeenPost, WatchDay
from feed.selectors.budget import budget_status_for, today
from feed.services.budget import BEAT_CAP_SECONDS, budget_extend, budget_set, watch_heartbeat
from feed.tests.feed_helpers import logged_in, publish_like, shown

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_pool")]
T0 = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)


# --- Setting a limit --------------------------------------------------------------------------


def test_anyone_may_set_a_daily_limit(alice: User) -> None:
    response = logged_in(alice).post(reverse("feed:budget"), {"minutes": "30"}, follow=True)
    assert "Daily limit set to 30 minutes." in response.content.decode()
    assert FeedPreference.objects.get(user=alice).daily_budget_minutes == 30


def test_an_empty_limit_removes_it(alice: User) -> None:
    budget_set(user=alice, minutes=30)
    response = logged_in(alice).post(reverse("feed:budget"), {"minutes": ""}, follow=True)
    assert "Daily limit removed." in response.content.decode()
    assert FeedPreference.objects.get(user=alice).daily_budget_minutes is None


@pytest.mark.parametrize(
    ("typed", "sentence"),
    [
        ("-5", "-5 minutes isn&#x27;t a daily limit we can keep. Choose between 1 and 720"),
        ("10000", "10,000 minutes isn&#x27;t a daily limit we can keep. Choose between 1 and 720"),
        ("half an hour", "Enter your daily limit as a whole number of minutes"),
    ],
)
def test_a_limit_we_cannot_keep_is_refused_and_nothing_is_written(
    alice: User, typed: str, sentence: str
) -> None:
    response = logged_in(alice).post(reverse("feed:budget"), {"minutes": typed})
    assert sentence in response.content.decode()
    assert not FeedPreference.objects.exists()


# --- The heartbeat ----------------------------------------------------------------------------


def test_each_heartbeat_adds_the_seconds_played(alice: User) -> None:
    watch_heartbeat(user=alice, seconds=5, now=T0)
    watch_heartbeat(user=alice, seconds=15, now=T0 + dt.timedelta(seconds=15))
    day = watch_heartbeat(user=alice, seconds=14.6, now=T0 + dt.timedelta(seconds=30))
    assert (day.day, day.seconds) == (T0.date(), 5 + 15 + 15)


def test_a_heartbeat_forged_to_add_hours_adds_only_the_real_time_elapsed(alice: User) -> None:
    first = watch_heartbeat(user=alice, seconds=3 * 3600, now=T0)
    assert first.seconds == BEAT_CAP_SECONDS
    later = watch_heartbeat(user=alice, seconds=3 * 3600, now=T0 + dt.timedelta(seconds=20))
    assert later.seconds == BEAT_CAP_SECONDS + 20
    after_a_pause = watch_heartbeat(user=alice, seconds=3 * 3600, now=T0 + dt.timedelta(hours=2))
    assert after_a_pause.seconds == 2 * BEAT_CAP_SECONDS + 20


def test_the_heartbeat_view_caps_a_forged_report_and_answers_with_the_meter(alice: User) -> None:
    budget_set(user=alice, minutes=30)
    client = logged_in(alice)
    response = client.post(reverse("feed:heartbeat"), {"seconds": "36000"})
    body = response.content.decode()
    assert response.status_code == 200 and 'id="budget"' in body
    assert "1 of 30 min today" in body
    client.post(reverse("feed:heartbeat"), {"seconds": "36000"})
    assert WatchDay.objects.get(user=alice).seconds <= BEAT_CAP_SECONDS + 5


def test_a_heartbeat_that_is_not_a_number_is_refused_and_nothing_is_written(alice: User) -> None:
    response = logged_in(alice).post(reverse("feed:heartbeat"), {"seconds": "lots"})
    assert response.status_code == 400
    assert "The heartbeat must say how many seconds played" in response.content.decode()
    assert not WatchDay.objects.exists()


def test_days_follow_the_persons_timezone(alice: User) -> None:
    late_evening_utc = dt.datetime(2026, 1, 1, 20, 0, tzinfo=dt.UTC)
    alice.timezone = "Pacific/Auckland"
    assert today(alice, late_evening_utc) == dt.date(2026, 1, 2)
    alice.timezone = "Nowhere/Special"
    assert today(alice, late_evening_utc) == dt.date(2026, 1, 1)


# --- The limit --------------------------------------------------------------------------------


def _spend(user: User, minutes: int) -> None:
    """Watch ``minutes`` through heartbeats a minute apart, ending now."""
    start = timezone.now() - dt.timedelta(minutes=minutes)
    for beat in range(minutes + 1):
        watch_heartbeat(user=user, seconds=60, now=start + dt.timedelta(minutes=beat))


def test_when_the_limit_is_spent_the_feed_stops_for_the_day(
    alice: User, bob: User, template_job: Any
) -> None:
    publish_like(template_job, alice, "a kite over a hill")
    budget_set(user=bob, minutes=5)
    _spend(bob, 5)
    body = logged_in(bob).get("/").content.decode()
    assert "You've reached your limit for today" in body
    assert shown(body) == [] and not SeenPost.objects.exists()
    assert "Watch 15 more minutes" in body


def test_the_heartbeat_that_spends_the_limit_brings_up_the_notice(alice: User) -> None:
    budget_set(user=alice, minutes=1)
    watch_heartbeat(user=alice, seconds=50, now=timezone.now() - dt.timedelta(seconds=20))
    response = logged_in(alice).post(reverse("feed:heartbeat"), {"seconds": "15"})
    body = response.content.decode()
    assert 'data-reached="1"' in body and "reached your limit for today" in body


def test_an_adult_may_extend_the_limit_twice_by_15_minutes(alice: User) -> None:
    budget_set(user=alice, minutes=5)
    _spend(alice, 5)
    client = logged_in(alice)
    first = client.post(reverse("feed:budget_extend"), follow=True).content.decode()
    assert "15 more minutes today. 1 extension left." in first
    client.post(reverse("feed:budget_extend"))
    third = client.post(reverse("feed:budget_extend"), follow=True).content.decode()
    assert "You&#x27;ve already extended today&#x27;s limit 2 times." in third
    status = budget_status_for(user=alice)
    assert status.extensions == 2 and status.allowed_minutes == 35 and not status.reached


def test_a_teen_cannot_extend_their_limit(teen: User) -> None:
    budget_set(user=teen, minutes=5)
    response = logged_in(teen).post(reverse("feed:budget_extend"), follow=True)
    assert "Teen accounts can&#x27;t extend their daily limit." in response.content.decode()
    assert not WatchDay.objects.exists()


def test_there_is_nothing_to_extend_without_a_limit(alice: User) -> None:
    with pytest.raises(ValidationError, match="You have no daily limit to extend."):
        budget_extend(user=alice)


# --- Wrong method and anonymous -----------------------------------------------------------------

BUDGET_URLS = [("feed:budget", {"minutes": "30"}), ("feed:budget_extend", {}),
               ("feed:heartbeat", {"seconds": "10"})]  # fmt: skip


@pytest.mark.parametrize(("name", "data"), BUDGET_URLS)
def test_budget_views_refuse_get(alice: User, name: str, data: dict[str, str]) -> None:
    assert logged_in(alice).get(reverse(name), data).status_code == 405
    assert not FeedPreference.objects.exists() and not WatchDay.objects.exists()


@pytest.mark.parametrize(("name", "data"), BUDGET_URLS)
def test_anonymous_budget_requests_are_sent_to_log_in(client: Any, name: str, data: dict) -> None:
    response = client.post(reverse(name), data)
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not FeedPreference.objects.exists() and not WatchDay.objects.exists()
