"""Wellbeing check-ins that change something: when they are due, the answers, and what a *worse*
answer does to the feed.

Weekly, the feed asks how the app has felt lately (better, about the same, worse); monthly,
whether life is better for using it (yes, no, not sure). Nothing is required: a dismissed card
is a ``CheckIn`` row with an empty answer, so it waits for the next period.

A *worse* answer (weekly "worse", monthly "no") shifts the feed toward calm and friends: mood to
relaxed, the "Be more connected to friends" goal added, and Latest switched to For you so the
two apply. A teen whose feed isn't personalised gets Following instead (mood and goals don't
apply to their feed). The settings before and after are kept on a ``WellbeingChange`` so the
person sees exactly what changed and can undo it, with two offers beside it: a break and a
daily limit.

Answers are private: only their author sees them (the export includes them); operators see only
counts (``wellbeing_report``). Notes are never moderated: nobody else reads them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import Follow, User
from accounts.models import User as UserModel
from accounts.selectors.teens import teen_rules, zone_of
from feed.models import CheckIn, FeedPreference, Goal, WellbeingChange
from feed.selectors.check_ins import check_in_due as check_in_due  # the pages ask it here
from feed.selectors.check_ins import due_kinds
from feed.selectors.goals import goal_label
from feed.services.budget import budget_set
from feed.services.goals import feed_goals_set

if TYPE_CHECKING:
    from accounts.models import User

Kind = CheckIn.Kind
Answer = CheckIn.Answer
Mode = FeedPreference.Mode

QUESTIONS: dict[str, str] = {
    Kind.WEEKLY: "How do you feel after using the app lately?",
    Kind.MONTHLY: "Looking back, is your life better for using the app?",
}
ANSWERS: dict[str, tuple[str, ...]] = {
    Kind.WEEKLY: (Answer.BETTER, Answer.SAME, Answer.WORSE),
    Kind.MONTHLY: (Answer.YES, Answer.NO, Answer.NOT_SURE),
}
WORSE_ANSWERS = frozenset({Answer.WORSE, Answer.NO})
GOOD_ANSWERS = frozenset({Answer.BETTER, Answer.YES})

NOTE_LIMIT = 500

CALM_MOOD = 0.2
FIELDS = ("mood", "goals", "mode")
BREAK_MINUTES = (15, 60)  # and "the rest of today"
MAX_BREAK_MINUTES = 24 * 60
BUDGET_MINUTES = (30, 45, 60)


# --- Reads for the pages ------------------------------------------------------------------------


def check_ins_for(*, user: User) -> list[CheckIn]:
    """The person's own check-ins, newest first, each with what it changed (if anything)."""
    return list(
        CheckIn.objects.filter(user=user).select_related("change").order_by("-created_at", "-pk")
    )


def wellbeing_change_get(*, user: User, change_id: int, for_update: bool = False) -> Any:
    """One of the person's own changes; anyone else's is a 404."""
    qs = WellbeingChange.objects.select_related("check_in")
    if for_update:
        qs = qs.select_for_update()
    return get_object_or_404(qs, pk=change_id, user=user)


def on_break(preference: FeedPreference | None, now: dt.datetime | None = None) -> bool:
    """Whether the person accepted a break that hasn't ended. Reads the preference the feed
    already loaded: no query."""
    if preference is None or preference.break_until is None:
        return False
    return preference.break_until > (now or timezone.now())


@dataclass(frozen=True)
class Line:
    """One setting a worse check-in changed, in words."""

    field: str
    label: str
    before: str
    after: str


def mood_words(mood: float | None) -> str:
    if mood is None:
        return "not set"
    if mood < 0.4:
        feel = "relaxed"
    elif mood > 0.6:
        feel = "energized"
    else:
        feel = "in between"
    return f"{feel} ({round(mood * 100)} of 100)"


def _goals_words(goals: list[str]) -> str:
    known = [goal_label(g) for g in goals if g in Goal.values]
    return ", ".join(known) if known else "none"


def _mode_words(mode: str) -> str:
    return str(Mode(mode).label) if mode in Mode.values else mode


_WORDS = {"mood": mood_words, "goals": _goals_words, "mode": _mode_words}
_LABELS = {"mood": "Mood", "goals": "Goals", "mode": "Feed"}


