"""Putting chores on the ``default`` queue (file deletion, scans, notifications, cascades)."""

from __future__ import annotations

import logging

import django_rq
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


def enqueue_default(func: str, *args: object, job_id: str | None = None) -> bool:
    """Queue a chore, best effort: a queue outage must not undo the person's action. Returns
    False (and logs) when the queue can't be reached. ``job_id`` names the RQ job, so queueing
    the same chore twice leaves one."""
    try:
        django_rq.get_queue("default", commit_mode="auto").enqueue(func, *args, job_id=job_id)
    except RedisError:
        log.warning("Could not queue %s%s", func, args)
        return False
    return True
