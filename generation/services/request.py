"""Writes for asking for a video: submit (checked, quota-limited, fairly queued), cancel, and
the release of pending jobs as the queue frees up."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import random
from typing import TYPE_CHECKING

import django_rq
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from redis.exceptions import RedisError
from rq.exceptions import NoSuchJobError
from rq.job import Job

from accounts.models import User
from accounts.selectors.teens import teen_interaction_refusal
from accounts.services.users import require_can_write
from cameo.models import Cameo
from cameo.selectors import cameos_named_in
from cameo.services.uses import cameo_uses_record
from feed.selectors.posts import post_get_visible
from generation import engines
from generation.models import GenerationJob
from generation.pipeline.audio.lines import check_lines, spoken_lines
from generation.pipeline.base import (
    ASPECT_SIZES,
    DURATIONS,
    MAX_SEED,
    Sound,
)
from generation.selectors import job_get_for_user
from generation.source_image import (
    SourceImage,
    source_image_accept,
)
from generation.validators import clean_prompt
from safety.services.text_checks import text_check

if TYPE_CHECKING:
    from cameo.models import Cameo

log = logging.getLogger(__name__)
Status = GenerationJob.Status
# Each person may have this many jobs on each engine's shared queue at once; the rest wait as
# pending rows, so one person's twenty prompts can't starve someone else's one. It counts per
# engine so that jobs waiting for a model with no worker don't hold back built-in videos.
PER_USER_QUEUE_CAP = 2
UNAVAILABLE_MESSAGE = (
    "Rendering is unavailable right now; your request is saved and will start when it is back."
)
UNKNOWN_ENGINE_MESSAGE = (
    "That engine isn't one this site offers. Choose one of the engines listed on Create."
)


def _today_start() -> dt.datetime:
    now = timezone.localtime()
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def _check_quota(user: User) -> None:
    limit = settings.SORA_DAILY_GENERATIONS
    used = (
        GenerationJob.objects.filter(creator=user, created_at__gte=_today_start())
        .exclude(status=Status.CANCELLED, started_at__isnull=True)
        .count()
    )
    if used >= limit:
        reset = _today_start() + dt.timedelta(days=1)
        raise ValidationError(
            f"You've used all {limit} of today's generations. Your quota resets at "
            f"{reset:%H:%M} ({reset.tzname()}); drafts you already made are still here.",
            code="quota",
        )


def _check_params(*, duration_s: int, aspect: str, seed: int) -> None:
    if duration_s not in DURATIONS:
        raise ValidationError("Choose a duration of 4, 8 or 12 seconds.", code="duration")
    if aspect not in ASPECT_SIZES:
        raise ValidationError("Choose an aspect of 9:16, 16:9 or 1:1.", code="aspect")
    if not 0 <= seed <= MAX_SEED:
        raise ValidationError(f"The seed must be between 0 and {MAX_SEED}.", code="seed")


PROMPT_HOLD_REASON = (
    "Our checks weren't sure about this prompt, so a moderator will look at the video before it "
    "can be published. You can still watch your draft."
)


def generation_request(
    *,
    user: User,
    prompt: str,
    duration_s: int,
    aspect: str,
    seed: int | None = None,
    remix_of_id: int | None = None,
    cameo_ids: list[int] | tuple[int, ...] = (),
    sound: str = Sound.ON,
    engine: str = engines.BUILTIN_QUEUE,
    source_image: SourceImage | None = None,
    source_consent: bool = False,
) -> GenerationJob:
    """Check and save a prompt as a job, then put it on its engine's queue once committed.

    A person with PER_USER_QUEUE_CAP jobs already queued or rendering on that engine gets a
    pending job, released when an earlier one ends. If the queue can't be reached the job is
    still saved; ``requeue_stuck`` or a worker's start-up puts it on the queue later. A job for
    an engine no worker serves waits on its queue until one starts.
    """
    require_can_write(user)
    if not engines.is_known(engine):
        raise ValidationError(UNKNOWN_ENGINE_MESSAGE, code="engine")
    # Checked before the transaction opens: a refusal that files an automatic report must not
    # roll the report back with it.
    prompt = clean_prompt(prompt)
    moderation = text_check(text=prompt, kind="prompt", user=user)
    lines = _check_spoken_lines(user=user, prompt=prompt, duration_s=duration_s, sound=sound)
    # An uploaded first frame is checked (consent, likeness, nudity) and stored before the job.
    picture = source_image_accept(
        user=user, image=source_image, prompt=prompt, consent=source_consent
    )
    with picture.discarded_on_error():
        return _generation_create(
            user=user, prompt=prompt, duration_s=duration_s, aspect=aspect, seed=seed,
            sound=sound, remix_of_id=remix_of_id, cameo_ids=[*cameo_ids, *picture.cameo_ids],
            held="hold" in (moderation, lines), engine=engine, source=picture.job_fields,
        )  # fmt: skip


def _check_spoken_lines(*, user: User, prompt: str, duration_s: int, sound: str) -> str:
    """Refuse quoted lines that can't be spoken or that moderation blocks on their own.

    Each line is moderated alone, as a prompt, because a short line inside a long, calm prompt
    can pass where the same words alone would not; the renderer also draws a quote on screen.
    Whether a line can be spoken (length, speakers, time) only matters when the video has
    sound: a silent video speaks nothing, so those checks are skipped. Returns "hold" when a
    line needs a moderator's look, else "allow".
    """
    if sound not in Sound.CHOICES:
        raise ValidationError("Choose the sound: Sound on, No music or Silent.", code="sound")
    if sound != Sound.OFF and duration_s in DURATIONS:
        try:
            check_lines(prompt, duration_s)
        except ValueError as exc:
            raise ValidationError(str(exc), code="lines") from None
    outcomes = [
        text_check(text=line.text, kind="prompt", user=user) for line in spoken_lines(prompt)
    ]
    return "hold" if "hold" in outcomes else "allow"


@transaction.atomic
def _generation_create(
    *,
    user: User,
    prompt: str,
    duration_s: int,
    aspect: str,
    seed: int | None,
    sound: str,
    remix_of_id: int | None,
    cameo_ids: list[int] | tuple[int, ...],
    held: bool,
    engine: str,
    source: dict[str, object],
) -> GenerationJob:
    seed = random.SystemRandom().randint(0, MAX_SEED) if seed is None else seed
    _check_params(duration_s=duration_s, aspect=aspect, seed=seed)
    _check_quota(user)
    remix_of = _remix_parent(user, remix_of_id)
    active = GenerationJob.objects.filter(
        creator=user, engine=engine, status__in=GenerationJob.ACTIVE
    ).count()
    status = Status.QUEUED if active < PER_USER_QUEUE_CAP else Status.PENDING
    job = GenerationJob.objects.create(
        creator=user,
        engine=engine,
        prompt=prompt,
        duration_s=duration_s,
        aspect=aspect,
        seed=seed,
        sound=sound,
        remix_of=remix_of,
        status=status,
        stage="Waiting for a worker"
        if status == Status.QUEUED
        else "Waiting for your earlier videos",
        **source,
    )
    _record_cameos(user, job, prompt, cameo_ids)
    if held:
        job.held_at, job.held_reason = timezone.now(), PROMPT_HOLD_REASON
        job.save(update_fields=["held_at", "held_reason"])
    if status == Status.QUEUED:
        transaction.on_commit(lambda: generation_enqueue(job_id=job.pk))
    return job


def _record_cameos(user: User, job: GenerationJob, prompt: str, cameo_ids: object) -> None:
    """Consent is checked here, inside the service, for picked cameos and @handles alike.

    A remix inherits nothing: every cameo is checked again for the person remixing.
    """
    picked = list(Cameo.objects.select_related("owner").filter(pk__in=list(cameo_ids)))
    if len(picked) != len(set(cameo_ids)):
        raise ValidationError("One of the cameos you picked no longer exists. Pick again.")
    cameos = picked + cameos_named_in(prompt)
    if cameos:
        cameo_uses_record(user=user, job=job, cameos=cameos)


def _remix_parent(user: User, post_id: int | None) -> object:
    if post_id is None:
        return None

    try:
        post = post_get_visible(viewer=user, post_id=post_id)
    except Http404:
        raise ValidationError(
            "The video you are remixing is no longer available. Your prompt is kept: "
            "remove the remix link by starting from Create."
        ) from None
    refusal = teen_interaction_refusal(owner=post.author, user=user, kind="remix")
    if refusal:
        raise ValidationError(refusal)
    return post


def generation_release_pending(*, user_id: int) -> int:
    """Move a person's oldest pending jobs onto their engines' queues while under the cap."""
    waiting = GenerationJob.objects.filter(creator_id=user_id, status=Status.PENDING)
    engine_names = sorted(set(waiting.values_list("engine", flat=True)))
    return sum(_release_pending(user_id, engine) for engine in engine_names)


def _release_pending(user_id: int, engine: str) -> int:
    released = 0
    with transaction.atomic():
        active = GenerationJob.objects.filter(
            creator_id=user_id, engine=engine, status__in=GenerationJob.ACTIVE
        ).count()
        room = PER_USER_QUEUE_CAP - active
        if room <= 0:
            return 0
        pending = (
            GenerationJob.objects.select_for_update()
            .filter(creator_id=user_id, engine=engine, status=Status.PENDING)
            .order_by("created_at", "pk")
            .values_list("pk", flat=True)[:room]
        )
        for pk in list(pending):
            if GenerationJob.objects.filter(pk=pk, status=Status.PENDING).update(
                status=Status.QUEUED, stage="Waiting for a worker"
            ):
                released += 1
                transaction.on_commit(lambda pk=pk: generation_enqueue(job_id=pk))
    return released


def generation_enqueue(*, job_id: int) -> bool:
    """Put a queued job on its engine's queue. Returns False when the queue is unreachable."""
    job = GenerationJob.objects.get(pk=job_id)
    if job.status != Status.QUEUED:
        return False
    if job.engine not in settings.RQ_QUEUES:
        # Its model left the catalogue after the job was saved; the row waits for it to return.
        log.warning("Job %s saved but not queued: no queue %s is set up.", job_id, job.engine)
        return False
    try:
        queue = django_rq.get_queue(job.engine, commit_mode="auto")
        # A previous attempt may have left its RQ record in a registry; start clean.
        with contextlib.suppress(NoSuchJobError):
            Job.fetch(job.rq_job_id, connection=queue.connection).delete()
        queue.enqueue(
            "generation.jobs.render_video",
            job_id,
            job_id=job.rq_job_id,
            job_timeout=settings.SORA_JOB_TIMEOUT,
            result_ttl=3600,
            failure_ttl=86400,
        )
    except RedisError as exc:
        log.warning("Job %s saved but not queued: %s", job_id, exc)
        return False
    GenerationJob.objects.filter(pk=job_id, status=Status.QUEUED).update(enqueued_at=timezone.now())
    return True


