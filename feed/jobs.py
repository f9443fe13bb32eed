"""RQ entry points for the ``default`` queue. Each takes IDs only and calls a service."""

from __future__ import annotations

from feed import services


def post_fingerprint(post_id: int) -> None:
    services.post_fingerprint(post_id=post_id)
