"""Whose posts are where in the candidate pool (``Pool.author_positions``): the mask a feed page
builds for blocked, muted and kept-to-followers authors reads it."""

from __future__ import annotations

import numpy as np

from feed.pool import Pool
from sora_site.embeddings import EMBEDDING_DIM


def _pool(authors: list[int]) -> Pool:
    n = len(authors)
    return Pool(
        ids=np.arange(1, n + 1, dtype=np.int64),
        authors=np.array(authors, dtype=np.int64),
        created=np.zeros(n),
        energy=np.zeros(n, dtype=np.float32),
        vectors=np.zeros((n, EMBEDDING_DIM), dtype=np.float32),
    )


def test_the_posts_of_the_named_authors_are_found_and_no_others() -> None:
    rng = np.random.default_rng(7)
    pool = _pool(rng.integers(1, 400, size=5_000).tolist())
    for asked in ([], [3], [3, 3], [399, 1, 250], [10_000], rng.integers(1, 500, size=60).tolist()):
        authors = np.array(asked, dtype=np.int64)
        found = np.sort(pool.author_positions(authors))
        expected = np.flatnonzero(np.isin(pool.authors, authors))
        assert np.array_equal(np.unique(found), expected), asked


def test_an_empty_pool_has_no_positions() -> None:
    assert len(_pool([]).author_positions(np.array([1, 2]))) == 0
    assert len(_pool([5, 5, 6]).author_positions(np.array([7]))) == 0
