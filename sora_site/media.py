"""Serve media from the filesystem storage with HTTP Range support, so videos seek.

Used only when SORA_STORAGE=filesystem. Drafts are checked here like any page: only their creator
(and the owners of cameos in them) get the files. Face media follows
cameo.selectors.cameo_media_visible_to.

With S3 the browser fetches media from the bucket through signed URLs, and the page is the gate:
a draft's URL is signed only on a page whose selector let this person see the job (404 first for
anyone else), and it expires after SORA_S3_DRAFT_URL_EXPIRY seconds (sora_site.storage).
"""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils._os import safe_join

from cameo.selectors import cameo_media_visible_to
from generation.selectors import media_visible_to

_RANGE = re.compile(r"bytes=(\d*)-(\d*)$")


def serve_media(request: HttpRequest, path: str) -> HttpResponse:
    try:
        full = Path(safe_join(settings.MEDIA_ROOT, path))
    except (ValueError, SuspiciousFileOperation):
        # A path climbing out of MEDIA_ROOT is just a file that isn't there: answer 404 quietly
        # instead of a 400 logged at ERROR with a traceback for every probe.
        raise Http404("No such file.") from None
    if not full.is_file():
        raise Http404("No such file.")

    visible = cameo_media_visible_to(user=request.user, name=path)
    if visible is None:
        visible = media_visible_to(user=request.user, name=path)
    if not visible:
        raise Http404("No such file.")
    size = full.stat().st_size
    content_type = mimetypes.guess_type(full.name)[0] or "application/octet-stream"
    match = _RANGE.match(request.headers.get("Range", ""))
    if not match or not any(match.groups()):
        response = FileResponse(full.open("rb"), content_type=content_type)
        response["Accept-Ranges"] = "bytes"
        return response
    start_s, end_s = match.groups()
    if start_s:
        start, end = int(start_s), min(int(end_s or size - 1), size - 1)
    else:
        start, end = max(size - int(end_s), 0), size - 1
    if start >= size or start > end:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    with full.open("rb") as fh:
        fh.seek(start)
        body = fh.read(end - start + 1)
    response = HttpResponse(body, status=206, content_type=content_type)
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Accept-Ranges"] = "bytes"
    return response
