"""Wellbeing check-ins: the card on the feed, what a worse answer changed (with undo and the
offers of a break and a daily limit), the person's own check-ins page, and the break page the
feed shows while a break runs.

Each view parses the request, calls one service from ``feed.services.wellbeing`` and renders; htmx
gets the partial that replaces the card or the panel, a plain form post gets a redirect.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.selectors.teens import zone_of
from feed.models import CheckIn, FeedPreference, WellbeingChange
from feed.services import wellbeing
from sora_site import refusals

CARD = "feed/wellbeing/card.html"
CHANGED = "feed/wellbeing/changed.html"
PAGE = "feed/wellbeing/page.html"
BREAK = "feed/wellbeing/break.html"


def card_context(kind: str | None) -> dict[str, Any]:
    """What the card needs for a check-in of ``kind`` (None: nothing is due)."""
    if kind is None:
        return {"check_in": None}
    return {
        "check_in": kind,
        "question": wellbeing.QUESTIONS[kind],
        "answers": [(a, CheckIn.Answer(a).label) for a in wellbeing.ANSWERS[kind]],
    }


def _thanks(answer: str) -> str:
    if answer in wellbeing.GOOD_ANSWERS:
        return "Thanks, glad to hear it. Only you can see your answer."
    return "Thanks for telling us. Only you can see your answer."


def _zone(request: HttpRequest) -> str:
    return str(zone_of(request.user))


def _panel_context(request: HttpRequest, change: WellbeingChange, **extra: Any) -> dict[str, Any]:
    return {
        "zone": _zone(request),
        "change": change,
        "lines": wellbeing.change_lines(change),
        "break_minutes": wellbeing.BREAK_MINUTES,
        "budget_minutes": wellbeing.BUDGET_MINUTES,
        "offers": change.undone_at is None,
    } | extra


def _card_error(request: HttpRequest, error: str) -> HttpResponse:
    """The card again with the sentence and what was typed, or the page with it (status 400)."""
    context = card_context(wellbeing.check_in_due(request.user)) | {
        "card_error": error,
        "note": request.POST.get("note", ""),
    }
    if request.htmx:
        return render(request, f"{CARD}#card", context)
    return render(request, PAGE, _page_context(request) | context, status=400)


@login_required
@require_POST
def answer(request: HttpRequest) -> HttpResponse:
    try:
        check_in = wellbeing.check_in_answer(
            user=request.user,
            kind=request.POST.get("kind", ""),
            answer=request.POST.get("answer", ""),
            note=request.POST.get("note", ""),
        )
    except ValidationError as exc:
        return _card_error(request, refusals.sentence(exc))
    change = getattr(check_in, "change", None)
    if change is None:
        if request.htmx:
            return render(request, f"{CARD}#thanks", {"thanks": _thanks(check_in.answer)})
        messages.success(request, _thanks(check_in.answer))
        return redirect("feed:index")
    if request.htmx:
        return render(request, f"{CHANGED}#panel", _panel_context(request, change, fresh=True))
    messages.success(request, "Thanks for telling us. Here's what changed in your feed.")
    return redirect(f"{reverse('feed:wellbeing')}#change-{change.pk}")


@login_required
@require_POST
def dismiss(request: HttpRequest) -> HttpResponse:
    try:
        wellbeing.check_in_dismiss(user=request.user, kind=request.POST.get("kind", ""))
    except ValidationError as exc:
        return _card_error(request, refusals.sentence(exc))
    note = "Okay, not now. We'll ask again another time."
    if request.htmx:
        return render(request, f"{CARD}#thanks", {"thanks": note})
    messages.info(request, note)
    return redirect("feed:index")


def _page_context(request: HttpRequest) -> dict[str, Any]:
    check_ins = wellbeing.check_ins_for(user=request.user)
    changes = [c.change for c in check_ins if hasattr(c, "change")]
    newest = changes[0].pk if changes else None
    preference = FeedPreference.objects.filter(user=request.user).first()
    return {
        "zone": _zone(request),
        "check_ins": check_ins,
        "panels": [
            _panel_context(request, c, offers=c.undone_at is None and c.pk == newest)
            for c in changes
        ],
        "break_until": _break_words(request.user, preference),
    } | card_context(wellbeing.check_in_due(request.user))


@login_required
@require_GET
def page(request: HttpRequest) -> HttpResponse:
    """The person's own check-ins and what they changed. Nobody else can open it."""
    return render(request, PAGE, _page_context(request))


