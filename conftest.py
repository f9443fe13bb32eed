"""Shared personas and helpers. Build state through services, the way people would."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import User
from accounts.services.users import user_signup

ROOT = Path(__file__).resolve().parent
PASSWORD = "correct-horse-battery-9"


def _years_ago(years: int) -> dt.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - dt.timedelta(days=1)


def make_user(username: str, age: int = 30) -> User:
    return user_signup(
        username=username,
        email=f"{username}@example.com",
        password=PASSWORD,
        birthdate=_years_ago(age),
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``SORA_DB_TESTS_ONLY=1`` (CI's postgres leg) keeps only the tests that use the database:
    the others (renderer, sound, encoding) run the same on any database, and the SQLite leg has
    run them already."""
    if os.environ.get("SORA_DB_TESTS_ONLY") != "1":
        return
    keep, drop = [], []
    for item in items:
        uses_db = item.get_closest_marker("django_db") is not None or bool(
            {"db", "transactional_db"} & set(getattr(item, "fixturenames", ()))
        )
        (keep if uses_db else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture
def alice(db: None) -> User:
    return make_user("alice")


@pytest.fixture
def bob(db: None) -> User:
    return make_user("bob")


@pytest.fixture
def charlie(db: None) -> User:
    """A stranger to everyone else."""
    return make_user("charlie")


@pytest.fixture
def teen(db: None) -> User:
    return make_user("tess", age=15)


@pytest.fixture
def parent(db: None) -> User:
    return make_user("pat", age=45)


def moderators_group() -> Any:
    """The group the safety migrations make. A transactional test (browser tests) flushes it
    with every other table, so the next one rebuilds it from the same migrations' lists."""
    import importlib
    import pkgutil

    from django.apps import apps
    from django.contrib.auth.models import Group

    import safety.migrations
    from safety.migrations._permissions import grant_to_moderators

    group = Group.objects.filter(name="moderators").first()
    if group is not None:
        return group
    for info in pkgutil.iter_modules(safety.migrations.__path__):
        module = importlib.import_module(f"safety.migrations.{info.name}")
        for name in ("MODERATOR_PERMISSIONS", "PERMISSIONS"):
            if isinstance(getattr(module, name, None), dict):
                grant_to_moderators(apps, getattr(module, name))
    return Group.objects.get(name="moderators")


@pytest.fixture
def moderator(db: None) -> User:
    user = make_user("mona")
    user.groups.add(moderators_group())
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


@pytest.fixture(autouse=True)
def _clean_queue_and_media() -> Iterator[None]:
    """Each test starts with an empty queue on the real Valkey/Redis server and no media."""
    import shutil

    import django_rq
    from django.conf import settings

    django_rq.get_connection("default").flushdb()
    yield
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


@pytest.fixture
def run_video_jobs() -> Callable[[], None]:
    """Drain the ``video`` queue in this process with the real worker class."""
    import django_rq

    from generation.worker import VideoWorker

    def drain() -> None:
        queue = django_rq.get_queue("video")
        VideoWorker([queue], connection=queue.connection).work(burst=True)

    return drain


@pytest.fixture
def submit(django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """Submit a prompt through ``generation_request``, running its on-commit enqueue."""
    from generation.services import generation_request

    def _submit(user: User, prompt: str = "a dog running on the beach", **kw: Any) -> Any:
        params = {"duration_s": 4, "aspect": "9:16", "seed": 1234, **kw}
        with django_capture_on_commit_callbacks(execute=True):
            job = generation_request(user=user, prompt=prompt, **params)
        job.refresh_from_db()
        return job

    return _submit


@pytest.fixture
def rendered(submit: Callable[..., Any], run_video_jobs: Callable[[], None]) -> Callable[..., Any]:
    """A finished draft, rendered through the real queue and pipeline."""

    def _rendered(user: User, prompt: str = "a dog running on the beach at sunset", **kw: Any):
        job = submit(user, prompt, **kw)
        run_video_jobs()
        job.refresh_from_db()
        assert job.status == "succeeded", job.error
        return job

    return _rendered


def worker_env() -> dict[str, str]:
    """Environment for a worker subprocess that shares this test run's database and queue."""
    env = dict(os.environ)
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    else:
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or 'localhost'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        )
    env["DJANGO_SETTINGS_MODULE"] = "sora_site.settings_test"
    return env


def start_worker(
    queue: str = "video",
    *,
    burst: bool = True,
    extra_env: dict[str, str] | None = None,
    capture: bool = False,
) -> subprocess.Popen[bytes]:
    """A real ``manage.py rqworker`` subprocess."""
    args = [sys.executable, str(ROOT / "manage.py"), "rqworker", queue]
    if queue == "video":
        args += ["--worker-class", "generation.worker.VideoWorker"]
    if burst:
        args.append("--burst")
    pipe = subprocess.PIPE if capture else None
    env = {**worker_env(), **(extra_env or {})}
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=pipe, stderr=pipe)


# --- Browser tests (Debian's Chromium through Playwright; never a downloaded browser) ----------

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def browser() -> Iterator[Any]:
    """A launched Chromium; each person in a test gets their own context from ``new_page``."""
    from sora_site.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium

    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def new_page(
    browser: Any,
    *,
    viewport: dict[str, int] | None = None,
    timeout_ms: int = 20_000,
    **context: Any,
) -> Any:
    """A page in its own browser context (its own cookies), phone-sized unless told otherwise."""
    made = browser.new_context(viewport=viewport or PHONE, **context)
    made.set_default_timeout(timeout_ms)
    return made.new_page()


def log_in(page: Any, base: str, user: User, *, then: str = "") -> Any:
    """Sign ``user`` in through the login form; with ``then``, land there and wait for it."""
    page.goto(f"{base}/accounts/login/" + (f"?next={then}" if then else ""))
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base}{then}" if then else f"{base}/**")
    return page


@pytest.fixture
def phone(browser: Any) -> Any:
    """A Chromium page at a phone's 390×844."""
    return new_page(browser)


@pytest.fixture
def page(browser: Any) -> Any:
    """A Chromium page at a phone-like 420×860, for the browser tests."""
    return new_page(browser, viewport={"width": 420, "height": 860})
