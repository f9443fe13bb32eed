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

from feed.models import FeedPreference, Goal
from sora_site.embeddings import EMBEDDING_DIM

if TYPE_CHECKING:
    from accounts.models import User

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
        "a runner jogging along the beach at sunrise",
        "a home workout with push-ups and squats",
        "a yoga session stretching on a mat",
        "cycling up a mountain road",
        "lifting weights in the gym",
    ),
    Goal.SKILL: (
        "a step-by-step tutorial learning to play guitar",
        "hands practicing calligraphy with a brush",
        "a person learning to code on a laptop",
        "a cooking lesson showing how to knead bread dough",
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
# Goals at most: every goal may be chosen.
MAX_GOALS = len(Goal.values)


def goal_label(goal: str) -> str:
    return str(Goal(goal).label)


def _exemplar_count(goals: list[str]) -> int:
    return sum(len(EXEMPLARS[goal]) for goal in goals if goal in EXEMPLARS)


def stored_goal_vectors(preference: FeedPreference) -> list[np.ndarray] | None:
    """Per chosen goal (in ``preference.goals`` order), its exemplars' vectors (k, 384); None
    when the stored vectors don't match the goals (exemplars edited since they were saved):
    the feed then leaves the goals term out until they are saved again."""
    goals = [g for g in preference.goals if g in EXEMPLARS]
    blob = bytes(preference.goal_vectors or b"")
    if len(blob) != _exemplar_count(goals) * EMBEDDING_DIM * 4:
        return None
    flat = np.frombuffer(blob, dtype="<f4").reshape(-1, EMBEDDING_DIM)
    edges = np.cumsum([0, *(len(EXEMPLARS[g]) for g in goals)])
    return [flat[a:b] for a, b in zip(edges[:-1], edges[1:], strict=True)]


def _goal_vectors_blob(goals: list[str]) -> bytes:
    if not goals:
        return b""
    from sora_site.embeddings import embed_texts

    texts = [text for goal in goals for text in EXEMPLARS[goal]]
    return np.asarray(embed_texts(texts), dtype="<f4").tobytes()


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
