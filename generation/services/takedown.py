"""Taking videos down: the one rule every path uses.

A moderator's removal, a cameo owner withdrawing consent (revoking a grant, lowering who may use
the cameo, declining or removing one video, deleting the cameo), a block and a deleted account
all call ``generation_takedown``. The worker checks the same mark when it claims a job and again
before it stores one (``services.render.generation_render``), so a video taken down while it waits
or renders never reaches storage.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.services.users import notify
from generation.models import GenerationJob
from generation.services.request import generation_dequeue, generation_release_pending
from sora_site import storage
from sora_site.queue import enqueue_default

Status = GenerationJob.Status
REASON_LIMIT = GenerationJob._meta.get_field("takedown_reason").max_length
WAITING = (Status.QUEUED, Status.PENDING)
TAKEN_DOWN_STAGE = "Taken down"


def stopped_stage(job: GenerationJob) -> str:
    """The stage a stopped job shows: taken down by someone else, or cancelled by its creator."""
    return TAKEN_DOWN_STAGE if job.taken_down_at is not None else "Cancelled"


@dataclass(frozen=True)
class Takedown:
    """The jobs this call took down (any already down are left as they were), and when."""

    job_ids: list[int]
    at: dt.datetime


@transaction.atomic
def generation_takedown(*, job_ids: Iterable[int], reason: str, notice: str | None) -> Takedown:
    """Take videos down, whatever state they are in.

    Every job is marked down, which takes it and its post off every page at once. A job still
    waiting ends cancelled and leaves the queue; a render in progress stops at its next frame
    batch and stores nothing; stored files are deleted by a job on the ``default`` queue once
    this commits. ``reason`` is what the job page shows after "This video was taken down.";
    ``notice`` is the notification each creator gets for each video, or None when the caller
    tells them itself (a cameo owner's takedown sends one notice per action) or no one is to be
    told (their own account is going). The caller writes its audit row in the same transaction.
    """
    now = timezone.now()
    rows = GenerationJob.objects.select_for_update().filter(
        pk__in=list(job_ids), taken_down_at__isnull=True
    )
    jobs = list(rows.order_by("pk").values_list("pk", "creator_id"))
    if not jobs:
        return Takedown(job_ids=[], at=now)
    ids = [pk for pk, _ in jobs]
    GenerationJob.objects.filter(pk__in=ids).update(
        taken_down_at=now, takedown_reason=reason[:REASON_LIMIT]
    )
    _stop_renders(ids, now)
    if notice is not None:
        for pk, creator_id in jobs:
            notify(
                recipient_id=creator_id, kind="taken_down", text=notice,
                url=reverse("generation:job", args=[pk]),
            )  # fmt: skip
    transaction.on_commit(lambda: enqueue_default("generation.jobs.delete_taken_down_files", ids))
    return Takedown(job_ids=ids, at=now)


def _stop_renders(ids: list[int], now: dt.datetime) -> None:
    """End waiting jobs now and ask running ones to stop; finished ones are left as they are, so
    a moderator can still restore a finished video until its files are deleted."""
    waiting = GenerationJob.objects.filter(pk__in=ids, status__in=WAITING)
    dropped = list(waiting.values_list("pk", "creator_id"))
    waiting.update(
        status=Status.CANCELLED, stage=TAKEN_DOWN_STAGE, cancel_requested=True, finished_at=now
    )
    GenerationJob.objects.filter(pk__in=ids, status=Status.RUNNING).update(cancel_requested=True)
    if not dropped:
        return
    rq_ids = [GenerationJob(pk=pk).rq_job_id for pk, _ in dropped]
    transaction.on_commit(lambda: [generation_dequeue(rq_job_id=rq_id) for rq_id in rq_ids])
    # Each cancelled job frees a place in its creator's share of the queue.
    for creator_id in {creator_id for _, creator_id in dropped}:
        generation_release_pending(user_id=creator_id)


def generation_delete_taken_down_files(*, job_ids: list[int]) -> int:
    """Delete the files of taken-down videos from storage; returns how many jobs were cleared."""
    cleared = 0
    for job in GenerationJob.objects.filter(pk__in=job_ids, taken_down_at__isnull=False):
        storage.delete_files([job.video.name, job.poster.name, job.source_image.name])
        GenerationJob.objects.filter(pk=job.pk).update(video="", poster="", source_image="")
        cleared += 1
    return cleared
