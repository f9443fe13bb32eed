"""Writes for generation, one module per part of a video's life:

- ``request``: submit (checked, quota-limited, fairly queued), cancel, and releasing pending jobs;
- ``render``: the worker's render, from claim to stored file (worker only: it loads the encoder);
- ``recovery``: putting back jobs whose worker died or whose queue entry was lost;
- ``takedown``: the one takedown every path uses, and deleting the files it leaves.

The names the rest of the site calls are importable from here; ``render`` is not, so a web
process never loads it.
"""

from generation.services.recovery import RequeueReport, generation_requeue_stuck
from generation.services.request import (
    PER_USER_QUEUE_CAP,
    PROMPT_HOLD_REASON,
    UNAVAILABLE_MESSAGE,
    UNKNOWN_ENGINE_MESSAGE,
    generation_cancel,
    generation_dequeue,
    generation_enqueue,
    generation_release_pending,
    generation_request,
)

__all__ = [
    "PER_USER_QUEUE_CAP",
    "PROMPT_HOLD_REASON",
    "UNAVAILABLE_MESSAGE",
    "UNKNOWN_ENGINE_MESSAGE",
    "RequeueReport",
    "generation_cancel",
    "generation_dequeue",
    "generation_enqueue",
    "generation_release_pending",
    "generation_request",
    "generation_requeue_stuck",
]
