from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import User
from accounts.selectors.visibility import filter_visible_to
from cameo.selectors import approvals_awaited
from feed.models import Post
from generation import engines
from generation.describe import (
    BUILTIN,
    MODEL_DOCS_ANCHOR,
    Engine,
    job_engine,
    not_drawn,
    plan_sentences,
    soundtrack_sentence,
)
from generation.estimate import QueueEstimate, queue_estimate
from generation.models import GenerationJob
from generation.pipeline.fingerprint import keyframe_hashes, match_fraction
from generation.pipeline.provenance import TRAINED_ALGORITHMIC, read_mp4
from safety.models import LikenessMatch
from safety.permissions import is_moderator

log = logging.getLogger(__name__)


def job_get_for_user(*, user: User, job_id: int) -> GenerationJob:
    """The job, if this person created it; 404 for anyone else."""
    return get_object_or_404(GenerationJob, pk=job_id, creator_id=user.pk)


def job_source_image(*, job: GenerationJob) -> bytes:
    """The picture a job starts from; 404 when it has none, or once it was taken down (its
    files are on their way out)."""
    if not job.source_image or job.taken_down_at is not None:
        raise Http404("This video has no picture.")
    data = source_image_bytes(job.source_image.name)
    if data is None:
        raise Http404("This video's picture is gone.")
    return data


def drafts_for_user(*, user: User) -> QuerySet[GenerationJob]:
    """Jobs on their way or finished but not published, newest first."""
    return (
        GenerationJob.objects.filter(creator=user, post__isnull=True)
        .exclude(status=GenerationJob.Status.CANCELLED)
        .order_by("-created_at")
    )


def job_queue_estimate(*, job: GenerationJob) -> QueueEstimate | None:
    """Where a queued job stands on the shared ``video`` queue, and roughly when it will be done."""
    return queue_estimate(job=job)


@dataclass(frozen=True)
class JobReading:
    """What the job page says about how a video is made, in sentences."""

    engine: Engine
    sentences: list[str]
    not_drawn: list[str]
    engine_title: str = ""  # the engine the person chose, e.g. "LTX-2 19B (video with sound)"
    waiting: str = ""  # why it hasn't started, when no worker serves its engine


def job_reading(*, job: GenerationJob) -> JobReading:
    waiting = ""
    if job.status in (GenerationJob.Status.QUEUED, GenerationJob.Status.PENDING):
        waiting = engines.waiting_sentence(job.engine)
    return JobReading(
        engine=_engine_line(job),
        sentences=plan_sentences(job.plan or {}),
        not_drawn=not_drawn(job.plan or {}),
        engine_title=engines.engine_title(job.engine),
        waiting=waiting,
    )


def _engine_line(job: GenerationJob) -> Engine:
    """A rendered job names what made it; one still waiting names the engine it was sent to."""
    if job.backend:
        return job_engine(backend=job.backend, plan=job.plan or {})
    if job.engine == engines.BUILTIN_QUEUE:
        return BUILTIN
    title = engines.short_name(job.engine)
    sentence = (
        f"Sent to the generative video model {title}."
        if job.is_terminal
        else f"To be made by the generative video model {title}, on a GPU worker holding it."
    )
    return Engine(generative=True, name=title, sentence=sentence)


@dataclass
class VerifyOutcome:
    """What the Verify page tells a person about an uploaded file."""

    kind: str  # "signed", "matched" or "none"
    fields: dict[str, object] | None = None
    trusted: bool = False
    intact: bool = False
    job: GenerationJob | None = None
    post: object | None = None  # feed.Post, when public
    match_share: float = 0.0
    source_type: str = ""  # IPTC digital source type from the manifest

    @property
    def generative(self) -> bool:
        return self.source_type == TRAINED_ALGORITHMIC


def public_post_for(job: GenerationJob | None, *, viewer: Any) -> object | None:
    """The job's post, if it is published and ``viewer`` may see it (a teen's video may be
    kept to the people the teen follows: ``accounts.selectors.visibility``)."""
    if job is None:
        return None
    return filter_visible_to(viewer, Post.objects.filter(job=job, author__is_active=True)).first()


def video_provenance_lookup(*, path: str, viewer: Any) -> VerifyOutcome:
    """Read a file's signed manifest; failing that, match its frames against published posts.

    Raises ValueError with a sentence when the file is not a readable video.
    """
    manifest = read_mp4(path)
    if manifest is not None:
        job = GenerationJob.objects.filter(public_id=manifest.fields.get("video_id")).first()
        return VerifyOutcome(
            kind="signed", fields=manifest.fields, trusted=manifest.trusted,
            intact=manifest.intact, job=job, post=public_post_for(job, viewer=viewer),
            source_type=manifest.source_type,
        )  # fmt: skip
    probe = keyframe_hashes(path)
    best, best_share = None, 0.0
    candidates = filter_visible_to(
        viewer, Post.objects.exclude(keyframe_hashes=[]).select_related("job", "author")
    )
    for post in candidates.iterator():
        share = match_fraction(probe, post.keyframe_hashes)
        if share > best_share:
            best, best_share = post, share
    if best is not None and best_share >= 0.6:
        return VerifyOutcome(kind="matched", job=best.job, post=best, match_share=best_share)
    return VerifyOutcome(kind="none")


def job_get_by_public_id(*, public_id: str) -> GenerationJob:
    return get_object_or_404(GenerationJob, public_id=public_id)


def media_visible_to(*, user: object, name: str) -> bool:
    """Whether a stored video or poster may be served to this visitor.

    Published videos are public. A draft's files go to its creator and to the owners of cameos
    in it, and a held draft's also to the people whose likeness held it; a taken-down video's
    files to no one but moderators, who see every video. Other media (static assets) pass.
    """
    folder, _, filename = name.partition("/")
    if folder == "sources":
        return False  # a picture uploaded on Create goes out only through job_source_image
    if folder not in {"videos", "posters"}:
        return True
    job = (
        GenerationJob.objects.filter(public_id=filename.split("-", 1)[0])
        .only("pk", "creator_id", "taken_down_at", "held_at")
        .first()
    )
    if job is None:
        return False
    # Moderators review reported, held and removed videos in admin while the files still exist.
    if is_moderator(user):
        return True
    if job.taken_down_at is not None:
        return False
    if job.held_at is None and public_post_for(job, viewer=user) is not None:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    if job.creator_id == user.pk or job.cameo_uses.filter(cameo__owner=user).exists():
        return True
    return (
        job.held_at is not None
        and LikenessMatch.objects.filter(scan__job=job, cameo_owner=user).exists()
    )


def job_page_context(job: GenerationJob) -> dict[str, object]:
    """What the job page and its partials show; feed's publish view renders the page with it
    too when it refuses a publish, so the caption typed stays in its field."""
    return {
        "job": job,
        "awaiting": approvals_awaited(job_id=job.pk),
        "estimate": job_queue_estimate(job=job),
        "reading": job_reading(job=job),
        "soundtrack": soundtrack_sentence(sound=job.sound, plan=job.plan or {}),
        "model_docs": MODEL_DOCS_ANCHOR,
    }


def source_image_bytes(name: str) -> bytes | None:
    """The stored picture's bytes, or None when it is missing from storage."""
    try:
        with default_storage.open(name, "rb") as fh:
            return fh.read()
    except OSError as exc:
        log.warning("Source picture %s unreadable: %s", name, exc)
        return None
