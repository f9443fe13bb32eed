"""Reads about teen accounts: the rules other apps ask about, and what the teen and family
pages show.

There is one answer to each question other apps have about teens: ``teen_rules`` (the feed:
personalisation, daily limit, quiet hours), ``teen_extra_minutes_today`` (the budget),
``findable_by`` (search), ``profile_open_to`` (profile pages), ``dm_allowed_by_age``
(messages), ``teen_cameo_cap_refusal`` (cameo consent) and ``teen_interaction_refusal``
(comments and remixes). Each reads ``is_teen_now``: the
stored flag, lifted at once on the 18th birthday in the person's own timezone, even before
``accounts.services.teens.teen_birthdays_run`` writes it down.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from accounts.blocked import has_blocked
from accounts.follows import are_mutuals
from accounts.models import (
    ADULT_AGE,
    Follow,
    LimitExtensionRequest,
    ParentChange,
    ParentLink,
    TeenSettings,
    User,
    age_on,
)
from cameo.models import Cameo
from feed.models import Post, WatchDay

Permission = Cameo.Permission
LEVELS: list[str] = list(Permission.values)  # narrowest first
# How far a teen's cameo may reach, in the words of a sentence ("no further than ...").
CAP_WORDS = {
    Permission.ONLY_ME: "only you",
    Permission.APPROVED: "teens you approve",
    Permission.MUTUALS: "teens who are mutual follows",
    Permission.EVERYONE: "all teen accounts",
}


# --- Time -------------------------------------------------------------------------------------


def zone_of(user: User) -> zoneinfo.ZoneInfo:
    """The person's timezone; the server's when theirs is missing or unknown."""
    try:
        return zoneinfo.ZoneInfo(user.timezone or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def local_today(user: User, now: dt.datetime | None = None) -> dt.date:
    """Today's date where the person lives: limits and extensions count by this day."""
    return (now or timezone.now()).astimezone(zone_of(user)).date()


def in_quiet_window(moment: dt.time, start: dt.time, end: dt.time) -> bool:
    """Whether a wall-clock time falls in [start, end), a window that may cross midnight."""
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end


def quiet_window_minutes(start: dt.time, end: dt.time) -> set[int]:
    first = start.hour * 60 + start.minute
    length = (end.hour * 60 + end.minute - first) % (24 * 60)
    return {(first + i) % (24 * 60) for i in range(length)}


def is_teen_now(user: Any, now: dt.datetime | None = None) -> bool:
    """A teen account whose holder is still under 18 today, in their own timezone."""
    if not getattr(user, "is_authenticated", False) or not user.is_teen:
        return False
    if user.birthdate is None:
        return True
    return age_on(user.birthdate, local_today(user, now)) < ADULT_AGE


# --- The rules other apps read ------------------------------------------------------------------


@dataclass(frozen=True)
class TeenRules:
    """What a teen's settings mean right now, for the feed, the budget and messages.

    ``personalised`` False means Latest and Following only, ranked on freshness with no
    interest, instruction or goal terms. ``extra_minutes_today`` is what a parent approved for
    today on top of ``daily_limit_minutes``.
    """

    personalised: bool
    dms_enabled: bool
    daily_limit_minutes: int
    extra_minutes_today: int
    quiet_start: dt.time
    quiet_end: dt.time
    cameo_cap: str
    timezone: str

    @property
    def minutes_allowed_today(self) -> int:
        return self.daily_limit_minutes + self.extra_minutes_today

    @property
    def feed_modes(self) -> tuple[str, ...]:
        """The feed modes the teen may use (FeedPreference.Mode values)."""
        if self.personalised:
            return ("for_you", "following", "latest")
        return ("following", "latest")

    def _local(self, now: dt.datetime | None) -> dt.datetime:
        return (now or timezone.now()).astimezone(zoneinfo.ZoneInfo(self.timezone))

    def in_quiet_hours(self, now: dt.datetime | None = None) -> bool:
        return in_quiet_window(self._local(now).time(), self.quiet_start, self.quiet_end)

    def quiet_hours_end(self, now: dt.datetime | None = None) -> dt.datetime:
        """When the current (or next) quiet hours end, as an aware datetime in the teen's zone."""
        local = self._local(now)
        end = local.replace(
            hour=self.quiet_end.hour, minute=self.quiet_end.minute, second=0, microsecond=0
        )
        return end if end > local else end + dt.timedelta(days=1)


