"""What the steering controls page reads: each control's form filled from the person's
preference, and the goals section. The steering views and the goals views both render it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest

from accounts.models import User
from feed.forms import (
    INTEREST_CHIPS,
    BudgetForm,
    GoalsForm,
    InstructionForm,
    InterestsForm,
    ModeForm,
    MoodForm,
    PhrasesForm,
)
from feed.models import FeedPreference
from feed.selectors import posts
from feed.selectors.goals import NOT_PERSONALISED, goals_shape_feed
from feed.services import budget, steering


def mood_percent(preference: FeedPreference) -> int:
    return 50 if preference.mood is None else round(preference.mood * 100)


def goals_controls_context(user: User, preference: FeedPreference) -> dict[str, Any]:
    """What the controls page's goals section reads."""
    return {
        "goals_form": GoalsForm(initial={"goals": preference.goals}),
        "goals_shape_feed": goals_shape_feed(user),
        "goals_not_personalised": NOT_PERSONALISED,
    }


def controls_context(request: HttpRequest, **bound: forms.Form) -> dict[str, Any]:
    """The whole controls page; ``bound`` replaces a form with the one just posted, errors and
    all."""
    preference = posts.feed_preference_for(request.user)
    chip_names = {name for name, _ in INTEREST_CHIPS}
    own = [i for i in preference.interests if i not in chip_names]
    context = {
        "mode_form": ModeForm(initial={"mode": preference.mode}),
        "mood_form": MoodForm(initial={"mood": mood_percent(preference)}),
        "interests_form": InterestsForm(
            initial={
                "chips": [i for i in preference.interests if i in chip_names],
                "own": ", ".join(own),
            }
        ),
        "instruction_form": InstructionForm(initial={"instruction": preference.instruction}),
        "phrases_form": PhrasesForm(
            initial={
                "more": ", ".join(preference.instruction_more),
                "less": ", ".join(preference.instruction_less),
                "none": ", ".join(preference.instruction_none),
            }
        ),
        "read_columns": steering.reading_columns(preference),
        "budget_form": BudgetForm(initial={"minutes": preference.daily_budget_minutes}),
        "preference": preference,
        "budget": posts.preference_budget(request.user, preference),
        "see_less_count": posts.see_less_count(viewer=request.user),
        "budget_range": (budget.MIN_BUDGET_MINUTES, budget.MAX_BUDGET_MINUTES),
    }
    context.update(goals_controls_context(request.user, preference))
    context.update(bound)
    return context
