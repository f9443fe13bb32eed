"""Reads for the feed: what a person may see, and the feed page in each mode.

For you ranks the candidate pool (``feed.pool``) with ``feed.ranking``; Latest and Following are
newest first. Every list goes through ``_visible`` (not held, not taken down, active author) and
leaves out people blocked either way, teens who keep their videos from the viewer
(``accounts.selectors.visibility``), and, in feeds, people muted.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
from django.core.cache import cache
from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.shortcuts import get_object_or_404
from redis.exceptions import RedisError

from accounts.blocked import without_blocked
from accounts.models import Block, Follow, Mute, ParentLink, TeenSettings, User
from accounts.selectors.teens import teen_rules
from accounts.selectors.visibility import (
    authors_hidden_from_id,
    filter_visible_to,
    kept_to_followed,
    sees_every_video,
)
from feed import exclusions, ranking
from feed.cards import FeedCard, card_rows, cards, cards_from_rows, unlink_closed_profiles
from feed.models import FeedPreference, Like, Post, SeeLess, SeenPost, WatchDay
from feed.pool import Pool, candidate_pool
from feed.pool_exclusions import pool_excluded
from feed.prepared import Prepared
from feed.selectors.budget import BudgetStatus, budget_status, effective_limit, today
from feed.selectors.check_ins import DUE_COLUMNS, DueRow, due_columns
from feed.selectors.goals import ranking_goals
from feed.selectors.steering import stored_vectors
from sora_site.embeddings import EMBEDDING_DIM

FEED_PAGE_SIZE = 10
# Extra For-you picks per page: a pick the final query drops (held, taken down, its author
# banned since the pool was read) is replaced without a second round trip.
SPARE_PICKS = 5
MAX_ROUNDS = 3
# One ranking fills this many pages; what it ranked is kept this long for the next pages (a
# page of short videos takes a minute or two to watch).
AHEAD_PAGES = 8
AHEAD_SECONDS = 600
# A post counts as seen only when the browser reports it watched (``feed.services.posts``), and only
# within this many hours of the feed sending it; a scroll's token is honoured as long.
SERVED_HOURS = 6
Mode = FeedPreference.Mode


def _visible() -> QuerySet[Post]:
    """Posts anyone may see: not held, not taken down, by an account that is still active."""
    return Post.objects.select_related("author", "job").filter(
        author__is_active=True, job__taken_down_at__isnull=True, job__held_at__isnull=True
    )


def _with_liked(qs: QuerySet[Post], viewer: User) -> QuerySet[Post]:
    return qs.annotate(liked=Exists(Like.objects.filter(post=OuterRef("pk"), user=viewer)))


def _posts(viewer: User | None) -> QuerySet[Post]:
    qs = _visible()
    if viewer is not None and viewer.is_authenticated:
        qs = _with_liked(qs, viewer)
        # A block hides each person's posts from the other, wherever posts are listed or opened.
        qs = without_blocked(qs, viewer)
    # A teen's videos reach only the people the teen follows (``accounts.selectors.visibility``).
    return filter_visible_to(viewer, qs)


def _without_muted(qs: QuerySet[Post], viewer: User | None) -> QuerySet[Post]:
    if viewer is not None and viewer.is_authenticated:
        qs = qs.exclude(author__in=Mute.objects.filter(muter=viewer).values("muted"))
    return qs


def _signed_in(viewer: User | None) -> bool:
    return viewer is not None and viewer.is_authenticated


def _latest_posts(viewer: User | None) -> QuerySet[Post]:
    return _without_muted(_posts(viewer), viewer)


def _following_posts(viewer: User) -> QuerySet[Post]:
    followed = Follow.objects.filter(follower=viewer).values("followee")
    return _without_muted(_posts(viewer), viewer).filter(author__in=followed)


def feed_latest(
    *, viewer: User | None, before: int | None = None, page_size: int | None = None
) -> list[FeedCard]:
    """One page of the newest posts, older than post ``before`` when paging down. Muted people's
    posts stay out of the feed (a direct link still opens them)."""
    qs = _latest_posts(viewer)
    if before is not None:
        qs = qs.filter(pk__lt=before)
    page = qs.order_by("-pk")[: page_size or FEED_PAGE_SIZE]
    return unlink_closed_profiles(viewer, cards(page, with_liked=_signed_in(viewer)))


def feed_following(*, viewer: User, before: int | None = None, page_size: int) -> list[FeedCard]:
    """The newest posts of people the viewer follows, older than ``before`` when paging."""
    qs = _following_posts(viewer)
    if before is not None:
        qs = qs.filter(pk__lt=before)
    return unlink_closed_profiles(viewer, cards(qs.order_by("-pk")[:page_size], with_liked=True))


def posts_by_author(*, author: User, viewer: User | None = None) -> QuerySet[Post]:
    return _posts(viewer).filter(author=author).order_by("-pk")


def post_get_visible(*, viewer: User | None, post_id: int) -> Post:
    return get_object_or_404(_posts(viewer), pk=post_id)


def see_less_count(*, viewer: User) -> int:
    return SeeLess.objects.filter(user=viewer).count()


# --- The feed page ----------------------------------------------------------------------------


@dataclass
class FeedPage:
    """One page of the feed and how it ends. ``posts`` each carry ``why``: sentences that say
    why the post is there."""

    mode: str
    posts: list[FeedCard] = field(default_factory=list)
    has_more: bool = False
    next_before: int | None = None
    caught_up: bool = False
    nothing_yet: bool = False
    budget: BudgetStatus | None = None
    preference: FeedPreference | None = None
    # For you: when this scroll began (milliseconds since the epoch), for its next page's link.
    scroll: int | None = None
    # A teen whose feed isn't personalised: For you, mood and their words can't reach it.
    steering_off: bool = False
    # What decides whether a wellbeing check-in is due, when it was read with the preference.
    check_in: DueRow | None = None
    # Latest and Following: the page began before this post; how many posts the viewer's "none"
    # words hid on it, and those words quoted; whether this page shows them anyway.
    before: int | None = None
    hidden: int = 0
    hidden_words: str = ""
    showing_hidden: bool = False

    @property
    def limit_reached(self) -> bool:
        return self.budget is not None and self.budget.reached


# Both read on every feed page, so compiled once (``feed.prepared``).
_PREFERENCE_FIELDS = tuple(f.attname for f in FeedPreference._meta.concrete_fields)
_PREFERENCE = Prepared(
    lambda user_id: FeedPreference.objects.filter(user_id=user_id).values_list(*_PREFERENCE_FIELDS),
    list_size=0,
)
_WATCH_DAY_FIELDS = tuple(f.attname for f in WatchDay._meta.concrete_fields)
_LATEST_WATCH_DAY = Prepared(
    lambda user_id: (
        WatchDay.objects.filter(user_id=user_id)
        .order_by("-day")
        .values_list(*_WATCH_DAY_FIELDS)[:1]
    ),
    list_size=0,
)


def feed_preference_for(viewer: User) -> FeedPreference:
    """The viewer's preference, or the defaults when they never changed any."""
    found = _PREFERENCE.instances(FeedPreference, user_id=viewer.pk)
    if not found:
        return FeedPreference(user=viewer)
    found[0].user = viewer
    return found[0]


