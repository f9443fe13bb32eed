"""Video backends. ``get_backend()`` returns the one this worker uses, loaded once and kept warm."""

from __future__ import annotations

import functools

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from generation.pipeline.base import VideoBackend


@functools.cache
def get_backend() -> VideoBackend:
    if settings.SORA_VIDEO_MODEL:
        raise ImproperlyConfigured(
            "SORA_VIDEO_MODEL is set, but this build has only the built-in renderer. "
            "Unset SORA_VIDEO_MODEL to use it."
        )
    from generation.pipeline.builtin import BuiltinBackend

    return BuiltinBackend()
