"""Writes for teen accounts: their settings (a parent's changes logged for the teen), the
parent link, requests for more time, and turning 18. Reads and the rules other apps ask about
live in ``accounts.selectors.teens``.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from accounts.blocked import is_blocked_between
from accounts.models import (
    ADULT_AGE,
    TEEN_SETTING_LABELS,
    LimitExtensionRequest,
    ParentChange,
    ParentLink,
    TeenSettings,
    User,
    age_on,
)
from accounts.selectors.teens import (
    LEVELS,
    REACH_LEVELS,
    active_link_of,
    is_teen_now,
    local_today,
    quiet_window_minutes,
)
from accounts.services.users import notify, require_can_write
from cameo.models import Cameo
from cameo.services.consent import cameo_settings_update
from feed.models import FeedPreference
from feed.services.budget import MAX_BUDGET_MINUTES, MIN_BUDGET_MINUTES, budget_set

Permission = Cameo.Permission
EXTENSION_CHOICES = (15, 30, 60)
EXTENSIONS_PER_DAY = 3
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
CODE_LENGTH = 8
CODE_LIFETIME = dt.timedelta(hours=24)
SETTING_FIELDS = (
    "personalised",
    "dms_enabled",
    "daily_limit_minutes",
    "quiet_start",
    "quiet_end",
    "cameo_cap",
    "comments_from",
    "remixes_from",
    "videos_seen_by",
)
AUDIENCE_LEVELS: list[str] = list(TeenSettings.Audience.values)  # narrowest first
AUDIENCE_REFUSAL = "Choose who can see the videos from the list."
WIDEN_REFUSAL = "You can narrow who can see your videos, but only a parent can widen it."
REACH_WORDS = {"comments_from": "comment on", "remixes_from": "remix"}
REACH_FIELDS = tuple(REACH_WORDS)
FIELD_LABELS = TEEN_SETTING_LABELS


# --- Settings -----------------------------------------------------------------------------------


def shown_value(field: str, value: Any) -> str:
    """A setting's value in the words the teen and parent read."""
    if field in ("personalised", "dms_enabled"):
        return "On" if value else "Off"
    if field == "daily_limit_minutes":
        return f"{value} minutes"
    if field in ("quiet_start", "quiet_end"):
        return value.strftime("%H:%M")
    if field in REACH_FIELDS:
        return str(TeenSettings.Reach(value).label)
    if field == "videos_seen_by":
        return str(TeenSettings.Audience(value).label)
    return str(Permission(value).label)


def _limit_refusal(minutes: int) -> str | None:
    if MIN_BUDGET_MINUTES <= minutes <= MAX_BUDGET_MINUTES:
        return None
    return (
        f"{minutes:,} minutes isn't a daily limit we can keep. Choose between "
        f"{MIN_BUDGET_MINUTES} and {MAX_BUDGET_MINUTES} minutes (12 hours)."
    )


def _checked_changes(row: TeenSettings, values: dict[str, Any]) -> dict[str, Any]:
    """The given values that differ from ``row``, each checked; refusals name their field."""
    values = {f: v for f, v in values.items() if v is not None}
    for field in ("quiet_start", "quiet_end"):
        if field in values:
            values[field] = values[field].replace(second=0, microsecond=0, tzinfo=None)
    errors: dict[str, str] = {}
    minutes = values.get("daily_limit_minutes")
    if minutes is not None and (refusal := _limit_refusal(minutes)):
        errors["daily_limit_minutes"] = refusal
    if values.get("cameo_cap", LEVELS[0]) not in LEVELS:
        errors["cameo_cap"] = "Choose who may use the cameo from the list."
    for field, what in REACH_WORDS.items():
        if values.get(field, REACH_LEVELS[0]) not in REACH_LEVELS:
            errors[field] = f"Choose who may {what} the videos from the list."
    if values.get("videos_seen_by", AUDIENCE_LEVELS[0]) not in AUDIENCE_LEVELS:
        errors["videos_seen_by"] = AUDIENCE_REFUSAL
    start = values.get("quiet_start", row.quiet_start)
    if start == values.get("quiet_end", row.quiet_end):
        errors["quiet_end"] = (
            "Quiet hours need different start and end times, such as 22:00 to 07:00."
        )
    if errors:
        raise ValidationError(errors)
    return {f: v for f, v in values.items() if getattr(row, f) != v}


