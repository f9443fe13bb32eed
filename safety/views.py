from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from safety import services
from safety.forms import ReportForm
from safety.limits import limit_wait, too_many


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("feed:index")


@login_required
@require_POST
def report_video(request: HttpRequest, job_id: int) -> HttpResponse:
    if (wait := limit_wait(request, "report")) is not None:
        messages.error(request, too_many(wait, "reports"))
        return _back(request)
    form = ReportForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return _back(request)
    try:
        services.report_create(
            reporter=request.user,
            job_id=job_id,
            likeness=form.cleaned_data["reason"] == "likeness",
            **form.cleaned_data,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Thanks. Moderators will look at it.")
    return _back(request)
