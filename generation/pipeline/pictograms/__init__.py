"""Pictograms for the built-in renderer: about 1,600 emoji drawn as flat sprites.

The set is Fluent Emoji Flat (Microsoft, MIT), from the ``@iconify-json/fluent-emoji-flat``
1.2.6 npm package, with English labels and tags from ``emojibase-data`` 17.0.0 (MIT). Flat
shapes with few gradients stay readable at the 60-240 px a subject covers in a video, and the
MIT licence asks nothing of the videos made with it (Noto is Apache-2.0 and would also do;
Twemoji's CC-BY asks for credit in each work, and OpenMoji is share-alike). Both licence texts
ship beside the data, in ``data/``, which ``build_data.py`` writes from the two npm tarballs.

How a word finds its pictogram (``find``):
1. A whole name or label: "hot air balloon" -> ``hot-air-balloon``, "dog face" -> ``dog-face``.
   Plurals are read as singulars ("dogs", "wolves", "mice").
2. Icons whose name words, label words or tags hold every word of the query ("chess" ->
   ``chess-pawn``, "surfer" -> ``person-surfing``). When several do, MiniLM's nearest label
   wins, after these preferences, which favour what reads as a whole body or object:
   faces of animals and smileys ("dog-face", "cat-face") and symbols (signs, arrows, keycaps)
   rank below the plain animal or object; a gendered person ("man-surfing") ranks below the
   neutral one unless the query says man or woman. Skin-tone variants are never matched by
   meaning (the default yellow tone is drawn) and are reached only by their exact name.
   A hit only on a tag must also be close in meaning, so "table" does not turn into ping-pong
   through its "table tennis" tag.
3. Otherwise the nearest label by MiniLM meaning ("pooch" -> ``dog``), if it is close enough.
4. Otherwise, for a phrase, its last word as in 1-2 ("quantum computer" -> ``desktop-computer``
   only if no label is near the whole phrase).

Missing or corrupt data files are logged once, named by ``problems()``, and leave ``find`` to
return None for what they held; nothing here raises on load. A single bad icon raises
``PictogramError`` from ``raster`` and ``sheet``, and callers skip it.
"""

from __future__ import annotations

import gzip
import io
import json
import logging
import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import resvg_py
from PIL import Image

from sora_site import embeddings

logger = logging.getLogger(__name__)

# Tests point this at a copy of the data to break it on purpose; ``reload()`` rereads it.
DATA_DIR = Path(__file__).resolve().parent / "data"
ICONS_FILE = "fluent-emoji-flat.json.gz"
LABELS_FILE = "emojibase-en.json.gz"
VECTORS_FILE = "fluent-emoji-flat.vectors.npz"
SKIN_TONES = frozenset({"1f3fb", "1f3fc", "1f3fd", "1f3fe", "1f3ff"})

# Cosine similarity (MiniLM) a word needs to take its nearest label. Measured on the shipped
# vectors: near words score 0.59-0.9 ("golden retriever"/dog 0.59, "surfboard"/person surfing
# 0.67, "sofa"/couch and lamp 0.68, "pooch"/poodle 0.77, "sea turtle"/turtle 0.90); words with
# no pictogram stay at or under 0.51 ("economy"/factory 0.51, "table"/chair 0.45, "philosophy"
# 0.41, "tuesday" 0.41, "quantum entanglement" 0.29).
SIMILAR_THRESHOLD = 0.55
# A hit only on a tag must be this near the icon's label ("puppy"/dog face passes; "table"
# reaches ping pong only through its "table tennis" tag, at 0.24, and does not).
TAG_CONFIRM = 0.45
# Subtracted from a candidate's similarity to rank it (see the module docstring).
FACE_PENALTY = 0.08
SYMBOL_PENALTY = 0.08
GENDER_PENALTY = 0.03
MAX_PX = 2048

SYMBOL_SUBGROUPS = frozenset(
    {
        "transport-sign", "warning", "arrow", "religion", "zodiac", "av-symbol", "gender",
        "math", "punctuation", "currency", "other-symbol", "keycap", "alphanum", "geometric",
        "flag", "country-flag", "subdivision-flag",
    }
)  # fmt: skip