def change_lines(change: WellbeingChange) -> list[Line]:
    """What the change did, setting by setting (only the settings it changed)."""
    return [
        Line(
            field=name,
            label=_LABELS[name],
            before=_WORDS[name](change.before.get(name)),
            after=_WORDS[name](change.after.get(name)),
        )
        for name in FIELDS
        if change.before.get(name) != change.after.get(name)
    ]


# --- Answering --------------------------------------------------------------------------------


def _check_answer(kind: str, answer: str) -> None:
    if kind not in ANSWERS:
        raise ValidationError(
            "That isn't a check-in we ask. Reload the feed to see the question again."
        )
    if answer not in ANSWERS[kind]:
        words = [str(Answer(a).label).lower() for a in ANSWERS[kind]]
        raise ValidationError(
            f"Choose one of the answers: {words[0]}, {words[1]} or {words[2]}. "
            "Or press “Not now”: no answer is ever required."
        )


def _check_note(note: str) -> None:
    if len(note) > NOTE_LIMIT:
        raise ValidationError(
            f"Your note is {len(note):,} characters; the limit is {NOTE_LIMIT}. Shorten it "
            "and send your answer again."
        )


def _require_due(user: User, kind: str, now: dt.datetime | None) -> None:
    """Refuse a second answer for the same period (a double submit, an old tab)."""
    # Two submits at once queue here, so the second sees the first's row.
    UserModel.objects.select_for_update().filter(pk=user.pk).first()
    if kind not in due_kinds(user, now):
        raise ValidationError(
            f"There's no {Kind(kind).label.lower()} check-in waiting for you right now, so "
            "nothing was saved. The next one shows at the top of your feed when it's time."
        )


@transaction.atomic
def check_in_answer(
    *, user: User, kind: str, answer: str, note: str = "", now: dt.datetime | None = None
) -> CheckIn:
    """Save the person's answer. A worse answer also shifts their feed toward calm and friends
    (``check_in.change`` then says how). Refused, with a sentence, for an answer that doesn't
    fit the question, a note over 500 characters, or a check-in that isn't due."""
    note = (note or "").strip()
    _check_answer(kind, answer)
    _check_note(note)
    _require_due(user, kind, now)
    check_in = CheckIn.objects.create(user=user, kind=kind, answer=answer, note=note)
    if answer in WORSE_ANSWERS:
        _shift_toward_calm(user, check_in)
    return check_in


@transaction.atomic
def check_in_dismiss(*, user: User, kind: str, now: dt.datetime | None = None) -> CheckIn:
    """The card's "Not now": a row with no answer, so the card waits for the next period."""
    if kind not in ANSWERS:
        raise ValidationError(
            "That isn't a check-in we ask. Reload the feed to see the question again."
        )
    _require_due(user, kind, now)
    return CheckIn.objects.create(user=user, kind=kind, answer="")


def _preference_for_update(user: User) -> FeedPreference:
    preference, _ = FeedPreference.objects.select_for_update().get_or_create(user=user)
    return preference


def _settings(preference: FeedPreference) -> dict[str, Any]:
    return {"mood": preference.mood, "goals": list(preference.goals), "mode": preference.mode}


def _unpersonalised_teen(user: User) -> bool:
    if not user.is_teen:
        return False

    rules = teen_rules(user)
    return rules is not None and not rules.personalised


def _calmer(user: User, preference: FeedPreference) -> dict[str, Any]:
    """The settings a worse answer moves to. Nothing becomes more energetic, no goal the person
    chose is dropped, and Following stays (it is already people they follow)."""
    target = _settings(preference)
    if _unpersonalised_teen(user):
        # Mood and goals don't reach a non-personalised feed; Following is the friends-first
        # choice it allows, and only worth it when they follow someone.
        if Follow.objects.filter(follower=user).exists():
            target["mode"] = Mode.FOLLOWING
        return target
    if preference.mood is None or preference.mood > CALM_MOOD:
        target["mood"] = CALM_MOOD
    if Goal.FRIENDS not in target["goals"]:
        target["goals"] = [*target["goals"], Goal.FRIENDS]
    if preference.mode == Mode.LATEST:
        target["mode"] = Mode.FOR_YOU
    return target


