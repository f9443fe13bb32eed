"""Recording a cameo's use in a new video, and the consent audit row every consent write keeps.

This sits below ``cameo.services.consent`` (which also takes videos down) so that starting a video
can check consent and record each use without reaching the takedown path.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from accounts.services.users import notify
from cameo.models import Cameo, CameoUse, ConsentEvent
from cameo.restrictions import restriction_conflict
from cameo.selectors import MAX_CAMEOS_PER_VIDEO, active_grant_for, cameo_use_refusal


def consent_event_create(
    *, cameo: Cameo, actor: User, action: str, subject: User | None = None, **detail: Any
) -> ConsentEvent:
    """The consent audit row, written in the same transaction as the change it records."""
    return ConsentEvent.objects.create(
        cameo=cameo, cameo_owner=cameo.owner, actor=actor, subject=subject, action=action,
        detail=detail,
    )  # fmt: skip


@transaction.atomic
def cameo_uses_record(*, user: User, job: Any, cameos: list[Cameo]) -> list[CameoUse]:
    """Check consent for every cameo in a new job and record each use.

    Raises ValidationError with the owner's reason when any cameo may not be used. A cameo
    whose owner approves each video starts out waiting for that approval.
    """
    unique = list({c.pk: c for c in cameos}.values())
    if len(unique) > MAX_CAMEOS_PER_VIDEO:
        raise ValidationError(f"A video can have at most {MAX_CAMEOS_PER_VIDEO} cameos.")
    refusals = [r for c in unique if (r := cameo_use_refusal(cameo=c, user=user))]
    refusals += [r for c in unique if (r := _restriction_refusal(c, user, job.prompt))]
    if refusals:
        raise ValidationError(refusals)
    uses = []
    for cameo in unique:
        needs_approval = cameo.approve_each_video and cameo.owner_id != user.pk
        uses.append(
            CameoUse.objects.create(
                job=job,
                cameo=cameo,
                grant=active_grant_for(cameo=cameo, user=user),
                state=CameoUse.State.AWAITING if needs_approval else CameoUse.State.APPROVED,
            )
        )
        if cameo.owner_id != user.pk:
            consent_event_create(cameo=cameo, actor=user, action="used", subject=user, job=job.pk)
            extra = " It needs your approval before it can be published." if needs_approval else ""
            notify(
                recipient=cameo.owner, kind="cameo_used",
                text=f"@{user.username} is making a video with your cameo.{extra}", actor=user,
            )  # fmt: skip
    return uses


def _restriction_refusal(cameo: Cameo, user: User, prompt: str) -> str | None:
    """The owner's own words when the prompt conflicts with their restrictions (the owner may
    put themselves in anything)."""
    if cameo.owner_id == user.pk or not cameo.restrictions.strip():
        return None
    quote = restriction_conflict(prompt, cameo.restrictions)
    if quote is None:
        return None
    return f"@{cameo.owner.username}'s cameo can't be used for this. They asked: \"{quote}\"."
