"""What a person said "none" of ("nothing scary", "no cats"): those posts never reach their feed.

An instruction's "none" phrases (``feed.services.steering``) are embedded inside
``PHRASE_TEMPLATE``, with part of the sense every post text shares ("a video") taken out
(``none_vectors``). A post is excluded when the cosine similarity between any "none" phrase and its
text vector, or the vector of one of its text's parts (``feed.post_parts``), reaches
``EXCLUDE_SIMILARITY``. For you leaves excluded posts out of its candidates (a mask over the pool,
the same arrays the ranking reads, so no query is added); Latest and Following are chronological, so
they skip them while reading the page and say how many they skipped, with a link that shows them on
that page.

Why the sink: a post's text is one vector for all it names (a subject, an action, a place, a
style), and the template's "a video of" is close to every one of them. A long prompt that names
the phrase among three other things ("a puppy spinning in a cozy kitchen baking pancakes, cute
and playful" for "dogs") scored 0.26-0.29 against the plain phrase vector, under the old floor
of 0.30, while a short unrelated one scored as much on "video" alone. Taking out 0.4 of "a
video" from the phrase vector ranks posts by what they show. Measured with ``bench_exclusions``
over the 600 distinct bench prompts and 30 instructions (prompt by prompt, each one ~167
posts), and on the labelled pairs in ``feed/tests/data/exclusions_labelled.csv`` (83 pairs over
17 phrases: posts about the phrase, and near misses that share a setting or a look with it,
"sharks" against a whale, "spiders" against a butterfly, "horror" against a Halloween party):

=======================  ======================  ===============================
 rule                     bench prompts missed,   labelled matches missed,
                          harmless ones hidden    harmless neighbours hidden
=======================  ======================  ===============================
 plain phrase, 0.30       138 of 1,389;  1,950    3 of 41; 10 of 42
 plain phrase, 0.25        46;           4,234    1 of 41; 15 of 42
 sink 0.4, 0.24            70;           2,527    1 of 41; 13 of 42
 sink 0.4, 0.26            91;           1,874    2 of 41; 10 of 42 (chosen)
 sink 0.4, 0.28           126;           1,310    2 of 41; 10 of 42
=======================  ======================  ===============================

The sink rule missed fewer and hid fewer than the plain phrase on both sets. A "none" is the
person's limit, so a miss costs more than a hidden neighbour (which Latest still offers behind
its "Show them" link). What it still missed was mostly a word the sentence vector blurs among
the others: "cities" against "a seagull flying in a neon city at night" (0.25), "snow" against
"a lone skier running under the sea near a coral reef" (0.25). The one part that names the
topic scores far higher on its own ("in a neon city at night" 0.37, "a lone skier running"
0.35), so each part of a post is matched too, and the best of its parts and its whole text
counts. Parts score higher than whole texts in general, so the floor was chosen again on the
labelled pairs, with ``bench_exclusions`` (100,000 posts; "pool" sums over its 30 instructions
the excluded-topic posts of the 10,000-post For-you pool let through, and the others hidden):

=======================  =====================  ===============================
 rule (sink 0.4)          pool let through,      labelled matches missed,
                          harmless ones hidden   harmless neighbours hidden
=======================  =====================  ===============================
 whole text, 0.26          1,512;  31,228         2 of 41; 10 of 42 (before)
 parts and whole, 0.28       251;  29,694         1 of 41; 12 of 42
 parts and whole, 0.30       319;  21,429         1 of 41; 11 of 42
 parts and whole, 0.32       367;  14,937         1 of 41;  9 of 42 (chosen)
 parts and whole, 0.34     1,515;   9,448         4 of 41;  7 of 42
=======================  =====================  ===============================

At 0.32 it misses and hides fewer than the whole text did on both sets, and no excluded-topic
post reaches the first three For-you pages of any of the 30 instructions (2 did before); above
it, matches start to slip through ("rocket" for "space"). The price is memory: each web
process's pool keeps about three float16 part vectors per post beside its float32 whole-text
vector, 21 MiB more for 10,000 posts (36 MiB in all, from 15).

A post whose features job hasn't run yet has no vector to check: while the person has "none"
phrases it is held back (and counted in Latest) until it has one, seconds after publishing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
from django.db.models import QuerySet

from feed.models import FeedPreference, Post
from feed.post_parts import PostParts, parts_of
from feed.selectors.steering import stored_vectors
from sora_site.embeddings import EMBEDDING_DIM

EXCLUDE_SIMILARITY = 0.32  # measured in the second table above
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
        return _quoted(self.words)


def _quoted(words: tuple[str, ...]) -> str:
    return " and ".join(f"“{w}”" for w in dict.fromkeys(words))


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


def words_saved_note(preference: FeedPreference) -> str:
    """What just-saved words do on the tab the person is watching, said after how they were
    read: For you follows all of them; Latest and Following hide the "none" matches at once
    (``chronological_page``) while "more" and "less" wait for For you."""
    if preference.mode == FeedPreference.Mode.FOR_YOU:
        return " Your next videos follow it."
    tab = preference.get_mode_display()
    if not preference.instruction_none:
        return f" It steers For you; you're watching {tab}."
    quoted = _quoted(
        tuple(own_words(preference.instruction, p) for p in preference.instruction_none)
    )
    if preference.instruction_more or preference.instruction_less:
        return f" {tab} now hides videos matching {quoted}; more and less steer For you."
    return f" {tab} now hides videos matching {quoted}, and For you leaves them out."


def excluded(
    vectors: np.ndarray, exclusions: Exclusions, parts: PostParts | None = None
) -> np.ndarray:
    """Which posts (rows of unit ``vectors``, with the vectors of their text's ``parts``) the
    exclusions leave out: those whose whole text or one of its parts matches a phrase, and
    those with no vector yet."""
    n = vectors.shape[0]
    if not len(exclusions) or n == 0:
        return np.zeros(n, dtype=bool)
    best = (vectors @ exclusions.vectors.T).max(axis=1)
    if parts is not None and len(parts):
        best = np.maximum(best, parts.best(exclusions.vectors, n))
    unread = ~vectors.any(axis=1)
    return (best >= EXCLUDE_SIMILARITY) | unread


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
    rows_of = qs.order_by("-pk").values_list("pk", "features__embedding", "features__parts")
    batch = page_size * SCAN_FACTOR
    ids: list[int] = []
    hidden = 0
    cursor = before
    for _ in range(SCAN_ROUNDS):
        rows = list((rows_of if cursor is None else rows_of.filter(pk__lt=cursor))[:batch])
        vectors = _unit_rows([row[1] for row in rows])
        out = excluded(vectors, exclusions, parts_of([row[2] for row in rows]))
        for (pk, _vector, _parts), skip in zip(rows, out, strict=True):
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