def preference_budget(
    viewer: User, preference: FeedPreference, latest: LatestWatch | None = None
) -> BudgetStatus:
    """Today's budget; today's watch time is read only when there is a limit to count it for.
    The newest day is read (a query with no date to compose) and kept if it is today, unless
    the caller read it already (``latest``: the feed page reads it with the preference)."""
    limit = effective_limit(viewer, preference.daily_budget_minutes)
    watch_day = None
    if limit.minutes is not None:
        if latest is None:
            found = _LATEST_WATCH_DAY.instances(WatchDay, user_id=viewer.pk)
            latest = (found[0].day, found[0].seconds, found[0].extensions) if found else _NO_DAY
        day, seconds, extensions = latest
        if day is not None and day == today(viewer):
            watch_day = WatchDay(user=viewer, day=day, seconds=seconds, extensions=extensions)
    return budget_status(user=viewer, limit=limit, watch_day=watch_day)


# The viewer's newest watch day: the day, its seconds and its extensions (all None: none yet).
LatestWatch = tuple[dt.date | None, int | None, int | None]
_NO_DAY: LatestWatch = (None, None, None)


def _latest_watch(column: str) -> Subquery:
    newest = WatchDay.objects.filter(user=OuterRef("user_id")).order_by("-day")
    return Subquery(newest.values(column)[:1])


