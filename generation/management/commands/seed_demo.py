from __future__ import annotations

import datetime as dt
import io
import random
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import django_rq
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from PIL import Image
from redis.exceptions import RedisError

from accounts.models import User
from cameo import liveness, synthetic
from cameo.models import Cameo
from cameo.services.consent import cameo_mark_verified, cameo_settings_update
from feed.models import Post
from feed.seeding import POSTS_PER_PERSON, scale_posts_count, seed_scale, templates_from
from feed.services.posts import post_publish
from generation.models import GenerationJob
from generation.services import generation_request
from generation.worker import VideoWorker

if TYPE_CHECKING:
    import numpy as np

    from cameo.liveness import VerifyResult

DEMO: dict[str, list[tuple[str, str, int]]] = {
    "maya": [
        ("a golden retriever running on the beach at sunset, slow zoom in", "9:16", 7),
        ("fireflies in a misty forest at dusk", "9:16", 21),
    ],
    "leo": [
        ("a neon city at night in the rain, camera pans left", "9:16", 3),
        ("an astronaut floating among the stars in deep space", "9:16", 42),
    ],
    "sam": [
        ('confetti on a stage, dancers spinning, caption "we did it!"', "9:16", 11),
        ("snowy mountains in the morning, birds flying over", "9:16", 5),
    ],
}

# Demo people with a cameo: display name, the cameo.synthetic GAN seed of their (synthetic,
# nobody's) face, and who may use it. "everyone" lets any visitor try a cameo straight away.
DEMO_CAMEOS: dict[str, tuple[str, int, str]] = {
    "mira": ("Mira", 182, Cameo.Permission.EVERYONE),
    "theo": ("Theo", 41, Cameo.Permission.APPROVED),
    "juno": ("Juno", 83, Cameo.Permission.MUTUALS),
}


def demo_user(username: str) -> User:
    """The demo person, created on first use; nobody can log in as them."""
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"email": f"{username}@demo.invalid", "birthdate": dt.date(1995, 5, 17)},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def demo_cameos_missing() -> list[str]:
    """The demo people who have no verified cameo yet."""
    verified = Cameo.objects.filter(state=Cameo.State.VERIFIED, owner__username__in=DEMO_CAMEOS)
    done = set(verified.values_list("owner__username", flat=True))
    return [username for username in DEMO_CAMEOS if username not in done]


def seed_demo_cameos() -> tuple[list[Cameo], list[str]]:
    """Verify a cameo for each demo person who lacks one: (the new cameos, failure sentences).

    Each likeness goes through the real liveness check: a synthetic clip of their GAN face
    following a challenge (fixed per person, so the demo is the same everywhere) is written as
    an MP4, read back with ``read_clip`` and judged by ``verify_clip``, and what it measured is
    stored as an upload's would be. About 2 s of CPU a person, plus 1 s to load the GAN.
    """
    made, failures = [], []
    for username in demo_cameos_missing():
        result = _verify_demo_clip(username)
        if not result.ok:
            failures.append(f"The demo cameo of @{username} was not verified: {result.reason}")
            continue
        made.append(_store_demo_cameo(username, result))
    return made, failures


def _verify_demo_clip(username: str) -> VerifyResult:

    challenge = liveness.new_challenge(random.Random(username))
    frames = synthetic.gan_turning_frames(DEMO_CAMEOS[username][1], challenge)
    with tempfile.TemporaryDirectory() as folder:
        clip = liveness.read_clip(synthetic.write_clip(frames, Path(folder) / "clip.mp4"))
    return liveness.verify_clip(clip.frames, clip.duration_s, challenge)


@transaction.atomic
def _store_demo_cameo(username: str, result: VerifyResult) -> Cameo:
    display_name, _, permission = DEMO_CAMEOS[username]
    owner = demo_user(username)
    cameo_mark_verified(
        owner=owner,
        display_name=display_name,
        embedding=[float(x) for x in result.mean_embedding],
        thumbnail=_jpeg(result.thumbnail),
        references=[_jpeg(crop) for crop in result.reference_frames],
    )
    return cameo_settings_update(owner=owner, permission=permission)