def _loosenings(row: TeenSettings, changes: dict[str, Any]) -> dict[str, str]:
    """What in ``changes`` would loosen the teen's settings, by field, as sentences."""
    refused: dict[str, str] = {}
    if changes.get("personalised"):
        refused["personalised"] = "Only a linked parent can turn on a personalised feed."
    if changes.get("dms_enabled"):
        refused["dms_enabled"] = "Only a linked parent can turn direct messages on."
    if changes.get("daily_limit_minutes", 0) > row.daily_limit_minutes:
        refused["daily_limit_minutes"] = (
            "You can lower your daily limit but not raise it. Ask your parent for more time "
            "instead."
        )
    start = changes.get("quiet_start", row.quiet_start)
    end = changes.get("quiet_end", row.quiet_end)
    if not quiet_window_minutes(row.quiet_start, row.quiet_end) <= quiet_window_minutes(start, end):
        refused["quiet_start"] = (
            "You can make quiet hours longer but not shorter: start them earlier or end them later."
        )
    cap = changes.get("cameo_cap", row.cameo_cap)
    if LEVELS.index(cap) > LEVELS.index(row.cameo_cap):
        refused["cameo_cap"] = (
            "You can narrow who may use your cameo, but only a parent can widen it."
        )
    for field, what in REACH_WORDS.items():
        reach = changes.get(field, getattr(row, field))
        if REACH_LEVELS.index(reach) > REACH_LEVELS.index(getattr(row, field)):
            refused[field] = (
                f"You can narrow who may {what} your videos, but only a parent can widen it."
            )
    if _widens(row.videos_seen_by, changes.get("videos_seen_by", row.videos_seen_by)):
        refused["videos_seen_by"] = WIDEN_REFUSAL
    return refused


def _widens(old: str, new: str) -> bool:
    return AUDIENCE_LEVELS.index(new) > AUDIENCE_LEVELS.index(old)


def _settings_for_update(teen: User) -> TeenSettings:
    row, _ = TeenSettings.objects.select_for_update().get_or_create(user=teen)
    return row


def _apply(row: TeenSettings, changes: dict[str, Any]) -> None:
    for field, value in changes.items():
        setattr(row, field, value)
    row.save(update_fields=[*changes, "updated_at"])
    if "cameo_cap" in changes:
        _narrow_cameo_to_cap(row.user, changes["cameo_cap"])


def _narrow_cameo_to_cap(teen: User, cap: str) -> None:
    """A lower cap narrows the cameo at once, taking down videos by people who lose access."""
    cameo = Cameo.objects.filter(owner=teen).first()
    if cameo is not None and LEVELS.index(cameo.permission) > LEVELS.index(cap):
        cameo_settings_update(owner=teen, permission=cap)


def _values(**values: Any) -> dict[str, Any]:
    return {f: values[f] for f in SETTING_FIELDS if values.get(f) is not None}


@transaction.atomic
def teen_settings_tighten(
    *,
    teen: User,
    personalised: bool | None = None,
    dms_enabled: bool | None = None,
    daily_limit_minutes: int | None = None,
    quiet_start: dt.time | None = None,
    quiet_end: dt.time | None = None,
    cameo_cap: str | None = None,
    comments_from: str | None = None,
    remixes_from: str | None = None,
    videos_seen_by: str | None = None,
) -> TeenSettings:
    """The teen changes their own settings: stricter is allowed, looser is refused by field."""
    _require_teen(teen, "Only teen accounts have teen settings.")
    row = _settings_for_update(teen)
    changes = _checked_changes(
        row,
        _values(
            personalised=personalised, dms_enabled=dms_enabled,
            daily_limit_minutes=daily_limit_minutes, quiet_start=quiet_start,
            quiet_end=quiet_end, cameo_cap=cameo_cap, comments_from=comments_from,
            remixes_from=remixes_from, videos_seen_by=videos_seen_by,
        ),
    )  # fmt: skip
    if refused := _loosenings(row, changes):
        raise ValidationError(refused)
    if changes:
        _apply(row, changes)
    return row


