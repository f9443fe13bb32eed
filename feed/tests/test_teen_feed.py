"""The teen rules reach the feed: quiet hours show a quiet page, the feed isn't personalised,
and the teen daily limit (plus what a parent approved today) ends it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import TeenSettings, User
from feed.models import FeedPreference, WatchDay
from feed.tests.feed_helpers import logged_in

pytestmark = pytest.mark.django_db


def _quiet_hours(teen: User, *, now_inside: bool) -> None:
    """Put the teen's quiet window around the current time, or well away from it, so the test
    doesn't depend on the hour it runs at."""
    now = timezone.localtime(timezone.now()).replace(second=0, microsecond=0)
    centre = now if now_inside else now + dt.timedelta(hours=12)
    start, end = centre - dt.timedelta(hours=1), centre + dt.timedelta(hours=1)
    TeenSettings.objects.filter(user=teen).update(quiet_start=start.time(), quiet_end=end.time())


def test_a_teen_sees_the_quiet_hours_page_during_quiet_hours(teen: User) -> None:
    _quiet_hours(teen, now_inside=True)
    page = logged_in(teen).get(reverse("feed:index")).content.decode()
    assert 'data-testid="quiet-hours"' in page and "Quiet hours" in page
    assert 'class="feed-item"' not in page


def test_outside_quiet_hours_a_teen_gets_the_feed(teen: User) -> None:
    _quiet_hours(teen, now_inside=False)
    page = logged_in(teen).get(reverse("feed:index")).content.decode()
    assert 'data-testid="quiet-hours"' not in page


def test_an_adult_never_gets_quiet_hours(alice: User) -> None:
    page = logged_in(alice).get(reverse("feed:index")).content.decode()
    assert 'data-testid="quiet-hours"' not in page


def test_a_teen_cannot_switch_to_for_you_and_nothing_is_written(teen: User) -> None:
    _quiet_hours(teen, now_inside=False)
    response = logged_in(teen).post(reverse("feed:mode"), {"mode": "for_you"}, follow=True)
    assert "Your feed isn&#x27;t personalised, so it shows Latest and Following." in (
        response.content.decode()
    )
    assert not FeedPreference.objects.filter(user=teen, mode="for_you").exists()


def test_a_teens_daily_limit_ends_the_feed_and_a_parents_approval_extends_it(
    teen: User, parent: User
) -> None:
    from accounts.teens import (
        parent_link_accept,
        parent_link_code_create,
        teen_extension_decide,
        teen_extension_request,
    )

    _quiet_hours(teen, now_inside=False)
    from feed.budget import today

    WatchDay.objects.create(user=teen, day=today(teen), seconds=60 * 60)
    client = logged_in(teen)
    page = client.get(reverse("feed:index")).content.decode()
    assert "You've reached your limit for today" in page
    assert "Your teen account allows 60 minutes a day" in page
    link = parent_link_accept(teen=teen, code=parent_link_code_create(parent=parent).code)
    request = teen_extension_request(teen=teen, minutes=15)
    teen_extension_decide(parent=parent, request_id=request.pk, approve=True)
    page = client.get(reverse("feed:index")).content.decode()
    assert "You've reached your limit for today" not in page
    assert link.parent == parent
