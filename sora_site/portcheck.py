"""Check that ``./run`` can listen on its address before it starts anything.

``python -m sora_site.portcheck HOST PORT`` exits 0 when the port is free. Otherwise it prints
one sentence, naming the process that holds the port when this machine says which, and exits 1.
"""

from __future__ import annotations

import errno
import re
import shutil
import socket
import subprocess
import sys

_SS_USER = re.compile(r'\("(?P<name>[^"]+)",pid=(?P<pid>\d+)')


def port_in_use(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        # As gunicorn binds: a port left in TIME_WAIT by the last run is free.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return True
            raise
    return False


def port_holder(port: int) -> str | None:
    """``name (pid N)`` of the process listening on ``port``, when ``ss`` can tell."""
    ss = shutil.which("ss")
    if ss is None:
        return None
    result = subprocess.run(
        [ss, "-H", "-ltnp", f"sport = :{port}"], capture_output=True, text=True, check=False
    )
    match = _SS_USER.search(result.stdout)
    return f"{match['name']} (pid {match['pid']})" if match else None


def busy_message(host: str, port: int) -> str:
    holder = port_holder(port)
    by = f" by {holder}" if holder else ""
    return (
        f"Port {port} on {host} is already in use{by}, so nothing was started: stop that "
        f"process or choose another port, for example SORA_PORT={port + 1} ./run."
    )


def main(argv: list[str]) -> int:
    host, port = argv[0], int(argv[1])
    try:
        busy = port_in_use(host, port)
    except OSError as exc:
        print(
            f"./run can't listen on {host}:{port} ({exc.strerror}); check SORA_HOST and SORA_PORT."
        )
        return 1
    if busy:
        print(busy_message(host, port))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
