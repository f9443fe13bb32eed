from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    JsonResponse,
)
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from accounts.selectors.teens import teen_rules
from feed.cards import jinja_template, like_button, render_cards
from feed.exclusions import words_saved_note
from feed.forms import (
    BudgetForm,
    HeartbeatForm,
    InstructionForm,
    InterestsForm,
    ModeForm,
    MoodForm,
    PhrasesForm,
)
from feed.models import FeedPreference
from feed.player import limit_context
from feed.selectors import posts as selectors
from feed.selectors.budget import budget_status_for
from feed.services import budget, steering, wellbeing
from feed.services import posts as services
from feed.views import wellbeing as wellbeing_views
from feed.views._common import post_page_context, quiet_hours_response
from feed.views._controls import controls_context, mood_percent
from generation.selectors import job_get_for_user, job_page_context
from sora_site import refusals
from sora_site.template_urls import remembered_reverse
from sora_site.text import checks_own_text


def index(request: HttpRequest) -> HttpResponse:
    """The feed. An htmx request (the next page, loaded as the last item comes into view) gets
    only the items; everything the person steered applies from that page on."""
    if getattr(request.user, "is_teen", False):
        rules = teen_rules(request.user)
        if rules is not None and rules.in_quiet_hours():
            return quiet_hours_response(request, rules)
    before = refusals.int_or_none(request.GET.get("before"))
    page = selectors.feed_page(
        viewer=request.user,
        before=before,
        page_size=selectors.FEED_PAGE_SIZE,
        scroll=refusals.int_or_none(request.GET.get("scroll")),
        show_hidden=request.GET.get("show_hidden") == "1",
    )
    # Read from the page's own preference, so the feed pays no query for it; during a break
    # the ranked page is not shown, and nothing is recorded as sent.
    if wellbeing.on_break(page.preference):
        return wellbeing_views.break_response(request, page.preference)
    if page.posts and request.user.is_authenticated:
        # Sent, not seen: the browser reports what was watched (``seen``).
        services.posts_served_record(
            user=request.user,
            post_ids=[post.pk for post in page.posts],
            goals={post.pk: post.goal for post in page.posts if post.goal},
        )
    context = {
        "page": page,
        "posts": page.posts,
        "cards_html": _cards_html(request, page),
        "heartbeat_seconds": budget.HEARTBEAT_SECONDS,
    }
    if page.limit_reached:
        context.update(limit_context(request, page.budget))
    if request.htmx:
        return render(request, "feed/index.html#feed-items", context)
    if request.user.is_authenticated:
        # One masked token for the whole page, the panel's forms included: each one costs 32
        # random draws. The template's own ``csrf_token`` would draw a second.
        context["csrf_token"] = get_token(request)
        context["steer_panel"] = _steer_panel(
            request, page.preference, steering_off=page.steering_off, token=context["csrf_token"]
        )
        # Full pages only (never the htmx next page), from what the page read with the
        # preference: no query of its own unless the person has no preference row.
        due = wellbeing.check_in_due(request.user, row=page.check_in)
        context.update(wellbeing_views.card_context(due))
    return render(request, "feed/index.html", context)


def _cards_html(request: HttpRequest, page: selectors.FeedPage) -> SafeString:
    next_url = ""
    if page.has_more:
        query = f"before={page.next_before}" if page.next_before else f"scroll={page.scroll}"
        next_url = f"{remembered_reverse('feed:index')}?{query}"
    return render_cards(page.posts, signed_in=request.user.is_authenticated, next_url=next_url)


def post_detail(request: HttpRequest, post_id: int) -> HttpResponse:
    post = selectors.post_get_visible(viewer=request.user, post_id=post_id)
    return render(request, "feed/post.html", post_page_context(request, post))


@login_required
@require_POST
def like(request: HttpRequest, post_id: int) -> HttpResponse:
    try:
        post, liked = services.like_toggle(user=request.user, post_id=post_id)
    except ValidationError as exc:
        refusals.flash(request, exc)
        return redirect("feed:post", post_id=post_id)
    if request.htmx:
        return HttpResponse(
            like_button(post_id=post.pk, like_count=post.like_count, liked=liked, signed_in=True)
        )
    return redirect("feed:post", post_id=post.pk)


@login_required
@require_POST
def publish(request: HttpRequest, job_id: int) -> HttpResponse:
    caption = request.POST.get("caption", "")
    try:
        post = services.post_publish(user=request.user, job_id=job_id, caption=caption)
    except ValidationError as exc:
        # The job page again, with the caption still in its field and the reason beside it.
        job = job_get_for_user(user=request.user, job_id=job_id)
        context = job_page_context(job) | {
            "caption": caption,
            "publish_error": refusals.sentence(exc),
        }
        return render(request, "generation/job.html", context, status=400)
    if post.job.held_at is not None:
        messages.info(request, post.job.held_reason)
        return redirect("generation:job", job_id=job_id)
    messages.success(request, "Published. Your video is in the feed.")
    return redirect("feed:post", post_id=post.pk)


