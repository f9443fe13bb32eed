"""MiniLM similarity between a text and the written exemplars of each category.

The exemplars are embedded once per process (about a second, on first use) and kept. A text is
then split into windows: the whole text, plus its clauses when it has several, so that a
harmful clause cannot hide behind a long harmless one. All windows go through one
``embed_texts`` call. Very long texts are cut to ``MAX_WINDOWS`` windows of ``WINDOW_WORDS``
words each; callers refuse long text before moderation, and the rules still read all of it.

For each category the result is the best window's *score* (highest cosine similarity to one of
the category's exemplars) and *margin* (that similarity minus the window's highest similarity
to a harmless exemplar). A high score with a positive margin means "closer to this harm than to
anything harmless we know of".

Nearest-exemplar similarity is precise but narrow: a harmful prompt worded unlike every
exemplar scores low. So the same exemplars also train a small linear probe (logistic regression
over the MiniLM vectors, fitted once per process in well under a second), which learns the
*direction* of each category rather than its nearest points. Its *probability* generalises
better to new wording, and is less precise, so the decision only ever holds on it, never blocks.
The probe is trained on the exemplars alone, never on the test corpus.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np

from sora_site import embeddings

from .exemplars import EXEMPLARS, HARMLESS

if TYPE_CHECKING:
    import numpy as np

MAX_WINDOWS = 12
WINDOW_WORDS = 40
# MiniLM reads at most 256 word pieces; longer windows only cost tokenizer time.
WINDOW_CHARS = 1000
_CLAUSE_BREAK = re.compile(
    r"[.!?;:\n]+\s*|,\s*(?:and\s+|but\s+|then\s+)?|\s+(?:and\s+then|then)\s+"
)


# Inverse regularisation of the probe: weak regularisation suits ~400 short, clean exemplars.
PROBE_C = 32.0
_HARMLESS_LABEL = "harmless"


@dataclass(frozen=True)
class CategorySimilarity:
    score: float
    margin: float
    probability: float = 0.0


@dataclass(frozen=True)
class SimilarityReport:
    """Per-category similarity, plus the probe's probability that the text is harmful at all."""

    categories: dict[str, CategorySimilarity]
    harm_probability: float


@dataclass(frozen=True)
class _Bank:
    vectors: np.ndarray
    rows: dict[str, np.ndarray]
    harmless_rows: np.ndarray
    probe: Any
    probe_columns: dict[str, int]


def _fit_probe(vectors: np.ndarray, labels: list[str]) -> Any:
    from sklearn.linear_model import LogisticRegression

    probe = LogisticRegression(C=PROBE_C, max_iter=2000, class_weight="balanced")
    return probe.fit(vectors, labels)


@cache
def _bank() -> _Bank:
    texts = [text for group in EXEMPLARS.values() for text in group] + list(HARMLESS)
    labels = [category for category, group in EXEMPLARS.items() for _ in group]
    labels += [_HARMLESS_LABEL] * len(HARMLESS)
    rows, start = {}, 0
    for category, group in EXEMPLARS.items():
        rows[category] = np.arange(start, start + len(group))
        start += len(group)
    vectors = embeddings.embed_texts(texts)
    probe = _fit_probe(vectors, labels)
    columns = {label: index for index, label in enumerate(probe.classes_)}
    harmless_rows = np.arange(start, start + len(HARMLESS))
    return _Bank(vectors, rows, harmless_rows, probe, columns)


def warm_up() -> None:
    """Load MiniLM and embed the exemplars now rather than on the first request."""
    _bank()


def _chunks(words: list[str]) -> list[str]:
    return [" ".join(words[i : i + WINDOW_WORDS]) for i in range(0, len(words), WINDOW_WORDS)]


def windows(clean: str) -> list[str]:
    """The whole text plus its clauses (short text), or word windows (long text)."""
    words = clean[: MAX_WINDOWS * WINDOW_CHARS].split()
    if len(words) > WINDOW_WORDS:
        return [chunk[:WINDOW_CHARS] for chunk in _chunks(words)[:MAX_WINDOWS]]
    clauses = [c.strip() for c in _CLAUSE_BREAK.split(clean) if len(c.split()) >= 2]
    extra = [c[:WINDOW_CHARS] for c in clauses if c != clean]
    return [clean[:WINDOW_CHARS], *extra][:MAX_WINDOWS] if clean else []


def similarities(clean: str) -> SimilarityReport:
    """Best score, margin and probe probability per category over the windows of ``clean``."""
    parts = windows(clean)
    if not parts:
        return SimilarityReport({c: CategorySimilarity(0.0, -1.0) for c in EXEMPLARS}, 0.0)
    bank = _bank()
    vectors = embeddings.embed_texts(parts)
    sims = vectors @ bank.vectors.T
    harmless = sims[:, bank.harmless_rows].max(axis=1)
    probabilities = bank.probe.predict_proba(vectors)
    result = {}
    for category, rows in bank.rows.items():
        per_window = sims[:, rows].max(axis=1)
        result[category] = CategorySimilarity(
            score=float(per_window.max()),
            margin=float((per_window - harmless).max()),
            probability=float(probabilities[:, bank.probe_columns[category]].max()),
        )
    harmful = 1.0 - probabilities[:, bank.probe_columns[_HARMLESS_LABEL]]
    return SimilarityReport(result, float(harmful.max()))
