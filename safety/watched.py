"""Watched words (after PeerTube's watched-word lists): operators list words and phrases in
admin, and a comment, message or caption containing one is hidden from others until a
moderator looks. Matching uses the same normalisation as text moderation, so spacing, accents,
look-alike letters and leetspeak don't slip past."""

from __future__ import annotations

import re

from safety.models import WatchedWord
from safety.moderation import normalise


def watched_match(text: str) -> str | None:
    """The first watched word or phrase in ``text``, or None. Whole words only, so a watched
    'ass' doesn't hide 'class'."""
    phrases = list(WatchedWord.objects.values_list("phrase", flat=True))
    if not phrases or not text.strip():
        return None
    haystack = f" {normalise(text)} "
    for phrase in phrases:
        needle = normalise(phrase)
        if needle and re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", haystack):
            return phrase
    return None
