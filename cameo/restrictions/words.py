"""Reading words the way people write them: leet, spelt-out letters, stretched letters,
asterisks and emoji, plus the inflections a keyword also matches."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

# --- Reading words the way people write them -----------------------------------------------------

_LEET = str.maketrans("013457@$|", "oieastasl")
# "v.o.t.e", "s-e-x", "k i s s": letters spelt out one at a time to dodge a filter.
_SPELT_OUT_RE = re.compile(
    r"(?<![a-z0-9])[a-z](?:[.\-_*][a-z]){2,}(?![a-z0-9])"
    r"|(?<![a-z0-9])[a-z](?: [a-z]){3,}(?![a-z0-9])"
)
# A run of letters with digits or symbols standing in for some ("p0litics", "$ex", "b00ze").
_LEET_RUN_RE = re.compile(r"[a-z0-9@$|]*[a-z][a-z0-9@$|]*(?:!+[a-z0-9@$|]+)*")
_TOKEN_RE = re.compile(r"[a-z0-9*]*[a-z0-9][a-z0-9*]*")
_REPEAT_RE = re.compile(r"([a-z])\1{2,}")
_VOWELS = frozenset("aeiou")


def _normalise(text: str) -> str:
    """Lower-case ASCII words: accents dropped, emoji named, spelt-out and leet words rejoined."""
    text = "".join(_plain_char(char) for char in unicodedata.normalize("NFKD", text))
    text = unicodedata.normalize("NFKC", text).lower()
    text = _SPELT_OUT_RE.sub(lambda m: re.sub(r"[.\-_* ]", "", m.group()), text)
    text = _LEET_RUN_RE.sub(lambda m: m.group().replace("!", "i").translate(_LEET), text)
    text = re.sub(r"'s\b", "", text).replace("'", "")
    return re.sub(r"[-_–—]", " ", text)


def _plain_char(char: str) -> str:
    category = unicodedata.category(char)
    if category == "Mn":
        return ""
    if category == "So":
        # Emoji by name: "🍺" reads as "beer mug", "🔫" as "pistol".
        return f" {unicodedata.name(char, '').lower()} "
    return {"’": "'", "‘": "'"}.get(char, char)


def _tokens(text: str) -> list[str]:
    return _TOKEN_RE.findall(text)


@lru_cache(maxsize=8192)
def _variants(token: str) -> frozenset[str]:
    """The token, and the token with stretched letters squeezed ("kiiiss", "booooze")."""
    return frozenset({token, _REPEAT_RE.sub(r"\1", token), _REPEAT_RE.sub(r"\1\1", token)})


def _inflections(word: str) -> set[str]:
    forms = {word, word + "s", word + "es", word + "ing", word + "ed", word + "er"}
    if word.endswith("e") and not word.endswith("ee"):
        stem = word[:-1]
        forms |= {stem + "ing", word + "d", word + "r"}
    if word.endswith(("fe", "f")):
        forms.add(word.removesuffix("e").removesuffix("f") + "ves")
    if word.endswith("y") and len(word) > 2 and word[-2] not in _VOWELS:
        forms |= {word[:-1] + "ies", word[:-1] + "ied"}
    if word.endswith("y"):
        forms.add(word[:-1] + "ily")
    elif word.endswith("le"):
        forms.add(word[:-1] + "y")
    elif word.endswith("ic"):
        forms.add(word + "ally")
    else:
        forms.add(word + "ly")
    if _ends_short_syllable(word):
        forms |= {word + word[-1] + "ing", word + word[-1] + "ed"}
    return forms


def _ends_short_syllable(word: str) -> bool:
    """Whether the last consonant doubles before -ing and -ed ("stab", "bet", "gun")."""
    return (
        len(word) >= 3
        and word[-1] not in _VOWELS | {"w", "x", "y"}
        and word[-2] in _VOWELS
        and word[-3] not in _VOWELS
    )


def _bases(word: str) -> set[str]:
    """Possible dictionary forms of an owner's word: "clowns" -> clown, "dancing" -> dance."""
    bases = {word}
    if word.endswith("ies") and len(word) > 4:
        bases.add(word[:-3] + "y")
    elif word.endswith(("ses", "xes", "zes", "ches", "shes")):
        bases.add(word[:-2])
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        bases.add(word[:-1])
    for suffix in ("ing", "ed"):
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and len(stem) >= 3:
            bases |= {stem, stem + "e"}
            if len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in "lsz":
                bases.add(stem[:-1])
    return bases


@lru_cache(maxsize=8192)
def _word_forms(word: str, reduce: bool) -> frozenset[str]:
    bases = _bases(word) if reduce else {word}
    return frozenset(form for base in bases for form in _inflections(base))


def _phrase_forms(words: Iterable[str], reduce: bool) -> tuple[frozenset[str], ...]:
    return tuple(_word_forms(word, reduce) for word in words)


def _phrase_found(tokens: list[str], forms: tuple[frozenset[str], ...]) -> bool:
    width = len(forms)
    seen = _seen(tuple(tokens))
    # Most keywords are nowhere in the prompt; a set lookup says so before any scan.
    if seen is not None and any(seen.isdisjoint(form) for form in forms):
        return False
    return width > 0 and any(
        all(_token_is(tokens[start + k], forms[k]) for k in range(width))
        for start in range(len(tokens) - width + 1)
    )


@lru_cache(maxsize=256)
def _seen(tokens: tuple[str, ...]) -> frozenset[str] | None:
    """Every spelling the tokens could stand for, or None when a wildcard makes that open."""
    if any("*" in token for token in tokens):
        return None
    return frozenset(variant for token in tokens for variant in _variants(token))


def _token_is(token: str, forms: frozenset[str]) -> bool:
    if "*" in token:
        # "k*ss", "p*rn": each star stands for one or two letters.
        pattern = re.compile(re.escape(token).replace(r"\*", "[a-z]{1,2}"))
        return any(pattern.fullmatch(form) for form in forms)
    return not _variants(token).isdisjoint(forms)
