"""The teen rules reach the feed: quiet hours show a quiet page, the feed isn't personalised,
and the teen daily limit (plus what a parent approved today) ends it."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from accounts.models import User
from feed.models import FeedPreference, WatchDay
from feed.tests.feed_helpers import logged_in, quiet_hours_around_now

pytestmark = pytest.mark.django_db


def test_a_teen_sees_the_quiet_hours_page_duringquiet_hours_around_now(teen: User) -> None:
    quiet_hours_around_now(teen, now_inside=True)
    page = logged_in(teen).get(reverse("feed:index")).content.decode()
    assert 'data-testid="quiet-hours"' in page and "Quiet hours" in page
    assert 'class="feed-item"' not in page


def test_outside_quiet_hours_a_teen_gets_the_feed(teen: User) -> None:
    quiet_hours_around_now(teen, now_inside=False)
    page = logged_in(teen).get(reverse("feed:index")).content.decode()
    assert 'data-testid="quiet-hours"' not in page


def test_an_adult_never_getsquiet_hours_around_now(alice: User) -> None:
    page = logged_in(alice).get(reverse("feed:index")).content.decode()
    assert 'data-testid="quiet-hours"' not in page


def test_a_teen_cannot_switch_to_for_you_and_nothing_is_written(teen: User) -> None:
    quiet_hours_around_now(teen, now_inside=False)
    response = logged_in(teen).post(reverse("feed:mode"), {"mode": "for_you"}, follow=True)
    assert "Your feed isn&#x27;t personalised, so it shows Latest and Following." in (
        response.content.decode()
    )
    assert not FeedPreference.objects.filter(user=teen, mode="for_you").exists()


def test_a_teens_daily_limit_ends_the_feed_and_a_parents_approval_extends_it(
    teen: User, parent: User
) -> None:
    from accounts.services.teens import (
        parent_link_accept,
        parent_link_code_create,
        teen_extension_decide,
        teen_extension_request,
    )

    quiet_hours_around_now(teen, now_inside=False)
    from feed.selectors.budget import today

    WatchDay.objects.create(user=teen, day=today(teen), seconds=60 * 60)
    client = logged_in(teen)
    page = client.get(reverse("feed:index")).content.decode()
    assert "You've reached your limit for today" in page
    assert "Your daily limit is 60 minutes." in page
    link = parent_link_accept(teen=teen, code=parent_link_code_create(parent=parent).code)
    request = teen_extension_request(teen=teen, minutes=15)
    teen_extension_decide(parent=parent, request_id=request.pk, approve=True)
    page = client.get(reverse("feed:index")).content.decode()
    assert "You've reached your limit for today" not in page
    assert link.parent == parent


def _limit_words(page: str) -> str:
    import html
    import re

    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _linked_teen_past_limit(teen: User, parent: User, *, extra: int = 0) -> None:
    from accounts.services.teens import (
        parent_link_accept,
        parent_link_code_create,
        teen_extension_decide,
        teen_extension_request,
        teen_settings_update_by_parent,
    )
    from feed.selectors.budget import today

    quiet_hours_around_now(teen, now_inside=False)
    link = parent_link_accept(teen=teen, code=parent_link_code_create(parent=parent).code)
    teen_settings_update_by_parent(parent=parent, link_id=link.pk, daily_limit_minutes=30)
    if extra:
        ask = teen_extension_request(teen=teen, minutes=extra)
        teen_extension_decide(parent=parent, request_id=ask.pk, approve=True)
    WatchDay.objects.create(user=teen, day=today(teen), seconds=(30 + extra) * 60)


def test_the_teens_limit_page_shows_the_daily_limit_and_todays_extra_apart(
    teen: User, parent: User
) -> None:
    _linked_teen_past_limit(teen, parent, extra=15)
    words = _limit_words(logged_in(teen).get(reverse("feed:index")).content.decode())
    assert "You've reached your limit for today" in words
    assert (
        "Your daily limit is 30 minutes, and your parent gave you 15 extra minutes today only."
        in words
    )
    assert "45 minutes a day" not in words and "Change your daily limit" not in words


def test_the_teens_limit_page_offers_to_ask_the_linked_parent_for_more_time(
    teen: User, parent: User
) -> None:
    _linked_teen_past_limit(teen, parent)
    client = logged_in(teen)
    page = client.get(reverse("feed:index")).content.decode()
    assert 'href="/accounts/teen/#time" data-testid="ask-more-time">Ask for more time</a>' in page
    assert "@pat gets your request and can say yes for today." in _limit_words(page)
    assert "Change your daily limit" not in page
    # Following the link, the request goes to the parent, who is told.
    client.post(reverse("accounts:teen_more_time"), {"minutes": 15})
    assert parent.notifications.filter(text="@tess asked for 15 more minutes today.").exists()
    words = _limit_words(client.get(reverse("feed:index")).content.decode())
    assert "You asked @pat for 15 more minutes. Waiting for their answer." in words
    assert "Ask for more time" not in words


def test_a_teen_with_no_parent_is_told_how_to_be_able_to_ask(teen: User) -> None:
    from feed.selectors.budget import today

    quiet_hours_around_now(teen, now_inside=False)
    WatchDay.objects.create(user=teen, day=today(teen), seconds=60 * 60)
    words = _limit_words(logged_in(teen).get(reverse("feed:index")).content.decode())
    assert "To ask a parent for more time, link one on your teen settings page ." in words
    assert "Change your daily limit" not in words


def test_the_heartbeat_that_reaches_the_limit_offers_more_time_too(
    teen: User, parent: User
) -> None:
    _linked_teen_past_limit(teen, parent)
    beat = logged_in(teen).post(reverse("feed:heartbeat"), {"seconds": 15}).content.decode()
    assert "Your daily limit is 30 minutes." in _limit_words(beat)
    assert 'data-testid="ask-more-time"' in beat


def test_a_teens_own_lower_limit_still_reads_as_their_own(teen: User) -> None:
    from feed.selectors.budget import today
    from feed.services.budget import budget_set

    quiet_hours_around_now(teen, now_inside=False)
    budget_set(user=teen, minutes=20)
    WatchDay.objects.create(user=teen, day=today(teen), seconds=20 * 60)
    words = _limit_words(logged_in(teen).get(reverse("feed:index")).content.decode())
    assert "You set yourself 20 minutes a day." in words and "Change your daily limit" in words
    assert "Ask for more time" not in words


def test_an_adults_limit_page_is_unchanged(alice: User) -> None:
    from feed.selectors.budget import today
    from feed.services.budget import budget_set

    budget_set(user=alice, minutes=30)
    WatchDay.objects.create(user=alice, day=today(alice), seconds=30 * 60)
    words = _limit_words(logged_in(alice).get(reverse("feed:index")).content.decode())
    assert "You set yourself 30 minutes a day." in words
    assert "Watch 15 more minutes" in words and "Ask for more time" not in words


# --- The quick panel for a teen whose feed isn't personalised ------------------------------------

PANEL_OFF = (
    "For you, mood and your own words need a personalised feed; a linked parent can turn it on."
)


def _panel_post(client: object, name: str, data: dict[str, str]) -> str:
    response = client.post(  # type: ignore[attr-defined]
        reverse(name), {**data, "back": "feed"},
        HTTP_HX_REQUEST="true", HTTP_HX_TARGET="steer-panel",
    )  # fmt: skip
    return html.unescape(response.content.decode())  # the text a person reads


def test_a_teens_panel_shows_for_you_mood_and_words_disabled_with_the_reason(teen: User) -> None:
    quiet_hours_around_now(teen, now_inside=False)
    page = logged_in(teen).get(reverse("feed:index")).content.decode()
    assert f'<p class="muted" id="steer-off" data-testid="steer-off">{PANEL_OFF}</p>' in (
        page.replace("&#x27;", "'")
    )
    assert 'value="for_you" class="chip" aria-pressed="false" disabled' in page
    assert 'data-testid="mood-slider" disabled' in page
    assert 'placeholder="more cooking and dogs, less pranks" disabled' in page
    assert '<span data-testid="mode">Latest</span>' in page
    assert 'value="latest" class="chip on"' in page and 'value="following" class="chip"' in page


def test_a_teens_instruction_is_refused_with_the_reason_and_nothing_is_written(
    teen: User,
) -> None:
    quiet_hours_around_now(teen, now_inside=False)
    client = logged_in(teen)
    panel = _panel_post(client, "feed:instruction", {"instruction": "more dogs"})
    assert "Your feed isn't personalised, so mood, interests and your own words" in panel
    assert "Your next videos follow it" not in panel
    mood = _panel_post(client, "feed:mood", {"mood": "80"})
    assert "Your next videos follow it" not in mood and "isn't personalised" in mood
    assert '<span data-testid="mode">Latest</span>' in mood
    row = FeedPreference.objects.filter(user=teen).first()
    assert row is None or (row.instruction, row.mood) == ("", None)


def test_a_teen_with_a_personalised_feed_has_every_control(teen: User, parent: User) -> None:
    from accounts.services.teens import (
        parent_link_accept,
        parent_link_code_create,
        teen_settings_update_by_parent,
    )

    quiet_hours_around_now(teen, now_inside=False)
    link = parent_link_accept(teen=teen, code=parent_link_code_create(parent=parent).code)
    teen_settings_update_by_parent(parent=parent, link_id=link.pk, personalised=True)
    client = logged_in(teen)
    page = client.get(reverse("feed:index")).content.decode()
    assert (
        'data-testid="steer-off"' not in page
        and "disabled" not in page.split("steer-panel")[1][:3000]
    )
    mood = _panel_post(client, "feed:mood", {"mood": "80"})
    assert "Mood saved. Your next videos follow it." in mood
    assert FeedPreference.objects.get(user=teen).mood == 0.8


def test_an_empty_following_feed_offers_a_teen_latest_not_for_you(teen: User) -> None:
    quiet_hours_around_now(teen, now_inside=False)
    client = logged_in(teen)
    client.post(reverse("feed:mode"), {"mode": "following"})
    page = client.get(reverse("feed:index")).content.decode()
    assert "Nothing from people you follow yet." in page
    assert "Show Latest" in page and "Show For you" not in page


def test_on_latest_an_adults_steering_note_says_it_waits_for_for_you(alice: User) -> None:
    client = logged_in(alice)
    client.post(reverse("feed:mode"), {"mode": "latest"})
    mood = _panel_post(client, "feed:mood", {"mood": "80"})
    assert "Mood saved. It steers For you; you're watching Latest." in mood
    assert 'data-testid="steer-off"' not in mood
    assert FeedPreference.objects.get(user=alice).mood == 0.8


# --- Every player: the post page, where search and profiles lead --------------------------------


def _post_page(user: User | None, post_id: int) -> str:
    from django.test import Client

    client = logged_in(user) if user is not None else Client()
    return client.get(reverse("feed:post", args=[post_id])).content.decode()


def test_during_quiet_hours_a_post_page_shows_the_quiet_notice_instead_of_the_player(
    teen: User, alice: User
) -> None:
    from feed.tests.social_helpers import published

    post = published(alice, caption="a kite over the dunes")
    quiet_hours_around_now(teen, now_inside=True)
    page = _post_page(teen, post.pk)
    assert 'data-testid="quiet-hours"' in page and "<video" not in page
    assert "a kite over the dunes" in page  # the rest of the page stays
    assert "<video" in _post_page(alice, post.pk)  # adults have no quiet hours


def test_past_the_limit_a_post_page_shows_the_limit_notice_instead_of_the_player(
    teen: User, parent: User, alice: User
) -> None:
    from feed.tests.social_helpers import published

    post = published(alice)
    _linked_teen_past_limit(teen, parent)
    page = _post_page(teen, post.pk)
    assert 'data-testid="limit-reached"' in page and "<video" not in page
    assert "Your daily limit is 30 minutes." in _limit_words(page)
    assert 'data-testid="ask-more-time"' in page


def test_a_post_pages_player_is_counted_by_the_heartbeat(teen: User, alice: User) -> None:
    from feed.models import WatchDay
    from feed.tests.social_helpers import published

    post = published(alice)
    quiet_hours_around_now(teen, now_inside=False)
    page = _post_page(teen, post.pk)
    assert "data-counted></video>" in page and "js/feed.js" in page
    assert f'data-heartbeat="{reverse("feed:heartbeat")}"' in page
    assert "0 of 60 min today" in page
    beat = logged_in(teen).post(reverse("feed:heartbeat"), {"seconds": 15}).content.decode()
    assert "0 of 60 min today" in beat
    assert WatchDay.objects.get(user=teen).seconds == 15


def test_an_adult_with_a_limit_has_it_on_post_pages_too(alice: User, bob: User) -> None:
    from feed.selectors.budget import today
    from feed.services.budget import budget_set
    from feed.tests.social_helpers import published

    post = published(bob)
    budget_set(user=alice, minutes=10)
    WatchDay.objects.create(user=alice, day=today(alice), seconds=10 * 60)
    words = _limit_words(_post_page(alice, post.pk))
    assert "You set yourself 10 minutes a day." in words and "Watch 15 more minutes" in words


def test_a_visitor_gets_the_player_and_no_meter(alice: User) -> None:
    from feed.tests.social_helpers import published

    page = _post_page(None, published(alice).pk)
    assert "<video" in page and 'id="budget"' not in page and "js/feed.js" not in page
