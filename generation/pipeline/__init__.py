"""Video backends. ``get_backend()`` returns the one this worker uses, loaded once and kept warm."""

from __future__ import annotations

import functools

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from generation.pipeline.base import VideoBackend


def make_backend() -> VideoBackend:
    """The built-in renderer, or the diffusers model in SORA_VIDEO_MODEL, newly made.

    The two engines load here, and only here, on first use: the built-in one imports torch, the
    diffusers one torch and diffusers. A folder that is missing, not a diffusers model, of an
    unsupported class or with corrupt weights raises ValueError with a sentence an operator can
    act on.
    """
    if settings.SORA_VIDEO_MODEL:
        from generation.pipeline.diffusers_backend import backend_from_settings

        return backend_from_settings()
    from generation.pipeline.builtin import BuiltinBackend

    return BuiltinBackend()


@functools.cache
def get_backend() -> VideoBackend:
    """The backend this worker uses (see ``make_backend``), made once and kept warm.

    A model folder that cannot be used raises ImproperlyConfigured with the operator's sentence.
    """
    try:
        return make_backend()
    except ValueError as exc:
        raise ImproperlyConfigured(str(exc)) from exc