def _apply(user: User, preference: FeedPreference, values: dict[str, Any]) -> FeedPreference:
    """Write mood, mode and goals; goals through ``feed_goals_set`` (which embeds them). Mode is
    written as stored, without the teen check: restoring a teen's earlier choice is allowed,
    and the feed applies the teen rules when it reads it."""
    fields = [name for name in ("mood", "mode") if getattr(preference, name) != values[name]]
    for name in fields:
        setattr(preference, name, values[name])
    if fields:
        preference.save(update_fields=[*fields, "updated_at"])
    if list(preference.goals) != list(values["goals"]):
        preference = feed_goals_set(user=user, goals=values["goals"])
    return preference


def _shift_toward_calm(user: User, check_in: CheckIn) -> WellbeingChange:
    preference = _preference_for_update(user)
    before = _settings(preference)
    preference = _apply(user, preference, _calmer(user, preference))
    return WellbeingChange.objects.create(
        check_in=check_in, user=user, before=before, after=_settings(preference)
    )


# --- Undo, the break and the daily limit ----------------------------------------------------


@dataclass(frozen=True)
class Undone:
    """What undoing put back, and what stayed because the person changed it since."""

    change: WellbeingChange
    restored: list[str]
    kept: list[str]


@transaction.atomic
def wellbeing_change_undo(*, user: User, change_id: int, now: dt.datetime | None = None) -> Undone:
    """Put back the feed settings a worse check-in changed.

    Only a setting still as the check-in left it goes back. One the person changed since (moved
    the mood slider, picked goals, chose a mode) stays as they set it: it's their choice now,
    and undoing must not clobber it. The break and the daily limit are not touched; they were
    the person's own choices, and the feed's controls change them.
    """
    change = wellbeing_change_get(user=user, change_id=change_id, for_update=True)
    if change.undone_at is not None:
        raise ValidationError("You already undid these changes. Your feed is as you left it.")
    preference = _preference_for_update(user)
    current = _settings(preference)
    target, restored, kept = dict(current), [], []
    for name in FIELDS:
        if change.before.get(name) == change.after.get(name):
            continue
        if current[name] == change.after.get(name):
            target[name] = change.before.get(name)
            restored.append(name)
        else:
            kept.append(name)
    _apply(user, preference, target)
    change.undone_at = now or timezone.now()
    change.save(update_fields=["undone_at"])
    return Undone(change=change, restored=restored, kept=kept)


def _end_of_today(user: User, now: dt.datetime) -> dt.datetime:
    zone = zone_of(user)
    tomorrow = now.astimezone(zone).date() + dt.timedelta(days=1)
    return dt.datetime.combine(tomorrow, dt.time(0), tzinfo=zone)


@transaction.atomic
def wellbeing_break_take(
    *, user: User, change_id: int, minutes: int | None, now: dt.datetime | None = None
) -> FeedPreference:
    """Rest the feed for ``minutes``, or with None until midnight where the person lives. Taking
    another break replaces the one running."""
    change = wellbeing_change_get(user=user, change_id=change_id, for_update=True)
    now = now or timezone.now()
    if minutes is None:
        until = _end_of_today(user, now)
    elif 1 <= minutes <= MAX_BREAK_MINUTES:
        until = now + dt.timedelta(minutes=minutes)
    else:
        raise ValidationError(
            "Choose a break of 15 minutes, an hour, or the rest of today. Nothing was changed."
        )
    preference = _preference_for_update(user)
    preference.break_until = until
    preference.save(update_fields=["break_until", "updated_at"])
    change.break_accepted_at = now
    change.save(update_fields=["break_accepted_at"])
    return preference


@transaction.atomic
def wellbeing_break_end(*, user: User) -> FeedPreference:
    """End the break now (nothing to do when none is running). Saving moves ``updated_at``, so
    the feed ranks afresh rather than reusing what it ranked before the break."""
    preference = _preference_for_update(user)
    if preference.break_until is not None:
        preference.break_until = None
        preference.save(update_fields=["break_until", "updated_at"])
    return preference


@transaction.atomic
def wellbeing_budget_set(
    *, user: User, change_id: int, minutes: int, now: dt.datetime | None = None
) -> WellbeingChange:
    """Accept the daily-limit offer: set the limit through ``budget_set`` (its checks apply) and
    record that this check-in's offer was taken."""
    change = wellbeing_change_get(user=user, change_id=change_id, for_update=True)
    budget_set(user=user, minutes=minutes)
    change.budget_set_at = now or timezone.now()
    change.budget_minutes = minutes
    change.save(update_fields=["budget_set_at", "budget_minutes"])
    return change
