"""Everyday topics people pick as interests, and how a post's words are matched to an interest.

The list belongs to the feed, not to any renderer: an interest is a phrase (a chip from this
list, or anything the person typed), embedded with MiniLM inside ``PHRASE_TEMPLATE`` when it is
saved. A post matches an interest when the cosine similarity between the interest's vector and
the post's text vector reaches ``MATCH_SIMILARITY``, the point where the ranking's ``interests``
term starts to count, so "matches" here and "You're into dogs." in the feed are one rule.

Measured on the labelled pairs in ``feed/tests/test_topics.py``: an interest and a post about it
score 0.40-0.58 ("dogs" against a golden retriever surfing 0.42, "cats" against a cat knocking
a cup over 0.53), unrelated pairs stay under 0.24 ("dogs" against that cat 0.20, "cats" against
the retriever 0.23).
"""

from __future__ import annotations

from functools import cache

import numpy as np

from feed.ranking import PHRASE_SIM_FLOOR
from feed.selectors.steering import PHRASE_TEMPLATE
from sora_site import embeddings

MATCH_SIMILARITY = PHRASE_SIM_FLOOR
# A post's stored topics: the topics it matches that come within TOPIC_MARGIN of its closest,
# at most MAX_POST_TOPICS. Generic topics sit just over the threshold for many posts ("yoga" and
# "magic" 0.32-0.36 for a dance party whose "dance" is 0.57); the margin keeps them out.
TOPIC_MARGIN = 0.10
MAX_POST_TOPICS = 4

# Grouped loosely as people browse: animals, places, food, culture, sport, things, ideas, people.
TOPICS: tuple[str, ...] = (
    "animals", "dogs", "cats", "birds", "horses", "wildlife",
    "nature", "ocean", "beaches", "mountains", "forests", "snow", "weather", "space",
    "cities", "architecture", "travel", "camping",
    "food", "cooking", "baking",
    "music", "dance", "art", "painting", "photography", "movies", "books", "fashion", "comedy",
    "sport", "football", "basketball", "skateboarding", "surfing", "skiing", "fitness", "yoga",
    "cars", "trains", "planes", "boats", "robots", "technology", "gaming",
    "science", "history", "fantasy", "magic",
    "gardening", "crafts", "kids", "family", "parties",
)  # fmt: skip


@cache
def topic_vectors() -> np.ndarray:
    """The topics' MiniLM vectors, (len(TOPICS), 384), embedded once per process.

    Only the features job (a ``default``-queue worker) reads them; a feed request never does."""
    return embeddings.embed_texts([PHRASE_TEMPLATE.format(topic) for topic in TOPICS])


def interest_matches(interest_vectors: np.ndarray, post_vectors: np.ndarray) -> np.ndarray:
    """Which post matches which interest: (posts, interests) booleans, from unit vectors."""
    return np.atleast_2d(post_vectors) @ np.atleast_2d(interest_vectors).T >= MATCH_SIMILARITY


def post_topics(post_vector: np.ndarray) -> list[str]:
    """The topics of the list a post's text matches, closest first (see ``TOPIC_MARGIN``)."""
    sims = topic_vectors() @ post_vector
    order = np.argsort(-sims, kind="stable")[:MAX_POST_TOPICS]
    floor = max(MATCH_SIMILARITY, float(sims[order[0]]) - TOPIC_MARGIN)
    return [TOPICS[i] for i in order if sims[i] >= floor]
