"""A Valkey of a test's own, on its own socket, which the test may stop, freeze or move away
without touching the one every other test shares."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.test import override_settings

from sora_site import valkey


class OwnValkey:
    """One embedded server on a short socket path (unix socket paths stop at 107 bytes)."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="sora-vk-"))
        self.socket = self.folder / "valkey.sock"
        self.url = valkey.url_for(self.socket)
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = valkey.start(self.socket)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def settings_for(url: str) -> dict[str, Any]:
    """Every cache and queue of the site pointed at ``url``."""
    caches = {
        alias: {**config, "LOCATION": url} if "Redis" in config["BACKEND"] else config
        for alias, config in settings.CACHES.items()
    }
    queues = {name: {**config, "URL": url} for name, config in settings.RQ_QUEUES.items()}
    return {"CACHES": caches, "RQ_QUEUES": queues}


@contextmanager
def site_on(url: str) -> Iterator[None]:
    from django.core.cache import caches

    local = [
        caches[alias]
        for alias in settings.CACHES
        if "Redis" not in settings.CACHES[alias]["BACKEND"]
    ]
    with override_settings(**settings_for(url)):
        for cache in local:
            cache.clear()
        yield
        for cache in local:
            cache.clear()
