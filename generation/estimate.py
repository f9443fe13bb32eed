"""When a queued video will be ready, from the jobs actually ahead of it.

Each render worker takes the next job when it is free, so the wait is a small schedule: the
jobs rendering now finish first (what is left of their predicted time), then each job ahead
goes to the worker that frees up first, then this one. A job's time is predicted from recent
finished renders as a fixed part (start-up, encode, scan, signing) plus a part per second of
video, so a 4 s clip behind two 12 s clips waits for both of them in full.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import django_rq
from django.utils import timezone
from redis.exceptions import RedisError
from rq.worker import Worker

from generation.engines import BUILTIN_QUEUE
from generation.models import GenerationJob

# Finished renders the speed is measured from; recent ones say most about this machine now.
HISTORY = 20
# Past this many seconds the estimate is said in minutes.
MINUTES_FROM = 90


@dataclass(frozen=True)
class RenderSpeed:
    """Predicted wall seconds for a clip: ``fixed + per_second * duration``."""

    fixed: float
    per_second: float

    def seconds_for(self, duration_s: float) -> float:
        return self.fixed + self.per_second * duration_s


@dataclass(frozen=True)
class Running:
    """A job a worker is rendering now."""

    duration_s: int
    elapsed: float  # seconds since a worker claimed it
    progress: int  # percent


@dataclass(frozen=True)
class QueueEstimate:
    position: int  # 1 = next to start
    eta_seconds: int | None  # until the video is ready; None without render history

    @property
    def text(self) -> str:
        """Like "about 40 s", or "about 3 min" when it is long; empty without an estimate."""
        if self.eta_seconds is None:
            return ""
        return f"about {say_seconds(self.eta_seconds)}"


def say_seconds(seconds: float) -> str:
    if seconds > MINUTES_FROM:
        return f"{round(seconds / 60)} min"
    return f"{max(1, math.ceil(seconds))} s"


def fit_speed(samples: Sequence[tuple[float, float]]) -> RenderSpeed | None:
    """Least-squares ``seconds = fixed + per_second * duration`` over (duration, seconds) pairs.

    With one clip length there is nothing to split the two parts by, so all the time is taken
    as per second of video; a fit that comes out negative is treated the same way.
    """
    points = [(float(d), float(s)) for d, s in samples if d > 0 and s > 0]
    if not points:
        return None
    ratio = sum(s / d for d, s in points) / len(points)
    mean_d = sum(d for d, _ in points) / len(points)
    mean_s = sum(s for _, s in points) / len(points)
    spread = sum((d - mean_d) ** 2 for d, _ in points)
    if spread == 0:
        return RenderSpeed(fixed=0.0, per_second=ratio)
    slope = sum((d - mean_d) * (s - mean_s) for d, s in points) / spread
    fixed = mean_s - slope * mean_d
    if slope <= 0 or fixed < 0:
        return RenderSpeed(fixed=0.0, per_second=ratio)
    return RenderSpeed(fixed=fixed, per_second=slope)


def measured_speed() -> RenderSpeed | None:
    """The render speed of recent finished jobs, or None before the first one."""
    recent = (
        GenerationJob.objects.filter(
            status=GenerationJob.Status.SUCCEEDED, render_seconds__gt=0, engine=BUILTIN_QUEUE
        )
        .order_by("-finished_at")
        .values_list("duration_s", "render_seconds")[:HISTORY]
    )
    return fit_speed(list(recent))


def remaining_seconds(job: Running, speed: RenderSpeed) -> float:
    """What is left of a running job: its predicted time less the time it has had.

    A job that has overrun its prediction is judged by its progress instead.
    """
    left = speed.seconds_for(job.duration_s) - job.elapsed
    if left > 0:
        return left
    if 0 < job.progress < 100:
        return job.elapsed * (100 - job.progress) / job.progress
    return 0.0


def ready_in(
    *,
    duration_s: int,
    ahead: Sequence[int],
    running: Sequence[Running],
    workers: int,
    speed: RenderSpeed,
) -> float:
    """Seconds until a job of ``duration_s`` is done, behind ``ahead`` (clip lengths, in order)
    and the ``running`` jobs, with ``workers`` render workers taking jobs as they free up."""
    workers = max(1, workers, len(running))
    free_at = sorted(remaining_seconds(job, speed) for job in running)
    free_at += [0.0] * (workers - len(free_at))
    heapq.heapify(free_at)
    for length in ahead:
        heapq.heappush(free_at, heapq.heappop(free_at) + speed.seconds_for(length))
    return heapq.heappop(free_at) + speed.seconds_for(duration_s)


def running_jobs(now: datetime | None = None) -> list[Running]:
    now = now or timezone.now()
    rows = GenerationJob.objects.filter(
        status=GenerationJob.Status.RUNNING, engine=BUILTIN_QUEUE
    ).values_list("duration_s", "started_at", "progress")
    return [
        Running(
            duration_s=duration,
            elapsed=max(0.0, (now - started).total_seconds()) if started else 0.0,
            progress=progress,
        )
        for duration, started, progress in rows
    ]


def queue_estimate(*, job: GenerationJob) -> QueueEstimate | None:
    """Where a queued job stands on its engine's queue, and when it will be ready.

    The render speed is measured on the built-in renderer's jobs, so a model's job gets its
    place in line but no time: a guess from another engine's speed would mislead.
    """
    if job.status != GenerationJob.Status.QUEUED or job.enqueued_at is None:
        return None
    try:
        queue = django_rq.get_queue(job.engine)
        ids = queue.get_job_ids()
        workers = Worker.count(queue=queue)
    except RedisError:
        return None
    if job.rq_job_id not in ids:
        return None
    ahead_ids = [rq_id.removeprefix("gen-") for rq_id in ids[: ids.index(job.rq_job_id)]]
    ahead = _durations([int(pk) for pk in ahead_ids if pk.isdigit()])
    speed = measured_speed() if job.engine == BUILTIN_QUEUE else None
    if speed is None:
        return QueueEstimate(position=len(ahead) + 1, eta_seconds=None)
    # With no worker up yet, ready_in promises what one worker will do once it starts.
    seconds = ready_in(
        duration_s=job.duration_s,
        ahead=ahead,
        running=running_jobs(),
        workers=workers,
        speed=speed,
    )
    return QueueEstimate(position=len(ahead) + 1, eta_seconds=math.ceil(seconds))


def _durations(job_ids: list[int]) -> list[int]:
    """Clip lengths of the jobs with these ids that are still waiting, in the same order."""
    lengths = dict(
        GenerationJob.objects.filter(
            pk__in=job_ids, status=GenerationJob.Status.QUEUED
        ).values_list("pk", "duration_s")
    )
    return [lengths[pk] for pk in job_ids if pk in lengths]
