"""A local HTTP server that speaks enough of the Hugging Face Hub API for huggingface_hub.

Tests and ``bench_pull`` point HF_ENDPOINT at it, since nothing may reach the internet. It serves
model folders from disk under repository ids, pinned at a fake commit, with the parts of the API
huggingface_hub 2.4 calls:

- ``GET /api/models/{repo}/revision/{rev}`` (``?blobs=true`` adds sizes, blob ids and LFS
  sha256, as ``model_info(files_metadata=True)`` asks);
- ``GET /api/models/{repo}/tree/{rev}`` (what ``snapshot_download`` lists);
- ``HEAD`` and ``GET /{repo}/resolve/{rev}/{path}``, with the hub's ``X-Repo-Commit``, ``ETag``,
  ``X-Linked-Etag`` and ``X-Linked-Size`` headers and ``Range`` requests.

Large and weight files are treated as LFS files (sha256), the rest as git blobs (sha1), as on the
hub. It can also misbehave on purpose: drop a file's connection once part-way, send a file with
one byte changed, or interrupt the main thread (as Ctrl-C does) once enough bytes went out. It
counts the bytes of file content it sends, so a test can tell what a resume fetched twice.
"""

from __future__ import annotations

import _thread
import hashlib
import json
import re
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

LFS_SUFFIXES = (".safetensors", ".bin", ".pt", ".ckpt", ".model", ".onnx", ".gguf")
LFS_MIN_SIZE = 10 * 1024 * 1024
SEND_BLOCK = 1024 * 1024
_RANGE = re.compile(r"bytes=(\d+)-(\d*)")


@dataclass
class RepoFileInfo:
    path: str
    source: Path
    size: int
    sha256: str
    git_sha1: str

    @property
    def lfs(self) -> bool:
        return self.path.endswith(LFS_SUFFIXES) or self.size >= LFS_MIN_SIZE


@dataclass
class HostedRepo:
    repo_id: str
    commit: str
    files: dict[str, RepoFileInfo]
    gated: bool = False


@dataclass
class Faults:
    """Misbehaviour on purpose; each fault fires once unless it says otherwise."""

    drop_at: dict[str, float] = field(default_factory=dict)  # path -> share sent before a drop
    corrupt: set[str] = field(default_factory=set)  # paths sent with one byte changed, always
    interrupt_after: int | None = None  # total content bytes after which Ctrl-C is simulated
    interrupt: Callable[[], None] = _thread.interrupt_main
    # After the interrupt the sending connection waits this long, so the client stops part-way
    # through its files rather than racing to finish them.
    interrupt_pause: float = 0.5


class LocalHub:
    """``with LocalHub() as hub: hub.add(...)``; ``hub.url`` is the HF_ENDPOINT to use."""

    def __init__(self) -> None:
        self.repos: dict[str, HostedRepo] = {}
        self.faults = Faults()
        self.bytes_served = 0
        self.requests: list[str] = []
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> LocalHub:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()

    def add(self, repo_id: str, folder: Path, *, commit: str | None = None) -> HostedRepo:
        """Serve every file under ``folder`` as ``repo_id`` at ``commit`` (a made-up hash)."""
        files = {}
        for source in sorted(p for p in folder.rglob("*") if p.is_file()):
            path = source.relative_to(folder).as_posix()
            files[path] = _describe(path, source)
        commit = commit or hashlib.sha1(repo_id.encode(), usedforsecurity=False).hexdigest()
        repo = HostedRepo(repo_id=repo_id, commit=commit, files=files)
        self.repos[repo_id] = repo
        return repo

    def reset_counts(self) -> None:
        with self._lock:
            self.bytes_served = 0
            self.requests.clear()

    def count(self, n: int) -> None:
        with self._lock:
            self.bytes_served += n
            limit = self.faults.interrupt_after
            fire = limit is not None and self.bytes_served >= limit
            if fire:
                self.faults.interrupt_after = None
        if fire:
            self.faults.interrupt()
            time.sleep(self.faults.interrupt_pause)


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up (Ctrl-C, a finished pull closing its pool) is not an error.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _describe(path: str, source: Path) -> RepoFileInfo:
    sha256 = hashlib.sha256()
    size = source.stat().st_size
    git = hashlib.sha1(f"blob {size}\0".encode(), usedforsecurity=False)
    with source.open("rb") as handle:
        while block := handle.read(SEND_BLOCK):
            sha256.update(block)
            git.update(block)
    return RepoFileInfo(path, source, size, sha256.hexdigest(), git.hexdigest())


def _sibling(info: RepoFileInfo) -> dict[str, Any]:
    data: dict[str, Any] = {"rfilename": info.path, "size": info.size, "blobId": info.git_sha1}
    if info.lfs:
        data["lfs"] = {"sha256": info.sha256, "size": info.size, "pointerSize": 134}
    return data


