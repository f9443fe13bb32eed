"""Read a prompt into a scene plan the built-in renderer can draw.

Exact words from ``scene_vocab`` win first. A word the vocabulary does not know is compared with
the vocabulary through MiniLM and joins the nearest concept when it is close enough ("seaside"
reads as beach, "puppy" as dog). Emoji are read by their Unicode names. Any prompt gives a plan,
and the same prompt always gives the same plan.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import asdict, dataclass, field, replace
from functools import cache, lru_cache
from typing import Any

from generation.pipeline import scene_vocab as vocab
from generation.pipeline.audio.lines import spoken_lines
from generation.pipeline.cameo_looks import GARMENTS
from generation.pipeline.scene_things import (
    GROUP_WORDS,
    VERBS,
    WORD_ICONS,
    icon_label,
    lemma,
    names_an_object,
    plan_things,
)
from sora_site import embeddings

logger = logging.getLogger(__name__)

# Cosine similarity a word needs to join a concept. Synonyms score 0.6-0.85 against the
# anchors ("seaside"/beach 0.73, "pooch"/dog 0.77, "hen"/bird 0.60); unrelated words mostly
# stay under 0.55 ("computer" 0.53, "philosophy" 0.46, "castle" 0.51).
FUZZY_THRESHOLD = 0.6
MAX_CAPTION_CHARS = 48
_QUOTE_RE = re.compile(
    r"[\"“”«»「」『』]([^\"“”«»「」『』]{1,200})[\"“”«»「」『』]|(?<![\w])'([^']{1,200})'(?![\w])"
)
_TOKEN_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# Categories whose concepts an unknown word may join. Camera moves and palettes are left out:
# they are phrases of their own and a near miss there reads as a random choice.
_FUZZY_CATEGORIES: dict[str, dict[str, tuple[str, ...]]] = {
    "setting": vocab.SETTINGS,
    "subject": vocab.SUBJECTS,
    "weather": vocab.WEATHER,
    "action": vocab.ACTIONS,
    "time": vocab.TIMES,
}


# What a ``Thing`` is to the scene (``Thing.role``).
ROLES = (
    "actor",  # moves through the scene like a subject, following the plan's action
    "mount",  # ridden by its actor: drawn under them and moving with them (board, horse, bike)
    "prop",  # belongs to its actor through ``relation``, or stands on the ground or furniture
    "furniture",  # stands on the ground near the subjects (table, bench); props may stand on it
    "scenery",  # repeated in the background at depth (signs, lanterns, houses)
    "sky",  # up in the sky (sun, moon, rainbow, aeroplane)
)
# How a thing joins its actor (``Thing.relation``); "" is no relation.
RELATIONS = (
    "hold",  # in the actor's hand, moving with them
    "ride",  # (mounts) the actor stands or sits on it and it carries them
    "between",  # on the ground between the actor and the next actor (chess board, ball)
    "eat",  # at the actor's mouth, shrinking bite by bite
    "throw",  # leaves the actor's hand and flies in an arc
    "kick",  # leaves the actor's feet and rolls or flies away
    "knock",  # falls off the furniture it stands on when the actor reaches it
    "chase",  # (actors) follows the actor it relates to
    "hug",  # (actors) comes together with the actor it relates to
    "near",  # close beside the actor
    "push",  # just ahead of the actor, moving with them (a pram, a wheelchair, a cart)
    "aloft",  # high above the actor's hand on a string, bobbing in the wind (a kite)
    "seat",  # (furniture) its actor sits or lies on top of it ("a cat sleeping on a couch")
)


@dataclass(frozen=True)
class Thing:
    """A pictogram the plan draws: something the prompt names beyond the hand-drawn subjects."""

    icon: str  # pictogram name in ``generation.pipeline.pictograms`` ("surfboard", "astronaut")
    word: str  # the prompt's word or phrase it draws
    role: str = "prop"  # one of ROLES
    count: int = 1
    relation: str = ""  # one of RELATIONS, or ""
    actor: int = -1  # index into ``ScenePlan.cast()`` of the actor it belongs to; -1: none
    # index into ``ScenePlan.things`` of the furniture it stands on (or, for a thing that
    # falls, what it lands on or in); -1: ground
    on: int = -1
    # its own in-place action ("shrink" for a melting ice cream), "fall" for a thing that
    # drops from above, or ""
    motion: str = ""
    scale: float = 1.0  # drawn this much larger or smaller: "a huge wave" 1.7, "tiny" 0.6


@dataclass(frozen=True)
class ScenePlan:
    """What the built-in renderer draws for one prompt."""

    setting: str = vocab.DEFAULT_SETTING
    time_of_day: str = "day"
    palette: str = "natural"
    weather: str = "none"
    # Lightning flashes (and their thunder) in the rain: the prompt names a storm or lightning.
    storm: bool = False
    subjects: tuple[str, ...] = ("dog",)
    # One colour word per subject ("red" for "a red balloon"), "" where the prompt names none.
    colors: tuple[str, ...] = ("",)
    action: str = "run"
    camera: str = "pan"
    mood: str = vocab.DEFAULT_MOOD
    energy: float = 0.5
    caption: str = ""
    # word -> concept for words read through MiniLM, shown so people see how they were read.
    interpreted: tuple[tuple[str, str], ...] = field(default=())
    # Words of the prompt (an emoji stands for itself) that nothing in the plan came from, so a
    # person sees what the renderer could not draw instead of wondering where it went.
    not_drawn: tuple[str, ...] = field(default=())
    # (word or phrase of the prompt, what drew it): ("pooch", "dog sprite"), ("rain", "rain
    # weather"). Each concrete word is here or in not_drawn, never both.
    drawn: tuple[tuple[str, str], ...] = field(default=())
    # Pictograms beyond the hand-drawn subjects, at most ``MAX_DRAWN`` minus the subjects.
    things: tuple[Thing, ...] = field(default=())
    # A busy place: extra walkers and traffic in the background ("a busy street", "a crowd").
    busy: bool = False
    # Wet ground that mirrors the lights above it (rain at night in a town, "reflections").
    reflections: bool = False
    # The kinds of room the prompt names, in ``vocab.ROOM_KINDS`` order ("hospital", "hallway"),
    # when the setting is "room"; the first sets the walls and floor, each adds what it hangs.
    room: tuple[str, ...] = field(default=())
    # What the prompt dresses its first person in ("suit", "red hat"): ``cameo_looks.GARMENTS``
    # names, each with its colour word if any.
    worn: tuple[str, ...] = field(default=())

    def cast(self) -> tuple[str, ...]:
        """Who can act: each planned subject kind, then each actor thing's icon, in that order.

        ``Thing.actor`` indexes this tuple. A subject repeated for a plural is one entry each;
        an actor thing with ``count`` 2 is one entry drawn twice.
        """
        return self.subjects + tuple(t.icon for t in self.things if t.role == "actor")

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["subjects"] = list(self.subjects)
        data["colors"] = list(self.colors)
        data["interpreted"] = dict(self.interpreted)
        data["not_drawn"] = list(self.not_drawn)
        data["drawn"] = [list(pair) for pair in self.drawn]
        data["things"] = [asdict(thing) for thing in self.things]
        data["room"] = list(self.room)
        data["worn"] = list(self.worn)
        return data


@dataclass(frozen=True)
class _Hit:
    position: int
    concept: str
    weight: float = 1.0
    length: int = 1  # words: a vocabulary phrase ("golden hour") draws each of its words


def plan_scene(prompt: str) -> ScenePlan:
    """Turn any prompt into a ``ScenePlan``; unknown or empty text gives the default scene."""
    caption, text = _split_caption(prompt or "")
    sourced = _sourced_tokens(text)
    tokens = [token for token, _ in sourced]
    hits = {name: _exact_hits(tokens, table) for name, table in _FUZZY_CATEGORIES.items()}
    interpreted = _fuzzy_hits(tokens, hits)
    hits["setting"] = _without_outside_rooms(tokens, hits)
    setting = _pick_setting(_weighted(tokens, hits["setting"], vocab.WEAK_SETTING_WORDS))
    if not hits["setting"] and any(hit.concept == "boat" for hit in hits["subject"]):
        setting = "beach"  # a boat named with no place is at sea
    elif not hits["setting"] and _leads_with(tokens, hits["subject"], "fish"):
        setting = "underwater"  # so are fish, when the prompt is about them
    elif not hits["setting"]:  # a surfer with no place named surfs at the beach
        setting = next(
            (vocab.IMPLIED_PLACES[tok] for tok in tokens if tok in vocab.IMPLIED_PLACES), setting
        )
    subjects, colors, origins = _pick_subjects(tokens, hits["subject"], setting)
    hits["action"] = [hit for hit in hits["action"] if not _is_noun(tokens, hit.position)]
    action = _pick_action(tokens, hits["action"], subjects)
    mood, mood_energy = _pick_mood(tokens)
    time_of_day = _pick_time(hits["time"], setting)
    plan = ScenePlan(
        setting=setting,
        time_of_day=time_of_day,
        palette=_pick_palette(tokens, setting, time_of_day),
        weather=_pick_weather(
            _weighted(tokens, hits["weather"], vocab.WEAK_WEATHER_WORDS), setting, time_of_day
        ),
        subjects=subjects,
        colors=colors,
        action=action,
        camera=_pick_camera(tokens, action),
        storm=bool(vocab.STORM_WORDS.intersection(tokens)),
        mood=mood,
        energy=_energy(tokens, action, mood_energy),
        caption=caption,
        interpreted=interpreted,
        room=_room_kinds(tokens, hits["setting"]) if setting == "room" else (),
    )
    used = _used_positions(tokens, hits, plan)
    windows = _painted_windows(tokens, plan)
    sea = _painted_water(tokens, plan)
    worn = _worn(tokens, plan.subjects)
    used |= windows | sea | {pos for start, end, _ in worn for pos in range(start, end)}
    weak = {hit.position for found in hits.values() for hit in found if hit.weight < 1}
    weak |= {hit.position for hit in hits["setting"] if names_an_object(tokens[hit.position])}
    weak |= _furnished(tokens, hits["setting"], setting)
    action_at = next(
        ((hit.position, hit.concept) for hit in hits["action"] if hit.concept == action), (-1, "")
    )
    extra = plan_things(
        sourced, used, weak, origins, tuple(zip(subjects, colors, strict=True)), action_at
    )
    if extra.motion_taken:  # the in-place verb is a thing's; the subjects move as they would
        natural = vocab.NATURAL_ACTIONS.get(extra.subjects[0], "walk") if extra.subjects else "walk"
        plan = replace(
            plan,
            action=natural,
            camera=_pick_camera(tokens, natural),
            energy=_energy(tokens, natural, mood_energy),
        )
    if extra.action and not hits["action"]:  # the actors the prompt names set the motion
        plan = replace(
            plan,
            action=extra.action,
            camera=_pick_camera(tokens, extra.action),
            energy=_energy(tokens, extra.action, mood_energy),
        )
    if "person" not in extra.subjects:
        worn = []  # no hand-drawn person left to wear them: the job page lists them
    plan = replace(
        plan,
        worn=tuple(
            dict.fromkeys(phrase for start, _, phrase in worn if tokens[start] not in _WEAR_VERBS)
        ),
        subjects=extra.subjects,
        colors=extra.colors,
        things=tuple(Thing(*fields) for fields in extra.things),
        busy=extra.busy,
        reflections=extra.reflections or _wet_night(plan),
    )
    if not plan.cast() and not hits["action"]:
        # A still life ("a bowl of ramen with chopsticks"): the camera moves in on it rather
        # than panning across an empty field past it.
        plan = replace(plan, camera=_pick_camera(tokens, "float"))
    labels = extra.labels
    labels.update(dict.fromkeys(windows, "the room's window"))
    labels.update(dict.fromkeys(sea, f"{plan.setting} scene"))
    for start, end, phrase in worn:
        labels.update(dict.fromkeys(range(start, end), f"{phrase}, worn"))
    plan = _painted_sky_things(plan, labels)
    if plan.setting not in vocab.SKYLESS_SETTINGS:  # "the night sky" is the sky painted
        for pos, token in enumerate(tokens):
            if token in _SKY_WORDS and pos not in labels:
                labels[pos] = f"{plan.time_of_day} sky"
    if plan.setting == "city" and (plan.time_of_day == "night" or plan.palette == "neon"):
        for pos, token in enumerate(tokens):  # the town's neon signboards draw them
            if token in ("sign", "signs", "signboard", "signboards", "billboard", "billboards"):
                labels[pos] = "neon signboards"
    return replace(
        plan,
        not_drawn=_not_drawn(sourced, hits, plan, labels),
        # A spoken line's speaking word is heard: the soundtrack says the line in a voice.
        drawn=_drawn(sourced, hits, plan, labels)
        + tuple(dict.fromkeys((line.verb, "spoken line, heard") for line in spoken_lines(prompt))),
    )


# Rooms whose wall has a window painted on it (``builtin_rooms.LOOKS``), and the kitchen's.
_WINDOWED_ROOMS = frozenset({"office", "bedroom", "living room"})
_WINDOW_WORDS = frozenset({"window", "windows", "windowsill"})


def _painted_windows(tokens: list[str], plan: ScenePlan) -> set[int]:
    """Positions of "window" words the room's own painted window draws: "by the window" in a
    living room is that window, not a second one standing on the floor."""
    painted = plan.setting == "kitchen" or (
        plan.setting == "room" and plan.room[:1] and plan.room[0] in _WINDOWED_ROOMS
    )
    if not painted:
        return set()
    return {pos for pos, token in enumerate(tokens) if token in _WINDOW_WORDS}


# Words before a garment that put it on someone: "a man in a suit", "wearing a red hat".
_WEAR_CUES = frozenset({"in", "wearing", "wears", "wore", "dressed", "sporting", "with"})
_WEAR_VERBS = frozenset({"wearing", "wears", "wore", "dressed", "sporting"})
MAX_WORN = 3


def _worn(tokens: list[str], subjects: tuple[str, ...]) -> list[tuple[int, int, str]]:
    """Garments the prompt puts on its person: (start, end, phrase), the phrase being the
    garment with its colour word. The words between the cue and the garment ("wearing shining
    armor", "in a long black coat") go with it; a cue verb is its own entry, naming it."""
    if "person" not in subjects:
        return []
    found: list[tuple[int, int, str]] = []
    pos = 0
    while pos < len(tokens) and len(found) < MAX_WORN:
        size = next(
            (n for n in (2, 1) if pos + n <= len(tokens) and " ".join(tokens[pos : pos + n])
             in GARMENTS),
            0,
        )  # fmt: skip
        cue = next((p for p in range(pos - 1, max(-1, pos - 5), -1) if tokens[p] in _WEAR_CUES), -1)
        if not size or cue < 0:
            pos += 1
            continue
        color = tokens[pos - 1] if tokens[pos - 1] in vocab.COLORS else ""
        phrase = " ".join(w for w in (color, *tokens[pos : pos + size]) if w)
        start = next((p for p in range(cue + 1, pos) if tokens[p] not in vocab.STOPWORDS), pos)
        found.append((start, pos + size, phrase))
        if tokens[cue] in _WEAR_VERBS:  # "wearing" is the garment's, not someone in a turban
            found.append((cue, cue + 1, phrase))
        pos += size
    return found


# Settings whose backdrop is open water: "turquoise water" at the beach is that water.
_WATER_SETTINGS = frozenset({"beach", "underwater"})
_WATER_WORDS = frozenset({"water", "waters"})


def _painted_water(tokens: list[str], plan: ScenePlan) -> set[int]:
    """Positions of "water" words the backdrop's sea draws; "a glass of water" stays a glass."""
    if plan.setting not in _WATER_SETTINGS:
        return set()
    water = {
        pos
        for pos, token in enumerate(tokens)
        if token in _WATER_WORDS and (pos == 0 or tokens[pos - 1] != "of")
    }
    # "turquoise water" and "blue water": the sea's colour word goes with it
    return water | {pos - 1 for pos in water if pos and tokens[pos - 1] in vocab.COLORS}


def _leads_with(tokens: list[str], hits: list[_Hit], concept: str) -> bool:
    """Whether the prompt opens with ``concept``, named outright: only articles, counts, colours
    and group words come before it ("a school of fish", "two goldfish", not "a bear ... fish")."""
    if not hits or hits[0].concept != concept or hits[0].weight < 1:
        return False
    lead = (vocab.STOPWORDS, vocab.COUNT_WORDS, vocab.COLORS, GROUP_WORDS)
    return all(any(tok in words for words in lead) for tok in tokens[: hits[0].position])


# Words for the sky itself: the open sky the backdrop paints draws them.
_SKY_WORDS = frozenset({"sky", "skies"})


def _painted_sky_things(plan: ScenePlan, labels: dict[int, str]) -> ScenePlan:
    """The sun or moon the open sky already paints is that one, not a second pictogram."""
    if plan.setting in vocab.SKYLESS_SETTINGS:
        return plan
    painted = [t for t in plan.things
               if plan.time_of_day in vocab.PAINTED_SKY.get(t.icon, ())]  # fmt: skip
    if not painted:
        return plan
    for pos, label in labels.items():
        if any(label == icon_label(t.icon) for t in painted):
            labels[pos] = f"{plan.time_of_day} sky"
    kept = [t for t in plan.things if t not in painted]
    # Indices into the list move: re-point what stood on furniture after a removed thing.
    moved = {plan.things.index(t): i for i, t in enumerate(kept)}
    return replace(plan, things=tuple(replace(t, on=moved.get(t.on, -1)) for t in kept))


_TOWARD = frozenset({"to", "towards", "toward", "outside", "past", "from", "into"})


def _without_outside_rooms(tokens: list[str], hits: dict[str, list[_Hit]]) -> list[_Hit]:
    """Drop a room word that names the building seen from outside ("walking to school", a
    school in the rain) or a group ("a school of fish"). Only words that are as often the
    building as the room count."""
    outside = bool(hits["weather"])
    return [
        hit
        for hit in hits["setting"]
        if (hit.concept != "room" or not _building_from_outside(tokens, hit.position))
        and (
            hit.concept != "room"
            or tokens[hit.position] not in vocab.WEAK_SETTING_WORDS
            or not (outside or (hit.position and tokens[hit.position - 1] in _TOWARD))
            and tokens[hit.position + 1 : hit.position + 2] != ["of"]  # a school of fish
        )
    ]


def _building_from_outside(tokens: list[str], position: int) -> bool:
    """A house is a room only when the prompt goes in ("a cat inside the house"); "a haunted
    house at night" is the building, seen from the street."""
    if tokens[position] not in vocab.BUILDING_WORDS:
        return False
    before = tokens[max(0, position - 3) : position]
    return not (vocab.INSIDE_WORDS.intersection(before) or "indoors" in tokens)


def _room_word(tokens: list[str], hit: _Hit) -> str:
    return " ".join(tokens[hit.position : hit.position + hit.length])


def _room_kind(word: str) -> str:
    return next((kind for kind, words in vocab.ROOM_KINDS.items() if word in words), "")


def _room_kinds(tokens: list[str], hits: list[_Hit]) -> tuple[str, ...]:
    """The kinds of room the "room" words name, most telling first ("hospital" before "hallway");
    a room read through MiniLM alone ("waiting area") is a living room."""
    named = {_room_kind(_room_word(tokens, hit)) for hit in hits if hit.concept == "room"}
    kinds = tuple(kind for kind in vocab.ROOM_KINDS if kind in named)
    implied = (vocab.IMPLIED_ROOM_KINDS[t] for t in tokens if t in vocab.IMPLIED_ROOM_KINDS)
    return kinds or (next(implied, "living room"),)


# Rooms whose word also draws the piece of furniture that makes them (WORD_ICONS in scene_things).
_FURNISHED_ROOMS = ("living room", "bedroom")


def _furnished(tokens: list[str], hits: list[_Hit], setting: str) -> set[int]:
    """Positions of room words that also draw their furniture: a living room has a couch."""
    return {
        pos
        for hit in hits
        if setting == "room" and _room_word(tokens, hit) in _FURNISHED_ROOMS
        for pos in range(hit.position, hit.position + hit.length)
    }


def indoor_weather_heard(plan: ScenePlan) -> bool:
    """Rain, snow or wind named for a room: it stays outside. The soundtrack plays it and the
    room is drawn dry; nothing blows across the wallpaper."""
    return plan.setting in vocab.ROOMS and plan.weather in vocab.OUTDOOR_WEATHER


def _wet_night(plan: ScenePlan) -> bool:
    """Rain at night in a town: the wet street mirrors its lights."""
    return plan.weather == "rain" and plan.setting == "city" and plan.time_of_day == "night"


def _split_caption(prompt: str) -> tuple[str, str]:
    """Take the first quoted text out of the prompt as the caption; the rest is the scene.

    Spoken lines (a dog says "hi") and their speaking words are heard, not drawn, so they are
    neither the caption nor part of the scene.
    """
    prompt = _without_spoken_lines(prompt)
    match = _QUOTE_RE.search(prompt)
    if not match:
        return "", prompt
    caption = " ".join((match.group(1) or match.group(2) or "").split())
    if len(caption) > MAX_CAPTION_CHARS:
        caption = caption[: MAX_CAPTION_CHARS - 1].rstrip() + "…"
    return caption, prompt[: match.start()] + " " + prompt[match.end() :]


def _without_spoken_lines(prompt: str) -> str:
    """The prompt with each spoken quote and the word that speaks it blanked out in place."""
    chars = list(prompt)
    for line in spoken_lines(prompt):
        start, end = line.span
        chars[start:end] = " " * (end - start)
        verbs = list(re.finditer(rf"\b{re.escape(line.verb)}\b", prompt[:start], re.IGNORECASE))
        if verbs:
            chars[verbs[-1].start() : verbs[-1].end()] = " " * len(verbs[-1].group())
    return "".join(chars)


def _sourced_tokens(text: str) -> list[tuple[str, str]]:
    """Lower-case words, with each emoji replaced by the words of its Unicode name; each word
    comes with what the person typed for it: the word itself, or the emoji it names."""
    out: list[tuple[str, str]] = []
    plain: list[str] = []

    def flush() -> None:
        words = _TOKEN_RE.findall("".join(plain).replace("'s", ""))
        out.extend((word, word) for word in words)
        plain.clear()

    for char in unicodedata.normalize("NFKC", text):
        if unicodedata.category(char) in ("So", "Sk"):
            flush()
            words = _TOKEN_RE.findall(unicodedata.name(char, "").lower())
            out.extend((word, char) for word in words)
        else:
            plain.append(char.lower())
    flush()
    return out


def _exact_hits(tokens: list[str], table: dict[str, tuple[str, ...]]) -> list[_Hit]:
    index = _positions(tokens)
    hits: list[_Hit] = []
    for concept, words in table.items():
        for word in words:
            length = len(word.split())
            hits.extend(
                _Hit(pos, concept, length=length) for pos in _phrase_positions(tokens, word, index)
            )
    # A phrase's words are the phrase's: "hot air balloon" is one balloon, not two.
    inside = {pos for hit in hits for pos in range(hit.position, hit.position + hit.length)
              if hit.length > 1}  # fmt: skip
    hits = [hit for hit in hits if hit.length > 1 or hit.position not in inside]
    return sorted(hits, key=lambda hit: (hit.position, hit.concept))


def _positions(tokens: list[str]) -> dict[str, list[int]]:
    index: dict[str, list[int]] = {}
    for position, token in enumerate(tokens):
        index.setdefault(token, []).append(position)
    return index


def _phrase_positions(
    tokens: list[str], phrase: str, index: dict[str, list[int]] | None = None
) -> list[int]:
    """Where ``phrase`` starts in ``tokens``; looks only where its first word occurs."""
    words = phrase.split()
    starts = (index or _positions(tokens)).get(words[0], [])
    return [i for i in starts if tokens[i : i + len(words)] == words]


@cache
def _known_words() -> frozenset[str]:
    """Every word some rule already reads; only the rest goes to MiniLM."""
    phrases = list(_anchor_table()[1])
    phrases += [word for words in vocab.PALETTES.values() for word in words]
    phrases += [word for _, words in vocab.MOODS.values() for word in words]
    phrases += [phrase for phrase, _ in vocab.CAMERA_PHRASES]
    known = {word for phrase in phrases for word in phrase.split()}
    known.update(vocab.COUNT_WORDS, vocab.SLOWER_WORDS, vocab.FASTER_WORDS, vocab.STOPWORDS)
    known.update(vocab.COLORS)
    return frozenset(known)


@cache
def _anchor_table() -> tuple[list[tuple[str, str]], list[str]]:
    """(category, concept) for each anchor word, and the anchor words, in the same order."""
    labels: list[tuple[str, str]] = []
    words: list[str] = []
    for category, table in _FUZZY_CATEGORIES.items():
        for concept, anchors in table.items():
            labels.extend((category, concept) for _ in anchors)
            words.extend(anchors)
    return labels, words


def warm() -> None:
    """Embed the vocabulary's anchor words now (about half a second), not in the first plan."""
    _anchor_vectors()


@cache
def _anchor_vectors() -> Any:
    return embeddings.embed_texts(_anchor_table()[1])


@lru_cache(maxsize=4096)
def _word_vector(word: str) -> Any:
    # One word per call: batching pads inputs, which can move a borderline score across the
    # threshold depending on the other words in the prompt.
    return embeddings.embed_texts([word])[0]


def _fuzzy_candidates(tokens: list[str]) -> list[tuple[int, str]]:
    known = _known_words()
    return [
        (pos, tok)
        for pos, tok in enumerate(tokens)
        if tok not in known and tok.isalpha() and tok.isascii() and 3 <= len(tok) <= 24
    ]


def _fuzzy_hits(tokens: list[str], hits: dict[str, list[_Hit]]) -> tuple[tuple[str, str], ...]:
    """Add MiniLM matches for unknown words to ``hits``; return what was read and as what."""
    candidates = _fuzzy_candidates(tokens)
    if not candidates:
        return ()
    try:
        anchors = _anchor_vectors()
        vectors = [_word_vector(tok) for _, tok in candidates]
    except (ImportError, OSError, RuntimeError) as exc:
        # The plan must not fail because the model is missing; exact words still work.
        logger.warning("MiniLM unavailable, reading the prompt by exact words only: %s", exc)
        return ()
    labels = _anchor_table()[0]
    interpreted: list[tuple[str, str]] = []
    for (pos, tok), vector in zip(candidates, vectors, strict=True):
        scores = anchors @ vector
        best = int(scores.argmax())
        if float(scores[best]) >= FUZZY_THRESHOLD:
            category, concept = labels[best]
            if category == "setting" and (
                names_an_object(tok) or WORD_ICONS.get(tok) or lemma(tok) in VERBS
            ):
                continue  # a banana, or eating, is not a hint that this is a kitchen
            if category == "weather" and WORD_ICONS.get(tok):
                continue  # a glass of water, or a splash, is not rain
            hits[category].append(_Hit(pos, concept, weight=0.75))
            interpreted.append((tok, concept))
    for name in hits:
        hits[name].sort(key=lambda hit: (hit.position, hit.concept))
    return tuple(interpreted)


def _best_by_weight(hits: list[_Hit]) -> str | None:
    """Concept with the largest total weight; ties go to the one named first."""
    totals: dict[str, float] = {}
    first: dict[str, int] = {}
    for hit in hits:
        totals[hit.concept] = totals.get(hit.concept, 0.0) + hit.weight
        first.setdefault(hit.concept, hit.position)
    if not totals:
        return None
    return min(totals, key=lambda concept: (-totals[concept], first[concept]))


def _pick_setting(hits: list[_Hit]) -> str:
    return _best_by_weight(hits) or vocab.DEFAULT_SETTING


def _weighted(tokens: list[str], hits: list[_Hit], weak: frozenset[str]) -> list[_Hit]:
    """Halve the weight of words that only hint at a concept ("snowy" forest, "party")."""
    return [
        _Hit(hit.position, hit.concept, hit.weight * (0.5 if tokens[hit.position] in weak else 1))
        for hit in hits
    ]


def _pick_subjects(
    tokens: list[str], hits: list[_Hit], setting: str
) -> tuple[tuple[str, ...], tuple[str, ...], list[int]]:
    """Subjects in the order named, repeated for plurals, each with its colour word if any,
    and the position of the word each came from (-1 for a setting's default subject)."""
    subjects: list[str] = []
    colors: list[str] = []
    origins: list[int] = []
    previous: _Hit | None = None
    for hit in hits:
        if previous and previous.concept == hit.concept and hit.position == previous.position + 1:
            continue  # "kitty cat" and "puppy dog" are one animal
        previous = hit
        count = _count_at(tokens, hit.position)
        subjects.extend([hit.concept] * count)
        colors.extend([_color_at(tokens, hit.position)] * count)
        origins.extend([hit.position] * count)
    if not subjects:
        defaults = vocab.DEFAULT_SUBJECTS[setting]
        return defaults, ("",) * len(defaults), [-1] * len(defaults)
    keep = vocab.MAX_SUBJECTS
    return tuple(subjects[:keep]), tuple(colors[:keep]), origins[:keep]


def _color_at(tokens: list[str], position: int) -> str:
    for back in (1, 2):
        if position - back >= 0 and tokens[position - back] in vocab.COLORS:
            return tokens[position - back]
    return ""


def _count_at(tokens: list[str], position: int) -> int:
    """How many of a subject the words around it ask for: "two dogs", "puppies" -> 2."""
    for back in (1, 2):
        if position - back >= 0 and tokens[position - back] in vocab.COUNT_WORDS:
            return vocab.COUNT_WORDS[tokens[position - back]]
    if position >= 2 and tokens[position - 1] == "of" and tokens[position - 2] in GROUP_WORDS:
        return GROUP_WORDS[tokens[position - 2]]  # "a school of fish", "a flock of birds"
    return 2 if tokens[position] in vocab.PLURAL_WORDS else 1


# Words before an action word that make it a noun: "a wave", "the huge wave", "its bounce".
_NOUN_MARKERS = frozenset(
    {"a", "an", "the", "big", "huge", "giant", "massive", "small", "perfect", "tall", "its",
     "his", "her", "their", "crashing", "rolling", "breaking", "ocean", "sea"}
)  # fmt: skip


def _is_noun(tokens: list[str], position: int) -> bool:
    """Whether an action word is a noun here: "a big wave", or the end of a thing's name
    ("a lemonade stand", "a fruit stand")."""
    if position > 0 and f"{tokens[position - 1]} {tokens[position]}" in WORD_ICONS:
        return True
    return (
        tokens[position] in ("wave", "waves")
        and position > 0
        and (tokens[position - 1] in _NOUN_MARKERS)
    )


def _pick_action(tokens: list[str], hits: list[_Hit], subjects: tuple[str, ...]) -> str:
    # "wave" is also a noun ("a big wave"), so any other action word wins over that word, and
    # a word the vocabulary names wins over one read only by meaning.
    strong = [hit for hit in hits if tokens[hit.position] != "wave"]
    if strong or hits:
        return max(strong or hits[:1], key=lambda hit: hit.weight >= 1).concept
    return vocab.NATURAL_ACTIONS[subjects[0]]


def _pick_time(hits: list[_Hit], setting: str) -> str:
    picked = _best_by_weight(hits)
    if picked:
        return picked
    return {"space": "night", "stage": "night"}.get(setting, "day")


def _pick_palette(tokens: list[str], setting: str, time_of_day: str) -> str:
    index = _positions(tokens)
    for concept, words in vocab.PALETTES.items():
        if any(_phrase_positions(tokens, word, index) for word in words):
            return concept
    if setting in ("city", "stage") and time_of_day == "night":
        return "neon"
    return "natural"


def _pick_weather(hits: list[_Hit], setting: str, time_of_day: str) -> str:
    picked = _best_by_weight(hits)
    if picked:
        return picked
    defaults = {"space": "stars", "underwater": "bubbles", "snow": "snow", "stage": "confetti"}
    if setting in defaults:
        return defaults[setting]
    if setting in vocab.ROOMS:
        return "none"  # indoors, the night is in the window
    if time_of_day == "night":
        return "fireflies" if setting in ("forest", "meadow") else "stars"
    return "none"


def _pick_camera(tokens: list[str], action: str) -> str:
    index = _positions(tokens)
    found: list[tuple[int, int, str]] = []  # (where, which phrase, camera): earliest wins
    for order, (phrase, camera) in enumerate(vocab.CAMERA_PHRASES):
        found.extend((pos, order, camera) for pos in _phrase_positions(tokens, phrase, index))
    if found:
        return min(found)[2]
    defaults = {"walk": "pan", "run": "pan", "fly": "pan", "dance": "orbit", "float": "zoom in"}
    return defaults.get(action, "static")


def _pick_mood(tokens: list[str]) -> tuple[str, float | None]:
    for token in tokens:
        for mood, (energy, words) in vocab.MOODS.items():
            if token in words:
                return mood, energy
    return vocab.DEFAULT_MOOD, None


def _energy(tokens: list[str], action: str, mood_energy: float | None) -> float:
    energy = vocab.ACTION_ENERGY[action]
    if mood_energy is not None:
        energy = (energy + mood_energy) / 2
    words = set(tokens)
    if words & vocab.SLOWER_WORDS:
        energy -= 0.25
    if words & vocab.FASTER_WORDS:
        energy += 0.25
    return round(min(1.0, max(0.05, energy)), 2)


def _not_drawn(
    sourced: list[tuple[str, str]],
    hits: dict[str, list[_Hit]],
    plan: ScenePlan,
    extra: dict[int, str],
) -> tuple[str, ...]:
    """What the person typed that no part of the plan came from, in the order typed.

    Stop words don't count. A word matched to a concept the plan didn't pick ("forest" when
    the beach won, a fourth subject) counts as not drawn: it is missing from the video.
    """
    tokens = [token for token, _ in sourced]
    used = _used_positions(tokens, hits, plan) | set(extra)
    drawn_sources = {source for pos, (_, source) in enumerate(sourced) if pos in used}
    missing: list[str] = []
    for pos, (token, source) in enumerate(sourced):
        if pos in used or source in drawn_sources or source in missing:
            continue
        if token in vocab.STOPWORDS or token.isdigit() or _is_modifier(source):
            continue
        missing.append(source)
    return tuple(missing)


def _is_modifier(source: str) -> bool:
    # Skin-tone and other modifier symbols only change the emoji before them.
    return len(source) == 1 and unicodedata.category(source) == "Sk"


def _used_positions(tokens: list[str], hits: dict[str, list[_Hit]], plan: ScenePlan) -> set[int]:
    """Positions of the words that set something the renderer draws or how it moves."""
    picked = {
        "setting": {plan.setting},
        "subject": set(plan.subjects),
        "weather": {plan.weather},
        "action": {plan.action},
        "time": {plan.time_of_day},
    }
    used = {pos for name, found in hits.items() for hit in found if hit.concept in picked[name]
            for pos in range(hit.position, hit.position + hit.length)}  # fmt: skip
    index = _positions(tokens)
    phrases = [p for p, camera in vocab.CAMERA_PHRASES if camera == plan.camera]
    phrases += list(vocab.PALETTES.get(plan.palette, ()))
    for phrase in phrases:
        for start in _phrase_positions(tokens, phrase, index):
            used.update(range(start, start + len(phrase.split())))
    subjects = {hit.position for hit in hits["subject"] if hit.position in used}
    mood_words = vocab.MOODS[plan.mood][1]
    for pos, token in enumerate(tokens):
        near_subject = bool(subjects & {pos + 1, pos + 2})
        if (
            token in mood_words
            or token in vocab.SLOWER_WORDS
            or token in vocab.FASTER_WORDS
            or (token in vocab.COLORS and token in plan.colors and near_subject)
            or (token in vocab.COUNT_WORDS and near_subject)
            or (_group_of(tokens, pos) and pos + 2 in subjects)
        ):
            used.add(pos)
    return used


def _group_of(tokens: list[str], pos: int) -> bool:
    """Whether the word at ``pos`` counts what follows it: "a *school* of fish"."""
    return tokens[pos] in GROUP_WORDS and tokens[pos + 1 : pos + 2] == ["of"]


# What each part of the plan is called in ``drawn``, by the hit category that set it.
_DRAWN_AS = {
    "subject": "{} sprite",
    "setting": "{} scene",
    "weather": "{} weather",
    "time": "{} sky",
    "action": "{} motion",
}


def _drawn(
    sourced: list[tuple[str, str]],
    hits: dict[str, list[_Hit]],
    plan: ScenePlan,
    extra: dict[int, str],
) -> tuple[tuple[str, str], ...]:
    """Each word or phrase of the prompt that part of the plan came from, with what drew it.

    The words are the ones ``_not_drawn`` counts as used, so every concrete word of the prompt
    is in exactly one of the two lists. Neither list holds ``vocab.STOPWORDS`` (articles,
    prepositions, "video", "style", size words), bare digits, emoji modifiers or spoken lines
    (they are heard, not drawn; ``plan_scene`` lists each speaking word as heard). Neighbouring
    words drawn by the same thing make one phrase ("zoom in", "kitty cat"); an emoji is one
    entry however many words its name has. A caption is drawn as text.
    """
    tokens = [token for token, _ in sourced]
    labels = _drawn_labels(tokens, hits, plan)
    for pos, label in extra.items():
        if pos not in labels:
            labels[pos] = label
        elif label not in labels[pos].split(", "):
            labels[pos] = f"{label}, {labels[pos]}"
    pairs: list[tuple[str, str]] = []
    previous = (-2, "", "")  # position, source, label
    for pos in sorted(_used_positions(tokens, hits, plan) | set(extra)):
        token, source = sourced[pos]
        label = labels.get(pos, "scene")
        emoji = source != token
        if (
            pos == previous[0] + 1
            and pairs
            and ((emoji and source == previous[1]) or (not emoji and label == previous[2]))
        ):
            word, what = pairs.pop()
            word = word if emoji else f"{word} {source}"
            what = ", ".join(dict.fromkeys(what.split(", ") + label.split(", ")))
            pairs.append((word, what))
        else:
            pairs.append((source, label))
        previous = (pos, source, label)
    if plan.caption:
        pairs.append((plan.caption, "caption text"))
    return tuple(dict.fromkeys(pairs))


def _drawn_labels(
    tokens: list[str], hits: dict[str, list[_Hit]], plan: ScenePlan
) -> dict[int, str]:
    """Position -> what drew the word there, for the kinds of words ``_used_positions`` uses."""
    picked = {
        "subject": set(plan.subjects),
        "setting": {plan.setting},
        "weather": {plan.weather},
        "time": {plan.time_of_day},
        "action": {plan.action},
    }
    found: dict[int, list[str]] = {}
    for name, form in _DRAWN_AS.items():
        for hit in hits[name]:
            if hit.concept in picked[name]:
                concept = hit.concept
                if name == "setting" and concept == "room":  # "hallway scene", not "room scene"
                    concept = _room_kind(_room_word(tokens, hit)) or plan.room[0]
                if name == "weather" and indoor_weather_heard(plan):
                    form = "{}, heard outside the window"
                for pos in range(hit.position, hit.position + hit.length):
                    found.setdefault(pos, []).append(form.format(concept))
    index = _positions(tokens)
    phrases = [(p, f"{plan.camera} camera") for p, c in vocab.CAMERA_PHRASES if c == plan.camera]
    phrases += [(p, f"{plan.palette} colours") for p in vocab.PALETTES.get(plan.palette, ())]
    for phrase, label in phrases:
        for start in _phrase_positions(tokens, phrase, index):
            for pos in range(start, start + len(phrase.split())):
                found.setdefault(pos, []).append(label)
    for pos, token in enumerate(tokens):
        if token in vocab.MOODS[plan.mood][1]:
            found.setdefault(pos, []).append(f"{plan.mood} mood")
        elif token in vocab.SLOWER_WORDS or token in vocab.FASTER_WORDS:
            found.setdefault(pos, []).append("pace")
        elif token in vocab.COLORS and token in plan.colors:
            found.setdefault(pos, []).append(f"{token} colour")
        elif token in vocab.COUNT_WORDS or _group_of(tokens, pos):
            found.setdefault(pos, []).append("count")
    return {pos: ", ".join(dict.fromkeys(labels)) for pos, labels in found.items()}