def teen_settings_of(user: User) -> TeenSettings:
    """The stored settings, or the signup defaults (unsaved) for a teen who has no row yet."""
    found = TeenSettings.objects.filter(user=user).first()
    return found if found is not None else TeenSettings(user=user)


def teen_rules(user: Any, now: dt.datetime | None = None) -> TeenRules | None:
    """The teen protections that apply to ``user`` now, or None for adults and visitors."""
    if not is_teen_now(user, now):
        return None
    row = teen_settings_of(user)
    return TeenRules(
        personalised=row.personalised,
        dms_enabled=row.dms_enabled,
        daily_limit_minutes=row.daily_limit_minutes,
        extra_minutes_today=teen_extra_minutes_today(user, now),
        quiet_start=row.quiet_start,
        quiet_end=row.quiet_end,
        cameo_cap=row.cameo_cap,
        timezone=str(zone_of(user)),
    )


def teen_extra_minutes_today(user: User, now: dt.datetime | None = None) -> int:
    """Minutes a linked parent added to today's limit (the teen's today)."""
    total = LimitExtensionRequest.objects.filter(
        teen=user, day=local_today(user, now), state=LimitExtensionRequest.State.APPROVED
    ).aggregate(total=Sum("minutes"))["total"]
    return int(total or 0)


def findable_by(viewer: Any, person: User) -> bool:
    """Whether ``person`` may show up in ``viewer``'s search and suggestions. Teens are hidden
    from adults (and visitors) who aren't mutual follows; their linked parent finds them."""
    if not is_teen_now(person):
        return True
    if not getattr(viewer, "is_authenticated", False):
        return False
    if viewer.pk == person.pk or is_teen_now(viewer):
        return True
    if ParentLink.objects.filter(parent=viewer, teen=person, ended_at__isnull=True).exists():
        return True
    return are_mutuals(viewer, person)


def profile_open_to(viewer: Any, person: User) -> bool:
    """Whether ``viewer`` may open ``person``'s profile by its address. A teen's profile is closed,
    like a handle nobody holds, to the adults and visitors who can't find them
    (``findable_by``), with two exceptions that reveal nothing new: an adult the teen follows
    (the follow notification links here, and "Follow back" is how the two become mutuals), and
    an adult who blocked the teen (the profile is where they can unblock, and shows no posts)."""
    if findable_by(viewer, person):
        return True
    if not getattr(viewer, "is_authenticated", False):
        return False
    return Follow.objects.filter(follower=person, followee=viewer).exists() or has_blocked(
        viewer, person
    )


def closed_profiles(viewer: Any, teen_ids: Iterable[int]) -> set[int]:
    """Which of these people's profiles ``viewer`` may not open (``profile_open_to``), so pages
    show their handle without a link to a page that would be a 404. Callers pass only authors
    marked as teens; adults are never closed."""
    ids = set(teen_ids)
    if not ids:
        return set()
    people = User.objects.filter(pk__in=ids, is_teen=True)
    return {person.pk for person in people if not profile_open_to(viewer, person)}


