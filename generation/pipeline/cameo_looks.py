"""A cameo owner's instructions read as what their cameo person wears and holds.

"Always wearing a red hat", "in a blue jacket" and "holding a coffee cup" become ``Wearable``
and ``Held`` items that the built-in renderer draws on the cameo person in every video. Each
instruction lands in exactly one of three lists, which the job page names:

- **drawn**: something worn or held that the renderer draws;
- **not drawn**: how the person should look that the renderer cannot show ("always smiling
  shyly", "with freckles": the face is the cameo's own picture);
- **not for drawing**: rules about what a video may do ("never make me look silly"), which
  are for the cameo's restrictions, not for the picture. A negated item ("never in a hat") is
  one of these too: nothing is drawn for it.

The pipeline knows no Django app: the instructions arrive as plain text on ``CameoImage``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from generation.pipeline.base import CameoImage
from generation.pipeline.scene_things import icon_for
from generation.pipeline.scene_vocab import COLORS


@dataclass(frozen=True)
class Wearable:
    """Something worn: ``slot`` says where ("head", "eyes", "neck", "torso", "legs", "feet")."""

    slot: str
    style: str  # "hat", "cap", "beanie", "top hat", "crown", "glasses", "scarf", "jacket", …
    color: str  # "#rrggbb"
    label: str  # how the job page names it: "red hat"


@dataclass(frozen=True)
class Held:
    """Something in the cameo person's hand, drawn by its pictogram."""

    icon: str
    label: str  # "coffee cup"


Item = Wearable | Held


@dataclass(frozen=True)
class CameoLook:
    """What one cameo's instructions add to its person, and what they could not add."""

    items: tuple[Item, ...] = ()
    not_drawn: tuple[str, ...] = ()  # instructions as written, that the renderer cannot show
    not_for_drawing: tuple[str, ...] = ()  # rules about videos, not about looks

    @property
    def drawn(self) -> tuple[str, ...]:
        return tuple(item.label for item in self.items)

    def sentence(self, who: str) -> str:
        """The job page's line: "From @alice's cameo instructions: drawn red hat; not drawn: …"."""
        parts = []
        if self.items:
            parts.append("drawn " + ", ".join(self.drawn))
        if self.not_drawn:
            parts.append("not drawn: " + ", ".join(f"“{text}”" for text in self.not_drawn))
        if self.not_for_drawing:
            rules = ", ".join(f"“{text}”" for text in self.not_for_drawing)
            parts.append(f"not something the renderer draws: {rules}")
        return f"From {who}'s cameo instructions: " + "; ".join(parts) + "."

    def as_dict(self, who: str) -> dict[str, object]:
        return {
            "cameo": who,
            "drawn": list(self.drawn),
            "not_drawn": list(self.not_drawn),
            "not_for_drawing": list(self.not_for_drawing),
        }