# --- Steering ---------------------------------------------------------------------------------

PANEL_TARGET = "steer-panel"


def _from_panel(request: HttpRequest) -> bool:
    return bool(request.htmx) and request.htmx.target == PANEL_TARGET


def _steer_panel(
    request: HttpRequest,
    preference: FeedPreference | None = None,
    *,
    steering_off: bool | None = None,
    token: str = "",
    steer_note: str = "",
    steer_error: str = "",
) -> SafeString:
    """The quick panel's HTML (``templates/jinja2/feed/steer_panel.html``), with a note or an
    error after a change. For a teen whose feed isn't personalised, For you, mood and their own
    words are shown disabled, with the reason in one line (``steer_off``). ``token`` is the
    page's CSRF token, when the page has one already."""
    preference = preference or selectors.feed_preference_for(request.user)
    if steering_off is None:
        steering_off = not steering.steering_applies(request.user)
    if steering_off and preference.mode == FeedPreference.Mode.FOR_YOU:
        preference.mode = FeedPreference.Mode.LATEST  # as the feed shows it; nothing is saved
    panel = _Panel(
        mode=preference.mode,
        mode_label=preference.get_mode_display(),
        mood_percent=mood_percent(preference),
        steer_off=steering.PANEL_STEERING_OFF if steering_off else "",
        instruction=preference.instruction,
        more=tuple(preference.instruction_more),
        less=tuple(preference.instruction_less),
        never=tuple(preference.instruction_none),
        urls=_panel_urls(),
        steer_note=steer_note,
        steer_error=steer_error,
    )
    csrf_input = format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token or get_token(request)
    )
    # A note or an error is shown once, after a change: not worth keeping.
    render = _panel_html.__wrapped__ if steer_note or steer_error else _panel_html
    # The token is the one part that changes on every page, so it goes in after.
    return mark_safe(render(panel).replace(_CSRF_SLOT, csrf_input))  # noqa: S308


# Where the token goes. An HTML comment: nothing a person types can come out of Jinja as one.
_CSRF_SLOT = "<!--csrf-->"


@dataclass(frozen=True)
class _Panel:
    """Everything the panel shows except the CSRF token."""

    mode: str
    mode_label: str
    mood_percent: int
    steer_off: str
    instruction: str
    more: tuple[str, ...]
    less: tuple[str, ...]
    never: tuple[str, ...]
    urls: tuple[tuple[str, str], ...]
    steer_note: str
    steer_error: str


@lru_cache(maxsize=1024)
def _panel_html(panel: _Panel) -> str:
    """The panel for ``panel``, autoescaped by Jinja, with ``_CSRF_SLOT`` where the token goes.
    Kept by what it shows: a feed page shows the same panel until the person changes a setting,
    and most people have the same one, so it is rendered once per process, not on each page."""
    context = {field.name: getattr(panel, field.name) for field in dataclasses.fields(panel)} | {
        "urls": dict(panel.urls),
        "modes": FeedPreference.Mode.choices,
        "csrf_input": mark_safe(_CSRF_SLOT),  # noqa: S308 - a constant
    }
    return str(jinja_template("feed/steer_panel.html").render(context))


def _panel_urls() -> tuple[tuple[str, str], ...]:
    return tuple(
        (name, remembered_reverse(f"feed:{name}"))
        for name in ("mode", "mood", "instruction", "controls")
    )


@login_required
def controls(request: HttpRequest) -> HttpResponse:
    """Every steering control on one page, and how the feed read the person's words."""
    return render(request, "feed/controls.html", controls_context(request))


def _steer(
    request: HttpRequest,
    form: forms.Form,
    key: str,
    apply: Callable[[Any], str],
) -> HttpResponse:
    """Validate ``form``, call the service through ``apply`` (which returns the note to show),
    and answer the quick panel with its partial or the controls page with a redirect."""
    if form.is_valid():
        try:
            note = apply(form)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if _from_panel(request):
                return HttpResponse(_steer_panel(request, steer_note=note))
            messages.success(request, note)
            return redirect("feed:index" if request.POST.get("back") == "feed" else "feed:controls")
    if _from_panel(request):
        errors = " ".join(e for errs in form.errors.values() for e in errs)
        return HttpResponse(_steer_panel(request, steer_error=errors))
    return render(request, "feed/controls.html", controls_context(request, **{key: form}))


def _next(preference: FeedPreference) -> str:
    """What a steering change does now: it shapes For you, so on Latest or Following it waits
    for the person to switch."""
    if preference.mode == FeedPreference.Mode.FOR_YOU:
        return " Your next videos follow it."
    return f" It steers For you; you're watching {preference.get_mode_display()}."


@login_required
@require_POST
def steer_mode(request: HttpRequest) -> HttpResponse:
    def apply(form: ModeForm) -> str:
        preference = steering.feed_mode_set(user=request.user, mode=form.cleaned_data["mode"])
        return f"Showing {preference.get_mode_display()}."

    return _steer(request, ModeForm(request.POST), "mode_form", apply)


