"""Volume for the feed: ``seed_demo --scale N`` makes N posts across N/10 people.

Rendering and publishing 100,000 videos one by one would take days, so the volume is written in
bulk: every post reuses one of the demo's rendered, scanned and published files (its video,
poster and keyframe hashes), and the features job's work is done once per distinct prompt and
per file instead of once per post. The rows are otherwise what ``post_publish`` and the features
job would write. Running it again tops the volume up to N and writes nothing when it is there.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth.hashers import make_password
from django.core.files.storage import default_storage
from django.db import transaction

from accounts.models import Follow, User
from feed.models import Post, PostFeatures
from feed.post_parts import embed_with_parts
from feed.services.features import (
    TextFeatures,
    blend_energy,
    text_features,
    video_motion,
)
from generation.models import GenerationJob

if TYPE_CHECKING:
    import numpy as np

SCALE_PREFIX = "scale"
POSTS_PER_PERSON = 10
FOLLOWS_PER_PERSON = 8
DISTINCT_PROMPTS = 600
BATCH = 2_000

_COUNTS = ["a", "two", "three", "a lone", "a happy", "a tiny"]
_SUBJECTS = [
    "golden retriever", "puppy", "tabby cat", "kitten", "parrot", "seagull", "dolphin", "whale",
    "red car", "robot", "rocket", "sailboat", "butterfly", "chef", "dancer", "astronaut",
    "surfer", "skier", "hot air balloon", "owl",
]  # fmt: skip
_ACTIONS = [
    "running", "walking slowly", "jumping", "dancing", "spinning", "flying", "floating",
    "waving", "racing fast", "drifting gently",
]  # fmt: skip
_PLACES = [
    "on the beach at sunset", "in a neon city at night", "in a misty forest", "among the stars",
    "over snowy mountains", "under the sea near a coral reef", "across desert dunes",
    "on a concert stage with confetti", "in a cozy kitchen baking pancakes",
    "in a sunny meadow", "in the rain", "at a birthday party",
]  # fmt: skip
_STYLES = [
    "", ", calm and peaceful", ", epic and cinematic", ", cute and playful", ", slow zoom in",
    ", handheld shake", ", dreamy pastel colours", ", wild and energetic",
]  # fmt: skip


@dataclass(frozen=True)
class Template:
    """A demo post whose files the volume reuses, and how much its video moves."""

    video: str
    poster: str
    keyframe_hashes: list[str]
    motion: float


def scale_prompts(count: int, seed: int = 7) -> list[str]:
    """``count`` distinct prompts the built-in renderer understands."""
    rng = random.Random(seed)
    prompts: list[str] = []
    seen: set[str] = set()
    while len(prompts) < count:
        prompt = (
            f"{rng.choice(_COUNTS)} {rng.choice(_SUBJECTS)} {rng.choice(_ACTIONS)} "
            f"{rng.choice(_PLACES)}{rng.choice(_STYLES)}"
        )
        if prompt not in seen:
            seen.add(prompt)
            prompts.append(prompt)
    return prompts


def scale_posts_count() -> int:
    return Post.objects.filter(author__username__startswith=f"{SCALE_PREFIX}_").count()


def templates_from(posts: list[Post]) -> list[Template]:
    """Each demo post's files, with their motion measured once."""
    made = []
    for post in posts:
        with default_storage.open(post.job.video.name, "rb") as fh:
            motion = video_motion(fh)
        made.append(
            Template(post.job.video.name, post.job.poster.name, post.keyframe_hashes, motion)
        )
    return made