@transaction.atomic
def teen_settings_update_by_parent(
    *,
    parent: User,
    link_id: int,
    personalised: bool | None = None,
    dms_enabled: bool | None = None,
    daily_limit_minutes: int | None = None,
    quiet_start: dt.time | None = None,
    quiet_end: dt.time | None = None,
    cameo_cap: str | None = None,
    comments_from: str | None = None,
    remixes_from: str | None = None,
    videos_seen_by: str | None = None,
) -> list[ParentChange]:
    """A linked parent changes their teen's settings, either way. Each change is logged for the
    teen in this transaction, and the teen is told."""
    link = _parents_link_for_update(parent, link_id)
    if not is_teen_now(link.teen):
        raise ValidationError(
            f"@{link.teen.username} is 18 now, so teen settings no longer apply to them."
        )
    row = _settings_for_update(link.teen)
    changes = _checked_changes(
        row,
        _values(
            personalised=personalised, dms_enabled=dms_enabled,
            daily_limit_minutes=daily_limit_minutes, quiet_start=quiet_start,
            quiet_end=quiet_end, cameo_cap=cameo_cap, comments_from=comments_from,
            remixes_from=remixes_from, videos_seen_by=videos_seen_by,
        ),
    )  # fmt: skip
    if not changes:
        return []
    logged = [
        ParentChange(
            teen=link.teen,
            link=link,
            field=field,
            old_value=shown_value(field, getattr(row, field)),
            new_value=shown_value(field, value),
        )  # fmt: skip
        for field, value in changes.items()
    ]
    _apply(row, changes)
    ParentChange.objects.bulk_create(logged)
    summary = "; ".join(f"{FIELD_LABELS[c.field]} {c.old_value} → {c.new_value}" for c in logged)
    notify(
        recipient=link.teen, kind="parent_change",
        text=f"@{parent.username} changed your settings: {summary}.",
        url=reverse("accounts:teen_changes"), actor=parent,
    )  # fmt: skip
    return logged


def _require_teen(user: User, sentence: str) -> None:
    if not is_teen_now(user):
        raise ValidationError(sentence)


# --- The parent link ----------------------------------------------------------------------------


def code_normalised(text: str) -> str:
    """What a person typed, as stored: no spaces or dashes, upper case."""
    return re.sub(r"[\s-]+", "", text or "").upper()


def _new_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not ParentLink.objects.filter(code=code).exists():
            return code


@transaction.atomic
def parent_link_code_create(*, parent: User, now: dt.datetime | None = None) -> ParentLink:
    """An adult makes a one-use code for their teen to enter; it works for 24 hours, and it
    replaces any code of theirs nobody has used yet."""
    require_can_write(parent)
    if is_teen_now(parent):
        raise ValidationError(
            "Only adults can create a parent link code. Ask your parent to create one, then "
            "enter it on your teen settings page."
        )
    now = now or timezone.now()
    ParentLink.objects.filter(parent=parent, teen__isnull=True, ended_at__isnull=True).update(
        ended_at=now, end_reason=ParentLink.EndReason.REPLACED
    )
    return ParentLink.objects.create(
        parent=parent, code=_new_code(), code_expires_at=now + CODE_LIFETIME
    )


@transaction.atomic
def parent_link_accept(*, teen: User, code: str, now: dt.datetime | None = None) -> ParentLink:
    """A teen enters their parent's code; from then on the parent manages their settings."""
    _require_teen(
        teen,
        "Only teen accounts can accept a parent link code. Adults create codes on the family page.",
    )
    now = now or timezone.now()
    if (current := active_link_of(teen)) is not None:
        raise ValidationError(
            f"You're already linked to @{current.parent.username}. Ask to unlink first if you "
            "want to link to someone else."
        )
    link = (
        ParentLink.objects.select_for_update()
        .select_related("parent")
        .filter(code=code_normalised(code), teen__isnull=True, ended_at__isnull=True)
        .first()
    )
    if link is None or not link.parent.is_active:
        raise ValidationError(
            "That code doesn't match any link. Check it with your parent and type it again."
        )
    if link.code_expires_at <= now:
        raise ValidationError(
            "That code has expired. Ask your parent to make a new one on their family page."
        )
    if is_blocked_between(teen, link.parent):
        raise ValidationError("You can't link to this account.")
    link.teen, link.accepted_at = teen, now
    link.save(update_fields=["teen", "accepted_at"])
    notify(
        recipient=link.parent, kind="parent_link",
        text=f"@{teen.username} accepted your link. You can now manage their teen settings.",
        url=reverse("accounts:family"), actor=teen,
    )  # fmt: skip
    return link


def _parents_link_for_update(parent: User, link_id: int) -> ParentLink:
    """One of this parent's active links; anyone else's (or an ended one) is a 404."""
    return get_object_or_404(
        ParentLink.objects.select_for_update().select_related("teen", "parent"),
        pk=link_id,
        parent=parent,
        teen__isnull=False,
        ended_at__isnull=True,
    )


def _end(link: ParentLink, reason: str, now: dt.datetime) -> None:
    link.ended_at, link.end_reason = now, reason
    link.save(update_fields=["ended_at", "end_reason"])
    LimitExtensionRequest.objects.filter(
        link=link, state=LimitExtensionRequest.State.PENDING
    ).update(state=LimitExtensionRequest.State.DECLINED, decided_at=now)


