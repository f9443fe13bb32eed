from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.blocked import blocked_ids, has_blocked
from accounts.models import Follow, Mute, Notification, User
from accounts.selectors.teens import profile_open_to


def user_get_by_handle(*, username: str) -> User:
    """The active person with this handle, in any case. The handle as stored (every link the
    site makes) is one index lookup; only another case reads the whole table."""
    found = User.objects.filter(username=username, is_active=True).first()
    return found or get_object_or_404(User, username__iexact=username, is_active=True)


def notifications_for(*, user: User, limit: int = 100) -> list:
    return list(Notification.objects.filter(recipient=user)[:limit])


def unread_count(*, user: User) -> int:
    """The bell's number, on every page: plain SQL, because composing the ORM's count cost
    several times what the database took to answer it."""
    table = Notification._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {table} WHERE recipient_id = %s AND read_at IS NULL", [user.pk]
        )
        return int(cursor.fetchone()[0])


def person_get_unless_blocked(*, viewer: User, username: str) -> User:
    """The person by handle; 404 to anyone they have blocked."""
    person = user_get_by_handle(username=username)
    if viewer.is_authenticated and has_blocked(person, viewer):
        raise Http404("No such person.")
    return person


def profile_get_for_viewer(*, viewer: User, username: str) -> User:
    """The person whose profile this is; 404 to anyone they have blocked, and, while they are a
    teen, to the adults and visitors who can't find them (``selectors.teens.profile_open_to``):
    the same answer as for a handle nobody holds, so the address doesn't confirm a teen exists."""
    person = person_get_unless_blocked(viewer=viewer, username=username)
    if not profile_open_to(viewer, person):
        raise Http404("No such person.")
    return person


def hidden_author_ids(*, viewer: User) -> set[int]:
    """People whose posts this viewer never sees: blocked either way, or muted."""
    if not viewer.is_authenticated:
        return set()
    muted = Mute.objects.filter(muter=viewer).values_list("muted_id", flat=True)
    return blocked_ids(viewer) | set(muted)


@dataclass(frozen=True)
class Relation:
    """How the viewer stands with a profile's owner, for its buttons."""

    follows: bool = False
    followed_by: bool = False
    blocked: bool = False
    muted: bool = False


def relation_between(*, viewer: User, person: User) -> Relation:
    if not viewer.is_authenticated or viewer.pk == person.pk:
        return Relation()
    return Relation(
        follows=Follow.objects.filter(follower=viewer, followee=person).exists(),
        followed_by=Follow.objects.filter(follower=person, followee=viewer).exists(),
        blocked=has_blocked(viewer, person),
        muted=Mute.objects.filter(muter=viewer, muted=person).exists(),
    )


# What each kind of notification is about, for the labels and filters on the notifications page.
# A kind not listed shows under "Updates" until it is filed here.
NOTIFICATION_GROUPS: dict[str, tuple[str, frozenset[str]]] = {
    "likes": ("Likes", frozenset({"like"})),
    "comments": ("Comments", frozenset({"comment", "reply"})),
    "follows": ("Follows", frozenset({"follow"})),
    "remixes": ("Remixes", frozenset({"remix"})),
    "messages": ("Messages", frozenset({"dm"})),
    "cameo": ("Cameo", frozenset({
        "cameo_request", "grant_approved", "grant_declined", "cameo_used", "use_approved",
        "use_declined", "cameo_verified", "cameo_rejected", "likeness_held", "cameo_takedown",
    })),
    "moderation": ("Moderation", frozenset({
        "report_outcome", "report_message", "taken_down", "hold_released", "nudity_held",
        "suspended", "warned", "strike", "appeal_decided", "restored", "comment_hidden",
        "comment_restored", "message_hidden", "message_restored", "reinstated",
    })),
    "family": ("Family", frozenset({
        "parent_link", "parent_change", "extension_request", "extension_decided",
        "unlink_request", "unlink_decided", "turned_18", "video_audience",
    })),
}  # fmt: skip


def notification_label(kind: str) -> str:
    for label, kinds in NOTIFICATION_GROUPS.values():
        if kind in kinds:
            return label
    return "Updates"


def notifications_in_group(*, user: User, group: str | None, limit: int = 100) -> list:
    """The person's newest notifications, only those of one group when ``group`` names one;
    each carries its ``label``."""
    items = Notification.objects.filter(recipient=user)
    if group in NOTIFICATION_GROUPS:
        items = items.filter(kind__in=NOTIFICATION_GROUPS[group][1])
    found = list(items[:limit])
    for item in found:
        item.label = notification_label(item.kind)
    return found
