"""Seen means watched: the feed records what it sent, and only the browser's report that a video
was at least 60% in view for a second marks it seen. Through the real views."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from redis.exceptions import RedisError

from accounts.models import User
from feed.models import Post, SeenPost
from feed.tests.feed_helpers import logged_in, publish_like, shown

pytestmark = pytest.mark.usefixtures("fresh_pool")
SEEN = "/feed/seen/"
IDS_MESSAGE = "Video ids are whole numbers above zero, separated by commas."


@pytest.fixture
def kites(alice: User, template_job: Any) -> list[Post]:
    return [
        publish_like(template_job, alice, f"a kite over a windy hill, take {i}", features=False)
        for i in range(4)
    ]


def _report(client: Client, *post_ids: int | str) -> Any:
    return client.post(SEEN, {"posts": ",".join(str(pk) for pk in post_ids)})


def _seen(user: User) -> set[int]:
    return set(
        SeenPost.objects.filter(user=user, seen_at__isnull=False).values_list("post_id", flat=True)
    )


def _next_page(html: str) -> str:
    found = re.search(r"/\?scroll=\d+", html)
    assert found, "the page has no next page"
    return found.group()


def test_the_seen_report_is_the_address_the_page_gives_its_script(bob: User) -> None:
    assert reverse("feed:seen") == SEEN


def test_it_records_a_sent_post_as_seen_only_after_the_browser_reports_it(
    bob: User, kites: list[Post]
) -> None:
    client = logged_in(bob)
    sent = shown(client.get("/").content.decode())
    assert sorted(sent) == sorted(p.pk for p in kites)
    assert SeenPost.objects.filter(user=bob).count() == 4 and _seen(bob) == set()

    response = _report(client, sent[0])
    assert response.status_code == 200 and response.json() == {"seen": 1}
    assert _seen(bob) == {sent[0]}
    assert shown(client.get("/").content.decode()) == sent[1:]


def test_a_second_report_of_the_same_post_keeps_its_first_time(
    bob: User, kites: list[Post]
) -> None:
    client = logged_in(bob)
    first = shown(client.get("/").content.decode())[0]
    _report(client, first)
    when = SeenPost.objects.get(user=bob, post_id=first).seen_at
    assert _report(client, first, first).json() == {"seen": 0}
    assert SeenPost.objects.get(user=bob, post_id=first).seen_at == when


def test_a_report_of_posts_sent_to_someone_else_marks_nothing(
    alice: User, bob: User, kites: list[Post]
) -> None:
    alices = shown(logged_in(alice).get("/").content.decode())
    response = _report(logged_in(bob), *alices)
    assert response.status_code == 200 and response.json() == {"seen": 0}
    assert not SeenPost.objects.filter(user=bob).exists()
    assert _seen(alice) == set()  # nor are alice's rows touched


def test_a_report_of_a_post_never_sent_to_this_person_writes_nothing(
    bob: User, charlie: User, kites: list[Post]
) -> None:
    with mock.patch("feed.selectors.posts.FEED_PAGE_SIZE", 2):
        sent = shown(logged_in(bob).get("/").content.decode())
    never = [p.pk for p in kites if p.pk not in sent]
    response = _report(logged_in(bob), *never)
    assert response.json() == {"seen": 0}
    assert set(SeenPost.objects.filter(user=bob).values_list("post_id", flat=True)) == set(sent)
    assert _seen(bob) == set()


def test_a_report_long_after_the_post_was_sent_marks_nothing(bob: User, kites: list[Post]) -> None:
    client = logged_in(bob)
    sent = shown(client.get("/").content.decode())
    SeenPost.objects.filter(user=bob).update(served_at=timezone.now() - dt.timedelta(hours=7))
    assert _report(client, *sent).json() == {"seen": 0}
    assert _seen(bob) == set()


@pytest.mark.parametrize(
    ("posts", "message"),
    [
        ("twelve", IDS_MESSAGE),
        ("12,abc", IDS_MESSAGE),
        ("-3", IDS_MESSAGE),
        ("1.5", IDS_MESSAGE),
        ("9" * 5000, IDS_MESSAGE),
        ("0", "Video ids are whole numbers above zero."),
        ("99999999999999999999", IDS_MESSAGE),
        ("", "The report names no videos. Send the ids of the videos watched."),
    ],
)
def test_a_report_with_bad_ids_is_refused_with_a_sentence_and_writes_nothing(
    bob: User, kites: list[Post], posts: str, message: str
) -> None:
    client = logged_in(bob)
    sent = shown(client.get("/").content.decode())
    # Next to an id the feed did send, so a partly good report is refused whole.
    response = client.post(SEEN, {"posts": f"{sent[0]},{posts}" if posts else ""})
    assert response.status_code == 400 and response.content.decode() == message
    assert _seen(bob) == set()


def test_a_report_of_ten_thousand_ids_is_refused_and_writes_nothing(
    bob: User, kites: list[Post]
) -> None:
    client = logged_in(bob)
    sent = shown(client.get("/").content.decode())
    response = _report(client, *sent, *range(1, 10_001))
    assert response.status_code == 400
    assert response.content.decode() == (
        "A report can name at most 100 videos, not 10004. Send them in smaller batches."
    )
    assert _seen(bob) == set()


def test_the_report_refuses_the_wrong_method(bob: User, kites: list[Post]) -> None:
    client = logged_in(bob)
    sent = shown(client.get("/").content.decode())
    assert client.get(SEEN, {"posts": sent[0]}).status_code == 405
    assert _seen(bob) == set()


def test_the_report_refuses_anonymous_visitors_and_writes_nothing(
    bob: User, kites: list[Post]
) -> None:
    sent = shown(logged_in(bob).get("/").content.decode())
    response = _report(Client(), *sent)
    assert response.status_code == 403
    assert response.content.decode() == "Sign in so the feed can remember what you watched."
    assert not SeenPost.objects.filter(seen_at__isnull=False).exists()


def test_a_report_costs_the_same_queries_for_one_id_or_fifty(
    bob: User, alice: User, template_job: Any
) -> None:
    for i in range(50):
        publish_like(template_job, alice, f"a paper boat on a pond, take {i}", features=False)
    client = logged_in(bob)
    with mock.patch("feed.selectors.posts.FEED_PAGE_SIZE", 50):
        sent = shown(client.get("/").content.decode())
    counts = []
    for batch in (sent[:1], sent[1:]):
        with CaptureQueriesContext(connection) as queries:
            assert _report(client, *batch).json() == {"seen": len(batch)}
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1] and len(_seen(bob)) == 50


def test_the_next_page_of_a_scroll_never_repeats_what_that_scroll_sent(
    bob: User, kites: list[Post]
) -> None:
    client = logged_in(bob)
    with mock.patch("feed.selectors.posts.FEED_PAGE_SIZE", 2):
        first_scroll = client.get("/").content.decode()
        client.get(_next_page(first_scroll), HTTP_HX_REQUEST="true")
        # A new visit starts a new scroll: the same unwatched videos first, then the rest.
        again = client.get("/").content.decode()
        assert shown(again) == shown(first_scroll)
        rest = client.get(_next_page(again), HTTP_HX_REQUEST="true").content.decode()
    assert sorted(shown(again) + shown(rest)) == sorted(p.pk for p in kites)
    assert "/?scroll=" not in rest  # the scroll ends: it sent everything unseen


@pytest.mark.parametrize("token", ["abc", "-5", "99999999999999999999999", "0"])
def test_a_made_up_scroll_starts_a_new_scroll(bob: User, kites: list[Post], token: str) -> None:
    client = logged_in(bob)
    with mock.patch("feed.selectors.posts.FEED_PAGE_SIZE", 2):
        first = shown(client.get("/").content.decode())
        page = client.get(f"/?scroll={token}", HTTP_HX_REQUEST="true")
    assert page.status_code == 200 and shown(page.content.decode()) == first


def test_the_feed_and_the_report_work_while_the_cache_is_down(bob: User, kites: list[Post]) -> None:
    client = logged_in(bob)
    unreachable = mock.Mock(side_effect=RedisError("Connection refused"))
    down = mock.patch("feed.selectors.posts.cache", mock.Mock(get=unreachable, set=unreachable))
    with down:
        page = client.get("/")
        sent = shown(page.content.decode())
        assert page.status_code == 200 and len(sent) == 4
        assert _report(client, *sent).json() == {"seen": 4}
        caught_up = client.get("/").content.decode()
    assert shown(caught_up) == [] and "You're all caught up" in caught_up


def test_the_goal_page_counts_what_the_feed_sent_for_a_goal_before_it_is_watched(
    bob: User, alice: User, template_job: Any
) -> None:
    from feed.services.goals import feed_goals_set

    publish_like(template_job, alice, "a woman doing push-ups and squats in a home workout")
    feed_goals_set(user=bob, goals=["fitness"])
    client = logged_in(bob)
    client.get("/")
    page = client.get(reverse("feed:goals")).content.decode()
    assert "1 video, of the 1 the feed showed you" in page
    assert _seen(bob) == set()
