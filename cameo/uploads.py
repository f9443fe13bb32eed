"""Refuse an oversized clip while it streams in, before any of it reaches disk or storage."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest

# Room for the form's other fields and the multipart boundaries around the file.
_FORM_OVERHEAD = 64 * 1024


class ClipSizeLimit(FileUploadHandler):
    """Stops reading a file over ``limit`` bytes and sets ``request.clip_too_big`` to its size.

    Installed first, so the handlers after it never see a byte of an oversized file.
    """

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.declared = 0

    def handle_raw_input(self, input_data: Any, META: Any, content_length: int, *a: Any) -> None:  # noqa: N803
        self.declared = content_length

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        if self.declared > self.limit + _FORM_OVERHEAD:
            self._refuse(self.declared)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            self._refuse(max(self.received, self.declared))
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None

    def _refuse(self, size: int) -> None:
        self.request.clip_too_big = size  # type: ignore[attr-defined]
        raise StopUpload(connection_reset=False)
