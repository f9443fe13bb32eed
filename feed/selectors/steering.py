"""A person's steering as the feed reads it: the vectors of the phrases they typed.

Interests and the more, less and none phrases are embedded when they are saved
(``feed.services.steering``) and stored on their ``FeedPreference``; a feed request only reads
them (``stored_vectors``), and the "none" phrases' vectors are made the same way everywhere
(``none_vectors``).
"""

from __future__ import annotations

import numpy as np

from feed.models import FeedPreference
from sora_site import embeddings
from sora_site.embeddings import EMBEDDING_DIM

# Phrases are embedded inside this sentence: against prompts it separates matches from the rest
# far better than a bare word ("dogs" alone scores a snowy mountain at 0.23, a puppy at 0.39;
# "a video of dogs" 0.21 and 0.44).
PHRASE_TEMPLATE = "a video of {}"


# A "none" phrase's vector has part of "a video" taken out of it (``none_vectors``): every
# post's text shares that sense with the template, which pulls a long prompt about a puppy in a
# kitchen at a party below the floor for "dogs" while short unrelated ones sit near it.
NONE_SINK = "a video"


NONE_SINK_WEIGHT = 0.4


def stored_vectors(preference: FeedPreference) -> np.ndarray | None:
    """The preference's phrase vectors, (interests + more + less + none, 384), or None when they
    don't match its phrases (edited elsewhere): the feed then ignores the phrases."""
    blob = bytes(preference.phrase_vectors or b"")
    count = (
        len(preference.interests)
        + len(preference.instruction_more)
        + len(preference.instruction_less)
        + len(preference.instruction_none)
    )
    if len(blob) != count * EMBEDDING_DIM * 4:
        return None
    return np.frombuffer(blob, dtype="<f4").reshape(count, EMBEDDING_DIM)


def none_vectors(phrases: list[str]) -> np.ndarray:
    """Unit vectors for "none" phrases: the phrase inside ``PHRASE_TEMPLATE``, less
    ``NONE_SINK_WEIGHT`` of ``NONE_SINK``'s vector. Measured in ``feed.exclusions``."""
    if not phrases:
        return np.zeros((0, EMBEDDING_DIM), np.float32)
    vectors = embeddings.embed_texts([PHRASE_TEMPLATE.format(p) for p in phrases])
    vectors = vectors - NONE_SINK_WEIGHT * embeddings.embed_texts([NONE_SINK])[0]
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
