"""Faces against cameos: finding and embedding faces in frames, and the likeness matching that
the post-render scan (``safety.services.scan``) and the upload check on a starting picture
(``generation.source_image``) both use.

Pure reads: nothing here writes. How ``LIKENESS_DISTANCE`` was chosen is in the scan's docstring.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from cameo import faces as cameo_faces
from cameo.models import Cameo

# The built-in renderer draws faces of about 40-50 pixels, under the HOG detector's ~80 pixel
# floor; one doubling finds them, at ~0.2 s for a 480 x 854 frame on one core.
FACE_UPSAMPLE = 1


LIKENESS_DISTANCE = 0.55


EMBEDDING_SIZE = 128


@dataclass(frozen=True, eq=False)
class FaceSighting:
    """A face found in one sampled frame."""

    frame: int
    box: tuple[int, int, int, int]
    embedding: np.ndarray  # (128,) float32


@dataclass
class FaceCheck:
    """Finds and embeds every face in each sampled frame."""

    upsample: int = FACE_UPSAMPLE
    sightings: list[FaceSighting] = field(default_factory=list)
    name: str = "faces"

    def look(self, frame: np.ndarray) -> list[cameo_faces.Face]:
        """The faces in one frame (safe to run for several frames at once)."""
        return cameo_faces.find_faces(frame, upsample=self.upsample)

    def record(self, index: int, seen: list[cameo_faces.Face]) -> None:
        for face in seen:
            self.sightings.append(FaceSighting(index, face.box, face.embedding))

    def observe(self, index: int, frame: np.ndarray) -> None:
        self.record(index, self.look(frame))

    def embeddings(self) -> np.ndarray:
        if not self.sightings:
            return np.empty((0, EMBEDDING_SIZE), dtype=np.float32)
        return np.stack([s.embedding for s in self.sightings]).astype(np.float32)


def pairwise_distances(faces: np.ndarray, cameos: np.ndarray) -> np.ndarray:
    """(F, N) Euclidean distances, through one matrix product: |a-b|^2 = |a|^2 + |b|^2 - 2ab."""
    if not len(faces) or not len(cameos):
        return np.empty((len(faces), len(cameos)), dtype=np.float32)
    squared = (
        np.einsum("ij,ij->i", faces, faces)[:, None]
        + np.einsum("ij,ij->i", cameos, cameos)[None, :]
        - 2.0 * (faces @ cameos.T)
    )
    return np.sqrt(np.maximum(squared, 0.0))


@dataclass(frozen=True)
class Likenesses:
    """Cameo embeddings as one (N, 128) float32 matrix, with the cameo and owner of each row."""

    cameo_ids: np.ndarray  # (N,) int64
    owner_ids: np.ndarray  # (N,) int64
    matrix: np.ndarray  # (N, 128) float32

    def __len__(self) -> int:
        return len(self.cameo_ids)

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[int, int, Sequence[float]]]) -> Likenesses:
        """From (cameo id, owner id, embedding); rows without a 128-d embedding are skipped."""
        usable = [row for row in rows if len(row[2] or ()) == EMBEDDING_SIZE]
        return cls(
            cameo_ids=np.array([r[0] for r in usable], dtype=np.int64),
            owner_ids=np.array([r[1] for r in usable], dtype=np.int64),
            matrix=np.array([r[2] for r in usable], dtype=np.float32).reshape(
                len(usable), EMBEDDING_SIZE
            ),
        )

    @classmethod
    def protected(cls) -> Likenesses:
        """Every verified cameo whose owner keeps likeness protection on."""
        rows = Cameo.objects.filter(
            state=Cameo.State.VERIFIED, protect_likeness=True, owner__is_active=True
        ).values_list("pk", "owner_id", "embedding")
        return cls.from_rows(rows)


@dataclass(frozen=True)
class Match:
    """A face that looks like a protected cameo the video has no consent for."""

    cameo_id: int
    owner_id: int
    distance: float
    frame: int


def likeness_matches(
    sightings: Sequence[FaceSighting],
    embeddings: np.ndarray,
    protected: Likenesses,
    consented: Likenesses,
    *,
    threshold: float = LIKENESS_DISTANCE,
) -> list[Match]:
    """Protected cameos that a face matches, closest first, one per cameo.

    A face is explained when a consented cameo (one used in the video, or the creator's own) is
    at least as close to it as the protected one: lookalikes of a cameo in the video don't hold.
    """
    if not len(embeddings) or not len(protected):
        return []
    near = pairwise_distances(embeddings, protected.matrix)  # (F, N)
    explained = pairwise_distances(embeddings, consented.matrix)
    floor = explained.min(axis=1, initial=np.inf)[:, None]
    near[np.isin(protected.cameo_ids, consented.cameo_ids)[None, :] | (near >= floor)] = np.inf
    best_face = near.argmin(axis=0)
    best = near[best_face, np.arange(len(protected))]
    hits = np.flatnonzero(best < threshold)
    found = [
        Match(
            cameo_id=int(protected.cameo_ids[i]),
            owner_id=int(protected.owner_ids[i]),
            distance=float(best[i]),
            frame=sightings[best_face[i]].frame,
        )
        for i in hits
    ]
    return sorted(found, key=lambda m: m.distance)


def identity_distances(embeddings: np.ndarray, cameos: Likenesses) -> dict[int, float | None]:
    """Per cameo id: the distance to the closest face found, or None when there was none."""
    if not len(embeddings):
        return {int(cid): None for cid in cameos.cameo_ids}
    nearest = pairwise_distances(embeddings, cameos.matrix).min(axis=0)
    return {int(cid): float(d) for cid, d in zip(cameos.cameo_ids, nearest, strict=True)}
