"""Writes for people: sign-up (with the age check), follows, mutes, notifications, profile
updates, and ``require_can_write``, the check every write a person makes goes through first."""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from accounts.blocked import is_blocked_between
from accounts.models import (
    ADULT_AGE,
    MAX_AGE,
    MIN_AGE,
    Block,
    Follow,
    Mute,
    Notification,
    TeenSettings,
    User,
    age_on,
)
from safety.services import text_checks

UNDER_AGE_MESSAGE = f"You must be at least {MIN_AGE} years old to use this app."


class UnderAgeRefusal(ValidationError):
    """A sign-up refused because its birthdate is under MIN_AGE. The sign-up page closes the age
    gate on it (``accounts.age_gate``), so a second try with another birthdate is refused too."""


@transaction.atomic
def user_signup(
    *, username: str, email: str, password: str, birthdate: dt.date, time_zone: str = ""
) -> User:
    """Create an account. Under 13 is refused; 13-17 makes a teen account, which starts with
    the teen protections on (``TeenSettings``' defaults)."""
    age = age_on(birthdate, timezone.localdate())
    if age < MIN_AGE:
        raise UnderAgeRefusal({"birthdate": UNDER_AGE_MESSAGE})
    if age > MAX_AGE:
        raise ValidationError(
            {"birthdate": f"Check your birthdate: it makes you older than {MAX_AGE}."}
        )
    user = User(username=username, email=email, birthdate=birthdate, is_teen=age < ADULT_AGE)
    user.timezone = timezone_checked(time_zone)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    if user.is_teen:
        TeenSettings.objects.create(user=user)
    return user


def timezone_checked(name: str) -> str:
    """An IANA timezone name as stored; empty means the server's. Unknown names are refused."""
    name = (name or "").strip()
    if not name:
        return settings.TIME_ZONE
    if name not in _known_timezones():
        raise ValidationError(
            {
                "timezone": f"We don't know the time zone \u201c{name[:64]}\u201d. Use a name "
                "such as Europe/London, or leave it empty to use the site's own."
            }
        )
    return name


@functools.cache
def _known_timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


@transaction.atomic
def follow_create(*, follower: User, followee: User) -> Follow:
    require_can_write(follower)
    if follower.pk == followee.pk:
        raise ValidationError("You can't follow yourself.")
    if is_blocked_between(follower, followee):
        raise ValidationError("You can't follow this person.")
    follow, created = Follow.objects.get_or_create(follower=follower, followee=followee)
    if created:
        notify(
            recipient=followee, kind="follow", text=f"@{follower.username} followed you.",
            url=reverse("profile", args=[follower.username]), actor=follower,
        )  # fmt: skip
    return follow


def notify(
    *,
    kind: str,
    text: str,
    url: str = "",
    recipient: User | None = None,
    recipient_id: int | None = None,
    actor: User | None = None,
) -> Notification:
    """Tell someone something. Runs inside the caller's transaction, so it lands with the change.

    ``actor`` is the person whose doing the note reports (its text names them or quotes them):
    deleting their account deletes the note."""
    return Notification.objects.create(
        recipient_id=recipient.pk if recipient is not None else recipient_id,
        actor=actor,
        kind=kind,
        text=text[:300],
        url=url,
    )


@transaction.atomic
def notifications_mark_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def notification_mark_read(*, user: User, notification_id: int) -> Notification:
    """Mark one of the person's own notifications as read; anyone else's is a 404."""
    item = get_object_or_404(Notification, pk=notification_id, recipient=user)
    if item.read_at is None:
        item.read_at = timezone.now()
        item.save(update_fields=["read_at"])
    return item


def follow_delete(*, follower: User, followee: User) -> None:
    Follow.objects.filter(follower=follower, followee=followee).delete()


def block_delete(*, blocker: User, blocked: User) -> None:
    """Unblock. Videos taken down by the block stay down; consent starts again from scratch."""
    Block.objects.filter(blocker=blocker, blocked=blocked).delete()


def mute_create(*, muter: User, muted: User) -> Mute:
    """Hide someone's posts from your feed without telling them or changing anything else."""
    if muter.pk == muted.pk:
        raise ValidationError("You can't mute yourself.")
    mute, _ = Mute.objects.get_or_create(muter=muter, muted=muted)
    return mute


def mute_delete(*, muter: User, muted: User) -> None:
    Mute.objects.filter(muter=muter, muted=muted).delete()


def require_can_write(user: User) -> None:
    """Refuse writes from a suspended or banned account, in every service that creates content."""
    if not user.is_active:
        raise ValidationError("This account has been closed by the moderators.")
    if user.is_suspended:
        raise ValidationError(
            f"Your account is suspended until {user.suspended_until:%d %b %Y %H:%M} UTC; "
            "until then you can't make, publish or share anything."
        )


PROFILE_HOLD_MESSAGE = (
    "Our checks weren't sure about this bio, so it wasn't saved. Reword it and try again."
)


def profile_update(*, user: User, bio: str) -> User:
    """Change the text on a person's profile. It is public at once, so text moderation must
    allow it outright: a "hold" is refused here, since a bio has nowhere to wait for review.

    The check runs before the transaction opens, so an automatic report it files (for
    minors-related text) survives the refusal.
    """
    require_can_write(user)
    bio = bio.strip()
    if bio and text_checks.text_check(text=bio, kind="profile", user=user) == "hold":
        raise ValidationError(PROFILE_HOLD_MESSAGE)
    return _profile_save(user=user, bio=bio)


@transaction.atomic
def _profile_save(*, user: User, bio: str) -> User:
    user.bio = bio
    user.save(update_fields=["bio"])
    return user
