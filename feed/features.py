"""What the feed knows about each post, computed once by a ``default``-queue job after publishing.

A feed request never embeds text or decodes video: it reads these rows (through the candidate
pool in ``feed.pool``). Topics and the wording's energy come from the built-in renderer's scene
planner and its vocabulary, so "calm", "dog" or "kitchen" mean the same thing to the renderer
and to the feed.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from django.db import transaction

from feed.models import Post, PostFeatures

if TYPE_CHECKING:
    import numpy as np

logger = logging.getLogger(__name__)

# Frames compared for motion: enough to see the movement of a 4-12 s clip, few enough to decode
# in well under a second.
MOTION_SAMPLES = 16
# The mean absolute difference (0..1) between sampled frames at which motion reads as about
# 0.63 energy. Measured on the built-in renderer: a misty forest or snowy mountains move
# 0.005-0.008, a beach run or neon city 0.012-0.015, a handheld party 0.045.
MOTION_SCALE = 0.02
# How much of a post's energy comes from what moves on screen; the rest comes from the words.
MOTION_SHARE = 0.5
_WORD_RE = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class TextFeatures:
    """What the words of a post say: its topics and how energetic they sound (0..1)."""

    topics: list[str]
    wording_energy: float


def post_text(post: Post) -> str:
    """The text a post is embedded from: its prompt, then its caption when it has one."""
    caption = post.caption.strip()
    return f"{post.job.prompt}. {caption}" if caption else post.job.prompt


def text_features(text: str) -> TextFeatures:
    """Read topics and wording energy through the scene planner.

    The planner fills in a default scene for prompts that name none ("a meadow with a dog"), so
    only concepts the text itself names (or that MiniLM read a word as) count as topics.
    """
    from generation.pipeline import scene_vocab as vocab
    from generation.pipeline.scene import plan_scene

    plan = plan_scene(text)
    named = " " + " ".join(_WORD_RE.findall(text.lower())) + " "
    interpreted = {concept for _, concept in plan.interpreted}

    def says(concept: str, words: tuple[str, ...]) -> bool:
        return concept in interpreted or any(f" {word} " in named for word in words)

    candidates = [
        (plan.setting, vocab.SETTINGS.get(plan.setting, ())),
        *((subject, vocab.SUBJECTS.get(subject, ())) for subject in plan.subjects),
        (plan.weather, vocab.WEATHER.get(plan.weather, ())),
        (plan.mood, vocab.MOODS.get(plan.mood, (0.0, ()))[1]),
    ]
    topics: list[str] = []
    for concept, words in candidates:
        if concept not in topics and says(concept, words):
            topics.append(concept)
    return TextFeatures(topics=topics, wording_energy=float(plan.energy))


def video_motion(source: str | IO[bytes], samples: int = MOTION_SAMPLES) -> float:
    """Mean absolute difference (0..1) between evenly spaced grey frames of the video."""
    import av
    import numpy as np

    frames: list[np.ndarray] = []
    with av.open(source) as container:
        stream = container.streams.video[0]
        step = max(1, (stream.frames or samples * 6) // samples)
        for index, frame in enumerate(container.decode(video=0)):
            if index % step == 0:
                # A quarter of the resolution is plenty to see movement and 16x cheaper.
                frames.append(frame.to_ndarray(format="gray")[::4, ::4].astype(np.float32))
    if len(frames) < 2:
        return 0.0
    return float(np.abs(np.diff(np.stack(frames), axis=0)).mean() / 255.0)


def blend_energy(*, motion: float, wording_energy: float) -> float:
    """Energy (0 calm .. 1 energetic) from on-screen motion blended with the prompt's words."""
    motion_energy = 1.0 - math.exp(-max(0.0, motion) / MOTION_SCALE)
    energy = MOTION_SHARE * motion_energy + (1.0 - MOTION_SHARE) * wording_energy
    return round(min(1.0, max(0.0, energy)), 3)


def embed_posts(texts: list[str]) -> np.ndarray:
    from sora_site.embeddings import embed_texts

    return embed_texts(texts)


def post_features_update(*, post_id: int) -> PostFeatures | None:
    """Compute and store a post's embedding, topics, motion and energy.

    The work (MiniLM, decoding the video) happens before the write transaction opens, so the
    database is locked only for the final upsert. Returns None when the post is gone.
    """
    post = Post.objects.select_related("job").filter(pk=post_id).first()
    if post is None:
        logger.info("Post %s was deleted before its features were computed.", post_id)
        return None
    text = post_text(post)
    words = text_features(text)
    vector = embed_posts([text])[0]
    motion = _stored_video_motion(post.job.video.name)
    if motion is None:
        energy = round(words.wording_energy, 3)
    else:
        energy = blend_energy(motion=motion, wording_energy=words.wording_energy)
    return _features_store(
        post_id=post.pk,
        embedding=vector.astype("<f4").tobytes(),
        topics=words.topics,
        motion=motion or 0.0,
        energy=energy,
    )


def _stored_video_motion(name: str) -> float | None:
    """Motion of a stored video, or None when its file is gone or unreadable (a takedown
    deletes files): the words alone then set the energy."""
    import av
    from django.core.files.storage import default_storage

    if not name:
        return None
    try:
        with default_storage.open(name, "rb") as fh:
            return video_motion(fh)
    except (OSError, av.error.FFmpegError, IndexError) as exc:
        logger.warning("Could not read the video %s for its motion: %s", name, exc)
        return None


@transaction.atomic
def _features_store(
    *, post_id: int, embedding: bytes, topics: list[str], motion: float, energy: float
) -> PostFeatures | None:
    if not Post.objects.filter(pk=post_id).exists():
        return None
    features, _ = PostFeatures.objects.update_or_create(
        post_id=post_id,
        defaults={"embedding": embedding, "topics": topics, "motion": motion, "energy": energy},
    )
    return features


def post_features_backfill() -> int:
    """Queue the features job for posts published while the queue was unreachable."""
    from feed.services import _enqueue_default

    missing = list(Post.objects.filter(features__isnull=True).values_list("pk", flat=True))
    for post_id in missing:
        _enqueue_default("feed.jobs.post_features", post_id)
    return len(missing)
