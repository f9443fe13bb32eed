"""Reads for the goal page: what the feed did for each of the person's goals lately.

"Shown for a goal" is what the feed recorded when it showed a post with the goal among the
reasons in "Why this video?" (``SeenPost.goal``). "Friends" are the people the person follows
now; the page says which of them follow back. Nobody but the person sees any of it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import Follow, User
from feed.goals import EFFECTS, NOT_PERSONALISED, goal_label, goals_shape_feed
from feed.models import FeedPreference, Goal, SeenPost

WINDOW_DAYS = 30


@dataclass(frozen=True)
class FriendsSeen:
    """Posts by people the person follows that the feed showed them, by whether those people
    follow them back."""

    mutual: int
    one_way: int

    @property
    def total(self) -> int:
        return self.mutual + self.one_way


@dataclass(frozen=True)
class GoalProgress:
    """One goal on the goal page: what its term does and what the feed showed for it."""

    goal: str
    label: str
    effect: str
    shown: int
    friends: FriendsSeen | None = None

    @property
    def nothing_yet(self) -> bool:
        return not self.shown and not (self.friends and self.friends.total)


@dataclass(frozen=True)
class GoalsReport:
    """The goal page: each chosen goal over the last ``WINDOW_DAYS`` days, how many videos the
    feed showed in all, whether the person may pick goals, and, when goals aren't shaping the
    feed right now, why not."""

    goals: list[GoalProgress]
    seen: int
    since: dt.datetime
    can_pick: bool = True
    paused_because: str = ""


def goals_report(*, user: User, now: dt.datetime | None = None) -> GoalsReport:
    """What the feed did for the person's goals in the last 30 days: the preference, the videos
    shown per goal, and (with the friends goal) friends' posts seen, a query each."""
    since = (now or timezone.now()) - dt.timedelta(days=WINDOW_DAYS)
    preference = FeedPreference.objects.filter(user=user).first() or FeedPreference(user=user)
    chosen = [g for g in preference.goals if g in Goal.values]
    shown = _shown_per_goal(user, since)
    friends = _friends_seen(user, since) if Goal.FRIENDS in chosen else None
    goals = [
        GoalProgress(
            goal=goal,
            label=goal_label(goal),
            effect=EFFECTS[goal],
            shown=shown.get(goal, 0),
            friends=friends if goal == Goal.FRIENDS else None,
        )
        for goal in chosen
    ]
    can_pick = goals_shape_feed(user)
    return GoalsReport(
        goals=goals,
        seen=sum(shown.values()),
        since=since,
        can_pick=can_pick,
        paused_because=_paused_because(can_pick, preference),
    )


def _shown_per_goal(user: User, since: dt.datetime) -> dict[str, int]:
    """Videos the feed showed since ``since``, per goal; "" counts those shown for no goal."""
    rows = (
        SeenPost.objects.filter(user=user, served_at__gte=since)
        .values_list("goal")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return dict(rows)


def _friends_seen(user: User, since: dt.datetime) -> FriendsSeen:
    followed = Follow.objects.filter(follower=user).values("followee")
    followers = Follow.objects.filter(followee=user).values("follower")
    counts = SeenPost.objects.filter(
        user=user, served_at__gte=since, post__author__in=followed
    ).aggregate(total=Count("pk"), mutual=Count("pk", filter=Q(post__author__in=followers)))
    return FriendsSeen(mutual=counts["mutual"], one_way=counts["total"] - counts["mutual"])


def _paused_because(can_pick: bool, preference: FeedPreference) -> str:
    """Why goals aren't shaping the feed right now, as a sentence; "" when they are."""
    if not can_pick:
        return NOT_PERSONALISED
    if preference.goals and preference.mode != FeedPreference.Mode.FOR_YOU:
        return (
            f"Goals shape For you, and you're watching {preference.get_mode_display()}: they "
            "start again when you switch back."
        )
    return ""
