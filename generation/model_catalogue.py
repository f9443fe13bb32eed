"""The catalogue of video models an operator can install with ``manage.py models pull``.

The entries live in ``model_catalogue.toml`` beside this module (``SORA_MODEL_CATALOGUE`` points
at another file, which tests use). Each names the Hugging Face repository of the model's
diffusers-format weights, the commit pinned, its licence and the vendor's figures with their
sources. Reading it never touches the network.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_CATALOGUE = Path(__file__).with_name("model_catalogue.toml")
COMMIT_HASH = re.compile(r"[0-9a-f]{40}")
TASKS = frozenset({"t2v", "i2v", "audio"})
NAME = re.compile(r"[a-z0-9][a-z0-9._-]*")
# The record `models pull` writes beside an installed model (what, from where, which commit).
MANIFEST = ".sora-model.json"


class CatalogueError(ValueError):
    """The catalogue file is missing or an entry is incomplete; the message says which."""


@dataclass(frozen=True)
class CatalogueModel:
    """One installable model. ``download_bytes`` and ``min_vram_gb`` are None when unpublished."""

    name: str
    title: str
    repo: str
    revision: str
    revision_source: str
    family: str
    pipeline: str
    tasks: tuple[str, ...]
    licence: str
    licence_url: str
    commercial_use: bool
    allow_patterns: tuple[str, ...]
    revision_note: str = ""
    licence_note: str = ""
    download_bytes: int | None = None
    download_source: str = ""
    download_note: str = ""
    min_vram_gb: float | None = None
    vram_source: str = ""
    vram_note: str = ""
    known_cards: tuple[str, ...] = ()
    known_cards_source: str = ""
    known_cards_note: str = ""

    @property
    def pinned(self) -> bool:
        return bool(COMMIT_HASH.fullmatch(self.revision))

    @property
    def needs_acceptance(self) -> bool:
        """Licences that restrict commercial use are shown and must be accepted explicitly."""
        return not self.commercial_use

    def licence_sentence(self) -> str:
        terms = "allows commercial use" if self.commercial_use else self.licence_note
        return f"{self.licence} ({self.licence_url}): {terms}."


_REQUIRED = (
    "name", "title", "repo", "revision", "revision_source", "family", "pipeline", "tasks",
    "licence", "licence_url", "commercial_use", "allow_patterns",
)  # fmt: skip


def load_catalogue(path: Path | None = None) -> dict[str, CatalogueModel]:
    """Every entry of the catalogue at ``path`` (the shipped one by default), by name."""
    path = path or DEFAULT_CATALOGUE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CatalogueError(f"The model catalogue {path} can't be read: {exc.strerror}.") from exc
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"The model catalogue {path} is not valid TOML: {exc}.") from exc
    models: dict[str, CatalogueModel] = {}
    for raw in data.get("model", []):
        model = _entry(raw, path)
        if model.name in models:
            raise CatalogueError(f"The model catalogue {path} lists {model.name!r} twice.")
        models[model.name] = model
    if not models:
        raise CatalogueError(f"The model catalogue {path} has no [[model]] entries.")
    return models


def _entry(raw: dict[str, Any], path: Path) -> CatalogueModel:
    label = raw.get("name", "an entry")
    missing = [key for key in _REQUIRED if key not in raw]
    if missing:
        raise CatalogueError(f"In {path}, {label} has no {', '.join(missing)}.")
    fields = {key: raw[key] for key in CatalogueModel.__dataclass_fields__ if key in raw}
    fields["tasks"] = tuple(raw["tasks"])
    fields["allow_patterns"] = tuple(raw["allow_patterns"])
    fields["known_cards"] = tuple(raw.get("known_cards", ()))
    model = CatalogueModel(**fields)
    problem = _problem(model)
    if problem:
        raise CatalogueError(f"In {path}, {label} {problem}.")
    return model


def _problem(model: CatalogueModel) -> str:
    if not NAME.fullmatch(model.name):
        return "has a name that is not lower-case letters, digits, '.', '_' and '-'"
    if model.repo.count("/") != 1:
        return f"has repo {model.repo!r}, which is not 'owner/name'"
    if not model.pinned and not model.revision_note:
        return f"pins no commit (revision {model.revision!r}) and has no revision_note saying why"
    unknown = set(model.tasks) - TASKS
    if unknown or not model.tasks:
        return f"has tasks {list(model.tasks)}; use some of {sorted(TASKS)}"
    if not model.commercial_use and not model.licence_note:
        return "restricts commercial use but has no licence_note saying how"
    if model.download_bytes is None and not model.download_note:
        return "has neither download_bytes nor a download_note saying why it is unknown"
    if model.min_vram_gb is not None and not model.vram_source:
        return "gives min_vram_gb without a vram_source"
    if model.known_cards and not model.known_cards_source:
        return "names known_cards without a known_cards_source"
    return ""