@transaction.atomic
def parent_link_unlink_request(*, teen: User, now: dt.datetime | None = None) -> ParentLink:
    """A teen asks to unlink; it happens only when the parent approves."""
    link = (
        ParentLink.objects.select_for_update()
        .select_related("parent")
        .filter(teen=teen, ended_at__isnull=True)
        .first()
    )
    if link is None:
        raise ValidationError("You aren't linked to a parent, so there is nothing to unlink.")
    if link.unlink_requested_at is not None:
        raise ValidationError(
            f"You've already asked @{link.parent.username} to unlink; they haven't answered yet."
        )
    link.unlink_requested_at = now or timezone.now()
    link.save(update_fields=["unlink_requested_at"])
    notify(
        recipient=link.parent, kind="unlink_request",
        text=f"@{teen.username} asked to unlink from you. Approve or decline on your family page.",
        url=reverse("accounts:family"), actor=teen,
    )  # fmt: skip
    return link


@transaction.atomic
def parent_link_unlink_decide(
    *, parent: User, link_id: int, approve: bool, now: dt.datetime | None = None
) -> ParentLink:
    """The parent answers their teen's request to unlink."""
    link = _parents_link_for_update(parent, link_id)
    if link.unlink_requested_at is None:
        raise ValidationError(f"@{link.teen.username} hasn't asked to unlink.")
    if approve:
        _end(link, ParentLink.EndReason.UNLINK_APPROVED, now or timezone.now())
        text = (
            f"@{parent.username} approved your request to unlink. Your settings stay as they "
            "are, and you can only make them stricter."
        )
    else:
        link.unlink_requested_at = None
        link.save(update_fields=["unlink_requested_at"])
        text = f"@{parent.username} declined your request to unlink, so you're still linked."
    notify(
        recipient=link.teen, kind="unlink_decided", text=text, url=reverse("accounts:teen"),
        actor=parent,
    )  # fmt: skip
    return link


@transaction.atomic
def parent_link_end(*, parent: User, link_id: int, now: dt.datetime | None = None) -> ParentLink:
    """The parent unlinks; the teen keeps their settings as they are."""
    link = _parents_link_for_update(parent, link_id)
    _end(link, ParentLink.EndReason.PARENT_UNLINKED, now or timezone.now())
    notify(
        recipient=link.teen, kind="unlink_decided",
        text=f"@{parent.username} unlinked from your account. Your settings stay as they are.",
        url=reverse("accounts:teen"), actor=parent,
    )  # fmt: skip
    return link


# --- More time ----------------------------------------------------------------------------------


@transaction.atomic
def teen_extension_request(
    *, teen: User, minutes: int, now: dt.datetime | None = None
) -> LimitExtensionRequest:
    """A teen asks their linked parent for more minutes today."""
    _require_teen(teen, "Only teen accounts ask a parent for more time.")
    link = active_link_of(teen)
    if link is None:
        raise ValidationError("Link a parent first: only a linked parent can give you more time.")
    if minutes not in EXTENSION_CHOICES:
        raise ValidationError("Ask for 15, 30 or 60 more minutes.")
    day = local_today(teen, now)
    today = LimitExtensionRequest.objects.select_for_update().filter(teen=teen, day=day)
    if today.filter(state=LimitExtensionRequest.State.PENDING).exists():
        raise ValidationError(
            f"You've already asked @{link.parent.username} for more time today; wait for "
            "their answer."
        )
    if today.count() >= EXTENSIONS_PER_DAY:
        raise ValidationError(
            f"You've asked {EXTENSIONS_PER_DAY} times today. You can ask again tomorrow."
        )
    ask = LimitExtensionRequest.objects.create(teen=teen, link=link, day=day, minutes=minutes)
    notify(
        recipient=link.parent, kind="extension_request",
        text=f"@{teen.username} asked for {minutes} more minutes today.",
        url=reverse("accounts:family"), actor=teen,
    )  # fmt: skip
    return ask


@transaction.atomic
def teen_extension_decide(
    *, parent: User, request_id: int, approve: bool, now: dt.datetime | None = None
) -> LimitExtensionRequest:
    """The linked parent approves (the minutes count today only) or declines."""
    ask = get_object_or_404(
        LimitExtensionRequest.objects.select_for_update().select_related("teen", "link"),
        pk=request_id,
        link__parent=parent,
    )
    if ask.state != LimitExtensionRequest.State.PENDING:
        raise ValidationError("This request has already been answered.")
    if ask.day != local_today(ask.teen, now):
        raise ValidationError("This request was for an earlier day, so it has lapsed.")
    State = LimitExtensionRequest.State
    ask.state = State.APPROVED if approve else State.DECLINED
    ask.decided_at = now or timezone.now()
    ask.save(update_fields=["state", "decided_at"])
    text = (
        f"@{parent.username} gave you {ask.minutes} more minutes today."
        if approve
        else f"@{parent.username} said no to more time today."
    )
    notify(
        recipient=ask.teen, kind="extension_decided", text=text, url=reverse("accounts:teen"),
        actor=parent,
    )  # fmt: skip
    return ask


