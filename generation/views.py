from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from generation import selectors, services
from generation.forms import CreateForm


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    form = CreateForm(request.POST or None, initial=_remix_initial(request))
    if request.method == "POST" and form.is_valid():
        try:
            job = services.generation_request(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            job.refresh_from_db(fields=["enqueued_at"])
            if job.waiting_for_queue:
                messages.warning(request, services.UNAVAILABLE_MESSAGE)
            return redirect("generation:job", job_id=job.pk)
    return render(request, "generation/create.html", {"form": form})


def _remix_initial(request: HttpRequest) -> dict[str, object]:
    return {key: request.GET[key] for key in ("prompt", "seed") if key in request.GET}


@login_required
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = selectors.job_get_for_user(user=request.user, job_id=job_id)
    return render(request, "generation/job.html", {"job": job})


@login_required
def job_status(request: HttpRequest, job_id: int) -> HttpResponse:
    job = selectors.job_get_for_user(user=request.user, job_id=job_id)
    return render(request, "generation/job.html#job-status", {"job": job})


@login_required
@require_POST
def job_cancel(request: HttpRequest, job_id: int) -> HttpResponse:
    try:
        job = services.generation_cancel(user=request.user, job_id=job_id)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        job = selectors.job_get_for_user(user=request.user, job_id=job_id)
    if request.htmx:
        return render(request, "generation/job.html#job-status", {"job": job})
    return redirect("generation:job", job_id=job.pk)


@login_required
def drafts(request: HttpRequest) -> HttpResponse:
    jobs = selectors.drafts_for_user(user=request.user)
    return render(request, "generation/drafts.html", {"jobs": jobs})