_ARTICLES = frozenset({"a", "an", "the", "some"})
_GENDERED = frozenset({"man", "woman", "men", "women", "boy", "girl"})
_IRREGULAR = {
    "people": "person",
    "children": "child",
    "men": "man",
    "women": "woman",
    "mice": "mouse",
    "geese": "goose",
    "feet": "foot",
    "teeth": "tooth",
    "oxen": "ox",
    "dice": "die",
    "sheep": "sheep",
    "fish": "fish",
    "deer": "deer",
}
# A few everyday words whose best-reading icon the rules above miss: a plain "tree" is not a
# Christmas tree, a plain "moon" not the dark new moon, a "doctor" a person, not a hospital.
PREFERRED = {
    "tree": "deciduous-tree",
    "moon": "crescent-moon",
    "boat": "sailboat",
    "flower": "tulip",
    "doctor": "health-worker",
}
_WORD_RE = re.compile(r"[a-z0-9]+")


class PictogramError(Exception):
    """One icon could not be drawn; the message names it."""


@dataclass(frozen=True)
class Match:
    name: str  # icon name, e.g. "dog-face", "chess-pawn", "person-surfing"
    score: float  # 1.0 for an exact name/label/tag hit, cosine similarity otherwise
    how: str  # "name" | "tag" | "similar"


@dataclass(frozen=True)
class _Icon:
    name: str
    label: str
    name_words: frozenset[str]  # words of the name and of the label
    tags: frozenset[str]  # whole tags ("table tennis") and each of their words
    penalty: float
    order: int
    subgroup: str = ""  # emojibase subgroup: "animal-mammal", "food-prepared", "place-building"


@dataclass
class _Index:
    svgs: dict[str, tuple[str, int, int, bool]] = field(default_factory=dict)  # body, w, h, flip
    icons: dict[str, _Icon] = field(default_factory=dict)  # what ``find`` may return
    by_label: dict[str, str] = field(default_factory=dict)
    chars: dict[str, str] = field(default_factory=dict)
    vectors: np.ndarray | None = None  # (rows, 384) float32, L2-normalised
    rows: list[str] = field(default_factory=list)  # icon name of each vector row
    rows_of: dict[str, list[int]] = field(default_factory=dict)
    by_name_word: dict[str, set[str]] = field(default_factory=dict)  # word -> icon names
    by_tag: dict[str, set[str]] = field(default_factory=dict)  # tag or tag word -> icon names
    problems: tuple[str, ...] = ()


_lock = threading.Lock()
_index: _Index | None = None
_version = 0


# ---------------------------------------------------------------------------- public API


def find(word: str) -> Match | None:
    """The pictogram that best draws ``word`` (a noun or short phrase), or None."""
    return _find(tuple(_words(word)))


@lru_cache(maxsize=4096)
def _find(words_in: tuple[str, ...]) -> Match | None:
    index = _load()
    words = list(words_in)
    if not words or not index.icons:
        return None
    match = _exact(index, words)
    if match is None:
        match = _similar(index, " ".join(words))
    if match is None and len(words) > 1:
        match = _exact(index, words[-1:])
    return match


def find_emoji(char: str) -> str | None:
    """Icon name of an emoji character (with or without VS16), or None."""
    code = "-".join(f"{ord(c):x}" for c in char.strip() if ord(c) != 0xFE0F)
    return _load().chars.get(code) if code else None


@lru_cache(maxsize=512)
def raster(name: str, px: int) -> np.ndarray:
    """(px, px, 4) float32 premultiplied RGBA in 0..1; read-only, shared between callers."""
    if not 1 <= px <= MAX_PX:
        raise ValueError(f"A pictogram is drawn 1 to {MAX_PX} pixels wide, not {px}.")
    svg = _svg(name, px)
    try:
        png = resvg_py.svg_to_bytes(svg_string=svg, width=px, height=px, skip_system_fonts=True)
        rgba = np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"), dtype=np.float32)
    except (ValueError, OSError) as exc:
        raise PictogramError(f"The pictogram {name!r} could not be drawn: {exc}") from exc
    rgba = rgba[:px, :px] / 255.0
    if rgba.shape != (px, px, 4) or float(rgba[..., 3].max()) <= 1 / 512:
        raise PictogramError(f"The pictogram {name!r} draws nothing; it is left out.")
    rgba[..., :3] *= rgba[..., 3:]
    rgba.flags.writeable = False
    return rgba


def warm() -> None:
    """Load the index, the label vectors and MiniLM once, before the first job needs them."""
    index = _load()
    if index.vectors is not None:
        try:
            _query_vector("pictogram")
        except (ImportError, OSError, RuntimeError) as exc:
            logger.warning("MiniLM unavailable, pictograms are matched by exact words: %s", exc)


