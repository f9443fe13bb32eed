"""Undo the tricks people use to slip words past a filter, so rules and MiniLM see plain words.

The steps run in a fixed order, and each one exists because of a trick:

1. Unicode NFKC folds full-width and "mathematical" letters (``ｓｅｘ``, ``𝐬𝐞𝐱``) to plain ones.
2. Invisible format characters (zero-width space/joiner, soft hyphen, BOM) are dropped, and so
   are combining marks, which strips accents and "Zalgo" decorations.
3. Look-alike letters from other scripts (Cyrillic ``а``, Greek ``ο``) become their Latin twin,
   using the Unicode confusables table that ships in ``confusable-homoglyphs``.
4. Runs of single characters split by spaces or punctuation (``s e x``, ``k.i.l.l``) are joined.
   A double space marks a word break (``k i l l  h i m`` → ``kill him``), and a leading
   article swallowed by the run is split off again when the rest is a listed word
   (``a n u d e`` → ``a nude``).
5. A ``*`` standing for a letter is filled in when a vowel makes a listed word
   (``k*ll`` → ``kill``); other punctuation inside a word (``na.ked``, ``k_i_ll``) is removed.
   A hyphen that splits a listed word is dropped (``sui-cide``); other hyphens become spaces.
6. Leetspeak (``k1ll``, ``pr0n``, ``$ex``) is undone, but only in tokens that mix letters with
   digits or symbols, so plain numbers ("a 12 year old", "1080p") keep their meaning. "1" may be
   an "i" or an "l"; the reading that makes a listed word wins.
7. A letter repeated three or more times is cut to two (``kiiiill`` → ``kiill``); the rules
   accept repeated letters, and MiniLM reads ``soo`` as well as ``sooooo``. Runs of x stop at
   three, because "xx" (kisses) and "xxx" (kisses, or porn) mean different things.

The result is lower-case ASCII-ish text with single spaces. It is used for matching only: what a
person typed is what gets stored and shown.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from itertools import product

from confusable_homoglyphs.confusables import confusables_data

from .rule_lists import vocabulary

# Characters that are apostrophes or dashes in all but code point.
_PUNCT_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u02bc": "'",
        "\u00b4": "'",
        "`": "'",
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00b7": ".",
        "\u2022": ".",
    }
)

# Our own small leetspeak table. "1", "|" and "!" are ambiguous: see ``_best_reading``.
_LEET = str.maketrans(
    {
        "0": "o",
        "1": "i",
        "3": "e",
        "4": "a",
        "5": "s",
        "7": "t",
        "8": "b",
        "9": "g",
        "@": "a",
        "$": "s",
        "!": "i",
        "|": "l",
        "+": "t",
        "€": "e",
    }
)
_LEET_CHARS = "0134578 9@$!|+€".replace(" ", "")

# One "unit" of a spaced-out word: a letter, a digit, or a leet symbol.
_UNIT = r"[a-z0-9@$!|+€]"
# Three or more units, each followed by exactly one separator character.
_SPACED_RUN = re.compile(rf"(?<![a-z0-9@$!|+€]){_UNIT}(?:[ .\-_*/~^,]{_UNIT}(?![a-z0-9])){{2,}}")
_SEPARATORS = re.compile(r"[ .\-_*/~^,]")
# A whole spaced-out sentence: one-character tokens, with two or more spaces between words.
# A stretch of one-character tokens. Written so that it cannot backtrack: the tokens and the
# gaps never overlap, which keeps a 100 KB "a a a a ..." linear.
_SINGLE_TOKENS = re.compile(rf"(?<!\S){_UNIT}(?:\s+{_UNIT})+(?!\S)")
_WORD_BREAK = re.compile(r"\s{2,}")
# Punctuation wedged between two word characters is decoration, not a sentence break.
_INNER_PUNCT = re.compile(r"(?<=[a-z0-9@$])[.*_~^\"]+(?=[a-z0-9@$])")
_HYPHENATED = re.compile(r"\b([a-z]+)-+([a-z]+)\b")
_HYPHEN = re.compile(r"(?<=\w)-+(?=\w)")
_TOKEN = re.compile(r"[^\s]+")
_HAS_LETTER = re.compile(r"[a-z]")
# Numbers with a unit ("12yo", "4k", "1080p", "3d", "90s", "2nd") are not leetspeak, and
# neither are @handles.
_NUMBER_WITH_UNIT = re.compile(
    r"^[0-9]+(?:yo|y/o|yrs?|s|st|nd|rd|th|k|p|d|x|am|pm|fps|h|hr|hz|min|mm|cm|m|km|kg|g|lbs?"
    r"|ft|mph|kph|gb|mb|ml|l|')?[.,!?]*$"
)
_HANDLE = re.compile(r"^@[a-z_][a-z0-9_]*[.,!?:]*$")
_REPEATS = re.compile(r"([a-wyz])\1{2,}")
_XS = re.compile(r"x{4,}")
_MASKED = re.compile(r"(?<![a-z])[a-z]+(?:\*+[a-z]*)+")
_GLUED_PREFIXES = ("a", "i", "an", "my", "the")
# Text-speak words of one letter: "u r a", "i m a", "y r u".
_ONE_LETTER_WORDS = frozenset("aiuryo")
_SPACES = re.compile(r"\s+")


@cache
def _confusable_map() -> dict[int, str]:
    """Map every non-ASCII look-alike of an ASCII letter or digit to that letter or digit."""
    table: dict[int, str] = {}
    for char, glyphs in confusables_data.items():
        if len(char) != 1 or char.isascii():
            continue
        ascii_twins = [g["c"] for g in glyphs if len(g["c"]) == 1 and g["c"].isascii()]
        letters = [c for c in ascii_twins if c.isalpha()]
        others = [c for c in ascii_twins if c.isalnum() or c in "'-"]
        if letters or others:
            table[ord(char)] = (letters or others)[0]
    return table


def _strip_invisible(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    kept = (ch for ch in decomposed if unicodedata.category(ch) not in {"Cf", "Mn", "Me", "Cc"})
    return unicodedata.normalize("NFC", "".join(kept).replace("\t", " ").replace("\n", " "))


@cache
def _vocabulary() -> frozenset[str]:
    return vocabulary()


def _join_run(run: str) -> str:
    """Join one spaced-out run, unless it reads as one-letter words ("u r a", "i m a")."""
    word = _SEPARATORS.sub("", run)
    vocabulary = _vocabulary()
    if word in vocabulary:
        return word
    if len(word) == 3 and all(ch in _ONE_LETTER_WORDS for ch in word):
        return run
    return _split_glued(word, vocabulary)


def _split_glued(word: str, vocabulary: frozenset[str]) -> str:
    """``anude`` → ``a nude``: the article was spaced out along with the word."""
    for prefix in _GLUED_PREFIXES:
        if word.startswith(prefix) and word[len(prefix) :] in vocabulary:
            return f"{prefix} {word[len(prefix) :]}"
    return word


def _join_spaced_words(match: re.Match[str]) -> str:
    """``d e a t h  t o  y o u`` → ``death to you``, short words included."""
    stretch = match.group(0)
    if not _WORD_BREAK.search(stretch):
        return stretch
    return " ".join(re.sub(r"\s", "", part) for part in _WORD_BREAK.split(stretch))


def _join_spaced(text: str) -> str:
    text = _SINGLE_TOKENS.sub(_join_spaced_words, text)
    return _SPACED_RUN.sub(lambda m: _join_run(m.group(0)), text)


def _join_hyphenated(match: re.Match[str]) -> str:
    """``sui-cide`` → ``suicide`` when the joined word is listed; ``self-harm`` stays two."""
    joined = match.group(1) + match.group(2)
    return joined if joined in _vocabulary() else match.group(0)


def _unmask_word(word: str) -> str:
    if word.count("*") == 1:
        for vowel in "aeiou":
            if (candidate := word.replace("*", vowel)) in _vocabulary():
                return candidate
    return word


def _unmask(text: str) -> str:
    return _MASKED.sub(lambda m: _unmask_word(m.group(0)), text)


def _unleet_token(token: str) -> str:
    if not any(ch in _LEET_CHARS for ch in token) or not _HAS_LETTER.search(token):
        # "$$$" or "100" stay as they are: no letter means no hidden word.
        return token
    if _NUMBER_WITH_UNIT.match(token) or _HANDLE.match(token):
        return token
    core = token.rstrip("!.,?")
    return _best_reading(core) + token[len(core) :]


def _best_reading(core: str) -> str:
    """Undo leetspeak; "1", "|" and "!" read as "i" or "l", whichever makes a listed word."""
    plain = core.translate(_LEET)
    ambiguous = [i for i, ch in enumerate(core) if ch in "1|!"]
    if not ambiguous or len(ambiguous) > 3 or plain in _vocabulary():
        return plain
    for letters in product("il", repeat=len(ambiguous)):
        chars = list(plain)
        for index, letter in zip(ambiguous, letters, strict=True):
            chars[index] = letter
        if (candidate := "".join(chars)) in _vocabulary():
            return candidate
    return plain


def _unleet(text: str) -> str:
    return _TOKEN.sub(lambda m: _unleet_token(m.group(0)), text)


def normalise(text: str) -> str:
    """Return ``text`` as plain lower-case words, with the usual obfuscations undone."""
    text = unicodedata.normalize("NFKC", text)
    text = _strip_invisible(text)
    text = text.translate(_confusable_map()).translate(_PUNCT_FOLD).casefold()
    text = _join_spaced(text)
    text = _unmask(text)
    text = _INNER_PUNCT.sub("", text)
    text = _unleet(text)
    text = _HYPHENATED.sub(_join_hyphenated, text)
    text = _HYPHEN.sub(" ", text)
    text = _XS.sub("xxx", _REPEATS.sub(r"\1\1", text))
    return _SPACES.sub(" ", text).strip()
