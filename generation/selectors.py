from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from generation.models import GenerationJob


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