# The feed page's one question about the viewer: their preference, with their newest watch day
# (for today's time) and what decides whether a check-in is due, in one round trip instead of
# three. A person who never changed a setting has no preference row: their page asks the other
# two on their own.
_WATCH_COLUMNS = ("latest_watch_day", "latest_watch_seconds", "latest_watch_extensions")
_PAGE_FACTS = Prepared(
    lambda user_id: (
        FeedPreference.objects.filter(user_id=user_id)
        .annotate(
            latest_watch_day=_latest_watch("day"),
            latest_watch_seconds=_latest_watch("seconds"),
            latest_watch_extensions=_latest_watch("extensions"),
            **due_columns("user_id"),
        )
        .values_list(*_PREFERENCE_FIELDS, *_WATCH_COLUMNS, *DUE_COLUMNS)
    ),
    list_size=0,
)


@dataclass(frozen=True)
class _PageFacts:
    preference: FeedPreference
    latest: LatestWatch | None  # None: not read
    check_in: DueRow | None  # None: not read


def _page_facts(viewer: User) -> _PageFacts:
    found = _PAGE_FACTS.rows(user_id=viewer.pk)
    if not found:
        return _PageFacts(FeedPreference(user=viewer), None, None)
    row, size = found[0], len(_PREFERENCE_FIELDS)
    preference = FeedPreference.from_db(connection.alias, _PREFERENCE_FIELDS, row[:size])
    preference.user = viewer
    latest = row[size : size + len(_WATCH_COLUMNS)]
    return _PageFacts(preference, latest, row[size + len(_WATCH_COLUMNS) :])


def feed_page(
    *,
    viewer: User | None,
    before: int | None = None,
    page_size: int = FEED_PAGE_SIZE,
    scroll: int | None = None,
    show_hidden: bool = False,
) -> FeedPage:
    """The feed as the viewer has set it up. Anonymous visitors get Latest. ``scroll`` is the
    For-you scroll this page continues (``FeedPage.scroll`` of its first page); without one a
    new scroll begins. ``show_hidden`` shows a Latest or Following page with what the viewer's
    "none" words would hide (For you never does)."""
    if viewer is None or not viewer.is_authenticated:
        posts = feed_latest(viewer=None, before=before, page_size=page_size)
        return _chronological(Mode.LATEST, posts, page_size, before)
    facts = _page_facts(viewer)
    preference = facts.preference
    steering_off = False
    if viewer.is_teen:
        # A non-personalised teen feed is Latest or Following over moderated posts, with no
        # interest, instruction or goal terms; the stored choice is kept for when that changes.
        rules = teen_rules(viewer)
        steering_off = rules is not None and not rules.personalised
        if rules is not None and preference.mode not in rules.feed_modes:
            preference.mode = Mode.LATEST
    budget = preference_budget(viewer, preference, facts.latest)
    if budget.reached:
        return FeedPage(
            mode=preference.mode,
            budget=budget,
            preference=preference,
            steering_off=steering_off,
            check_in=facts.check_in,
        )
    if preference.mode in (Mode.LATEST, Mode.FOLLOWING):
        page = _chronological_steered(viewer, preference, before, page_size, show_hidden)
    else:
        page = feed_for_you(
            viewer=viewer, preference=preference, page_size=page_size, scroll=scroll
        )
    page.budget, page.preference, page.steering_off = budget, preference, steering_off
    page.check_in = facts.check_in
    return page


