"""The parts of a post's text, each with its own vector, so a "none" phrase meets what it names.

One vector for a whole prompt mixes its subject, action, place and style: "a lone skier running
under the sea near a coral reef" scored 0.23 against "snow", under the floor, because the skier
is one of four things the vector says. Here the text is cut into its parts (clauses at commas
and full stops, then each clause once more where its place begins: "in", "on", "under" ...),
each part is embedded with the same MiniLM model, and a post's exclusion score is the best of
its parts and its whole text (``feed.exclusions``).

The parts are stored beside the post's vector (``PostFeatures.parts``) as float16, at most
``MAX_PARTS`` of 384 values each (768 bytes a part): half the size of float32, and a cosine
between unit vectors moves by less than 0.001. A text with a single part stores none: its whole
vector already says it. The candidate pool keeps them as one matrix with, for each row, the
position of the post it belongs to (``PostParts``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from sora_site.embeddings import EMBEDDING_DIM, embed_texts

MAX_PARTS = 4
PART_DTYPE = "<f2"
PART_BYTES = 2 * EMBEDDING_DIM
# Parts scored at once: their float32 copy is 12 MB at most.
_BLOCK = 8_192
_CLAUSES = re.compile(r"[,;.!?:\n]+|\s+(?:but|while|whereas)\s+")
# Where a clause's place begins: the first of these words after something else was named.
_PLACE = re.compile(
    r"\s+(?=(?:in|on|at|under|over|across|among|near|through|inside|beside|along|into|onto|"
    r"above|below|beneath|around|behind)\s)"
)


def text_parts(text: str) -> list[str]:
    """The text's parts, in order and without repeats: each clause, split once where its place
    begins ("a skier running" / "under the sea near a coral reef" / "calm and peaceful").
    Empty when the text has one part only, and at most ``MAX_PARTS``."""
    found: list[str] = []
    for clause in _CLAUSES.split(text.lower()):
        words = " ".join(clause.split())
        if words:
            found += [piece for piece in _PLACE.split(words, maxsplit=1) if piece]
    unique = list(dict.fromkeys(found))
    return unique[:MAX_PARTS] if len(unique) > 1 else []


def embed_with_parts(texts: list[str]) -> tuple[np.ndarray, list[bytes]]:
    """Unit vectors of the texts (n, 384) and, for each, its parts' vectors as a stored blob
    (``parts_blob``), from one call to the model."""
    parts = [text_parts(text) for text in texts]
    flat = [part for each in parts for part in each]
    vectors = embed_texts([*texts, *flat])
    blobs: list[bytes] = []
    start = len(texts)
    for each in parts:
        blobs.append(parts_blob(vectors[start : start + len(each)]))
        start += len(each)
    return vectors[: len(texts)], blobs


def parts_blob(vectors: np.ndarray) -> bytes:
    """Stored form of (k, 384) part vectors: little-endian float16, row after row."""
    return np.ascontiguousarray(vectors[:MAX_PARTS], dtype=PART_DTYPE).tobytes()


def parts_rows(blob: object) -> np.ndarray:
    """(k, 384) float16 from a stored blob; none for a missing or malformed one."""
    data = bytes(blob) if isinstance(blob, bytes | memoryview) else b""
    if not data or len(data) % PART_BYTES or len(data) > MAX_PARTS * PART_BYTES:
        return np.zeros((0, EMBEDDING_DIM), np.float16)
    return np.frombuffer(data, dtype=PART_DTYPE).astype(np.float16).reshape(-1, EMBEDDING_DIM)


@dataclass(frozen=True)
class PostParts:
    """Part vectors of many posts: ``vectors`` (m, 384) float16 and ``owner`` (m,) int64, the
    row (post) each belongs to, in ascending order."""

    vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, EMBEDDING_DIM), np.float16))
    owner: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    def __len__(self) -> int:
        return int(self.owner.shape[0])

    @property
    def nbytes(self) -> int:
        return int(self.vectors.nbytes + self.owner.nbytes)

    def best(self, phrases: np.ndarray, posts: int) -> np.ndarray:
        """For each of ``posts`` rows, the highest cosine between one of its parts and one of
        the unit ``phrases``; -1 for a post without parts. Worked in blocks, so the float32
        copy never holds more than ``_BLOCK`` parts."""
        out = np.full(posts, -1.0, dtype=np.float32)
        if not len(self) or not len(phrases):
            return out
        matrix = np.ascontiguousarray(phrases.T, dtype=np.float32)
        for start in range(0, len(self), _BLOCK):
            rows = slice(start, start + _BLOCK)
            sims = (self.vectors[rows].astype(np.float32) @ matrix).max(axis=1)
            np.maximum.at(out, self.owner[rows], sims)
        return out

    def moved(self, offset: int, posts: int) -> PostParts:
        """These parts with ``offset`` added to each owner, keeping those that land on one of
        ``posts`` rows (a pool that dropped its oldest posts, or one appended after another)."""
        owner = self.owner + offset
        keep = (owner >= 0) & (owner < posts)
        return PostParts(self.vectors[keep], owner[keep])

    def replaced(self, positions: np.ndarray, new: PostParts) -> PostParts:
        """These parts with those of the posts at ``positions`` swapped for ``new``, whose owner
        ``i`` stands for ``positions[i]`` (features computed again)."""
        keep = ~np.isin(self.owner, positions)
        owner = np.concatenate([self.owner[keep], positions[new.owner]])
        order = np.argsort(owner, kind="stable")
        vectors = np.concatenate([self.vectors[keep], new.vectors])
        return PostParts(vectors[order], owner[order])


def joined(first: PostParts, second: PostParts) -> PostParts:
    """Two sets of parts over the same rows, ``second``'s owners all after ``first``'s."""
    return PostParts(
        np.concatenate([first.vectors, second.vectors]),
        np.concatenate([first.owner, second.owner]),
    )


def parts_of(blobs: list[object]) -> PostParts:
    """``PostParts`` for posts in the order of their stored blobs."""
    rows = [parts_rows(blob) for blob in blobs]
    counts = np.array([len(r) for r in rows], dtype=np.int64)
    if not counts.sum():
        return PostParts()
    return PostParts(
        vectors=np.concatenate(rows),
        owner=np.repeat(np.arange(len(rows), dtype=np.int64), counts),
    )
