"""Long-term goals as the feed reads them, and the goal page's report.

Each goal is a handful of written exemplars of the videos that serve it (``EXEMPLARS``); their
MiniLM vectors are stored on the person's ``FeedPreference`` when they save their goals
(``feed.services.goals``), and ``ranking_goals`` hands them to the ranking, so the feed never
runs the model per request.

The goal page reports what the feed did for each of the person's goals lately.

"Shown for a goal" is what the feed recorded when it showed a post with the goal among the
reasons in "Why this video?" (``SeenPost.goal``). "Friends" are the people the person follows
now; the page says which of them follow back. Nobody but the person sees any of it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import Follow, User
from accounts.selectors.teens import teen_rules
from feed import ranking
from feed.models import FeedPreference, Goal, SeenPost
from sora_site.embeddings import EMBEDDING_DIM

NOT_PERSONALISED = "Goals shape a personalised feed; yours shows Latest and Following."


# Written like the prompts people type, because posts are embedded from their prompts.
EXEMPLARS: dict[str, tuple[str, ...]] = {
    Goal.FRIENDS: (
        "friends laughing together at a picnic in the park",
        "a group of friends cooking dinner together",
        "best friends on a road trip singing in the car",
        "a family gathering around the table sharing a meal",
        "friends playing board games on a cozy evening",
    ),
    Goal.FITNESS: (
        # No scenery and no racing: "a runner on the beach at sunrise" brought every beach at
        # sunset along (0.53 for a dog on one), and "training for a race" every car race.
        "a runner out for a morning jog",
        "a home workout with push-ups and squats",
        "a yoga session stretching on a mat",
        "a cyclist pedalling hard up a hill",
        "lifting weights in the gym",
    ),
    Goal.SKILL: (
        "a step-by-step tutorial learning to play guitar",
        "hands practicing calligraphy with a brush",
        "a person learning to code on a laptop",
        "a teacher showing a student how to do something new",
        "studying a new language with flash cards",
    ),
    Goal.BUSINESS: (
        "an entrepreneur opening a small coffee shop",
        "a founder pitching a startup idea on a whiteboard",
        "packing orders for a small online shop",
        "a market stall selling handmade goods",
        "a team planning a product launch in an office",
    ),
    Goal.REST: (
        "calm ocean waves at sunset",
        "rain falling gently on a window at night",
        "a quiet forest with soft morning light",
        "a cup of tea by a fireplace on a slow evening",
        "slow breathing meditation in a peaceful room",
    ),
    Goal.CREATIVE: (
        "painting a watercolor landscape",
        "sculpting clay on a pottery wheel",
        "making music with a synthesizer",
        "sketching characters in a notebook",
        "building a colorful diorama by hand",
    ),
}


# What each goal's term does, in the words the goal page and the picker use.
EFFECTS: dict[str, str] = {
    Goal.FRIENDS: "Posts by people you follow rank higher, and so do videos of friends and "
    "family together.",
    Goal.FITNESS: "Videos of running, workouts, yoga, cycling and lifting rank higher.",
    Goal.SKILL: "Tutorials and people practising something new rank higher: music, "
    "handwriting, code, languages.",
    Goal.BUSINESS: "Videos of people starting and running small businesses rank higher.",
    Goal.REST: "Calm, slow videos rank higher: waves, rain, quiet forests, a cup of tea.",
    Goal.CREATIVE: "Videos of painting, pottery, making music and sketching rank higher.",
}


# Goals at most: every goal may be chosen.
MAX_GOALS = len(Goal.values)


def goal_label(goal: str) -> str:
    return str(Goal(goal).label)


def _exemplar_count(goals: list[str]) -> int:
    return sum(len(EXEMPLARS[goal]) for goal in goals if goal in EXEMPLARS)


def stored_goal_vectors(preference: FeedPreference) -> list[np.ndarray] | None:
    """Per chosen goal (in ``preference.goals`` order), its exemplars' vectors (k, 384); None
    when the stored vectors don't match the goals (exemplars edited since they were saved):
    the feed then leaves the exemplars out until the goals are saved again."""
    goals = [g for g in preference.goals if g in EXEMPLARS]
    blob = bytes(preference.goal_vectors or b"")
    if len(blob) != _exemplar_count(goals) * EMBEDDING_DIM * 4:
        return None
    flat = np.frombuffer(blob, dtype="<f4").reshape(-1, EMBEDDING_DIM)
    edges = np.cumsum([0, *(len(EXEMPLARS[g]) for g in goals)])
    return [flat[a:b] for a, b in zip(edges[:-1], edges[1:], strict=True)]


def ranking_goals(preference: FeedPreference) -> ranking.Goals:
    """The person's goals as the ranking reads them. With stale vectors, the friends goal still
    counts the people they follow; the exemplars wait until the goals are saved again."""
    names = tuple(g for g in preference.goals if g in EXEMPLARS)
    if not names:
        return ranking.Goals()
    per_goal = stored_goal_vectors(preference)
    if per_goal is None:
        per_goal = [np.zeros((0, EMBEDDING_DIM), np.float32) for _ in names]
    return ranking.Goals(
        names=names,
        labels=tuple(goal_label(g) for g in names),
        vectors=np.vstack(per_goal).astype(np.float32, copy=False),
        sizes=tuple(v.shape[0] for v in per_goal),
    )


def goals_shape_feed(user: User) -> bool:
    """Whether goals can shape this person's feed: not for a teen whose feed isn't
    personalised (Latest and Following have no ranking terms)."""
    if not user.is_teen:
        return True

    rules = teen_rules(user)
    return rules is None or rules.personalised


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
