"""P8: whether the feed's pages stay as fast when the site holds a hundred times the posts.

Seeds ``--posts`` (10,000) posts with ``seed_demo --scale``, times each page a person reads
(For you, Latest, Following, a profile, a search) for a few signed-in viewers, warm, through
the test client in this process; then grows the same database to ``--grow-to`` (1,000,000)
posts (``feed.growth``) and times them again. It prints both medians and their ratio per page
(target: at most 1.5), the plan of every query a page runs on the posts or the accounts table
(people search reads the accounts, and a copy brings its people), with any step that reads
either table from end to end flagged, and the For-you candidate pool's size, memory and
first-build time at each size.

Like ``bench_feed`` it runs on a database of its own (a temporary folder, or ``--var-dir``);
``--here`` measures this process's database instead (tests use it at a tiny size).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.management.base import CommandError, CommandParser
from django.test import Client, override_settings

from accounts.models import Follow
from feed.growth import (
    accounts_scans,
    captured_queries,
    grow_posts,
    posts_scans,
    query_plan,
    touches_accounts,
    touches_posts,
)
from feed.management.commands import bench_feed
from feed.models import Post
from feed.pool import candidate_pool, pool_clear
from feed.services.steering import feed_mode_set

P8_TARGET = 1.5
SEARCH_QUERY = "dog on the beach"
PAGES = ("For you", "Latest", "Following", "Profile", "Search")
_MODES = {"For you": "for_you", "Latest": "latest", "Following": "following"}


@dataclass
class Sample:
    """One size's figures: the median milliseconds of each page, the plans of its queries on
    the posts and accounts tables (SQL, steps, full scans), and the candidate pool."""

    posts: int
    medians: dict[str, float] = field(default_factory=dict)
    # The CPU this process spent per request (the database runs in it): the latency the page
    # would have on an idle machine, which the wall clock on a shared one does not show.
    cpu: dict[str, float] = field(default_factory=dict)
    plans: dict[str, list[tuple[str, list[str], list[str]]]] = field(default_factory=dict)
    pool_size: int = 0
    pool_mib: float = 0.0
    pool_ms: float = 0.0


class Command(bench_feed.Command):
    help = "Measure how the feed's pages slow down as the posts grow a hundredfold (P8)."
    command_name = "bench_growth"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--posts", type=int, default=10_000, help="Posts to seed first.")
        parser.add_argument("--grow-to", type=int, default=1_000_000, help="Posts to grow to.")
        parser.add_argument(
            "--var-dir", help="Keep the bench's database and media here and reuse them."
        )
        parser.add_argument(
            "--here", action="store_true", help="Measure this process's database as it is."
        )
        parser.add_argument("--seed", action="store_true", help="Seed --posts posts first.")
        parser.add_argument("--viewers", type=int, default=4)
        parser.add_argument("--repeats", type=int, default=8, help="Timed requests per viewer.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["posts"] < 1 or options["grow_to"] < options["posts"]:
            raise CommandError("--posts must be at least 1 and --grow-to at least --posts.")
        super().handle(*args, **options)

    def _passed_on(self, options: dict[str, Any]) -> list[str]:
        names = ("posts", "grow_to", "viewers", "repeats")
        return [
            part for name in names for part in (f"--{name.replace('_', '-')}", str(options[name]))
        ]

    def _measure(self, options: dict[str, Any]) -> None:
        if options["seed"]:
            self._seed(options["posts"])
        if Post.objects.count() >= options["grow_to"]:
            raise CommandError(
                f"This database already holds {Post.objects.count():,} posts, so there is no "
                "growth to measure. Use a new --var-dir."
            )
        viewers = self._viewers(options["viewers"])
        small = measure_pages(viewers, options["repeats"])
        self._say_sample(small)
        self.stdout.write(f"Growing to {options['grow_to']:,} posts...")
        growth = grow_posts(to=options["grow_to"], say=self.stdout.write)
        self.stdout.write(
            f"Grew from {growth.before:,} to {growth.after:,} posts in {growth.seconds:.1f} s."
        )
        large = measure_pages(viewers, options["repeats"])
        self._say_sample(large)
        self._report_growth(small, large)

    def _say_sample(self, sample: Sample) -> None:
        w = self.stdout.write
        w(f"With {sample.posts:,} posts:")
        for page in PAGES:
            w(f"   {page:10} median {sample.medians[page]:8.1f} ms, CPU {sample.cpu[page]:8.1f} ms")
        w(
            f"   candidate pool: {sample.pool_size:,} posts, {sample.pool_mib:.1f} MiB, "
            f"first build {sample.pool_ms:.0f} ms"
        )
        w("   query plans of each page's queries on the posts and accounts tables:")
        for page in PAGES:
            for sql, plan, scans in sample.plans[page]:
                flag = f"  <-- SCAN of the {', '.join(scans)}" if scans else ""
                w(f"   [{page}] {_short(sql)}{flag}")
                for step in plan:
                    w(f"        {step}")

    def _report_growth(self, small: Sample, large: Sample) -> None:
        w = self.stdout.write
        for label, of in (("page medians", "medians"), ("CPU per page, medians", "cpu")):
            w(f"P8 {label}, {small.posts:,} posts -> {large.posts:,} posts:")
            worst = 0.0
            for page in PAGES:
                before, after = getattr(small, of)[page], getattr(large, of)[page]
                ratio = after / before if before else 0.0
                worst = max(worst, ratio)
                w(f"   {page:10} {before:8.1f} ms -> {after:8.1f} ms  = {ratio:.2f}x")
            verdict = "meets" if worst <= P8_TARGET else "MISSES"
            w(f"P8 worst page ratio ({label}) = {worst:.2f} ({verdict} ≤ {P8_TARGET})")
        scans = sum(bool(s) for plans in large.plans.values() for _, _, s in plans)
        w(f"P8 queries that scan the posts or accounts table at {large.posts:,} posts: {scans}")
        w(
            f"P8 candidate pool: {small.pool_size:,} -> {large.pool_size:,} posts, "
            f"{small.pool_mib:.1f} -> {large.pool_mib:.1f} MiB, first build "
            f"{small.pool_ms:.0f} -> {large.pool_ms:.0f} ms"
        )


def _short(sql: str, width: int = 150) -> str:
    flat = " ".join(sql.split())
    return flat if len(flat) <= width else flat[: width - 3] + "..."


def _timed(call: Callable[[], Any]) -> tuple[float, float]:
    """Wall-clock and CPU milliseconds of one call."""
    started, cpu = time.perf_counter(), time.thread_time()
    call()
    return (time.perf_counter() - started) * 1000, (time.thread_time() - cpu) * 1000


def measure_pages(viewers: list[Any], repeats: int) -> Sample:
    """Each page's median over ``repeats`` warm requests per viewer, the pool's first build and
    the plans of the posts queries each page ran for the first viewer."""
    sample = Sample(posts=Post.objects.count())
    _measure_pool(sample)
    clients = [_client_for(viewer) for viewer in viewers]
    # Searches are limited per person; the bench's are not what the limit is for.
    with override_settings(SORA_RATE_LIMITS=_unlimited_search()):
        for page in PAGES:
            timings: list[tuple[float, float]] = []
            for viewer, client in zip(viewers, clients, strict=True):
                request = _request_for(page, viewer, client)
                request()  # warm: imports, the pool, the search model
                timings += [_timed(request) for _ in range(repeats)]
            sample.medians[page] = statistics.median(wall for wall, _ in timings)
            sample.cpu[page] = statistics.median(cpu for _, cpu in timings)
            sample.plans[page] = _plans(_request_for(page, viewers[0], clients[0]))
    for viewer in viewers:  # as they were: bench_feed measures their For you
        _request_for("For you", viewer, clients[0])
    return sample


def _client_for(viewer: Any) -> Client:
    client = Client(HTTP_HOST="localhost")
    client.force_login(viewer)
    return client


def _unlimited_search() -> dict[str, str]:
    return {**settings.SORA_RATE_LIMITS, "search": "1000000/m"}


def _measure_pool(sample: Sample) -> None:
    pool_clear()
    started = time.perf_counter()
    pool = candidate_pool()
    sample.pool_ms = (time.perf_counter() - started) * 1000
    sample.pool_size = len(pool)
    arrays = (pool.ids, pool.authors, pool.created, pool.energy, pool.vectors)
    sample.pool_mib = sum(array.nbytes for array in arrays) / 2**20


def _request_for(page: str, viewer: Any, client: Client) -> Callable[[], Any]:
    """A call that loads ``page`` as ``viewer`` and checks it came back."""
    if page in _MODES:
        feed_mode_set(user=viewer, mode=_MODES[page])
        path = "/"
    elif page == "Profile":
        path = f"/@{_followed(viewer).username}/"
    else:
        path = f"/search/?q={SEARCH_QUERY.replace(' ', '+')}"

    def request() -> Any:
        if page == "For you":
            cache.delete(f"feed:ahead:{viewer.pk}")  # rank every time, as a new scroll does
        response = client.get(path)
        if response.status_code != 200:
            raise CommandError(f"{page} answered {response.status_code} for @{viewer.username}.")
        return response

    return request


def _followed(viewer: Any) -> Any:
    """Someone the viewer follows who has posted (the viewer when there is nobody)."""
    follow = (
        Follow.objects.filter(follower=viewer, followee__posts__isnull=False)
        .select_related("followee")
        .first()
    )
    return follow.followee if follow else viewer


def _plans(request: Callable[[], Any]) -> list[tuple[str, list[str], list[str]]]:
    with captured_queries() as queries:
        request()
    plans, done = [], set()
    for sql, params in queries:
        if not sql.lstrip().upper().startswith("SELECT") or sql in done:
            continue
        if not (touches_posts(sql) or touches_accounts(sql)):
            continue
        done.add(sql)
        plan = query_plan(sql, params)
        scans = [f"posts table ({step})" for step in posts_scans(sql, plan)]
        scans += [f"accounts table ({step})" for step in accounts_scans(sql, plan)]
        plans.append((sql, plan, scans))
    return plans
