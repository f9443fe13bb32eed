"""The one flow behind every Report button (a video, a profile, a comment, a message).

The rate limit, the form, the service that files the report, then back where the person was,
with thanks that link to the page where the moderators' answer will appear.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html

from safety.forms import ReportForm
from safety.limits import limit_wait, too_many
from safety.models import Report
from sora_site import refusals


def report_from_form(
    request: HttpRequest, file: Callable[..., Report], back: Callable[[], HttpResponse]
) -> HttpResponse:
    """Check the limit and the form, call ``file(**cleaned_data)``, and answer with ``back()``."""
    if (wait := limit_wait(request, "report")) is not None:
        messages.error(request, too_many(wait, "reports"))
        return back()
    form = ReportForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return back()
    try:
        report = file(**form.cleaned_data)
    except ValidationError as exc:
        refusals.flash(request, exc)
    else:
        thank(request, report)
    return back()


def thank(request: HttpRequest, report: Report) -> None:
    """The success message after a report, linking to where its answer will appear."""
    url = reverse("safety:report_detail", args=[report.pk])
    messages.success(
        request,
        format_html('Thanks. Moderators will look at it. <a href="{}">Follow your report</a>', url),
    )
