"""Who may use a cameo. One rule, read by every path that puts a face into a video."""

from __future__ import annotations

import datetime as dt
import re

from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from accounts.selectors import are_mutuals, is_blocked_between
from cameo.models import Cameo, CameoGrant

Permission = Cameo.Permission


def active_grant_q(now: dt.datetime) -> Q:
    return Q(state=CameoGrant.State.APPROVED) & (Q(expires_at__isnull=True) | Q(expires_at__gt=now))


def cameo_use_refusal(*, cameo: Cameo, user: User) -> str | None:
    """None when ``user`` may put ``cameo`` in a new video; otherwise the sentence saying why not.

    The owner always may. Nobody else may while the cameo is unverified or when either has
    blocked the other. Above "only me", an approved, unexpired grant lets a person in; "mutual
    follows" also lets mutuals in, and "everyone" lets anyone in.
    """
    owner = cameo.owner
    if user.pk == owner.pk:
        return None
    name = f"@{owner.username}"
    if cameo.state != Cameo.State.VERIFIED:
        return f"{name}'s cameo isn't verified, so it can't be used."
    if is_blocked_between(user, owner):
        return f"You can't use {name}'s cameo."
    if cameo.permission == Permission.ONLY_ME:
        return f"{name} keeps their cameo to themselves."
    if cameo.permission == Permission.EVERYONE:
        return None
    now = timezone.now()
    grants = CameoGrant.objects.filter(cameo=cameo, grantee=user)
    if grants.filter(active_grant_q(now)).exists():
        return None
    if cameo.permission == Permission.MUTUALS and are_mutuals(user, owner):
        return None
    if grants.filter(state=CameoGrant.State.APPROVED).exists():
        return f"Your permission to use {name}'s cameo has expired. Ask again."
    return f"{name}'s cameo needs their approval. Ask to use it first."


MAX_CAMEOS_PER_VIDEO = 3
_HANDLE = re.compile(r"(?<![\w@])@([A-Za-z0-9_]{3,30})\b")


def cameos_named_in(prompt: str) -> list[Cameo]:
    """The cameos a prompt names as @handle (handles without a cameo stay plain text)."""
    from django.db.models.functions import Lower

    handles = {h.lower() for h in _HANDLE.findall(prompt)}
    if not handles:
        return []
    return list(
        Cameo.objects.select_related("owner")
        .annotate(handle=Lower("owner__username"))
        .filter(handle__in=handles)
    )


def cameos_usable_by(*, user: User) -> list[Cameo]:
    """Every verified cameo this person may put into a new video, their own first."""
    candidates = Cameo.objects.select_related("owner").filter(state=Cameo.State.VERIFIED)
    usable = [c for c in candidates if cameo_use_refusal(cameo=c, user=user) is None]
    return sorted(usable, key=lambda c: (c.owner_id != user.pk, c.owner.username))


def active_grant_for(*, cameo: Cameo, user: User) -> CameoGrant | None:
    return (
        CameoGrant.objects.filter(cameo=cameo, grantee=user)
        .filter(active_grant_q(timezone.now()))
        .first()
    )
