"""Installed video models: pull one from the Hugging Face Hub, verify it, remove it.

Only ``manage.py models pull`` downloads; nothing here runs at start-up or in a request. A model
is installed in ``<models dir>/<name>/`` once every file matched the hub's hash and diffusers
read its config; a ``.sora-model.json`` manifest there records the repository, the commit and
each file's size and hash. Until then the files wait in ``<models dir>/.partial/<name>/``, so
an interrupted or refused pull never leaves something that looks installed.

Downloads go through huggingface_hub's own ``http_get`` (HTTP Range resume, retries after a
dropped connection, size checks) with the URL and headers it builds, so HF_ENDPOINT and HF_TOKEN
apply. ``hf_hub_download`` is not used because it deletes a half-downloaded file when the
process stops, and a Ctrl-C would then cost up to a whole 5 GB shard; here the partial file is
kept and the next pull asks only for the rest. Hashes are computed as the bytes arrive: sha256
for LFS files (the hub's ``lfs.sha256``), the git blob sha1 for small files (the hub's blob id).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import httpx2
from huggingface_hub import HfApi, constants, hf_hub_url
from huggingface_hub.errors import (
    GatedRepoError,
    HfHubHTTPError,
    OfflineModeIsEnabled,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)
from huggingface_hub.file_download import http_get
from huggingface_hub.utils import build_hf_headers, filter_repo_objects

from generation.model_catalogue import MANIFEST, CatalogueModel

PARTIAL_DIR = ".partial"
PULL_STATE = ".sora-pull.json"
INCOMPLETE = ".incomplete"
HASH_BLOCK = 4 * 1024 * 1024
# Room left on the disk beyond the download itself, for diffusers' and the OS's own writes.
DISK_MARGIN = 256 * 1024 * 1024
MAX_WORKERS = 8  # what snapshot_download uses


class ModelStoreError(Exception):
    """A pull, verify or remove that can't go on; the message is one sentence for the operator."""


class PullInterrupted(ModelStoreError):  # noqa: N818 - the operator stopped it, not an error
    """Ctrl-C during a pull: finished and partial files are kept for the next pull."""


@dataclass(frozen=True)
class HubFile:
    """One file of the model as the hub describes it."""

    path: str
    size: int
    algo: str  # "sha256" (LFS) or "git-sha1" (a small file stored in git)
    digest: str


@dataclass(frozen=True)
class Installed:
    name: str
    folder: Path
    manifest: dict[str, Any]

    @property
    def verified(self) -> bool:
        return bool(self.manifest.get("verified"))

    @property
    def size(self) -> int:
        return folder_size(self.folder)


# --- Where things are -----------------------------------------------------------------------------


def model_folder(models_dir: Path, name: str) -> Path:
    return models_dir / name


def partial_folder(models_dir: Path, name: str) -> Path:
    return models_dir / PARTIAL_DIR / name


def folder_size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def installed(models_dir: Path, name: str) -> Installed | None:
    """The model installed under ``name``, or None (a folder without our manifest doesn't count)."""
    folder = model_folder(models_dir, name)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return Installed(name=name, folder=folder.resolve(), manifest=manifest)


def partial_bytes(models_dir: Path, name: str) -> int:
    """Bytes of the model's files fetched so far by pulls that didn't finish."""
    folder = partial_folder(models_dir, name)
    if not folder.is_dir():
        return 0
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file() and f.name != PULL_STATE)


