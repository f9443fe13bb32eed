"""Start the real settings in a fresh Python with a given environment, the way a server does.

Settings are read once at start-up, so each environment needs its own process. The production
environment comes from the README's ``/etc/sora/sora.env`` block, so the documented file is the
one tested; its ``*_FILE`` secrets are written under a temporary folder first.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_ENV_BLOCK = re.compile(r"```sh\n# /etc/sora/sora\.env\n(.*?)```", re.S)


def production_env(folder: Path) -> dict[str, str]:
    """The README's production environment, with its secret files and data folder in ``folder``."""
    match = _ENV_BLOCK.search((ROOT / "README.md").read_text())
    assert match, "README.md has no /etc/sora/sora.env block"
    env: dict[str, str] = {}
    for line in match.group(1).splitlines():
        key, _, value = line.partition("=")
        if key.endswith("_FILE"):
            secret = folder / key.lower()
            secret.write_text(secrets.token_urlsafe(50))
            value = str(secret)
        env[key] = value
    env["SORA_VAR_DIR"] = str(folder / "var")
    return env


def run_with_settings(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run ``code`` after ``django.setup()`` under ``sora_site.settings`` and exactly ``env``."""
    base = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "sora_site.settings",
        "HF_HUB_OFFLINE": "1",
    }
    program = f"import django\ndjango.setup()\n{code}"
    return subprocess.run(
        [sys.executable, "-c", program],
        env={**base, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
