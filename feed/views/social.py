"""Views for comments, direct messages, sharing and search. Each parses the request, calls one
service or selector and renders; htmx requests get the partial to swap in.

A refused htmx write answers with its sentence and an ``HX-Retarget`` naming the form's error
slot; ``static/js/social.js`` lets htmx swap such 4xx answers in, so the person reads the reason
where they typed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from accounts.selectors.people import profile_get_for_viewer
from feed.models import Post
from feed.selectors import social as sel
from feed.selectors.posts import post_get_visible
from feed.services import social
from feed.views._common import post_page_context
from safety.limits import limit_wait, too_many
from safety.models import Report
from safety.report_pages import report_from_form
from safety.services.reports import report_create_comment, report_create_message
from sora_site import refusals
from sora_site.pages import redirect_back


def _refused(request: HttpRequest, sentence: str, status: int, slot: str) -> HttpResponse:
    """The sentence alone, swapped into the form's error slot by htmx."""
    response = render(request, "feed/_comments.html#form-error", {"error": sentence}, status=status)
    response["HX-Retarget"] = slot
    response["HX-Reswap"] = "innerHTML"
    return response


# --- The post page ------------------------------------------------------------------------------


def _post_page(request: HttpRequest, post_id: int, status: int = 200, **extra: Any) -> HttpResponse:
    post = post_get_visible(viewer=request.user, post_id=post_id)
    context = post_page_context(request, post, **extra)
    return render(request, "feed/post.html", context, status=status)


# --- Comments -----------------------------------------------------------------------------------


@login_required
@require_POST
def comment_create(request: HttpRequest, post_id: int) -> HttpResponse:
    parent_id = refusals.int_or_none(request.POST.get("parent_id"))
    slot = f"#reply-errors-{parent_id}" if parent_id else "#comment-errors"
    text = request.POST.get("text", "")

    def failed(sentence: str, status: int) -> HttpResponse:
        if request.htmx:
            return _refused(request, sentence, status, slot)
        return _post_page(request, post_id, status, comment_error=sentence, comment_text=text)

    if (wait := limit_wait(request, "comment")) is not None:
        return failed(too_many(wait, "comments"), 429)
    try:
        comment = social.comment_create(
            author=request.user, post_id=post_id, text=text, parent_id=parent_id
        )
    except ValidationError as exc:
        return failed(refusals.sentence(exc), 400)
    if not request.htmx:
        return redirect(social.comment_url(comment))
    post = Post.objects.get(pk=post_id)
    context = {"c": comment, "post": post, "held_note": sel.HELD_NOTE}
    context["report_reasons"] = Report.Reason.choices
    return render(request, "feed/_comments.html#comment-created", context)


