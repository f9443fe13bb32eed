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

from django.conf import settings
from django.core.files.storage import default_storage


def published_media_url(name: str) -> str:
    """The URL of a published post's video or poster; call it only for a post the viewer sees."""
    if settings.SORA_STORAGE == "s3":
        return default_storage.url(name, expire=settings.SORA_S3_PUBLISHED_URL_EXPIRY)
    return default_storage.url(name)
