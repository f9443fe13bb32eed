"""While Valkey is down, people still sign in and use the site: sessions live in the database,
the cache answers as misses, rate limits count per process, and nothing waits on a dead server."""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from accounts.models import User
from conftest import PASSWORD
from feed.services.posts import post_publish
from generation.models import GenerationJob
from generation.services import UNAVAILABLE_MESSAGE
from sora_site.cache import RETRY_AFTER_SECONDS
from sora_site.tests.valkey_helpers import OwnValkey, site_on

LOGIN = reverse("accounts:login")
CREATE = reverse("generation:create")


@pytest.fixture
def own_valkey() -> Iterator[OwnValkey]:
    server = OwnValkey()
    server.start()
    yield server
    server.close()


@pytest.fixture
def valkey_down(tmp_path: Path) -> Iterator[None]:
    """Every cache and queue pointed at a socket nobody serves."""
    with site_on(f"unix://{tmp_path}/gone.sock?db=0"):
        yield


def _sign_in(client: Client, username: str = "alice", password: str = PASSWORD) -> int:
    return client.post(LOGIN, {"username": username, "password": password}).status_code


def _shown(html: str, sentence: str) -> bool:
    return sentence in html or sentence.replace("'", "&#x27;") in html


# --- Sessions -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_signs_in_through_the_login_form_and_stays_signed_in_while_valkey_is_down(
    alice: User, valkey_down: None
) -> None:
    client = Client()
    assert _sign_in(client) == 302
    key = client.cookies["sessionid"].value
    assert Session.objects.get(session_key=key).get_decoded()["_auth_user_id"] == str(alice.pk)
    for _ in range(2):
        page = client.get(CREATE)
        assert page.status_code == 200
        assert "Generate" in page.content.decode()
    client.post(reverse("accounts:logout"))
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get(CREATE).status_code == 302


@pytest.mark.django_db
def test_it_creates_reads_and_changes_a_session_from_the_database_while_valkey_is_down(
    valkey_down: None,
) -> None:
    from django.contrib.sessions.backends.cached_db import SessionStore

    store = SessionStore()
    store["mood"] = "calm"
    store.save()
    again = SessionStore(store.session_key)
    assert again["mood"] == "calm"
    again["mood"] = "curious"
    again.save()
    assert SessionStore(store.session_key)["mood"] == "curious"
    assert Session.objects.get(session_key=store.session_key).get_decoded() == {"mood": "curious"}


@pytest.mark.django_db
def test_a_signed_in_visitor_stays_signed_in_when_valkey_restarts_empty(
    alice: User, own_valkey: OwnValkey
) -> None:
    client = Client()
    with site_on(own_valkey.url):
        assert _sign_in(client) == 302
        own_valkey.stop()
        assert client.get(CREATE).status_code == 200
        own_valkey.start()
        assert client.get(CREATE).status_code == 200


@pytest.mark.django_db
def test_a_sign_out_the_cache_missed_still_holds_once_the_cache_answers_again(
    alice: User, own_valkey: OwnValkey
) -> None:
    import redis

    client = Client()
    with site_on(own_valkey.url):
        assert _sign_in(client) == 302
        assert client.get(CREATE).status_code == 200  # the session is now in the cache
        cookie = client.cookies["sessionid"].value
        # The server can't be reached for a moment: new connections fail, open ones are cut.
        moved = own_valkey.socket.with_name("moved.sock")
        os.rename(own_valkey.socket, moved)
        redis.Redis(unix_socket_path=str(moved)).client_kill_filter(_type="normal")
        client.post(reverse("accounts:logout"))
        os.rename(moved, own_valkey.socket)
        time.sleep(RETRY_AFTER_SECONDS)  # past the pause after a failure

        thief = Client()
        thief.cookies["sessionid"] = cookie
        page = thief.get(CREATE)
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("accounts:login"))


# --- The cache itself ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_each_cache_call_answers_its_default_at_once_when_the_server_is_gone(
    valkey_down: None,
) -> None:
    cache = caches["default"]
    started = time.monotonic()
    assert cache.get("k") is None
    assert cache.get("k", "fallback") == "fallback"
    assert cache.get_many(["k", "j"]) == {}
    assert cache.add("k", 1) is False
    assert cache.has_key("k") is False
    assert "k" not in cache
    assert cache.touch("k") is False
    assert cache.delete("k") is False
    assert cache.set("k", 1) is None
    assert cache.set_many({"k": 1, "j": 2}) == ["k", "j"]
    assert cache.delete_many(["k", "j"]) is None
    assert cache.get_or_set("k", "computed") == "computed"
    assert cache.clear() is False
    with pytest.raises(ValueError, match="not found"):
        cache.incr("k")
    assert time.monotonic() - started < 1.0


