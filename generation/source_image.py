"""A still picture uploaded on Create as the video's first frame: read, checked, stored.

The picture is decoded with Pillow, never trusted by its name: its header gives the format and
size before a pixel is decoded, so a 20,000-pixel picture is refused without filling memory,
and Pillow's decompression-bomb guard is turned into a refusal too.

Consent comes before the job is saved (``generation.services.generation_request``):

* **Nudity** (``safety.nudity``, the scan's NudeNet check) at or over
  ``SORA_NUDITY_THRESHOLD`` refuses the picture. The site ships no age estimator, so it cannot
  tell an adult's face from a child's: a picture with explicit nudity *and* a face, or a prompt
  that names a minor with a picture in which NudeNet sees any exposed body part at all, is
  refused as sexual content involving minors, and reported to the moderators, as such a prompt
  is (``safety.services.text_checks.text_check``).
* **Likeness** (``safety.services.scan``, the post-render guard): a face matching a protected
  cameo the person may not use is refused without naming whose. A face matching a cameo they may use
  is recorded as that cameo's use, so its owner is told and can review the video as usual.
* **Everyone else pictured**: any face needs the person's confirmation that everyone pictured
  agreed; it is stored on the job and signed into the manifest.

The file is kept privately with the job (``sources/`` in the site's storage), shown only on its
creator's job page, and deleted with the job's other files.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import secrets
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageOps, UnidentifiedImageError

from cameo.models import Cameo
from cameo.selectors import cameos_usable_by
from generation.models import GenerationJob, new_public_id
from safety.likeness import (
    LIKENESS_DISTANCE,
    FaceCheck,
    Likenesses,
    identity_distances,
    likeness_matches,
)
from safety.models import Report
from safety.moderation.normalise import normalise
from safety.moderation.rules import mask_benign, mentions_minor
from safety.nudity import frame_score
from safety.services.text_checks import report_automatic

if TYPE_CHECKING:
    import numpy as np
    from django.core.files.uploadedfile import UploadedFile

    from accounts.models import User

log = logging.getLogger(__name__)

MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_IMAGE_SIDE = 4096
# Pillow's format name -> the extension the stored file gets.
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
ACCEPT = "image/jpeg,image/png,image/webp"
# Faces and nudity are looked for in a copy at most this many pixels on a side: a face in a
# photo is rarely under 5% of its width, and dlib finds ~40-pixel faces with one upsampling.
CHECK_SIDE = 800
# NudeNet drops boxes under 0.25: any counted detection at all is "some exposed body part".
ANY_NUDITY = 0.25

NOT_A_PICTURE = (
    "That file isn't a picture we can read. Choose a JPEG, PNG or WebP image, up to 10 MB."
)
TOO_BIG = "That picture is {size}; the limit is 10 MB. Choose a smaller picture."
TOO_WIDE = (
    "That picture is {width:,} × {height:,} pixels; the limit is 4,096 pixels on a side. "
    "Choose a smaller picture."
)
TOO_MANY_PIXELS = (
    "That picture is far larger than 4,096 pixels on a side. Choose a smaller picture."
)
PROTECTED = "This picture shows someone whose likeness is protected. You can't use it."
NEEDS_CONSENT = (
    "This picture shows a person. Tick “Everyone pictured agreed to be in this video” if they "
    "did, or choose a picture without people."
)
SEXUAL = (
    "This picture can't be used: it breaks our rules on sexual content. Choose another picture."
)
MINORS = "This picture can't be used: it breaks our rules on sexual content involving minors."
CONSENT_LABEL = "Everyone pictured agreed to be in this video"


@dataclass(frozen=True)
class SourceImage:
    """A picture that decoded as a JPEG, PNG or WebP within the limits, and its bytes."""

    data: bytes
    format: str  # "JPEG", "PNG" or "WEBP"
    width: int
    height: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def extension(self) -> str:
        return FORMATS[self.format]


def too_big_message(size: int) -> str:
    return TOO_BIG.format(size=filesizeformat(size))


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def source_image_read(upload: UploadedFile) -> SourceImage:
    """Read an uploaded file as a picture, or raise ValidationError with a sentence.

    The size is checked before the file is read, the header before any pixel is decoded, and
    then the whole picture is decoded once, so a truncated or disguised file is refused here.
    """
    if upload.size is not None and upload.size > MAX_IMAGE_BYTES:
        raise _refuse(too_big_message(upload.size), "too_big")
    upload.seek(0)
    data = upload.read(MAX_IMAGE_BYTES + 1)
    if len(data) > MAX_IMAGE_BYTES:
        raise _refuse(too_big_message(len(data)), "too_big")
    return source_image_from_bytes(data)


def source_image_from_bytes(data: bytes) -> SourceImage:
    with warnings.catch_warnings():
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that; both are refusals here.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as picture:
                image_format, (width, height) = picture.format, picture.size
                if image_format not in FORMATS:
                    raise _refuse(NOT_A_PICTURE, "format")
                if max(width, height) > MAX_IMAGE_SIDE:
                    raise _refuse(TOO_WIDE.format(width=width, height=height), "too_wide")
                picture.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _refuse(TOO_MANY_PIXELS, "too_wide") from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
            raise _refuse(NOT_A_PICTURE, "format") from None
    return SourceImage(data=data, format=image_format, width=width, height=height)


def decode_rgb(data: bytes, *, max_side: int | None = None) -> np.ndarray:
    """The picture as an upright RGB uint8 array, shrunk to ``max_side`` when given."""
    with Image.open(io.BytesIO(data)) as picture:
        upright = ImageOps.exif_transpose(picture.convert("RGB"))
    if max_side is not None and max(upright.size) > max_side:
        upright.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return np.asarray(upright, dtype=np.uint8)


# --- Consent and safety ------------------------------------------------------------------------


@dataclass(frozen=True)
class PictureCheck:
    """What the checks found: faces, and the usable cameos of other people whose face it is."""

    faces: int
    pictured_cameo_ids: list[int]


def source_image_check(
    *, user: User, image: SourceImage, prompt: str, consent: bool
) -> PictureCheck:
    """Refuse a picture that moderation blocks, that shows a protected likeness the person may
    not use, or that shows anyone without the person's confirmation. Raises ValidationError
    keyed by the form field the sentence belongs beside; writes nothing but a minors report."""
    pixels = decode_rgb(image.data, max_side=CHECK_SIDE)
    faces = FaceCheck()
    faces.observe(0, pixels)
    _check_nudity(user, frame_score(pixels), bool(faces.sightings), prompt)
    if not faces.sightings:
        return PictureCheck(faces=0, pictured_cameo_ids=[])
    pictured = _check_likeness(user, faces)
    if not consent:
        raise ValidationError({"source_consent": [_refuse(NEEDS_CONSENT, "consent")]})
    return PictureCheck(faces=len(faces.sightings), pictured_cameo_ids=pictured)


def _check_nudity(user: User, score: float, has_face: bool, prompt: str) -> None:
    explicit = score >= settings.SORA_NUDITY_THRESHOLD
    minor_named = mentions_minor(mask_benign(normalise(prompt)))
    if (explicit and has_face) or (minor_named and score >= ANY_NUDITY):
        # Filed before the job's transaction opens, so the refusal doesn't roll it back.
        report_automatic(
            user=user,
            reason=Report.Reason.MINORS,
            note=f"Blocked picture on Create (nudity score {score:.2f}) with prompt: {prompt}",
        )
        raise ValidationError({"source_image": [_refuse(MINORS, "moderation:minors_sexual")]})
    if explicit:
        raise ValidationError({"source_image": [_refuse(SEXUAL, "moderation:sexual")]})


def _check_likeness(user: User, faces: object) -> list[int]:
    """The usable cameos of others pictured; refuses a protected cameo the person may not use.

    The guard is the post-render scan's own (``safety.likeness.likeness_matches``): a face is
    explained by the person's own cameo or any cameo they may use when that one is at least as
    close, so a lookalike of someone who granted them their cameo isn't refused.
    """
    usable = [c for c in cameos_usable_by(user=user) if c.owner_id != user.pk]
    own = Cameo.objects.filter(owner=user).values_list("pk", "owner_id", "embedding")
    allowed = Likenesses.from_rows([*own, *((c.pk, c.owner_id, c.embedding) for c in usable)])
    embeddings = faces.embeddings()
    if likeness_matches(faces.sightings, embeddings, Likenesses.protected(), allowed):
        raise ValidationError({"source_image": [_refuse(PROTECTED, "likeness")]})
    others = Likenesses.from_rows((c.pk, c.owner_id, c.embedding) for c in usable)
    near = identity_distances(embeddings, others)
    return sorted(pk for pk, d in near.items() if d is not None and d < LIKENESS_DISTANCE)


# --- Storage -------------------------------------------------------------------------------------


def source_image_save(*, image: SourceImage, public_id: str) -> str:
    """Store the picture privately under ``sources/``; returns its storage name."""
    name = f"sources/{public_id}-{secrets.token_hex(4)}.{image.extension}"
    return default_storage.save(name, ContentFile(image.data))


@dataclass(frozen=True)
class Accepted:
    """A checked picture saved to storage (or no picture): the job's fields for it, and the
    cameos of others it shows, which join the job's cameos."""

    job_fields: dict[str, object]
    cameo_ids: list[int]

    @contextlib.contextmanager
    def discarded_on_error(self) -> Iterator[None]:
        """Delete the stored picture when saving the job fails, so nothing outlives a refusal."""
        try:
            yield
        except BaseException:
            if name := self.job_fields.get("source_image"):
                default_storage.delete(str(name))
            raise


def source_image_accept(
    *, user: User, image: SourceImage | None, prompt: str, consent: bool
) -> Accepted:
    """Check a picture and, if it passes, store it for the job about to be saved."""
    if image is None:
        return Accepted(job_fields={}, cameo_ids=[])
    check = source_image_check(user=user, image=image, prompt=prompt, consent=consent)
    public_id = new_public_id()
    fields = {
        "public_id": public_id,
        "source_image": source_image_save(image=image, public_id=public_id),
        "source_image_sha256": image.sha256,
        "source_consent_confirmed": bool(consent),
    }
    return Accepted(job_fields=fields, cameo_ids=check.pictured_cameo_ids)


def source_image_manifest(job: GenerationJob) -> dict[str, object]:
    """What the signed manifest records about the picture a video started from, if any."""
    if not job.source_image_sha256:
        return {}
    return {
        "source_image": {
            "sha256": job.source_image_sha256,
            "confirmed_consent": job.source_consent_confirmed,
        }
    }
