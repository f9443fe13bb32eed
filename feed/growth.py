"""Growing a seeded database a hundredfold, and reading how its queries are answered.

``bench_growth`` measures the feed's pages on a seeded database, grows the same database and
measures again. Growing goes through the database alone: each copy of the seeded posts is
one ``INSERT ... SELECT`` per table, with ids shifted past the originals, so a million posts
take minutes on two cores instead of the hours the ORM would need. A copy is a new community
(its people, who follow each other, their jobs, posts and features), made later than the one
before, as a site that gains people does; the seeded people and the posts they follow stay as
they were, now under a hundred times as many newer posts.

``query_plan`` asks the database how it answers a query (``EXPLAIN QUERY PLAN`` on SQLite,
``EXPLAIN`` on PostgreSQL); ``posts_scans`` and ``accounts_scans`` find the steps that read the
posts table, or the accounts table, from end to end.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from accounts.models import Follow, User
from feed.models import Post, PostFeatures
from generation.models import GenerationJob

POSTS_TABLE = Post._meta.db_table
ACCOUNTS_TABLE = User._meta.db_table
_TEXT = "TEXT"  # SQLite's and PostgreSQL's name for unbounded text

# The source rows of a copy, given the newest source post copied (``%(cutoff)s``): the seeded
# posts, their jobs, features and authors, and the follows among those authors.
_AUTHORS = f"SELECT author_id FROM {POSTS_TABLE} WHERE id <= %(cutoff)s"
_SOURCES: dict[type[models.Model], str] = {
    User: f"id IN ({_AUTHORS})",
    Follow: f"follower_id IN ({_AUTHORS}) AND followee_id IN ({_AUTHORS})",
    GenerationJob: f"id IN (SELECT job_id FROM {POSTS_TABLE} WHERE id <= %(cutoff)s)",
    Post: "id <= %(cutoff)s",
    PostFeatures: "post_id <= %(cutoff)s",
}
# Columns that point at a copied row: they move with it.
_MOVED = {
    "creator_id": User,
    "follower_id": User,
    "followee_id": User,
    "author_id": User,
    "job_id": GenerationJob,
    "post_id": Post,
}


@dataclass(frozen=True)
class Growth:
    """What growing did: posts before and after, and how long it took."""

    before: int
    after: int
    seconds: float


def grow_posts(*, to: int, say: Callable[[str], None] = print) -> Growth:
    """Copy the posts there are (with their people, follows, jobs and features) until there
    are ``to``; the last copy takes only the oldest posts it needs."""
    started = time.monotonic()
    before = Post.objects.count()
    if before == 0 or to <= before:
        return Growth(before, before, 0.0)
    spans = {model: _max_id(model) for model in _SOURCES}
    top_post = spans[Post]
    source_ids = list(Post.objects.order_by("pk").values_list("pk", flat=True))
    have, copy = before, 0
    while have < to:
        copy += 1
        take = min(len(source_ids), to - have)
        _copy(copy, spans, cutoff=source_ids[take - 1] if take < before else top_post)
        have += take
        if copy % 10 == 0 or have >= to:
            say(f"  {have:,} posts ({time.monotonic() - started:.1f} s)")
    _reset_sequences()
    return Growth(before, Post.objects.count(), time.monotonic() - started)


def _max_id(model: type[models.Model]) -> int:
    return model.objects.aggregate(top=models.Max("pk"))["top"] or 0


@transaction.atomic
def _copy(copy: int, spans: dict[type[models.Model], int], *, cutoff: int) -> None:
    made_at = timezone.now()
    for model, where in _SOURCES.items():
        columns, exprs, params = [], [], []
        for field in model._meta.concrete_fields:
            expr, values = _copied(field, copy, spans, made_at)
            columns.append(connection.ops.quote_name(field.column))
            exprs.append(expr)
            params += values
        table = connection.ops.quote_name(model._meta.db_table)
        sql = (
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(exprs)} "
            f"FROM {table} WHERE {where}"
        )
        # The WHERE's parameters are named; the SELECT's positional ones are bound first.
        sql = sql.replace("%(cutoff)s", str(int(cutoff)))
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def _copied(
    field: models.Field[Any, Any],
    copy: int,
    spans: dict[type[models.Model], int],
    made_at: Any,
) -> tuple[str, list[object]]:
    """The SELECT expression that makes ``field``'s value in copy number ``copy``."""
    column = connection.ops.quote_name(field.column)
    if field.primary_key:
        return f"{column} + %s", [copy * spans[field.model]]
    if field.column in _MOVED:
        return f"{column} + %s", [copy * spans[_MOVED[field.column]]]
    # Unique text made unique again by the copy's own id (a PostgreSQL public_id holds 20).
    new_id = f"CAST(({connection.ops.quote_name('id')} + %s) AS {_TEXT})"
    if field.column == "public_id":
        return f"substr({column}, 1, 8) || 'g' || {new_id}", [copy * spans[field.model]]
    if field.column == "username":
        return f"{column} || '_' || {new_id}", [copy * spans[field.model]]
    if isinstance(field, models.DateTimeField) and field.column in ("created_at", "date_joined"):
        return "%s", [connection.ops.adapt_datetimefield_value(made_at)]
    return column, []


