"""Reads for the social layer: comments, direct messages, remix lineage and search.

Every fetch that takes an id raises Http404 for what the viewer may not see. A comment or
message that moderation holds (``hidden_at``) is shown to its author only; a block hides each
person's comments, messages and search results from the other.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.db.models import Count, F, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.blocked import blocked_ids, has_blocked
from accounts.models import Follow, User
from accounts.search_keys import starts_with
from accounts.selectors.teens import (
    closed_profiles,
    dm_allowed_by_age,
    findable_by,
    teen_interaction_refusal,
)
from feed.models import (
    Comment,
    CommentPolicy,
    Conversation,
    DirectMessage,
    Post,
)
from feed.pool import Pool, candidate_pool
from feed.selectors.posts import _posts
from sora_site import embeddings

HELD_NOTE = "Only you can see this until a moderator reviews it."
INBOX_SIZE = 100
SEARCH_QUERY_LIMIT = 200
SEARCH_PEOPLE = 20
SEARCH_POSTS = 24
# Cosine similarity (MiniLM, normalised) a post needs to count as a match for a query, and how
# far below the best match it may fall. Measured on renderer-style prompts: a rephrasing scores
# 0.45-0.7 ("dog playing by the sea" / "a golden retriever running on the beach"), a loosely
# related post 0.3-0.36 (the same query / "a paper boat drifting down a rainy street"), an
# unrelated one under 0.25; one-word queries top out lower ("puppy" 0.34, "beach" 0.33).
SEARCH_MIN_SIMILARITY = 0.3
SEARCH_BAND = 0.15
# A post whose caption or prompt contains the query word for word always counts, ranked first.
SEARCH_LITERAL_BONUS = 0.5
# How many of the closest posts are checked for visibility at a time (then four times as many,
# and so on, until enough of them may be shown).
SEARCH_CHECKED = 200


# --- Comments -----------------------------------------------------------------------------------


def _visible_comments(viewer: User) -> QuerySet[Comment]:
    qs = Comment.objects.select_related("author").filter(
        removed_at__isnull=True, author__is_active=True
    )
    if not viewer.is_authenticated:
        return qs.filter(hidden_at__isnull=True)
    qs = qs.filter(Q(hidden_at__isnull=True) | Q(author=viewer))
    return qs.exclude(author_id__in=blocked_ids(viewer))


def comments_for_post(*, viewer: User, post: Post) -> list[Comment]:
    """The post's top-level comments, oldest first, each with ``shown_replies``: what this viewer
    may see of them."""
    top = list(_visible_comments(viewer).filter(post=post, parent__isnull=True))
    replies: dict[int, list[Comment]] = {c.pk: [] for c in top}
    for reply in _visible_comments(viewer).filter(post=post, parent_id__in=list(replies)):
        replies[reply.parent_id].append(reply)
    for comment in top:
        comment.shown_replies = replies[comment.pk]
    everyone = [*top, *(reply for shown in replies.values() for reply in shown)]
    closed = closed_profiles(viewer, {c.author_id for c in everyone if c.author.is_teen})
    for comment in everyone:
        comment.author_linked = comment.author_id not in closed
    return top


def comment_get_visible(*, viewer: User, comment_id: int) -> Comment:
    """A comment the viewer can see, on a post they can see; 404 otherwise."""
    comment = get_object_or_404(_visible_comments(viewer), pk=comment_id)
    if not _posts(viewer).filter(pk=comment.post_id).exists():
        raise Http404("No such comment.")
    return comment


def comment_refusal(*, user: User, post: Post) -> str | None:
    """Why this person may not comment on this post under its poster's comment control or, on a
    teen's post, the teen's settings (``teen_interaction_refusal``), or None. The poster may
    always comment on their own post unless they turned comments off."""
    if post.comment_policy == CommentPolicy.NOBODY:
        if post.author_id == user.pk:
            return "You turned comments off for this video. Turn them on to comment."
        return f"@{post.author.username} turned comments off for this video."
    if post.author_id == user.pk:
        return None
    if (
        post.comment_policy == CommentPolicy.FOLLOWING
        and not Follow.objects.filter(follower_id=post.author_id, followee=user).exists()
    ):
        return f"@{post.author.username} only takes comments from people they follow."
    return teen_interaction_refusal(owner=post.author, user=user, kind="comment")


# --- Direct messages ----------------------------------------------------------------------------


def dm_refusal(sender: User, recipient: User) -> str | None:
    """Why ``sender`` may not message ``recipient``, or None. The one place that decides who may
    message whom, so that later rules (teen accounts) slot in here."""
    if sender.pk == recipient.pk:
        return "You can't message yourself."
    if not recipient.is_active:
        return f"@{recipient.username}'s account is closed, so it can't get messages."
    if recipient.is_suspended:
        return f"@{recipient.username}'s account is suspended, so it can't get messages for now."
    if has_blocked(sender, recipient):
        return f"You blocked @{recipient.username}. Unblock them to send a message."
    if has_blocked(recipient, sender):
        return f"You can't message @{recipient.username}."
    return dm_allowed_by_age(sender, recipient)


def conversation_between(a: User, b: User) -> Conversation | None:
    low, high = sorted((a.pk, b.pk))
    return Conversation.objects.filter(user_low_id=low, user_high_id=high).first()


def _visible_messages(viewer: User) -> QuerySet[DirectMessage]:
    return DirectMessage.objects.select_related("sender").filter(
        Q(hidden_at__isnull=True) | Q(sender=viewer)
    )


def thread_messages(*, viewer: User, other: User) -> tuple[Conversation | None, list]:
    """The conversation between the viewer and ``other`` and the messages the viewer may see,
    oldest first."""
    conversation = conversation_between(viewer, other)
    if conversation is None:
        return None, []
    return conversation, list(_visible_messages(viewer).filter(conversation=conversation))


@dataclass(frozen=True)
class InboxRow:
    """One conversation in someone's inbox: who with, how much is unread, the latest message."""

    conversation: Conversation
    other: User
    unread: int
    last: DirectMessage


