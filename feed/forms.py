"""Forms for the feed's controls. They parse what was typed; the rules (lengths, ranges,
moderation) live in the services, so a forged request meets the same checks."""

from __future__ import annotations

from django import forms

from feed.models import FeedPreference, Goal
from feed.services.steering import MAX_INTEREST_CHARS, MAX_INTERESTS, split_phrases
from feed.topics import TOPICS
from sora_site.text import refuse_control_characters

# Chips are everyday topics the feed owns; an interest typed in "Add your own" counts the same,
# since both are matched to posts by meaning (``feed.topics``).
INTEREST_CHIPS: list[tuple[str, str]] = [(topic, topic.capitalize()) for topic in TOPICS]


class ModeForm(forms.Form):
    mode = forms.ChoiceField(
        choices=FeedPreference.Mode.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose For you, Following or Latest.",
            "invalid_choice": "Choose For you, Following or Latest.",
        },
    )


class MoodForm(forms.Form):
    mood = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"type": "range", "step": 1}),
        error_messages={
            "invalid": "Set your mood with the slider, between relaxed and energized.",
            "min_value": "Set your mood with the slider, between relaxed and energized.",
            "max_value": "Set your mood with the slider, between relaxed and energized.",
        },
    )
    clear = forms.BooleanField(required=False)

    def mood_value(self) -> float | None:
        """0 relaxed .. 1 energized, or None for no preference."""
        mood = self.cleaned_data.get("mood")
        if self.cleaned_data.get("clear") or mood is None:
            return None
        return mood / 100


class InterestsForm(forms.Form):
    chips = forms.MultipleChoiceField(
        choices=INTEREST_CHIPS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Pick interests from the list, or type your own."},
    )
    # No max_length: the service refuses an interest that is too long with a sentence that
    # names it. The browser's limit only stops pasting a page in.
    own = forms.CharField(
        label="Add your own",
        required=False,
        validators=[refuse_control_characters],
        help_text=(
            "Anything you like, separated by commas, for example: baking, skateboarding, jazz. "
            f"Up to {MAX_INTERESTS} interests in all, each up to {MAX_INTEREST_CHARS} characters."
        ),
        widget=forms.TextInput(
            attrs={"maxlength": MAX_INTERESTS * (MAX_INTEREST_CHARS + 2), "autocomplete": "off"}
        ),
    )

    def interests(self) -> list[str]:
        return [*self.cleaned_data.get("chips", []), *split_phrases(self.cleaned_data["own"])]


class InstructionForm(forms.Form):
    # No max_length here: the service refuses long text with a sentence that says by how much.
    instruction = forms.CharField(
        label="In your own words",
        required=False,
        help_text="For example: more cooking and dogs, less pranks, nothing scary.",
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500}),
    )


class PhrasesForm(forms.Form):
    more = forms.CharField(label="More of", required=False)
    less = forms.CharField(label="Less of", required=False)
    none = forms.CharField(label="None of", required=False)

    def phrases(self) -> tuple[list[str], list[str], list[str]]:
        data = self.cleaned_data
        return split_phrases(data["more"]), split_phrases(data["less"]), split_phrases(data["none"])


class GoalsForm(forms.Form):
    goals = forms.MultipleChoiceField(
        choices=Goal.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Pick your goals from the list."},
    )


class BudgetForm(forms.Form):
    minutes = forms.IntegerField(
        label="Daily limit (minutes)",
        required=False,
        help_text="Leave it empty for no limit.",
        error_messages={
            "invalid": "Enter your daily limit as a whole number of minutes, or leave it empty "
            "for no limit."
        },
    )


class HeartbeatForm(forms.Form):
    seconds = forms.FloatField(min_value=0)
