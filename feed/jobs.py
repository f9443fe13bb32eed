"""RQ entry points for the ``default`` queue. Each takes IDs only and calls a service."""

from __future__ import annotations

from feed.services import features, posts


def post_fingerprint(post_id: int) -> None:
    posts.post_fingerprint(post_id=post_id)


def post_features(post_id: int) -> None:
    features.post_features_update(post_id=post_id)
