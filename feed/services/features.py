"""What the feed knows about each post, computed once by a ``default``-queue job after publishing.

A feed request never embeds text or decodes video: it reads these rows (through the candidate
pool in ``feed.pool``). Topics come from the post text's MiniLM vector against the feed's own
topic list (``feed.topics``), and the wording's energy from a short list of motion and mood
words kept here, so nothing the feed stores depends on a renderer's vocabulary.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

import av
import numpy as np
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q

from feed.models import Post, PostFeatures
from feed.post_parts import embed_with_parts
from feed.topics import post_topics
from sora_site.queue import enqueue_default

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


def _energies(table: dict[float, str]) -> dict[str, float]:
    return {word: energy for energy, words in table.items() for word in words.split()}


# How fast things move when a prompt names the motion. Written out in full (no stemming), so
# "race" and "racing" count and "runway" doesn't.
ACTION_ENERGY = _energies(
    {
        0.1: "sleep sleeps sleeping asleep napping resting rests lying",
        0.2: "float floats floating drift drifts drifting glide glides gliding hovering",
        0.35: "sit sits sitting stroll strolls strolling reading painting",
        0.4: "walk walks walking wave waves waving swim swims swimming cooking baking",
        0.55: "fly flies flying soaring play plays playing skating",
        0.6: "spin spins spinning twirling surf surfs surfing skiing riding",
        0.7: "jump jumps jumping leap leaps leaping bounce bouncing climbing",
        0.8: "run runs running runner race races racing chase chasing sprint sprinting "
        "dance dances dancing dancer dancers fight fighting",
    }
)
MOOD_ENERGY = _energies(
    {
        0.15: "sad lonely melancholy gloomy crying tears",
        0.25: "calm peaceful serene relaxing quiet tranquil lazy cozy",
        0.35: "mysterious mystical foggy misty eerie spooky romantic love tender dreamy",
        0.6: "happy joyful cheerful fun sunny cute playful funny",
        0.8: "dramatic epic cinematic intense stormy heroic",
        0.9: "energetic wild crazy hyper frantic chaotic party",
    }
)
NEUTRAL_ENERGY = 0.5
SLOWER_WORDS = frozenset(("slow", "slowly", "gentle", "gently", "lazily", "calmly", "softly"))
FASTER_WORDS = frozenset(
    ("fast", "quick", "quickly", "rapid", "rapidly", "speed", "speeding", "hyperlapse")
)


@dataclass(frozen=True)
class TextFeatures:
    """What the words of a post say: its topics and how energetic they sound (0..1)."""

    topics: list[str]
    wording_energy: float


def post_text(post: Post) -> str:
    """The text a post is embedded from: its prompt, then its caption when it has one."""
    caption = post.caption.strip()
    return f"{post.job.prompt}. {caption}" if caption else post.job.prompt


def text_features(text: str, vector: np.ndarray) -> TextFeatures:
    """Topics from the text's unit MiniLM ``vector``; energy from its words."""
    return TextFeatures(topics=post_topics(vector), wording_energy=wording_energy(text))


def wording_energy(text: str) -> float:
    """How energetic the words sound (0.05 calm .. 1 wild).

    The first motion word sets the pace (0.5 when there is none), the first mood word pulls it
    halfway toward its own, and "slowly" or "fast" move it by a quarter.
    """
    words = _WORD_RE.findall(text.lower())
    energy = next((ACTION_ENERGY[w] for w in words if w in ACTION_ENERGY), NEUTRAL_ENERGY)
    mood = next((MOOD_ENERGY[w] for w in words if w in MOOD_ENERGY), None)
    if mood is not None:
        energy = (energy + mood) / 2
    present = set(words)
    if present & SLOWER_WORDS:
        energy -= 0.25
    if present & FASTER_WORDS:
        energy += 0.25
    return round(min(1.0, max(0.05, energy)), 2)


def video_motion(source: str | IO[bytes], samples: int = MOTION_SAMPLES) -> float:
    """Mean absolute difference (0..1) between evenly spaced grey frames of the video."""
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


def post_features_update(*, post_id: int) -> PostFeatures | None:
    """Compute and store a post's embedding (and its text parts'), topics, motion and energy.

    The work (MiniLM, decoding the video) happens before the write transaction opens, so the
    database is locked only for the final upsert. Returns None when the post is gone.
    """
    post = Post.objects.select_related("job").filter(pk=post_id).first()
    if post is None:
        logger.info("Post %s was deleted before its features were computed.", post_id)
        return None
    text = post_text(post)
    vectors, parts = embed_with_parts([text])
    vector = vectors[0]
    words = text_features(text, vector)
    motion = _stored_video_motion(post.job.video.name)
    if motion is None:
        energy = round(words.wording_energy, 3)
    else:
        energy = blend_energy(motion=motion, wording_energy=words.wording_energy)
    return _features_store(
        post_id=post.pk,
        embedding=vector.astype("<f4").tobytes(),
        parts=parts[0],
        topics=words.topics,
        motion=motion or 0.0,
        energy=energy,
    )


def _stored_video_motion(name: str) -> float | None:
    """Motion of a stored video, or None when its file is gone or unreadable (a takedown
    deletes files): the words alone then set the energy."""
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
    *,
    post_id: int,
    embedding: bytes,
    parts: bytes,
    topics: list[str],
    motion: float,
    energy: float,
) -> PostFeatures | None:
    if not Post.objects.filter(pk=post_id).exists():
        return None
    features, _ = PostFeatures.objects.update_or_create(
        post_id=post_id,
        defaults={
            "embedding": embedding,
            "parts": parts,
            "topics": topics,
            "motion": motion,
            "energy": energy,
        },
    )
    return features


def post_features_backfill() -> int:
    """Queue the features job for posts published while the queue was unreachable, and for
    posts whose features were computed before their text's parts were stored."""
    unread = Q(features__isnull=True) | Q(features__parts__isnull=True)
    missing = list(Post.objects.filter(unread).values_list("pk", flat=True))
    for post_id in missing:
        enqueue_default("feed.jobs.post_features", post_id)
    return len(missing)
