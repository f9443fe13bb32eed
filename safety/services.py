"""Writes and checks for safety. Every path that creates text a person wrote calls
``text_check`` before saving it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404

from accounts.models import User
from safety.models import LikenessMatch, PublicFigure, Report

TEXT_LIMITS = {
    "prompt": 1_000,
    "comment": 2_000,
    "dm": 2_000,
    "profile": 300,
    "cameo_instructions": 500,
}


def _public_names(user: User | None) -> tuple[list, set[str]]:
    """The protected names, and the ids of those whose cameo this person may use."""
    from cameo.selectors import cameo_use_refusal
    from safety.moderation import PublicName

    figures = list(PublicFigure.objects.select_related("account__cameo"))
    names = [PublicName(id=f.pk, name=f.name, aliases=f.alias_list()) for f in figures]
    allowed = set()
    for figure in figures:
        cameo = getattr(figure.account, "cameo", None) if figure.account else None
        usable = user is not None and cameo is not None and cameo.state == "verified"
        if usable and cameo_use_refusal(cameo=cameo, user=user) is None:
            allowed.add(str(figure.pk))
    return names, allowed


def text_check(*, text: str, kind: str, user: User | None = None) -> str:
    """Refuse text that is too long or that moderation blocks; return the outcome
    ("allow" or "hold") for the caller to act on. The person reads the category, never the rule.
    """
    from safety.moderation import MINORS_SEXUAL, moderate_text

    limit = TEXT_LIMITS[kind]
    if len(text) > limit:
        raise ValidationError(
            f"That's {len(text):,} characters; the limit is {limit:,}. Shorten it and try again."
        )
    names, allowed = _public_names(user) if kind == "prompt" else ([], set())
    verdict = moderate_text(text, kind=kind, protected_names=names, allowed_names=allowed)
    if verdict.outcome == "block":
        if verdict.category == MINORS_SEXUAL:
            _report_outside_the_request(user, kind, text)
        raise ValidationError(verdict.message, code=f"moderation:{verdict.category}")
    return verdict.outcome


REPORT_NOTE_LIMIT = 1000


def _job_visible_to(job: Any, user: User) -> bool:
    """A person may report a video they can see: a public post, their own, one with their cameo
    in it, or one held because it looks like them."""
    from generation.selectors import public_post_for

    if job.creator_id == user.pk or public_post_for(job) is not None:
        return True
    if job.cameo_uses.filter(cameo__owner=user).exists():
        return True
    return LikenessMatch.objects.filter(scan__job=job, cameo_owner=user).exists()


@transaction.atomic
def report_create(
    *, reporter: User, job_id: int, reason: str, note: str = "", likeness: bool = False
) -> Report:
    """Report a video to the moderators. Reporting the same video again while the first report
    is open adds to its count rather than making another."""
    from generation.models import GenerationJob

    job = GenerationJob.objects.filter(pk=job_id).first()
    if job is None or not _job_visible_to(job, reporter):
        raise Http404("No such video.")
    if reason not in Report.Reason.values:
        raise ValidationError("Choose a reason from the list.")
    if len(note) > REPORT_NOTE_LIMIT:
        raise ValidationError(f"Keep the note to {REPORT_NOTE_LIMIT:,} characters.")
    existing = (
        Report.objects.select_for_update()
        .filter(reporter=reporter, job=job, status=Report.Status.OPEN)
        .first()
    )
    if existing is not None:
        existing.duplicates += 1
        existing.save(update_fields=["duplicates"])
        return existing
    return Report.objects.create(
        reporter=reporter,
        target=Report.Target.LIKENESS if likeness else Report.Target.VIDEO,
        job=job,
        reported_user=job.creator,
        reason=reason,
        note=note.strip(),
    )


def report_automatic(*, user: User | None, reason: str, note: str) -> Report:
    """A report filed by a check, not a person; it survives the refused request that caused it."""
    return Report.objects.create(
        automatic=True, target=Report.Target.PROMPT, reported_user=user, reason=reason,
        note=note[:REPORT_NOTE_LIMIT],
    )  # fmt: skip


def _report_outside_the_request(user: User | None, kind: str, text: str) -> None:
    """Minors-related sexual content is always reported. Callers check text before they open
    their own transaction, so the refusal that follows doesn't roll this back."""
    report_automatic(user=user, reason=Report.Reason.MINORS, note=f"Blocked {kind}: {text}")
