from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from safety import selectors
from safety.forms import ReportMessageForm
from safety.limits import limit_wait, too_many
from safety.report_pages import report_from_form
from safety.selectors import ReportView
from safety.services import console
from safety.services import reports as services
from sora_site import refusals
from sora_site.pages import redirect_back


@login_required
@require_POST
def report_video(request: HttpRequest, job_id: int) -> HttpResponse:
    return report_from_form(
        request,
        lambda **data: services.report_create(
            reporter=request.user, job_id=job_id, likeness=data["reason"] == "likeness", **data
        ),
        lambda: redirect_back(request),
    )


# --- The reporter's side ------------------------------------------------------------------------


@login_required
@require_POST
def report_profile(request: HttpRequest, username: str) -> HttpResponse:
    return report_from_form(
        request,
        lambda **data: services.report_create_profile(
            reporter=request.user, username=username, **data
        ),
        lambda: redirect("profile", username=username),
    )


@login_required
@require_GET
def reports(request: HttpRequest) -> HttpResponse:
    items = selectors.reports_for_reporter(user=request.user)
    return render(request, "safety/reports.html", {"items": items})


def _detail(
    request: HttpRequest, item: ReportView, form: ReportMessageForm, status: int = 200
) -> HttpResponse:
    context = {
        "item": item, "report": item.report, "form": form,
        "thread": selectors.report_thread(report=item.report),
    }  # fmt: skip
    template = "safety/report_detail.html#thread" if request.htmx else "safety/report_detail.html"
    return render(request, template, context, status=status)


@login_required
@require_GET
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    item = selectors.report_get_for_reporter(user=request.user, report_id=report_id)
    services.report_replies_mark_read(user=request.user, report_id=item.report.pk)
    return _detail(request, item, ReportMessageForm())


@login_required
@require_POST
def report_reply(request: HttpRequest, report_id: int) -> HttpResponse:
    """The reporter writes on their report's thread; htmx swaps the thread and the box."""
    item = selectors.report_get_for_reporter(user=request.user, report_id=report_id)
    form = ReportMessageForm(request.POST)
    status = 200
    if (wait := limit_wait(request, "report-message")) is not None:
        form.add_error("text", too_many(wait, "messages"))
        status = 429
    else:
        try:
            services.report_message_create(
                author=request.user, report_id=item.report.pk, text=form.data.get("text", "")
            )
        except ValidationError as exc:
            form.add_error("text", exc)
            status = 400
    if status == 200 and not request.htmx:
        return redirect("safety:report_detail", report_id=item.report.pk)
    if status == 200:
        form = ReportMessageForm()
    # htmx swaps only 2xx answers, so a refusal comes back as 200 with its sentence in the box.
    return _detail(request, item, form, status=200 if request.htmx else status)


# --- Account standing: strikes and appeals ------------------------------------------------------


def _standing_context(request: HttpRequest) -> dict:
    strikes = console.strikes_for(request.user)
    return {
        "strikes": strikes, "warnings": console.warnings_for(request.user),
        "active_count": sum(item.active for item in strikes),
        "strike_limit": settings.SORA_STRIKES_TO_SUSPEND,
        "strike_days": settings.SORA_STRIKE_ACTIVE_DAYS,
        "appeal_days": settings.SORA_APPEAL_DAYS, "appeal_limit": console.APPEAL_LIMIT,
    }  # fmt: skip


@login_required
@require_GET
def standing(request: HttpRequest) -> HttpResponse:
    return render(request, "safety/standing.html", _standing_context(request))


@login_required
@require_POST
def appeal(request: HttpRequest, strike_id: int) -> HttpResponse:
    """Appeal a strike from the standing page; htmx swaps that strike's card."""
    text, status, error = request.POST.get("text", ""), 200, ""
    if (wait := limit_wait(request, "appeal")) is not None:
        status, error = 429, too_many(wait, "appeals")
    else:
        try:
            console.appeal_create(user=request.user, strike_id=strike_id, text=text)
        except ValidationError as exc:
            status, error = 400, refusals.sentence(exc)
    if status == 200 and not request.htmx:
        messages.success(request, "Your appeal is with the moderators. We'll tell you the outcome.")
        return redirect("safety:standing")
    context = {**_standing_context(request), "error_for": strike_id, "error": error}
    context["draft"] = text if error else ""
    if not request.htmx:
        return render(request, "safety/standing.html", context, status=status)
    context["item"] = next((s for s in context["strikes"] if s.strike.pk == strike_id), None)
    # htmx swaps only 2xx answers, so a refusal comes back as 200 with its sentence in the card.
    return render(request, "safety/standing.html#strike", context)
