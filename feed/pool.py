"""The For-you candidate pool: the newest posts' features as numpy arrays, cached per process.

Which posts are candidates: the newest ``POOL_SIZE`` posts by id, whatever their visibility. The
For-you feed is about what is fresh, and a fixed-size window keeps a request's work the same
with 1,000 posts or 10 million; older posts stay reachable through Latest, Following and
profiles. Per request the viewer's own exclusions (seen, blocked, muted) are masks over these
arrays, and visibility (held, taken down, banned authors) is checked again by the SQL query that
loads the page's posts, so a stale pool can never show what may not be shown.

The arrays are rebuilt incrementally: each request asks the database one cheap question (the
newest post and the newest features row, both index lookups) and only new posts and recomputed
features are read. Arrays are never changed in place, so a request holding the old pool is safe.
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import connection

from feed.models import Post, PostFeatures
from feed.post_parts import PostParts, joined, parts_of
from feed.ranking import Candidates
from sora_site.embeddings import EMBEDDING_DIM

POOL_SIZE = 10_000
NEUTRAL_ENERGY = 0.5
_ROW_FIELDS = (
    "pk",
    "author_id",
    "created_at",
    "features__energy",
    "features__embedding",
    "features__parts",
)
_EMPTY_VECTOR = bytes(4 * EMBEDDING_DIM)
_POSTS = Post._meta.db_table
_FEATURES = PostFeatures._meta.db_table


@dataclass(frozen=True)
class PoolVersion:
    """The newest post's id and date and the newest features row's date, in the database's own
    representation (compared, never interpreted)."""

    top_id: int
    top_created: object
    features_at: object


EMPTY_VERSION = PoolVersion(top_id=0, top_created=None, features_at=None)


@dataclass(frozen=True)
class Pool(Candidates):
    """Candidate arrays, sorted by post id: ``ids`` and ``authors`` (int64), ``created``
    (float64 seconds since the epoch), ``energy`` (float32, 0 calm .. 1 energetic) and
    ``vectors`` (float32, (n, 384), L2-normalised). Posts whose features job hasn't run yet
    have a zero vector and neutral energy: they rank on freshness and follows until it does.
    ``parts`` are the vectors of the posts' text parts (``feed.post_parts``), which only the
    "none" words read (``feed.exclusions``)."""

    version: PoolVersion = field(default_factory=lambda: EMPTY_VERSION)
    parts: PostParts = field(default_factory=PostParts)

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    @property
    def min_id(self) -> int:
        return int(self.ids[0]) if len(self) else 0

    @property
    def nbytes(self) -> int:
        """Memory the pool's arrays hold, its parts included."""
        arrays = (self.ids, self.authors, self.created, self.energy, self.vectors)
        return sum(int(array.nbytes) for array in arrays) + self.parts.nbytes

    @functools.cached_property
    def _by_author(self) -> tuple[np.ndarray, np.ndarray]:
        """The pool's indexes ordered by author, and the authors in that order: made once per
        pool, the first time a page asks whose posts are where."""
        order = np.argsort(self.authors, kind="stable")
        return order, self.authors[order]

    def author_positions(self, authors: np.ndarray) -> np.ndarray:
        """Indexes of the posts by any of ``authors``: two binary searches per author, where a
        test of each of the pool's posts took a tenth of a millisecond on every page."""
        if not len(self) or not len(authors):
            return np.zeros(0, dtype=np.int64)
        order, sorted_authors = self._by_author
        starts = np.searchsorted(sorted_authors, authors, "left")
        lengths = np.searchsorted(sorted_authors, authors, "right") - starts
        total = int(lengths.sum())
        # Each author's run of the sorted order, one after the other.
        offsets = np.cumsum(lengths) - lengths
        return order[np.arange(total) + np.repeat(starts - offsets, lengths)]

    def positions(self, post_ids: np.ndarray) -> np.ndarray:
        """Indexes of those of ``post_ids`` that are in the pool."""
        if not len(self) or not len(post_ids):
            return np.zeros(0, dtype=np.int64)
        where = np.searchsorted(self.ids, post_ids)
        where = np.minimum(where, len(self) - 1)
        return where[self.ids[where] == post_ids]


_lock = threading.Lock()
_cached: Pool | None = None
_frozen = False


def candidate_pool() -> Pool:
    """The current pool; one query when nothing changed since this process last looked."""
    global _cached
    version = _current_version()
    pool = _cached
    if pool is not None and pool.version == version:
        return pool
    with _lock:
        pool = _cached
        if pool is None or pool.version != version:
            pool = _refreshed(pool, version)
            _cached = pool
            _freeze_what_is_loaded()
    return pool


def _freeze_what_is_loaded() -> None:
    """Leave everything this process has loaded so far (modules, the embedding model, this
    pool) out of the garbage collector's full passes.

    A web process holds ~170,000 long-lived objects once the feed has been served; each full
    collection walked them all (~70 ms here), and the feed, allocating most, triggered one
    every few dozen pages: about 1.3 ms a page on average. Frozen objects are still freed by
    reference counting; only cycles among them would stay, so this runs once per process, on
    the first pool, not on each refresh.
    """
    global _frozen
    if _frozen:
        return
    _frozen = True
    gc.collect()
    gc.freeze()


