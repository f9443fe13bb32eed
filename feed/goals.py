"""Long-term goals: what a person wants the app to help with, beyond what they watch today.

Each goal is a handful of written exemplars of the videos that serve it. They are embedded
with MiniLM when the person saves their goals (``feed_goals_set``) and stored on their
``FeedPreference``, so the feed never runs the model per request. The ranking's ``goals`` term
is how close a post comes to the closest exemplar of any chosen goal; "Be more connected to
friends" also counts posts by people the person follows (``feed.ranking``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.teen_selectors import teen_rules
from feed import ranking
from feed.models import FeedPreference, Goal
from sora_site import embeddings
from sora_site.embeddings import EMBEDDING_DIM

if TYPE_CHECKING:
    from accounts.models import User

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


def _goal_vectors_blob(goals: list[str]) -> bytes:
    if not goals:
        return b""
    texts = [text for goal in goals for text in EXEMPLARS[goal]]
    return np.asarray(embeddings.embed_texts(texts), dtype="<f4").tobytes()


def clean_goals(goals: list[str]) -> list[str]:
    """The chosen goals in the order ``Goal`` lists them, once each; an unknown one is refused
    with a sentence."""
    unknown = [g for g in goals if g not in Goal.values]
    if unknown:
        raise ValidationError("Pick your goals from the list.")
    chosen = set(goals)
    return [g for g in Goal.values if g in chosen]


@transaction.atomic
def feed_goals_set(*, user: User, goals: list[str]) -> FeedPreference:
    """Save the person's long-term goals and their exemplars' vectors."""
    cleaned = clean_goals(goals)
    preference, _ = FeedPreference.objects.select_for_update().get_or_create(user=user)
    preference.goals = cleaned
    preference.goal_vectors = _goal_vectors_blob(cleaned)
    preference.save(update_fields=["goals", "goal_vectors", "updated_at"])
    return preference


@transaction.atomic
def feed_goals_pick(*, user: User, goals: list[str]) -> FeedPreference:
    """The goal picker's save. Refused for a teen whose feed isn't personalised: goals would
    shape nothing they see, and only a linked parent can change that."""
    if not goals_shape_feed(user):
        raise ValidationError(
            f"{NOT_PERSONALISED} A linked parent can turn personalisation on from their family "
            "page."
        )
    return feed_goals_set(user=user, goals=goals)
