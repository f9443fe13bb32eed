"""Verifying a cameo: the owner's recorded clip is checked on the default queue (liveness, one
face, a turn the way the challenge asked), and a passing clip verifies the cameo with its mean
face embedding, thumbnail and crops (``consent.cameo_mark_verified``).
"""

from __future__ import annotations

import io
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from accounts.models import User
from accounts.services.users import notify, require_can_write
from cameo import liveness
from cameo.models import CameoVerification
from cameo.services.consent import cameo_mark_verified
from sora_site.queue import enqueue_default

if TYPE_CHECKING:
    from collections.abc import Sequence

CLIP_TYPES = {".mp4", ".webm", ".mov", ".m4v"}
ALREADY_CHECKING = "Your last recording is still being checked; wait for the result."
CHECK_UNAVAILABLE = "Checking clips is unavailable right now; record again in a few minutes."
CHECK_CRASHED = "Something went wrong while checking your clip; record it again."


@transaction.atomic
def cameo_verification_start(
    *,
    owner: User,
    display_name: str,
    challenge: Sequence[str],
    clip: Any,
    mirrored: bool = False,
) -> CameoVerification:
    """Store an uploaded clip and queue its check against the challenge the person was shown.

    The clip lives in storage only until the check has run; the job deletes it either way.
    """
    require_can_write(owner)
    steps = liveness.check_challenge(challenge)
    name = display_name.strip()
    if not name:
        raise ValidationError("Give your cameo a name people will see, such as your first name.")
    if len(name) > 60:
        raise ValidationError("Keep the cameo's name to 60 characters or fewer.")
    if Path(clip.name or "").suffix.lower() not in CLIP_TYPES:
        raise ValidationError("Upload an MP4, WebM or MOV video.")
    if clip.size > liveness.MAX_CLIP_BYTES:
        raise ValidationError(liveness.TOO_BIG.format(mb=clip.size / (1024 * 1024)))
    if clip.size == 0:
        raise ValidationError(liveness.UNREADABLE)
    State = CameoVerification.State
    if CameoVerification.objects.filter(owner=owner, state=State.CHECKING).exists():
        raise ValidationError(ALREADY_CHECKING)
    attempt = CameoVerification(
        owner=owner, display_name=name, challenge=list(steps), mirrored=mirrored
    )
    attempt.clip.save(f"{owner.pk}{Path(clip.name).suffix.lower()}", clip, save=False)
    attempt.save()
    transaction.on_commit(lambda: _enqueue_verification(attempt.pk))
    return attempt


def _enqueue_verification(attempt_id: int) -> None:
    job_id = f"cameo-verify-{attempt_id}"
    if not enqueue_default("cameo.jobs.verify_cameo", attempt_id, job_id=job_id):
        _verification_finish(attempt_id, reason=CHECK_UNAVAILABLE)


def cameo_verification_run(*, attempt_id: int) -> CameoVerification:
    """Check a stored clip (the default-queue job calls this). On success the cameo is verified
    with the clip's mean embedding, thumbnail and crops; on failure only the reason is kept.
    The clip is deleted in both cases."""
    claimed = CameoVerification.objects.filter(
        pk=attempt_id, state=CameoVerification.State.CHECKING
    ).exclude(clip="")
    attempt = claimed.select_related("owner").first()
    if attempt is None:  # already checked, or the person deleted their account
        return CameoVerification.objects.get(pk=attempt_id)
    started = time.perf_counter()
    try:
        with default_storage.open(attempt.clip.name, "rb") as fh:
            clip = liveness.read_clip(fh)
        result = liveness.verify_clip(
            clip.frames, clip.duration_s, attempt.challenge, mirrored=attempt.mirrored
        )
    except liveness.ClipError as error:
        return _verification_finish(attempt_id, reason=str(error), started=started)
    except Exception:
        logging.getLogger(__name__).exception("Checking cameo clip %s failed", attempt_id)
        return _verification_finish(attempt_id, reason=CHECK_CRASHED, started=started)
    if not result.ok:
        return _verification_finish(attempt_id, reason=result.reason, started=started)
    return _verification_finish(attempt_id, result=result, started=started)


def _jpeg(image: Any) -> bytes:
    out = io.BytesIO()
    Image.fromarray(image).save(out, format="JPEG", quality=90)
    return out.getvalue()


@transaction.atomic
def _verification_finish(
    attempt_id: int, *, reason: str = "", result: Any = None, started: float | None = None
) -> CameoVerification:
    attempt = (
        CameoVerification.objects.select_for_update().select_related("owner").get(pk=attempt_id)
    )
    if attempt.state != CameoVerification.State.CHECKING:
        return attempt
    passed = result is not None
    if passed:
        cameo_mark_verified(
            owner=attempt.owner,
            display_name=attempt.display_name,
            embedding=[float(x) for x in result.mean_embedding],
            thumbnail=_jpeg(result.thumbnail),
            references=[_jpeg(crop) for crop in result.reference_frames],
        )
    if attempt.clip:
        # Gone now, whatever happens to this transaction: the clip is never needed again.
        default_storage.delete(attempt.clip.name)
    attempt.clip = ""
    attempt.state = CameoVerification.State.PASSED if passed else CameoVerification.State.FAILED
    attempt.reason = "" if passed else reason
    attempt.finished_at = timezone.now()
    attempt.seconds = time.perf_counter() - started if started is not None else None
    attempt.save(update_fields=["clip", "state", "reason", "finished_at", "seconds"])
    notify(
        recipient=attempt.owner,
        kind="cameo_verified" if passed else "cameo_rejected",
        text="Your cameo is verified." if passed else f"Your cameo wasn't verified. {reason}",
        url=reverse("cameo:home"),
    )
    return attempt