def dm_allowed_by_age(sender: User, recipient: User) -> str | None:
    """Why the age rules stop ``sender`` messaging ``recipient``, or None.

    Adults and teens can't message each other either way (a teen's message would open a thread
    the adult could answer), and a teen with messages off can neither send nor receive.
    """
    sender_teen, recipient_teen = is_teen_now(sender), is_teen_now(recipient)
    if recipient_teen and not sender_teen:
        return f"@{recipient.username} can't get messages from your account."
    if sender_teen and not recipient_teen:
        return "Teen accounts can only message other teen accounts."
    if sender_teen and not teen_settings_of(sender).dms_enabled:
        return (
            "Direct messages are off on your account. A linked parent can turn them on from "
            "their family page."
        )
    if recipient_teen and not teen_settings_of(recipient).dms_enabled:
        return f"@{recipient.username} doesn't get direct messages."
    return None


def teen_cameo_cap_refusal(cameo: Cameo, user: User) -> str | None:
    """Why the teen rules stop ``user`` using (or asking for) ``cameo``, or None.

    Adults can't use or ask for a teen's cameo at any level. A teen's cameo whose level is
    somehow above its cap is treated as "only me" (closed, never open by mistake).
    """
    owner = cameo.owner
    if user.pk == owner.pk or not is_teen_now(owner):
        return None
    name = f"@{owner.username}"
    if not is_teen_now(user):
        return f"{name}'s cameo isn't open to your account."
    cap = teen_settings_of(owner).cameo_cap
    if LEVELS.index(cameo.permission) > LEVELS.index(cap):
        return f"{name} keeps their cameo to themselves."
    return None


def teen_cameo_level_refusal(owner: User, permission: str) -> str | None:
    """Why a teen may not open their cameo to ``permission``, or None (adults: always None)."""
    if not is_teen_now(owner) or permission not in LEVELS:
        return None
    cap = teen_settings_of(owner).cameo_cap
    if LEVELS.index(permission) <= LEVELS.index(cap):
        return None
    return (
        f"Your teen settings let your cameo go no further than {CAP_WORDS[cap]}. Choose that or "
        "a narrower option; a linked parent can change the limit."
    )


Reach = TeenSettings.Reach
REACH_LEVELS: list[str] = list(Reach.values)  # narrowest first
_NOBODY_SENTENCES = {
    "comment": "{name} doesn't take comments.",
    "remix": "{name} doesn't let anyone remix their videos.",
}
_FOLLOWING_SENTENCES = {
    "comment": "{name} only takes comments from people they follow.",
    "remix": "{name} only lets people they follow remix their videos.",
}


def teen_interaction_refusal(*, owner: User, user: Any, kind: str) -> str | None:
    """Why the teen ``owner``'s settings stop ``user`` commenting on (``kind="comment"``) or
    remixing (``kind="remix"``) their videos, or None. "Following" lets in the people the teen
    follows, so a stranger can't reach a teen by following them. Adults' videos: always None."""
    if not is_teen_now(owner) or getattr(user, "pk", None) == owner.pk:
        return None
    row = teen_settings_of(owner)
    reach = row.comments_from if kind == "comment" else row.remixes_from
    if reach == Reach.EVERYONE:
        return None
    name = f"@{owner.username}"
    if reach == Reach.NOBODY:
        return _NOBODY_SENTENCES[kind].format(name=name)
    signed_in = getattr(user, "is_authenticated", False)
    if signed_in and Follow.objects.filter(follower=owner, followee=user).exists():
        return None
    return _FOLLOWING_SENTENCES[kind].format(name=name)


def remix_closed_to(viewer: Any, teen_ids: Iterable[int]) -> set[int]:
    """Which of these people's videos ``viewer`` may not remix (``teen_interaction_refusal``),
    so feed cards leave out the Remix button. Callers pass only authors marked as teens."""
    ids = set(teen_ids)
    if not ids:
        return set()
    people = User.objects.filter(pk__in=ids, is_teen=True)
    return {
        person.pk
        for person in people
        if teen_interaction_refusal(owner=person, user=viewer, kind="remix")
    }


# --- Reads for the pages ------------------------------------------------------------------------


def active_link_of(teen: User) -> ParentLink | None:
    return (
        ParentLink.objects.select_related("parent").filter(teen=teen, ended_at__isnull=True).first()
    )


