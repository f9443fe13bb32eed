"""Measure the feed, all in one run, on a database of its own.

- P5: SQL queries for a For-you page of 10 items and of 50 (CaptureQueriesContext, the whole
  request through the test client: session, user, context processors, marking posts seen).
  Targets: equal, and at most 12.
- P6: requests per second of the For-you page and of a signed-in page that renders the site's
  base template with no content, served by one gunicorn with the same settings and loaded by the
  same loopback client (threads, one connection per request, as gunicorn's sync workers close
  them), in alternating rounds. Target: the feed serves at least half as many as the base page.
  A bare Django view is measured too, and the CPU the server's workers spent per request (read
  from /proc, on Linux), which says where the ratios come from. Each viewer's first page ranks
  their candidates, which the next pages of their scroll reuse: those first pages are timed on
  their own before the rounds (and printed), so the rounds measure pages as people scroll.
- P7: the natural-language-steered re-rank of 10,000 candidates (numpy on cached embeddings).
  Target: at most 30 ms (median).

By default it makes a temporary folder, starts a Valkey there, migrates a fresh SQLite
database, runs ``seed_demo --scale N`` into it and measures; the development database is never
touched. ``--var-dir`` keeps that folder, so a second run skips the seeding. ``--here`` measures
the database this process is configured for instead (tests use it on a small seeded set).
"""

from __future__ import annotations

import argparse
import dataclasses
import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import quote

import numpy as np
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from feed import ranking
from feed.models import FeedPreference, Post, SeenPost
from feed.pool import candidate_pool
from feed.selectors import posts as selectors
from feed.services.budget import MAX_BUDGET_MINUTES, budget_set
from feed.services.goals import feed_goals_set
from feed.services.steering import feed_instruction_set, feed_mood_set
from sora_site.bench_site import run_in_own_site

P5_TARGET = 12
P6_TARGET = 0.5
P7_TARGET_MS = 30.0
P7_CANDIDATES = 10_000
BARE_PATH = "/__bench/bare/"
BASE_PATH = "/__bench/base/"
FEED_PATH = "/"
# The page htmx fetches as the last item scrolls into view: the items without the site around them.
NEXT_PATH = "/?more=1"
# The first page of each viewer, timed before the rounds (it ranks their candidates).
FIRST = "first"
INSTRUCTION = "more cooking and dogs, less pranks, nothing scary"
GOALS = ("friends", "fitness")
# Environment variables that would point the bench at the operator's own data.


def _verdict(ok: bool) -> str:
    return "meets" if ok else "MISSES"


@dataclass(frozen=True)
class Load:
    """What one URL served during the load rounds: full pages (``requests``), failures, and
    feed pages that came back empty because the viewer had seen everything."""

    requests: int
    errors: int
    seconds: float
    empty: int = 0
    # CPU seconds the server's workers spent (Linux only; 0 where /proc can't say).
    server_cpu: float = 0.0

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def server_ms_per_request(self) -> float:
        served = self.requests + self.empty + self.errors
        return 1000 * self.server_cpu / served if served else 0.0


