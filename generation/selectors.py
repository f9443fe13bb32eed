from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from generation.models import GenerationJob
from safety.models import LikenessMatch


def job_get_for_user(*, user: User, job_id: int) -> GenerationJob:
    """The job, if this person created it; 404 for anyone else."""
    return get_object_or_404(GenerationJob, pk=job_id, creator_id=user.pk)


def drafts_for_user(*, user: User) -> QuerySet[GenerationJob]:
    """Jobs on their way or finished but not published, newest first."""
    return (
        GenerationJob.objects.filter(creator=user, post__isnull=True)
        .exclude(status=GenerationJob.Status.CANCELLED)
        .order_by("-created_at")
    )


@dataclass(frozen=True)
class QueueEstimate:
    position: int  # 1 = next to start
    eta_seconds: int | None  # until the video is ready; None without render history


def _recent_render_seconds(duration_s: int) -> float | None:
    """Mean wall time of recent renders, scaled to this clip's length."""
    recent = list(
        GenerationJob.objects.filter(status=GenerationJob.Status.SUCCEEDED, render_seconds__gt=0)
        .order_by("-finished_at")
        .values_list("render_seconds", "duration_s")[:20]
    )
    if not recent:
        return None
    per_second = sum(secs / dur for secs, dur in recent) / len(recent)
    return per_second * duration_s


def job_queue_estimate(*, job: GenerationJob) -> QueueEstimate | None:
    """Where a queued job stands on the shared ``video`` queue, and roughly when it will be done."""
    import django_rq
    from redis.exceptions import RedisError
    from rq.worker import Worker

    if job.status != GenerationJob.Status.QUEUED or job.enqueued_at is None:
        return None
    try:
        queue = django_rq.get_queue("video")
        index = queue.get_job_position(job.rq_job_id)
        workers = max(Worker.count(queue=queue), 1)
    except RedisError:
        return None
    if index is None:
        return None
    each = _recent_render_seconds(job.duration_s)
    if each is None:
        return QueueEstimate(position=index + 1, eta_seconds=None)
    running = GenerationJob.objects.filter(status=GenerationJob.Status.RUNNING).count()
    rounds_ahead = (index + running) / workers
    return QueueEstimate(position=index + 1, eta_seconds=math.ceil(each * (rounds_ahead + 1)))


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


def public_post_for(job: GenerationJob | None) -> object | None:
    from feed.models import Post

    if job is None:
        return None
    return Post.objects.filter(job=job, author__is_active=True).first()


def video_provenance_lookup(*, path: str) -> VerifyOutcome:
    """Read a file's signed manifest; failing that, match its frames against published posts.

    Raises ValueError with a sentence when the file is not a readable video.
    """
    from feed.models import Post
    from generation.pipeline.fingerprint import keyframe_hashes, match_fraction
    from generation.pipeline.provenance import read_mp4

    manifest = read_mp4(path)
    if manifest is not None:
        job = GenerationJob.objects.filter(public_id=manifest.fields.get("video_id")).first()
        return VerifyOutcome(
            kind="signed", fields=manifest.fields, trusted=manifest.trusted,
            intact=manifest.intact, job=job, post=public_post_for(job),
        )  # fmt: skip
    probe = keyframe_hashes(path)
    best, best_share = None, 0.0
    candidates = Post.objects.exclude(keyframe_hashes=[]).select_related("job", "author")
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
    if getattr(user, "is_active", False) and user.has_perm("safety.add_moderationaction"):
        return True
    if job.taken_down_at is not None:
        return False
    if job.held_at is None and public_post_for(job) is not None:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    if job.creator_id == user.pk or job.cameo_uses.filter(cameo__owner=user).exists():
        return True
    return (
        job.held_at is not None
        and LikenessMatch.objects.filter(scan__job=job, cameo_owner=user).exists()
    )
