"""Launching Debian's Chromium for the browser tests (no browser download, ever)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]


def require_chromium() -> None:
    """Skip loudly when the browser is missing, except under CI, where that is a failure."""
    if CHROMIUM.exists() and not os.environ.get("SORA_SKIP_BROWSER"):
        return
    message = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)."
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)
