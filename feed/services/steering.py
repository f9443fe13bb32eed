"""How a person steers their feed: mode, mood, interests, their own words, "see less like this".

Writes only. Every phrase is embedded with MiniLM when it is saved and the vectors are stored
beside it, so a feed request never runs the model. The instruction ("more cooking and dogs,
less pranks, nothing scary") is read into phrases to see more and less of; the person sees and
can edit how it was read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from accounts.selectors.teens import teen_rules
from feed.models import FeedPreference, SeeLess, SeenPost
from feed.selectors.goals import goals_shape_feed
from feed.selectors.steering import PHRASE_TEMPLATE, none_vectors, stored_vectors
from safety.moderation import CATEGORY_LABELS, moderate_text
from sora_site import embeddings
from sora_site.text import refuse_control_characters

INSTRUCTION_LIMIT = 500
MAX_PHRASES = 10
MAX_PHRASE_CHARS = 60
MAX_INTERESTS = 12
MAX_INTEREST_CHARS = 40

# Cue words, longest first so "no more than" wins over "no more", and "no more" over "no".
# A NONE cue leaves what follows out of For you entirely (``feed.exclusions``); a LESS cue ranks
# it lower; a MORE cue ranks it higher. "Not" alone only lowers ("not too loud"): people say
# "nothing", "no", "never" or "not ... any" when they mean none.
_NONE_CUES = (
    "don't show me any", "don't show me", "do not show me", "don't show", "do not show",
    "never show me", "never show", "stop showing me", "stop showing", "don't want to see",
    "do not want to see", "don't want", "do not want", "don't need", "do not need",
    "not interested in", "none of", "no more", "nothing", "without", "avoid", "hide", "skip",
    "never", "no", "zero", "not any", "none",
)  # fmt: skip
_LESS_CUES = (
    "no more than", "not so much", "not so many", "not too much", "not too many", "not as much",
    "not as many", "cut down on", "cut back on", "tone down", "only a few", "only a little",
    "a bit less", "a little less", "less of", "fewer", "less", "not too", "not",
)  # fmt: skip
_MORE_CUES = (
    "i never get enough", "never get enough", "i can never get enough", "can never get enough",
    "i can't get enough", "can't get enough", "cannot get enough", "never enough",
    "nothing beats", "nothing better than", "never stop showing me", "don't stop showing me",
    "don't stop showing", "i don't mind", "don't mind",
    "show me more", "give me more", "show me", "give me", "more of", "lots of", "a lot of",
    "plenty of", "i'd like", "i would like", "i want", "i like", "i love", "more", "extra",
    "prefer", "only",
)  # fmt: skip
MORE, LESS, NONE = "more", "less", "none"
_CUES = sorted(
    [(cue, NONE) for cue in _NONE_CUES]
    + [(cue, LESS) for cue in _LESS_CUES]
    + [(cue, MORE) for cue in _MORE_CUES],
    key=lambda item: -len(item[0]),
)
# Words that may come before a cue without changing it ("please no horror", "videos with no
# music", "i really don't want cats"); dropped only while no cue has been found.
_LEAD_FILLER = frozenset(
    ("please", "pls", "just", "really", "honestly", "i", "i'd", "i'm", "so", "and", "but",
     "videos", "video", "clips", "posts", "content", "stuff", "with", "also", "then", "ok")
)  # fmt: skip
# Every negation word: a phrase left with only these ("no no no") names nothing.
_NEGATIONS = frozenset(("no", "not", "nothing", "none", "never", "zero", "without", "avoid"))
_CLAUSES = re.compile(r"[,;.!?\n]+|\bbut\b|\bthough\b|\bplus\b")
# "cooking without meat": what follows "without" is its own item, so the exclusion covers meat
# only and cooking keeps the direction before it.
_ITEMS = re.compile(r"\band\b|\bor\b|&|/|\+|(?=\bwithout\b)")
_CONTRAST = re.compile(r"\b(?:instead of|rather than)\b")
_FILLER = frozenset(
    ("a", "an", "the", "some", "any", "of", "about", "with", "stuff", "things", "thing",
     "videos", "video", "clips", "clip", "content", "posts", "please", "pls", "too", "so",
     "very", "really", "just", "more", "less", "few", "little", "bit", "than", "at", "all",
     *_NEGATIONS)
)  # fmt: skip


@dataclass(frozen=True)
class ReadInstruction:
    """What an instruction was read as: phrases to see more of, less of, and none of."""

    more: list[str]
    less: list[str]
    none: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.more or self.less or self.none)


def instruction_read(text: str) -> ReadInstruction:
    """Split an instruction into phrases to see more of, less of and none of.

    Clauses are split at punctuation and "but"; items within a clause at "and", "or", "&" and
    before "without". A cue word at the start of an item sets the direction ("more", "less",
    "no", "nothing", "never" …) for that item, and items without one follow the item before
    ("nothing scary or gory", "more cooking and dogs"). A cue only reaches its own item, so
    "nothing scary, more cats" leaves cats out of the exclusion. "X instead of Y" asks for more
    X and less Y. Phrasings where a negation word doesn't negate are cues of their own: "no
    more than a few cats" is less, "I never get enough cooking" is more.
    """
    found: dict[str, list[str]] = {MORE: [], LESS: [], NONE: []}
    wants = MORE
    for clause in _CLAUSES.split(text.lower()):
        halves = _CONTRAST.split(clause, maxsplit=1)
        for position, half in enumerate(halves):
            if position == 1:
                wants = LESS  # what comes after "instead of" is what they want less of
            for item in _ITEMS.split(half):
                direction, phrase = _direction(item)
                if direction is not None:
                    wants = direction
                if phrase:
                    found[wants].append(phrase)
        if len(halves) == 2:
            wants = MORE
    none = _clean_list(found[NONE])
    # Leaving something out wins over seeing it more or less: it is the person's limit.
    more = [p for p in _clean_list(found[MORE]) if p not in none]
    less = [p for p in _clean_list(found[LESS]) if p not in none]
    return ReadInstruction(more=more, less=less, none=none)


def _direction(item: str) -> tuple[str | None, str]:
    words = " ".join(item.replace("’", "'").split())
    while words:
        for cue, direction in _CUES:
            if words == cue or words.startswith(cue + " "):
                rest = words[len(cue) :].strip()
                if direction == LESS and cue.startswith("not") and rest.startswith("any "):
                    direction = NONE  # "not ... any": "not any horror"
                return direction, rest
        first, _, rest = words.partition(" ")
        if first not in _LEAD_FILLER:
            break
        words = rest
    return None, " ".join(item.replace("’", "'").split())


def _clean_phrase(phrase: str) -> str:
    words = re.findall(r"[\w'-]+", phrase.lower())
    while words and words[0] in _FILLER:
        words.pop(0)
    while words and words[-1] in _FILLER:
        words.pop()
    text = " ".join(words)
    return text[:MAX_PHRASE_CHARS].rsplit(" ", 1)[0] if len(text) > MAX_PHRASE_CHARS else text


def _clean_list(phrases: Iterable[str], limit: int = MAX_PHRASES) -> list[str]:
    seen: list[str] = []
    for phrase in phrases:
        cleaned = _clean_phrase(phrase)
        if cleaned and cleaned not in seen:
            seen.append(cleaned)
    return seen[:limit]


def describe_reading(preference: FeedPreference) -> str:
    """How the instruction was read, as a sentence ("We read it as: more cooking, dogs; less
    pranks; none of scary.")."""
    parts = []
    if preference.instruction_more:
        parts.append("more " + ", ".join(preference.instruction_more))
    if preference.instruction_less:
        parts.append("less " + ", ".join(preference.instruction_less))
    if preference.instruction_none:
        parts.append("none of " + ", ".join(preference.instruction_none))
    if not parts:
        return "There's nothing in your words to steer by yet."
    return f"We read it as: {'; '.join(parts)}."


def reading_columns(preference: FeedPreference) -> list[tuple[str, list[str], str]]:
    """ "How we read it" in three columns: title, phrases, and what each does."""
    return [
        ("More", list(preference.instruction_more), "Ranked higher in For you."),
        ("Less", list(preference.instruction_less), "Ranked lower in For you."),
        ("None", list(preference.instruction_none), "Never shown in For you; hidden in Latest "
         "and Following, with a link to show them."),
    ]  # fmt: skip


def split_phrases(text: str) -> list[str]:
    """Phrases typed as a comma-separated list ("cooking, dogs")."""
    return [part for part in re.split(r"[,;\n]+", text) if part.strip()]


# --- Checks ---------------------------------------------------------------------------------


def _refuse_blocked(phrases: list[str], what: str) -> None:
    """Refuse steering toward what moderation blocks. Only what someone asks to see *more* of
    is checked: "less violence" or "nothing gory" protects the person and must stay allowed."""
    if not phrases:
        return

    verdict = moderate_text(", ".join(phrases), kind="comment")
    if verdict.outcome == "block":
        raise ValidationError(
            f"Your feed can't be steered toward that: {what} touch on "
            f"{CATEGORY_LABELS.get(verdict.category, 'something our rules forbid')}. "
            "Rewrite that part and try again."
        )


def _check_instruction_length(text: str) -> None:
    if len(text) > INSTRUCTION_LIMIT:
        raise ValidationError(
            f"Your instruction is {len(text):,} characters long; the limit is "
            f"{INSTRUCTION_LIMIT}. Shorten it to a sentence or two and try again."
        )


def _check_interests_typed(interests: list[str]) -> None:
    """Each interest as typed: no control characters, at most ``MAX_INTEREST_CHARS``, and some
    letters or digits to match on. Checked before cleaning, which would otherwise drop or cut
    what the person wrote without saying so."""
    for typed in interests:
        refuse_control_characters(typed)
        text = " ".join(typed.split())
        if len(text) > MAX_INTEREST_CHARS:
            raise ValidationError(
                f"The interest “{text[:30]}…” is {len(text)} characters long; each one can be "
                f"at most {MAX_INTEREST_CHARS}. Shorten it to a few words and try again."
            )
        if text and not _clean_phrase(text):
            raise ValidationError(
                f"The interest “{text}” has no letters or numbers to match videos on. Use "
                "words, for example: baking, jazz."
            )


def _check_readable(text: str, read: ReadInstruction) -> None:
    """Refuse words that name nothing to steer by, rather than save them and change nothing."""
    if not text or not read.empty:
        return
    words = set(re.findall(r"[\w']+", text.lower().replace("’", "'")))
    if words and words <= _NEGATIONS | {"don't", "do", "show", "me", "want", "more", "less"}:
        raise ValidationError(
            f"“{text[:40]}” doesn't say what to leave out. Name it after the word, for "
            "example: nothing scary, no cats."
        )
    raise ValidationError(
        f"We couldn't find anything to steer by in “{text[:40]}”. Say what you'd like more of, "
        "less of or none of, for example: more cooking, fewer cats, nothing scary."
    )


def _check_phrase_count(phrases: list[str], limit: int, what: str) -> None:
    if len(phrases) > limit:
        raise ValidationError(
            f"That's {len(phrases)} {what}; the limit is {limit}. Remove a few and try again."
        )


# --- Vectors --------------------------------------------------------------------------------


def _all_phrases(preference: FeedPreference) -> list[str]:
    return [
        *preference.interests,
        *preference.instruction_more,
        *preference.instruction_less,
        *preference.instruction_none,
    ]


def _vectors_blob(preference: FeedPreference, known: dict[str, np.ndarray]) -> bytes:
    """Vectors for all of the preference's phrases, embedding only those not in ``known``.
    "None" phrases are always embedded again (``none_vectors``): a vector stored by an older
    rule would otherwise stay."""
    phrases = _all_phrases(preference)[: -len(preference.instruction_none) or None]
    missing = sorted({p for p in phrases if p not in known})
    if missing:
        for phrase, vector in zip(
            missing,
            embeddings.embed_texts([PHRASE_TEMPLATE.format(p) for p in missing]),
            strict=True,
        ):
            known[phrase] = vector
    rows = [known[p] for p in phrases] + list(none_vectors(list(preference.instruction_none)))
    if not rows:
        return b""
    return np.stack(rows).astype("<f4").tobytes()


def _known_vectors(preference: FeedPreference) -> dict[str, np.ndarray]:
    """Stored vectors of the phrases that aren't "none" ones, by phrase."""
    vectors = stored_vectors(preference)
    if vectors is None:
        return {}
    phrases = _all_phrases(preference)
    count = len(phrases) - len(preference.instruction_none)
    return dict(zip(phrases[:count], vectors[:count], strict=True))


def _save(preference: FeedPreference, fields: list[str], known: dict[str, np.ndarray]) -> None:
    preference.phrase_vectors = _vectors_blob(preference, known)
    preference.save(update_fields=[*fields, "phrase_vectors", "updated_at"])


# Why mood, interests and the person's own words can't steer a teen's non-personalised feed
# (Latest and Following have no ranking terms): the refusal, and the quick panel's one line.
STEERING_OFF = (
    "Your feed isn't personalised, so mood, interests and your own words don't change it. A "
    "linked parent can turn personalisation on from their family page."
)
PANEL_STEERING_OFF = (
    "For you, mood and your own words need a personalised feed; a linked parent can turn it on."
)


def steering_applies(user: User) -> bool:
    """Whether For you, mood, interests and the person's words can shape their feed."""
    return goals_shape_feed(user)


def _require_steering(user: User, steers: bool) -> None:
    """Refuse steering a feed it can't reach; clearing a setting is always allowed."""
    if steers and not steering_applies(user):
        raise ValidationError(STEERING_OFF)


def _preference_for_update(user: User) -> FeedPreference:
    preference, _ = FeedPreference.objects.select_for_update().get_or_create(user=user)
    return preference


# --- Services -------------------------------------------------------------------------------


@transaction.atomic
def feed_instruction_set(*, user: User, instruction: str) -> FeedPreference:
    """Save the person's own words and how they were read, with the phrases' vectors.

    Refuses more than 500 characters, words with nothing to steer by ("no no no"), and
    steering toward what moderation blocks."""
    text = instruction.strip()
    _require_steering(user, bool(text))
    _check_instruction_length(text)
    read = instruction_read(text)
    _check_readable(text, read)
    _refuse_blocked(read.more, "those words")
    preference = _preference_for_update(user)
    known = _known_vectors(preference)
    preference.instruction = text
    preference.instruction_more = read.more
    preference.instruction_less = read.less
    preference.instruction_none = read.none
    fields = ["instruction", "instruction_more", "instruction_less", "instruction_none"]
    _save(preference, fields, known)
    return preference


@transaction.atomic
def feed_phrases_set(
    *, user: User, more: list[str], less: list[str], none: list[str] | None = None
) -> FeedPreference:
    """Correct how the instruction was read: the phrases to see more of, less of and none of.
    ``none=None`` keeps the "none" phrases as they are. A phrase in "none" is left out of the
    other two: it is the person's limit."""
    kept = None if none is None else _clean_list(none, limit=10**6)
    more, less = _clean_list(more, limit=10**6), _clean_list(less, limit=10**6)
    _require_steering(user, bool(more or less or kept))
    _check_phrase_count(more, MAX_PHRASES, "phrases to see more of")
    _check_phrase_count(less, MAX_PHRASES, "phrases to see less of")
    _check_phrase_count(kept or [], MAX_PHRASES, "phrases to see none of")
    _refuse_blocked(more, "those words")
    preference = _preference_for_update(user)
    known = _known_vectors(preference)
    if kept is not None:
        preference.instruction_none = kept
    excluded = set(preference.instruction_none)
    preference.instruction_more = [p for p in more if p not in excluded]
    preference.instruction_less = [p for p in less if p not in excluded]
    _save(preference, ["instruction_more", "instruction_less", "instruction_none"], known)
    return preference


@transaction.atomic
def feed_interests_set(*, user: User, interests: list[str]) -> FeedPreference:
    """Save interests: chips and the person's own words, each one a phrase.

    Refuses control characters, an interest longer than ``MAX_INTEREST_CHARS`` or without a
    letter or digit, more than ``MAX_INTERESTS``, and steering toward what moderation blocks."""
    _check_interests_typed(interests)
    interests = _clean_list(interests, limit=10**6)
    _require_steering(user, bool(interests))
    _check_phrase_count(interests, MAX_INTERESTS, "interests")
    _refuse_blocked(interests, "those interests")
    preference = _preference_for_update(user)
    known = _known_vectors(preference)
    preference.interests = interests
    _save(preference, ["interests"], known)
    return preference


@transaction.atomic
def feed_mood_set(*, user: User, mood: float | None) -> FeedPreference:
    """Set the relaxed (0) to energized (1) slider, or clear it with None."""
    if mood is not None and not 0.0 <= mood <= 1.0:
        raise ValidationError("Set your mood with the slider, between relaxed and energized.")
    _require_steering(user, mood is not None)
    preference = _preference_for_update(user)
    preference.mood = mood
    preference.save(update_fields=["mood", "updated_at"])
    return preference


@transaction.atomic
def feed_mode_set(*, user: User, mode: str) -> FeedPreference:
    if mode not in FeedPreference.Mode.values:
        raise ValidationError("Choose For you, Following or Latest.")
    if user.is_teen:
        rules = teen_rules(user)
        if rules is not None and mode not in rules.feed_modes:
            raise ValidationError(
                "Your feed isn't personalised, so it shows Latest and Following. A linked "
                "parent can turn personalisation on from their family page."
            )
    preference = _preference_for_update(user)
    preference.mode = mode
    preference.save(update_fields=["mode", "updated_at"])
    return preference


@transaction.atomic
def feed_steering_reset(*, user: User) -> FeedPreference:
    """Forget how the feed was steered: mode, mood, interests, instruction and every "see less".
    The daily limit stays: it is a wellbeing setting, not steering."""
    preference = _preference_for_update(user)
    preference.mode = FeedPreference.Mode.FOR_YOU
    preference.mood = None
    preference.interests = []
    preference.instruction = ""
    preference.instruction_more = []
    preference.instruction_less = []
    preference.instruction_none = []
    preference.phrase_vectors = b""
    preference.save(
        update_fields=[
            "mode", "mood", "interests", "instruction", "instruction_more", "instruction_less",
            "instruction_none", "phrase_vectors", "updated_at",
        ]
    )  # fmt: skip
    SeeLess.objects.filter(user=user).delete()
    return preference


def seen_posts_record(
    *, user: User, post_ids: list[int], goals: dict[int, str] | None = None
) -> None:
    """Remember which posts the feed showed this person, so For you doesn't show them again,
    and, per post in ``goals``, the goal it was shown for (the goal page counts those).

    One statement, in autocommit, skipping posts already seen. ``bulk_create`` would wrap it in
    a transaction of its own: two more round trips on every feed page, and on SQLite the write
    lock held for longer while other web processes wait for it."""
    if not post_ids or not user.is_authenticated:
        return
    goals = goals or {}
    seen_at = connection.ops.adapt_datetimefield_value(timezone.now())
    rows = ", ".join(["(%s, %s, %s, %s)"] * len(post_ids))
    params: list[object] = []
    for post_id in post_ids:
        params += [user.pk, post_id, seen_at, goals.get(post_id, "")]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {SeenPost._meta.db_table} (user_id, post_id, seen_at, goal) "
            f"VALUES {rows} ON CONFLICT DO NOTHING",
            params,
        )