def _change_response(
    request: HttpRequest, change: WellbeingChange, note: str = "", error: str = ""
) -> HttpResponse:
    if request.htmx:
        context = _panel_context(request, change, panel_note=note, panel_error=error)
        return render(request, f"{CHANGED}#panel", context)
    if error:
        messages.error(request, error)
    elif note:
        messages.success(request, note)
    return redirect(f"{reverse('feed:wellbeing')}#change-{change.pk}")


_FIELD_WORDS = {"mood": "your mood", "goals": "your goals", "mode": "which feed you see"}


def _undo_note(undone: wellbeing.Undone) -> str:
    restored = [_FIELD_WORDS[f] for f in undone.restored]
    kept = [_FIELD_WORDS[f] for f in undone.kept]
    parts = []
    if restored:
        parts.append(f"Undone: {_joined(restored)} went back to how you had them.")
    if kept:
        parts.append(f"You changed {_joined(kept)} since, so that stays as you set it.")
    return " ".join(parts) or "Undone. Nothing needed to go back."


def _joined(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


@login_required
@require_POST
def undo(request: HttpRequest, change_id: int) -> HttpResponse:
    try:
        undone = wellbeing.wellbeing_change_undo(user=request.user, change_id=change_id)
    except ValidationError as exc:
        change = wellbeing.wellbeing_change_get(user=request.user, change_id=change_id)
        return _change_response(request, change, error=refusals.sentence(exc))
    return _change_response(request, undone.change, note=_undo_note(undone))


def _break_choice(raw: str) -> int | None:
    """The break form's value: "today" for the rest of today (None), else minutes."""
    if raw == "today":
        return None
    try:
        return int(raw)
    except ValueError:
        return 0  # refused by the service with a sentence


@login_required
@require_POST
def break_take(request: HttpRequest, change_id: int) -> HttpResponse:
    try:
        preference = wellbeing.wellbeing_break_take(
            user=request.user,
            change_id=change_id,
            minutes=_break_choice(request.POST.get("minutes", "")),
        )
    except ValidationError as exc:
        change = wellbeing.wellbeing_change_get(user=request.user, change_id=change_id)
        return _change_response(request, change, error=refusals.sentence(exc))
    messages.success(
        request, f"Enjoy your break. The feed rests {_break_words(request.user, preference)}."
    )
    if request.htmx:
        # The whole page changes (the feed becomes the break page), not just the panel.
        response = HttpResponse()
        response["HX-Redirect"] = reverse("feed:index")
        return response
    return redirect("feed:index")


@login_required
@require_POST
def break_end(request: HttpRequest) -> HttpResponse:
    wellbeing.wellbeing_break_end(user=request.user)
    messages.success(request, "Your break is over. Welcome back.")
    return redirect("feed:index")


@login_required
@require_POST
def budget(request: HttpRequest, change_id: int) -> HttpResponse:
    raw = request.POST.get("minutes", "")
    try:
        # isascii: "²".isdigit() is true but int("²") raises.
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 4):
            raise ValidationError("Choose a daily limit of 30, 45 or 60 minutes.")
        change = wellbeing.wellbeing_budget_set(
            user=request.user, change_id=change_id, minutes=int(raw)
        )
    except ValidationError as exc:
        change = wellbeing.wellbeing_change_get(user=request.user, change_id=change_id)
        return _change_response(request, change, error=refusals.sentence(exc))
    note = (
        f"Daily limit set to {change.budget_minutes} minutes. You can change it any time on "
        "the feed's controls page."
    )
    return _change_response(request, change, note=note)


# --- The break page (the feed shows it while a break runs) --------------------------------------


def _break_words(user: Any, preference: FeedPreference | None) -> str:
    """ "until 21:40", "until midnight" or "until 09:15 tomorrow", in the person's timezone;
    "" when no break runs."""
    if not wellbeing.on_break(preference):
        return ""
    zone = zone_of(user)
    local = preference.break_until.astimezone(zone)
    today = timezone.now().astimezone(zone).date()
    if local.date() == today:
        return f"until {local:%H:%M}"
    if local.date() == today + dt.timedelta(days=1) and local.time() == dt.time(0):
        return "until midnight"
    return f"until {local:%H:%M} tomorrow"


def break_response(request: HttpRequest, preference: FeedPreference) -> HttpResponse:
    """What the feed shows during a break; an htmx next page gets the notice in place of items."""
    context = {"until": _break_words(request.user, preference)}
    if request.htmx:
        return render(request, f"{BREAK}#break-notice", context)
    return render(request, BREAK, context)
