"""What a person said "none" of ("nothing scary", "no cats"): those posts never reach their feed.

An instruction's "none" phrases (``feed.steering``) are embedded like every phrase, inside
``PHRASE_TEMPLATE``. A post is excluded when the cosine similarity between its text vector and
any "none" phrase reaches ``EXCLUDE_SIMILARITY``. For you leaves excluded posts out of its
candidates (a mask over the pool, the same arrays the ranking reads, so no query is added);
Latest and Following are chronological, so they skip them while reading the page and say how
many they skipped, with a link that shows them on that page.

The threshold, 0.30, was chosen on the labelled pairs in
``feed/tests/data/exclusions_labelled.csv`` (83 pairs over 17 phrases: posts that are about the
phrase, and near misses that share a setting or a look with it, "sharks" against a whale,
"spiders" against a butterfly, "horror" against a Halloween party). Matches score 0.24-0.60,
near misses 0.13-0.49: no single number separates them. Counting both kinds of error:

======  ==============  ======================
 floor   matches missed  harmless posts hidden
======  ==============  ======================
 0.25    1 of 41         15 of 42
 0.30    3 of 41         10 of 42
 0.325   4 of 41          7 of 42 (fewest errors in all)
 0.35   11 of 41          7 of 42
 0.40   14 of 41          4 of 42
======  ==============  ======================

A "none" is the person's limit, so a miss costs more than a hidden neighbour (which Latest still
offers behind its "Show them" link): 0.30 misses 3 where the fewest-errors point misses 4, and
below it every step hides many more neighbours for few catches. It is also ``PHRASE_SIM_FLOOR``,
where the ranking's "less" term starts to count, so whatever "less X" would lower, "no X" leaves
out. ``bench_exclusions`` measures the same rule at volume.

A post whose features job hasn't run yet has no vector to check: while the person has "none"
phrases it is held back (and counted in Latest) until it has one, seconds after publishing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
from django.db.models import QuerySet

from feed.models import FeedPreference, Post
from feed.ranking import PHRASE_SIM_FLOOR
from feed.steering import stored_vectors
from sora_site.embeddings import EMBEDDING_DIM

EXCLUDE_SIMILARITY = PHRASE_SIM_FLOOR
# Latest and Following read this many posts per round while filling a page, for at most
# SCAN_ROUNDS rounds: a page whose every post is excluded ends early with a link to go on.
SCAN_FACTOR = 3
SCAN_ROUNDS = 4
_PARTS = re.compile(r"[,;.!?\n]+|\bbut\b|\band\b|\bplus\b")


@dataclass(frozen=True)
class Exclusions:
    """The viewer's "none" phrases, their MiniLM vectors (one row each), and the words they
    wrote for each ("nothing scary" for "scary")."""

    labels: tuple[str, ...] = ()
    vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, EMBEDDING_DIM), np.float32))
    words: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def quoted(self) -> str:
        """The person's words, quoted: “nothing scary” and “no cats”."""
        return " and ".join(f"“{w}”" for w in dict.fromkeys(self.words))


def exclusions_for(preference: FeedPreference) -> Exclusions:
    """The preference's "none" phrases with their stored vectors; none when the vectors don't
    match the phrases (``stored_vectors``)."""
    labels = list(preference.instruction_none or [])
    vectors = stored_vectors(preference) if labels else None
    if not labels or vectors is None:
        return Exclusions()
    words = tuple(own_words(preference.instruction, label) for label in labels)
    return Exclusions(tuple(labels), vectors[-len(labels) :], words)


def own_words(instruction: str, phrase: str) -> str:
    """The part of the instruction a phrase was read from ("nothing scary"), or the phrase
    itself when it was typed into the "None of" list."""
    for part in _PARTS.split(instruction):
        if phrase in part.lower():
            return " ".join(part.split())
    return phrase


def excluded(vectors: np.ndarray, exclusions: Exclusions) -> np.ndarray:
    """Which posts (rows of unit ``vectors``) the exclusions leave out: those matching a phrase,
    and those with no vector yet."""
    n = vectors.shape[0]
    if not len(exclusions) or n == 0:
        return np.zeros(n, dtype=bool)
    sims = vectors @ exclusions.vectors.T
    unread = ~vectors.any(axis=1)
    return (sims.max(axis=1) >= EXCLUDE_SIMILARITY) | unread


@dataclass(frozen=True)
class ChronologicalPage:
    """Ids of one chronological page's posts (newest first), how many posts between them the
    exclusions skipped, and where the next page starts (None at the end)."""

    ids: list[int]
    hidden: int
    next_before: int | None


def chronological_page(
    qs: QuerySet[Post], *, exclusions: Exclusions, before: int | None, page_size: int
) -> ChronologicalPage:
    """The newest ``page_size`` posts of ``qs`` older than ``before`` that the exclusions
    don't leave out. Reads ids and vectors only, ``page_size * SCAN_FACTOR`` at a time; the
    caller loads the cards of the ids in one query."""
    rows_of = qs.order_by("-pk").values_list("pk", "features__embedding")
    batch = page_size * SCAN_FACTOR
    ids: list[int] = []
    hidden = 0
    cursor = before
    for _ in range(SCAN_ROUNDS):
        rows = list((rows_of if cursor is None else rows_of.filter(pk__lt=cursor))[:batch])
        out = excluded(_unit_rows([row[1] for row in rows]), exclusions)
        for (pk, _vector), skip in zip(rows, out, strict=True):
            cursor = pk
            if skip:
                hidden += 1
                continue
            ids.append(pk)
            if len(ids) == page_size:
                return ChronologicalPage(ids, hidden, pk)
        if len(rows) < batch:
            return ChronologicalPage(ids, hidden, None)
    return ChronologicalPage(ids, hidden, cursor)


def _unit_rows(blobs: list[object]) -> np.ndarray:
    """(n, 384) float32 from stored embeddings; a missing or malformed one is a zero row."""
    size = 4 * EMBEDDING_DIM
    fixed = [
        bytes(blob) if isinstance(blob, bytes | memoryview) and len(blob) == size else bytes(size)
        for blob in blobs
    ]
    matrix = np.frombuffer(b"".join(fixed), dtype="<f4").astype(np.float32)
    return matrix.reshape(len(fixed), EMBEDDING_DIM)
