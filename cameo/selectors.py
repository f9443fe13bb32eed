"""Who may use a cameo. One rule, read by every path that puts a face into a video."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.formats import date_format

from accounts.blocked import is_blocked_between
from accounts.follows import are_mutuals
from accounts.models import User
from accounts.selectors.teens import teen_cameo_cap_refusal
from cameo.models import Cameo, CameoGrant, CameoUse, CameoVerification, ConsentEvent
from safety.models import LikenessMatch

Permission = Cameo.Permission


def active_grant_q(now: dt.datetime) -> Q:
    return Q(state=CameoGrant.State.APPROVED) & (Q(expires_at__isnull=True) | Q(expires_at__gt=now))


def cameo_use_refusal(*, cameo: Cameo, user: User) -> str | None:
    """None when ``user`` may put ``cameo`` in a new video; otherwise the sentence saying why not.

    The owner always may. Nobody else may while the cameo is unverified or when either has
    blocked the other, nor may an adult use a teen's (accounts.selectors.teens). Above "only
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
    grant = CameoGrant.objects.filter(cameo=cameo, grantee=user).first()
    if grant is not None and CameoGrant.objects.filter(active_grant_q(now), pk=grant.pk).exists():
        return None
    if cameo.permission == Permission.MUTUALS and are_mutuals(user, owner):
        return None
    return _no_grant_refusal(grant, name, now)


def _no_grant_refusal(grant: CameoGrant | None, name: str, now: dt.datetime) -> str:
    """What is true of a person without a valid permission, so the prompt never sends them to
    ask when asking would be refused."""
    State = CameoGrant.State
    if grant is not None and (closed := said_no_sentence(grant, name=name, now=now)):
        return closed
    if grant is not None and grant.state == State.APPROVED:
        return f"Your permission to use {name}'s cameo has expired. Ask again."
    if grant is not None and grant.state == State.REQUESTED:
        return f"You asked to use {name}'s cameo; they haven't answered yet."
    return f"{name}'s cameo needs their approval. Ask to use it first."


# A "no" (a declined request or a revoked permission) holds for 30 days from the owner's
# decision, then the person may ask once more.
ASK_AGAIN_AFTER = dt.timedelta(days=30)


def ask_again_from(grant: CameoGrant) -> dt.datetime | None:
    """When a person an owner said no to may ask again; None unless the owner said no.

    Why a cooling-off period and not never or at once: asking again straight away would turn a
    no into pestering, and the owner just decided. Never would make one decision last for good,
    though people and friendships change, and a lasting no is what blocking is for (a block
    ends requests both ways for as long as it stands). Thirty days is long enough not to feel
    like pressure and short enough that a misunderstanding can be mended. The request service,
    the profile and the prompt all read this one date.
    """
    if grant.state not in (CameoGrant.State.DECLINED, CameoGrant.State.REVOKED):
        return None
    return (grant.decided_at or grant.created_at) + ASK_AGAIN_AFTER


def said_no_sentence(grant: CameoGrant, *, name: str, now: dt.datetime) -> str | None:
    """What a person an owner said no to is told, and when they may ask again."""
    again = ask_again_from(grant)
    if again is None:
        return None
    if grant.state == CameoGrant.State.REVOKED:
        said = f"{name} has withdrawn permission."
    else:
        said = f"{name} said no to using their cameo."
    if again > now:
        return f"{said} You can ask again from {date_format(timezone.localtime(again), 'j F Y')}."
    return f"{said} You can ask again on their profile."


MAX_CAMEOS_PER_VIDEO = 3
_HANDLE = re.compile(r"(?<![\w@])@([A-Za-z0-9_]{3,30})\b")


def cameos_named_in(prompt: str) -> list[Cameo]:
    """The cameos a prompt names as @handle (handles without a cameo stay plain text)."""
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


def approvals_awaited(*, job_id: int) -> list[str]:
    """The handles of the owners who approve each video with their cameo and have not yet
    answered for this one: until this is empty, the video can't be published."""
    uses = CameoUse.objects.filter(job_id=job_id, state=CameoUse.State.AWAITING)
    names = uses.order_by("cameo__owner__username").values_list("cameo__owner__username", flat=True)
    return [f"@{name}" for name in names]


@dataclass(frozen=True)
class TakedownRecord:
    """One of the owner's receipts: when they took videos down, why, and which ones."""

    at: dt.datetime
    why: str
    videos: int
    taken_down: list[dict[str, Any]]
    action: str