def pool_clear() -> None:
    """Forget this process's pool (tests that roll the database back use it)."""
    global _cached
    with _lock:
        _cached = None


def _current_version() -> PoolVersion:
    """The newest post and the newest features row, as the database stores them (two index
    lookups). Written as SQL because it runs on every For-you page, and composing it through the
    ORM took longer than answering it. The values are only compared, never interpreted."""
    sql = (
        f"SELECT id, created_at, (SELECT MAX(computed_at) FROM {_FEATURES}) "
        f"FROM {_POSTS} ORDER BY id DESC LIMIT 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    if row is None:
        return EMPTY_VERSION
    return PoolVersion(top_id=row[0], top_created=row[1], features_at=row[2])


def _refreshed(old: Pool | None, version: PoolVersion) -> Pool:
    if version.top_id == 0:
        return _build([], version)
    if old is None or not _can_extend(old, version):
        rows = Post.objects.order_by("-pk").values_list(*_ROW_FIELDS)[:POOL_SIZE]
        return _build(list(rows)[::-1], version)
    return _extended(old, version)


def _can_extend(old: Pool, version: PoolVersion) -> bool:
    """Whether ``old`` still describes the same posts: ids only grow, so a smaller top id, or
    the same top id with another date, means rows were rolled back or deleted."""
    if version.top_id < old.version.top_id:
        return False
    if version.top_id == old.version.top_id:
        return version.top_created == old.version.top_created
    if old.version.top_id == 0:
        return True
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT created_at FROM {_POSTS} WHERE id = %s", [old.version.top_id])
        row = cursor.fetchone()
    return row is not None and row[0] == old.version.top_created


def _extended(old: Pool, version: PoolVersion) -> Pool:
    """``old`` plus posts newer than it, with recomputed features swapped in."""
    newer = Post.objects.filter(pk__gt=old.version.top_id).order_by("-pk")
    added = _build(list(newer.values_list(*_ROW_FIELDS)[:POOL_SIZE])[::-1], version)
    ids = np.concatenate([old.ids, added.ids])[-POOL_SIZE:]
    keep = slice(max(0, len(old) + len(added) - POOL_SIZE), None)
    energy = np.concatenate([old.energy, added.energy])[keep]
    vectors = np.concatenate([old.vectors, added.vectors])[keep]
    start = keep.start or 0
    parts = joined(old.parts.moved(-start, len(ids)), added.parts.moved(len(old) - start, len(ids)))
    pool = Pool(
        ids=ids,
        authors=np.concatenate([old.authors, added.authors])[keep],
        created=np.concatenate([old.created, added.created])[keep],
        energy=energy,
        vectors=vectors,
        version=version,
        parts=parts,
    )
    if version.features_at != old.version.features_at:
        return _apply_recomputed(pool, old.version.features_at)
    return pool


def _apply_recomputed(pool: Pool, since: object) -> Pool:
    """Write features computed since ``since`` into the pool's (fresh, unshared) arrays; the
    pool with those posts' parts swapped in."""
    sql = (
        f"SELECT post_id, energy, embedding, parts FROM {_FEATURES} WHERE post_id BETWEEN %s AND %s"
    )
    params: list[object] = [pool.min_id, int(pool.ids[-1])]
    if since is not None:
        sql += " AND computed_at >= %s"
        params.append(since)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return pool
    post_ids = np.array([row[0] for row in rows], dtype=np.int64)
    where = np.minimum(np.searchsorted(pool.ids, post_ids), len(pool) - 1)
    found = pool.ids[where] == post_ids
    pool.energy[where[found]] = np.array([row[1] for row in rows], dtype=np.float32)[found]
    pool.vectors[where[found]] = _vectors([row[2] for row in rows])[found]
    found_rows = [row[3] for row, hit in zip(rows, found, strict=True) if hit]
    parts = pool.parts.replaced(where[found], parts_of(found_rows))
    return dataclasses.replace(pool, parts=parts)


def _build(rows: list[tuple[Any, ...]], version: PoolVersion) -> Pool:
    """Arrays from (id, author, created, energy, embedding, parts) rows in id order."""
    return Pool(
        ids=np.array([row[0] for row in rows], dtype=np.int64),
        authors=np.array([row[1] for row in rows], dtype=np.int64),
        created=np.array([row[2].timestamp() for row in rows], dtype=np.float64),
        energy=np.array(
            [NEUTRAL_ENERGY if row[3] is None else row[3] for row in rows], dtype=np.float32
        ),
        vectors=_vectors([row[4] for row in rows]),
        version=version,
        parts=parts_of([row[5] for row in rows]),
    )


def _vectors(blobs: list[Any]) -> np.ndarray:
    """One (n, 384) float32 matrix from stored embeddings; missing or malformed ones are zero."""
    fixed = [
        bytes(blob) if blob is not None and len(blob) == len(_EMPTY_VECTOR) else _EMPTY_VECTOR
        for blob in blobs
    ]
    matrix = np.frombuffer(b"".join(fixed), dtype="<f4").astype(np.float32)
    return matrix.reshape(len(fixed), EMBEDDING_DIM)
