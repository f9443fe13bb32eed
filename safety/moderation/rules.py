"""Rule lists: the clear-cut cases, matched on normalised text.

The lists themselves live in ``rule_lists.py`` as plain data. A *term* is written in plain
words; this module compiles it so that small disguises still match:

- every letter may repeat (``kiill``);
- in words of four letters or more an inner vowel may be missing (``fck``, ``prn``);
- the words of a term may be run together (``childporn``) or split by spaces;
- a trailing ``*`` on a word allows any ending (``decapitat*``);
- a plural or possessive ending is always allowed.

A *pattern* (prefixed ``re:``) is a regular expression used as written, for phrases that need
word order or alternatives (``kill all <group>``).

Harmless phrases that contain a listed word ("naked mole rat", "bloody mary", "breast cancer")
are blanked out before matching, so the rules do not see them. MiniLM still reads the full text.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import cache

from . import categories as cat
from . import rule_lists as lists

_VOWELS = "aeiou"
_START = r"(?<![a-z0-9])"
_END = r"(?:'s|s'|'|s|es)?(?![a-z0-9])"
# Minors and sexual cues further apart than this (in characters) are different subjects.
_MINOR_SEXUAL_DISTANCE = 120


@dataclass(frozen=True)
class RuleHit:
    """One rule that matched: its category and the text it matched, for moderators only."""

    category: str
    rule: str


def _letter(ch: str, optional: bool) -> str:
    body = re.escape(ch) + "+" if ch.isalnum() else re.escape(ch)
    return f"(?:{body})?" if optional else body


def _word(word: str) -> str:
    open_end = word.endswith("*")
    word = word.rstrip("*")
    parts = []
    for index, ch in enumerate(word):
        inner = 0 < index < len(word) - 1
        parts.append(_letter(ch, optional=inner and len(word) >= 4 and ch in _VOWELS))
    return "".join(parts) + ("[a-z]*" if open_end else "")


def compile_term(term: str) -> str:
    """Turn a plain-words term into the forgiving regular expression described above."""
    if term.startswith("re:"):
        return _START + "(?:" + term[3:] + ")" + _END
    body = r"[\s']*".join(_word(word) for word in term.split())
    return _START + body + _END


@cache
def _compiled(terms: tuple[str, ...]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((term, re.compile(compile_term(term))) for term in terms)


@cache
def _benign() -> re.Pattern[str]:
    return re.compile("|".join(compile_term(phrase) for phrase in lists.BENIGN_PHRASES))


def mask_benign(clean: str) -> str:
    """Blank out harmless phrases that contain a listed word, keeping character positions."""
    return _benign().sub(lambda m: " " * len(m.group(0)), clean)


def _spans(terms: tuple[str, ...], text: str) -> list[tuple[int, str]]:
    """Start offset and matched text of every match, sorted by offset."""
    spans = [(m.start(), m.group(0)) for _, rx in _compiled(terms) for m in rx.finditer(text)]
    return sorted(spans)


def _first(terms: tuple[str, ...], text: str) -> str | None:
    """The text matched by the first term that matches, if any."""
    for _, rx in _compiled(terms):
        if found := rx.search(text):
            return found.group(0)
    return None


def mentions_minor(masked: str) -> bool:
    return _first(lists.MINOR_TERMS, masked) is not None


def _near(minors: list[tuple[int, str]], cues: list[tuple[int, str]]) -> str | None:
    """A minor and a sexual cue within ``_MINOR_SEXUAL_DISTANCE`` of each other, if any."""
    offsets = [at for at, _ in cues]
    for minor_at, minor in minors:
        index = bisect_left(offsets, minor_at - _MINOR_SEXUAL_DISTANCE)
        if index < len(cues) and cues[index][0] <= minor_at + _MINOR_SEXUAL_DISTANCE:
            return f"{minor} + {cues[index][1]}"
    return None


def _minor_sexual_hit(masked: str) -> RuleHit | None:
    direct = _first(lists.MINORS_SEXUAL_TERMS, masked)
    if direct:
        return RuleHit(cat.MINORS_SEXUAL, direct)
    minors = _spans(lists.MINOR_TERMS, masked)
    if not minors:
        return None
    pair = _near(minors, _spans(lists.SEXUAL_CUES + lists.RULES[cat.SEXUAL], masked))
    return RuleHit(cat.MINORS_SEXUAL, pair) if pair else None


def match_rules(masked: str) -> list[RuleHit]:
    """Every category whose rules match ``masked`` (normalised, benign phrases masked), in
    priority order, at most one hit per category. ``RuleHit.rule`` is the matched text."""
    hits = []
    minor_hit = _minor_sexual_hit(masked)
    if minor_hit:
        hits.append(minor_hit)
    for category, terms in lists.RULES.items():
        matched = _first(terms, masked)
        if matched:
            hits.append(RuleHit(category, matched))
    return hits
