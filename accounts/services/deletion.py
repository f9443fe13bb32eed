"""Deleting a whole account, at its owner's request (the export is ``accounts.selectors.export``).

Deleting removes content, cameo and face data at once (files right after the commit, through the
storage API) and leaves one ``AccountDeletion`` row; audit rows that pointed at the person
(consent events, moderation actions, reports) stay, their pointer set to NULL by the models' own
``on_delete``.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections import Counter

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.db.models import Count, F, Q
from django.db.models.deletion import Collector
from django.db.models.functions import Greatest
from django.urls import reverse

from accounts.models import (
    AccountDeletion,
    ParentLink,
    User,
)
from accounts.services.users import notify
from cameo.models import Cameo
from cameo.services.consent import cameo_delete
from feed.models import (
    Comment,
    Like,
    Post,
)
from generation.services.takedown import generation_takedown
from sora_site import storage

log = logging.getLogger(__name__)

WRONG_PASSWORD = "That password isn't right. Type your password again to delete your account."


# --- Export -------------------------------------------------------------------------------------


# --- Deletion -----------------------------------------------------------------------------------


def username_digest(username: str) -> str:
    """The keyed hash an AccountDeletion keeps instead of the handle; recompute it to check
    whether a given handle was deleted (it changes if SECRET_KEY does)."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, username.lower().encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def account_delete(*, user: User, password: str) -> AccountDeletion:
    """Delete the person's account and everything in it, now.

    Their cameo goes first through ``cameo_delete`` (videos others made with it come down, and
    its consent log records why); their own videos come down through the same takedown, so a
    render still waiting or in progress stops and stores nothing; then their posts (a post
    protects its video row), then the account, which cascades to every row that belongs to it.
    Counts of what went and the file names are collected before each step; the files are deleted
    once the transaction commits.
    People linked as parent or teen are told the link has ended. Everyone else's notifications
    of what the person did (``Notification.actor``: "@x commented on your video: ..." and the
    like) go with the account, so their words and handle don't live on in others' lists.
    """
    if not password or not user.check_password(password):
        raise ValidationError(WRONG_PASSWORD)
    user = User.objects.select_for_update().get(pk=user.pk)
    user_id, digest, was_teen = user.pk, username_digest(user.username), user.is_teen
    _tell_linked_people(user)
    rows: Counter[str] = Counter()
    files: set[str] = set()
    if (cameo := Cameo.objects.filter(owner=user).first()) is not None:
        _collect([cameo], rows, files)
        cameo_delete(owner=user)
    generation_takedown(
        job_ids=user.generation_jobs.values_list("pk", flat=True),
        reason="Its creator deleted their account.",
        notice=None,
    )
    _uncount_on_others_posts(user)
    posts = list(Post.objects.filter(author=user))
    if posts:
        _collect(posts, rows, files)
        Post.objects.filter(pk__in=[p.pk for p in posts]).delete()
    _collect([user], rows, files)
    user.delete()
    deletion = AccountDeletion.objects.create(
        user_id=user_id, username_digest=digest, was_teen=was_teen,
        rows_deleted=dict(sorted(rows.items())), files_deleted=len(files),
    )  # fmt: skip
    storage.delete_files_on_commit(sorted(files))
    return deletion


def _collect(objs: list[models.Model], rows: Counter[str], files: set[str]) -> None:
    """Count what deleting ``objs`` cascades to, by model, and the file names those rows hold."""
    collector = Collector(using=router.db_for_write(type(objs[0])))
    collector.collect(objs)
    for model, instances in collector.data.items():
        rows[model._meta.label] += len(instances)
        for field in _file_fields(model):
            files.update(
                getattr(obj, field.attname).name for obj in instances if getattr(obj, field.attname)
            )
    for qs in collector.fast_deletes:
        rows[qs.model._meta.label] += qs.count()
        for field in _file_fields(qs.model):
            files.update(n for n in qs.values_list(field.attname, flat=True) if n)


def _file_fields(model: type[models.Model]) -> list[models.FileField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]


def _uncount_on_others_posts(user: User) -> None:
    """Keep others' like and comment counts true once this person's likes and comments go (and
    the replies to their comments, which go with them)."""
    liked = list(
        Like.objects.filter(user=user).exclude(post__author=user).values_list("post_id", flat=True)
    )
    Post.objects.filter(pk__in=liked).update(like_count=Greatest(F("like_count") - 1, 0))
    shown = (
        Comment.objects.filter(Q(author=user) | Q(parent__author=user))
        .filter(hidden_at__isnull=True, removed_at__isnull=True)
        .exclude(post__author=user)
        .values("post_id")
        .annotate(n=Count("id"))
    )
    for item in shown:
        Post.objects.filter(pk=item["post_id"]).update(
            comment_count=Greatest(F("comment_count") - item["n"], 0)
        )


def _tell_linked_people(user: User) -> None:
    active = ParentLink.objects.filter(ended_at__isnull=True, teen__isnull=False)
    for link in active.filter(parent=user):
        notify(
            recipient_id=link.teen_id, kind="unlink_decided",
            text=f"@{user.username} deleted their account, so your parent link has ended. Your "
            "settings stay as they are.",
            url=reverse("accounts:teen"),
        )  # fmt: skip
    for link in active.filter(teen=user):
        notify(
            recipient_id=link.parent_id, kind="unlink_decided",
            text=f"@{user.username} deleted their account, so your link to it has ended.",
        )  # fmt: skip
