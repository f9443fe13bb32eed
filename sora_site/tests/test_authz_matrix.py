"""Every URL the site answers, probed as every kind of person who shouldn't reach other people's
things: the status they get, that nothing of anybody else's is written, and that no private text
(a draft's prompt, a direct message, a report's note, a strike's reason, a check-in's note)
shows in the response. ``authz_matrix.MATRIX`` says what each persona should get; a URL with no
entry fails ``test_every_url_has_an_entry_in_the_matrix``."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import django_rq
import pytest
from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import User
from feed.pool import pool_clear
from sora_site.tests.authz_matrix import (
    ADMIN,
    ADMIN_PATHS,
    LOGIN,
    MATRIX,
    MINE,
    OK,
    READ,
    Entry,
)
from sora_site.tests.authz_world import PRIVATE, World, build_world

APPS = ("accounts", "feed", "cameo", "generation", "safety")
MARKER = b"zq-"  # every private string in the world carries it


@pytest.fixture(autouse=True)
def _clean_queue_and_media() -> Iterator[None]:
    """The queue starts empty for each probe's test; the world's media stays for the module."""
    django_rq.get_connection("default").flushdb()
    yield


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """One world for the module, rolled back at its end (each test runs in a savepoint, and each
    probe in one of its own)."""
    with django_db_blocker.unblock(), transaction.atomic():
        pool_clear()
        built = build_world()
        built.baseline = snapshot()
        yield built
        transaction.set_rollback(True)
    pool_clear()
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


# --- The URLs the resolver knows ----------------------------------------------------------------


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    for item in patterns:
        route = prefix + str(item.pattern)
        if isinstance(item, URLResolver):
            space = ":".join(filter(None, [namespace, item.namespace or ""]))
            yield from _walk(item.url_patterns, route, space)
        elif isinstance(item, URLPattern):
            name = f"{namespace}:{item.name}" if namespace and item.name else item.name
            yield (name or route), route


def url_keys() -> dict[str, str]:
    """Each URL's matrix key (its full name, or its route when it has none), with its route."""
    keys: dict[str, str] = {}
    for key, route in _walk(get_resolver().url_patterns):
        keys[ADMIN if route.startswith("admin/") else key] = route
    return keys


def test_every_url_has_an_entry_in_the_matrix() -> None:
    keys = url_keys()
    missing = sorted(set(keys) - set(MATRIX) - {ADMIN})
    assert not missing, (
        "These URLs have no entry in the authorisation matrix (sora_site/tests/authz_matrix.py); "
        f"say what each persona should get from them: {', '.join(missing)}."
    )
    stale = sorted(set(MATRIX) - set(keys))
    assert not stale, f"The matrix lists URLs the site no longer has: {', '.join(stale)}."
    assert ADMIN in keys


# --- One probe ------------------------------------------------------------------------------------


def _user_columns(model: type[models.Model]) -> list[int]:
    """Where a row of ``model`` points at a person: their own row, or a column naming them."""
    fields = model._meta.concrete_fields
    at = [i for i, f in enumerate(fields) if f.is_relation and f.related_model is User]
    return [0, *at] if model is User else at


MODELS = [m for label in APPS for m in apps.get_app_config(label).get_models()]
TABLES = [
    (model._meta.label, [f.attname for f in model._meta.concrete_fields], _user_columns(model))
    for model in MODELS
]


def snapshot() -> dict[str, list[tuple]]:
    """Every row of the app's tables."""
    return {
        label: list(model._base_manager.order_by("pk").values_list(*columns))
        for model, (label, columns, _) in zip(MODELS, TABLES, strict=True)
    }


def _changed(before: dict[str, list[tuple]], after: dict[str, list[tuple]], prober: int | None):
    """The tables where a row that isn't the prober's own changed."""
    found = []
    for label, _, mine in TABLES:
        if before[label] == after[label]:
            continue
        others = [
            {repr(row) for row in rows if prober is None or all(row[i] != prober for i in mine)}
            for rows in (before[label], after[label])
        ]
        if others[0] != others[1]:
            found.append(label)
    return found


def _body(response: HttpResponse) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def _login_redirect(response: HttpResponse) -> bool:
    return response.status_code == 302 and "/login/" in response.get("Location", "")


def _status_fits(response: HttpResponse, expected: Any) -> bool:
    if expected == LOGIN:
        return _login_redirect(response)
    if expected == READ:
        return response.status_code == 200
    if expected == OK:
        return response.status_code < 400 and not _login_redirect(response)
    if expected == MINE:
        return response.status_code < 500 and not _login_redirect(response)
    return response.status_code == expected


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _prober(world: World, persona: str) -> User | None:
    if persona == "anonymous":
        return None
    return world.personas["stranger" if persona == "adult" else persona]


