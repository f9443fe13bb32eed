"""A person's own data, to take away: everything as a zip of JSON plus their media.

The media is read through the storage API, so the export works the same on the filesystem and on
S3. ``COVERED`` names every model the export reads on purpose; any other model in the
project's apps with a pointer to the person goes in as raw rows, so nothing is left out.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import zipfile
from collections.abc import Iterable
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import (
    Block,
    Follow,
    LimitExtensionRequest,
    Mute,
    Notification,
    ParentChange,
    ParentLink,
    TeenSettings,
    User,
)
from cameo.models import Cameo, CameoGrant, CameoUse, CameoVerification, ConsentEvent
from feed.models import (
    CheckIn,
    Comment,
    Conversation,
    DirectMessage,
    FeedPreference,
    Like,
    Post,
    SeeLess,
    SeenPost,
    WatchDay,
)
from generation.models import GenerationJob
from safety.models import Appeal, Report, Strike

log = logging.getLogger(__name__)

PROJECT_APPS = ("accounts", "cameo", "feed", "generation", "safety")


README = """Your data from {site}, exported {when}.

account.json        your account: handle, email, birthdate, timezone, bio
videos.json         every video you made: prompt, seed, model and model hash, status, files
posts.json          your published posts, with captions and counts
comments.json       comments you wrote
likes.json          posts you liked
messages.json       your direct-message conversations, as you can see them
relations.json      who you follow, who follows you, whom you blocked or muted
cameo.json          your cameo's settings and face data, consents you gave and received,
                    videos with your cameo, and the consent log
