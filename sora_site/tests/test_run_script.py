"""``./run`` as a person uses it: start, sign up, watch the feed, render a video, then stop it.

These start the real script (Valkey, migrate, seed_demo, both RQ workers and gunicorn) in a data
folder of their own on a free port, so they never touch the developer's ``var/``.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from sora_site.visitor import Visitor

RUN = settings.BASE_DIR / "run"
STOP_WITHIN_S = 15


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_env(var_dir: Path, port: int) -> dict[str, str]:
    skip = {"REDIS_URL", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env.update(SORA_VAR_DIR=str(var_dir), SORA_PORT=str(port))
    return env


def descendants(root: int) -> set[int]:
    """Every live process started, directly or not, by ``root``."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found: set[int] = set()
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def start_run(var_dir: Path, port: int) -> subprocess.Popen[bytes]:
    log = (var_dir / "run.log").open("ab")
    # Its own session, as a terminal gives it: a signal to its group is what Ctrl-C sends.
    proc = subprocess.Popen(
        [str(RUN)], env=run_env(var_dir, port), stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as resp:
                if resp.status == 200:
                    return proc
        except OSError:
            pass
        assert proc.poll() is None, (var_dir / "run.log").read_text()[-3000:]
        time.sleep(0.5)
    raise AssertionError("./run did not answer within 10 minutes.")


def render_and_fetch(visitor: Visitor, name: str) -> tuple[bytes, str]:
    """Sign up, load the feed, submit a prompt and fetch the finished MP4 over HTTP."""
    visitor.get("/accounts/signup/")
    password = "run-script-pass-4471"
    visitor.post(
        "/accounts/signup/",
        {"username": name, "email": f"{name}@example.com", "password1": password,
         "password2": password, "birthdate": "1990-01-01"},
    )  # fmt: skip
    assert f'href="/@{name}/"' in visitor.get("/")  # signed in, on the feed
    visitor.get("/create/")
    job_url = visitor.post(
        "/create/",
        {"prompt": "a red fox running through a snowy forest, pan right",
         "duration_s": "4", "aspect": "9:16", "seed": "5"},
    )  # fmt: skip
    job_path = urllib.parse.urlparse(job_url).path
    deadline = time.monotonic() + 400
    while time.monotonic() < deadline:
        status = visitor.get(f"{job_path}status/")
        match = re.search(r'<video[^>]+src="([^"]+)"', status)
        if match:
            return visitor.get_bytes(match.group(1)), match.group(1)
        assert "Failed" not in status, status[:500]
        time.sleep(0.5)
    raise AssertionError("The video did not render within 400 s.")


def hold_slow_download(port: int, path: str, cookie: str) -> socket.socket:
    """A client that asks for the video and then stops reading, as a paused <video> does."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
    sock.connect(("127.0.0.1", port))
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n\r\n"
    sock.sendall(request.encode())
    assert sock.recv(12) == b"HTTP/1.1 200"
    return sock


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield tmp_path_factory.mktemp("run-var")


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_it_stops_every_process_and_frees_the_port_after_serving_a_render(
    var_dir: Path, sig: signal.Signals
) -> None:
    port = free_port()
    proc = start_run(var_dir, port)
    held: socket.socket | None = None
    try:
        visitor = Visitor(f"http://127.0.0.1:{port}")
        video, video_path = render_and_fetch(visitor, f"runner{sig.value}")
        assert video[4:8] == b"ftyp"
        held = hold_slow_download(port, video_path, visitor.cookie_header())
        started = descendants(proc.pid)
        assert len(started) >= 6  # Valkey, two workers, gunicorn and its two workers
        if sig == signal.SIGINT:
            os.killpg(proc.pid, sig)  # Ctrl-C signals the terminal's whole foreground group
        else:
            proc.send_signal(sig)
        deadline = time.monotonic() + STOP_WITHIN_S
        while time.monotonic() < deadline and (
            proc.poll() is None or any(alive(pid) for pid in started) or not port_free(port)
        ):
            time.sleep(0.2)
        left = sorted(pid for pid in started if alive(pid))
        assert proc.poll() is not None, "./run itself is still running"
        assert left == [], f"processes left behind: {left}"
        assert port_free(port)
        assert "Stopped." in (var_dir / "run.log").read_text()
    finally:
        if held is not None:
            held.close()
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        for pid in descendants(proc.pid):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.slow
def test_it_says_the_port_is_taken_and_starts_nothing(tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = subprocess.run(
            [str(RUN)], env=run_env(tmp_path, port), capture_output=True, text=True, timeout=120,
            start_new_session=True,
        )  # fmt: skip
    assert result.returncode == 1
    assert f"Port {port} on 127.0.0.1 is already in use by python" in result.stderr
    assert f"(pid {os.getpid()})" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "Embedded Valkey" not in result.stdout
    assert not (tmp_path / "valkey.sock").exists()
    assert not (tmp_path / "db.sqlite3").exists()
    assert [pid for pid in Path("/proc").glob("[0-9]*") if mentions(pid, tmp_path)] == []


def mentions(proc_dir: Path, folder: Path) -> bool:
    """Whether the process's command line names ``folder`` (as Valkey's socket path does)."""
    try:
        return str(folder) in (proc_dir / "cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return False


@pytest.mark.slow
def test_it_stops_everything_when_ctrl_c_also_ended_the_program_reading_its_output(
    tmp_path: Path,
) -> None:
    """``./run | tee run.log`` then Ctrl-C: tee dies with ./run, so ./run's "Stopping" lines
    have nowhere to go. Stopping must still reach every child."""
    port = free_port()
    proc = subprocess.Popen(
        [str(RUN)], env=run_env(tmp_path, port), stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 600
        for line in proc.stdout:
            if b"is running at" in line or time.monotonic() > deadline:
                break
        while time.monotonic() < deadline and len(descendants(proc.pid)) < 6:
            time.sleep(0.5)  # gunicorn forks its workers just after the banner
        assert proc.poll() is None
        started = descendants(proc.pid)
        assert len(started) >= 6
        proc.stdout.close()  # the reader is gone, as tee is after Ctrl-C
        os.killpg(proc.pid, signal.SIGINT)
        deadline = time.monotonic() + STOP_WITHIN_S
        while time.monotonic() < deadline and (
            any(alive(pid) for pid in started) or not port_free(port)
        ):
            time.sleep(0.2)
        assert sorted(pid for pid in started if alive(pid)) == []
        assert port_free(port)
    finally:
        for pid in descendants(proc.pid):
            os.kill(pid, signal.SIGKILL)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
