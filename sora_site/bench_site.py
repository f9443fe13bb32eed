"""A site of its own for a benchmark: a temporary folder with its own SQLite database, media and
Valkey, and the command run again inside it with ``--here``, so the person's own data is never
touched. Used by ``bench_feed``, ``bench_estimate`` and ``bench_faults``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError

from sora_site import valkey

# What points a process at its data: the child gets its own, never the caller's.
OWN_DATA = ("DATABASE_URL", "REDIS_URL", "SORA_MEDIA_ROOT", "SORA_STORAGE", "SORA_VAR_DIR")


def run_in_own_site(
    command: str,
    args: Sequence[str],
    write: Callable[[str], object],
    *,
    keep: str | None = None,
    own: Sequence[str] = OWN_DATA,
) -> None:
    """Run ``manage.py COMMAND --here ARGS`` in a folder of its own, passing each line it prints
    to ``write``. The folder is removed afterwards unless ``keep`` names it (a second run then
    finds what the first one seeded). A non-zero exit raises CommandError."""
    folder = Path(keep or tempfile.mkdtemp(prefix=f"sora-{command.replace('_', '-')}-")).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    socket_path = folder / "valkey.sock"
    server = valkey.start(socket_path)
    env = {k: v for k, v in os.environ.items() if k not in own}
    env.update(
        SORA_VAR_DIR=str(folder),
        REDIS_URL=valkey.url_for(socket_path),
        DJANGO_SETTINGS_MODULE="sora_site.settings",
        DEBUG="0",
    )
    write(f"Bench folder: {folder}{'' if keep else ' (removed afterwards)'}")
    try:
        with subprocess.Popen(
            [sys.executable, str(settings.BASE_DIR / "manage.py"), command, "--here", *args],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        ) as proc:  # fmt: skip
            assert proc.stdout is not None
            for line in proc.stdout:
                write(line.rstrip("\n"))
    finally:
        server.terminate()
        server.wait(timeout=10)
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)
    if proc.returncode:
        raise CommandError(f"The bench stopped with exit status {proc.returncode}.")