@login_required
@require_POST
def steer_mood(request: HttpRequest) -> HttpResponse:
    def apply(form: MoodForm) -> str:
        mood = form.mood_value()
        preference = steering.feed_mood_set(user=request.user, mood=mood)
        return ("Mood cleared." if mood is None else "Mood saved.") + _next(preference)

    return _steer(request, MoodForm(request.POST), "mood_form", apply)


@checks_own_text  # "Add your own" shows the control-character sentence beside the field
@login_required
@require_POST
def steer_interests(request: HttpRequest) -> HttpResponse:
    def apply(form: InterestsForm) -> str:
        preference = steering.feed_interests_set(user=request.user, interests=form.interests())
        return "Interests saved." + _next(preference)

    return _steer(request, InterestsForm(request.POST), "interests_form", apply)


@login_required
@require_POST
def steer_instruction(request: HttpRequest) -> HttpResponse:
    def apply(form: InstructionForm) -> str:
        preference = steering.feed_instruction_set(
            user=request.user, instruction=form.cleaned_data["instruction"]
        )
        return f"Saved. {steering.describe_reading(preference)}" + words_saved_note(preference)

    return _steer(request, InstructionForm(request.POST), "instruction_form", apply)


@login_required
@require_POST
def steer_phrases(request: HttpRequest) -> HttpResponse:
    def apply(form: PhrasesForm) -> str:
        more, less, none = form.phrases()
        preference = steering.feed_phrases_set(user=request.user, more=more, less=less, none=none)
        return f"Saved. {steering.describe_reading(preference)}" + words_saved_note(preference)

    return _steer(request, PhrasesForm(request.POST), "phrases_form", apply)


@login_required
@require_POST
def steer_reset(request: HttpRequest) -> HttpResponse:
    def apply(form: forms.Form) -> str:
        steering.feed_steering_reset(user=request.user)
        return "Your feed is back to its defaults. Your daily limit stays as it was."

    return _steer(request, forms.Form(request.POST), "reset_form", apply)


@login_required
@require_POST
def see_less(request: HttpRequest, post_id: int) -> HttpResponse:
    services.see_less_create(user=request.user, post_id=post_id)
    note = "Got it: fewer videos like this one from now on."
    if request.htmx:
        return render(request, "feed/index.html#see-less-done", {"note": note})
    messages.success(request, note)
    return redirect("feed:index")


# --- Daily limit ------------------------------------------------------------------------------


@login_required
@require_POST
def budget_set(request: HttpRequest) -> HttpResponse:
    def apply(form: BudgetForm) -> str:
        minutes = form.cleaned_data["minutes"]
        budget.budget_set(user=request.user, minutes=minutes)
        if minutes is None:
            return "Daily limit removed."
        return f"Daily limit set to {minutes} minute{'s' if minutes != 1 else ''}."

    return _steer(request, BudgetForm(request.POST), "budget_form", apply)


@login_required
@require_POST
def budget_extend(request: HttpRequest) -> HttpResponse:
    try:
        status = budget.budget_extend(user=request.user)
    except ValidationError as exc:
        refusals.flash(request, exc)
    else:
        messages.success(
            request,
            f"{status.extension_minutes} more minutes today. "
            f"{status.extensions_left} extension{'s' if status.extensions_left != 1 else ''} "
            "left.",
        )
    return redirect("feed:index")


@login_required
@require_POST
def heartbeat(request: HttpRequest) -> HttpResponse:
    """The player's report of seconds played; answers with the budget meter, which shows the
    limit once it is reached."""
    form = HeartbeatForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(
            "The heartbeat must say how many seconds played, as a number of 0 or more."
        )
    budget.watch_heartbeat(user=request.user, seconds=form.cleaned_data["seconds"])
    status = budget_status_for(user=request.user)
    context = {
        "budget_status": status,
        "heartbeat_seconds": budget.HEARTBEAT_SECONDS,
        "show_limit": True,
        **limit_context(request, status),
    }
    return render(request, "feed/index.html#budget-meter", context)


def _post_ids(raw: str) -> list[int]:
    """``"12,15,18"`` as ids; anything but whole numbers is refused with a sentence."""
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    # A post id has at most 19 digits; a longer number can't be one (and is slow to convert).
    if not all(part.isascii() and part.isdigit() and len(part) <= 19 for part in parts):
        raise ValidationError("Video ids are whole numbers above zero, separated by commas.")
    return [int(part) for part in parts]


@require_POST
def seen(request: HttpRequest) -> HttpResponse:
    """The browser's report of feed videos that were at least 60% in view for a second:
    ``posts=12,15,18``. Answers how many became seen; only posts the feed sent this person
    lately can (``services.posts_seen_record``)."""
    if not request.user.is_authenticated:
        return HttpResponseForbidden("Sign in so the feed can remember what you watched.")
    try:
        post_ids = _post_ids(request.POST.get("posts", ""))
        count = services.posts_seen_record(user=request.user, post_ids=post_ids)
    except ValidationError as exc:
        return HttpResponseBadRequest(refusals.sentence(exc))
    return JsonResponse({"seen": count})