# --- Turning 18 ---------------------------------------------------------------------------------


@transaction.atomic
def teen_birthday_check(*, user: User, now: dt.datetime | None = None) -> bool:
    """If a teen account's holder has turned 18 in their timezone, lift the teen protections:
    the flag goes, any parent link ends, and they are told. Their settings stay as they were:
    the daily limit carries on as their own (they may change it), and so does their cameo's
    level. Returns whether anything changed. Safe to call on every login."""
    if not user.is_teen or user.birthdate is None:
        return False
    if age_on(user.birthdate, local_today(user, now)) < ADULT_AGE:
        return False
    if not User.objects.filter(pk=user.pk, is_teen=True).update(is_teen=False):
        return False  # someone else lifted it first
    user.is_teen = False
    now = now or timezone.now()
    for link in ParentLink.objects.select_for_update().filter(teen=user, ended_at__isnull=True):
        _end(link, ParentLink.EndReason.TURNED_18, now)
        notify(
            recipient_id=link.parent_id, kind="turned_18",
            text=f"@{user.username} turned 18, so your link to their account has ended.",
            actor=user,
        )  # fmt: skip
    limit = _carry_limit_over(user)
    notify(
        recipient=user, kind="turned_18",
        text="You're 18 now, so teen limits no longer apply and any parent link has ended. Your "
        f"settings stay as they were{limit}; change them whenever you like.",
        url=reverse("accounts:teen"),
    )  # fmt: skip
    _ask_who_sees_videos(user)
    return True


def _ask_who_sees_videos(user: User) -> None:
    """At 18 the videos don't open by themselves: they stay with the people the person follows
    (``accounts.selectors.visibility``) until they choose, and they are asked to."""
    row = TeenSettings.objects.filter(user=user).first()
    if row is None or row.videos_seen_by != TeenSettings.Audience.FOLLOWING:
        return
    notify(
        recipient=user, kind="video_audience",
        text="You're 18 now. Your videos still reach only people you follow and teens until you "
        "choose who can see them.",
        url=f"{reverse('accounts:teen')}#videos",
    )  # fmt: skip


@transaction.atomic
def videos_audience_choose(*, user: User, audience: str) -> TeenSettings:
    """Someone who had a teen account chooses who can see their videos, either way. From the
    18th birthday their videos stay with the people they follow until they do. A teen may only
    narrow them (``teen_settings_tighten``); a parent widens them."""
    if audience not in AUDIENCE_LEVELS:
        raise ValidationError("Choose who can see your videos from the list.")
    if is_teen_now(user):
        return teen_settings_tighten(teen=user, videos_seen_by=audience)
    row = TeenSettings.objects.select_for_update().filter(user=user).first()
    if row is None:
        raise ValidationError(
            "Your videos are already shown to everyone who can see them here; there is nothing "
            "to choose."
        )
    if row.videos_seen_by != audience:
        row.videos_seen_by = audience
        row.save(update_fields=["videos_seen_by", "updated_at"])
    return row


def _carry_limit_over(user: User) -> str:
    """Keep the teen's daily limit as the adult's own, unless they already set one."""
    row = TeenSettings.objects.filter(user=user).first()
    if row is None:
        return ""
    own = FeedPreference.objects.filter(user=user, daily_budget_minutes__isnull=False).first()
    if own is not None:
        return ""
    budget_set(user=user, minutes=row.daily_limit_minutes)
    return f", including your {row.daily_limit_minutes}-minute daily limit"


def teen_birthdays_run(*, now: dt.datetime | None = None) -> list[User]:
    """Lift the teen protections from everyone who has turned 18 (operators run this daily
    through ``manage.py teen_birthdays``; logins catch up in between)."""
    today = (now or timezone.now()).date()
    # A day's margin: a person east of UTC may already be a day ahead.
    candidates = User.objects.filter(
        is_teen=True, birthdate__isnull=False, birthdate__year__lte=today.year + 1 - ADULT_AGE
    )
    return [user for user in candidates if teen_birthday_check(user=user, now=now)]
