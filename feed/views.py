from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from feed import selectors, services


def _int_or_none(raw: str | None) -> int | None:
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


def index(request: HttpRequest) -> HttpResponse:
    before = _int_or_none(request.GET.get("before"))
    posts = selectors.feed_latest(viewer=request.user, before=before)
    context = {"posts": posts, "page_size": selectors.FEED_PAGE_SIZE, "paged": before is not None}
    template = "feed/index.html#feed-items" if request.htmx else "feed/index.html"
    return render(request, template, context)


def post_detail(request: HttpRequest, post_id: int) -> HttpResponse:
    post = selectors.post_get_visible(viewer=request.user, post_id=post_id)
    return render(request, "feed/post.html", {"post": post})


@login_required
@require_POST
def like(request: HttpRequest, post_id: int) -> HttpResponse:
    try:
        post, liked = services.like_toggle(user=request.user, post_id=post_id)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("feed:post", post_id=post_id)
    post.liked = liked
    if request.htmx:
        return render(request, "feed/index.html#like-button", {"post": post})
    return redirect("feed:post", post_id=post.pk)


@login_required
@require_POST
def publish(request: HttpRequest, job_id: int) -> HttpResponse:
    try:
        post = services.post_publish(
            user=request.user, job_id=job_id, caption=request.POST.get("caption", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("generation:job", job_id=job_id)
    messages.success(request, "Published. Your video is in the feed.")
    return redirect("feed:post", post_id=post.pk)