def inbox_for(*, user: User) -> list[InboxRow]:
    """The person's latest conversations, newest first, with how many messages they haven't
    read."""
    unread = Count(
        "messages",
        filter=Q(messages__read_at__isnull=True, messages__hidden_at__isnull=True)
        & ~Q(messages__sender=user),
    )
    conversations = (
        Conversation.objects.filter(Q(user_low=user) | Q(user_high=user))
        .select_related("user_low", "user_high")
        .annotate(unread=unread)
        .order_by(F("last_message_at").desc(nulls_last=True), "-id")
    )
    rows = []
    for conversation in conversations[:INBOX_SIZE]:
        other = (
            conversation.user_high if conversation.user_low_id == user.pk else conversation.user_low
        )
        if not other.is_active:
            continue
        last = _visible_messages(user).filter(conversation=conversation).last()
        if last is None:  # only a message held for review: nothing to show yet
            continue
        rows.append(InboxRow(conversation, other, conversation.unread, last))
    return rows


def message_get_for_participant(*, viewer: User, message_id: int) -> DirectMessage:
    """A message sent to the viewer that they can see; 404 for anyone else's."""
    message = (
        _visible_messages(viewer)
        .select_related("conversation")
        .filter(pk=message_id)
        .exclude(sender=viewer)
        .first()
    )
    if message is None or viewer.pk not in (
        message.conversation.user_low_id,
        message.conversation.user_high_id,
    ):
        raise Http404("No such message.")
    return message


# --- Remix lineage ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lineage:
    """Where a post came from and what came of it, as far as the viewer may see."""

    is_remix: bool
    parent: Post | None
    remixes: list[Post]