def _tree_entry(info: RepoFileInfo) -> dict[str, Any]:
    data: dict[str, Any] = {
        "type": "file", "path": info.path, "size": info.size, "oid": info.git_sha1,
    }  # fmt: skip
    if info.lfs:
        data["lfs"] = {"oid": info.sha256, "size": info.size, "pointerSize": 134}
    return data


def _handler_for(hub: LocalHub) -> type[BaseHTTPRequestHandler]:
    class Handler(_HubHandler):
        pass

    Handler.hub = hub
    return Handler


class _HubHandler(BaseHTTPRequestHandler):
    hub: LocalHub
    protocol_version = "HTTP/1.1"  # keep-alive, as huggingface_hub's client expects

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        return None

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
        self._route(head=True)

    def do_GET(self) -> None:  # noqa: N802
        self._route(head=False)

    def _route(self, *, head: bool) -> None:
        path = unquote(urlsplit(self.path).path)
        self.hub.requests.append(f"{self.command} {path}")
        api = re.fullmatch(r"/api/models/([^/]+/[^/]+)/(revision|tree)/([^/]+)(/.*)?", path)
        if api:
            self._api(api.group(1), api.group(2), api.group(3))
            return
        resolve = re.fullmatch(r"/([^/]+/[^/]+)/resolve/([^/]+)/(.+)", path)
        if resolve:
            self._resolve(*resolve.groups(), head=head)
            return
        self._error(404, "EntryNotFound", "Not found.")

    def _repo(self, repo_id: str, revision: str) -> HostedRepo | None:
        repo = self.hub.repos.get(repo_id)
        if repo is None:
            self._error(404, "RepoNotFound", f"Repository {repo_id} not found.")
            return None
        if repo.gated:
            self._error(403, "GatedRepo", f"Access to {repo_id} is restricted.")
            return None
        if revision not in (repo.commit, "main"):
            self._error(404, "RevisionNotFound", f"Invalid rev id: {revision}")
            return None
        return repo

    def _api(self, repo_id: str, kind: str, revision: str) -> None:
        repo = self._repo(repo_id, revision)
        if repo is None:
            return
        if kind == "tree":
            body: Any = [_tree_entry(f) for f in repo.files.values()]
        else:
            blobs = "blobs=true" in (urlsplit(self.path).query or "").lower()
            siblings = [
                _sibling(f) if blobs else {"rfilename": f.path} for f in repo.files.values()
            ]
            body = {
                "id": repo_id, "modelId": repo_id, "sha": repo.commit, "private": False,
                "gated": repo.gated, "disabled": False, "siblings": siblings, "tags": [],
            }  # fmt: skip
        payload = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _resolve(self, repo_id: str, revision: str, path: str, *, head: bool) -> None:
        repo = self._repo(repo_id, revision)
        if repo is None:
            return
        info = repo.files.get(path)
        if info is None:
            self._error(404, "EntryNotFound", f"{path} does not exist in {repo_id}.")
            return
        start, end = self._range(info.size)
        self.send_response(206 if (start, end) != (0, info.size) else 200)
        self.send_header("X-Repo-Commit", repo.commit)
        self.send_header("Accept-Ranges", "bytes")
        if info.lfs:
            self.send_header("ETag", f'"{info.sha256}"')
            self.send_header("X-Linked-Etag", f'"{info.sha256}"')
            self.send_header("X-Linked-Size", str(info.size))
        else:
            self.send_header("ETag", f'"{info.git_sha1}"')
        if (start, end) != (0, info.size):
            self.send_header("Content-Range", f"bytes {start}-{end - 1}/{info.size}")
        self.send_header("Content-Length", str(end - start))
        self.end_headers()
        if not head:
            self._send(info, start, end)

    def _range(self, size: int) -> tuple[int, int]:
        match = _RANGE.fullmatch(self.headers.get("Range", "").strip())
        if not match:
            return 0, size
        start = min(int(match.group(1)), size)
        end = int(match.group(2)) + 1 if match.group(2) else size
        return start, min(end, size)

    def _send(self, info: RepoFileInfo, start: int, end: int) -> None:
        faults = self.hub.faults
        drop_at = faults.drop_at.pop(info.path, None)
        stop_at = end if drop_at is None else max(start, int(info.size * drop_at))
        position = start
        with info.source.open("rb") as handle:
            handle.seek(start)
            while position < stop_at:
                block = handle.read(min(SEND_BLOCK, stop_at - position))
                if not block:
                    break
                if info.path in faults.corrupt and position == start:
                    block = bytes([block[0] ^ 0xFF]) + block[1:]
                try:
                    self.wfile.write(block)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client stopped (Ctrl-C): nothing to do
                    return
                position += len(block)
                self.hub.count(len(block))
        if position < end:
            self.wfile.flush()
            self.close_connection = True  # the body is short: the client sees a dropped link

    def _error(self, status: int, code: str, message: str) -> None:
        payload = json.dumps({"error": message}).encode()
        self.send_response(status)
        self.send_header("X-Error-Code", code)
        self.send_header("X-Error-Message", message)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)
