from __future__ import annotations

import contextlib
import mimetypes
import tempfile
from collections.abc import Iterator

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from cameo.uploads import ClipSizeLimit
from feed.selectors.posts import post_get_visible
from generation import selectors, services
from generation.describe import MODEL_DOCS_ANCHOR
from generation.forms import CreateForm, VerifyForm
from generation.selectors import job_page_context
from generation.source_image import MAX_IMAGE_BYTES, too_big_message
from sora_site import refusals
from sora_site.text import checks_own_text


@checks_own_text  # the prompt's sentence shows beside the field
@csrf_exempt  # checked in _create, once the picture's size limit is in place
@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        # Before anything reads the body, CSRF's check included: an oversized picture stops
        # streaming in at the limit instead of landing on disk.
        request.upload_handlers.insert(0, ClipSizeLimit(request, MAX_IMAGE_BYTES))
    return _create(request)


@csrf_protect
def _create(request: HttpRequest) -> HttpResponse:
    posted = request.method == "POST"
    data, files = (request.POST, request.FILES) if posted else (None, None)
    form = CreateForm(data, files, initial=_remix_initial(request), user=request.user)
    if too_big := getattr(request, "clip_too_big", None):
        form.is_valid()
        form.errors.pop("source_image", None)
        form.add_error("source_image", too_big_message(too_big))
    elif posted and form.is_valid():
        try:
            job = services.generation_request(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            job.refresh_from_db(fields=["enqueued_at"])
            if job.waiting_for_queue:
                messages.warning(request, services.UNAVAILABLE_MESSAGE)
            return redirect("generation:job", job_id=job.pk)
    context = {"form": form, "menu": form.menu, "model_docs": MODEL_DOCS_ANCHOR}
    return render(request, "generation/create.html", context)


def _remix_initial(request: HttpRequest) -> dict[str, object]:
    initial: dict[str, object] = {
        key: request.GET[key] for key in ("prompt", "seed", "remix_of_id") if key in request.GET
    }
    remix_of = request.GET.get("remix_of_id", "")
    # isascii and the length: "²".isdigit() is true, and int() refuses over 4,300 digits.
    if remix_of.isascii() and remix_of.isdigit() and len(remix_of) <= 19:
        # A remix starts with the original's sound choice, read through the same visibility
        # check as the post itself; an unavailable original is refused on submit.
        with contextlib.suppress(Http404):
            post = post_get_visible(viewer=request.user, post_id=int(remix_of))
            initial["sound"] = post.job.sound
    return initial


@login_required
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = selectors.job_get_for_user(user=request.user, job_id=job_id)
    return render(request, "generation/job.html", job_page_context(job))


@login_required
@require_http_methods(["GET", "HEAD"])
def job_source_image(request: HttpRequest, job_id: int) -> HttpResponse:
    """The picture a job starts from, for its creator only: it never has a public address."""
    job = selectors.job_get_for_user(user=request.user, job_id=job_id)
    data = selectors.job_source_image(job=job)
    content_type = mimetypes.guess_type(job.source_image.name)[0] or "application/octet-stream"
    response = HttpResponse(data, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def job_status(request: HttpRequest, job_id: int) -> HttpResponse:
    job = selectors.job_get_for_user(user=request.user, job_id=job_id)
    return render(request, "generation/job.html#job-status", job_page_context(job))


@login_required
def job_publish_action(request: HttpRequest, job_id: int) -> HttpResponse:
    """The publish button, or who the video still waits for; polled while it waits, so an
    approval brings the button without touching a caption being typed."""
    job = selectors.job_get_for_user(user=request.user, job_id=job_id)
    return render(request, "generation/job.html#publish-action", job_page_context(job))


@login_required
@require_POST
def job_cancel(request: HttpRequest, job_id: int) -> HttpResponse:
    try:
        job = services.generation_cancel(user=request.user, job_id=job_id)
    except ValidationError as exc:
        refusals.flash(request, exc)
        job = selectors.job_get_for_user(user=request.user, job_id=job_id)
    if request.htmx:
        return render(request, "generation/job.html#job-status", job_page_context(job))
    return redirect("generation:job", job_id=job.pk)


@login_required
def drafts(request: HttpRequest) -> HttpResponse:
    jobs = selectors.drafts_for_user(user=request.user)
    return render(request, "generation/drafts.html", {"jobs": jobs})


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Anyone may upload a file and see who made it, when, and with which model."""
    posted = request.method == "POST"
    form = VerifyForm(request.POST, request.FILES) if posted else VerifyForm()
    outcome = None
    if posted and form.is_valid():
        try:
            with _on_disk(form.cleaned_data["video"]) as path:
                outcome = selectors.video_provenance_lookup(path=path, viewer=request.user)
        except ValueError as exc:
            form.add_error("video", str(exc))
    return render(request, "generation/verify.html", {"form": form, "outcome": outcome})


@contextlib.contextmanager
def _on_disk(upload: UploadedFile) -> Iterator[str]:
    """The uploaded file as a path on disk (small uploads live in memory)."""
    if hasattr(upload, "temporary_file_path"):
        yield upload.temporary_file_path()
        return
    with tempfile.NamedTemporaryFile(suffix=".upload") as tmp:
        for chunk in upload.chunks():
            tmp.write(chunk)
        tmp.flush()
        yield tmp.name


def record(request: HttpRequest, public_id: str) -> HttpResponse:
    """Where a signed manifest's record URL leads: the post if public, a short note if not."""
    job = selectors.job_get_by_public_id(public_id=public_id)
    post = selectors.public_post_for(job, viewer=request.user)
    if post is not None:
        return redirect("feed:post", post_id=post.pk)
    return render(request, "generation/record.html", {"job": job}, status=200)
