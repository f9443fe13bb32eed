from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from feed.services.features import post_features_backfill
from feed.services.posts import post_fingerprint_backfill
from generation.services import generation_requeue_stuck


class Command(BaseCommand):
    help = (
        "Put back renders whose worker died (or fail them after SORA_MAX_ATTEMPTS tries), and "
        "enqueue jobs that were saved while the queue was unreachable, and queue fingerprints "
        "and feed features for posts published while it was down."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--stale-after",
            type=int,
            default=None,
            help="Seconds without progress after which a running job counts as stuck "
            "(default: SORA_STALE_AFTER).",
        )

    def handle(self, *args: Any, stale_after: int | None, **options: Any) -> None:
        report = generation_requeue_stuck(stale_after=stale_after)
        fingerprints = post_fingerprint_backfill()
        features = post_features_backfill()
        self.stdout.write(
            f"requeued {report.requeued}, failed {report.failed}, cancelled {report.cancelled}, "
            f"enqueued {report.enqueued}, fingerprints queued {fingerprints}, "
            f"feed features queued {features}"
        )
        if report.unreachable:
            self.stderr.write(
                f"{report.unreachable} job(s) could not be queued: the queue is unreachable. "
                "They stay saved; run this again once Valkey/Redis is back."
            )