class Command(BaseCommand):
    help = "Measure the feed: queries per page (P5), throughput (P6) and re-rank time (P7)."
    command_name = "bench_feed"  # run again, inside its own folder, under this name

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--posts", type=int, default=100_000, help="Posts to seed.")
        parser.add_argument(
            "--var-dir", help="Keep the bench's database and media here and reuse them."
        )
        parser.add_argument(
            "--here", action="store_true", help="Measure this process's database as it is."
        )
        parser.add_argument("--seed", action="store_true", help=argparse.SUPPRESS)
        parser.add_argument("--viewers", type=int, default=100)
        parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
        parser.add_argument("--clients", type=int, default=8, help="Load generator threads.")
        parser.add_argument("--seconds", type=float, default=5.0, help="Per URL per round.")
        parser.add_argument("--rounds", type=int, default=3)
        parser.add_argument("--repeats", type=int, default=50, help="Re-ranks timed for P7.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["posts"] < 1:
            raise CommandError("--posts must be at least 1.")
        if options["here"]:
            self._measure(options)
        else:
            self._in_own_folder(options)

    # --- A database of its own ------------------------------------------------------------

    def _in_own_folder(self, options: dict[str, Any]) -> None:
        """Run this command again with ``--here --seed`` in a folder of its own."""
        args = ["--seed", *self._passed_on(options)]
        run_in_own_site(self.command_name, args, self.stdout.write, keep=options["var_dir"])

    def _passed_on(self, options: dict[str, Any]) -> list[str]:
        names = ("posts", "viewers", "workers", "clients", "seconds", "rounds", "repeats")
        return [part for name in names for part in (f"--{name}", str(options[name]))]

    # --- Measuring -------------------------------------------------------------------------

    def _measure(self, options: dict[str, Any]) -> None:
        if options["seed"]:
            self._seed(options["posts"])
        viewers = self._viewers(options["viewers"])
        p5 = measure_queries(viewers[0])
        p7 = measure_rerank(viewers[0], options["repeats"])
        loads = measure_throughput(
            viewers,
            workers=options["workers"],
            clients=options["clients"],
            seconds=options["seconds"],
            rounds=options["rounds"],
        )
        self._report(p5, p7, loads, options)

    def _seed(self, posts: int) -> None:
        started = time.monotonic()
        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        call_command("seed_demo", scale=posts, stdout=self.stdout, stderr=self.stderr)
        seconds = time.monotonic() - started
        self.stdout.write(f"Migrating, collecting static files and seeding took {seconds:.1f} s.")

    def _viewers(self, count: int) -> list[Any]:
        """People to load the feed as, each steered by the same instruction, a mood and two
        goals, with a daily limit (so the page also reads today's watch time)."""
        people = list(User.objects.filter(is_active=True).order_by("-pk")[:count])
        if not people:
            raise CommandError("There is nobody to load the feed as: seed some posts first.")
        goals_of = dict(
            FeedPreference.objects.filter(user__in=people).values_list("user_id", "goals")
        )
        steered = set(
            FeedPreference.objects.filter(user__in=people, instruction=INSTRUCTION).values_list(
                "user_id", flat=True
            )
        )
        # Each run starts its viewers with nothing seen, so a rerun measures full pages too.
        SeenPost.objects.filter(user__in=people).delete()
        for person in people:
            if person.pk not in steered:
                feed_instruction_set(user=person, instruction=INSTRUCTION)
                feed_mood_set(user=person, mood=0.7)
                budget_set(user=person, minutes=MAX_BUDGET_MINUTES)
            if not goals_of.get(person.pk):
                feed_goals_set(user=person, goals=list(GOALS))
        return people

    def _report(
        self,
        p5: dict[int, int],
        p7: tuple[int, list[float]],
        loads: dict[str, Load],
        options: dict[str, Any],
    ) -> None:
        w = self.stdout.write
        w(f"Measured on {Post.objects.count():,} posts, {os.cpu_count()} CPUs.")
        small, large = p5[10], p5[50]
        ok5 = small == large <= P5_TARGET
        w(
            f"P5 SQL queries per For-you page: 10 items {small}, 50 items {large} "
            f"({_verdict(ok5)}: equal and ≤ {P5_TARGET})"
        )
        w(
            f"P6 one gunicorn ({options['workers']} sync workers), {options['clients']} loopback "
            f"clients, {options['rounds']} alternating rounds of {options['seconds']:g} s:"
        )
        bare = loads[BARE_PATH].per_second
        base = loads[BASE_PATH].per_second
        for path, label in (
            (BARE_PATH, "bare Django view"),
            (BASE_PATH, "signed-in empty base page"),
            (FEED_PATH, "For-you page, full"),
            (NEXT_PATH, "For-you next page (htmx)"),
        ):
            load = loads[path]
            ratio = ""
            if path in (FEED_PATH, NEXT_PATH) and base:
                ratio = f"  = {load.per_second / base:.2f} x base page"
            if path != BARE_PATH and bare:
                ratio += f"{',' if ratio else ' '} {load.per_second / bare:.2f} x bare"
            caught_up = f", {load.empty} caught up" if load.empty else ""
            cpu = (
                f", server CPU {load.server_ms_per_request:.2f} ms/request"
                if load.server_cpu
                else ""
            )
            w(
                f"   {label:26} {load.per_second:8.1f} requests/s "
                f"({load.errors} errors{caught_up}{cpu}){ratio}"
            )
        first = loads[FIRST]
        if first.requests + first.errors:
            w(
                f"   {'first page of each viewer':26} {first.per_second:8.1f} requests/s "
                f"({first.errors} errors, server CPU {first.server_ms_per_request:.2f} ms/request, "
                f"{first.requests} viewers, each ranking their candidates; before the rounds)"
            )
        else:
            w("   (every viewer's first page was served while the server warmed up)")
        full = loads[FEED_PATH].per_second / base if base else 0.0
        w(
            f"P6 full feed page / signed-in empty base page = {full:.2f} "
            f"({_verdict(full >= P6_TARGET)} ≥ {P6_TARGET})"
        )
        candidates, timings = p7
        median = statistics.median(timings)
        p95 = sorted(timings)[int(0.95 * (len(timings) - 1))]
        w(
            f"P7 steered re-rank of {candidates:,} candidates: median {median:.1f} ms, "
            f"p95 {p95:.1f} ms ({_verdict(median <= P7_TARGET_MS)} ≤ {P7_TARGET_MS:g} ms)"
        )


# --- P5 -------------------------------------------------------------------------------------


def _client_for(viewer: Any) -> Any:
    client = Client(HTTP_HOST="localhost")
    client.force_login(viewer)
    return client


def measure_queries(viewer: Any, sizes: tuple[int, ...] = (10, 50)) -> dict[int, int]:
    """Queries for one full For-you page request at each page size, on a warm pool."""
    client = _client_for(viewer)
    client.get(FEED_PATH)  # loads this process's candidate pool, as a worker's first page does
    counts = {}
    for size in sizes:
        with (
            mock.patch.object(selectors, "FEED_PAGE_SIZE", size),
            CaptureQueriesContext(connection) as queries,
        ):
            response = client.get(FEED_PATH)
        shown = response.content.decode().count('class="feed-item"')
        if response.status_code != 200 or shown != size:
            raise CommandError(
                f"The feed page of {size} showed {shown} items (status {response.status_code}); "
                "seed more posts."
            )
        counts[size] = len(queries.captured_queries)
    return counts


# --- P7 -------------------------------------------------------------------------------------


def measure_rerank(viewer: Any, repeats: int) -> tuple[int, list[float]]:
    """How many candidates, and the milliseconds ``ranking.rank`` took over them (the newest
    10,000 at most), steered by the viewer's instruction, mood and follows, ``repeats`` times."""
    pool = candidate_pool()
    preference = selectors.feed_preference_for(viewer)
    _, steering = selectors.viewer_steering(viewer=viewer, preference=preference, pool=pool)
    mask = np.ones(len(pool), dtype=bool)
    mask[: max(0, len(pool) - P7_CANDIDATES)] = False
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        ranking.rank(pool, steering, mask=mask, k=selectors.FEED_PAGE_SIZE)
        timings.append((time.perf_counter() - started) * 1000)
    return int(np.count_nonzero(mask)), timings


# --- P6 -------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_env() -> dict[str, str]:
    """This process's environment, pointed at the database it uses."""
    env = dict(os.environ)
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    else:
        # Named from the live connection, not DATABASE_URL: under the tests it is test_<name>.
        user, password = quote(db["USER"] or "", safe=""), quote(db["PASSWORD"] or "", safe="")
        env["DATABASE_URL"] = (
            f"postgres://{user}:{password}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/"
            f"{db['NAME']}"
        )
    env["DJANGO_SETTINGS_MODULE"] = "feed.management.bench_settings"
    env["SORA_STATICFILES_BACKEND"] = settings.STORAGES["staticfiles"]["BACKEND"]
    env["DEBUG"] = "0"
    return env


def _cpu_seconds(master: int) -> float:
    """CPU time (user and system) of a process's children so far: gunicorn's workers."""
    total = 0
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        for pid in children:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return 0.0
    return total / os.sysconf("SC_CLK_TCK")


@contextmanager
def gunicorn(
    workers: int = 2, *, options: Sequence[str] = (), env: dict[str, str] | None = None
) -> Iterator[tuple[int, int]]:
    """One gunicorn serving the site (and the bare view) on a free loopback port; yields the
    port and the master's pid. ``options`` replace the default sync workers (bench_load
    passes ./run's own); ``env`` adds to the server's environment."""
    port = _free_port()
    options = options or ("--workers", str(workers), "--worker-class", "sync")
    args = [
        sys.executable, "-m", "gunicorn", "sora_site.wsgi:application", *options,
        "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--chdir", str(settings.BASE_DIR),
    ]  # fmt: skip
    proc = subprocess.Popen(args, env={**_server_env(), **(env or {})}, cwd=settings.BASE_DIR)
    try:
        _wait_for(port, proc)
        yield port, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def _wait_for(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise CommandError(f"gunicorn exited with status {proc.returncode} before serving.")
        try:
            status, _ = _get(port, BARE_PATH, "")
            if status:
                return
        except OSError:
            time.sleep(0.1)
    raise CommandError("gunicorn did not answer within 60 s.")


def _get(port: int, path: str, session: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        headers = {"Host": "localhost"}
        if session:
            headers["Cookie"] = f"{settings.SESSION_COOKIE_NAME}={session}"
        if path == NEXT_PATH:
            headers["HX-Request"] = "true"
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _load(port: int, path: str, sessions: list[str], clients: int, seconds: float) -> Load:
    """``clients`` threads requesting ``path`` for ``seconds``, each as the next viewer. A feed
    response counts only when it holds feed items."""
    done = [0] * clients
    errors = [0] * clients
    empty = [0] * clients
    stop_at = time.perf_counter() + seconds

    def run(slot: int) -> None:
        turn = slot
        while time.perf_counter() < stop_at:
            try:
                status, body = _get(port, path, sessions[turn % len(sessions)])
            except OSError:
                status, body = 0, b""
            if time.perf_counter() <= stop_at:
                full = path in (BARE_PATH, BASE_PATH) or b'class="feed-item"' in body
                done[slot] += status == 200 and full
                empty[slot] += status == 200 and not full
                errors[slot] += status != 200
            turn += clients

    started = time.perf_counter()
    threads = [threading.Thread(target=run, args=(slot,)) for slot in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = min(seconds, time.perf_counter() - started)
    return Load(sum(done), sum(errors), elapsed, sum(empty))


def measure_throughput(
    viewers: list[Any], *, workers: int, clients: int, seconds: float, rounds: int
) -> dict[str, Load]:
    """Requests per second of the bare view, the empty base page, the full For-you page and the
    next page htmx loads, in alternating rounds on one server, each request as one of
    ``viewers``."""
    cookie = settings.SESSION_COOKIE_NAME
    sessions = [_client_for(viewer).cookies[cookie].value for viewer in viewers]
    paths = (BARE_PATH, BASE_PATH, FEED_PATH, NEXT_PATH)
    totals = {path: [0, 0, 0.0, 0, 0.0] for path in paths}
    warm_up = [sessions[turn % len(sessions)] for turn in range(4 * workers)]
    with gunicorn(workers) as (port, master):
        for path in paths:  # every worker loads its pool and imports before timing
            for session in warm_up:
                _get(port, path, session)
        # Each other viewer's first page ranks their candidates (kept for the pages after it),
        # timed on its own: the rounds measure the page people scroll through.
        cpu_before = _cpu_seconds(master)
        first = _first_pages(port, [s for s in sessions if s not in warm_up], clients)
        first = dataclasses.replace(first, server_cpu=_cpu_seconds(master) - cpu_before)
        for _ in range(rounds):
            for path in paths:
                cpu_before = _cpu_seconds(master)
                load = _load(port, path, sessions, clients, seconds)
                totals[path][0] += load.requests
                totals[path][1] += load.errors
                totals[path][2] += load.seconds
                totals[path][3] += load.empty
                totals[path][4] += _cpu_seconds(master) - cpu_before
    loads = {
        path: Load(int(r), int(e), s, int(n), cpu) for path, (r, e, s, n, cpu) in totals.items()
    }
    return loads | {FIRST: first}


def _first_pages(port: int, sessions: list[str], clients: int) -> Load:
    """One full For-you page for each viewer, ``clients`` at a time."""
    turns = iter(range(len(sessions)))
    lock = threading.Lock()
    done, errors = [0], [0]

    def run() -> None:
        while True:
            with lock:
                turn = next(turns, None)
            if turn is None:
                return
            try:
                status, body = _get(port, FEED_PATH, sessions[turn])
            except OSError:
                status, body = 0, b""
            ok = status == 200 and b'class="feed-item"' in body
            with lock:
                done[0] += ok
                errors[0] += not ok

    started = time.perf_counter()
    threads = [threading.Thread(target=run) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Load(done[0], errors[0], time.perf_counter() - started)
