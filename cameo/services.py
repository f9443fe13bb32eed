"""Writes for cameos. Every consent decision writes a ConsentEvent in the same transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from accounts.selectors import is_blocked_between
from cameo.models import Cameo, CameoGrant, ConsentEvent
from cameo.selectors import active_grant_q

MAX_GRANT_DAYS = 365


def _audit(
    *, cameo: Cameo, actor: User, action: str, subject: User | None = None, **detail: Any
) -> ConsentEvent:
    return ConsentEvent.objects.create(
        cameo=cameo, cameo_owner=cameo.owner, actor=actor, subject=subject, action=action,
        detail=detail,
    )  # fmt: skip


@transaction.atomic
def cameo_mark_verified(*, owner: User, display_name: str, embedding: list[float]) -> Cameo:
    """Record a verified likeness (the verification job calls this with what it measured)."""
    if len(embedding) != 128:
        raise ValueError("A face embedding has 128 numbers.")
    cameo, _ = Cameo.objects.update_or_create(
        owner=owner,
        defaults={
            "display_name": display_name.strip()[:60] or owner.username,
            "state": Cameo.State.VERIFIED,
            "rejection_reason": "",
            "embedding": [float(x) for x in embedding],
            "verified_at": timezone.now(),
        },
    )
    _audit(cameo=cameo, actor=owner, action="verified")
    return cameo


@transaction.atomic
def cameo_settings_update(
    *,
    owner: User,
    permission: str | None = None,
    approve_each_video: bool | None = None,
    protect_likeness: bool | None = None,
) -> Cameo:
    cameo = get_object_or_404(Cameo.objects.select_for_update(), owner=owner)
    changes: dict[str, Any] = {}
    if permission is not None:
        if permission not in Cameo.Permission.values:
            raise ValidationError("Choose who may use your cameo from the list.")
        changes["permission"] = permission
    if approve_each_video is not None:
        changes["approve_each_video"] = approve_each_video
    if protect_likeness is not None:
        changes["protect_likeness"] = protect_likeness
    before = {field: getattr(cameo, field) for field in changes}
    for field, value in changes.items():
        setattr(cameo, field, value)
    cameo.save(update_fields=list(changes))
    _audit(cameo=cameo, actor=owner, action="settings_changed", before=before, after=changes)
    return cameo


@transaction.atomic
def cameo_grant_request(*, requester: User, cameo_id: int) -> CameoGrant:
    """Ask an owner for permission to use their cameo."""
    cameo = Cameo.objects.select_related("owner").filter(pk=cameo_id).first()
    if cameo is None or cameo.state != Cameo.State.VERIFIED:
        raise ValidationError("That cameo no longer exists.")
    name = f"@{cameo.owner.username}"
    if cameo.owner_id == requester.pk:
        raise ValidationError("This is your own cameo; you can already use it.")
    if is_blocked_between(requester, cameo.owner):
        raise ValidationError(f"You can't ask to use {name}'s cameo.")
    if cameo.permission == Cameo.Permission.ONLY_ME:
        raise ValidationError(f"{name} isn't taking requests for their cameo.")
    grant = CameoGrant.objects.select_for_update().filter(cameo=cameo, grantee=requester).first()
    now = timezone.now()
    if grant is not None:
        _check_can_ask_again(grant, name, now)
        grant.state, grant.expires_at, grant.decided_at = CameoGrant.State.REQUESTED, None, None
        grant.save(update_fields=["state", "expires_at", "decided_at"])
    else:
        grant = CameoGrant.objects.create(cameo=cameo, grantee=requester)
    _audit(cameo=cameo, actor=requester, action="grant_requested", subject=requester)
    return grant


def _check_can_ask_again(grant: CameoGrant, name: str, now: dt.datetime) -> None:
    State = CameoGrant.State
    if grant.state == State.REQUESTED:
        raise ValidationError(f"You've already asked; {name} hasn't answered yet.")
    if grant.state in (State.DECLINED, State.REVOKED):
        raise ValidationError(f"{name} said no to using their cameo.")
    if CameoGrant.objects.filter(pk=grant.pk).filter(active_grant_q(now)).exists():
        raise ValidationError(f"You can already use {name}'s cameo.")


def _owned_grant(owner: User, grant_id: int) -> CameoGrant:
    return get_object_or_404(
        CameoGrant.objects.select_for_update().select_related("cameo", "grantee"),
        pk=grant_id,
        cameo__owner=owner,
    )


@transaction.atomic
def cameo_grant_decide(
    *, owner: User, grant_id: int, approve: bool, expires_in_days: int | None = None
) -> CameoGrant:
    """Approve (optionally for N days) or decline a request to use the owner's cameo."""
    grant = _owned_grant(owner, grant_id)
    if grant.state != CameoGrant.State.REQUESTED:
        raise ValidationError("This request has already been answered.")
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_GRANT_DAYS:
        raise ValidationError(f"Choose between 1 and {MAX_GRANT_DAYS} days, or no end date.")
    now = timezone.now()
    grant.state = CameoGrant.State.APPROVED if approve else CameoGrant.State.DECLINED
    grant.decided_at = now
    grant.expires_at = (
        now + dt.timedelta(days=expires_in_days) if approve and expires_in_days else None
    )
    grant.save(update_fields=["state", "decided_at", "expires_at"])
    action = "grant_approved" if approve else "grant_declined"
    _audit(
        cameo=grant.cameo, actor=owner, action=action, subject=grant.grantee,
        expires_at=grant.expires_at.isoformat() if grant.expires_at else None,
    )  # fmt: skip
    return grant


@transaction.atomic
def cameo_grant_revoke(*, owner: User, grant_id: int) -> CameoGrant:
    """Take back a person's permission to use the owner's cameo."""
    grant = _owned_grant(owner, grant_id)
    if grant.state != CameoGrant.State.APPROVED:
        raise ValidationError("Only an approved permission can be revoked.")
    grant.state, grant.decided_at = CameoGrant.State.REVOKED, timezone.now()
    grant.save(update_fields=["state", "decided_at"])
    _audit(cameo=grant.cameo, actor=owner, action="grant_revoked", subject=grant.grantee)
    return grant
