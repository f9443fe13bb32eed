"""Arbitrary text and numbers through every form that takes them: never a server error, and
nothing stored when the input is refused.

Text reaches the site the way a raw HTTP client can send it: any Unicode, NUL and other control
characters, lone surrogates (sent as their UTF-8-style bytes, which the server decodes to
U+FFFD), right-to-left marks, zero-width characters and very long strings. Numbers are huge,
negative, fractional, not numbers at all, or longer than Python converts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import LimitExtensionRequest, User
from cameo.services.consent import cameo_mark_verified
from feed.models import Comment, DirectMessage, FeedPreference, Post
from feed.tests.social_helpers import published
from generation.models import GenerationJob
from safety.models import Report
from sora_site.tests.authz_world import family_link_for, wellbeing_change_for
from sora_site.text import has_control_characters, visible

FUZZ = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

ODD = [
    "\x00", "\x01", "\x1b", "\x7f", "\x85", "\ud800", "\udfff", "\u200b", "\u200d", "\u200e",
    "\u200f", "\u202e", "\u2066", "\ufeff", "\u00a0", "\n", "\t", " ", "a", "é", "😀", "م",
]  # fmt: skip
texts = st.one_of(
    st.text(),
    st.text(alphabet=st.sampled_from(ODD), max_size=30),
    st.text(alphabet=st.characters(codec=None, categories=None), max_size=30),
    st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=4), st.integers(200, 3000)),
)
numbers = st.one_of(
    st.integers().map(str),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.sampled_from(["", "-0", "1e309", "nan", "inf", "-inf", "0x10", "²", "１２", "9" * 5000]),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    texts,
)


def _as_server_reads(text: str) -> str:
    """What the server's form sees: lone surrogates arrive as bytes it replaces with U+FFFD."""
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def refused(text: str) -> bool:
    """Text the shared rule refuses: control characters, or nothing a reader would see."""
    text = _as_server_reads(text).strip()
    return has_control_characters(text) or not visible(text)


def _body(data: dict[str, Any]) -> str:
    return urlencode(data, doseq=True, encoding="utf-8", errors="surrogatepass")


def send(client: Client, method: str, url: str, data: dict[str, Any], measure: Callable[[], Any]):
    """Send raw form data in a savepoint that is rolled back, so examples don't add up.
    Returns the status and what ``measure`` read before and after."""
    with transaction.atomic():
        before = measure()
        if method == "GET":
            response = client.get(f"{url}?{_body(data)}")
        else:
            response = client.post(
                url, _body(data), content_type="application/x-www-form-urlencoded"
            )
        after = measure()
        transaction.set_rollback(True)
    assert response.status_code < 500, f"{method} {url} {data!r} answered {response.status_code}"
    return response.status_code, before, after


def login(user: User) -> Client:
    client = Client(raise_request_exception=True)
    client.force_login(user)
    return client


@pytest.fixture
def post(alice: User) -> Post:
    return published(alice, prompt="a lighthouse in a storm")


@pytest.fixture
def friends(alice: User, bob: User) -> Iterator[None]:
    from accounts.services.users import follow_create

    follow_create(follower=alice, followee=bob)
    follow_create(follower=bob, followee=alice)
    yield


@pytest.fixture
def change(alice: User) -> Any:
    return wellbeing_change_for(alice)


@pytest.fixture
def link(parent: User, teen: User) -> Any:
    return family_link_for(parent, teen)[0]


# --- Text people type ---------------------------------------------------------------------------


@FUZZ
@given(prompt=texts, seed=numbers, duration=numbers)
def test_it_never_fails_on_a_create_prompt_seed_or_duration(
    alice: User, prompt: str, seed: str, duration: str
) -> None:
    data = {"prompt": prompt, "seed": seed, "duration_s": duration, "aspect": "9:16"}
    status, before, after = send(
        login(alice), "POST", reverse("generation:create"), data, GenerationJob.objects.count
    )
    if refused(prompt):
        assert (status, after) != (302, before + 1) and after == before


