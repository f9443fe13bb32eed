"""Video engines: the built-in renderer and each catalogue model, one RQ queue each.

An engine is named by its queue: ``video`` for the built-in renderer, ``video-<catalogue name>``
for a model (settings builds an ``RQ_QUEUES`` entry for every catalogue model). A video worker
serves exactly one engine, the one its ``SORA_VIDEO_MODEL`` folder holds, so RQ's own routing
sends each job to a worker holding its model and several GPU machines can share one Valkey.

Which engines are live comes from RQ's worker registry: a worker's key expires when its
heartbeat stops. Each video worker also writes its engine's details (title, model revision and
hash) into that same key, so they vanish with it and Create never offers a dead worker's model.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import django_rq
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from redis import Redis
from redis.exceptions import RedisError
from rq.worker import Worker

from generation.model_catalogue import MANIFEST, CatalogueError, CatalogueModel, load_catalogue

log = logging.getLogger(__name__)

BUILTIN_QUEUE = "video"
QUEUE_PREFIX = "video-"
BUILTIN_TITLE = "Built-in renderer"
# The field a video worker adds to its own RQ worker key.
WORKER_FIELD = "sora_engine"
UNREACHABLE_NOTICE = (
    "The list of running video workers can't be read right now, so only the built-in renderer "
    "is offered. Your video is saved either way and starts when rendering is back."
)


def engine_queue(model_name: str) -> str:
    return f"{QUEUE_PREFIX}{model_name}"


def catalogue() -> dict[str, CatalogueModel]:
    """The catalogue models, each of which is an engine (read once per catalogue file)."""
    return _catalogue(settings.SORA_MODEL_CATALOGUE)


@functools.lru_cache(maxsize=4)
def _catalogue(path: str) -> dict[str, CatalogueModel]:
    try:
        return load_catalogue(Path(path).expanduser() if path else None)
    except CatalogueError as exc:
        # Settings refuse a broken catalogue at start-up; this is a file changed since then.
        log.error("%s Only the built-in renderer is offered.", exc)
        return {}


def _model_for(queue: str) -> CatalogueModel | None:
    if not queue.startswith(QUEUE_PREFIX):
        return None
    return catalogue().get(queue.removeprefix(QUEUE_PREFIX))


def engine_queues() -> list[str]:
    """Every engine this site knows: the built-in renderer first, then the catalogue's order."""
    return [BUILTIN_QUEUE, *(engine_queue(name) for name in catalogue())]


def is_known(queue: str) -> bool:
    return queue == BUILTIN_QUEUE or _model_for(queue) is not None


def engine_title(queue: str) -> str:
    """The engine's name as a person reads it, e.g. "LTX-2 19B (video with sound)"."""
    model = _model_for(queue)
    if model is not None:
        return model.title
    return BUILTIN_TITLE if queue == BUILTIN_QUEUE else queue


def short_name(queue: str) -> str:
    """The title without its parenthesised details, for sentences: "LTX-2 19B"."""
    if queue == BUILTIN_QUEUE:
        return "the built-in renderer"
    return engine_title(queue).split(" (", 1)[0]


def no_worker_sentence(queue: str) -> str:
    return f"No worker serves {short_name(queue)} right now."


# --- Which engines have a live worker ----------------------------------------------------------


@dataclass(frozen=True)
class LiveWorker:
    """What one running video worker says about the engine it serves."""

    name: str
    engine: str
    title: str = ""
    revision: str = ""
    model_hash: str = ""


def live_workers() -> dict[str, list[LiveWorker]] | None:
    """The running video workers by engine queue, or None when Valkey/Redis can't be reached.

    A worker counts while RQ keeps its key, which expires when its heartbeat stops.
    """
    try:
        connection = _registry_connection()
        workers = Worker.all(connection=connection)
        by_engine: dict[str, list[LiveWorker]] = {}
        for worker in workers:
            for queue in worker.queue_names():
                if queue == BUILTIN_QUEUE or queue.startswith(QUEUE_PREFIX):
                    info = _worker_info(connection.hget(worker.key, WORKER_FIELD))
                    by_engine.setdefault(queue, []).append(
                        LiveWorker(name=worker.name, engine=queue, **info)
                    )
    except RedisError as exc:
        log.warning("Could not read the video workers: %s", exc)
        return None
    return by_engine


def _registry_connection() -> Redis:
    """The queues' server, with the cache's short timeouts: a frozen server must not hold up
    Create or a job page, and a healthy one answers in well under a millisecond."""
    config = settings.RQ_QUEUES[BUILTIN_QUEUE]
    if "URL" not in config:
        return django_rq.get_connection(BUILTIN_QUEUE)
    return _quick_client(config["URL"])


@functools.lru_cache(maxsize=4)
def _quick_client(url: str) -> Redis:
    return Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.25)


def _worker_info(raw: bytes | str | None) -> dict[str, str]:
    """The engine details a worker wrote; a worker of an older release wrote none."""
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    keys = ("title", "revision", "model_hash")
    return {key: str(data[key]) for key in keys if isinstance(data, dict) and key in data}