def _receipt_why(event: ConsentEvent) -> str:
    who = f"@{event.subject.username}" if event.subject is not None else "someone"
    return {
        "grant_revoked": f"You withdrew {who}'s permission.",
        "settings_changed": "You changed who may use your cameo.",
        "deleted": "You deleted your cameo and its face data.",
        "use_declined": f"You declined a video {who} made.",
        "video_taken_down": f"You took down a video {who} made.",
        "blocked": f"A block between you and {who} ended consent.",
    }[event.action]


RECEIPT_ACTIONS = (
    "grant_revoked", "settings_changed", "deleted", "use_declined", "video_taken_down", "blocked",
)  # fmt: skip


def takedown_receipts_for(*, owner: User) -> list[TakedownRecord]:
    """Every takedown the owner's consent decisions caused, newest first, read from the audit
    log, which outlives the cameo: deleting it does not delete what it took down, or when.

    Rows written before receipts listed their videos carry only a count."""
    events = (
        ConsentEvent.objects.select_related("subject")
        .filter(cameo_owner=owner, action__in=RECEIPT_ACTIONS)
        .order_by("-created_at", "-id")
    )
    records = []
    for event in events:
        taken_down = list(event.detail.get("taken_down", []))
        single = 1 if event.action in ("use_declined", "video_taken_down") else 0
        videos = event.detail.get("videos_taken_down", len(taken_down) or single)
        if videos or event.action == "deleted":
            records.append(
                TakedownRecord(
                    at=event.created_at,
                    why=_receipt_why(event),
                    videos=videos,
                    taken_down=taken_down,
                    action=event.action,
                )  # fmt: skip
            )
    return records


def cameo_deleted_at(*, owner: User) -> dt.datetime | None:
    """When the person last deleted their cameo, if they have none now."""
    if Cameo.objects.filter(owner=owner).exists():
        return None
    event = ConsentEvent.objects.filter(cameo_owner=owner, action="deleted").first()
    return event.created_at if event is not None else None


def use_get_for_owner(*, owner: User, use_id: int) -> CameoUse:
    return get_object_or_404(
        CameoUse.objects.select_related("job__creator", "cameo"), pk=use_id, cameo__owner=owner
    )


@dataclass(frozen=True)
class CameoOnProfile:
    """What a visitor may do about the cameo of the person whose profile they are on, and
    ``note``: the sentence saying why, when there is nothing to press."""

    cameo: Cameo | None
    usable: bool = False
    can_ask: bool = False
    asked: bool = False
    note: str = ""


def cameo_on_profile(*, viewer: User, owner: User) -> CameoOnProfile:
    cameo = Cameo.objects.filter(owner=owner, state=Cameo.State.VERIFIED).first()
    if cameo is None or not viewer.is_authenticated or viewer.pk == owner.pk:
        return CameoOnProfile(cameo=cameo, usable=cameo is not None and viewer.pk == owner.pk)
    if is_blocked_between(viewer, owner):
        return CameoOnProfile(cameo=None)
    if cameo_use_refusal(cameo=cameo, user=viewer) is None:
        return CameoOnProfile(cameo=cameo, usable=True)
    name = f"@{owner.username}"
    if cameo.permission == Permission.ONLY_ME:
        return CameoOnProfile(cameo=cameo, note=f"{name}'s cameo is private.")
    if refusal := teen_cameo_cap_refusal(cameo, viewer):
        return CameoOnProfile(cameo=cameo, note=refusal)
    grant = CameoGrant.objects.filter(cameo=cameo, grantee=viewer).first()
    if grant is not None and grant.state == CameoGrant.State.REQUESTED:
        return CameoOnProfile(cameo=cameo, asked=True)
    now = timezone.now()
    again = ask_again_from(grant) if grant is not None else None
    if again is not None and again > now:
        return CameoOnProfile(cameo=cameo, note=said_no_sentence(grant, name=name, now=now) or "")
    return CameoOnProfile(cameo=cameo, can_ask=True)


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
    matches = (
        LikenessMatch.objects.select_related("scan__job__creator")
        .filter(cameo_owner=owner)
        .order_by("-created_at")
    )
    seen: dict[int, Any] = {}
    for match in matches:
        seen.setdefault(match.scan.job_id, match)
    return list(seen.values())
