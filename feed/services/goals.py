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
from feed.selectors.goals import EXEMPLARS, NOT_PERSONALISED, goals_shape_feed
from sora_site import embeddings

if TYPE_CHECKING:
    from accounts.models import User


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
