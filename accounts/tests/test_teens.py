"""Teen accounts: the defaults at signup, the rules the rest of the app reads, quiet hours and
limits on a frozen clock, a teen tightening their own settings, and turning 18."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.forms import TIME_ERROR
from accounts.models import Notification, ParentLink, TeenSettings, User
from accounts.selectors.teens import (
    dm_allowed_by_age,
    findable_by,
    is_teen_now,
    teen_extra_minutes_today,
    teen_rules,
)
from accounts.services.teens import (
    parent_link_accept,
    parent_link_code_create,
    teen_birthday_check,
    teen_birthdays_run,
    teen_extension_decide,
    teen_extension_request,
    teen_settings_tighten,
    teen_settings_update_by_parent,
)
from accounts.services.users import follow_create, user_signup
from conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db

UTC = dt.UTC
TEEN_PAGE = "/accounts/teen/"
SETTINGS_URL = "/accounts/teen/settings/"


def _page(response: Any) -> str:
    return html.unescape(response.content.decode())


def _login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _teen_in(zone: str, username: str = "tokyo_teen", age: int = 15) -> User:
    today = timezone.localdate()
    return user_signup(
        username=username, email=f"{username}@example.com", password=PASSWORD,
        birthdate=today.replace(year=today.year - age) - dt.timedelta(days=1), time_zone=zone,
    )  # fmt: skip


def _linked(parent: User, teen: User) -> ParentLink:
    code = parent_link_code_create(parent=parent)
    return parent_link_accept(teen=teen, code=code.code)


def _stored(teen: User) -> dict[str, Any]:
    row = TeenSettings.objects.get(user=teen)
    return {
        "personalised": row.personalised, "dms_enabled": row.dms_enabled,
        "daily_limit_minutes": row.daily_limit_minutes, "quiet_start": row.quiet_start,
        "quiet_end": row.quiet_end, "cameo_cap": row.cameo_cap,
    }  # fmt: skip


DEFAULTS = {
    "personalised": False, "dms_enabled": False, "daily_limit_minutes": 60,
    "quiet_start": dt.time(22, 0), "quiet_end": dt.time(7, 0), "cameo_cap": "only_me",
}  # fmt: skip


# --- Signup -------------------------------------------------------------------------------------


def test_a_teen_account_starts_with_every_protection_on(teen: User) -> None:
    assert teen.is_teen and _stored(teen) == DEFAULTS
    rules = teen_rules(teen)
    assert rules is not None
    assert (rules.personalised, rules.dms_enabled, rules.daily_limit_minutes) == (False, False, 60)
    assert rules.feed_modes == ("following", "latest")
    assert rules.cameo_cap == "only_me"


def test_an_adult_has_no_teen_settings_and_no_teen_rules(alice: User) -> None:
    assert not TeenSettings.objects.filter(user=alice).exists()
    assert teen_rules(alice) is None


def test_signup_keeps_the_timezone_the_browser_sent(client: Client) -> None:
    response = client.post(
        reverse("accounts:signup"),
        {
            "username": "zoe", "email": "zoe@example.com", "birthdate": "2011-02-03",
            "password1": PASSWORD, "password2": PASSWORD, "timezone": "Europe/Paris",
        },
    )  # fmt: skip
    assert response.status_code == 302
    zoe = User.objects.get(username="zoe")
    assert (zoe.timezone, zoe.is_teen) == ("Europe/Paris", True)
    assert _stored(zoe) == DEFAULTS


def test_the_signup_page_has_a_timezone_field_the_script_fills_in(client: Client) -> None:
    page = client.get(reverse("accounts:signup")).content.decode()
    assert 'name="timezone"' in page and "data-detect-timezone" in page
    assert "js/accounts.js" in page


def test_an_unknown_timezone_is_refused_in_a_sentence_and_no_account_is_made(
    client: Client,
) -> None:
    response = client.post(
        reverse("accounts:signup"),
        {
            "username": "zoe", "email": "zoe@example.com", "birthdate": "2011-02-03",
            "password1": PASSWORD, "password2": PASSWORD, "timezone": "Mars/Olympus_Mons",
        },
    )  # fmt: skip
    assert response.status_code == 200
    assert (
        "We don't know the time zone “Mars/Olympus_Mons”. Use a name such as Europe/London, or "
        "leave it empty to use the site's own." in _page(response)
    )
    assert not User.objects.filter(username="zoe").exists()
    assert not TeenSettings.objects.exists()


# --- Quiet hours and limits on a frozen clock ---------------------------------------------------


@pytest.mark.parametrize(
    ("utc", "quiet"),
    [
        (dt.datetime(2026, 3, 10, 12, 59, tzinfo=UTC), False),  # 21:59 in Tokyo
        (dt.datetime(2026, 3, 10, 13, 0, tzinfo=UTC), True),  # 22:00
        (dt.datetime(2026, 3, 10, 17, 30, tzinfo=UTC), True),  # 02:30
        (dt.datetime(2026, 3, 10, 21, 59, tzinfo=UTC), True),  # 06:59
        (dt.datetime(2026, 3, 10, 22, 0, tzinfo=UTC), False),  # 07:00: the feed is back
    ],
)
def test_quiet_hours_follow_the_teens_own_timezone(utc: dt.datetime, quiet: bool) -> None:
    tokyo = _teen_in("Asia/Tokyo")
    rules = teen_rules(tokyo, now=utc)
    assert rules is not None and rules.in_quiet_hours(utc) is quiet


def test_the_same_moment_is_quiet_in_tokyo_and_not_in_london() -> None:
    moment = dt.datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
    tokyo, london = _teen_in("Asia/Tokyo"), _teen_in("Europe/London", "london_teen")
    assert teen_rules(tokyo, now=moment).in_quiet_hours(moment)
    assert not teen_rules(london, now=moment).in_quiet_hours(moment)


def test_quiet_hours_say_when_they_end() -> None:
    tokyo = _teen_in("Asia/Tokyo")
    moment = dt.datetime(2026, 3, 10, 14, 0, tzinfo=UTC)  # 23:00 in Tokyo
    ends = teen_rules(tokyo, now=moment).quiet_hours_end(moment)
    assert ends.astimezone(UTC) == dt.datetime(2026, 3, 10, 22, 0, tzinfo=UTC)
    assert (ends.hour, ends.minute) == (7, 0)


def test_the_quiet_hours_page_says_when_the_feed_is_back(teen: User) -> None:
    from feed.views._common import quiet_hours_response

    moment = dt.datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
    request = RequestFactory().get("/")
    request.user = teen
    response = quiet_hours_response(request, teen_rules(teen, now=moment), now=moment)
    words = " ".join(re.sub(r"<[^>]+>", "", _page(response)).split())
    assert "The feed rests from 22:00 to 07:00. It's back at 07:00." in words


def test_a_parents_extra_minutes_count_on_that_day_only(parent: User) -> None:
    tokyo = _teen_in("Asia/Tokyo")
    _linked(parent, tokyo)
    # 23:30 UTC on the 9th is already the 10th in Tokyo.
    asked_at = dt.datetime(2026, 3, 9, 23, 30, tzinfo=UTC)
    ask = teen_extension_request(teen=tokyo, minutes=30, now=asked_at)
    assert ask.day == dt.date(2026, 3, 10)
    teen_extension_decide(parent=parent, request_id=ask.pk, approve=True, now=asked_at)
    assert teen_extra_minutes_today(tokyo, asked_at) == 30
    rules = teen_rules(tokyo, now=asked_at)
    assert (rules.daily_limit_minutes, rules.minutes_allowed_today) == (60, 90)
    next_day = dt.datetime(2026, 3, 10, 15, 30, tzinfo=UTC)  # 00:30 on the 11th in Tokyo
    assert teen_extra_minutes_today(tokyo, next_day) == 0
    assert teen_rules(tokyo, now=next_day).minutes_allowed_today == 60


def test_a_declined_request_adds_no_minutes(parent: User, teen: User) -> None:
    _linked(parent, teen)
    ask = teen_extension_request(teen=teen, minutes=60)
    teen_extension_decide(parent=parent, request_id=ask.pk, approve=False)
    assert teen_extra_minutes_today(teen) == 0


# --- The rules other apps read ------------------------------------------------------------------


def test_teens_are_hidden_from_adults_who_are_not_mutuals(
    teen: User, alice: User, parent: User
) -> None:
    from django.contrib.auth.models import AnonymousUser

    other_teen = make_user("tom", age=16)
    assert not findable_by(alice, teen)
    assert not findable_by(AnonymousUser(), teen)
    assert findable_by(other_teen, teen) and findable_by(teen, teen)
    follow_create(follower=alice, followee=teen)
    assert not findable_by(alice, teen)  # following alone is not enough
    follow_create(follower=teen, followee=alice)
    assert findable_by(alice, teen)
    _linked(parent, teen)
    assert findable_by(parent, teen)
    assert findable_by(teen, alice) and findable_by(AnonymousUser(), alice)


def test_adults_and_teens_cannot_message_each_other(teen: User, alice: User) -> None:
    assert dm_allowed_by_age(alice, teen) == "@tess can't get messages from your account."
    assert dm_allowed_by_age(teen, alice) == "Teen accounts can only message other teen accounts."
    assert dm_allowed_by_age(alice, make_user("bob")) is None


def test_a_teen_with_messages_off_can_neither_send_nor_receive(teen: User, parent: User) -> None:
    tom = make_user("tom", age=16)
    assert dm_allowed_by_age(teen, tom) == (
        "Direct messages are off on your account. A linked parent can turn them on from their "
        "family page."
    )
    link = _linked(parent, teen)
    teen_settings_update_by_parent(parent=parent, link_id=link.pk, dms_enabled=True)
    assert dm_allowed_by_age(teen, tom) == "@tom doesn't get direct messages."
    tom_parent = make_user("tina", age=44)
    tom_link = _linked(tom_parent, tom)
    teen_settings_update_by_parent(parent=tom_parent, link_id=tom_link.pk, dms_enabled=True)
    assert dm_allowed_by_age(teen, tom) is None and dm_allowed_by_age(tom, teen) is None


# --- A teen tightens their own settings ---------------------------------------------------------


def test_a_teen_can_make_every_setting_stricter(teen: User) -> None:
    teen_settings_tighten(
        teen=teen, daily_limit_minutes=30, quiet_start=dt.time(21, 0), quiet_end=dt.time(8, 0)
    )
    assert _stored(teen) == DEFAULTS | {
        "daily_limit_minutes": 30, "quiet_start": dt.time(21, 0), "quiet_end": dt.time(8, 0),
    }  # fmt: skip


@pytest.mark.parametrize(
    ("change", "sentence"),
    [
        ({"personalised": True}, "Only a linked parent can turn on a personalised feed."),
        ({"dms_enabled": True}, "Only a linked parent can turn direct messages on."),
        (
            {"daily_limit_minutes": 90},
            "You can lower your daily limit but not raise it. Ask your parent for more time "
            "instead.",
        ),
        (
            {"quiet_start": dt.time(23, 0)},
            "You can make quiet hours longer but not shorter: start them earlier or end them "
            "later.",
        ),
        (
            {"quiet_end": dt.time(6, 0)},
            "You can make quiet hours longer but not shorter: start them earlier or end them "
            "later.",
        ),
        (
            {"quiet_start": dt.time(9, 0), "quiet_end": dt.time(12, 0)},
            "You can make quiet hours longer but not shorter: start them earlier or end them "
            "later.",
        ),
        (
            {"cameo_cap": "everyone"},
            "You can narrow who may use your cameo, but only a parent can widen it.",
        ),
    ],
)
def test_a_teen_cannot_loosen_a_setting_and_nothing_is_written(
    teen: User, change: dict[str, Any], sentence: str
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        teen_settings_tighten(teen=teen, **change)
    assert sentence in excinfo.value.messages
    assert _stored(teen) == DEFAULTS


def test_the_settings_page_saves_a_stricter_limit(teen: User) -> None:
    form = {"daily_limit_minutes": "45", "quiet_start": "22:00", "quiet_end": "07:00"}
    form |= {"cameo_cap": "only_me"}
    response = _login(teen).post(SETTINGS_URL, form, follow=True)
    assert response.redirect_chain[-1][0] == TEEN_PAGE
    page = _page(response)
    assert "Your settings are saved." in page and "<dd>45 minutes</dd>" in page
    assert _stored(teen)["daily_limit_minutes"] == 45


def test_the_settings_form_refuses_get(teen: User) -> None:
    assert _login(teen).get(SETTINGS_URL).status_code == 405
    assert _stored(teen) == DEFAULTS


def test_a_visitor_is_sent_to_log_in_and_no_settings_change(teen: User) -> None:
    response = Client().post(SETTINGS_URL, {"daily_limit_minutes": "1"})
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert _stored(teen) == DEFAULTS


def test_an_adult_posting_teen_settings_is_told_and_nothing_is_made(alice: User) -> None:
    form = {"daily_limit_minutes": "30", "quiet_start": "22:00", "quiet_end": "07:00"}
    response = _login(alice).post(SETTINGS_URL, form | {"cameo_cap": "only_me"})
    assert response.status_code == 400
    assert "Only teen accounts have teen settings." in _page(response)
    assert not TeenSettings.objects.exists()


@pytest.mark.parametrize(
    ("form", "sentence"),
    [
        (
            {"daily_limit_minutes": "-5"},
            "-5 minutes isn't a daily limit we can keep. Choose between 1 and 720 minutes "
            "(12 hours).",
        ),
        (
            {"daily_limit_minutes": "10000"},
            "10,000 minutes isn't a daily limit we can keep. Choose between 1 and 720 minutes "
            "(12 hours).",
        ),
        (
            {"daily_limit_minutes": "sixty"},
            "Write the daily limit as a whole number of minutes, such as 60.",
        ),
        ({"quiet_start": "25:99"}, TIME_ERROR),
        ({"quiet_end": "7pm"}, TIME_ERROR),
        (
            {"quiet_start": "22:00", "quiet_end": "22:00"},
            "Quiet hours need different start and end times, such as 22:00 to 07:00.",
        ),
        ({"cameo_cap": "the_world"}, "Choose who may use the cameo from the list."),
    ],
)
def test_bad_settings_get_a_sentence_and_nothing_is_written(
    teen: User, form: dict[str, str], sentence: str
) -> None:
    base = {"daily_limit_minutes": "60", "quiet_start": "22:00", "quiet_end": "07:00"}
    response = _login(teen).post(SETTINGS_URL, base | {"cameo_cap": "only_me"} | form)
    assert response.status_code == 400
    assert sentence in _page(response)
    assert _stored(teen) == DEFAULTS


# --- The teen's page ----------------------------------------------------------------------------


def test_the_teen_page_shows_the_settings_and_how_to_link(teen: User) -> None:
    page = _page(_login(teen).get(TEEN_PAGE))
    assert "<h1>Your teen settings</h1>" in page
    assert "<dt>Daily limit</dt><dd>60 minutes</dd>" in page
    assert "<dt>Quiet hours start</dt><dd>22:00</dd>" in page
    assert "<dt>Who may use your cameo, at most</dt><dd>Only me</dd>" in page
    assert "No parent is linked to your account." in page
    assert "Your parent hasn't changed anything yet." in page
    assert "Link a parent to be able to ask for more time." in page


def test_an_adult_on_the_teen_page_is_pointed_to_the_family_page(alice: User) -> None:
    page = _page(_login(alice).get(TEEN_PAGE))
    assert "Teen settings only apply to accounts of people aged 13 to 17" in page
    assert reverse("accounts:family") in page


def test_the_menu_links_a_teen_to_their_settings_and_an_adult_to_family(
    teen: User, alice: User
) -> None:
    teen_menu = _login(teen).get("/accounts/settings/").content.decode()
    assert '<a href="/accounts/teen/">Teen settings</a>' in teen_menu
    assert "/accounts/family/" not in teen_menu
    adult_menu = _login(alice).get("/accounts/settings/").content.decode()
    assert '<a href="/accounts/family/">Family</a>' in adult_menu
    assert '<a href="/accounts/data/">Your data</a>' in adult_menu


# --- Turning 18 ---------------------------------------------------------------------------------


def _turning_18_in(days: int, username: str = "nearly", zone: str = "UTC") -> User:
    birthday = timezone.localdate() + dt.timedelta(days=days)
    try:
        birthdate = birthday.replace(year=birthday.year - 18)
    except ValueError:  # 29 February
        birthdate = dt.date(birthday.year - 18, 3, 1)
    return user_signup(
        username=username, email=f"{username}@example.com", password=PASSWORD,
        birthdate=birthdate, time_zone=zone,
    )  # fmt: skip


def _at_noon(days: int) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(12, 0), tzinfo=UTC)


def test_turning_18_lifts_the_defaults_keeps_the_settings_and_tells_everyone(
    parent: User,
) -> None:
    from feed.models import FeedPreference

    nearly = _turning_18_in(days=3)
    link = _linked(parent, nearly)
    teen_settings_update_by_parent(parent=parent, link_id=link.pk, daily_limit_minutes=45)
    assert not teen_birthday_check(user=nearly, now=_at_noon(2))
    assert is_teen_now(nearly, _at_noon(2)) and not is_teen_now(nearly, _at_noon(3))

    assert teen_birthday_check(user=nearly, now=_at_noon(3))
    nearly.refresh_from_db()
    link.refresh_from_db()
    assert not nearly.is_teen and teen_rules(nearly) is None
    assert (link.end_reason, link.ended_at) == ("turned_18", _at_noon(3))
    assert _stored(nearly)["daily_limit_minutes"] == 45  # kept
    assert FeedPreference.objects.get(user=nearly).daily_budget_minutes == 45
    told = Notification.objects.get(recipient=nearly, kind="turned_18").text
    assert told == (
        "You're 18 now, so teen limits no longer apply and any parent link has ended. Your "
        "settings stay as they were, including your 45-minute daily limit; change them whenever "
        "you like."
    )
    assert Notification.objects.get(recipient=parent, kind="turned_18").text == (
        "@nearly turned 18, so your link to their account has ended."
    )
    assert not teen_birthday_check(user=nearly, now=_at_noon(4))  # only once
    page = _page(_login(nearly).get(TEEN_PAGE))
    assert "Teen settings only apply to accounts of people aged 13 to 17" in page
    assert "<strong>Daily limit</strong>: 60 minutes → 45 minutes" in page  # the log stays


def test_the_18th_birthday_counts_in_the_persons_own_timezone() -> None:
    kiribati = _turning_18_in(days=1, username="kiri", zone="Pacific/Kiritimati")  # UTC+14
    london = _turning_18_in(days=1, username="lon", zone="Europe/London")
    eve = dt.datetime.combine(timezone.localdate(), dt.time(11, 0), tzinfo=UTC)
    assert teen_birthdays_run(now=eve) == [kiribati]
    assert User.objects.get(pk=london.pk).is_teen


def test_the_daily_command_lifts_teen_protections_on_birthdays(teen: User) -> None:
    import io

    nearly = _turning_18_in(days=1)
    out = io.StringIO()
    with mock.patch("django.utils.timezone.now", return_value=_at_noon(1)):
        call_command("teen_birthdays", stdout=out)
    assert "@nearly turned 18: teen protections lifted." in out.getvalue()
    assert "1 account(s) turned 18." in out.getvalue()
    assert not User.objects.get(pk=nearly.pk).is_teen
    assert User.objects.get(pk=teen.pk).is_teen


def test_logging_in_on_the_birthday_lifts_them_without_waiting_for_the_command() -> None:
    nearly = _turning_18_in(days=1)
    with mock.patch("django.utils.timezone.now", return_value=_at_noon(1)):
        response = Client().post(
            reverse("accounts:login"), {"username": "nearly", "password": PASSWORD}
        )
    assert response.status_code == 302
    assert not User.objects.get(pk=nearly.pk).is_teen
    assert Notification.objects.filter(recipient=nearly, kind="turned_18").exists()
