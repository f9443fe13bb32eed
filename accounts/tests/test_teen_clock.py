"""Quiet hours and the daily limit on a frozen clock, through the real feed and heartbeat views.

Every moment is a wall-clock time in a named zone on a day next to the real today, so the
personas keep their ages and the logins made inside the frozen clock stay valid.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import zoneinfo
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import TeenSettings, User
from accounts.services.teens import parent_link_accept, parent_link_code_create
from accounts.services.users import user_signup
from conftest import PASSWORD
from feed.services.steering import feed_mode_set
from feed.tests.social_helpers import login, published

pytestmark = pytest.mark.django_db

QUIET = 'data-testid="quiet-hours"'
ITEM = 'class="feed-item"'
LIMIT = "You've reached your limit for today"


def _at(zone: str, hour: int, minute: int = 0, second: int = 0, *, days: int = 0) -> dt.datetime:
    """``hour:minute:second`` on the clock of ``zone``, ``days`` after the real today."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour, minute, second), tzinfo=zoneinfo.ZoneInfo(zone))


def _teen_in(zone: str, username: str) -> User:
    today = timezone.localdate()
    return user_signup(
        username=username, email=f"{username}@example.com", password=PASSWORD,
        birthdate=today.replace(year=today.year - 15) - dt.timedelta(days=1), time_zone=zone,
    )  # fmt: skip


def _words(page: str) -> str:
    """A page's text as a person reads it: no tags, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _feed_at(moment: dt.datetime, *people: User) -> list[str]:
    """Each person's feed page (raw HTML) at ``moment``, with one fresh post by a stranger, so a
    feed that isn't quiet has something to show."""
    with time_machine.travel(moment, tick=False):
        published(User.objects.get(username="alice"), caption="a kite over the dunes")
        return [login(person).get(reverse("feed:index")).content.decode() for person in people]


def _beat(client: Client, seconds: int) -> str:
    response = client.post(reverse("feed:heartbeat"), {"seconds": seconds})
    assert response.status_code == 200
    return _words(response.content.decode())


@pytest.mark.parametrize(
    ("clock", "quiet"),
    [((23, 0), True), ((6, 59), True), ((7, 0), False), ((21, 59), False)],
    ids=["23:00", "06:59", "07:00", "21:59"],
)
def test_the_feed_rests_from_22_to_07_on_the_teens_clock(
    teen: User, alice: User, clock: tuple[int, int], quiet: bool
) -> None:
    (page,) = _feed_at(_at(teen.timezone, *clock), teen)
    assert (QUIET in page) is quiet
    assert (ITEM in page) is not quiet
    if quiet:
        assert "The feed rests from 22:00 to 07:00. It's back at 07:00 ." in _words(page)


def test_the_quiet_hours_page_is_not_shown_to_an_adult_at_23(alice: User) -> None:
    feed_mode_set(user=alice, mode="latest")
    (page,) = _feed_at(_at(alice.timezone, 23, 0), alice)
    assert QUIET not in page and ITEM in page


def test_quiet_hours_keep_the_teens_own_clock_not_the_servers(settings: Any, alice: User) -> None:
    settings.TIME_ZONE = "UTC"
    tokyo = _teen_in("Asia/Tokyo", "kenji")
    server = _teen_in("", "sam")  # no zone given: the server's
    assert server.timezone == "UTC"

    # 23:00 in Tokyo is 14:00 on the server's clock.
    in_tokyo, on_server = _feed_at(_at("Asia/Tokyo", 23, 0), tokyo, server)
    assert QUIET in in_tokyo and ITEM not in in_tokyo
    assert QUIET not in on_server and ITEM in on_server

    # 07:00 in Tokyo is 22:00 on the server's clock: the other way round.
    in_tokyo, on_server = _feed_at(_at("Asia/Tokyo", 7, 0), tokyo, server)
    assert QUIET not in in_tokyo and ITEM in in_tokyo
    assert QUIET in on_server and ITEM not in on_server


def test_quiet_hours_a_parent_widened_hold_from_start_to_end(
    teen: User, parent: User, alice: User
) -> None:
    link = parent_link_accept(teen=teen, code=parent_link_code_create(parent=parent).code)
    form = {
        "daily_limit_minutes": "60", "quiet_start": "21:00", "quiet_end": "08:00",
        "cameo_cap": "only_me",
    }  # fmt: skip
    login(parent).post(reverse("accounts:family_settings", args=[link.pk]), form)
    stored = TeenSettings.objects.get(user=teen)
    assert (stored.quiet_start, stored.quiet_end) == (dt.time(21, 0), dt.time(8, 0))

    for clock, quiet in [((20, 59), False), ((21, 0), True), ((7, 59), True), ((8, 0), False)]:
        (page,) = _feed_at(_at(teen.timezone, *clock), teen)
        assert (QUIET in page) is quiet, clock
        assert (ITEM in page) is not quiet, clock
    (page,) = _feed_at(_at(teen.timezone, 21, 30), teen)
    assert "The feed rests from 21:00 to 08:00. It's back at 08:00 ." in _words(page)


def test_an_hour_of_heartbeats_ends_the_feed_until_the_teens_midnight(alice: User) -> None:
    tokyo = _teen_in("Asia/Tokyo", "kenji")
    start = _at("Asia/Tokyo", 20, 0)
    with time_machine.travel(start, tick=False) as clock:
        published(alice, caption="a kite over the dunes")
        client = login(tokyo)
        for _ in range(59):
            beat = _beat(client, 60)
            clock.shift(60)
        assert "59 of 60 min today" in beat and LIMIT not in beat
        page = client.get(reverse("feed:index")).content.decode()
        assert ITEM in page and LIMIT not in _words(page)

        beat = _beat(client, 60)
        assert "60 of 60 min today" in beat and LIMIT in beat
        page = client.get(reverse("feed:index")).content.decode()
        assert LIMIT in _words(page) and "Your daily limit is 60 minutes." in _words(page)
        assert ITEM not in page

        # Still the same day in Tokyo a moment before midnight: the limit holds.
        clock.move_to(_at("Asia/Tokyo", 23, 59, 45))
        assert LIMIT in _beat(client, 15)

        # Midnight in Tokyo is 15:00 on the same UTC day: only the teen's day has turned.
        clock.move_to(_at("Asia/Tokyo", 0, 0, days=1))
        assert timezone.now().astimezone(dt.UTC).date() == start.astimezone(dt.UTC).date()
        beat = _beat(client, 15)
        assert "0 of 60 min today" in beat and LIMIT not in beat

        # The feed itself opens again when quiet hours end that morning.
        clock.move_to(_at("Asia/Tokyo", 7, 0, days=1))
        page = client.get(reverse("feed:index")).content.decode()
        assert ITEM in page and "0 of 60 min today" in _words(page)