def _jpeg(image: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(image).save(out, format="JPEG", quality=90)
    return out.getvalue()


class Command(BaseCommand):
    help = (
        "Create a few demo people and publish their videos, rendered through the real queue and "
        "pipeline, and verify cameos for a few more from synthetic clips. Does nothing when the "
        "demo is already there."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            type=int,
            default=0,
            metavar="N",
            help="Also make N posts across N/10 people for load tests, reusing the demo's "
            "rendered files. Tops up to N; does nothing when they are there.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["scale"] < 0:
            raise CommandError("--scale is a number of posts: 0 or more.")
        # Cameos first: they need no queue, and an install seeded before they existed gets them.
        seeded_cameos = self._seed_cameos()
        if self._already_seeded():
            if not seeded_cameos and not options["scale"]:
                self.stdout.write("Demo data already present; nothing to do.")
        else:
            self._check_queue()
            jobs = self._submit()
            self._render(jobs)
            published = self._publish(jobs)
            self.stdout.write(self.style.SUCCESS(f"Seeded {published} demo videos."))
        if options["scale"]:
            self._seed_scale(options["scale"])

    def _seed_scale(self, posts: int) -> None:
        if scale_posts_count() >= posts:
            self.stdout.write(f"{posts:,} volume posts already present; nothing to do.")
            return
        demo = list(Post.objects.filter(author__username__in=DEMO).select_related("job"))
        if not demo:
            raise CommandError(
                "--scale reuses the demo's rendered videos, and none were published. "
                "Fix the errors above and run seed_demo again."
            )
        started = time.monotonic()
        people = -(-posts // POSTS_PER_PERSON)
        self.stdout.write(f"Making {posts:,} posts across {people:,} people …")
        made = seed_scale(posts=posts, templates=templates_from(demo), say=self.stdout.write)
        seconds = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Seeded {made:,} volume posts in {seconds:.1f} s."))

    def _seed_cameos(self) -> bool:
        missing = len(demo_cameos_missing())
        if not missing:
            return False
        self.stdout.write(f"Verifying {missing} demo cameo(s) from synthetic clips …")
        made, failures = seed_demo_cameos()
        for failure in failures:
            self.stderr.write(failure)
        if made:
            who = ", ".join(f"@{c.owner.username} ({c.get_permission_display()})" for c in made)
            self.stdout.write(self.style.SUCCESS(f"Seeded {len(made)} demo cameos: {who}."))
        return True

    def _already_seeded(self) -> bool:
        wanted = sum(len(prompts) for prompts in DEMO.values())
        return Post.objects.filter(author__username__in=DEMO).count() >= wanted

    def _check_queue(self) -> None:
        try:
            django_rq.get_connection("video").ping()
        except RedisError as exc:
            raise CommandError(
                f"seed_demo renders through the queue, which is unreachable ({exc}). "
                "Start it with ./run, or set REDIS_URL."
            ) from exc

    @transaction.atomic
    def _submit(self) -> list[GenerationJob]:
        jobs = []
        for username, prompts in DEMO.items():
            user = demo_user(username)
            for prompt, aspect, seed in prompts:
                existing = GenerationJob.objects.filter(creator=user, prompt=prompt).first()
                jobs.append(
                    existing
                    or generation_request(
                        user=user, prompt=prompt, duration_s=4, aspect=aspect, seed=seed
                    )
                )
        return jobs

    def _render(self, jobs: list[GenerationJob]) -> None:
        """Render the demo jobs here, and wait for any that a running worker took.

        Under ./run a video worker is already serving the queue, so it may claim some demo jobs
        while this command's own worker drains the rest. This worker stops once the queue is
        empty, which can be while the other is still rendering, so the jobs themselves decide
        when rendering is over: each must end, or stop making progress for SORA_STALE_AFTER.
        """

        unfinished = self._unfinished(jobs)
        self.stdout.write(f"Rendering {len(unfinished)} demo video(s) …")
        self._drain_queue(always=True)
        waited, seen, changed_at = False, None, time.monotonic()
        while unfinished := self._unfinished(jobs):
            if unfinished != seen:
                seen, changed_at = unfinished, time.monotonic()
            elif time.monotonic() - changed_at > settings.SORA_STALE_AFTER:
                return
            if not waited:
                waited = True
                self.stdout.write(
                    f"Waiting for {len(unfinished)} demo video(s) another worker is rendering …"
                )
            # A job released from pending after this worker stopped is rendered here too.
            self._drain_queue()
            time.sleep(0.5)

    def _unfinished(self, jobs: list[GenerationJob]) -> set[tuple[int, str, int, str]]:
        """The demo jobs not yet ended, with what shows their progress."""
        rows = GenerationJob.objects.filter(pk__in=[job.pk for job in jobs]).exclude(
            status__in=GenerationJob.TERMINAL
        )
        return set(rows.values_list("pk", "status", "progress", "stage"))

    def _drain_queue(self, *, always: bool = False) -> None:
        """Run a burst worker; its start-up also puts back jobs whose worker died."""

        queue = django_rq.get_queue("video")
        if always or queue.count:
            VideoWorker([queue], connection=queue.connection).work(
                burst=True, logging_level="WARNING"
            )

    def _publish(self, jobs: list[GenerationJob]) -> int:
        count = 0
        for job in jobs:
            job.refresh_from_db()
            if not job.is_terminal:
                self.stderr.write(
                    f"Demo job {job.pk} is still {job.get_status_display().lower()}; run "
                    "seed_demo again once it has finished to publish it."
                )
                continue
            if job.status != GenerationJob.Status.SUCCEEDED:
                self.stderr.write(f"Demo job {job.pk} ended {job.status}: {job.error}")
                continue
            if not Post.objects.filter(job=job).exists():
                post_publish(user=job.creator, job_id=job.pk)
            count += 1
        return count