def human_size(size: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    raise AssertionError("unreachable")


# --- Asking the hub -------------------------------------------------------------------------------


def hub_endpoint() -> str:
    """HF_ENDPOINT as it is now (huggingface_hub reads it once, at import)."""
    return (os.environ.get("HF_ENDPOINT") or constants.ENDPOINT).rstrip("/")


def hub_files(model: CatalogueModel, *, endpoint: str) -> tuple[str, bool, list[HubFile]]:
    """The commit, whether the repository is gated, and the files of the diffusers folder."""
    with _hub_errors(model, endpoint):
        info = HfApi(endpoint=endpoint).model_info(
            model.repo, revision=model.revision, files_metadata=True
        )
    siblings = {s.rfilename: s for s in info.siblings or []}
    wanted = filter_repo_objects(siblings, allow_patterns=list(model.allow_patterns))
    files = [_hub_file(siblings[path]) for path in sorted(wanted)]
    if not files:
        raise ModelStoreError(
            f"{model.repo} at {model.revision} has no files matching the catalogue's "
            f"allow_patterns ({', '.join(model.allow_patterns)}); check the catalogue entry."
        )
    return str(info.sha), bool(info.gated), files


def _hub_file(sibling: Any) -> HubFile:
    if sibling.lfs is not None:
        return HubFile(sibling.rfilename, sibling.lfs.size, "sha256", sibling.lfs.sha256)
    return HubFile(sibling.rfilename, sibling.size, "git-sha1", sibling.blob_id)


@contextlib.contextmanager
def _hub_errors(model: CatalogueModel, endpoint: str) -> Iterator[None]:
    """Turn huggingface_hub's and httpx's errors into one sentence each."""
    try:
        yield
    except Exception as exc:
        sentence = _hub_sentence(model, endpoint, exc)
        if sentence is None:
            raise
        raise ModelStoreError(sentence) from exc


def _hub_sentence(model: CatalogueModel, endpoint: str, exc: Exception) -> str | None:
    repo = model.repo
    if isinstance(exc, OfflineModeIsEnabled):
        return "HF_HUB_OFFLINE is set, so nothing may be downloaded; unset it for this command."
    if isinstance(exc, GatedRepoError):
        return (
            f"{repo} is gated: accept its terms on its hub page, then set HF_TOKEN to a token of "
            "that account and pull again."
        )
    if isinstance(exc, RevisionNotFoundError):
        return f"{repo} has no revision {model.revision} on {endpoint}; check the catalogue entry."
    if isinstance(exc, RepositoryNotFoundError):
        return f"{endpoint} has no model {repo} (if it is private, set HF_TOKEN and pull again)."
    if isinstance(exc, HfHubHTTPError):
        status = exc.response.status_code if exc.response is not None else "an error"
        return f"The model hub at {endpoint} answered {status} for {repo}; try again later."
    if isinstance(exc, httpx2.TransportError | OSError):
        return (
            f"Can't reach the model hub at {endpoint} ({type(exc).__name__}); check the network, "
            "or HF_ENDPOINT if you use a mirror, and try again."
        )
    return None


# --- Pulling --------------------------------------------------------------------------------------


def licence_refusal(model: CatalogueModel, *, gated: bool, accepted: bool) -> str:
    """The sentence refusing a pull whose licence the operator hasn't accepted, or ''."""
    if accepted or not (model.needs_acceptance or gated):
        return ""
    why = "is gated on the hub" if gated and not model.needs_acceptance else "restricts use"
    return (
        f"{model.name} {why}: it is under the {model.licence_sentence()} Read the licence, "
        "then run the pull again with --accept-licence."
    )


def check_disk(models_dir: Path, needed: int, name: str) -> None:
    """Refuse before any download when the disk holding the models can't take the rest."""
    probe = models_dir
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    free = shutil.disk_usage(probe).free
    if needed + DISK_MARGIN > free:
        raise ModelStoreError(
            f"Pulling {name} needs {human_size(needed + DISK_MARGIN)} of free space in "
            f"{models_dir}, but only {human_size(free)} is free; free some space or set "
            "SORA_MODELS_DIR to a bigger disk."
        )


@dataclass(frozen=True)
class PullPlan:
    """What a pull will fetch, worked out before anything is downloaded."""

    model: CatalogueModel
    commit: str
    gated: bool
    files: list[HubFile]
    have: int  # bytes already on disk from an earlier, interrupted pull

    @property
    def total(self) -> int:
        return sum(f.size for f in self.files)


def plan_pull(model: CatalogueModel, *, models_dir: Path, endpoint: str) -> PullPlan:
    """Ask the hub for the file list and count what an earlier pull already fetched."""
    commit, gated, files = hub_files(model, endpoint=endpoint)
    staging = partial_folder(models_dir, model.name)
    if _staged_commit(staging) not in (None, commit):
        shutil.rmtree(staging)  # files of another commit can't be resumed into this one
    have = sum(_bytes_on_disk(staging, f) for f in files)
    return PullPlan(model=model, commit=commit, gated=gated, files=files, have=have)


def _staged_commit(staging: Path) -> str | None:
    try:
        return json.loads((staging / PULL_STATE).read_text(encoding="utf-8"))["commit"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _bytes_on_disk(staging: Path, file: HubFile) -> int:
    done = staging / file.path
    if done.is_file():
        return min(done.stat().st_size, file.size)
    part = done.with_name(done.name + INCOMPLETE)
    return min(part.stat().st_size, file.size) if part.is_file() else 0


Progress = Callable[[int], None]


def download(
    plan: PullPlan, *, models_dir: Path, endpoint: str, progress: Progress,
    max_workers: int = MAX_WORKERS,
) -> Path:  # fmt: skip
    """Fetch every file not yet on disk into the partial folder, checking each one's hash.

    Files that finished and matched stay; a Ctrl-C keeps partial files too. A file whose bytes
    don't match the hub's hash is deleted and the pull fails, so nothing wrong is ever kept.
    """
    staging = partial_folder(models_dir, plan.model.name)
    staging.mkdir(parents=True, exist_ok=True)
    (staging / PULL_STATE).write_text(json.dumps({"commit": plan.commit}), encoding="utf-8")
    stop = threading.Event()
    fetch = _Fetcher(plan.model.repo, plan.commit, endpoint, staging, progress, stop)
    pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="pull")
    futures: list[Future[None]] = []
    with _ctrl_c_raises():
        return _run_pool(plan, pool, fetch, futures, stop, staging)


@contextlib.contextmanager
def _ctrl_c_raises() -> Iterator[None]:
    """Ctrl-C stops the pull with KeyboardInterrupt, whatever SIGINT handler the process had
    installed before (an RQ worker started in the same process installs its own)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _run_pool(
    plan: PullPlan,
    pool: ThreadPoolExecutor,
    fetch: Callable[[HubFile], None],
    futures: list[Future[None]],
    stop: threading.Event,
    staging: Path,
) -> Path:
    try:
        futures += [pool.submit(fetch, f) for f in plan.files]
        pending = set(futures)
        while pending:
            # A short timeout, so a Ctrl-C reaches this thread without waiting for a download.
            # A failed file doesn't stop the others: what they fetch is kept for the next pull.
            _, pending = wait(pending, timeout=0.2)
    except KeyboardInterrupt:
        # Files not started are dropped; the others stop after their current write.
        stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
        raise PullInterrupted("Stopped.") from None
    finally:
        pool.shutdown(wait=True)
    failures = [f.exception() for f in futures if f.exception() is not None]
    if failures:
        first = failures[0]
        if isinstance(first, ModelStoreError):
            raise first
        raise ModelStoreError(
            f"Downloading {plan.model.name} failed ({type(first).__name__}: {first}); run the "
            "same pull again to resume, finished files are kept."
        ) from first
    return staging


class _Stopped(Exception):  # noqa: N818 - a signal to the download thread, not an error
    """Raised inside a download thread after Ctrl-C, once the bytes received are written."""


class _Fetcher:
    """Downloads one file with huggingface_hub's http_get, resuming from a kept partial file."""

    def __init__(
        self, repo: str, commit: str, endpoint: str, staging: Path, progress: Progress,
        stop: threading.Event,
    ) -> None:  # fmt: skip
        self.url = lambda path: hf_hub_url(repo, path, revision=commit, endpoint=endpoint)
        self.headers = build_hf_headers()  # adds HF_TOKEN when it is set
        self.staging, self.progress, self.stop = staging, progress, stop

    def __call__(self, file: HubFile) -> None:
        done = self.staging / file.path
        if done.is_file() and done.stat().st_size == file.size:
            return  # it matched the hub's hash when it finished
        part = done.with_name(done.name + INCOMPLETE)
        part.parent.mkdir(parents=True, exist_ok=True)
        if part.is_file() and part.stat().st_size > file.size:
            part.unlink()
        with part.open("ab") as handle:
            sink = _HashingSink(handle, file, self.progress, self.stop)
            try:
                http_get(
                    self.url(file.path), sink, resume_size=sink.resumed, headers=self.headers,
                    expected_size=file.size, displayed_filename=file.path, tqdm_class=_NoBar,
                )  # fmt: skip
            except _Stopped:
                return
        digest = sink.hexdigest()
        if digest != file.digest:
            part.unlink()
            raise ModelStoreError(
                f"{file.path} doesn't match the hub's {file.algo} ({digest[:12]}… instead of "
                f"{file.digest[:12]}…), so it was deleted and nothing was installed; pull again "
                "to fetch it anew, and if it fails twice the mirror or the network is corrupting "
                "it."
            )
        part.replace(done)


def new_hasher(file: HubFile) -> Any:
    if file.algo == "sha256":
        return hashlib.sha256()
    hasher = hashlib.sha1(usedforsecurity=False)
    hasher.update(f"blob {file.size}\0".encode())  # git hashes a header, then the content
    return hasher


def file_digest(path: Path, file: HubFile, *, limit: int | None = None) -> str:
    hasher = new_hasher(file)
    _hash_into(hasher, path, limit)
    return hasher.hexdigest()


def _hash_into(hasher: Any, path: Path, limit: int | None = None) -> None:
    left = path.stat().st_size if limit is None else limit
    with path.open("rb") as handle:
        while left > 0:
            block = handle.read(min(HASH_BLOCK, left))
            if not block:
                break
            hasher.update(block)
            left -= len(block)


class _HashingSink:
    """The file object http_get writes to: hashes each chunk, reports progress, obeys Ctrl-C."""

    def __init__(self, handle: IO[bytes], file: HubFile, progress: Progress, stop: Any) -> None:
        self.handle, self.file, self.progress, self.stop = handle, file, progress, stop
        self.hasher = new_hasher(file)
        self.resumed = handle.tell()
        if self.resumed:
            _hash_into(self.hasher, Path(handle.name), self.resumed)

    def write(self, chunk: bytes) -> int:
        written = self.handle.write(chunk)
        self.hasher.update(chunk)
        self.progress(len(chunk))
        if self.stop.is_set():
            self.handle.flush()
            raise _Stopped
        return written

    def tell(self) -> int:
        return self.handle.tell()

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.handle.seek(offset, whence)

    def truncate(self, size: int | None = None) -> int:
        # http_get rewinds when a server ignores the Range header and sends the whole file.
        before = Path(self.handle.name).stat().st_size
        self.handle.flush()
        kept = self.handle.truncate(size)
        self.hasher = new_hasher(self.file)
        if kept:
            _hash_into(self.hasher, Path(self.handle.name), kept)
        self.progress(kept - before)
        return kept

    def hexdigest(self) -> str:
        return self.hasher.hexdigest()


class _NoBar:
    """Stands in for http_get's per-file bar: the pull shows one bar for the whole model."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def update(self, n: float | None = 1) -> None:
        return None


def check_config(folder: Path) -> str:
    """Read the pipeline's config (no weights) to prove diffusers can use the folder."""
    from diffusers import DiffusionPipeline

    try:
        config = DiffusionPipeline.load_config(str(folder))
    except (OSError, ValueError) as exc:
        raise ModelStoreError(
            f"The files match the hub, but diffusers can't read them as a pipeline ({exc}); "
            "check the catalogue's repo and allow_patterns."
        ) from exc
    return str(config.get("_class_name", "?"))


def install(plan: PullPlan, staging: Path, *, models_dir: Path) -> Installed:
    """Write the manifest and move the verified folder into place in one rename."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    manifest = {
        "name": plan.model.name,
        "repo": plan.model.repo,
        "revision": plan.model.revision,
        "commit": plan.commit,
        "pulled_at": now,
        "verified_at": now,
        "verified": True,
        "files": [asdict(f) for f in plan.files],
    }
    (staging / PULL_STATE).unlink(missing_ok=True)
    _write_manifest(staging, manifest)
    target = model_folder(models_dir, plan.model.name)
    staging.replace(target)
    parent = staging.parent
    if parent.is_dir() and not any(parent.iterdir()):
        parent.rmdir()
    return Installed(name=plan.model.name, folder=target.resolve(), manifest=manifest)


def _write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    tmp = folder / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    tmp.replace(folder / MANIFEST)


# --- Verifying and removing -----------------------------------------------------------------------


def verify(model: Installed) -> list[str]:
    """Hash every file again against the hub's hashes in the manifest; return what's wrong."""
    problems = []
    for raw in model.manifest.get("files", []):
        file = HubFile(**raw)
        path = model.folder / file.path
        if not path.is_file():
            problems.append(f"{file.path} is missing")
        elif path.stat().st_size != file.size:
            problems.append(f"{file.path} has {path.stat().st_size} bytes, not {file.size}")
        elif file_digest(path, file) != file.digest:
            problems.append(f"{file.path} doesn't match the hub's {file.algo}")
    if not model.manifest.get("files"):
        problems.append("its manifest lists no files")
    manifest = dict(model.manifest)
    manifest["verified"] = not problems
    manifest["verified_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    _write_manifest(model.folder, manifest)
    return problems


def remove(models_dir: Path, name: str) -> int:
    """Delete the installed model and any partial download of it; return the bytes freed."""
    freed = 0
    for folder in (model_folder(models_dir, name), partial_folder(models_dir, name)):
        if folder.is_dir():
            freed += folder_size(folder)
            shutil.rmtree(folder)
    return freed
