"""Who may use a cameo. One rule, read by every path that puts a face into a video."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from accounts.selectors import are_mutuals, is_blocked_between
from accounts.teen_selectors import teen_cameo_cap_refusal
from cameo.models import Cameo, CameoGrant, CameoUse, CameoVerification

Permission = Cameo.Permission


def active_grant_q(now: dt.datetime) -> Q:
    return Q(state=CameoGrant.State.APPROVED) & (Q(expires_at__isnull=True) | Q(expires_at__gt=now))


def cameo_use_refusal(*, cameo: Cameo, user: User) -> str | None:
    """None when ``user`` may put ``cameo`` in a new video; otherwise the sentence saying why not.

    The owner always may. Nobody else may while the cameo is unverified or when either has
    blocked the other, nor may an adult use a teen's (accounts.teen_selectors). Above "only
    me", an approved, unexpired grant lets a person in; "mutual follows" also lets mutuals in,
    and "everyone" lets anyone in.
    """
    owner = cameo.owner
    if user.pk == owner.pk:
        return None
    name = f"@{owner.username}"
    if cameo.state != Cameo.State.VERIFIED:
        return f"{name}'s cameo isn't verified, so it can't be used."
    if is_blocked_between(user, owner):
        return f"You can't use {name}'s cameo."
    if refusal := teen_cameo_cap_refusal(cameo, user):
        return refusal
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


def cameo_of(*, user: User) -> Cameo | None:
    """The person's own cameo, or None before their first verified recording."""
    return Cameo.objects.filter(owner=user).prefetch_related("references").first()


def verification_latest(*, user: User) -> CameoVerification | None:
    return CameoVerification.objects.filter(owner=user).first()


def verification_get_for_user(*, user: User, attempt_id: int) -> CameoVerification:
    return get_object_or_404(CameoVerification, pk=attempt_id, owner=user)


def grant_requests_for_owner(*, owner: User) -> list[CameoGrant]:
    return list(
        CameoGrant.objects.select_related("grantee")
        .filter(cameo__owner=owner, state=CameoGrant.State.REQUESTED)
        .order_by("created_at")
    )


def grant_get_for_owner(*, owner: User, grant_id: int) -> CameoGrant:
    return get_object_or_404(CameoGrant, pk=grant_id, cameo__owner=owner)


def grants_for_owner(*, owner: User) -> list[CameoGrant]:
    """Approved permissions, the expired ones included so the owner sees them lapse. Each
    carries ``videos_at_stake``: how many videos revoking it would take down."""
    grants = list(
        CameoGrant.objects.select_related("grantee")
        .filter(cameo__owner=owner, state=CameoGrant.State.APPROVED)
        .order_by("-decided_at")
    )
    at_stake = videos_at_stake_by_creator(owner=owner)
    for grant in grants:
        grant.videos_at_stake = at_stake[grant.grantee_id]
    return grants


def uses_by_others(*, cameo: Cameo, creator: User | None = None) -> Any:
    """The uses of a cameo in other people's videos that consent still covers: what revoking,
    lowering the level or deleting the cameo would take down (of one creator, if given)."""
    uses = CameoUse.objects.filter(cameo=cameo).exclude(state=CameoUse.State.REVOKED)
    uses = uses.exclude(job__creator_id=cameo.owner_id)
    return uses.filter(job__creator=creator) if creator is not None else uses


def videos_at_stake_by_creator(*, owner: User) -> Counter[int]:
    """For each person, how many of their videos with the owner's cameo are still up, which is
    the count a confirmation quotes before a takedown."""
    cameo = Cameo.objects.filter(owner=owner).first()
    if cameo is None:
        return Counter()
    live = uses_by_others(cameo=cameo).filter(job__taken_down_at__isnull=True)
    pairs = live.values_list("job__creator_id", "job_id").distinct()
    return Counter(creator_id for creator_id, _job in pairs)


def uses_of_cameo(*, owner: User) -> list[CameoUse]:
    """Every video made with the owner's cameo, by anyone, drafts and taken-down ones included."""
    return list(
        CameoUse.objects.select_related("job__creator", "job__post")
        .filter(cameo__owner=owner)
        .order_by("-created_at")
    )


def use_get_for_owner(*, owner: User, use_id: int) -> CameoUse:
    return get_object_or_404(
        CameoUse.objects.select_related("job__creator", "cameo"), pk=use_id, cameo__owner=owner
    )


@dataclass(frozen=True)
class CameoOnProfile:
    """What a visitor may do about the cameo of the person whose profile they are on."""

    cameo: Cameo | None
    usable: bool = False
    can_ask: bool = False
    asked: bool = False


def cameo_on_profile(*, viewer: User, owner: User) -> CameoOnProfile:
    cameo = Cameo.objects.filter(owner=owner, state=Cameo.State.VERIFIED).first()
    if cameo is None or not viewer.is_authenticated or viewer.pk == owner.pk:
        return CameoOnProfile(cameo=cameo, usable=cameo is not None and viewer.pk == owner.pk)
    if is_blocked_between(viewer, owner):
        return CameoOnProfile(cameo=None)
    usable = cameo_use_refusal(cameo=cameo, user=viewer) is None
    grant = CameoGrant.objects.filter(cameo=cameo, grantee=viewer).first()
    asked = grant is not None and grant.state == CameoGrant.State.REQUESTED
    closed = grant is not None and grant.state in (
        CameoGrant.State.DECLINED,
        CameoGrant.State.REVOKED,
    )
    can_ask = not usable and not asked and not closed and cameo.permission != Permission.ONLY_ME
    can_ask = can_ask and teen_cameo_cap_refusal(cameo, viewer) is None
    return CameoOnProfile(cameo=cameo, usable=usable, can_ask=can_ask, asked=asked)


def cameo_media_visible_to(*, user: User, name: str) -> bool | None:
    """Whether a cameo file may be served: None for files that aren't cameo media.

    Uploaded clips are never served. A thumbnail goes to its owner and to the people who may
    put the cameo in a video (they pick it by face); reference crops go to the owner only.
    """
    folder, _, _rest = name.partition("/")
    if folder == "cameo-clips":
        return False
    if folder != "cameos":
        return None
    if not getattr(user, "is_authenticated", False):
        return False
    cameo = Cameo.objects.select_related("owner").filter(thumbnail=name).first()
    if cameo is not None:
        return cameo_use_refusal(cameo=cameo, user=user) is None
    return Cameo.objects.filter(owner=user, references__image=name).exists()


def likeness_holds_for(*, owner: User) -> list[Any]:
    """Videos the likeness guard held because a face in them looked like this person."""
    from safety.models import LikenessMatch

    matches = (
        LikenessMatch.objects.select_related("scan__job__creator")
        .filter(cameo_owner=owner)
        .order_by("-created_at")
    )
    seen: dict[int, Any] = {}
    for match in matches:
        seen.setdefault(match.scan.job_id, match)
    return list(seen.values())
