"""Recovery of interrupted renders: ``requeue_stuck`` finds jobs whose worker died or whose queue
entry was lost, and puts them back."""

from __future__ import annotations

import datetime as dt
import logging
import socket
from dataclasses import dataclass

import django_rq
from django.conf import settings
from django.utils import timezone
from redis.exceptions import RedisError
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from generation.models import GenerationJob
from generation.services.request import generation_enqueue, generation_release_pending
from generation.services.takedown import stopped_stage
from generation.workdirs import pid_alive

log = logging.getLogger(__name__)
Status = GenerationJob.Status


@dataclass
class RequeueReport:
    requeued: int = 0
    failed: int = 0
    cancelled: int = 0
    enqueued: int = 0
    unreachable: int = 0


def _worker_gone(job: GenerationJob, stale_after: int) -> bool:
    """A running job's worker is gone if its process died here, or it stopped writing."""
    if job.worker_host == socket.gethostname() and not pid_alive(job.worker_pid):
        return True
    last = job.heartbeat_at or job.started_at
    return last is None or timezone.now() - last > dt.timedelta(seconds=stale_after)


def _recover_running(job: GenerationJob, report: RequeueReport) -> None:
    mine = GenerationJob.objects.filter(pk=job.pk, status=Status.RUNNING, attempts=job.attempts)
    now = timezone.now()
    if job.cancel_requested:
        report.cancelled += mine.update(
            status=Status.CANCELLED, stage=stopped_stage(job), finished_at=now
        )
    elif job.attempts >= settings.SORA_MAX_ATTEMPTS:
        report.failed += mine.update(
            status=Status.FAILED,
            stage="Failed",
            finished_at=now,
            error=(
                f"The render was interrupted {job.attempts} times because a worker stopped "
                "mid-render, so it has been stopped. Please submit the prompt again."
            ),
        )
    elif mine.update(
        status=Status.QUEUED,
        stage="Waiting to retry after an interrupted render",
        progress=0,
        enqueued_at=None,
        worker_name="",
        worker_host="",
        worker_pid=None,
    ):
        report.requeued += 1


def _missing_from_queue(job: GenerationJob) -> bool:
    if job.enqueued_at is None or job.engine not in settings.RQ_QUEUES:
        return True
    try:
        connection = django_rq.get_connection(job.engine)
        status = Job.fetch(job.rq_job_id, connection=connection).get_status()
    except NoSuchJobError:
        return True
    return status not in (JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED)


def generation_requeue_stuck(*, stale_after: int | None = None) -> RequeueReport:
    """Put back renders whose worker died (or fail them after SORA_MAX_ATTEMPTS tries), and
    enqueue queued jobs that never reached the queue."""
    stale_after = settings.SORA_STALE_AFTER if stale_after is None else stale_after
    report = RequeueReport()
    for job in GenerationJob.objects.filter(status=Status.RUNNING):
        if _worker_gone(job, stale_after):
            _recover_running(job, report)
    for job in GenerationJob.objects.filter(status=Status.QUEUED).order_by("created_at"):
        try:
            missing = _missing_from_queue(job)
        except RedisError:
            missing = True
        if not missing:
            continue
        if generation_enqueue(job_id=job.pk):
            report.enqueued += 1
        else:
            report.unreachable += 1
    waiting = GenerationJob.objects.filter(status=Status.PENDING)
    for user_id in set(waiting.values_list("creator_id", flat=True)):
        generation_release_pending(user_id=user_id)
    return report


# --- Rendering (runs in a worker) ---------------------------------------------------------------
