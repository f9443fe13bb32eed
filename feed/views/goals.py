"""Long-term goals: the picker on the controls page and the goal page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from feed.forms import GoalsForm
from feed.selectors import posts
from feed.selectors.goals import goal_label, goals_report
from feed.services.goals import feed_goals_pick
from feed.views._controls import controls_context, goals_controls_context


def _saved_note(goals: list[str]) -> str:
    if not goals:
        return "Goals cleared. Your feed no longer ranks anything for a goal."
    names = ", ".join(goal_label(g).lower() for g in goals)
    return f"Goals saved: {names}. Your next videos follow them."


@login_required
@require_POST
def goals_set(request: HttpRequest) -> HttpResponse:
    """Save the goals ticked on the controls page. htmx swaps the goals section in place;
    without it the page reloads with the note."""
    form = GoalsForm(request.POST)
    note = ""
    if form.is_valid():
        try:
            preference = feed_goals_pick(user=request.user, goals=form.cleaned_data["goals"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            note = _saved_note(preference.goals)
            if not request.htmx:
                messages.success(request, note)
                return redirect(reverse("feed:controls") + "#goals")
    if not request.htmx:
        return render(request, "feed/controls.html", controls_context(request, goals_form=form))
    preference = posts.feed_preference_for(request.user)
    context = {**goals_controls_context(request.user, preference), "goals_note": note}
    if form.errors:
        context["goals_form"] = form
    return render(request, "feed/controls.html#goals", context)


@login_required
def goals(request: HttpRequest) -> HttpResponse:
    """What the feed did for each of the person's goals in the last 30 days."""
    return render(request, "feed/goals.html", {"report": goals_report(user=request.user)})