@FUZZ
@given(text=texts, parent=numbers)
def test_it_never_fails_on_a_comment(alice: User, bob: User, post: Post, text: str, parent: str):
    url = reverse("feed:comment_create", kwargs={"post_id": post.pk})
    _, before, after = send(
        login(bob), "POST", url, {"text": text, "parent_id": parent}, Comment.objects.count
    )
    if refused(text):
        assert after == before


@FUZZ
@given(text=texts)
def test_it_never_fails_on_a_direct_message(alice: User, bob: User, friends: None, text: str):
    url = reverse("feed:thread", kwargs={"username": "alice"})
    _, before, after = send(login(bob), "POST", url, {"text": text}, DirectMessage.objects.count)
    if refused(text):
        assert after == before


@FUZZ
@given(reason=st.one_of(st.just("harassment"), texts), note=texts)
def test_it_never_fails_on_a_report(alice: User, bob: User, reason: str, note: str) -> None:
    url = reverse("safety:report_profile", kwargs={"username": "alice"})
    _, before, after = send(
        login(bob), "POST", url, {"reason": reason, "note": note}, Report.objects.count
    )
    if has_control_characters(_as_server_reads(note)) or reason != "harassment":
        assert after == before


@FUZZ
@given(bio=texts)
def test_it_never_fails_on_a_bio(alice: User, bio: str) -> None:
    def stored() -> str:
        return User.objects.get(pk=alice.pk).bio

    send(login(alice), "POST", reverse("accounts:profile_edit"), {"bio": bio}, stored)
    assert not has_control_characters(stored())


@FUZZ
@given(instructions=texts, name=texts)
def test_it_never_fails_on_cameo_settings(alice: User, instructions: str, name: str) -> None:
    cameo = cameo_mark_verified(owner=alice, display_name="Alice", embedding=[0.0] * 128)
    data = {"permission": "approved", "instructions": instructions, "display_name": name}

    def stored() -> tuple[str, str]:
        cameo.refresh_from_db()
        return cameo.instructions, cameo.display_name

    _, before, after = send(login(alice), "POST", reverse("cameo:settings"), data, stored)
    if has_control_characters(_as_server_reads(instructions)):
        assert after == before


def _budget_of(user: User) -> Callable[[], Any]:
    def read() -> Any:
        row = FeedPreference.objects.filter(user=user).first()
        return None if row is None else row.daily_budget_minutes

    return read


def _whole(raw: str) -> int:
    """The whole number a form field reads from ``raw`` (Unicode digits count), else 0."""
    try:
        return int(raw.strip())
    except ValueError:
        return 0


def _preference(user: User) -> Callable[[], Any]:
    def read() -> Any:
        row = FeedPreference.objects.filter(user=user).first()
        return None if row is None else (row.instruction, row.instruction_more, row.goals)

    return read


@FUZZ
@given(instruction=texts, more=texts, less=texts, goal=texts)
def test_it_never_fails_on_feed_steering(
    alice: User, instruction: str, more: str, less: str, goal: str
) -> None:
    client, read = login(alice), _preference(alice)
    _, before, after = send(
        client, "POST", reverse("feed:instruction"), {"instruction": instruction}, read
    )
    if has_control_characters(_as_server_reads(instruction)):
        assert after == before
    send(client, "POST", reverse("feed:phrases"), {"more": more, "less": less}, read)
    send(client, "POST", reverse("feed:goals_set"), {"goals": [goal, "sleep"]}, read)
    send(client, "POST", reverse("feed:interests"), {"own": more, "chips": [less]}, read)


@FUZZ
@given(kind=st.one_of(st.just("weekly"), texts), answer=texts, note=texts)
def test_it_never_fails_on_a_check_in(alice: User, kind: str, answer: str, note: str) -> None:
    from feed.models import CheckIn

    data = {"kind": kind, "answer": answer, "note": note}
    _, before, after = send(
        login(alice), "POST", reverse("feed:check_in_answer"), data, CheckIn.objects.count
    )
    assert after == before  # no check-in is due for a new account, whatever was sent


