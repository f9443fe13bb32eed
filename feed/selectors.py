from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Block, Mute, User
from feed.models import Like, Post

FEED_PAGE_SIZE = 6


def _posts(viewer: User | None) -> QuerySet[Post]:
    qs = Post.objects.select_related("author", "job").filter(
        author__is_active=True, job__taken_down_at__isnull=True, job__held_at__isnull=True
    )
    if viewer is not None and viewer.is_authenticated:
        qs = qs.annotate(liked=Exists(Like.objects.filter(post=OuterRef("pk"), user=viewer)))
        # A block hides each person's posts from the other, wherever posts are listed or opened.
        qs = qs.exclude(author__in=Block.objects.filter(blocker=viewer).values("blocked"))
        qs = qs.exclude(author__in=Block.objects.filter(blocked=viewer).values("blocker"))
    return qs


def feed_latest(*, viewer: User | None, before: int | None = None) -> list[Post]:
    """One page of the newest posts, older than post ``before`` when paging down. Muted people's
    posts stay out of the feed (a direct link still opens them)."""
    qs = _posts(viewer)
    if viewer is not None and viewer.is_authenticated:
        qs = qs.exclude(author__in=Mute.objects.filter(muter=viewer).values("muted"))
    if before is not None:
        qs = qs.filter(pk__lt=before)
    return list(qs.order_by("-pk")[:FEED_PAGE_SIZE])


def posts_by_author(*, author: User, viewer: User | None = None) -> QuerySet[Post]:
    return _posts(viewer).filter(author=author).order_by("-pk")


def post_get_visible(*, viewer: User | None, post_id: int) -> Post:
    return get_object_or_404(_posts(viewer), pk=post_id)
