"""Spoken lines in a prompt: a quote right after a speaking word (a dog says "best day ever").

A quote on its own ("HAPPY BIRTHDAY") is not speech; the scene reads it as the on-screen
caption. The speaker is the subject named before the speaking word, and each distinct speaker
gets one of the two voices in the order they first speak. Nothing here loads a model, so the
web process checks a prompt's lines at submit time without the voice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generation.pipeline import scene_vocab as vocab

MAX_LINE_CHARS = 200
MAX_SPEAKERS = 2
LEAD_S = 0.5  # the first line starts here, after the picture has settled
GAP_S = 0.3  # silence between two lines
TAIL_S = 0.3  # the last line ends at least this long before the clip does


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


SPEECH_WORDS: frozenset[str] = _words(
    """say says saying said shout shouts shouting shouted yell yells yelling yelled
    whisper whispers whispering whispered sing sings singing sang ask asks asking asked
    call calls calling cry cries crying cried exclaim exclaims exclaiming exclaimed
    reply replies replying replied tell tells telling told answer answers answering answered
    scream screams screaming screamed mutter mutters muttered murmur murmurs murmured
    announce announces announcing announced declare declares declared chant chants chanting
    cheer cheers cheering cheered bark barks barking barked meow meows meowed roar roars
    roared chirp chirps chirped"""
)
# Speaking words that take a listener before the quote: tells the cat "…", asks Bob "…".
_TAKES_LISTENER = _words(
    "ask asks asking asked tell tells telling told answer answers answered call calls calling"
)
_DETERMINERS = _words("a an the his her its their my our your this that")
_ADVERBS = _words("out aloud back again then also now still just suddenly finally")
_PRONOUNS = _words("i you he she it we they someone everyone everybody somebody")
_CONJUNCTIONS = _words("and or but then while who which that as when")
_SUBJECT_WORDS = frozenset(word for words in vocab.SUBJECTS.values() for word in words)
# Things that carry writing: a sign that says "OPEN" is a caption to draw, not a line to speak.
_WRITTEN_THINGS = _words(
    """sign signs banner poster shirt t-shirt tshirt card cake board note screen text caption
    title letters words neon billboard label book headline message letter sticker placard
    flag mug cup balloon balloons graffiti plaque menu"""
)
_NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")

# Straight and curly double quotes, « », 「 」 and 『 』. The text may run past the line limit so
# that an over-long line is refused with its length instead of being read as something else.
_QUOTE_RE = re.compile(r"[\"“„]([^\"“”„]*)[\"”“]|«([^«»]*)»|「([^「」]*)」|『([^『』]*)』")
_TOKEN_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*|\d+|[^\w\s]")
_SENTENCE_END_RE = re.compile(r"(?<=[.!?…])[\"”’)\]]*\s+(?=\S)")

# Speaking rate of the shipped voice ("heart", hibari-tts 0.2.1, speed 1.0), measured on 30
# everyday sentences (3-12 words) with the model's silent lead-in and tail trimmed: 3.9 words/s,
# 5.3 syllables/s. A least-squares fit of each sentence's length gave 0.35 s + 0.138 s per
# syllable + 0.20 s per comma. The estimate below runs about 25% longer (at least 0.1 s on each
# of those sentences) so that a line that passes the check also fits once it is spoken.
_SENTENCE_S = 0.45
_SYLLABLE_S = 0.17
_PAUSE_S = 0.25
SENTENCE_GAP_S = 0.25  # the voice pauses this long between two sentences of one line


@dataclass(frozen=True)
class Line:
    """One quoted line and who says it; ``span`` covers the quote marks in the prompt."""

    text: str
    speaker: int
    who: str
    verb: str
    span: tuple[int, int]


def spoken_lines(prompt: str) -> list[Line]:
    """The quotes of ``prompt`` that someone speaks, in order, each with its speaker."""
    lines: list[Line] = []
    voices: dict[str, int] = {}
    previous_end = 0
    for match in _QUOTE_RE.finditer(prompt or ""):
        text = " ".join(next(g for g in match.groups() if g is not None).split())
        found = _speech_before(prompt[previous_end : match.start()])
        previous_end = match.end()
        if found is None or not text:
            continue
        verb, who, pronoun = found
        if who:
            speaker = voices.setdefault(who, len(voices)) % MAX_SPEAKERS
        elif pronoun and lines:
            speaker = lines[-1].speaker  # "… and then she says": whoever spoke last
        else:
            speaker = 0
        lines.append(Line(text, speaker, who, verb, (match.start(), match.end())))
    return lines


def line_seconds(text: str) -> float:
    """About how long the voice takes to say ``text``; on the long side, never a model call."""
    sentences = [s for s in _SENTENCE_END_RE.split(text.strip()) if s.strip()]
    if not sentences:
        return 0.0
    spoken = sum(
        _SENTENCE_S + _SYLLABLE_S * _syllables(s) + _PAUSE_S * len(re.findall(r"[,;:—–]", s))
        for s in sentences
    )
    return round(spoken + SENTENCE_GAP_S * (len(sentences) - 1), 2)


def check_lines(prompt: str, duration_s: int) -> None:
    """Raise ``ValueError`` with a sentence when the prompt's lines can't be spoken as asked."""
    lines = spoken_lines(prompt)
    if not lines:
        return
    for line in lines:
        if len(line.text) > MAX_LINE_CHARS:
            raise ValueError(
                f"The spoken line {quote_preview(line.text)} is {len(line.text)} characters; "
                f"keep each line under {MAX_LINE_CHARS}."
            )
    whos = list(dict.fromkeys(line.who for line in lines if line.who))
    if len(whos) > MAX_SPEAKERS:
        count = _NUMBER_WORDS[len(whos)] if len(whos) < len(_NUMBER_WORDS) else str(len(whos))
        raise ValueError(
            "Only two voices can speak in one video; this prompt gives lines to "
            f"{count} ({', '.join(whos)})."
        )
    need = lines_need_seconds([line.text for line in lines])
    room = room_seconds(duration_s)
    if need > room:
        noun = "lines need" if len(lines) > 1 else "line needs"
        raise ValueError(
            f"The spoken {noun} about {need:.1f} seconds, but a {duration_s}-second clip has "
            f"room for {room:.1f}; shorten {'them' if len(lines) > 1 else 'it'} or choose a "
            "longer clip."
        )


def lines_need_seconds(texts: list[str]) -> float:
    """Estimated time from the first line's start to the last line's end."""
    return sum(line_seconds(text) for text in texts) + GAP_S * max(len(texts) - 1, 0)


def room_seconds(duration_s: float) -> float:
    """Time a clip of ``duration_s`` leaves for its lines and the gaps between them."""
    return max(duration_s - LEAD_S - TAIL_S, 0.0)


def quote_preview(text: str, limit: int = 60) -> str:
    """A line in curly quotes for a sentence a person reads, shortened when long."""
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return f"“{text}”"


def _speech_before(prefix: str) -> tuple[str, str, bool] | None:
    """(verb, who, whether who was a pronoun) when ``prefix`` ends in a speaking word."""
    tokens = _TOKEN_RE.findall(prefix)
    if tokens and tokens[-1] in (":", ",", "—", "-"):
        tokens.pop()
    words = [token.lower() for token in tokens]
    verb_at = _verb_position(words)
    if verb_at is None or _written_thing_before(words[:verb_at]):
        return None
    who, pronoun = _speaker_before(words[:verb_at])
    return words[verb_at], who, pronoun


def _verb_position(words: list[str]) -> int | None:
    """Where the speaking word is: last, or followed only by an adverb and a listener."""
    for back in range(1, min(len(words), 6) + 1):
        at = len(words) - back
        if words[at] in SPEECH_WORDS and _is_listener(words[at], words[at + 1 :]):
            return at
        if not words[at].isalpha():
            return None
    return None


def _is_listener(verb: str, between: list[str]) -> bool:
    """True for what may stand between a speaking word and its quote ("softly", "to the cat")."""
    rest = [w for w in between if not _is_adverb(w)]
    if not rest:
        return True
    if rest[0] in ("to", "at"):
        rest = rest[1:]
    elif verb not in _TAKES_LISTENER:
        return False
    if rest and rest[0] in _DETERMINERS:
        rest = rest[1:]
    return len(rest) == 1 and rest[0].isalpha()


def _speaker_before(words: list[str]) -> tuple[str, bool]:
    """The subject that speaks: the last subject word of the sentence, else the word before."""
    sentence = words
    for at in range(len(words) - 1, -1, -1):
        if words[at] in (".", "!", "?", ";", "…"):
            sentence = words[at + 1 :]
            break
    known = [w for w in sentence if w in _SUBJECT_WORDS]
    if known:
        return known[-1], False
    for word in reversed(sentence):
        if _is_adverb(word) or word in _DETERMINERS:
            continue
        if word in _PRONOUNS:
            return "", True
        if not word.isalpha() or word in _CONJUNCTIONS or word in vocab.STOPWORDS:
            return "", False
        return word, False
    return "", False


def _written_thing_before(words: list[str]) -> bool:
    for word in reversed(words):
        if _is_adverb(word) or word in _DETERMINERS or word in ("that", "which", "and"):
            continue
        return word in _WRITTEN_THINGS
    return False


def _is_adverb(word: str) -> bool:
    return word in _ADVERBS or (word.endswith("ly") and len(word) > 4)


def _syllables(sentence: str) -> int:
    """Vowel groups per word; digits count as two syllables each ("2024" is said in words)."""
    count = 0
    for word in re.findall(r"[^\W\d_]+|\d", sentence):
        if word.isdigit():
            count += 2
            continue
        lower = word.lower()
        groups = len(re.findall(r"[aeiouyàâäéèêëïîôöùûü]+", lower))
        if lower.endswith("e") and not lower.endswith(("le", "ee")) and groups > 1:
            groups -= 1  # a silent final e: "home", "time"
        if word.isupper() and 1 < len(word) <= 4:
            groups = len(word)  # letters spelled out: "USA", "TV"
        count += max(groups, 1)
    return count
