"""Writes for posts: publishing a draft (its caption checked, its fingerprint and features queued),
likes, "see less", and the posts a person has seen."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from accounts.services.users import require_can_write
from cameo.selectors import approvals_awaited
from feed.models import Like, Post, SeeLess, SeenPost
from feed.selectors.posts import SERVED_HOURS, post_get_visible
from feed.services.social import notify_like, notify_remix
from generation.models import GenerationJob
from generation.pipeline.fingerprint import keyframe_hashes
from generation.selectors import job_get_for_user
from safety.services.text_checks import text_check
from safety.watched import watched_match
from sora_site.queue import enqueue_default

CAPTION_HOLD_REASON = (
    "Your caption is waiting for a moderator to look at it. The video appears in feeds once "
    "they have."
)


def post_publish(*, user: User, job_id: int, caption: str = "") -> Post:
    """Turn the creator's finished draft into a post. Nothing else reaches the feed.

    The caption passes text moderation first, outside the transaction (as prompts do), so an
    automatic report survives the refusal. A caption moderation is unsure about, or one with a
    watched word, is published held: out of every feed until a moderator releases it."""
    require_can_write(user)
    caption = caption.strip()
    held = False
    if caption:
        held = text_check(text=caption, kind="caption", user=user) == "hold"
        held = held or watched_match(caption) is not None
    return _post_create(user=user, job_id=job_id, caption=caption, held=held)


@transaction.atomic
def _post_create(*, user: User, job_id: int, caption: str, held: bool) -> Post:
    job = job_get_for_user(user=user, job_id=job_id)
    job = GenerationJob.objects.select_for_update().get(pk=job.pk)
    if job.taken_down_at is not None:
        raise ValidationError(f"This video was taken down. {job.takedown_reason}")
    if job.held_at is not None:
        raise ValidationError(job.held_reason)
    if job.status != GenerationJob.Status.SUCCEEDED or not job.video:
        raise ValidationError("Only a finished video can be published. Wait until it is ready.")
    _check_cameo_approvals(job)
    if Post.objects.filter(job=job).exists():
        raise ValidationError("This video is already published.")
    post = Post.objects.create(author=user, job=job, caption=caption)
    if held:
        job.held_at, job.held_reason = timezone.now(), CAPTION_HOLD_REASON
        job.save(update_fields=["held_at", "held_reason"])
    transaction.on_commit(lambda: enqueue_default("feed.jobs.post_fingerprint", post.pk))
    # Embedding, topics and energy for the For-you ranking; the feed never computes them.
    transaction.on_commit(lambda: enqueue_default("feed.jobs.post_features", post.pk))
    if job.remix_of_id is not None:
        notify_remix(post)
    return post


def post_fingerprint_backfill() -> int:
    """Queue fingerprints for posts published while the queue was unreachable."""
    missing = list(Post.objects.filter(keyframe_hashes=[]).values_list("pk", flat=True))
    for post_id in missing:
        enqueue_default("feed.jobs.post_fingerprint", post_id)
    return len(missing)


def post_fingerprint(*, post_id: int) -> Post:
    """Store perceptual hashes of the post's frames so Verify recognises re-encoded copies."""
    post = Post.objects.select_related("job").get(pk=post_id)
    with default_storage.open(post.job.video.name, "rb") as fh:
        post.keyframe_hashes = keyframe_hashes(fh)
    post.save(update_fields=["keyframe_hashes"])
    return post


def _check_cameo_approvals(job: GenerationJob) -> None:
    owners = approvals_awaited(job_id=job.pk)
    if owners:
        raise ValidationError(
            f"{', '.join(owners)} approve{'s' if len(owners) == 1 else ''} each video with "
            "their cameo. You can publish once they have approved this one."
        )


@transaction.atomic
def like_toggle(*, user: User, post_id: int) -> tuple[Post, bool]:
    """Like the post, or take the like back. Returns the post and whether it is now liked."""
    require_can_write(user)
    post = post_get_visible(viewer=user, post_id=post_id)
    deleted, _ = Like.objects.filter(user=user, post=post).delete()
    if deleted:
        Post.objects.filter(pk=post.pk).update(like_count=F("like_count") - 1)
        liked = False
    else:
        try:
            with transaction.atomic():
                Like.objects.create(user=user, post=post)
        except IntegrityError:
            pass  # a double click raced us; the like exists either way
        else:
            Post.objects.filter(pk=post.pk).update(like_count=F("like_count") + 1)

            notify_like(post=post, user=user)
        liked = True
    post.refresh_from_db(fields=["like_count"])
    return post, liked


# --- Served and seen --------------------------------------------------------------------------

# One report from the browser names at most this many posts: it sends what came into view in the
# last few seconds, far fewer than this.
MAX_SEEN_PER_REPORT = 100
# The largest id a post can have (a 64-bit primary key); a larger number is no post at all.
MAX_POST_ID = 2**63 - 1


def posts_served_record(
    *,
    user: User,
    post_ids: list[int],
    goals: dict[int, str] | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Remember which posts a feed page sent this person (``served_at``), and, per post in
    ``goals``, the goal it was first shown for (the goal page counts those). Nothing is marked
    seen: that waits for the browser's report (``posts_seen_record``). A post sent again keeps
    its goal and moves its ``served_at`` forward, so a new scroll's later pages leave it out
    and the report window starts again.

    One statement, in autocommit. ``bulk_create`` would wrap it in a transaction of its own: two
    more round trips on every feed page, and on SQLite the write lock held for longer while
    other web processes wait for it."""
    if not post_ids or not user.is_authenticated:
        return
    goals = goals or {}
    served_at = connection.ops.adapt_datetimefield_value(now or timezone.now())
    rows = ", ".join(["(%s, %s, %s, %s)"] * len(post_ids))
    params: list[object] = []
    for post_id in post_ids:
        params += [user.pk, post_id, served_at, goals.get(post_id, "")]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {SeenPost._meta.db_table} (user_id, post_id, served_at, goal) "
            f"VALUES {rows} ON CONFLICT (user_id, post_id) DO UPDATE "
            "SET served_at = excluded.served_at",
            params,
        )


@transaction.atomic
def posts_seen_record(*, user: User, post_ids: list[int]) -> int:
    """Mark posts as really seen: the browser had each at least 60% in view for a second.

    Only posts the feed sent this very person in the last ``SERVED_HOURS`` hours are marked, so
    a report can't mark another person's posts, a post nobody sent, or anything long ago; a
    post already seen keeps its first time. Nothing is ever unmarked here. Returns how many
    posts became seen."""
    if not post_ids:
        raise ValidationError("The report names no videos. Send the ids of the videos watched.")
    if len(post_ids) > MAX_SEEN_PER_REPORT:
        raise ValidationError(
            f"A report can name at most {MAX_SEEN_PER_REPORT} videos, not {len(post_ids)}. "
            "Send them in smaller batches."
        )
    if not all(0 < post_id <= MAX_POST_ID for post_id in post_ids):
        raise ValidationError("Video ids are whole numbers above zero.")
    now = timezone.now()
    return SeenPost.objects.filter(
        user=user,
        post_id__in=set(post_ids),
        seen_at__isnull=True,
        served_at__gte=now - dt.timedelta(hours=SERVED_HOURS),
    ).update(seen_at=now)


@transaction.atomic
def see_less_create(*, user: User, post_id: int) -> SeeLess:
    """'See less like this': posts close to this one rank lower for this person."""
    post = post_get_visible(viewer=user, post_id=post_id)
    mark, _ = SeeLess.objects.get_or_create(user=user, post=post)
    return mark