@transaction.atomic
def generation_cancel(*, user: User, job_id: int) -> GenerationJob:
    """Cancel a job the person no longer wants: at once if queued, at the next frame batch if
    rendering."""
    job = job_get_for_user(user=user, job_id=job_id)
    if job.is_terminal:
        raise ValidationError("This job has already finished, so there is nothing to cancel.")
    queued = GenerationJob.objects.filter(
        pk=job.pk, status__in=[Status.QUEUED, Status.PENDING]
    ).update(
        status=Status.CANCELLED,
        stage="Cancelled",
        cancel_requested=True,
        finished_at=timezone.now(),
    )
    if queued:
        transaction.on_commit(lambda: generation_dequeue(rq_job_id=job.rq_job_id))
        generation_release_pending(user_id=user.pk)
    else:
        GenerationJob.objects.filter(pk=job.pk, status=Status.RUNNING).update(
            cancel_requested=True, stage="Cancelling…"
        )
    job.refresh_from_db()
    return job


def generation_dequeue(*, rq_job_id: str) -> None:
    """Take a job's entry off its engine's queue, if it is still there (every engine's queue
    lives in the same Valkey/Redis, so any queue's connection finds it)."""
    # The worker's claim fails on a cancelled row anyway, so a leftover entry is harmless.
    with contextlib.suppress(NoSuchJobError, RedisError):
        Job.fetch(rq_job_id, connection=django_rq.get_connection("video")).delete()


# --- Recovery -----------------------------------------------------------------------------------