def seed_scale(*, posts: int, templates: list[Template], say: Callable[[str], None] = print) -> int:
    """Top the volume up to ``posts`` posts; returns how many were made."""
    missing = posts - scale_posts_count()
    if missing <= 0:
        scale_parts_fill(say)
    if missing <= 0 or not templates:
        return 0
    started = time.monotonic()
    people = _people(max(1, -(-posts // POSTS_PER_PERSON)))
    say(f"  {len(people)} people ready ({time.monotonic() - started:.1f} s)")
    prompts = scale_prompts(min(DISTINCT_PROMPTS, missing))
    embedded, parts = embed_with_parts(prompts)
    vectors = embedded.astype("<f4")
    words = [text_features(p, v) for p, v in zip(prompts, vectors, strict=True)]
    say(f"  {len(prompts)} distinct prompts read and embedded ({time.monotonic() - started:.1f} s)")
    done = scale_posts_count()
    for start in range(0, missing, BATCH):
        size = min(BATCH, missing - start)
        _write_batch(done + start, size, people, prompts, (vectors, parts), words, templates)
        if (start // BATCH) % 10 == 9:
            say(f"  {done + start + size:,} posts ({time.monotonic() - started:.1f} s)")
    return missing


def _people(count: int) -> list[User]:
    """The volume's people, made in bulk the first time, each following a few others."""
    existing = list(User.objects.filter(username__startswith=f"{SCALE_PREFIX}_").order_by("pk"))
    if len(existing) >= count:
        return existing[:count]
    password = make_password(None)  # unusable: nobody logs in as them
    new = [
        User(
            username=f"{SCALE_PREFIX}_{i:06d}",
            email=f"{SCALE_PREFIX}_{i:06d}@demo.invalid",
            password=password,
        )
        for i in range(len(existing), count)
    ]
    with transaction.atomic():
        User.objects.bulk_create(new, batch_size=BATCH)
    people = list(User.objects.filter(username__startswith=f"{SCALE_PREFIX}_").order_by("pk"))
    _follows(people)
    return people


def _follows(people: list[User]) -> None:
    rng = random.Random(11)
    ids = [person.pk for person in people]
    rows = {
        (follower, followee)
        for follower in ids
        for followee in rng.sample(ids, min(FOLLOWS_PER_PERSON, len(ids)))
        if follower != followee
    }
    with transaction.atomic():
        Follow.objects.bulk_create(
            [Follow(follower_id=a, followee_id=b) for a, b in rows],
            batch_size=BATCH,
            ignore_conflicts=True,
        )


@transaction.atomic
def _write_batch(
    first: int,
    size: int,
    people: list[User],
    prompts: list[str],
    vectors: tuple[np.ndarray, list[bytes]],
    words: list[TextFeatures],
    templates: list[Template],
) -> None:
    numbers = range(first, first + size)
    jobs = GenerationJob.objects.bulk_create(
        [
            GenerationJob(
                creator=people[n // POSTS_PER_PERSON % len(people)],
                prompt=prompts[n % len(prompts)],
                duration_s=4,
                aspect="9:16",
                seed=n,
                status=GenerationJob.Status.SUCCEEDED,
                stage="Ready",
                progress=100,
                backend="builtin",
                video=templates[n % len(templates)].video,
                poster=templates[n % len(templates)].poster,
            )
            for n in numbers
        ]
    )
    posts = Post.objects.bulk_create(
        [
            Post(
                author_id=job.creator_id,
                job=job,
                keyframe_hashes=templates[n % len(templates)].keyframe_hashes,
            )
            for n, job in zip(numbers, jobs, strict=True)
        ]
    )
    PostFeatures.objects.bulk_create(
        [
            _features(n, post, vectors, words, templates)
            for n, post in zip(numbers, posts, strict=True)
        ]
    )


def _features(
    n: int,
    post: Post,
    vectors: tuple[np.ndarray, list[bytes]],
    words: list[TextFeatures],
    templates: list[Template],
) -> PostFeatures:
    template = templates[n % len(templates)]
    read = words[n % len(words)]
    return PostFeatures(
        post=post,
        embedding=vectors[0][n % len(words)].tobytes(),
        parts=vectors[1][n % len(words)],
        topics=read.topics,
        motion=template.motion,
        energy=blend_energy(motion=template.motion, wording_energy=read.wording_energy),
    )


def scale_parts_fill(say: Callable[[str], None] = print) -> int:
    """Give volume posts seeded before posts' text parts were stored their parts' vectors, once
    per distinct prompt (the features job does it for published posts)."""
    rows = PostFeatures.objects.filter(
        post__author__username__startswith=f"{SCALE_PREFIX}_", parts__isnull=True
    ).values_list("pk", "post__job__prompt")
    by_prompt: dict[str, list[int]] = {}
    for pk, prompt in rows.iterator(chunk_size=BATCH):
        by_prompt.setdefault(prompt, []).append(pk)
    if not by_prompt:
        return 0
    started = time.monotonic()
    prompts = sorted(by_prompt)
    _vectors, blobs = embed_with_parts(prompts)
    with transaction.atomic():
        for prompt, blob in zip(prompts, blobs, strict=True):
            pks = by_prompt[prompt]
            for start in range(0, len(pks), 500):
                PostFeatures.objects.filter(pk__in=pks[start : start + 500]).update(parts=blob)
    filled = sum(len(pks) for pks in by_prompt.values())
    say(f"  {filled:,} posts' text parts read ({time.monotonic() - started:.1f} s)")
    return filled