teen.json           teen settings, parent links, changes a parent made, requests for more time
feed.json           your feed settings, watch time per day, "see less" choices
wellbeing.json      your check-in answers and notes, and what each one changed in your feed
safety.json         reports you made, strikes on your account and your appeals
notifications.json  your notifications
other/              anything else stored about you (one file per kind of record)
media/              your video files, posters and cameo pictures
files.json          which media files are included, and any that could not be read
"""


def _handle(user_id: int | None, handles: dict[int, str]) -> str | None:
    return handles.get(user_id) if user_id is not None else None


def _handles(ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    return {pk: f"@{name}" for pk, name in User.objects.filter(pk__in=wanted).values_list(
        "pk", "username"
    )}  # fmt: skip


def _account(user: User) -> dict[str, Any]:
    return {
        "username": user.username, "email": user.email, "birthdate": user.birthdate,
        "timezone": user.timezone, "bio": user.bio, "teen_account": user.is_teen,
        "joined": user.date_joined, "last_login": user.last_login,
    }  # fmt: skip


def _media(field_file: Any, media: list[str]) -> str | None:
    if not field_file:
        return None
    media.append(field_file.name)
    return f"media/{field_file.name}"


def _videos(user: User, media: list[str]) -> list[dict[str, Any]]:
    posts = dict(
        apps.get_model("feed", "Post").objects.filter(author=user).values_list("job_id", "pk")
    )
    return [
        {
            "id": job.public_id,
            "prompt": job.prompt,
            "seed": job.seed,
            "engine": job.engine,
            "model": job.backend,
            "model_revision": job.model_revision,
            "model_hash": job.model_hash,
            "duration_s": job.duration_s,
            "aspect": job.aspect,
            "status": job.status,
            "error": job.error,
            "created": job.created_at,
            "finished": job.finished_at,
            "render_seconds": job.render_seconds,
            "remix_of_post": job.remix_of_id,
            "post": posts.get(job.pk),
            "taken_down": job.taken_down_at,
            "takedown_reason": job.takedown_reason,
            "held": job.held_at,
            "held_reason": job.held_reason,
            "video_file": _media(job.video, media),
            "poster_file": _media(job.poster, media),
        }  # fmt: skip
        for job in GenerationJob.objects.filter(creator=user).order_by("created_at", "pk")
    ]


def _posts(user: User) -> list[dict[str, Any]]:
    return [
        {
            "id": post.pk,
            "video": post.job.public_id,
            "caption": post.caption,
            "prompt": post.job.prompt,
            "created": post.created_at,
            "likes": post.like_count,
            "comments": post.comment_count,
            "who_may_comment": post.comment_policy,
        }  # fmt: skip
        for post in Post.objects.filter(author=user).select_related("job").order_by("created_at")
    ]


def _comments(user: User) -> list[dict[str, Any]]:
    return list(
        Comment.objects.filter(author=user)
        .order_by("created_at")
        .values("id", "post_id", "parent_id", "text", "created_at", "hidden_at", "removed_at")
    )


def _likes(user: User) -> list[dict[str, Any]]:
    return list(
        Like.objects.filter(user=user).order_by("created_at").values("post_id", "created_at")
    )


def _messages(user: User) -> list[dict[str, Any]]:
    """Each conversation with the messages the person can see (others' held ones are not)."""
    conversations = list(Conversation.objects.filter(Q(user_low=user) | Q(user_high=user)))
    handles = _handles(
        [c.user_low_id for c in conversations] + [c.user_high_id for c in conversations]
    )
    visible = DirectMessage.objects.filter(Q(hidden_at__isnull=True) | Q(sender=user))
    return [
        {
            "with": _handle(c.user_high_id if c.user_low_id == user.pk else c.user_low_id, handles),
            "messages": [
                {
                    "from": _handle(m.sender_id, handles),
                    "text": m.text,
                    "sent": m.created_at,
                    "read": m.read_at,
                }  # fmt: skip
                for m in visible.filter(conversation=c).order_by("created_at", "pk")
            ],
        }
        for c in conversations
    ]


def _relations(user: User) -> dict[str, Any]:
    def listed(qs: Any, field: str) -> list[dict[str, Any]]:
        return [{"who": f"@{name}", "since": when} for name, when in qs.values_list(
            f"{field}__username", "created_at"
        )]  # fmt: skip

    return {
        "following": listed(Follow.objects.filter(follower=user), "followee"),
        "followers": listed(Follow.objects.filter(followee=user), "follower"),
        "blocked": listed(Block.objects.filter(blocker=user), "blocked"),
        "muted": listed(Mute.objects.filter(muter=user), "muted"),
    }


def _cameo(user: User, media: list[str]) -> dict[str, Any]:
    cameo = Cameo.objects.filter(owner=user).first()
    own = None
    if cameo is not None:
        own = {
            "display_name": cameo.display_name, "state": cameo.state,
            "who_may_use": cameo.permission, "approve_each_video": cameo.approve_each_video,
            "protect_likeness": cameo.protect_likeness, "instructions": cameo.instructions,
            "restrictions": cameo.restrictions, "created": cameo.created_at,
            "verified": cameo.verified_at, "face_embedding": cameo.embedding,
            "thumbnail_file": _media(cameo.thumbnail, media),
            "reference_files": [_media(ref.image, media) for ref in cameo.references.all()],
        }  # fmt: skip
    grants = CameoGrant.objects.select_related("grantee", "cameo__owner")
    uses = CameoUse.objects.select_related("job__creator", "cameo__owner")
    events = ConsentEvent.objects.filter(
        Q(cameo_owner=user) | Q(actor=user) | Q(subject=user)
    ).order_by("created_at", "pk")
    handles = _handles(
        [e.actor_id for e in events]
        + [e.subject_id for e in events]
        + [e.cameo_owner_id for e in events]
    )
    return {
        "cameo": own,
        "consents_given": [_grant(g, "to", g.grantee) for g in grants.filter(cameo__owner=user)],
        "consents_received": [
            _grant(g, "from", g.cameo.owner) for g in grants.filter(grantee=user)
        ],
        "videos_with_your_cameo": [_use(u, u.job.creator) for u in uses.filter(cameo__owner=user)],
        "your_videos_with_others_cameos": [
            _use(u, u.cameo.owner)
            for u in uses.filter(job__creator=user).exclude(cameo__owner=user)
        ],
        "consent_log": [
            {
                "action": e.action,
                "when": e.created_at,
                "by": _handle(e.actor_id, handles),
                "about": _handle(e.subject_id, handles),
                "cameo_of": _handle(e.cameo_owner_id, handles),
                "detail": e.detail,
            }  # fmt: skip
            for e in events
        ],
        "verification_attempts": list(
            CameoVerification.objects.filter(owner=user).values(
                "display_name", "state", "reason", "created_at", "finished_at"
            )
        ),
    }


def _grant(grant: Any, direction: str, person: User) -> dict[str, Any]:
    return {
        direction: f"@{person.username}", "state": grant.state, "asked": grant.created_at,
        "decided": grant.decided_at, "expires": grant.expires_at,
    }  # fmt: skip


def _use(use: Any, person: User) -> dict[str, Any]:
    return {
        "video": use.job.public_id, "with": f"@{person.username}", "state": use.state,
        "created": use.created_at, "decided": use.decided_at,
    }  # fmt: skip


def _teen(user: User) -> dict[str, Any]:
    row = TeenSettings.objects.filter(user=user).values(
        "personalised", "dms_enabled", "daily_limit_minutes", "quiet_start", "quiet_end",
        "cameo_cap", "comments_from", "remixes_from",
    ).first()  # fmt: skip

    def links(qs: Any, other: str) -> list[dict[str, Any]]:
        return [
            {
                other: f"@{getattr(link, other).username}",
                "accepted": link.accepted_at,
                "ended": link.ended_at,
                "why_it_ended": link.end_reason,
            }  # fmt: skip
            for link in qs.select_related(other)
        ]

    return {
        "settings": row,
        "your_parents": links(ParentLink.objects.filter(teen=user), "parent"),
        "your_teens": links(ParentLink.objects.filter(parent=user, teen__isnull=False), "teen"),
        "changes_by_your_parent": list(
            ParentChange.objects.filter(teen=user).values(
                "field", "old_value", "new_value", "created_at"
            )
        ),
        "requests_for_more_time": list(
            LimitExtensionRequest.objects.filter(teen=user).values(
                "day", "minutes", "state", "created_at", "decided_at"
            )
        ),
    }


def _feed(user: User) -> dict[str, Any]:
    preference = FeedPreference.objects.filter(user=user).values(
        "mode", "mood", "interests", "instruction", "instruction_more", "instruction_less",
        "instruction_none", "daily_budget_minutes", "updated_at",
    ).first()  # fmt: skip
    return {
        "preferences": preference,
        "watch_time_per_day": list(
            WatchDay.objects.filter(user=user)
            .order_by("day")
            .values("day", "seconds", "extensions")
        ),
        "see_less_like": list(SeeLess.objects.filter(user=user).values("post_id", "created_at")),
        "posts_shown_to_you": list(
            SeenPost.objects.filter(user=user).values_list("post_id", flat=True)
        ),
    }


def _wellbeing(user: User) -> list[dict[str, Any]]:
    """Every check-in (a skipped one has no answer) and what a worse one changed."""

    def changed(check_in: CheckIn) -> dict[str, Any] | None:
        change = getattr(check_in, "change", None)
        if change is None:
            return None
        return {
            "before": change.before, "after": change.after, "undone": change.undone_at,
            "break_taken": change.break_accepted_at, "daily_limit_set": change.budget_set_at,
            "daily_limit_minutes": change.budget_minutes,
        }  # fmt: skip

    return [
        {
            "kind": c.kind,
            "answer": c.answer or None,
            "note": c.note,
            "when": c.created_at,
            "changed_in_your_feed": changed(c),
        }
        for c in CheckIn.objects.filter(user=user).select_related("change").order_by("created_at")
    ]


def _safety(user: User) -> dict[str, Any]:
    return {
        "reports_you_made": list(
            Report.objects.filter(reporter=user).values(
                "target", "reason", "note", "status", "created_at", "resolved_at"
            )
        ),
        "strikes": list(
            Strike.objects.filter(user=user).values(
                "reason", "created_at", "expires_at", "reversed_at"
            )
        ),
        "appeals": list(
            Appeal.objects.filter(strike__user=user).values(
                "text", "decision", "response", "created_at", "decided_at"
            )
        ),
    }


def _notifications(user: User) -> list[dict[str, Any]]:
    return list(
        Notification.objects.filter(recipient=user).values(
            "kind", "text", "url", "created_at", "read_at"
        )
    )


# Records the sections above cover, and moderators' own working records (what a person did as a
# moderator is the service's record, not their personal data). Anything else that points at a
# person (check-ins, goals, whatever comes next) goes to other/ by itself.
COVERED = {
    "accounts.User", "accounts.Follow", "accounts.Block", "accounts.Mute",
    "accounts.Notification", "accounts.TeenSettings", "accounts.ParentLink",
    "accounts.ParentChange", "accounts.LimitExtensionRequest", "cameo.Cameo", "cameo.CameoGrant",
    "cameo.CameoVerification", "cameo.ConsentEvent", "feed.Post", "feed.Like", "feed.Comment",
    "feed.Conversation", "feed.DirectMessage", "feed.FeedPreference", "feed.SeenPost",
    "feed.SeeLess", "feed.WatchDay", "generation.GenerationJob", "safety.Report",
    "safety.Strike", "safety.Appeal", "safety.ModerationAction", "safety.ReportMessage",
    "safety.LikenessMatch", "safety.PublicFigure", "safety.WatchedWord",
    "feed.CheckIn", "feed.WellbeingChange",
}  # fmt: skip


def _user_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        f for f in model._meta.concrete_fields
        if f.is_relation and f.related_model is User
    ]  # fmt: skip