def _chronological_steered(
    viewer: User,
    preference: FeedPreference,
    before: int | None,
    page_size: int,
    show_hidden: bool,
) -> FeedPage:
    """Latest or Following, newest first, without what the viewer said "none" of unless they
    asked to see it on this page."""
    mode = preference.mode
    words = exclusions.exclusions_for(preference)
    if not len(words) or show_hidden:
        if mode == Mode.LATEST:
            posts = feed_latest(viewer=viewer, before=before, page_size=page_size)
        else:
            posts = feed_following(viewer=viewer, before=before, page_size=page_size)
        page = _chronological(mode, posts, page_size, before)
    else:
        qs = _latest_posts(viewer) if mode == Mode.LATEST else _following_posts(viewer)
        found = exclusions.chronological_page(
            qs, exclusions=words, before=before, page_size=page_size
        )
        rows = qs.filter(pk__in=found.ids).order_by("-pk")
        posts = unlink_closed_profiles(viewer, cards(rows, with_liked=True))
        page = _chronological(mode, posts, page_size, before, next_before=found.next_before)
        page.hidden = found.hidden
        page.nothing_yet = page.nothing_yet and not found.hidden
    page.before, page.hidden_words, page.showing_hidden = before, words.quoted, show_hidden
    return page


_CHRONO_WHY = {
    Mode.LATEST: ["You're watching Latest: the newest videos first."],
    Mode.FOLLOWING: ["It's from someone you follow; Following shows their newest first."],
}


def _chronological(
    mode: str,
    posts: list[FeedCard],
    page_size: int,
    before: int | None,
    *,
    next_before: int | None = 0,
) -> FeedPage:
    """A newest-first page. ``next_before`` is where the next page starts when the page was
    read past its last post (None: nothing older); by default, after its last post if full."""
    for post in posts:
        post.why = _CHRONO_WHY[mode]
    if next_before == 0:
        next_before = posts[-1].pk if len(posts) == page_size else None
    more = next_before is not None
    return FeedPage(
        mode=mode,
        posts=posts,
        has_more=more,
        next_before=next_before,
        caught_up=not more and (bool(posts) or before is not None),
        nothing_yet=not posts and before is None and not more,
    )


# --- For you ----------------------------------------------------------------------------------


def scroll_start(token: int | None) -> int:
    """When the scroll asking for a page began, in milliseconds since the epoch: its token for
    the next pages of a scroll; now for a new one (no token, or one from the future or older
    than ``SERVED_HOURS``, which no page of ours hands out)."""
    now = int(time.time() * 1000)
    if token is None or not now - SERVED_HOURS * 3_600_000 <= token <= now:
        return now
    return token


def feed_for_you(
    *, viewer: User, preference: FeedPreference, page_size: int, scroll: int | None = None
) -> FeedPage:
    """The next page of For you: the viewer's unseen candidates, ranked by ``feed.ranking``.

    Unseen means not reported watched (``SeenPost.seen_at``): a page that was sent but not
    watched is shown again on the next visit. Within one scroll (``scroll``, see
    ``scroll_start``) the next pages leave out what this scroll already sent, so nothing
    repeats on the way down, and the scroll ends when it has sent everything unseen.

    One ranking fills ``AHEAD_PAGES`` pages. It is kept in the cache for the next pages of the
    scroll, for as long as nothing it was ranked on changes (posts, features, the person's
    steering, follows, "see less"); what was seen since, or whose author was blocked or muted
    since, is filtered out of it on every page. The queries are the same whatever the
    page size: the pool's version, the viewer's relations, their marks, the page's cards.
    """
    pool = candidate_pool()
    began = scroll_start(scroll)
    if not len(pool):
        return FeedPage(mode=Mode.FOR_YOU, nothing_yet=True, scroll=began)
    steered = _steered(viewer, preference, pool, _from_millis(began))
    unseen = int(np.count_nonzero(steered.mask))
    queue = _ranked_ahead(viewer, steered, pool)
    if len(queue) < min(unseen, page_size + SPARE_PICKS):
        picks = ranking.rank(
            pool, steered.steering, mask=steered.mask, k=page_size * AHEAD_PAGES + SPARE_PICKS
        )
        queue = [
            (int(pool.ids[pick.index]), float(pool.created[pick.index]), tuple(pick.because))
            for pick in picks
        ]
        # Kept whole and written once: the pages after this one drop what was seen since.
        _keep_ahead(viewer, steered.fingerprint, queue)
    shown, _, invisible = _fill_page(viewer, queue, page_size)
    unlink_closed_profiles(viewer, shown)
    left = unseen - invisible - len(shown)
    more = left > 0 and bool(shown)
    return FeedPage(mode=Mode.FOR_YOU, posts=shown, has_more=more, caught_up=not more, scroll=began)