def problems() -> tuple[str, ...]:
    """A sentence for each missing or corrupt data file found at load."""
    return _load().problems


def nearest(phrase: str, subgroups: tuple[str, ...], floor: float) -> Match | None:
    """The pictogram nearest in meaning to ``phrase`` among those whose subgroup starts with one
    of ``subgroups`` ("place-", "person-role"), if it scores at least ``floor``; else None.

    For a planner that knows what kind of thing a word names ("a goalkeeper" is some person)
    and so may accept a nearer-than-usual stand-in of that kind.
    """
    index = _load()
    scores = _scores(index, " ".join(_words(phrase)))
    if scores is None:
        return None
    best: tuple[float, str] | None = None
    for name, score in zip(index.rows, scores, strict=True):
        icon = index.icons.get(name)
        if icon is None or not icon.subgroup.startswith(subgroups):
            continue
        if best is None or float(score) > best[0]:
            best = (float(score), name)
    if best is None or best[0] < floor:
        return None
    return Match(best[1], round(best[0], 4), "similar")


def subgroup(name: str) -> str:
    """The emojibase subgroup of ``name`` ("animal-mammal", "food-fruit", "place-building"),
    or "" for a name the index does not hold."""
    icon = _load().icons.get(name)
    return icon.subgroup if icon else ""


def names() -> tuple[str, ...]:
    """Every pictogram ``find`` may return, in emoji order (no skin-tone variants)."""
    return tuple(_load().icons)


def data_version() -> int:
    """How many times the data was reloaded: caches built on top of ``raster`` key on it."""
    return _version


def reload() -> None:
    """Forget what was loaded, so the next call rereads ``DATA_DIR``."""
    global _index, _version
    with _lock:
        _index = None
        _version += 1
    raster.cache_clear()
    _find.cache_clear()


def similarity_texts() -> tuple[list[str], list[str]]:
    """(icon name, text) rows that the label vectors embed: each label, and the name too
    where it says something the label does not ("hugging-face")."""
    index = _load()
    names_out: list[str] = []
    texts: list[str] = []
    for icon in index.icons.values():
        spoken = icon.name.replace("-", " ")
        for text in dict.fromkeys((icon.label, spoken)):
            names_out.append(icon.name)
            texts.append(text)
    return names_out, texts


def hex_key(code: str) -> str:
    """Lowercase code points joined by '-', without the VS16 presentation selector."""
    return "-".join(part for part in code.lower().split("-") if part and part != "fe0f")


# ---------------------------------------------------------------------------- matching


def _words(text: str) -> list[str]:
    words = _WORD_RE.findall(text.lower())
    while words and words[0] in _ARTICLES and len(words) > 1:
        words = words[1:]
    return words


def _singulars(word: str) -> list[str]:
    """``word`` and what it may be the plural of, most likely first."""
    if word in _IRREGULAR:
        return [word, _IRREGULAR[word]]
    forms = [word]
    if len(word) > 4 and word.endswith("ies"):
        forms.append(word[:-3] + "y")
    if len(word) > 4 and word.endswith("ves"):
        forms += [word[:-3] + "f", word[:-3] + "fe"]
    if word.endswith(("ses", "xes", "zes", "ches", "shes", "oes")):
        forms.append(word[:-2])
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        forms.append(word[:-1])
    return forms


def _with_singulars(words: set[str]) -> set[str]:
    return {form for word in words for form in _singulars(word)}


def _forms(words: list[str]) -> list[list[str]]:
    return [words[:-1] + [last] for last in _singulars(words[-1])]


def _exact(index: _Index, words: list[str]) -> Match | None:
    for form in _forms(words):
        phrase = " ".join(form)
        dashed = "-".join(form)
        if dashed in index.svgs:
            return Match(dashed, 1.0, "name")
        if phrase in index.by_label:
            return Match(index.by_label[phrase], 1.0, "name")
        if PREFERRED.get(phrase) in index.icons:
            return Match(PREFERRED[phrase], 1.0, "name")
    for form in _forms(words):
        match = _best_keyword_hit(index, form)
        if match is not None:
            return match
    return None