def test_a_frozen_server_is_given_up_on_within_a_second_and_not_asked_again_at_once(
    tmp_path: Path,
) -> None:
    # A socket that accepts connections and never answers, like a server stopped with SIGSTOP.
    path = tmp_path / "frozen.sock"
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(path))
    listener.listen(16)
    try:
        with site_on(f"unix://{path}?db=0"):
            started = time.monotonic()
            assert caches["default"].get("sessionkey", "miss") == "miss"
            assert caches["default"].get("otherkey", "miss") == "miss"
            assert time.monotonic() - started < 0.9
    finally:
        listener.close()


@pytest.mark.django_db
def test_it_warns_once_in_a_while_not_on_every_call(
    valkey_down: None, caplog: pytest.LogCaptureFixture
) -> None:
    cache = caches["default"]
    with caplog.at_level(logging.WARNING, logger="sora_site.cache"):
        for _ in range(20):
            cache.get("k")
            cache.set("k", 1)
    warnings = [r for r in caplog.records if r.name == "sora_site.cache"]
    assert len(warnings) == 1
    assert warnings[0].levelno == logging.WARNING
    assert "can't be reached" in warnings[0].getMessage()


@pytest.mark.django_db
def test_calls_reach_the_server_again_when_it_comes_back(own_valkey: OwnValkey) -> None:
    with site_on(own_valkey.url):
        cache = caches["default"]
        own_valkey.stop()
        cache.set("k", "lost")
        assert cache.get("k") is None
        own_valkey.start()
        time.sleep(RETRY_AFTER_SECONDS)
        cache.set("k", "kept")
        assert cache.get("k") == "kept"


# --- Pages and forms ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_main_pages_open_while_valkey_is_down(
    alice: User, bob: User, rendered: Callable[..., GenerationJob], tmp_path: Path
) -> None:
    post = post_publish(user=bob, job_id=rendered(bob, "a lighthouse at dawn").pk)
    client = Client()
    with site_on(f"unix://{tmp_path}/gone.sock?db=0"):
        assert _sign_in(client) == 302
        form = {"prompt": "a red kite over the hills", "duration_s": "4", "aspect": "9:16"}
        client.post(CREATE, form)
        job = GenerationJob.objects.get(creator=alice)
        pages = {
            reverse("feed:index"): f'data-post="{post.pk}"',
            CREATE: "Generate",
            reverse("generation:drafts"): "a red kite over the hills",
            reverse("generation:job", args=[job.pk]): UNAVAILABLE_MESSAGE,
            reverse("generation:job_status", args=[job.pk]): UNAVAILABLE_MESSAGE,
        }
        for url, text in pages.items():
            page = client.get(url)
            assert page.status_code == 200, url
            assert _shown(page.content.decode(), text), url


@pytest.mark.django_db
def test_the_create_form_saves_the_request_and_says_so_while_valkey_is_down(
    alice: User, valkey_down: None, django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    assert _sign_in(client) == 302
    form = {"prompt": "a red kite over the hills", "duration_s": "4", "aspect": "9:16"}
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(CREATE, form, follow=True)
    assert page.status_code == 200
    assert _shown(page.content.decode(), UNAVAILABLE_MESSAGE)
    job = GenerationJob.objects.get()
    assert (job.creator, job.prompt) == (alice, "a red kite over the hills")
    assert job.status == GenerationJob.Status.QUEUED and job.enqueued_at is None


@pytest.mark.django_db
def test_password_guessing_is_still_limited_in_each_process_while_valkey_is_down(
    alice: User, valkey_down: None, settings: Any
) -> None:
    settings.SORA_RATE_LIMITS = {**settings.SORA_RATE_LIMITS, "login-account": "3/10m"}
    client = Client()
    for _ in range(3):
        assert _sign_in(client, password="not-the-password") == 200
    limited = client.post(LOGIN, {"username": "alice", "password": PASSWORD})
    assert limited.status_code == 429
    assert "Too many attempts in a short time. Try again in" in limited.content.decode()
    assert not Session.objects.exists()