@login_required
@require_POST
def comment_remove(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = social.comment_remove(user=request.user, comment_id=comment_id)
    if request.htmx:
        post = Post.objects.get(pk=comment.post_id)
        return render(request, "feed/_comments.html#comment-removed", {"post": post})
    messages.success(request, "Comment removed.")
    return redirect(f"{reverse('feed:post', args=[comment.post_id])}#comments")


@login_required
@require_POST
def comment_policy(request: HttpRequest, post_id: int) -> HttpResponse:
    try:
        social.post_comment_policy_set(
            user=request.user, post_id=post_id, policy=request.POST.get("policy", "")
        )
    except ValidationError as exc:
        if request.htmx:
            return _refused(request, refusals.sentence(exc), 400, "#policy-errors")
        refusals.flash(request, exc)
        return redirect(f"{reverse('feed:post', args=[post_id])}#comments")
    if request.htmx:
        post = post_get_visible(viewer=request.user, post_id=post_id)
        context = post_page_context(request, post)
        return render(request, "feed/_comments.html#comments-section", context)
    messages.success(request, "Saved. Your choice applies to new comments.")
    return redirect(f"{reverse('feed:post', args=[post_id])}#comments")


@login_required
@require_POST
def comment_report(request: HttpRequest, comment_id: int) -> HttpResponse:
    return report_from_form(
        request,
        lambda **data: report_create_comment(reporter=request.user, comment_id=comment_id, **data),
        lambda: redirect_back(request),
    )


# --- Direct messages ----------------------------------------------------------------------------


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    rows = sel.inbox_for(user=request.user)
    return render(request, "feed/messages.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def thread(request: HttpRequest, username: str) -> HttpResponse:
    # The same 404 as their profile: a thread must not confirm that a teen account or someone
    # who blocked you exists.
    other = profile_get_for_viewer(viewer=request.user, username=username)
    if request.method == "POST":
        return _send(request, other)
    return _thread_page(request, other)


def _thread_page(
    request: HttpRequest, other: User, *, error: str = "", text: str = "", status: int = 200
) -> HttpResponse:
    conversation, items = sel.thread_messages(viewer=request.user, other=other)
    if conversation is not None and status == 200:
        social.conversation_mark_read(user=request.user, conversation=conversation)
    context = {
        "other": other,
        "items": items,
        "refusal": sel.dm_refusal(request.user, other),
        "error": error,
        "text": text,
        "held_note": sel.HELD_NOTE,
        "report_reasons": Report.Reason.choices,
    }
    return render(request, "feed/messages_thread.html", context, status=status)


def _send(request: HttpRequest, other: User) -> HttpResponse:
    text = request.POST.get("text", "")

    def failed(sentence: str, status: int) -> HttpResponse:
        if request.htmx:
            return _refused(request, sentence, status, "#dm-errors")
        return _thread_page(request, other, error=sentence, text=text, status=status)

    if (wait := limit_wait(request, "dm")) is not None:
        return failed(too_many(wait, "messages"), 429)
    try:
        message = social.dm_send(sender=request.user, recipient_username=other.username, text=text)
    except PermissionDenied as exc:
        return failed(str(exc), 403)
    except ValidationError as exc:
        return failed(refusals.sentence(exc), 400)
    if not request.htmx:
        return redirect("feed:thread", username=other.username)
    context = {"m": message, "other": other, "held_note": sel.HELD_NOTE}
    return render(request, "feed/messages_thread.html#message-sent", context)


@login_required
@require_POST
def message_report(request: HttpRequest, message_id: int) -> HttpResponse:
    return report_from_form(
        request,
        lambda **data: report_create_message(reporter=request.user, message_id=message_id, **data),
        lambda: redirect_back(request),
    )


@login_required
@require_POST
def post_send(request: HttpRequest, post_id: int) -> HttpResponse:
    """Send a post to someone by direct message, from the post's page."""
    if (wait := limit_wait(request, "dm")) is not None:
        return _post_page(request, post_id, 429, send_error=too_many(wait, "messages"))
    try:
        message = social.dm_share_post(
            sender=request.user, recipient_username=request.POST.get("to", ""),
            post_id=post_id, note=request.POST.get("note", ""),
        )  # fmt: skip
    except PermissionDenied as exc:
        return _post_page(request, post_id, 403, send_error=str(exc))
    except ValidationError as exc:
        return _post_page(request, post_id, 400, send_error=refusals.sentence(exc))
    recipient = message.conversation.user_low
    if recipient.pk == request.user.pk:
        recipient = message.conversation.user_high
    messages.success(request, f"Sent to @{recipient.username}.")
    return redirect("feed:thread", username=recipient.username)


# --- Search -------------------------------------------------------------------------------------


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    context: dict[str, Any] = {"q": query, "people": [], "posts": [], "error": ""}
    status = 200
    if len(query) > sel.SEARCH_QUERY_LIMIT:
        context["error"] = (
            f"That search is {len(query):,} characters long. Keep it under "
            f"{sel.SEARCH_QUERY_LIMIT} and try again."
        )
        status = 400
    elif query and (wait := limit_wait(request, "search")) is not None:
        context["error"], status = too_many(wait, "searches"), 429
    elif query:
        context["people"] = sel.search_people(viewer=request.user, query=query)
        context["posts"] = sel.search_posts(viewer=request.user, query=query)
    return render(request, "feed/search.html", context, status=status)