# --- Numbers -------------------------------------------------------------------------------------


@FUZZ
@given(minutes=numbers, mood=numbers, seconds=numbers, posts=numbers)
def test_it_never_fails_on_budget_mood_heartbeat_or_seen(
    alice: User, minutes: str, mood: str, seconds: str, posts: str
) -> None:
    client = login(alice)

    def budget() -> Any:
        row = FeedPreference.objects.filter(user=alice).first()
        return None if row is None else row.daily_budget_minutes

    _, before, after = send(client, "POST", reverse("feed:budget"), {"minutes": minutes}, budget)
    if not 1 <= _whole(minutes) <= 720:
        assert after == before  # the daily limit takes 1 to 720 minutes
    send(client, "POST", reverse("feed:mood"), {"mood": mood}, budget)
    send(client, "POST", reverse("feed:heartbeat"), {"seconds": seconds}, budget)
    send(client, "POST", reverse("feed:seen"), {"posts": posts}, budget)
    send(client, "POST", reverse("feed:budget_extend"), {"minutes": minutes}, budget)


@FUZZ
@given(birthdate=st.one_of(texts, numbers, st.dates().map(str)), zone=texts)
def test_it_never_fails_on_a_signup_birthdate_or_timezone(birthdate: str, zone: str, db: None):
    data = {
        "username": "newperson", "email": "new@example.com", "password1": "correct-horse-9x",
        "password2": "correct-horse-9x", "birthdate": birthdate, "timezone": zone,
    }  # fmt: skip
    status, before, after = send(
        Client(), "POST", reverse("accounts:signup"), data, User.objects.count
    )
    if status != 302:
        assert after == before


@FUZZ
@given(query=texts, page=numbers)
def test_it_never_fails_on_search_or_the_feed_s_paging(alice: User, query: str, page: str):
    client = login(alice)
    send(client, "GET", reverse("feed:search"), {"q": query}, lambda: None)
    send(client, "GET", reverse("feed:index"), {"before": page}, lambda: None)


@FUZZ
@given(remix=numbers)
def test_it_never_fails_on_a_remix_link(alice: User, remix: str) -> None:
    send(login(alice), "GET", reverse("generation:create"), {"remix_of_id": remix}, lambda: None)


@pytest.mark.parametrize("remix", ["²", "１２", "9" * 5000])
def test_it_opens_create_from_a_remix_link_whose_id_is_not_a_plain_number(
    alice: User, remix: str
) -> None:
    response = login(alice).get(reverse("generation:create"), {"remix_of_id": remix})
    assert response.status_code == 200
    assert 'name="prompt"' in response.content.decode()


@FUZZ
@given(budget=numbers, pause=numbers)
def test_it_never_fails_on_a_wellbeing_change_s_limit_or_break(
    alice: User, change: Any, budget: str, pause: str
) -> None:
    client, read = login(alice), _budget_of(alice)
    url = reverse("feed:wellbeing_budget", kwargs={"change_id": change.pk})
    _, before, after = send(client, "POST", url, {"minutes": budget}, read)
    if not (budget.isascii() and budget.isdigit() and len(budget) <= 4 and 1 <= int(budget) <= 720):
        assert after == before  # the daily limit takes 1 to 720 minutes
    url = reverse("feed:wellbeing_break", kwargs={"change_id": change.pk})
    send(client, "POST", url, {"minutes": pause}, read)


@FUZZ
@given(minutes=numbers, limit=numbers, start=texts)
def test_it_never_fails_on_a_teen_s_time_or_a_parent_s_settings(
    teen: User, parent: User, link: Any, minutes: str, limit: str, start: str
) -> None:

    def requests() -> int:
        return LimitExtensionRequest.objects.count()

    send(login(teen), "POST", reverse("accounts:teen_more_time"), {"minutes": minutes}, requests)
    data = {"daily_limit_minutes": limit, "quiet_start": start, "quiet_end": limit}
    url = reverse("accounts:family_settings", kwargs={"link_id": link.pk})
    send(login(parent), "POST", url, data, requests)
