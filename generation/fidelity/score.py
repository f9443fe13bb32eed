"""Score how much of what a prompt asks for the built-in renderer's plan says it drew.

Each corpus row lists the items a viewer would look for (``dog;surfboard;wave;surf;sunset``).
An item is *drawn* when an entry of the plan's ``drawn`` list names it (by the prompt's word or
by what drew it), *not drawn* when the plan lists it in ``not_drawn``, and *silently dropped*
when it is in neither list: the video lacks it and nobody is told. A drawn item is also counted
as *drawn by a stand-in* when only the prompt's word matches and what drew it is something else
("coffee" drawn as a kitchen scene).

An item may carry the word the prompt uses for it after a slash (``dog/pooch``, ``rain/🌧️``), for
prompts that name a concept by another word or by an emoji.
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).with_name("corpus.csv")
COLUMNS = ("prompt", "expect")  # required; ``split`` and ``category`` are optional
SPLITS = ("tune", "held")
# Every fourth row of the shipped corpus is held out, the rest is for tuning.
HELD_EVERY = 4
# Last words of a "what drew it" entry that name the kind of drawing, not the thing drawn.
_KINDS = frozenset({
    "sprite", "scene", "weather", "sky", "motion", "camera", "colours", "colour", "mood", "pace",
    "count", "caption", "text", "pictogram", "shape",
})  # fmt: skip
# A multi-word item ending in one of these is a phrasal verb; its first word carries it.
_PARTICLES = frozenset(["off", "in", "out", "up", "on", "down"])
# Joiners and variation selectors inside emoji sequences; the plan lists the emoji one by one.
_EMOJI_JOINERS = dict.fromkeys(map(ord, "\u200d\ufe0f\ufe0e"))


class CorpusError(ValueError):
    """The corpus file can't be read as a fidelity corpus."""


@dataclass(frozen=True)
class Item:
    """One thing a viewer would look for: its base form, and the prompt's own word if it differs."""

    concept: str
    alias: str = ""

    def __str__(self) -> str:
        return self.concept


@dataclass(frozen=True)
class Row:
    """One corpus prompt with the items expected in its video."""

    prompt: str
    items: tuple[Item, ...]
    split: str
    category: str = ""


@dataclass(frozen=True)
class Score:
    """Where each expected item of one prompt ended up in the plan."""

    row: Row
    drawn: tuple[Item, ...]
    not_drawn: tuple[Item, ...]
    dropped: tuple[Item, ...]
    # Drawn items whose word drew something that isn't them ("coffee" -> kitchen scene).
    stand_ins: tuple[Item, ...] = ()


@dataclass(frozen=True)
class Tally:
    """Item counts over a set of prompts."""

    prompts: int
    items: int
    drawn: int
    not_drawn: int
    dropped: int
    stand_ins: int = 0

    def share(self, count: int) -> float:
        return count / self.items if self.items else 0.0


