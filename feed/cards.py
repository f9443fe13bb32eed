"""Feed cards: what one feed item shows, read in one query without building model instances.

A feed page is the busiest page there is. Building a Post, its User and its GenerationJob for
every item, then reversing four URLs per item in the template, cost more than the ranking, so
a card is a plain dataclass filled from one ``values_list`` row, and its links are made from
one reversed pattern per page. The cards are rendered by a Jinja template
(``templates/jinja2/feed/cards.html``): the Django template took 1.3 ms for ten cards, about
a fifth of the whole request.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any
from urllib.parse import quote

from django.core.files.storage import FileSystemStorage, default_storage
from django.db.models import BooleanField, QuerySet, Value
from django.template import engines
from django.utils.encoding import filepath_to_uri
from django.utils.safestring import SafeString, mark_safe

from accounts.selectors.teens import closed_profiles, remix_closed_to
from feed.models import Post
from sora_site.storage import published_media_url
from sora_site.template_urls import remembered_reverse

COLUMNS = (
    "pk", "author_id", "author__username", "caption", "like_count", "comment_count",
    "job__prompt", "job__aspect", "job__video", "job__poster", "author__is_teen", "liked",
)  # fmt: skip
_MARKER = "987654321"


@dataclass
class FeedCard:
    """One feed item. ``why`` holds the sentences of "Why this video?"; ``goal`` the goal it was
    picked for, when one of those sentences names it."""

    pk: int
    author_id: int
    username: str
    caption: str
    # The caption, or the prompt cut to 160 characters when there is none: what the card shows.
    text: str
    like_count: int
    comment_count: int
    prompt: str
    aspect: str
    aspect_class: str
    video_url: str
    poster_url: str
    liked: bool
    post_url: str
    profile_url: str
    see_less_url: str
    like_url: str
    author_is_teen: bool = False
    # False on a teen's video whose settings don't let this viewer remix it: no Remix button.
    remix_open: bool = True
    why: list[str] = field(default_factory=list)
    goal: str = ""


def _pattern(name: str) -> Callable[[object], str]:
    """A fast link maker for ``name``: reversed once with a marker that each value replaces.
    A number needs no quoting (most links are by id); anything else is quoted."""
    head, tail = remembered_reverse(name, (_MARKER,)).split(_MARKER)
    return lambda value: (
        f"{head}{value}{tail}" if type(value) is int else f"{head}{quote(str(value))}{tail}"
    )


def _shorten(text: str, limit: int = 160) -> str:
    """``truncatechars:160`` without the filter's per-character Unicode walk."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _media_url(name: str) -> str:
    if not name:
        return ""
    storage = getattr(default_storage, "_wrapped", default_storage)
    if type(storage) is FileSystemStorage:
        # The same answer Django gives, without urljoin's parsing on every call. Other storages
        # (S3's signed, expiring URLs) are asked each time.
        return _filesystem_url(storage.base_url, name)
    return published_media_url(name)


@lru_cache(maxsize=65536)
def _filesystem_url(base_url: str, name: str) -> str:
    return base_url + filepath_to_uri(name).lstrip("/")


@cache
def jinja_template(name: str) -> Any:
    """The Jinja template ``name`` (``templates/jinja2``), looked up once per process."""
    return engines["jinja2"].env.get_template(name)


def render_cards(cards: Sequence[FeedCard], *, signed_in: bool, next_url: str) -> SafeString:
    """The feed items' HTML; the last one loads ``next_url`` (if any) as it scrolls into view."""
    html = jinja_template("feed/cards.html").render(
        posts=cards,
        signed_in=signed_in,
        next_url=next_url,
        login_url=remembered_reverse("accounts:login"),
        goals_url=remembered_reverse("feed:goals"),
    )
    return mark_safe(html)  # noqa: S308 - autoescaped by Jinja


def like_button(*, post_id: int, like_count: int, liked: bool, signed_in: bool) -> SafeString:
    """The like button on its own: for the post page, and what htmx swaps in after a like."""
    post_url, like_url = _pattern("feed:post"), _pattern("feed:like")
    html = jinja_template("feed/like_button.html").render(
        signed_in=signed_in,
        liked=liked,
        like_count=like_count,
        like_url=like_url(post_id),
        post_url=post_url(post_id),
        login_url=remembered_reverse("accounts:login"),
    )
    return mark_safe(html)  # noqa: S308 - autoescaped by Jinja


def card_rows(qs: QuerySet[Post]) -> QuerySet[Post]:
    """``qs`` (which must carry a ``liked`` annotation) narrowed to what a card shows."""
    return qs.values_list(*COLUMNS)


def cards(qs: QuerySet[Post], *, with_liked: bool) -> list[FeedCard]:
    """The cards of ``qs`` (which must carry a ``liked`` annotation when ``with_liked``)."""
    if not with_liked:
        qs = qs.annotate(liked=Value(False, output_field=BooleanField()))
    return cards_from_rows(list(card_rows(qs)))


def cards_from_rows(rows: list[tuple[Any, ...]]) -> list[FeedCard]:
    """Cards from rows of ``COLUMNS``, in the same order."""
    if not rows:
        return []
    post_url, profile_url = _pattern("feed:post"), _pattern("profile")
    see_less_url, like_url = _pattern("feed:see_less"), _pattern("feed:like")
    return [
        FeedCard(
            pk=pk,
            author_id=author_id,
            username=username,
            caption=caption,
            text=caption or _shorten(prompt),
            like_count=likes,
            comment_count=comments,
            prompt=prompt,
            aspect=aspect,
            aspect_class="aspect-" + aspect.replace(":", ""),
            video_url=_media_url(video),
            poster_url=_media_url(poster),
            liked=bool(liked),
            post_url=post_url(pk),
            profile_url=profile_url(username),
            see_less_url=see_less_url(pk),
            like_url=like_url(pk),
            author_is_teen=bool(teen),
        )
        for (pk, author_id, username, caption, likes, comments, prompt, aspect, video, poster,
             teen, liked) in rows
    ]  # fmt: skip


def unlink_closed_profiles(viewer: Any, cards: list[FeedCard]) -> list[FeedCard]:
    """Cards by a teen whose profile this viewer may not open show the handle without a link
    (``accounts.selectors.teens.profile_open_to``), and cards by a teen who doesn't let this viewer
    remix their videos leave out Remix. Queries only when a page has a teen's post."""
    teen_authors = {card.author_id for card in cards if card.author_is_teen}
    if teen_authors:
        closed = closed_profiles(viewer, teen_authors)
        no_remix = remix_closed_to(viewer, teen_authors)
        for card in cards:
            if card.author_id in closed:
                card.profile_url = ""
            card.remix_open = card.author_id not in no_remix
    return cards
