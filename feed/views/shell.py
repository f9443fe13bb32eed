"""The Inbox tab (latest messages and notifications on one page) and the feed card's Remix
button, which opens Create with the original's prompt and seed."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from accounts.selectors.people import notifications_in_group
from accounts.selectors.teens import teen_interaction_refusal
from feed.selectors import social as sel
from feed.selectors.posts import post_get_visible

INBOX_CONVERSATIONS = 5
INBOX_NOTIFICATIONS = 8


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    rows = sel.inbox_for(user=request.user)
    context = {
        "rows": rows[:INBOX_CONVERSATIONS],
        "more_conversations": len(rows) > INBOX_CONVERSATIONS,
        "unread_messages": sum(row.unread for row in rows),
        "items": notifications_in_group(user=request.user, group=None, limit=INBOX_NOTIFICATIONS),
    }
    return render(request, "feed/inbox.html", context)


@login_required
@require_GET
def remix(request: HttpRequest, post_id: int) -> HttpResponse:
    post = post_get_visible(viewer=request.user, post_id=post_id)
    refusal = teen_interaction_refusal(owner=post.author, user=request.user, kind="remix")
    if refusal:
        messages.error(request, refusal)
        return redirect("feed:post", post_id=post.pk)
    query = urlencode({"prompt": post.job.prompt, "seed": post.job.seed, "remix_of_id": post.pk})
    return redirect(f"{reverse('generation:create')}?{query}")