@dataclass(frozen=True)
class EngineChoice:
    """One engine as Create offers it."""

    queue: str
    title: str
    generative: bool
    workers: list[LiveWorker] = field(default_factory=list)
    reason: str = ""  # why it can't be chosen now; empty when it can

    @property
    def selectable(self) -> bool:
        return not self.reason

    @property
    def revisions(self) -> list[str]:
        return sorted({w.revision[:12] for w in self.workers if w.revision})


@dataclass(frozen=True)
class EngineMenu:
    choices: list[EngineChoice]
    notice: str = ""  # a sentence for the whole list, e.g. when the workers can't be read

    @property
    def any_generative(self) -> bool:
        return any(c.generative and c.selectable for c in self.choices)


def engine_menu() -> EngineMenu:
    """The engines Create lists: the built-in renderer always, then every catalogue model,
    selectable while a worker serves it and otherwise shown with the reason it can't be."""
    live = live_workers()
    choices = [
        EngineChoice(
            queue=BUILTIN_QUEUE,
            title=BUILTIN_TITLE,
            generative=False,
            workers=(live or {}).get(BUILTIN_QUEUE, []),
        )
    ]
    for name, model in catalogue().items():
        queue = engine_queue(name)
        workers = (live or {}).get(queue, [])
        choices.append(
            EngineChoice(
                queue=queue,
                title=model.title,
                generative=True,
                workers=workers,
                reason="" if workers else no_worker_sentence(queue),
            )
        )
    return EngineMenu(choices=choices, notice=UNREACHABLE_NOTICE if live is None else "")


def waiting_sentence(queue: str) -> str:
    """For a job that waits: says so when no worker serves its engine; empty otherwise, and
    when the workers can't be read (the page already says rendering is unavailable then)."""
    live = live_workers()
    if live is None or live.get(queue):
        return ""
    return f"{no_worker_sentence(queue)} Your video is saved and starts when one comes back."


# --- The engine this worker serves -------------------------------------------------------------


@dataclass(frozen=True)
class ServedEngine:
    """The engine a video worker process serves, from its settings."""

    queue: str
    title: str
    revision: str = ""

    def worker_field(self, model_hash: str) -> str:
        return json.dumps(
            {
                "engine": self.queue,
                "title": self.title,
                "revision": self.revision,
                "model_hash": model_hash,
            }
        )


def served_engine() -> ServedEngine:
    """The engine SORA_VIDEO_MODEL holds; raises ImproperlyConfigured with a sentence.

    A folder installed by ``models pull`` names its catalogue entry in its manifest; any other
    folder needs SORA_VIDEO_ENGINE to name it. An empty SORA_VIDEO_MODEL is the built-in renderer.
    """
    if not settings.SORA_VIDEO_MODEL:
        return ServedEngine(queue=BUILTIN_QUEUE, title=BUILTIN_TITLE)
    folder = Path(settings.SORA_VIDEO_MODEL).expanduser()
    manifest = _pull_manifest(folder)
    pulled = str(manifest.get("name") or "")
    named = settings.SORA_VIDEO_ENGINE.strip().removeprefix(QUEUE_PREFIX)
    models = catalogue()
    known = ", ".join(models) or "none"
    if named and pulled and named != pulled:
        raise ImproperlyConfigured(
            f"SORA_VIDEO_ENGINE says {named}, but {folder} holds {pulled} (installed by `models "
            "pull`); unset SORA_VIDEO_ENGINE or point SORA_VIDEO_MODEL at the other folder."
        )
    name = named or pulled
    if not name:
        raise ImproperlyConfigured(
            f"The video model folder {folder} was not installed by `manage.py models pull`, so "
            "the worker can't tell which engine it is; set SORA_VIDEO_ENGINE to its name in the "
            f"model catalogue (one of: {known})."
        )
    if name not in models:
        raise ImproperlyConfigured(
            f"The video model {name} is not in the model catalogue, so no queue is set up for it; "
            f"set SORA_VIDEO_ENGINE to one of: {known}, or add an entry for it to the catalogue "
            "(SORA_MODEL_CATALOGUE)."
        )
    revision = str(manifest.get("commit") or "") if pulled else folder_revision(folder)
    return ServedEngine(queue=engine_queue(name), title=models[name].title, revision=revision)


_COMMIT = re.compile(r"[0-9a-f]{40}")


def folder_revision(folder: Path) -> str:
    """The Hugging Face commit a hand-installed diffusers folder came from, or "" when unknown.

    Two ways of installing by hand leave it behind: a folder inside the hub's cache is named for
    its commit (``models--org--name/snapshots/<commit>``), and ``hf download --local-dir`` writes
    ``.cache/huggingface/download/<file>.metadata`` whose first line is the commit. Every
    diffusers folder has ``model_index.json``, so its record is the one read.
    """
    resolved = folder.resolve()
    if resolved.parent.name == "snapshots" and _COMMIT.fullmatch(resolved.name):
        return resolved.name
    record = folder / ".cache" / "huggingface" / "download" / "model_index.json.metadata"
    try:
        with record.open(encoding="utf-8") as lines:
            commit = lines.readline().strip()
    except (OSError, UnicodeDecodeError):
        return ""
    return commit if _COMMIT.fullmatch(commit) else ""


def _pull_manifest(folder: Path) -> dict[str, Any]:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