def _best_keyword_hit(index: _Index, form: list[str]) -> Match | None:
    wanted = set(form)
    phrase = " ".join(form)
    named = set.intersection(*(index.by_name_word.get(w, set()) for w in wanted))
    tagged = index.by_tag.get(phrase, set()) | set.intersection(
        *(index.by_name_word.get(w, set()) | index.by_tag.get(w, set()) for w in wanted)
    )
    by_name = sorted((index.icons[n] for n in named), key=lambda i: i.order)
    by_tag = sorted((index.icons[n] for n in tagged - named), key=lambda i: i.order)
    if not by_name and not by_tag:
        return None
    scores = _scores(index, phrase)
    if scores is None:
        best = min(by_name or by_tag, key=lambda i: (_penalty(i, wanted), i.order))
        return Match(best.name, 1.0, "name" if best in by_name else "tag")
    sims = {i.name: _icon_score(index, i.name, scores) for i in by_name + by_tag}
    ranked = sorted(
        by_name + by_tag, key=lambda i: (-(sims[i.name] - _penalty(i, wanted)), i.order)
    )
    best = ranked[0]
    if best in by_name:
        return Match(best.name, 1.0, "name")
    if sims[best.name] >= TAG_CONFIRM:
        return Match(_generic(index, best.name, scores), 1.0, "tag")
    return None


def _penalty(icon: _Icon, wanted: set[str]) -> float:
    gendered = icon.name.split("-")[0] in _GENDERED and not wanted & _GENDERED
    return icon.penalty + (GENDER_PENALTY if gendered else 0.0)


def _similar(index: _Index, phrase: str) -> Match | None:
    scores = _scores(index, phrase)
    if scores is None:
        return None
    wanted = set(phrase.split())
    ranked = [
        float(score) - _penalty(index.icons[name], wanted)
        for name, score in zip(index.rows, scores, strict=True)
    ]
    best = int(np.argmax(ranked))
    if float(scores[best]) < SIMILAR_THRESHOLD:
        return None
    name = _generic(index, index.rows[best], scores)
    return Match(name, round(_icon_score(index, name, scores), 4), "similar")


def _generic(index: _Index, name: str, scores: np.ndarray) -> str:
    """The plain icon a near match is a kind of, when the word is near it too: "pooch" reads
    closest to poodle, whose tag "dog" names an icon the word is also near, so: dog."""
    near = {
        tag: _icon_score(index, tag, scores)
        for tag in index.icons[name].tags
        if tag != name and tag in index.icons and not index.icons[tag].penalty
    }
    near = {tag: score for tag, score in near.items() if score >= SIMILAR_THRESHOLD}
    return max(near, key=lambda tag: (near[tag], tag)) if near else name


def _icon_score(index: _Index, name: str, scores: np.ndarray) -> float:
    return max((float(scores[row]) for row in index.rows_of.get(name, [])), default=-1.0)


def _scores(index: _Index, phrase: str) -> np.ndarray | None:
    """Cosine of ``phrase`` against every vector row; None without vectors or MiniLM."""
    if index.vectors is None:
        return None
    try:
        return index.vectors @ _query_vector(phrase)
    except (ImportError, OSError, RuntimeError) as exc:
        logger.warning("MiniLM unavailable, pictograms are matched by exact words: %s", exc)
        return None


@lru_cache(maxsize=4096)
def _query_vector(phrase: str) -> np.ndarray:
    # One phrase per call: batching pads inputs and can move a borderline score.
    return embeddings.embed_texts([phrase])[0]


# ---------------------------------------------------------------------------- drawing


def _svg(name: str, px: int) -> str:
    entry = _load().svgs.get(name)
    if entry is None:
        raise PictogramError(f"There is no pictogram named {name!r}.")
    body, width, height, flip = entry
    if flip:
        body = f'<g transform="translate({width} 0) scale(-1 1)">{body}</g>'
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{px}" height="{px}" '
        f'viewBox="0 0 {width} {height}">{body}</svg>'
    )


# ---------------------------------------------------------------------------- loading


def _load() -> _Index:
    global _index
    if _index is not None:
        return _index
    with _lock:
        if _index is None:
            _index = _build_index(DATA_DIR)
            for problem in _index.problems:
                logger.error("%s", problem)
    return _index


def _read_json_gz(path: Path, consequence: str, problems: list[str]) -> dict[str, Any] | None:
    try:
        payload = json.loads(gzip.decompress(path.read_bytes()))
    except FileNotFoundError:
        problems.append(f"The pictogram file {path} is missing; {consequence}")
        return None
    except (OSError, EOFError, ValueError) as exc:
        problems.append(f"The pictogram file {path} is corrupt ({exc}); {consequence}")
        return None
    if not isinstance(payload, dict):
        problems.append(f"The pictogram file {path} is corrupt (not an object); {consequence}")
        return None
    return payload