def remix_lineage(*, viewer: User, post: Post) -> Lineage:
    parent_id = post.job.remix_of_id
    parent = _posts(viewer).filter(pk=parent_id).first() if parent_id else None
    remixes = list(_posts(viewer).filter(job__remix_of=post).order_by("-pk"))
    return Lineage(is_remix=parent_id is not None, parent=parent, remixes=remixes)


# --- Search -------------------------------------------------------------------------------------


def search_people(*, viewer: User, query: str) -> list[User]:
    """Active people whose @handle or name starts with the query, never someone blocked either
    way. Exact handles first, then shorter handles."""
    query = query.strip().lstrip("@")
    if not query:
        return []
    people = User.objects.filter(starts_with(query), is_active=True)
    people = people.exclude(pk__in=blocked_ids(viewer))
    found = sorted(
        (person for person in people[:200] if findable_by(viewer, person)),
        key=lambda u: (u.username.lower() != query.lower(), len(u.username), u.username.lower()),
    )
    return found[:SEARCH_PEOPLE]


def search_posts(*, viewer: User, query: str) -> list[Post]:
    """Posts the viewer may see whose MiniLM embedding is close to the query's, best first. A post
    whose caption or prompt contains the query counts too, so a post whose features aren't
    computed yet is found at once."""
    query = query.strip()
    if not query:
        return []
    # Both kinds of match look at the same window: the newest posts, whose vectors this process
    # already holds for For you (``feed.pool``). A search reads no embeddings from the database
    # and does the same work however many posts there are; older posts stay on their authors'
    # profiles.
    pool = candidate_pool()
    if not len(pool):
        return []
    visible = _posts(viewer).filter(pk__gte=pool.min_id)
    literal = set(
        visible.filter(Q(caption__icontains=query) | Q(job__prompt__icontains=query))
        .order_by("-pk")
        .values_list("pk", flat=True)[:SEARCH_POSTS]
    )
    similarity = pool.vectors @ embeddings.embed_texts([query])[0]
    sims = _closest_visible(pool, similarity, visible)
    floor = max(SEARCH_MIN_SIMILARITY, max(sims.values(), default=0.0) - SEARCH_BAND)
    scores = {pk: sim for pk, sim in sims.items() if sim >= floor}
    for pk in literal:
        # Posted since the pool was read, or not scored yet: the words alone count.
        where = int(np.searchsorted(pool.ids, pk))
        known = where < len(pool) and pool.ids[where] == pk
        scores[pk] = (float(similarity[where]) if known else 0.0) + SEARCH_LITERAL_BONUS
    best = sorted(scores, key=lambda pk: (-scores[pk], -pk))[:SEARCH_POSTS]
    posts = visible.in_bulk(best)
    return [posts[pk] for pk in best if pk in posts]


def _closest_visible(
    pool: Pool, similarity: np.ndarray, visible: QuerySet[Post]
) -> dict[int, float]:
    """The closest posts the viewer may see, by id, with their similarity: at least
    ``SEARCH_POSTS`` of them where there are that many above ``SEARCH_MIN_SIMILARITY``, so the
    page's best are among them. The pool holds posts whatever their visibility, so the closest
    are checked against ``visible``, a few hundred at a time."""
    order = np.argsort(-similarity, kind="stable")
    found: dict[int, float] = {}
    start, width = 0, SEARCH_CHECKED
    while start < len(order) and len(found) < SEARCH_POSTS:
        chunk = order[start : start + width]
        chunk = chunk[similarity[chunk] >= SEARCH_MIN_SIMILARITY]
        if not len(chunk):
            break
        ids = pool.ids[chunk].tolist()
        shown = set(visible.filter(pk__in=ids).values_list("pk", flat=True))
        pairs = zip(ids, chunk, strict=True)
        found.update({pk: float(similarity[i]) for pk, i in pairs if pk in shown})
        start, width = start + width, width * 4
    return found
