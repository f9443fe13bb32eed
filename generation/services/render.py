"""The render itself, run by the video worker: claim the job, render, add sound, watermark,
scan, sign, encode and store, checking for a cancel or a takedown at every step.

Only the render worker imports this module: it loads the encoder (pyloudnorm, scipy) and the
soundtrack mixer, which the web processes never need.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import socket
import time
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from PIL import Image
from rq.timeouts import JobTimeoutException

from cameo.faces import SAME_PERSON_DISTANCE
from cameo.models import Cameo, CameoUse
from generation import engines, pipeline
from generation.models import GenerationJob
from generation.pipeline import encode, provenance
from generation.pipeline.audio.soundtrack import add_sound
from generation.pipeline.base import (
    CameoImage,
    RenderCancelled,
    VideoRequest,
)
from generation.pipeline.watermark import apply_watermark
from generation.selectors import source_image_bytes
from generation.services.request import generation_release_pending
from generation.services.takedown import (
    TAKEN_DOWN_STAGE,
    generation_delete_taken_down_files,
    stopped_stage,
)
from generation.source_image import (
    source_image_manifest,
)
from generation.workdirs import job_workdir
from safety.services import scan as safety_scan
from safety.services.scan import video_scan
from sora_site import storage

if TYPE_CHECKING:
    from safety.services.scan import ScanResult

log = logging.getLogger(__name__)
Status = GenerationJob.Status


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
        _finish(job, Status.CANCELLED, stage=stopped_stage(job))
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
        storage.delete_files([video_name, poster_name])
        raise
    if not done:
        # Cancelled, taken down or taken from us at the last moment: the files must not outlive
        # the row.
        storage.delete_files([video_name, poster_name])
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