# (style, slot, colour when the instruction names none); a style of None draws nothing.
GARMENTS: dict[str, tuple[str, str, str | None]] = {
    "cowboy hat": ("hat", "head", "#8a5a32"),
    "sun hat": ("hat", "head", "#e8d49a"),
    "top hat": ("top hat", "head", "#262428"),
    "baseball cap": ("cap", "head", None),
    "hat": ("hat", "head", None),
    "cap": ("cap", "head", None),
    "beanie": ("beanie", "head", None),
    "bobble hat": ("beanie", "head", None),
    "woolly hat": ("beanie", "head", None),
    "crown": ("crown", "head", "#e8b23a"),
    "tiara": ("crown", "head", "#c0c4cc"),
    "sunglasses": ("sunglasses", "eyes", "#1a1a1e"),
    "shades": ("sunglasses", "eyes", "#1a1a1e"),
    "glasses": ("glasses", "eyes", "#262428"),
    "spectacles": ("glasses", "eyes", "#262428"),
    "scarf": ("scarf", "neck", None),
    "bow tie": ("bow tie", "neck", None),
    "necktie": ("tie", "neck", None),
    "tie": ("tie", "neck", None),
    "jacket": ("jacket", "torso", None),
    "coat": ("coat", "torso", None),
    "raincoat": ("raincoat", "torso", "#f5d21f"),
    "lab coat": ("lab coat", "torso", "#f4f4f0"),
    "suit": ("suit", "torso", "#3a3a44"),
    "tuxedo": ("tuxedo", "torso", "#262428"),
    "shirt": ("shirt", "torso", None),
    "t-shirt": ("t-shirt", "torso", None),
    "tshirt": ("t-shirt", "torso", None),
    "tee": ("t-shirt", "torso", None),
    "top": ("top", "torso", None),
    "blouse": ("blouse", "torso", None),
    "hoodie": ("hoodie", "torso", None),
    "sweater": ("sweater", "torso", None),
    "jumper": ("jumper", "torso", None),
    "cardigan": ("cardigan", "torso", None),
    "dress": ("dress", "torso", None),
    "vest": ("vest", "torso", None),
    "uniform": ("uniform", "torso", None),
    "jersey": ("jersey", "torso", None),
    "apron": ("apron", "torso", "#f4f4f0"),
    "armor": ("armor", "torso", "#a8b0b8"),
    "armour": ("armor", "torso", "#a8b0b8"),
    "cape": ("cape", "torso", "#b02a3a"),
    "robe": ("robe", "torso", None),
    "gown": ("gown", "torso", None),
    "kimono": ("kimono", "torso", None),
    "pajamas": ("pajamas", "torso", "#8fb0e0"),
    "pyjamas": ("pajamas", "torso", "#8fb0e0"),
    "overalls": ("overalls", "torso", "#3a5a9a"),
    "swimsuit": ("swimsuit", "torso", None),
    "jeans": ("jeans", "legs", "#3a5a9a"),
    "trousers": ("trousers", "legs", None),
    "pants": ("trousers", "legs", None),
    "shorts": ("shorts", "legs", None),
    "skirt": ("skirt", "legs", None),
    "leggings": ("leggings", "legs", None),
    "shoes": ("shoes", "feet", None),
    "boots": ("boots", "feet", None),
    "sneakers": ("sneakers", "feet", None),
    "trainers": ("trainers", "feet", None),
}


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Colour words beyond the planner's own, as the owner might write them.
EXTRA_COLORS: dict[str, str] = {
    "gold": "#e8b23a",
    "navy": "#1f2f66",
    "navy blue": "#1f2f66",
    "dark blue": "#1f3f99",
    "light blue": "#7ab0f0",
    "sky blue": "#7ab0f0",
    "dark green": "#2a6a34",
    "maroon": "#7a1f2a",
    "beige": "#d8c8a0",
    "teal": "#2a9a9a",
    "violet": "#8a4fd8",
    "crimson": "#c0202a",
    "cream": "#f0e8d0",
}
# Words that make an instruction a rule about videos rather than a look.
RULE_WORDS = _words(
    "never not no don't dont do not avoid without nothing nobody only must mustn't should "
    "shouldn't can't cannot won't keep make makes allow allowed let please stop"
)
# Parts of the person the cameo's own picture shows: the renderer never redraws them.
FACE_WORDS = _words(
    "hair beard moustache mustache eyes face freckles skin smile smiling smiles grin "
    "grinning makeup lipstick tattoo tattoos teeth expression"
)
HOLD_VERBS = ("holding", "holds", "hold", "carrying", "carries", "carry", "clutching", "with")
WEAR_VERBS = ("wearing", "wears", "wear", "dressed in", "in")
# Held words the general lookup reads wrongly ("coffee cup" is not a cup with a straw).
HELD_WORDS: dict[str, str] = {
    "coffee cup": "hot-beverage",
    "cup of coffee": "hot-beverage",
    "coffee": "hot-beverage",
    "mug": "hot-beverage",
    "cup of tea": "hot-beverage",
    "tea": "hot-beverage",
}
FILLER = _words("a an the my his her their some always usually every video videos")
MAX_HELD = 1  # one hand holds; a second held thing is named as not drawn
_SPLIT_SENTENCES = re.compile(r"[\n.;!?]+")
_SPLIT_PARTS = re.compile(r",|\band\b|\bplus\b")
_WORD = re.compile(r"[a-z][a-z'-]*")


def read_instructions(text: str) -> CameoLook:
    """Read an owner's instructions; every instruction lands in exactly one of three lists."""
    items: list[Item] = []
    not_drawn: list[str] = []
    rules: list[str] = []
    for sentence in _SPLIT_SENTENCES.split(text):
        verb = ""
        for raw in _SPLIT_PARTS.split(sentence):
            part = " ".join(raw.split())
            if not _WORD.search(part.lower()):
                continue
            verb = _verb(part.lower()) or verb
            found, kind = _read_part(part.lower(), verb, items)
            if kind == "drawn":
                items.extend(found)
            elif kind == "rule":
                rules.append(part)
            else:
                not_drawn.append(part)
    return CameoLook(items=tuple(items), not_drawn=tuple(not_drawn), not_for_drawing=tuple(rules))