def _reset_sequences() -> None:
    """PostgreSQL's id sequences would otherwise hand out ids the copies took."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(_SOURCES))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


# --- Query plans ----------------------------------------------------------------------------


@contextmanager
def captured_queries() -> Iterator[list[tuple[str, tuple[object, ...]]]]:
    """Every query run inside the block, with its parameters, as the database received it."""
    captured: list[tuple[str, tuple[object, ...]]] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if not many:
            captured.append((sql, tuple(params or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield captured


def query_plan(sql: str, params: tuple[object, ...]) -> list[str]:
    """How the database answers ``sql``: one line a step, indented by how deep it is nested
    (SQLite's steps under a subquery are indented under it)."""
    vendor = connection.vendor
    if vendor != "sqlite":
        # PostgreSQL reads a small table end to end because that is cheapest, whatever its
        # indexes; with sequential scans priced out it still scans only where no index can
        # serve the query, which is what this asks, at 200 posts as at 1,000,000.
        with connection.cursor() as cursor:
            cursor.execute("SET enable_seqscan = off")
            try:
                cursor.execute("EXPLAIN " + sql, params)
                rows = cursor.fetchall()
            finally:
                cursor.execute("RESET enable_seqscan")
        return [str(row[0]) for row in rows]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        rows = cursor.fetchall()
    depth: dict[int, int] = {0: -1}
    lines = []
    for step_id, parent, _, detail in rows:
        depth[step_id] = depth.get(parent, -1) + 1
        lines.append("  " * depth[step_id] + str(detail))
    return lines


def touches_posts(sql: str) -> bool:
    return _touches(sql, POSTS_TABLE)


def touches_accounts(sql: str) -> bool:
    return _touches(sql, ACCOUNTS_TABLE)


def _touches(sql: str, table: str) -> bool:
    return f'"{table}"' in sql or re.search(rf"\b{table}\b", sql) is not None


def _names(sql: str, table: str) -> set[str]:
    """The table's name in ``sql`` and the aliases it goes by (Django's ``U0``...)."""
    names = {table}
    pattern = rf'"?{table}"?\s+(?:AS\s+)?"?([A-Za-z]\w*)"?'
    for alias in re.findall(pattern, sql):
        if alias.upper() not in {"WHERE", "ON", "INNER", "LEFT", "ORDER", "GROUP", "LIMIT"}:
            names.add(alias)
    return names


# A query whose outermost rows are the posts newest first, as many as its LIMIT: walking the
# posts' id (SQLite's table b-tree, PostgreSQL's primary key index) from the top visits those
# rows and stops, however many posts there are. Keyset pages (``id < before``) are the same.
_NEWEST_FIRST = re.compile(
    rf'ORDER BY\s+(?:"?{POSTS_TABLE}"?\.)?"?id"?\s+DESC\s+LIMIT\s+\d+\s*$', re.IGNORECASE
)
_FIRST_COLUMN_FIRST = re.compile(r"ORDER BY\s+1\s+DESC\s+LIMIT\s+\d+\s*$", re.IGNORECASE)


def posts_scans(sql: str, plan: list[str]) -> list[str]:
    """The plan's steps that read the posts table from end to end. SQLite's ``SCAN`` of the
    posts at the top level of a newest-first query with a LIMIT (and no sort of its own) is
    the walk down the id described above, not a full scan, and is not counted."""
    names = _names(sql, POSTS_TABLE)
    ordered = _NEWEST_FIRST.search(sql.strip())
    if ordered is None and sql.startswith(f'SELECT "{POSTS_TABLE}"."id"'):
        # Django orders a ``values_list("pk", ...)`` by its first column's position.
        ordered = _FIRST_COLUMN_FIRST.search(sql.strip())
    walks_newest = ordered is not None and not any(
        step.startswith("USE TEMP B-TREE FOR ORDER BY") for step in plan
    )
    found = []
    for step in plan:
        sqlite_scan = re.match(r"(\s*)SCAN (\w+)", step)
        if sqlite_scan and sqlite_scan.group(2) in names:
            if not (walks_newest and not sqlite_scan.group(1)):
                found.append(step.strip())
        elif re.search(rf"Seq Scan on {POSTS_TABLE}\b", step):
            found.append(step.strip())
    return found


def accounts_scans(sql: str, plan: list[str]) -> list[str]:
    """The plan's steps that read the accounts table from end to end: SQLite's ``SCAN`` of it
    (through an index or not) or PostgreSQL's ``Seq Scan``. People are found by a ``SEARCH``
    of an index (an ``Index Cond``), or by their id from a post's author."""
    names = _names(sql, ACCOUNTS_TABLE)
    found = []
    for step in plan:
        sqlite_scan = re.match(r"\s*SCAN (\w+)", step)
        if (sqlite_scan and sqlite_scan.group(1) in names) or re.search(
            rf"Seq Scan on {ACCOUNTS_TABLE}\b", step
        ):
            found.append(step.strip())
    return found
