"""What more than one feed page shows: the post page's context and the quiet-hours page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from accounts.selectors.teens import TeenRules, closed_profiles, teen_interaction_refusal
from feed.cards import like_button
from feed.models import CommentPolicy, Post
from feed.player import player_context
from feed.selectors import social as sel
from safety.models import Report
from sora_site.storage import published_media_url


def post_page_context(request: HttpRequest, post: Post, **extra: Any) -> dict[str, Any]:
    """Everything the post page shows: comments, the poster's control, lineage and share tags."""
    user = request.user
    post_url = request.build_absolute_uri(reverse("feed:post", args=[post.pk]))
    job = post.job
    video_url = published_media_url(job.video.name) if job.video else ""
    poster_url = published_media_url(job.poster.name) if job.poster else ""
    return {
        "post": post,
        "like_button": like_button(
            post_id=post.pk,
            like_count=post.like_count,
            liked=bool(getattr(post, "liked", False)),
            signed_in=user.is_authenticated,
        ),
        "comments": sel.comments_for_post(viewer=user, post=post),
        "author_linked": post.author_id
        not in closed_profiles(user, [post.author_id] if post.author.is_teen else []),
        "comment_refusal": (
            sel.comment_refusal(user=user, post=post) if user.is_authenticated else None
        ),
        "policy_choices": CommentPolicy.choices,
        "lineage": sel.remix_lineage(viewer=user, post=post),
        "remix_refusal": teen_interaction_refusal(owner=post.author, user=user, kind="remix"),
        "share_url": post_url,
        # Absolute, so behind a TLS proxy (SECURE_PROXY_SSL_HEADER) share tags say https.
        "video_url": video_url,
        "poster_url": poster_url,
        "og_image": request.build_absolute_uri(poster_url) if poster_url else "",
        "og_video": request.build_absolute_uri(video_url) if video_url else "",
        "report_reasons": Report.Reason.choices,
        "held_note": sel.HELD_NOTE,
        **player_context(request),
        **extra,
    }


def quiet_hours_response(
    request: HttpRequest, rules: TeenRules, now: dt.datetime | None = None
) -> HttpResponse:
    """The page a teen's feed shows during quiet hours (``rules.in_quiet_hours(now)``)."""
    # The wall-clock time in the teen's zone, not converted back to the server's.
    context = {"rules": rules, "ends_at": rules.quiet_hours_end(now).time()}
    return render(request, "accounts/teen_quiet.html", context)
