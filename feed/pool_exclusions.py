"""Which of the candidate pool a person's "none" words leave out, worked out once per pool.

The answer depends only on the pool's vectors and the words' vectors, yet every For-you page
asked it again: matrix products over 10,000 text vectors and ~30,000 part vectors, the costliest
step of a page that is otherwise served from the ranking kept ahead. Here it is kept for as
long as the process holds the same pool (a new post or recomputed features build a new one,
and the answers kept for the old one are dropped with it), keyed by the words and their
vectors, so a person who changes their words gets a new answer at once.
"""

from __future__ import annotations

import threading

import numpy as np

from feed.exclusions import Exclusions, excluded
from feed.pool import Pool

# People with different words whose answers are kept per pool (10 kB each for 10,000 posts).
MAX_KEPT = 2_000

_lock = threading.Lock()
_pool: Pool | None = None
_kept: dict[bytes, np.ndarray] = {}


def pool_excluded(pool: Pool, exclusions: Exclusions) -> np.ndarray:
    """``excluded(pool.vectors, exclusions, pool.parts)``, read-only, kept for this pool."""
    global _pool
    if not len(exclusions):
        return np.zeros(len(pool), dtype=bool)
    vectors = np.ascontiguousarray(exclusions.vectors, dtype=np.float32)
    key = "\n".join(exclusions.labels).encode() + b"\0" + vectors.tobytes()
    with _lock:
        if _pool is not pool:
            _pool = pool
            _kept.clear()
        found = _kept.get(key)
    if found is not None:
        return found
    found = excluded(pool.vectors, exclusions, pool.parts)
    found.setflags(write=False)
    with _lock:
        if _pool is pool:
            if len(_kept) >= MAX_KEPT:
                _kept.clear()
            _kept[key] = found
    return found
