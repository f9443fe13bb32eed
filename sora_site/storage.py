"""Media URLs: how long a signed link to a stored file keeps working.

With ``SORA_STORAGE=s3`` the browser fetches media straight from the bucket, so the signed URL
is the only gate once a page has been rendered. Every URL is signed for
``SORA_S3_DRAFT_URL_EXPIRY`` (minutes) by default, so a draft's link stops working soon after
the page that passed the access check. Only published videos, which anyone may watch, ask for the
longer ``SORA_S3_PUBLISHED_URL_EXPIRY``, so a feed page still plays when someone scrolls to a
card an hour after it loaded. On the filesystem the site serves media itself and checks access
on every request (``sora_site.media``), so there is nothing to expire.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction

log = logging.getLogger(__name__)


def published_media_url(name: str) -> str:
    """The URL of a published post's video or poster; call it only for a post the viewer sees."""
    if settings.SORA_STORAGE == "s3":
        return default_storage.url(name, expire=settings.SORA_S3_PUBLISHED_URL_EXPIRY)
    return default_storage.url(name)


def delete_files(names: Iterable[str]) -> None:
    """Delete stored files by name; empty names are skipped.

    A file that cannot be deleted is logged and the rest are still deleted: the write that
    dropped the file has already happened, and one storage error must not undo it.
    """
    for name in names:
        if not name:
            continue
        try:
            default_storage.delete(name)
        except OSError:
            log.exception("Deleting the stored file %s failed", name)


def delete_files_on_commit(names: Iterable[str]) -> None:
    """Delete stored files once the current transaction commits; nothing goes if it rolls back."""
    names = [n for n in names if n]
    if names:
        transaction.on_commit(lambda: delete_files(names))
