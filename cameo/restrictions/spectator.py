"""Whose activity a keyword names: the owner's own, or one they only watch or stand beside.

An owner who writes "no dancing" or "no sports" means they are not shown doing it: "@x watching
her niece's dance recital", "@x cheering from the bleachers" or "@x mopping the floor of a dance
hall" shows them in the audience or at work beside it. ``only_watched`` reads the clause that
holds the keyword (the same clauses as ``context``) and lets the keyword go when, in every such
clause, a spectator word ("watching", "in the audience", "from the bleachers", "selling") or
another person's possessive ("her niece's") comes before the keyword, and nothing in the prompt
says the owner takes part ("joins", "playing", "on stage", "in the ring").

It applies only to topics that are something a person does (``ACTIVITY_TOPICS``). For the rest
the setting itself is what the owner ruled out: "nothing religious" still refuses a church, and
"no alcohol" a bar, whoever is drinking there. The patterns are plain word lists, written from
tune rows only ("added in tuning: spectator" in the corpus); held and fresh were not read.
"""

from __future__ import annotations

import re

from cameo.restrictions.context import clauses
from cameo.restrictions.words import _normalise, _token_is

ACTIVITY_TOPICS = frozenset({"dancing", "sports", "stunts"})

# Words that put the owner beside an activity rather than in it, before the activity's keyword.
_SPECTATOR_RE = re.compile(
    r"\b(?:watch|watches|watched|watching|film|films|filmed|filming|cheer|cheers|cheered"
    r"|cheering|clap|claps|clapping|applaud|applauds|applauding|audience|spectators?"
    r"|front\s+row|bleachers|in\s+the\s+stands|sell|sells|selling|front\s+desk|mop|mops|mopping"
    r"|sweep|sweeps|sweeping|poster|painting|photo|photograph|on\s+tv|on\s+television)\b"
)
# Words that say the owner takes part after all; anywhere in the prompt, they keep the refusal.
_TAKING_PART_RE = re.compile(
    r"\b(?:join|joins|joined|joining|play|plays|played|playing|compete|competes|competing"
    r"|perform|performs|performing|on\s+stage|in\s+the\s+ring|takes?\s+part|taking\s+part"
    r"|along|leads?|leading|teach|teaches|teaching|herself|himself|themselves|own"
    r"|pose|poses|posing)\b"
)
# Another person's possessive: "her niece's", "a stranger's". The owner's own handle is gone.
_POSSESSIVE_RE = re.compile(r"\b[a-z]+['’]s\b")
_MENTION_RE = re.compile(r"(?<![\w@])@\w+")
_WORD_RE = re.compile(r"[a-z]+")


def only_watched(prompt: str, forms: tuple[frozenset[str], ...]) -> bool:
    """Whether every use of the keyword (``forms``, one set per word) is someone else's."""
    text = _MENTION_RE.sub(" ", prompt.lower()).replace("’", "'")
    if _TAKING_PART_RE.search(text):
        return False
    holding = [clause for clause in clauses(text) if _position(clause, forms) is not None]
    return bool(holding) and all(_beside(clause, forms) for clause in holding)


def _beside(clause: str, forms: tuple[frozenset[str], ...]) -> bool:
    start = _position(clause, forms)
    if start is None:
        return False
    before = clause[:start]
    return bool(_SPECTATOR_RE.search(before) or _POSSESSIVE_RE.search(before))


def _position(clause: str, forms: tuple[frozenset[str], ...]) -> int | None:
    """Where the keyword first starts in ``clause``, in characters, or None."""
    words = [(match.start(), _normalise(match.group())) for match in _WORD_RE.finditer(clause)]
    width = len(forms)
    for index in range(len(words) - width + 1):
        if all(_token_is(words[index + k][1], forms[k]) for k in range(width)):
            return words[index][0]
    return None
