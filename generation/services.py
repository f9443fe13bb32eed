"""Writes for generation: submit, cancel, render, and recovery of interrupted renders."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import os
import random
import secrets
import socket
import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import django_rq
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from redis.exceptions import RedisError
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.timeouts import JobTimeoutException

from accounts.models import User
from accounts.services import require_can_write
from accounts.teen_selectors import teen_interaction_refusal
from cameo.faces import SAME_PERSON_DISTANCE
from cameo.models import Cameo, CameoUse
from cameo.selectors import cameos_named_in
from cameo.uses import cameo_uses_record
from feed.selectors import post_get_visible
from generation import engines, pipeline
from generation.models import GenerationJob
from generation.pipeline import provenance
from generation.pipeline.audio import add_sound
from generation.pipeline.audio.lines import check_lines, spoken_lines
from generation.pipeline.base import (
    ASPECT_SIZES,
    DURATIONS,
    MAX_SEED,
    CameoImage,
    RenderCancelled,
    Sound,
    VideoRequest,
)
from generation.pipeline.watermark import apply_watermark
from generation.selectors import job_get_for_user
from generation.source_image import (
    SourceImage,
    source_image_accept,
    source_image_bytes,
    source_image_manifest,
)
from generation.validators import clean_prompt
from generation.workdirs import job_workdir, pid_alive
from safety import scan as safety_scan
from safety.scan import video_scan
from safety.text_checks import text_check

if TYPE_CHECKING:
    import numpy as np

    from cameo.models import Cameo
    from generation.pipeline.base import CameoImage
    from safety.scan import ScanResult

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
            status=Status.CANCELLED, stage=_stopped_stage(job), finished_at=now
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


class LostClaim(Exception):  # noqa: N818
    """The row stopped being ours (requeued as stuck, or removed) while we rendered."""


class _Progress:
    """Writes progress, stage and a heartbeat onto the row, and reads cancel requests.

    Writes are throttled so a fast renderer doesn't hammer the database; every write is fenced on
    the attempt number, so a worker that lost its claim can't overwrite the row.
    """

    INTERVAL = 0.3

    def __init__(self, job: GenerationJob) -> None:
        self.rows = GenerationJob.objects.filter(
            pk=job.pk, status=Status.RUNNING, attempts=job.attempts
        )
        self._last_write = 0.0
        self._last_read = 0.0
        self._cancel = False

    def set(self, percent: int, stage: str, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_write < self.INTERVAL:
            return
        self._last_write = now
        written = self.rows.update(
            progress=max(0, min(100, percent)), stage=stage, heartbeat_at=timezone.now()
        )
        if not written:
            raise LostClaim

    def between(self, low: int, high: int, stage: str) -> object:
        def report(fraction: float, detail: str = "") -> None:
            self.set(int(low + (high - low) * fraction), detail or stage)

        return report

    def should_cancel(self) -> bool:
        now = time.monotonic()
        if not self._cancel and now - self._last_read >= self.INTERVAL:
            self._last_read = now
            flags = self.rows.values_list("cancel_requested", "taken_down_at").first()
            if flags is None:
                raise LostClaim
            self._cancel = flags[0] or flags[1] is not None
        return self._cancel


def _claim(job_id: int, worker_name: str) -> GenerationJob | None:
    now = timezone.now()
    # A job taken down while it waited is never rendered (see _end_taken_down).
    claimed = GenerationJob.objects.filter(
        pk=job_id, status=Status.QUEUED, taken_down_at__isnull=True
    ).update(
        status=Status.RUNNING,
        stage="Starting",
        progress=0,
        attempts=F("attempts") + 1,
        started_at=now,
        heartbeat_at=now,
        worker_name=worker_name[:200],
        worker_host=socket.gethostname()[:200],
        worker_pid=os.getpid(),
    )
    if claimed != 1:
        return None
    return GenerationJob.objects.select_related("creator").get(pk=job_id)


TAKEN_DOWN_STAGE = "Taken down"


def _stopped_stage(job: GenerationJob) -> str:
    return TAKEN_DOWN_STAGE if job.taken_down_at is not None else "Cancelled"


def _end_taken_down(job_id: int) -> None:
    """End a job that was taken down before a worker got to it; nothing is rendered."""
    GenerationJob.objects.filter(
        pk=job_id, status=Status.QUEUED, taken_down_at__isnull=False
    ).update(
        status=Status.CANCELLED,
        stage=TAKEN_DOWN_STAGE,
        cancel_requested=True,
        finished_at=timezone.now(),
    )


def _clear_if_taken_down(job_id: int) -> None:
    """Whatever happened during the render, a taken-down job's files don't stay in storage."""
    down = GenerationJob.objects.filter(pk=job_id, taken_down_at__isnull=False)
    if down.exclude(video="", poster="").exists():
        generation_delete_taken_down_files(job_ids=[job_id])


def _finish(job: GenerationJob, status: str, *, stage: str, error: str = "") -> None:
    GenerationJob.objects.filter(pk=job.pk, status=Status.RUNNING, attempts=job.attempts).update(
        status=status, stage=stage, error=error, finished_at=timezone.now()
    )


def generation_render(*, job_id: int, worker_name: str = "") -> str | None:
    """Claim a queued job, render, watermark and encode it, and store the draft.

    Returns the final status, or None when another worker holds the job. Files are written to
    a temporary folder and reach storage only when complete, so a half-written video is never
    visible. A job taken down while it waited ends cancelled without rendering; one taken down
    while rendering stops and stores nothing.
    """
    job = _claim(job_id, worker_name)
    if job is None:
        _end_taken_down(job_id)
        return None
    try:
        _render_and_store(job)
    except RenderCancelled:
        job.refresh_from_db(fields=["taken_down_at"])
        _finish(job, Status.CANCELLED, stage=_stopped_stage(job))
    except LostClaim:
        log.warning("Job %s was taken from this worker mid-render; dropping its output.", job.pk)
    except JobTimeoutException:
        _finish(
            job,
            Status.FAILED,
            stage="Failed",
            error=(
                f"The render took longer than the {settings.SORA_JOB_TIMEOUT}-second limit and "
                "was stopped. Try a shorter clip."
            ),
        )
    except ValueError as exc:
        _finish(job, Status.FAILED, stage="Failed", error=str(exc))
    except Exception as exc:
        log.exception("Job %s failed", job.pk)
        _finish(
            job,
            Status.FAILED,
            stage="Failed",
            error=f"The render failed ({type(exc).__name__}). Please try again.",
        )
    _clear_if_taken_down(job.pk)
    generation_release_pending(user_id=job.creator_id)
    # The row is gone when its creator deleted their account mid-render.
    return GenerationJob.objects.filter(pk=job.pk).values_list("status", flat=True).first()


def _render_and_store(job: GenerationJob) -> None:
    # Only the render worker encodes: the encoder loads pyloudnorm and scipy (over half a
    # second), which the web processes that import this module never need. It is named through
    # its module so a test that swaps ``encode.encode_mp4`` reaches this call.
    from generation.pipeline import encode

    progress = _Progress(job)
    started = time.monotonic()
    cameos, prompt = _cameo_inputs(job)
    request = VideoRequest(
        prompt=prompt,
        seed=job.seed,
        duration_s=job.duration_s,
        aspect=job.aspect,
        creator_handle=job.creator.username,
        cameos=cameos,
        sound=job.sound,
        creator_prompt=job.prompt,
        first_frame=source_image_bytes(job.source_image.name) if job.source_image else None,
    )
    progress.set(1, "Loading the renderer", force=True)
    backend = pipeline.get_backend()
    result = backend.generate(
        request,
        on_progress=progress.between(2, 74, "Rendering frames"),
        should_cancel=progress.should_cancel,
    )
    if prompt != job.prompt:
        result.plan = {**result.plan, "prompt with cameo instructions": prompt}
    progress.set(74, "Making the soundtrack", force=True)
    # Spoken lines come from the creator's prompt, never from a cameo owner's instructions.
    add_sound(replace(request, prompt=job.prompt), result)
    if progress.should_cancel():
        raise RenderCancelled
    progress.set(78, "Checking faces", force=True)
    # Scanned before the watermark goes on, so its text can't hide or fake a face.
    scan = video_scan(
        job, result.frames, result.fps, on_progress=progress.between(78, 83, "Checking faces")
    )
    result.notes = [*result.notes, *_scan_notes(job, scan)]
    progress.set(83, "Adding watermark", force=True)
    frames = apply_watermark(
        result.frames, handle=job.creator.username, fps=result.fps, site_name=settings.SITE_NAME
    )
    progress.set(85, "Encoding video", force=True)
    # The folder is named for this job and process, so a worker that starts after this one was
    # killed mid-encode can tell it is orphaned and remove it (generation.workdirs).
    with job_workdir(job.pk) as tmp:
        video_path = tmp / "video.mp4"
        encode.encode_mp4(
            frames,
            result.fps,
            video_path,
            on_progress=progress.between(85, 96, "Encoding video"),
            should_cancel=progress.should_cancel,
            metadata={"comment": f"{settings.SITE_NAME} job {job.pk} seed {job.seed}"},
            audio=result.audio,
        )
        poster = encode.poster_jpeg(frames[min(len(frames) - 1, result.fps // 2)])
        if progress.should_cancel():
            raise RenderCancelled
        progress.set(96, "Signing provenance", force=True)
        signed_path = tmp / "signed.mp4"
        provenance.sign_mp4(video_path, signed_path, provenance_fields(job, result))
        progress.set(97, "Saving", force=True)
        _store(job, signed_path, poster, result, time.monotonic() - started, scan=scan)


def _cameo_inputs(job: GenerationJob) -> tuple[tuple[CameoImage, ...], str]:
    """The pictures of the cameos in the video, and the prompt the backend sees.

    Each owner's instructions ride along in the backend's prompt ("…. @alice: always in my red
    jacket"); the prompt stored on the job, and signed into the manifest, stays the creator's.
    """
    live = [CameoUse.State.APPROVED, CameoUse.State.AWAITING]
    uses = job.cameo_uses.filter(state__in=live).select_related("cameo__owner").order_by("pk")
    images, instructions = [], []
    for use in uses:
        cameo = use.cameo
        picture = _cameo_picture(cameo)
        if picture is not None:
            images.append(
                CameoImage(
                    name=cameo.display_name,
                    image=picture,
                    handle=cameo.owner.username,
                    instructions=cameo.instructions,
                )
            )
        if cameo.instructions.strip():
            instructions.append(f"@{cameo.owner.username}: {' '.join(cameo.instructions.split())}")
    if not instructions:
        return tuple(images), job.prompt
    prompt = job.prompt.rstrip()
    joint = " " if prompt.endswith((".", "!", "?")) else ". "
    return tuple(images), prompt + joint + ". ".join(instructions)


def _cameo_picture(cameo: Cameo) -> np.ndarray | None:
    """The cameo's thumbnail as an RGB uint8 array, or None when it has none or it won't read."""
    import numpy as np
    from PIL import Image

    if not cameo.thumbnail:
        return None
    try:
        with default_storage.open(cameo.thumbnail.name, "rb") as fh, Image.open(fh) as picture:
            return np.asarray(picture.convert("RGB"))
    except OSError as exc:  # missing file or not an image (PIL's UnidentifiedImageError)
        log.warning("Cameo %s thumbnail unreadable: %s", cameo.pk, exc)
        return None


def _scan_notes(job: GenerationJob, scan: ScanResult) -> list[str]:
    """Tell the creator when a cameo's face did not come through in the video."""
    owners = dict(
        Cameo.objects.filter(pk__in=list(scan.identity)).values_list("pk", "owner__username")
    )
    return [
        f"The face of @{owners[cameo_id]}'s cameo could not be recognised in the video."
        for cameo_id, distance in scan.identity.items()
        if cameo_id in owners and (distance is None or distance >= SAME_PERSON_DISTANCE)
    ]


def _consents_used(job: GenerationJob) -> list[str]:
    """One line per cameo in the video, naming the consent that allowed it."""
    lines = []
    for use in job.cameo_uses.select_related("cameo__owner", "grant"):
        owner = f"@{use.cameo.owner.username}"
        if use.cameo.owner_id == job.creator_id:
            lines.append(f"{owner} (their own cameo)")
        elif use.grant is not None:
            lines.append(f"{owner} (permission granted {use.grant.decided_at:%Y-%m-%d})")
        else:
            lines.append(f"{owner} (shared with {use.cameo.get_permission_display().lower()})")
    return lines


def provenance_fields(job: GenerationJob, result: object) -> dict[str, object]:
    """What the signed manifest records about a video."""
    return {
        "site": settings.SITE_NAME,
        "record_url": f"{settings.SORA_SITE_URL}/v/{job.public_id}/",
        "video_id": job.public_id,
        "creator": f"@{job.creator.username}",
        "prompt_sha256": hashlib.sha256(job.prompt.encode()).hexdigest(),
        "seed": job.seed,
        "engine": engines.engine_title(job.engine),
        "engine_queue": job.engine,
        "model": result.backend,
        "model_revision": engines.served_engine().revision,
        "model_hash": result.model_hash,
        "cameo_grants": _consents_used(job),
        "soundtrack": _soundtrack_record(result),
        **source_image_manifest(job),
        "created": timezone.now().isoformat(timespec="seconds"),
    }


def _soundtrack_record(result: object) -> dict[str, object] | str:
    """Who made the sound: the built-in mixer (with its voice and music) or the video model."""
    audio = result.audio
    if audio is None:
        return "none (silent)"
    details = audio.details or {}
    return {
        "engine": details.get("engine") or audio.source,
        "voice": details.get("voice") or None,
        "music": "procedural synthesis" if details.get("music") else None,
        "made_by": audio.source,
    }


def _store(
    job: GenerationJob,
    video_path: object,
    poster: bytes,
    result: object,
    secs: float,
    *,
    scan: ScanResult,
) -> None:
    """Put the files in storage, then mark the job ready and record its scan in one transaction,
    so a finished video is never seen unscanned (nor a held one, for a moment, unheld)."""
    if not _still_wanted(job).exists():
        raise RenderCancelled
    # A fresh token per attempt, so a retried render never overwrites what another attempt wrote.
    name = f"{job.public_id}-{secrets.token_hex(4)}"
    with open(video_path, "rb") as fh:  # noqa: PTH123
        video_name = default_storage.save(f"videos/{name}.mp4", File(fh))
    poster_name = default_storage.save(f"posters/{name}.jpg", ContentFile(poster))
    try:
        with transaction.atomic():
            done = _still_wanted(job).update(
                status=Status.SUCCEEDED,
                stage="Ready",
                progress=100,
                video=video_name,
                poster=poster_name,
                backend=result.backend,
                model_hash=result.model_hash,
                model_revision=engines.served_engine().revision,
                plan=result.plan,
                notes=list(result.notes),
                render_seconds=round(secs, 3),
                finished_at=timezone.now(),
            )
            if done:
                safety_scan.video_scan_record(job=job, result=scan)
    except Exception:
        _delete_files(video_name, poster_name)
        raise
    if not done:
        # Cancelled, taken down or taken from us at the last moment: the files must not outlive
        # the row.
        _delete_files(video_name, poster_name)
        stopped = Q(cancel_requested=True) | Q(taken_down_at__isnull=False)
        if GenerationJob.objects.filter(stopped, pk=job.pk).exists():
            raise RenderCancelled
        raise LostClaim


def _still_wanted(job: GenerationJob) -> QuerySet[GenerationJob]:
    """The job's row while this attempt still owns it and nobody cancelled or took it down."""
    return GenerationJob.objects.filter(
        pk=job.pk,
        status=Status.RUNNING,
        attempts=job.attempts,
        cancel_requested=False,
        taken_down_at__isnull=True,
    )


def _delete_files(*names: str) -> None:
    for name in names:
        default_storage.delete(name)


def generation_delete_taken_down_files(*, job_ids: list[int]) -> int:
    """Delete the files of taken-down videos from storage; returns how many jobs were cleared."""
    cleared = 0
    for job in GenerationJob.objects.filter(pk__in=job_ids, taken_down_at__isnull=False):
        for name in (job.video.name, job.poster.name, job.source_image.name):
            if name:
                default_storage.delete(name)
        GenerationJob.objects.filter(pk=job.pk).update(video="", poster="", source_image="")
        cleared += 1
    return cleared