def read_corpus(path: Path) -> list[Row]:
    """The rows of a corpus CSV; raises ``CorpusError`` with a sentence when it can't be used."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            missing = [name for name in COLUMNS if name not in (reader.fieldnames or [])]
            if reader.fieldnames is None:
                raise CorpusError(f"The corpus {path} is empty; it needs a header row and prompts.")
            if missing:
                raise CorpusError(
                    f"The corpus {path} has no {', '.join(missing)} column; "
                    f"its header must name {', '.join(COLUMNS)}."
                )
            rows = [_row(line, number) for number, line in enumerate(reader, start=2)]
            if "split" not in reader.fieldnames:  # every fourth prompt is held out
                rows = [
                    replace(row, split="held" if i % HELD_EVERY == HELD_EVERY - 1 else "tune")
                    for i, row in enumerate(rows)
                ]
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusError(f"The corpus {path} can't be read ({exc}).") from exc
    if not rows:
        raise CorpusError(f"The corpus {path} has a header but no prompts.")
    return rows


def _row(line: dict[str, Any], number: int) -> Row:
    prompt = (line.get("prompt") or "").strip()
    split = (line.get("split") or "tune").strip()
    items = tuple(
        parse_item(text) for text in (line.get("expect") or "").split(";") if text.strip()
    )
    if not prompt or not items:
        raise CorpusError(f"Line {number} of the corpus needs both a prompt and expected items.")
    if split not in SPLITS:
        raise CorpusError(f"Line {number} of the corpus has split {split!r}; use tune or held.")
    return Row(prompt, items, split, (line.get("category") or "").strip())


def parse_item(text: str) -> Item:
    concept, _, alias = text.strip().lower().partition("/")
    return Item(concept.strip(), alias.strip())


def score_rows(rows: Iterable[Row], planner: Callable[[str], Any]) -> list[Score]:
    """Plan each prompt with ``planner`` (prompt -> ScenePlan) and score its items."""
    return [score_plan(row, planner(row.prompt)) for row in rows]


def score_plan(row: Row, plan: Any) -> Score:
    named = [words for _, what in plan.drawn for words in _what_words(what)]
    drawn_entries = [_words(word) for word, _ in plan.drawn] + named
    missing_entries = [_words(word) for word in plan.not_drawn]
    places: dict[str, list[Item]] = {"drawn": [], "not_drawn": [], "dropped": []}
    for item in row.items:
        if any(matches(item, entry) for entry in drawn_entries):
            places["drawn"].append(item)
        elif any(matches(item, entry) for entry in missing_entries):
            places["not_drawn"].append(item)
        else:
            places["dropped"].append(item)
    stand_ins = tuple(i for i in places["drawn"] if not any(matches(i, e) for e in named))
    return Score(
        row, *(tuple(places[name]) for name in ("drawn", "not_drawn", "dropped")), stand_ins
    )


def tally(scores: Sequence[Score], split: str = "all") -> Tally:
    picked = [s for s in scores if split == "all" or s.row.split == split]
    return Tally(
        prompts=len(picked),
        items=sum(len(s.row.items) for s in picked),
        drawn=sum(len(s.drawn) for s in picked),
        not_drawn=sum(len(s.not_drawn) for s in picked),
        dropped=sum(len(s.dropped) for s in picked),
        stand_ins=sum(len(s.stand_ins) for s in picked),
    )


# --- matching -------------------------------------------------------------------------------


def matches(item: Item, words: list[str]) -> bool:
    """Whether ``item`` (or the prompt's word for it) names one of ``words``."""
    for name in filter(None, (item.concept, item.alias)):
        if not name.isascii():
            symbols = set(name.translate(_EMOJI_JOINERS))
            if any(set(word) <= symbols for word in words if not word.isascii()):
                return True
            continue
        tokens = name.split()
        if _contains(words, tokens) or any(_same(_head(tokens), word) for word in words):
            return True
    return False


def _contains(words: list[str], tokens: list[str]) -> bool:
    size = len(tokens)
    return any(
        all(_same(a, b) for a, b in zip(tokens, words[i : i + size], strict=True))
        for i in range(len(words) - size + 1)
    )


def _head(tokens: list[str]) -> str:
    """The word that carries a phrase: its last ("fire truck"), or its first ("take off")."""
    return tokens[0] if tokens[-1] in _PARTICLES else tokens[-1]


def _same(a: str, b: str) -> bool:
    return bool(lemmas(a) & lemmas(b))


# Plurals no ending rule reaches ("two old men" names the man a corpus row expects).
_IRREGULAR = {
    "men": "man", "women": "woman", "children": "child", "people": "person", "feet": "foot",
    "teeth": "tooth", "mice": "mouse", "geese": "goose", "oxen": "ox", "sheep": "sheep",
}  # fmt: skip


def lemmas(word: str) -> frozenset[str]:
    """The word and the base forms a plural or -ing/-ed ending could stand for."""
    forms = {word}
    if word in _IRREGULAR:
        return frozenset({word, _IRREGULAR[word]})
    for suffix, endings in (
        ("ies", ("y",)),
        ("ves", ("f", "fe")),
        ("es", ("",)),
        ("s", ("",)),
        ("ing", ("", "e")),
        ("ed", ("", "e")),
    ):
        if word.endswith(suffix) and not word.endswith("ss"):
            stem = word[: -len(suffix)]
            forms.update(stem + end for end in endings)
            if len(stem) > 2 and stem[-1] == stem[-2] and suffix in ("ing", "ed"):
                forms.add(stem[:-1])  # running -> run, hopped -> hop
    return frozenset(form for form in forms if len(form) >= 3 or form == word)


def _words(text: str) -> list[str]:
    """Lower-case words of a prompt entry; an emoji sequence stays one word."""
    text = unicodedata.normalize("NFKC", text).lower().translate(_EMOJI_JOINERS)
    return [word.strip(".,!?\"'") for word in text.replace("-", " ").split() if word]


def _what_words(what: str) -> list[list[str]]:
    """The things a "what drew it" entry names: "dog sprite, run motion" -> [dog], [run]."""
    return [[word for word in _words(part) if word not in _KINDS] for part in what.split(",")]
