"""Fixtures for the feed's ranking, steering and budget tests (see ``feed_helpers``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from accounts.models import User
from feed.pool import pool_clear
from generation.models import GenerationJob


@pytest.fixture
def fresh_pool() -> Iterator[None]:
    """Each test starts with this process's candidate pool forgotten (the database is rolled
    back between tests, and ids are reused)."""
    pool_clear()
    yield
    pool_clear()


@pytest.fixture
def template_job(alice: User, rendered: Any) -> GenerationJob:
    return rendered(alice, "a golden retriever running on the beach at sunset")
