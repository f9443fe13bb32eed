"""Writes for cameos. Every consent decision writes a ConsentEvent in the same transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from accounts.blocked import is_blocked_between
from accounts.models import User
from accounts.selectors.teens import teen_cameo_cap_refusal, teen_cameo_level_refusal
from accounts.services.users import notify, require_can_write
from cameo.models import (
    Cameo,
    CameoGrant,
    CameoReference,
    CameoUse,
)
from cameo.selectors import (
    active_grant_q,
    ask_again_from,
    cameo_use_refusal,
    said_no_sentence,
    uses_by_others,
)
from cameo.services.uses import consent_event_create
from generation.services.takedown import generation_takedown
from safety.services.text_checks import text_check
from sora_site import storage

if TYPE_CHECKING:
    from collections.abc import Sequence

MAX_GRANT_DAYS = 365


def _face_files(cameo: Cameo) -> list[str]:
    names = [cameo.thumbnail.name] if cameo.thumbnail else []
    return names + [ref.image.name for ref in cameo.references.all()]


@transaction.atomic
def cameo_mark_verified(
    *,
    owner: User,
    display_name: str,
    embedding: list[float],
    thumbnail: bytes | None = None,
    references: Sequence[bytes] = (),
) -> Cameo:
    """Record a verified likeness: the mean face embedding, a JPEG thumbnail and reference crops.

    The verification job calls this with what it measured. Re-verifying replaces the face data
    of the earlier recording, whose files are deleted once this commits.
    """
    if len(embedding) != 128:
        raise ValueError("A face embedding has 128 numbers.")
    cameo, created = Cameo.objects.select_for_update().get_or_create(
        owner=owner, defaults={"display_name": display_name.strip()[:60] or owner.username}
    )
    old_files = [] if created else _face_files(cameo)
    cameo.references.all().delete()
    cameo.display_name = display_name.strip()[:60] or cameo.display_name or owner.username
    cameo.state, cameo.rejection_reason = Cameo.State.VERIFIED, ""
    cameo.embedding = [float(x) for x in embedding]
    cameo.verified_at = timezone.now()
    if thumbnail is not None:
        cameo.thumbnail.save(f"{owner.pk}-thumb.jpg", ContentFile(thumbnail), save=False)
    cameo.save()
    for position, data in enumerate(references):
        ref = CameoReference(cameo=cameo, position=position)
        ref.image.save(f"{owner.pk}-ref{position}.jpg", ContentFile(data), save=False)
        ref.save()
    storage.delete_files_on_commit([n for n in old_files if n not in _face_files(cameo)])
    consent_event_create(
        cameo=cameo, actor=owner, action="re-verified" if not created else "verified"
    )
    return cameo


@transaction.atomic
def cameo_settings_update(
    *,
    owner: User,
    permission: str | None = None,
    approve_each_video: bool | None = None,
    protect_likeness: bool | None = None,
    display_name: str | None = None,
    instructions: str | None = None,
    restrictions: str | None = None,
) -> Cameo:
    """Change who may use a cameo and how. Lowering the level takes down, in this transaction,
    every video made by people who lose access."""
    cameo = get_object_or_404(Cameo.objects.select_for_update(), owner=owner)
    changes: dict[str, Any] = {}
    if permission is not None:
        if permission not in Cameo.Permission.values:
            raise ValidationError("Choose who may use your cameo from the list.")
        if refusal := teen_cameo_level_refusal(owner, permission):
            raise ValidationError(refusal)
        changes["permission"] = permission
    if approve_each_video is not None:
        changes["approve_each_video"] = approve_each_video
    if protect_likeness is not None:
        changes["protect_likeness"] = protect_likeness
    changes.update(_text_settings(display_name, instructions, restrictions))
    changes = {f: v for f, v in changes.items() if getattr(cameo, f) != v}
    if not changes:
        return cameo
    before = {field: getattr(cameo, field) for field in changes}
    allowed_before = _creators_allowed(cameo) if "permission" in changes else set()
    for field, value in changes.items():
        setattr(cameo, field, value)
    cameo.save(update_fields=list(changes))
    receipt = _take_down_lost_access(cameo, allowed_before)
    consent_event_create(
        cameo=cameo, actor=owner, action="settings_changed", before=before, after=changes,
        **receipt.audit_detail(),
    )  # fmt: skip
    return cameo


TEXT_LIMIT = 500


def _text_settings(
    display_name: str | None, instructions: str | None, restrictions: str | None
) -> dict[str, str]:
    changes = {}
    if display_name is not None:
        name = display_name.strip()
        if not name or len(name) > 60:
            raise ValidationError("Give your cameo a name of 1 to 60 characters.")
        changes["display_name"] = name
    for field, value in (("instructions", instructions), ("restrictions", restrictions)):
        if value is None:
            continue
        if len(value) > TEXT_LIMIT:
            raise ValidationError(
                f"Keep your {field} to {TEXT_LIMIT} characters; these are {len(value)}."
            )
        changes[field] = value.strip()
    # Instructions go into other people's prompts, so they pass the same checks a prompt does;
    # a doubtful one ("hold") is refused here, as there is no video yet to review.
    instructions = changes.get("instructions")
    if instructions and text_check(text=instructions, kind="cameo_instructions") != "allow":
        raise ValidationError(
            "Those instructions need rewording: keep them to how you look and appear."
        )
    return changes


@transaction.atomic
def cameo_grant_request(*, requester: User, cameo_id: int) -> CameoGrant:
    """Ask an owner for permission to use their cameo."""
    require_can_write(requester)
    cameo = Cameo.objects.select_related("owner").filter(pk=cameo_id).first()
    if cameo is None or cameo.state != Cameo.State.VERIFIED:
        raise ValidationError("That cameo no longer exists.")
    name = f"@{cameo.owner.username}"
    if cameo.owner_id == requester.pk:
        raise ValidationError("This is your own cameo; you can already use it.")
    if is_blocked_between(requester, cameo.owner):
        raise ValidationError(f"You can't ask to use {name}'s cameo.")
    if refusal := teen_cameo_cap_refusal(cameo, requester):
        raise ValidationError(refusal)
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
    consent_event_create(cameo=cameo, actor=requester, action="grant_requested", subject=requester)
    notify(
        recipient=cameo.owner,
        kind="cameo_request",
        text=f"@{requester.username} asked to use your cameo.",
        url=reverse("profile", args=[requester.username]),
        actor=requester,
    )
    return grant


def _check_can_ask_again(grant: CameoGrant, name: str, now: dt.datetime) -> None:
    """A person may ask again once a permission has expired, or once the cooling-off after a
    no has passed (``cameo.selectors.ask_again_from`` says why it exists)."""
    if grant.state == CameoGrant.State.REQUESTED:
        raise ValidationError(f"You've already asked; {name} hasn't answered yet.")
    again = ask_again_from(grant)
    if again is not None and again > now:
        raise ValidationError(said_no_sentence(grant, name=name, now=now) or "")
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
    notify(
        recipient=grant.grantee, kind=action,
        text=f"@{owner.username} {'approved' if approve else 'declined'} your request to use "
        "their cameo.", actor=owner,
    )  # fmt: skip
    consent_event_create(
        cameo=grant.cameo, actor=owner, action=action, subject=grant.grantee,
        expires_at=grant.expires_at.isoformat() if grant.expires_at else None,
    )  # fmt: skip
    return grant


@dataclass(frozen=True)
class TakedownReceipt:
    """What the owner is shown after withdrawing consent: how many videos came down, and when.

    ``taken_down`` describes each video (job, creator's handle, the start of the prompt). It goes
    into the audit row, which outlives the cameo, so the owner keeps their receipts after
    deleting it (``cameo.selectors.takedown_receipts_for``)."""

    videos: int
    at: dt.datetime
    taken_down: tuple[dict[str, Any], ...] = ()

    def audit_detail(self) -> dict[str, Any]:
        return {"videos_taken_down": self.videos, "taken_down": list(self.taken_down)}


RECEIPT_PROMPT_CHARS = 90


def _take_down(uses: Any, *, reason: str) -> TakedownReceipt:
    """Revoke these uses and take down every job behind them (draft, post or still rendering)
    through the one takedown every path uses.

    Each creator gets one notice for the whole action, with the count, filed under Cameo: one
    revoke that takes down six videos is one event to them, not six moderation notices."""
    rows = uses.values_list("job_id", "job__creator_id", "job__creator__username", "job__prompt")
    jobs = {pk: (creator_id, handle, prompt) for pk, creator_id, handle, prompt in rows}
    down = generation_takedown(job_ids=sorted(jobs), reason=reason, notice=None)
    uses.update(state=CameoUse.State.REVOKED, decided_at=down.at)
    by_creator: dict[int, list[int]] = {}
    for pk in down.job_ids:  # those already down were told when they came down
        by_creator.setdefault(jobs[pk][0], []).append(pk)
    for creator_id, pks in by_creator.items():
        _notify_takedown(creator_id, pks, reason)
    taken_down = tuple(
        {"job": pk, "by": jobs[pk][1], "prompt": jobs[pk][2][:RECEIPT_PROMPT_CHARS]}
        for pk in down.job_ids
    )
    return TakedownReceipt(videos=len(down.job_ids), at=down.at, taken_down=taken_down)


def _notify_takedown(creator_id: int, job_ids: list[int], reason: str) -> None:
    if len(job_ids) == 1:
        text, url = "One of your videos was taken down.", reverse("generation:job", args=job_ids)
    else:
        text, url = f"{len(job_ids)} of your videos were taken down.", reverse("generation:drafts")
    notify(recipient_id=creator_id, kind="cameo_takedown", text=f"{text} {reason}", url=url)


@transaction.atomic
def cameo_grant_revoke(*, owner: User, grant_id: int) -> TakedownReceipt:
    """Take back a person's permission, and take down every video they made with the cameo."""
    grant = _owned_grant(owner, grant_id)
    if grant.state != CameoGrant.State.APPROVED:
        raise ValidationError("Only an approved permission can be revoked.")
    grant.state, grant.decided_at = CameoGrant.State.REVOKED, timezone.now()
    grant.save(update_fields=["state", "decided_at"])
    receipt = _take_down(
        uses_by_others(cameo=grant.cameo, creator=grant.grantee),
        reason=f"@{owner.username} withdrew permission to use their cameo.",
    )
    consent_event_create(
        cameo=grant.cameo, actor=owner, action="grant_revoked", subject=grant.grantee,
        **receipt.audit_detail(),
    )  # fmt: skip
    return receipt


def _creators_allowed(cameo: Cameo) -> set[int]:
    """The people with videos of this cameo who may use it right now."""
    creators = User.objects.filter(
        pk__in=uses_by_others(cameo=cameo).values_list("job__creator_id")
    )
    return {u.pk for u in creators if cameo_use_refusal(cameo=cameo, user=u) is None}


def _take_down_lost_access(cameo: Cameo, allowed_before: set[int]) -> TakedownReceipt:
    """After a change of level, take down the videos of people who had access and lost it.
    (Someone whose grant had already expired keeps what they made while it was valid.)"""
    lost = allowed_before - _creators_allowed(cameo)
    return _take_down(
        uses_by_others(cameo=cameo).filter(job__creator_id__in=lost),
        reason=f"@{cameo.owner.username} changed who may use their cameo.",
    )


@transaction.atomic
def cameo_delete(*, owner: User) -> TakedownReceipt:
    """Delete a cameo now: its face data and media go at once, and every video others made
    with it comes down."""
    cameo = get_object_or_404(Cameo.objects.select_for_update(), owner=owner)
    receipt = _take_down(
        uses_by_others(cameo=cameo), reason=f"@{owner.username} deleted their cameo."
    )
    consent_event_create(cameo=cameo, actor=owner, action="deleted", **receipt.audit_detail())
    storage.delete_files_on_commit(_face_files(cameo))
    cameo.delete()
    return receipt


@transaction.atomic
def cameo_use_decide(*, owner: User, use_id: int, approve: bool) -> CameoUse:
    """The owner approves or declines one video that uses their cameo."""
    use = get_object_or_404(
        CameoUse.objects.select_for_update().select_related("cameo", "job__creator"),
        pk=use_id,
        cameo__owner=owner,
    )
    if use.state != CameoUse.State.AWAITING:
        raise ValidationError("This video has already been answered.")
    if approve:
        use.state, use.decided_at = CameoUse.State.APPROVED, timezone.now()
        use.save(update_fields=["state", "decided_at"])
        notify(
            recipient=use.job.creator, kind="use_approved",
            text=f"@{owner.username} approved your video with their cameo. You can publish it.",
            url=reverse("generation:job", args=[use.job_id]), actor=owner,
        )  # fmt: skip
    detail: dict[str, Any] = {}
    if not approve:
        detail = _take_down(
            CameoUse.objects.filter(pk=use.pk),
            reason=f"@{owner.username} declined this video with their cameo.",
        ).audit_detail()
        use.refresh_from_db()
    action = "use_approved" if approve else "use_declined"
    consent_event_create(
        cameo=use.cameo, actor=owner, action=action, subject=use.job.creator, job=use.job_id,
        **detail,
    )  # fmt: skip
    return use


@transaction.atomic
def cameo_use_take_down(*, owner: User, use_id: int) -> TakedownReceipt:
    """The owner takes down one video that uses their cameo, draft or post, whoever made it."""
    use = get_object_or_404(
        CameoUse.objects.select_for_update().select_related("cameo", "job"),
        pk=use_id,
        cameo__owner=owner,
    )
    if use.job.taken_down_at is not None:
        raise ValidationError("This video has already been taken down.")
    receipt = _take_down(
        CameoUse.objects.filter(pk=use.pk),
        reason=f"@{owner.username} removed this video with their cameo.",
    )
    consent_event_create(
        cameo=use.cameo, actor=owner, action="video_taken_down", subject=use.job.creator,
        job=use.job_id, **receipt.audit_detail(),
    )  # fmt: skip
    return receipt


def cameo_uses_end_for_block(*, blocker: User, blocked: User) -> TakedownReceipt:
    """A block ends consent both ways: take down what each made with the other's cameo."""
    pairs = [(blocker, blocked), (blocked, blocker)]
    videos, at = 0, timezone.now()
    for owner, creator in pairs:
        cameo = Cameo.objects.filter(owner=owner).first()
        if cameo is None:
            continue
        receipt = _take_down(
            uses_by_others(cameo=cameo, creator=creator), reason="One of you blocked the other."
        )
        if receipt.videos:
            consent_event_create(
                cameo=cameo, actor=blocker, action="blocked", subject=creator,
                **receipt.audit_detail(),
            )  # fmt: skip
        videos, at = videos + receipt.videos, receipt.at
    return TakedownReceipt(videos=videos, at=at)
