from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from feed.models import Post
from feed.services import post_publish
from generation.models import GenerationJob
from generation.services import generation_request

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


class Command(BaseCommand):
    help = (
        "Create a few demo people and publish their videos, rendered through the real queue and "
        "pipeline. Does nothing when the demo is already there."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if self._already_seeded():
            self.stdout.write("Demo data already present; nothing to do.")
            return
        self._check_queue()
        jobs = self._submit()
        self._render()
        published = self._publish(jobs)
        self.stdout.write(self.style.SUCCESS(f"Seeded {published} demo videos."))

    def _already_seeded(self) -> bool:
        wanted = sum(len(prompts) for prompts in DEMO.values())
        return Post.objects.filter(author__username__in=DEMO).count() >= wanted

    def _check_queue(self) -> None:
        import django_rq
        from redis.exceptions import RedisError

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
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"email": f"{username}@demo.invalid", "birthdate": dt.date(1995, 5, 17)},
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            for prompt, aspect, seed in prompts:
                existing = GenerationJob.objects.filter(creator=user, prompt=prompt).first()
                jobs.append(
                    existing
                    or generation_request(
                        user=user, prompt=prompt, duration_s=4, aspect=aspect, seed=seed
                    )
                )
        return jobs

    def _render(self) -> None:
        import django_rq

        from generation.worker import VideoWorker

        queue = django_rq.get_queue("video")
        self.stdout.write(f"Rendering {queue.count} demo video(s) …")
        VideoWorker([queue], connection=queue.connection).work(burst=True, logging_level="WARNING")

    def _publish(self, jobs: list[GenerationJob]) -> int:
        count = 0
        for job in jobs:
            job.refresh_from_db()
            if job.status != GenerationJob.Status.SUCCEEDED:
                self.stderr.write(f"Demo job {job.pk} ended {job.status}: {job.error}")
                continue
            if not Post.objects.filter(job=job).exists():
                post_publish(user=job.creator, job_id=job.pk)
            count += 1
        return count