def _other(user: User, media: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Rows of any other project model that point at the person, field by field; pointers to
    other people are left out, and binary blobs (vectors) are skipped."""
    found: dict[str, list[dict[str, Any]]] = {}
    for model in apps.get_models():
        label = model._meta.label
        if model._meta.app_label not in PROJECT_APPS or label in COVERED:
            continue
        pointers = _user_fields(model)
        if not pointers:
            continue
        query = Q()
        for field in pointers:
            query |= Q(**{field.name: user})
        rows = [_row(obj, user, media) for obj in model.objects.filter(query)]
        if rows:
            found[label.replace(".", "_").lower()] = rows
    return found


def _row(obj: models.Model, user: User, media: list[str]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        value = getattr(obj, field.attname)
        if isinstance(field, models.BinaryField):
            continue
        if field.is_relation and field.related_model is User:
            if value == user.pk:
                row[field.name] = "you"
            continue
        if isinstance(field, models.FileField):
            value = _media(value, media)
        row[field.attname] = value
    return row


def data_export(*, user: User) -> IO[bytes]:
    """Everything stored about the person, as a zip: JSON files and their media. The caller
    gets an open temporary file, positioned at the start, to stream and close."""
    media: list[str] = []
    sections: dict[str, Any] = {
        "account.json": _account(user),
        "videos.json": _videos(user, media),
        "posts.json": _posts(user),
        "comments.json": _comments(user),
        "likes.json": _likes(user),
        "messages.json": _messages(user),
        "relations.json": _relations(user),
        "cameo.json": _cameo(user, media),
        "teen.json": _teen(user),
        "feed.json": _feed(user),
        "wellbeing.json": _wellbeing(user),
        "safety.json": _safety(user),
        "notifications.json": _notifications(user),
    }
    sections |= {f"other/{name}.json": rows for name, rows in _other(user, media).items()}
    out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 - caller closes
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README.format(site=settings.SITE_NAME, when=timezone.now()))
        for name, data in sections.items():
            archive.writestr(name, _json(data))
        included, missing = _add_media(archive, list(dict.fromkeys(media)))
        archive.writestr("files.json", _json({"included": included, "unreadable": missing}))
    out.seek(0)
    return out


def _json(data: Any) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)


def _add_media(archive: zipfile.ZipFile, names: list[str]) -> tuple[list[str], list[str]]:
    """Copy each file from storage into media/, uncompressed (videos and JPEGs are already)."""
    included, missing = [], []
    stamp = timezone.now().timetuple()[:6]
    for name in names:
        info = zipfile.ZipInfo(f"media/{name}", date_time=stamp)
        info.compress_type = zipfile.ZIP_STORED
        try:
            with default_storage.open(name, "rb") as src, archive.open(info, "w") as dst:
                shutil.copyfileobj(src, dst, 1024 * 1024)
        except OSError:
            log.warning("Export: %s could not be read from storage", name)
            missing.append(name)
        else:
            included.append(f"media/{name}")
    return included, missing