def _read_part(part: str, verb: str, items: list[Item]) -> tuple[list[Item], str]:
    words = _WORD.findall(part)
    if _is_rule(part, words):
        return [], "rule"
    if FACE_WORDS.intersection(words):
        return [], "not drawn"
    worn = _worn(words)
    if worn:
        taken = {i.slot for i in items if isinstance(i, Wearable)}
        return ([worn], "drawn") if worn.slot not in taken else ([], "not drawn")
    if verb in HOLD_VERBS:
        held = _held(words)
        room = sum(isinstance(i, Held) for i in items) < MAX_HELD
        if held and room:
            return [held], "drawn"
    return [], "not drawn"


def _is_rule(part: str, words: list[str]) -> bool:
    return bool(RULE_WORDS.intersection(words)) or "do not" in part or "n't" in part


def _verb(part: str) -> str:
    """The first wear or hold verb of a part, so "holding a cup and a book" holds both."""
    padded = f" {part} "
    found = [(padded.find(f" {v} "), v) for v in (*HOLD_VERBS, *WEAR_VERBS) if f" {v} " in padded]
    return min(found)[1] if found else ""


def _worn(words: list[str]) -> Wearable | None:
    """The garment the words name, longest name first, with the colour before it."""
    for size in (2, 1):
        for i in range(len(words) - size + 1):
            name = " ".join(words[i : i + size])
            if name not in GARMENTS:
                continue
            style, slot, default = GARMENTS[name]
            color_name, color = _color(words[max(0, i - 3) : i])
            hex_color = color or default
            if hex_color is None:
                return None  # "a jacket": the person wears one already; nothing to change
            label = " ".join(w for w in (color_name, name) if w)
            return Wearable(slot=slot, style=style, color=hex_color, label=label)
    return None


# A garment the prompt names with no colour ("a man in a hat") is drawn in this one.
PROMPT_GARMENT_COLOR = "#4a4a58"


def prompt_look(phrases: Sequence[str]) -> CameoLook:
    """What a prompt dresses its person in ("a man in a suit", "a girl wearing a red hat"):
    ``phrases`` are ``ScenePlan.worn``, each a garment name with its colour word if any."""
    items: list[Item] = []
    for phrase in phrases:
        words = phrase.split()
        worn = _worn(words)
        name = next((n for n in (" ".join(words[-2:]), words[-1]) if n in GARMENTS), "")
        if worn is None and name:
            style, slot, default = GARMENTS[name]
            worn = Wearable(slot, style, default or PROMPT_GARMENT_COLOR, phrase)
        if worn is not None and worn.slot not in {i.slot for i in items if isinstance(i, Wearable)}:
            items.append(worn)
    return CameoLook(items=tuple(items))


def _color(words: list[str]) -> tuple[str, str | None]:
    """The last colour named in ``words`` (two-word colours first) and its hex value."""
    for i in range(len(words) - 1, -1, -1):
        pair = " ".join(words[i - 1 : i + 1]) if i else ""
        if pair in EXTRA_COLORS:
            return pair, EXTRA_COLORS[pair]
        word = words[i]
        if word in COLORS or word in EXTRA_COLORS:
            return word, COLORS.get(word) or EXTRA_COLORS[word]
    return "", None


def _held(words: list[str]) -> Held | None:
    """The pictogram for what follows the hold verb ("a coffee cup" -> hot beverage)."""
    start = next((i + 1 for i, w in enumerate(words) if w in HOLD_VERBS), 0)
    rest = [w for w in words[start:] if w not in FILLER and w not in ("in", "hand", "hands")]
    if not rest:
        return None
    phrase = " ".join(rest)
    icon = HELD_WORDS.get(phrase) or icon_for(phrase)
    return Held(icon=icon, label=phrase) if icon else None


def cameo_looks_record(
    cameos: Sequence[CameoImage], looks: Sequence[CameoLook]
) -> tuple[dict[str, list[dict[str, object]]], list[str]]:
    """The plan's "cameo_looks" entry and the job page's sentences: for each cameo with
    instructions, what became of each one."""
    record, sentences = [], []
    for cameo, look in zip(cameos, looks, strict=True):
        if cameo.instructions.strip():
            who = f"@{cameo.handle}" if cameo.handle else cameo.name
            record.append(look.as_dict(who))
            sentences.append(look.sentence(who))
    return ({"cameo_looks": record} if record else {}), sentences