def _from_millis(millis: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(millis / 1000, tz=dt.UTC)


@dataclass(frozen=True)
class _Steered:
    """The viewer's side of a ranking: which of the pool they may be shown (not seen, not sent
    earlier in this scroll, author not blocked or muted), what they steer by, and a fingerprint
    of everything the ranking reads besides the mask."""

    mask: np.ndarray
    steering: ranking.Steering
    fingerprint: str


def _steered(
    viewer: User, preference: FeedPreference, pool: Pool, scroll_began: dt.datetime
) -> _Steered:
    rows = _viewer_rows(viewer, pool.min_id, scroll_began)
    following, followers, hidden = rows.following, rows.followers, rows.hidden
    seen, see_less = rows.seen, rows.see_less
    mask = np.ones(len(pool), dtype=bool)
    if not sees_every_video(viewer):
        # Kept posts are out, but for their authors' followers, parents and themselves.
        kept = _kept_in_pool(pool)
        mask[kept.positions] = False
        keeps = [*followers.tolist(), *rows.children.tolist(), viewer.pk]
        back = kept.author_set.intersection(keeps)
        if back:
            mask[pool.author_positions(np.fromiter(back, dtype=np.int64))] = True
    # After the kept posts: what was seen, blocked or muted stays out whoever its author is.
    mask[pool.positions(seen)] = False
    mask[pool.author_positions(hidden)] = False
    # What the viewer said "none" of is never a candidate (not merely ranked lower).
    mask &= ~pool_excluded(pool, exclusions.exclusions_for(preference))
    digest = hashlib.blake2b(digest_size=16)
    for part in (preference.pk, preference.updated_at, pool.version):
        digest.update(repr(part).encode())
    for array in (following, followers, np.sort(see_less)):
        digest.update(np.ascontiguousarray(array).tobytes() + b"|")
    steering = _steering(preference, following, followers, pool, see_less)
    return _Steered(mask, steering, digest.hexdigest())


def viewer_steering(
    *, viewer: User, preference: FeedPreference, pool: Pool
) -> tuple[np.ndarray, ranking.Steering]:
    """Which of the pool the viewer may be shown (unseen, author not blocked or muted), and
    everything they steer by, as arrays for ``ranking.rank``. One query, and now and then
    one more for who keeps their videos to their followers (``_kept_in_pool``)."""
    steered = _steered(viewer, preference, pool, _from_millis(scroll_start(None)))
    return steered.mask, steered.steering


# A ranked post waiting for its page: its id, when it was posted, and why it was picked.
Queued = tuple[int, float, tuple[tuple[str, str], ...]]


def _ahead_key(viewer: User) -> str:
    return f"feed:ahead:{viewer.pk}"


class _AheadHere:
    """The rankings this process made or fetched lately, by viewer, so the next page of a
    scroll served here reads no cache at all: a page costs one unpickled cache read less. The
    shared cache still holds each one for the other processes. The fingerprint decides, as it
    does for the shared copy, so a stale entry is never used."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[int, tuple[float, str, list[Queued]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, viewer_id: int, fingerprint: str) -> list[Queued] | None:
        with self._lock:
            entry = self._entries.get(viewer_id)
            if entry is None or entry[1] != fingerprint:
                return None
            if time.monotonic() - entry[0] > AHEAD_SECONDS:
                del self._entries[viewer_id]
                return None
            self._entries.move_to_end(viewer_id)
            return entry[2]

    def put(self, viewer_id: int, fingerprint: str, queue: list[Queued]) -> None:
        with self._lock:
            self._entries[viewer_id] = (time.monotonic(), fingerprint, queue)
            self._entries.move_to_end(viewer_id)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


_ahead_here = _AheadHere(size=2048)


def _ranked_ahead(viewer: User, steered: _Steered, pool: Pool) -> list[Queued]:
    """What the last ranking left for the next pages, if it still holds, minus what the viewer
    may no longer be shown."""
    queue = _ahead_here.get(viewer.pk, steered.fingerprint)
    if queue is None:
        try:
            kept = cache.get(_ahead_key(viewer))
        except RedisError:
            return []
        if not kept or kept[0] != steered.fingerprint:
            return []
        queue = kept[1]
        _ahead_here.put(viewer.pk, steered.fingerprint, queue)
    if not queue:
        return []
    ids = np.array([entry[0] for entry in queue], dtype=np.int64)
    where = np.minimum(np.searchsorted(pool.ids, ids), len(pool) - 1)
    keep = (pool.ids[where] == ids) & steered.mask[where]
    return [entry for entry, ok in zip(queue, keep, strict=True) if ok]


def _keep_ahead(viewer: User, fingerprint: str, queue: list[Queued]) -> None:
    _ahead_here.put(viewer.pk, fingerprint, queue)
    # Without the shared cache another process's next page ranks again: slower, never wrong.
    with contextlib.suppress(RedisError):
        cache.set(_ahead_key(viewer), (fingerprint, queue), AHEAD_SECONDS)


# The picked posts a viewer may see, as card rows: the page's one query for its posts. It
# applies the whole rule on who may see a teen's videos itself (for each picked post, by its
# author), so what reaches the page never rests on the ranking's mask being up to date.
CHUNK = 64
_PICKED_CARDS = Prepared(
    lambda viewer, post_ids: card_rows(
        _with_liked(_visible(), viewer)
        .exclude(Exists(authors_hidden_from_id(viewer_id=viewer).filter(pk=OuterRef("author_id"))))
        .filter(pk__in=post_ids)
    ),
    list_size=CHUNK,
)
# Teens see every teen's videos (``sees_every_video``).
_PICKED_CARDS_FOR_TEENS = Prepared(
    lambda viewer, post_ids: card_rows(_with_liked(_visible(), viewer).filter(pk__in=post_ids)),
    list_size=CHUNK,
)


def _fill_page(
    viewer: User, queue: list[Queued], page_size: int
) -> tuple[list[FeedCard], int, int]:
    """Cards for the first ``page_size`` queued posts the viewer may see, with their reasons;
    how many queue entries that used; and how many of those nobody may see any more (held,
    taken down, author banned). Blocks and mutes were masked out already."""
    shown: list[FeedCard] = []
    used = invisible = 0
    picked = _PICKED_CARDS_FOR_TEENS if sees_every_video(viewer) else _PICKED_CARDS
    for _ in range(MAX_ROUNDS):
        chunk = queue[used : used + min(page_size - len(shown) + SPARE_PICKS, CHUNK)]
        if not chunk or len(shown) == page_size:
            break
        rows = picked.rows(viewer=viewer.pk, post_ids=[entry[0] for entry in chunk])
        found = {card.pk: card for card in cards_from_rows(rows)}
        now = time.time()
        for post_id, created, because in chunk:
            if len(shown) == page_size:
                break
            used += 1
            card = found.get(post_id)
            if card is None:
                invisible += 1
            else:
                card.why = ranking.restate(list(because), age_seconds=now - created)
                card.goal = ranking.goal_of(because)
                shown.append(card)
    return shown, used, invisible


def _rows(sql: str, params: list[object]) -> list[tuple[object, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _viewer_rows(viewer: User, since_id: int, scroll_began: dt.datetime) -> _ViewerRows:
    """Everything of the viewer's own that a For-you page reads, in one query: whom they
    follow, who follows them, whose posts they never see (blocked either way, or muted), the
    teens they are the linked parent of, the pool's posts they have seen or were sent since
    ``scroll_began``, and every post they marked "see less". Written as SQL: the ORM spent
    longer composing this eight-part union than the database spent answering it."""
    tables = (Follow, Block, Mute, ParentLink, SeenPost, SeeLess)
    follow, block, mute, link, seen, less = (m._meta.db_table for m in tables)
    sql = (
        f"SELECT followee_id, 0 FROM {follow} WHERE follower_id = %s "
        f"UNION ALL SELECT follower_id, 1 FROM {follow} WHERE followee_id = %s "
        f"UNION ALL SELECT blocked_id, 2 FROM {block} WHERE blocker_id = %s "
        f"UNION ALL SELECT blocker_id, 2 FROM {block} WHERE blocked_id = %s "
        f"UNION ALL SELECT muted_id, 2 FROM {mute} WHERE muter_id = %s "
        f"UNION ALL SELECT teen_id, 3 FROM {link} "
        "WHERE parent_id = %s AND ended_at IS NULL AND teen_id IS NOT NULL "
        f"UNION ALL SELECT post_id, 4 FROM {seen} WHERE user_id = %s AND post_id >= %s "
        "AND (seen_at IS NOT NULL OR served_at >= %s) "
        f"UNION ALL SELECT post_id, 5 FROM {less} WHERE user_id = %s"
    )
    began = connection.ops.adapt_datetimefield_value(scroll_began)
    params = [viewer.pk] * 7 + [since_id, began, viewer.pk]
    rows = np.array(_rows(sql, params), dtype=np.int64).reshape(-1, 2)
    return _ViewerRows(*(rows[rows[:, 1] == kind, 0] for kind in range(6)))


@dataclass(frozen=True)
class _ViewerRows:
    following: np.ndarray
    followers: np.ndarray
    hidden: np.ndarray
    children: np.ndarray
    seen: np.ndarray
    see_less: np.ndarray


# Who, among the pool's authors, keeps their videos to the people they follow (teens, by
# default): read once per pool and at most every ``KEPT_SECONDS`` in each process, not on every
# page, since it is the same for every viewer. The ranking's mask leaves their posts out for
# anyone they don't follow and who isn't their parent. A setting changed since then costs at
# most a short page (the card query above applies the rule itself), never a video shown to
# someone it was kept from.
KEPT_SECONDS = 30.0
_KEPT_IN_POOL = Prepared(
    lambda since: (
        kept_to_followed()
        .filter(pk__in=Post.objects.filter(pk__gte=since).values("author_id"))
        .values_list("pk")
    ),
    list_size=0,
)


@dataclass(frozen=True)
class _Kept:
    pool: Pool  # the pool it was read for: a new pool (new posts, another database) reads again
    read_at: float
    authors: np.ndarray
    # The same authors as a set, and where their posts are in the pool: a page masks those
    # positions and gives back the few whose authors the viewer may see.
    author_set: frozenset[int]
    positions: np.ndarray


_kept: _Kept | None = None


def _kept_in_pool(pool: Pool) -> _Kept:
    global _kept
    kept, now = _kept, time.monotonic()
    if kept is None or kept.pool is not pool or now - kept.read_at > KEPT_SECONDS:
        authors = [row[0] for row in _KEPT_IN_POOL.rows(since=pool.min_id)]
        array = np.array(authors, dtype=np.int64)
        kept = _Kept(pool, now, array, frozenset(authors), pool.author_positions(array))
        _kept = kept
    return kept


@receiver(post_save, sender=TeenSettings, dispatch_uid="feed-kept-settings")
@receiver(post_save, sender=User, dispatch_uid="feed-kept-user")
@receiver(post_delete, sender=TeenSettings, dispatch_uid="feed-kept-settings-gone")
def kept_authors_changed(**_signal: object) -> None:
    """A setting (or account) that decides who sees whose videos was saved in this process:
    the next page reads who keeps theirs to their followers again."""
    global _kept
    _kept = None


def _phrases(labels: list[str], vectors: np.ndarray) -> ranking.Phrases:
    return ranking.Phrases(labels=tuple(labels), vectors=vectors)


def _steering(
    preference: FeedPreference,
    following: np.ndarray,
    followers: np.ndarray,
    pool: Pool,
    see_less: np.ndarray,
) -> ranking.Steering:
    vectors = stored_vectors(preference)
    if vectors is None:
        vectors = np.zeros((0, EMBEDDING_DIM), np.float32)
        groups: list[list[str]] = [[], [], []]
    else:
        groups = [preference.interests, preference.instruction_more, preference.instruction_less]
    edges = np.cumsum([0, *(len(g) for g in groups)])
    interests, more, less = (
        _phrases(g, vectors[a:b]) for g, a, b in zip(groups, edges[:-1], edges[1:], strict=True)
    )
    return ranking.Steering(
        now=time.time(),
        followed=following,
        mutuals=np.intersect1d(following, followers),
        mood=preference.mood,
        interests=interests,
        more=more,
        less=less,
        see_less=pool.vectors[pool.positions(see_less)],
        goals=ranking_goals(preference),
        personalised=True,
    )
