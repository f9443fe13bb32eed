"""Who may use a cameo. One rule, read by every path that puts a face into a video."""

from __future__ import annotations

import datetime as dt

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
