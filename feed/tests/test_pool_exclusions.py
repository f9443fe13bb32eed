"""A person's "none" words are matched against the candidate pool once per pool, not per page."""

from __future__ import annotations

import numpy as np

from feed.exclusions import Exclusions, excluded
from feed.pool import Pool
from feed.pool_exclusions import pool_excluded
from sora_site.embeddings import EMBEDDING_DIM


def _unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def _pool(seed: int, n: int = 300) -> Pool:
    rng = np.random.default_rng(seed)
    vectors = _unit(rng.normal(size=(n, EMBEDDING_DIM)))
    vectors[5] = 0  # features not computed yet: left out while there are "none" words
    return Pool(
        ids=np.arange(1, n + 1, dtype=np.int64),
        authors=np.ones(n, dtype=np.int64),
        created=np.zeros(n),
        energy=np.full(n, 0.5, dtype=np.float32),
        vectors=vectors,
    )


def _words(pool: Pool, *rows: int) -> Exclusions:
    """Words whose vectors are those of the pool's ``rows``: each matches its own post."""
    labels = tuple(f"phrase {row}" for row in rows)
    return Exclusions(labels, pool.vectors[list(rows)].copy(), labels)


def test_the_pools_answer_is_the_same_as_matching_every_post_and_kept_for_the_next_page() -> None:
    pool = _pool(1)
    words = _words(pool, 10, 20)
    first = pool_excluded(pool, words)
    assert np.array_equal(first, excluded(pool.vectors, words))
    assert first[[5, 10, 20]].all() and not first[11]
    assert pool_excluded(pool, _words(pool, 10, 20)) is first  # the same words: not recomputed
    assert not first.flags.writeable  # a page masks with a copy, never in place


def test_changed_words_and_a_new_pool_each_get_their_own_answer() -> None:
    pool = _pool(2)
    before = pool_excluded(pool, _words(pool, 10))
    changed = pool_excluded(pool, _words(pool, 30))
    assert changed[30] and not changed[10] and before[10]
    rebuilt = _pool(3)
    words = _words(rebuilt, 40)
    assert np.array_equal(pool_excluded(rebuilt, words), excluded(rebuilt.vectors, words))


def test_no_words_leave_out_nothing() -> None:
    pool = _pool(4)
    assert not pool_excluded(pool, Exclusions()).any()
