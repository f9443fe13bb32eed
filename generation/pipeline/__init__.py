"""Video backends. ``get_backend()`` returns the one this worker uses, loaded once and kept warm."""

from __future__ import annotations

import functools

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from generation.pipeline.base import VideoBackend


@functools.cache
def get_backend() -> VideoBackend:
    """The built-in renderer, or the diffusers model in SORA_VIDEO_MODEL.

    A folder that is missing, not a diffusers model, of an unsupported class or with corrupt
    weights raises ImproperlyConfigured with a sentence an operator can act on.
    """
    if settings.SORA_VIDEO_MODEL:
        from generation.pipeline.diffusers_backend import backend_from_settings

        try:
            return backend_from_settings()
        except ValueError as exc:
            raise ImproperlyConfigured(str(exc)) from exc
    from generation.pipeline.builtin import BuiltinBackend

    return BuiltinBackend()