def _expected(entry: Entry, persona: str, method: str) -> Any:
    outcome = entry.outcome(persona, method)
    if method in entry.methods:
        return outcome
    return LOGIN if outcome == LOGIN else 405


def probe(world: World, entry: Entry, persona: str, method: str, url: str) -> list[str]:
    """What went wrong when ``persona`` sent ``method`` to ``url``, in sentences."""
    user = _prober(world, persona)
    expected = _expected(entry, persona, method)
    who = f"{persona} {method} {url}"
    with transaction.atomic():
        client = _client(user)  # signing in stamps last_login: rolled back with the rest
        try:
            response = getattr(client, method.lower())(url, entry.data)
        except Exception as exc:  # noqa: BLE001 - a crash is a finding like any other
            transaction.set_rollback(True)
            return [f"{who} raised {exc!r} (a server error)."]
        after = snapshot() if expected != OK else world.baseline
        body = _body(response)
        transaction.set_rollback(True)
    problems = []
    if not _status_fits(response, expected):
        where = response.get("Location", "")
        problems.append(f"{who} answered {response.status_code} {where}, expected {expected}.")
    if changed := _changed(world.baseline, after, user.pk if user else None):
        problems.append(f"{who} changed other people's rows in {', '.join(changed)}.")
    if MARKER in body.lower():
        problems.append(f"{who} showed private text to someone it isn't theirs.")
    return problems


def _owner_sees_it(world: World, entry: Entry, url: str) -> list[str]:
    """The owner's own GET shows the arguments name a real object."""
    if "GET" not in entry.methods or entry.kwargs is None or entry.owner_status is None:
        return []
    with transaction.atomic():
        response = _client(getattr(world, entry.owner)).get(url, entry.data)
        transaction.set_rollback(True)
    if response.status_code != entry.owner_status:
        return [f"the owner's GET {url} answered {response.status_code}: check its arguments."]
    return []


def _url(key: str, kwargs: dict[str, Any] | None) -> str:
    if ":" in key or key in {"profile", "verify", "record", "media"}:
        return reverse(key, kwargs=kwargs or None)
    return "/" + key


@pytest.mark.parametrize("key", sorted(MATRIX))
def test_each_persona_gets_what_the_matrix_says(key: str, world: World, db: None) -> None:
    entry = MATRIX[key]
    url = _url(key, entry.kwargs(world) if entry.kwargs else None)
    problems = _owner_sees_it(world, entry, url)
    methods = entry.methods if "GET" in entry.methods else ("GET", *entry.methods)
    for persona in entry.expect:
        target = url
        if persona == "adult":
            if entry.teen_kwargs is None:
                continue
            target = _url(key, entry.teen_kwargs(world))
        for method in methods:
            problems += probe(world, entry, persona, method, target)
    assert not problems, "\n".join(problems)


# --- Admin ---------------------------------------------------------------------------------

ADMIN_EXPECT: dict[str, Any] = {
    "anonymous": LOGIN,
    "stranger": LOGIN,
    "blocked": LOGIN,
    "teen": LOGIN,
    "suspended": LOGIN,
    "banned": LOGIN,
}


@pytest.mark.parametrize("path", ADMIN_PATHS)
def test_admin_is_for_moderators_only(path: str, world: World, db: None) -> None:
    staff = 403 if path.count("/") > 3 else 200  # the index, and the report of totals
    entry = Entry(expect={**ADMIN_EXPECT, "staff": staff})
    problems = []
    for persona in entry.expect:
        problems += probe(world, entry, persona, "GET", path)
    moderator = _client(world.moderator).get(path)
    assert moderator.status_code == 200, "a moderator should reach every admin page"
    assert not problems, "\n".join(problems)


def test_the_owners_see_their_own_private_text(world: World, db: None) -> None:
    """The private strings are really on the owners' pages, so their absence elsewhere means
    something."""
    alice = _client(world.alice)
    job = alice.get(reverse("generation:job", kwargs={"job_id": world.draft.pk}))
    assert PRIVATE["draft"] in job.content.decode()
    standing = alice.get(reverse("safety:standing"))
    assert PRIVATE["strike_reason"] in standing.content.decode()
    report = alice.get(reverse("safety:report_detail", kwargs={"report_id": world.report.pk}))
    assert PRIVATE["report_message"] in report.content.decode()
    thread = _client(world.bob).get(reverse("feed:thread", kwargs={"username": "alice"}))
    assert PRIVATE["dm"] in thread.content.decode()
