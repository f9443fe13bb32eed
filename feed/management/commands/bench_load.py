"""Many people reading at once: 200 signed-in readers for 30 s against gunicorn as ``./run``
starts it (2 workers of 4 threads, the site's own settings), on a database of its own.

Each reader is a different person, signed in with their own session. A reader opens the
For-you page, then the next page htmx loads as they scroll, then a post's own page, and starts
again, with no pause between requests: 200 people scrolling as fast as the site answers. Every
answer that isn't a 200 counts as an error (a refused connection, a timeout, a 500, a redirect
to the sign-in page). It prints the requests served, the errors, and the latency p50 and p99.

Like ``bench_feed`` it makes a temporary folder with its own Valkey and SQLite database, seeds
it with ``seed_demo --scale N``, and never touches the development database; ``--var-dir``
keeps the folder for a second run.
"""

from __future__ import annotations

import os
import re
import statistics
import threading
import time
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser

from feed.management.commands import bench_feed
from feed.management.commands.bench_feed import FEED_PATH, NEXT_PATH

READERS = 200
SECONDS = 30.0
POSTS = 10_000
# What ./run passes to gunicorn; a test holds the two together.
RUN_ARGS = ("--config", "python:sora_site.gunicorn_conf", "--workers", "2", "--threads", "4")
ERRORS_TARGET = 0
_POST_LINK = re.compile(rb'href="(/p/\d+/)"')


class Command(bench_feed.Command):
    help = "200 signed-in readers for 30 s against gunicorn as ./run starts it: errors, p50, p99."
    command_name = "bench_load"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--posts", type=int, default=POSTS, help="Posts to seed.")
        parser.add_argument(
            "--var-dir", help="Keep the bench's database and media here and reuse them."
        )
        parser.add_argument(
            "--here", action="store_true", help="Measure this process's database as it is."
        )
        parser.add_argument("--seed", action="store_true", help="Seed before measuring.")
        parser.add_argument("--readers", type=int, default=READERS, help="Readers at once.")
        parser.add_argument("--seconds", type=float, default=SECONDS, help="How long they read.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["readers"] < 1 or options["seconds"] <= 0:
            raise CommandError("--readers must be at least 1 and --seconds more than 0.")
        super().handle(*args, **options)

    def _passed_on(self, options: dict[str, Any]) -> list[str]:
        names = ("posts", "readers", "seconds")
        return [part for name in names for part in (f"--{name}", str(options[name]))]

    def _measure(self, options: dict[str, Any]) -> None:
        if options["seed"]:
            self._seed(options["posts"])
        readers = self._viewers(options["readers"])
        if len(readers) < options["readers"]:
            self.stdout.write(
                f"Only {len(readers)} people to read as; some sign in more than once at a time."
            )
        cookie = settings.SESSION_COOKIE_NAME
        sessions = [bench_feed._client_for(reader).cookies[cookie].value for reader in readers]
        sessions = [sessions[i % len(sessions)] for i in range(options["readers"])]
        with bench_feed.gunicorn(options=RUN_ARGS, env={"SORA_TORCH_THREADS": "1"}) as (port, _):
            for session in sessions[:8]:  # both workers import and warm before the clock starts
                bench_feed._get(port, FEED_PATH, session)
            result = _read(port, sessions, options["seconds"])
        self._report_load(result, options)

    def _report_load(self, result: dict[str, Any], options: dict[str, Any]) -> None:
        w = self.stdout.write
        latencies = sorted(result["latencies"])
        served, errors = len(latencies), result["errors"]
        w(
            f"{options['readers']} signed-in readers for {options['seconds']:g} s against "
            f"gunicorn {' '.join(RUN_ARGS)}, {os.cpu_count()} CPUs:"
        )
        w(f"   requests answered 200: {served:,} ({served / result['seconds']:.1f} per second)")
        for kind, count in sorted(result["by_kind"].items()):
            w(f"   {kind:24} {count:,}")
        if latencies:
            p50 = statistics.median(latencies)
            p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]
            w(f"   latency p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms")
        detail = f" ({', '.join(sorted(result['why']))})" if result["why"] else ""
        verdict = "meets" if errors <= ERRORS_TARGET else "MISSES"
        w(f"Load errors: {errors}{detail} ({verdict} = {ERRORS_TARGET})")


def _read(port: int, sessions: list[str], seconds: float) -> dict[str, Any]:
    """One thread per reader, each going round For-you, its next page and a post's page until
    the time is up. Requests still running at the end are waited for and counted."""
    latencies: list[float] = []
    errors = [0]
    why: set[str] = set()
    by_kind: dict[str, int] = {}
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def one(session: str, path: str, kind: str) -> bytes:
        began = time.perf_counter()
        try:
            status, body = bench_feed._get(port, path, session)
        except OSError as exc:
            status, body = 0, b""
            problem = type(exc).__name__
        else:
            problem = f"HTTP {status}"
        spent = time.perf_counter() - began
        with lock:
            if status == 200:
                latencies.append(spent)
                by_kind[kind] = by_kind.get(kind, 0) + 1
            else:
                errors[0] += 1
                why.add(problem)
        return body if status == 200 else b""

    def reader(session: str) -> None:
        while time.perf_counter() < stop_at:
            page = one(session, FEED_PATH, "For-you page")
            if time.perf_counter() >= stop_at:
                break
            one(session, NEXT_PATH, "next page (htmx)")
            link = _POST_LINK.search(page)
            if link and time.perf_counter() < stop_at:
                one(session, link.group(1).decode(), "a post's page")

    started = time.perf_counter()
    threads = [threading.Thread(target=reader, args=(s,), daemon=True) for s in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "latencies": latencies,
        "errors": errors[0],
        "why": why,
        "by_kind": by_kind,
        "seconds": time.perf_counter() - started,
    }