def _build_index(data_dir: Path) -> _Index:
    problems: list[str] = []
    index = _Index()
    icons = _read_json_gz(data_dir / ICONS_FILE, "subjects it would draw are left out.", problems)
    labels = _read_json_gz(
        data_dir / LABELS_FILE, "pictograms are matched by their names only.", problems
    )
    if icons is not None:
        try:
            _fill_icons(index, icons, (labels or {}).get("emoji", {}))
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            problems.append(
                f"The pictogram file {data_dir / ICONS_FILE} is corrupt ({exc!r}); "
                "subjects it would draw are left out."
            )
            index = _Index()
    if index.icons:
        _fill_vectors(index, data_dir / VECTORS_FILE, problems)
    index.problems = tuple(problems)
    return index


def _fill_icons(index: _Index, icons: dict[str, Any], emoji: dict[str, Any]) -> None:
    width, height = int(icons.get("width", 32)), int(icons.get("height", 32))
    svgs = {
        name: (str(icon["body"]), int(icon.get("width", width)), int(icon.get("height", height)))
        for name, icon in icons["icons"].items()
    }
    for name, (body, w, h) in svgs.items():
        index.svgs[name] = (body, w, h, False)
    for name, alias in icons.get("aliases", {}).items():
        if alias["parent"] in svgs:
            body, w, h = svgs[alias["parent"]]
            index.svgs[name] = (body, w, h, bool(alias.get("hFlip")))
    index.chars = {hex_key(code): name for code, name in icons.get("chars", {}).items()}
    drawn: list[_Icon] = []
    for code, name in index.chars.items():
        if name in index.svgs and not SKIN_TONES & set(code.split("-")):
            drawn.append(_icon(name, emoji.get(code)))
    drawn.sort(key=lambda icon: (icon.order, icon.name))
    index.icons = {icon.name: icon for icon in drawn if not icon.name.startswith("flag-")}
    for icon in index.icons.values():
        index.by_label.setdefault(icon.label, icon.name)
        for word in icon.name_words:
            index.by_name_word.setdefault(word, set()).add(icon.name)
        for tag in icon.tags:
            index.by_tag.setdefault(tag, set()).add(icon.name)


def _icon(name: str, entry: dict[str, Any] | None) -> _Icon:
    entry = entry or {}
    label = " ".join(_WORD_RE.findall(str(entry.get("label", name)).lower())) or name
    tags = {" ".join(_WORD_RE.findall(str(tag).lower())) for tag in entry.get("tags", [])}
    tags |= {word for tag in tags for word in tag.split()}
    subgroup = str(entry.get("subgroup", ""))
    is_face = name.endswith("-face") or subgroup.startswith("face-") or subgroup.endswith("-face")
    penalty = (FACE_PENALTY if is_face else 0.0) + (
        SYMBOL_PENALTY if subgroup in SYMBOL_SUBGROUPS else 0.0
    )
    name_words = set(name.split("-")) | set(label.split())
    return _Icon(
        name=name,
        label=label,
        # Singulars too, so "sword" finds crossed-swords and "book" finds books.
        name_words=frozenset(_with_singulars(name_words)),
        tags=frozenset(_with_singulars(tags) - {""}),
        penalty=penalty,
        order=int(entry.get("order", 1_000_000)),
        subgroup=subgroup,
    )


def _fill_vectors(index: _Index, path: Path, problems: list[str]) -> None:
    consequence = "words are matched to pictograms by exact words only, not by meaning."
    try:
        with np.load(path, allow_pickle=False) as npz:
            rows = [str(name) for name in npz["names"]]
            vectors = np.asarray(npz["vectors"], dtype=np.float32)
    except FileNotFoundError:
        problems.append(f"The pictogram file {path} is missing; {consequence}")
        return
    except (OSError, ValueError, KeyError, EOFError) as exc:
        problems.append(f"The pictogram file {path} is corrupt ({exc}); {consequence}")
        return
    if vectors.ndim != 2 or len(rows) != len(vectors) or not np.isfinite(vectors).all():
        problems.append(f"The pictogram file {path} is corrupt (bad shape); {consequence}")
        return
    keep = [row for row, name in enumerate(rows) if name in index.icons]
    vectors = vectors[keep]
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-6)
    index.vectors = vectors
    index.rows = [rows[row] for row in keep]
    for row, name in enumerate(index.rows):
        index.rows_of.setdefault(name, []).append(row)