def teen_links_of(*, parent: User) -> list[ParentLink]:
    """The parent's active links, one per teen, oldest first."""
    return list(
        ParentLink.objects.select_related("teen")
        .filter(parent=parent, teen__isnull=False, ended_at__isnull=True)
        .order_by("accepted_at", "id")
    )


def open_code_of(*, parent: User, now: dt.datetime | None = None) -> ParentLink | None:
    """The parent's newest code nobody has used, while it still works."""
    return ParentLink.objects.filter(
        parent=parent,
        teen__isnull=True,
        ended_at__isnull=True,
        code_expires_at__gt=now or timezone.now(),
    ).first()


def parent_changes_for(*, teen: User, limit: int | None = None) -> list[ParentChange]:
    changes = ParentChange.objects.filter(teen=teen).select_related("link__parent")
    return list(changes[:limit] if limit else changes)


def extension_today(*, teen: User, now: dt.datetime | None = None) -> LimitExtensionRequest | None:
    """The teen's latest request for more time today, whatever its state."""
    return LimitExtensionRequest.objects.filter(teen=teen, day=local_today(teen, now)).first()


@dataclass(frozen=True)
class MoreTime:
    """Where a teen stands on asking for more time today, for the pages that offer it:
    the linked parent's handle (None without one) and the minutes of today's request that is
    still waiting for an answer (None when there is none)."""

    parent_username: str | None
    waiting_minutes: int | None


def more_time_of(*, teen: User, now: dt.datetime | None = None) -> MoreTime:
    link = active_link_of(teen)
    asked = extension_today(teen=teen, now=now) if link is not None else None
    waiting = asked is not None and asked.state == LimitExtensionRequest.State.PENDING
    return MoreTime(
        parent_username=link.parent.username if link is not None else None,
        waiting_minutes=asked.minutes if waiting and asked is not None else None,
    )


def extensions_waiting(
    *, link: ParentLink, now: dt.datetime | None = None
) -> list[LimitExtensionRequest]:
    """Today's unanswered requests on this link (earlier days' have lapsed)."""
    return list(
        LimitExtensionRequest.objects.filter(
            link=link,
            state=LimitExtensionRequest.State.PENDING,
            day=local_today(link.teen, now),
        )
    )


@dataclass(frozen=True)
class UsageDay:
    day: dt.date
    minutes: int
    percent: int  # of the busiest day shown, for the bar


@dataclass(frozen=True)
class UsageSummary:
    """What a parent sees of a teen's use: watch minutes per day and how many posts they made,
    never the posts or messages themselves."""

    days: list[UsageDay]
    posts_total: int
    posts_recent: int
    limit_minutes: int

    @property
    def total_minutes(self) -> int:
        return sum(d.minutes for d in self.days)


USAGE_DAYS = 14


def usage_summary(*, teen: User, now: dt.datetime | None = None) -> UsageSummary:
    """The last 14 days of watch time (today last) and the teen's post counts."""
    today = local_today(teen, now)
    first = today - dt.timedelta(days=USAGE_DAYS - 1)
    seconds = dict(
        WatchDay.objects.filter(user=teen, day__gte=first, day__lte=today).values_list(
            "day", "seconds"
        )
    )
    minutes = [(first + dt.timedelta(days=i)) for i in range(USAGE_DAYS)]
    per_day = [(day, seconds.get(day, 0) // 60) for day in minutes]
    busiest = max([m for _, m in per_day] + [1])
    posts = Post.objects.filter(author=teen)
    since = dt.datetime.combine(first, dt.time(0), tzinfo=zone_of(teen))
    return UsageSummary(
        days=[UsageDay(day=d, minutes=m, percent=round(100 * m / busiest)) for d, m in per_day],
        posts_total=posts.count(),
        posts_recent=posts.filter(created_at__gte=since).count(),
        limit_minutes=teen_settings_of(teen).daily_limit_minutes,
    )
