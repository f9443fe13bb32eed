"""The feed's web process keeps what it has loaded out of the garbage collector's full passes."""

from __future__ import annotations

import gc

import pytest

from feed.pool import candidate_pool


@pytest.mark.django_db
def test_the_first_pool_leaves_what_is_loaded_out_of_full_collections() -> None:
    pool = candidate_pool()
    assert gc.get_freeze_count() > 0
    frozen = gc.get_freeze_count()
    candidate_pool()  # the same pool again: nothing more is frozen
    assert gc.get_freeze_count() == frozen
    assert len(pool) == 0 and pool is candidate_pool()
