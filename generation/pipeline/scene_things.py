"""What a prompt names beyond the hand-drawn subjects: pictogram things, what they do, and to whom.

``plan_scene`` reads settings, subjects, weather and actions from ``scene_vocab``. Everything
else a person names ("astronauts", "a surfboard", "chess", "a cup off a table") is looked up
here among the pictograms and becomes a ``Thing``:

- its **role** comes from the pictogram's kind (an animal or a person acts, a building stands
  in the background, the sun goes in the sky, a cup is a prop, a bed is furniture);
- its **count** from the words around it ("two astronauts", "a herd of cows", "apples");
- its **relation** from the verb that takes it ("surfing" puts the actor on a board, "holding"
  puts it in their hand, "playing chess" puts the board between the players, "knocking a cup
  off a table" makes it fall) and the actor is the one named before that verb.

At most ``MAX_DRAWN`` subjects and things are drawn; later ones are listed as not drawn.
Each word this module draws comes back with what drew it, for the plan's ``drawn`` list.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace

from generation.pipeline import pictograms
from generation.pipeline import scene_vocab as vocab

logger = logging.getLogger(__name__)

MAX_DRAWN = 8  # subjects and things together: more than this is clutter, not a scene
# Shapes the renderer draws itself because the pictogram set has none ("shape-table").
SHAPE_PREFIX = "shape-"
# Words whose pictogram the general matcher gets wrong or misses; None: nothing draws it.
WORD_ICONS: dict[str, str | None] = {
    "table": "shape-table",
    "tables": "shape-table",
    "picnic table": "shape-table",
    "kitchen table": "shape-table",
    "dining table": "shape-table",
    "bedside table": "shape-table",
    "nightstand": "shape-table",
    "counter": "shape-table",
    "desk": "shape-desk",
    "bench": "shape-bench",
    "park bench": "shape-bench",
    "shelf": "shape-shelf",
    "shelves": "shape-shelf",
    "bookshelf": "shape-shelf",
    "surfboard": "shape-surfboard",
    "board": "shape-surfboard",
    "fence": "shape-fence",
    "rug": "shape-rug",
    "carpet": "shape-rug",
    "mat": "shape-rug",
    "yoga mat": "shape-rug",
    # The emoji set tags the insect "fly" with "plane".
    "plane": "airplane",
    "planes": "airplane",
    "aeroplane": "airplane",
    "airliner": "airplane",
    "stall": "shape-stall",
    "stalls": "shape-stall",
    "lemonade stand": "shape-stall",
    "fruit stand": "shape-stall",
    "food stand": "shape-stall",
    "market stall": "shape-stall",
    "booth": "shape-stall",
    "kiosk": "shape-stall",
    "streetlight": "shape-lamppost",
    "streetlights": "shape-lamppost",
    "streetlamp": "shape-lamppost",
    "street lamp": "shape-lamppost",
    "lamppost": "shape-lamppost",
    "lamp post": "shape-lamppost",
    "lighthouse": "shape-lighthouse",
    "lighthouses": "shape-lighthouse",
    "hay": "shape-haybale",
    "haystack": "shape-haybale",
    "hay bale": "shape-haybale",
    "living room": "couch-and-lamp",
    "lounge": "couch-and-lamp",
    "bedroom": "bed",
    "room": None,
    "cup": "hot-beverage",
    "mug": "hot-beverage",
    "coffee": "hot-beverage",
    "latte": "hot-beverage",
    "cocoa": "hot-beverage",
    "water": "droplet",
    "lamp": "light-bulb",
    "box": "package",
    "wheat": "sheaf-of-rice",
    "smoke": "fog",
    "steam": "fog",
    "mist": "fog",
    "whistle": None,
    "frisbee": "flying-disc",
    # Instruments the set has no picture of, drawn as the nearest one it has.
    "ukulele": "guitar",
    "banjo": "guitar",
    "mandolin": "guitar",
    "vase": "amphora",
    "vases": "amphora",
    "kickflip": "skateboard",
    "sign": None,  # signs are the neon signboards of a town at night, or nothing
    "signs": None,
    "crowd": None,  # a crowd is drawn as a busy place (``busy``), not as one pictogram
    "top": None,
    "traffic": None,
    "golden hour": None,
    "tropical": None,  # a tropical island is the beach, not a cocktail
    "cabin": "hut",
    "cabins": "hut",
    "log cabin": "hut",
    # An aisle is the walk between shelves or pews, never a wedding.
    "aisle": None,
    "aisles": None,
    # A hand is the one holding something ("coffee in hand"), never a hand sign.
    "hand": None,
    # Wearing is what a person does with a garment (drawn on them), not a pictogram.
    "wearing": None,
    "wears": None,
    "hands": None,
    "splash": "sweat-droplets",
    "splashes": "sweat-droplets",
    "splashing": "sweat-droplets",
}
# "a glass of water": the glass is the thing (glass is otherwise a material, "a glass vase"),
# and what it holds is drawn by it.
GLASS_WORDS = frozenset({"glass", "glasses"})
GLASS_OF = {"milk": "glass-of-milk", "wine": "wine-glass", "champagne": "clinking-glasses"}
GLASS_ICON = "tumbler-glass"
# Words that stand for a few things together, drawn as all of them: homework is a desk with
# books and a pencil on it (furniture first; the props stand on it).
WORD_KITS: dict[str, tuple[str, ...]] = {
    "homework": ("shape-desk", "books", "pencil"),
    "schoolwork": ("shape-desk", "books", "pencil"),
    # A haunted house is the derelict one, with its ghost.
    "haunted house": ("derelict-house", "ghost"),
    "haunted mansion": ("derelict-house", "ghost"),
    "haunted castle": ("castle", "ghost"),
}
# Words that make a place busy: extra walkers and traffic in the background.
BUSY_WORDS = frozenset(
    {"busy", "crowded", "crowd", "crowds", "packed", "bustling", "rush", "hectic", "teeming"}
)
REFLECTION_WORDS = frozenset(
    {"reflection", "reflections", "reflecting", "reflect", "reflects", "reflected", "mirrored"}
)
# "a herd of cows": a group word before "of" sets the count of the thing after it.
GROUP_WORDS = {
    "herd": 4, "flock": 5, "school": 5, "pack": 4, "swarm": 6, "crowd": 6, "group": 4,
    "pile": 4, "piles": 5, "stack": 4, "bunch": 4, "lots": 4, "plenty": 4, "team": 4,
    "pair": 2, "couple": 2, "bouquet": 3, "row": 4, "rows": 5, "field": 5,
}  # fmt: skip
QUANTITY_WORDS = {"many": 4, "several": 3, "few": 3, "four": 4, "five": 5, "six": 6}
# What each verb does, by its base form: (relation, an implied thing when it names none).
# Relations are ``scene.RELATIONS``; "motion" verbs change how the actor moves (plan.action).
VERBS: dict[str, tuple[str, str]] = {
    # riding: the actor stands on a board or sits on a vehicle or animal that carries them
    "ride": ("ride", ""), "surf": ("ride", "shape-surfboard"),
    "skate": ("ride", "skateboard"), "skateboard": ("ride", "skateboard"),
    "ski": ("ride", "skis"), "sled": ("ride", "sled"), "sledge": ("ride", "sled"),
    "cycle": ("ride", "bicycle"), "bike": ("ride", "bicycle"), "pedal": ("ride", "bicycle"),
    "row": ("ride", "canoe"), "paddle": ("ride", "canoe"), "kayak": ("ride", "canoe"),
    "drive": ("ride", ""), "steer": ("ride", ""),
    # holding and using: the thing is in the actor's hand
    "hold": ("hold", ""), "carry": ("hold", ""), "bring": ("hold", ""), "grab": ("hold", ""),
    "wave": ("hold", ""), "swing": ("hold", ""), "wield": ("hold", ""), "lift": ("hold", ""),
    "read": ("hold", "books"), "write": ("hold", "pencil"), "type": ("hold", "laptop"),
    "stir": ("hold", "spoon"), "pour": ("hold", "teapot"), "cut": ("hold", "kitchen-knife"),
    "slice": ("hold", "kitchen-knife"), "chop": ("hold", "kitchen-knife"),
    "paint": ("hold", "paintbrush"), "draw": ("hold", "pencil"), "sweep": ("hold", "broom"),
    "knit": ("hold", "yarn"), "build": ("hold", "hammer"), "hammer": ("hold", "hammer"),
    "fix": ("hold", "wrench"), "repair": ("hold", "wrench"), "mix": ("hold", "spoon"),
    "cook": ("hold", "cooking"), "fry": ("hold", "cooking"), "bake": ("hold", "bread"),
    "strum": ("hold", "guitar"), "pluck": ("hold", "guitar"),
    "sing": ("hold", "microphone"), "photograph": ("hold", "camera"), "film": ("hold", "camera"),
    "call": ("hold", "mobile-phone"), "text": ("hold", "mobile-phone"),
    "listen": ("hold", "headphone"), "spray": ("hold", ""), "water": ("hold", "potted-plant"),
    "fish": ("hold", "fishing-pole"), "deliver": ("hold", "package"),
    "blow": ("hold", ""), "juggle": ("throw", ""), "learn": ("hold", ""),
    "share": ("between", ""), "feed": ("near", ""), "walk": ("near", ""),
    # pulling: the thing comes along behind the actor
    "pull": ("near", ""), "drag": ("near", ""), "tow": ("near", ""), "haul": ("near", ""),
    # playing: a game goes between the players, an instrument in the hand
    "play": ("between", ""),
    # eating and drinking: at the mouth, bite by bite
    "eat": ("eat", ""), "drink": ("eat", ""), "sip": ("eat", ""), "lick": ("eat", ""),
    "bite": ("eat", ""), "munch": ("eat", ""), "nibble": ("eat", ""), "chew": ("eat", ""),
    "steal": ("hold", ""), "catch": ("throw", ""), "fetch": ("throw", ""),
    # throwing and kicking: the thing leaves the actor and flies or rolls
    "throw": ("throw", ""), "toss": ("throw", ""), "pitch": ("throw", ""), "fling": ("throw", ""),
    "kick": ("kick", "soccer-ball"), "dribble": ("kick", "basketball"),
    "slap": ("kick", ""), "putt": ("kick", ""), "hit": ("kick", ""), "shoot": ("kick", ""),
    # knocking: the thing falls off what it stood on
    "knock": ("knock", ""), "push": ("knock", ""), "drop": ("knock", ""), "spill": ("knock", ""),
    "tip": ("knock", ""),
    # actors with actors
    "chase": ("chase", ""), "follow": ("chase", ""), "hunt": ("chase", ""),
    "pursue": ("chase", ""), "race": ("chase", ""),
    # flying a kite: it flies on a string from the actor's hand; the actor walks
    "fly": ("aloft", ""),
    "hug": ("hug", ""), "cuddle": ("hug", ""), "embrace": ("hug", ""), "kiss": ("hug", ""),
    "meet": ("hug", ""),
}  # fmt: skip
# Verbs that are also nouns or setting words; read as verbs only after an actor ("a wave"
# is water, "waving a wand" is a verb). Checked by the word before: an article means a noun.
NOUN_LIKE = frozenset(
    {"wave", "fish", "water", "film", "text", "drink", "race", "row", "type", "ski", "bike",
     "paint", "cut", "slice", "kick", "hit", "tip", "drop", "swing", "call", "surf", "play",
     "share", "lift", "skate", "kayak", "sled", "hammer", "skateboard"}
)  # fmt: skip
# What a pictogram's emojibase subgroup makes it in a scene; the rest are props.
ACTOR_GROUPS = ("person", "animal-", "transport-ground", "transport-water")
# Costume faces that go about a scene by themselves: a ghost drifts through the haunted house.
HAUNTING = frozenset({"ghost", "alien", "alien-monster", "robot", "ogre", "goblin"})
SCENERY_GROUPS = ("place-building", "place-geographic", "place-religious", "place-other")
FURNITURE = frozenset(
    {"bed", "couch-and-lamp", "chair", "toilet", "bathtub", "door", "window", "shower",
     "mirror", "elevator", "placard", "shape-table", "shape-desk", "shape-bench",
     "shape-shelf", "shape-fence", "shape-rug", "shape-stall", "shape-lamppost"}
)  # fmt: skip
SKY = frozenset(
    {"sun", "crescent-moon", "full-moon", "cloud", "rainbow", "star", "glowing-star",
     "shooting-star", "milky-way", "airplane", "helicopter", "small-airplane", "parachute",
     "flying-saucer", "satellite", "ringed-planet", "comet", "sun-behind-cloud", "fireworks",
     "sparkler", "kite", "fog", "tornado", "cloud-with-rain", "cloud-with-lightning",
     "cloud-with-snow", "cyclone", "sun-with-face", "dove"}
)  # fmt: skip
GROUND_WEATHER = frozenset({"snowman", "umbrella", "water-wave", "fire", "droplet"})
SCENERY_PLANTS = frozenset({"evergreen-tree", "deciduous-tree", "palm-tree", "cactus"})
# Drawn shapes that stand in the distance like the set's buildings.
SCENERY_SHAPES = frozenset({"shape-lighthouse"})
# Tokens that never become things: time, weather and mood words the plan already reads,
# plus words that describe rather than name.
_NEVER = frozenset(
    {"day", "night", "morning", "evening", "afternoon", "sunset", "sunrise", "dawn", "dusk",
     "light", "dark", "side", "top", "bottom", "front", "back", "end", "middle",
     "way", "time", "first", "last", "edge", "air", "solo", "art", "itself", "themselves",
     "someone", "somebody", "everyone", "everywhere", "outside", "inside", "full", "empty",
     "heavy", "tall", "long", "short", "wide", "deep", "high", "low", "hot", "warm", "cold",
     "fresh", "ripe", "wooden", "stone", "glass", "paper", "rubber", "metal", "golden",
     "grand", "opening", "show", "class", "lone", "alone", "together", "slow", "motion",
     "falling", "softly", "after", "before", "during", "against", "along", "past", "while",
     "left", "right", "open", "closed", "shut"}
)  # fmt: skip


@dataclass(frozen=True)
class Found:
    """A pictogram for the words at ``start:end`` of the prompt's tokens."""

    start: int
    end: int
    icon: str
    word: str
    count: int = 1


@dataclass
class ThingPlan:
    """What ``plan_things`` adds to a scene plan."""

    things: list[tuple[str, str, str, int, str, int, int, str, float]] = field(default_factory=list)
    labels: dict[int, str] = field(default_factory=dict)  # token position -> what drew it
    subjects: tuple[str, ...] = ()
    colors: tuple[str, ...] = ()
    busy: bool = False
    reflections: bool = False
    action: str = ""  # a new plan action when a verb says how the actors move
    # The plan's in-place action belongs to a thing, not to the subjects ("an ice cream
    # melting"): the subjects go back to their natural motion.
    motion_taken: bool = False


# Size words just before a thing's word, and how much bigger or smaller they draw it.
SIZE_WORDS: dict[str, float] = {
    **dict.fromkeys(
        ("huge", "giant", "gigantic", "enormous", "massive", "colossal", "towering", "jumbo"), 1.7
    ),
    **dict.fromkeys(("big", "large"), 1.3),
    **dict.fromkeys(("tiny", "miniature", "mini", "teeny"), 0.6),
    "small": 0.8,
}


def _size(tokens: list[str], start: int) -> float:
    """The size word among the two words before ``start`` ("a huge red balloon"), or 1."""
    before = tokens[max(0, start - 2) : max(0, start)]
    return next((SIZE_WORDS[word] for word in reversed(before) if word in SIZE_WORDS), 1.0)


def lemma(word: str) -> str:
    """The base form of a verb or plural noun, for looking it up in ``VERBS``."""
    if word in VERBS:
        return word
    for suffix, ends in (("ying", ("y",)), ("ies", ("y",)), ("ing", ("", "e")),
                         ("ed", ("", "e")), ("es", ("", "e")), ("s", ("",))):  # fmt: skip
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            stem = word[: -len(suffix)]
            for end in ends:
                if stem + end in VERBS:
                    return stem + end
            if len(stem) > 2 and stem[-1] == stem[-2] and stem[:-1] in VERBS:
                return stem[:-1]  # running -> run, chopping -> chop
    return word


def icon_for(phrase: str) -> str | None:
    """The pictogram (or renderer shape) that draws ``phrase``, or None."""
    if phrase in WORD_ICONS:
        return WORD_ICONS[phrase]
    singular = phrase[:-1] if phrase.endswith("s") and not phrase.endswith("ss") else ""
    if singular in WORD_ICONS:
        return WORD_ICONS[singular]
    match = pictograms.find(phrase)
    person = match and pictograms.subgroup(match.name).startswith("person")
    # A pictogram named by the word itself ("tractor") is never someone doing it.
    exact = match is not None and match.how == "name"
    if match is None or (_names_someone(phrase) and not person and not exact):
        # "a cyclist" is someone on a bike, not the bike: a person pictogram when one is near
        someone = _someone(phrase, SOMEONE_FLOOR if match is None else SOMEONE_OVER_THING)
        match = someone or match
    return match.name if match else None


# Endings of words that name a person by what they do ("goalkeeper", "harpist", "barista").
_AGENT_ENDINGS = ("er", "ers", "ist", "ists", "or", "ors", "ian", "ians", "eer", "eers", "ista")
# How near (MiniLM) such a word must be to some person pictogram to be drawn as that person:
# "barista"/factory worker 0.44, "goalkeeper"/guard 0.53; "river" (0.39) and "locker" stay out.
SOMEONE_FLOOR = 0.43


# A person pictogram wins over an object the word also names when it is this near: "cyclist"
# /person biking 0.78, "climber"/person climbing 0.77; "drummer" (0.49) keeps its drum.
SOMEONE_OVER_THING = 0.5


def _names_someone(word: str) -> bool:
    return " " not in word and word.endswith(_AGENT_ENDINGS)


def _someone(word: str, floor: float) -> pictograms.Match | None:
    """A person pictogram for a word that names someone by their role, or None."""
    if not _names_someone(word):
        return None
    return pictograms.nearest(word, ("person",), floor)


def role_of(icon: str) -> str:
    """Where a pictogram goes in a scene, from what kind of thing it is."""
    if icon in FURNITURE:
        return "furniture"
    if icon in SKY:
        return "sky"
    if icon in SCENERY_PLANTS or icon in SCENERY_SHAPES:
        return "scenery"
    if icon.startswith(SHAPE_PREFIX) or icon in GROUND_WEATHER:
        return "prop"
    group = pictograms.subgroup(icon)
    if group.startswith(ACTOR_GROUPS) or group in ("person-role", "person-fantasy"):
        return "actor"
    if icon in HAUNTING:
        return "actor"
    if group.startswith(SCENERY_GROUPS):
        return "scenery"
    return "prop"


def natural_action(icon: str) -> str:
    """What an actor pictogram does when the prompt names no action."""
    group = pictograms.subgroup(icon)
    if group in ("animal-bird", "animal-bug") or icon in SKY or icon in HAUNTING:
        return "fly"
    if group == "animal-marine" or group == "transport-water":
        return "float"
    if group == "transport-ground":
        return "run"
    return "walk"


def icon_label(icon: str) -> str:
    """How a drawn word is described: "surfboard shape", "chess pawn pictogram"."""
    if icon.startswith(SHAPE_PREFIX):
        return f"{icon.removeprefix(SHAPE_PREFIX)} shape"
    return f"{icon.replace('-', ' ')} pictogram"


# Subject words the hand-drawn sprites draw as themselves; any other subject word with a
# pictogram of its own ("astronaut", "penguin", "taxi") is drawn by that pictogram instead.
_SPRITE_WORDS = frozenset(
    {"person", "people", "man", "men", "woman", "women", "girl", "girls", "boy", "boys",
     "child", "children", "kid", "kids", "friend", "friends", "lady", "guy", "human", "couple",
     "student", "grandma", "grandpa", "baby", "family", "dancer", "dancers", "runner"}
)  # fmt: skip
_UPGRADE_CONCEPTS = frozenset({"person", "bird", "fish", "car", "boat", "rocket"})
_ARTICLES = frozenset({"a", "an", "the", "some", "of", "his", "her", "their", "its", "my"})
# Size words before a word that is also a verb make it a thing: "a huge wave", "a big swing".
_SIZES = frozenset(
    {"big", "huge", "giant", "massive", "enormous", "small", "tiny", "little", "tall", "great"}
)


@dataclass(eq=False)  # compared by identity: two cups are two things
class _Thing:
    icon: str
    word: str
    start: int  # token position of its word; -1 for a thing a verb implies
    end: int
    role: str
    count: int = 1
    relation: str = ""
    actor: int | _Thing | None = None  # a subject's index, or an actor thing
    on: _Thing | None = None  # the furniture it stands on
    verb: int = -1  # position of the verb that set its relation
    motion: str = ""  # an in-place action of its own (scene_vocab.IN_PLACE_ACTIONS)
    scale: float = 1.0  # a size word before it: "a huge wave", "a tiny house"


def plan_things(
    sourced: list[tuple[str, str]],
    used: set[int],
    weak: set[int],
    subject_origins: list[int],
    subjects: tuple[tuple[str, str], ...],
    action_at: tuple[int, str] = (-1, ""),
) -> ThingPlan:
    """Pictogram things for the words the base plan did not draw.

    ``used`` holds positions the base plan drew, ``weak`` those it drew only by a MiniLM guess
    (a thing may draw them better), ``subject_origins`` the position each planned subject came
    from (-1 for a default subject) and ``subjects`` the planned (kind, colour) pairs.
    ``action_at`` is the position and concept of the word that set the plan's action.
    """
    tokens = [token for token, _ in sourced]
    out = ThingPlan()
    for pos, token in enumerate(tokens):
        if token in BUSY_WORDS:
            out.busy = True
            out.labels[pos] = "busy place"
        elif token in REFLECTION_WORDS:
            out.reflections = True
            out.labels[pos] = "wet reflections"
    verbs = _verbs(tokens, used)
    upgraded = _upgradable(tokens, subject_origins, subjects) | _verb_objects(
        tokens, verbs, subject_origins
    )
    # An emoji is a thing even where it also set the place or weather (🍕 is a pizza as well
    # as a kitchen); only an emoji a hand-drawn subject draws is left to that subject.
    emoji = {pos for pos, (token, source) in enumerate(sourced) if token != source}
    emoji -= {pos for pos, (_, source) in enumerate(sourced) for origin in subject_origins
              if origin >= 0 and sourced[origin][1] == source}  # fmt: skip
    free = {pos for pos in range(len(tokens)) if pos not in used or pos in weak or pos in upgraded}
    free |= emoji
    free -= set(out.labels) | {pos for pos, _ in verbs}
    found = _nouns(sourced, free)
    # A word read only by meaning gets a pictogram only for an exact name ("lab" stays the
    # kitchen it was read as); and never a second drawing of a subject it already is.
    subject_at = {o for o in subject_origins if o >= 0} - upgraded
    found = [
        f
        for f in found
        if not (
            set(range(f.start, f.end)) & (weak | subject_at)
            and (f.start in subject_at or not _exactly(f.word))
        )
    ]
    drawn_by_thing = {pos for f in found for pos in range(f.start, f.end)}
    keep = [
        (subject, origin)
        for subject, origin in zip(subjects, subject_origins, strict=True)
        if origin not in upgraded or origin not in drawn_by_thing
    ]
    things = [
        _Thing(
            f.icon, f.word, f.start, f.end, role_of(f.icon), f.count, scale=_size(tokens, f.start)
        )
        for f in found
    ]
    if all(origin < 0 for _, origin in keep) and any(_leads(t) for t in things):
        keep = []  # the setting's stand-in subjects give way to the actors the prompt names
    out.subjects = tuple(kind for (kind, _), _ in keep)
    out.colors = tuple(color for (_, color), _ in keep)
    kept_origins = [origin for _, origin in keep]
    things = things[: max(0, MAX_DRAWN - len(out.subjects))]
    lead = next((t for t in things if t.role == "actor"), None)
    if lead and (not out.subjects or kept_origins[0] > lead.start):
        out.action = natural_action(lead.icon)
    for thing in things:
        for pos in range(thing.start, thing.end):  # a kit's word lists each thing it drew
            prior = out.labels.get(pos)
            out.labels[pos] = (
                f"{prior}, {icon_label(thing.icon)}" if prior else icon_label(thing.icon)
            )
        for pos in _count_positions(tokens, thing.start):
            out.labels.setdefault(pos, "count")
    fell = _falls(tokens, things, out)
    _relate(tokens, [v for v in verbs if v[0] not in fell], things, kept_origins, out)
    _in_hand(tokens, things, kept_origins, out)
    if _stand_ins_idle(things, kept_origins):
        # A prompt about things ("a runaway shopping cart") needs no stand-in dog walking past
        # them; stand-ins stay only where a verb gave one of them something to do.
        out.subjects, out.colors, kept_origins = (), (), []
    _board_vehicles(tokens, things, kept_origins)
    _place_on_furniture(tokens, things)
    _seat_on_furniture(tokens, things, kept_origins)
    _own_motion(tokens, action_at, things, kept_origins, out)
    _finish(things, len(out.subjects), out)
    return out


# A thing named just before one of these falls from above: "a lemon dropping into a glass".
FALL_WORDS = frozenset(
    {"drop", "drops", "dropping", "dropped", "fall", "falls", "falling", "fell", "tumble",
     "tumbles", "tumbling", "plunge", "plunges", "plunging", "plummet", "plummets", "plummeting"}
)  # fmt: skip
_INTO = frozenset({"into", "onto", "in", "on", "upon"})
SPLASH_ICON = "sweat-droplets"


def _falls(tokens: list[str], things: list[_Thing], out: ThingPlan) -> set[int]:
    """Props that fall from above ("an apple falling from the tree", "a lemon dropping into a
    glass of water"): their motion is ``fall``, landing on or in the thing named after "into"
    when there is one. Returns the positions of the verbs used, so no one else does them."""
    used: set[int] = set()
    for pos, token in enumerate(tokens):
        if token not in FALL_WORDS:
            continue
        faller = next(
            (t for t in things if t.role == "prop" and pos - 2 <= t.end - 1 < pos and t.start >= 0),
            None,
        )
        if faller is None or faller.relation or faller.motion:
            continue
        faller.motion = "fall"
        follows = tokens[pos + 1 : pos + 2]
        if follows and follows[0] in _INTO:
            faller.on = next(
                (t for t in things
                 if t is not faller and t.role in ("prop", "furniture")
                 and pos + 1 < t.start <= pos + 4),
                None,
            )  # fmt: skip
        used.add(pos)
        out.labels[pos] = f"{icon_label(faller.icon)} falling"
        if faller.on is not None:  # "with a splash": the landing's own splash, not a prop
            for splash in [t for t in things if t.icon == SPLASH_ICON and t.start > pos]:
                things.remove(splash)
                for at in range(splash.start, splash.end):
                    out.labels[at] = f"splash as the {faller.word} lands"
    return used


_HANDS = frozenset({"hand", "hands"})
_OWNERS = frozenset({"his", "her", "their", "my", "one"})


def _in_hand(tokens: list[str], things: list[_Thing], origins: list[int], out: ThingPlan) -> None:
    """ "coffee in hand", "a map in her hand": the prop is held by whoever the prompt is about."""
    actors = [t for t in things if t.role == "actor"]
    holder: int | _Thing | None = 0 if origins else (actors[0] if actors else None)
    if holder is None:
        return
    for thing in things:
        if thing.role != "prop" or thing.relation or thing.start < 0:
            continue
        after = tokens[thing.end : thing.end + 3]
        if after[:1] != ["in"]:
            continue
        hand = 1 if after[1:2] and after[1] in _HANDS else 2
        if not (after[hand : hand + 1] and after[hand] in _HANDS) or (
            hand == 2 and after[1] not in _OWNERS
        ):
            continue
        thing.relation, thing.actor = "hold", holder
        out.labels[thing.end + hand] = f"holding {icon_label(thing.icon)}"


def _stand_ins_idle(things: list[_Thing], origins: list[int]) -> bool:
    """Whether every subject is the setting's stand-in, the prompt names a prop or a mount, and
    no verb joined a thing to a stand-in (a stand-in cutting the ribbon keeps its place)."""
    return (
        bool(origins)
        and all(origin < 0 for origin in origins)
        and any(t.role in ("prop", "mount") for t in things)
        and not any(isinstance(t.actor, int) for t in things)
    )


def _leads(thing: _Thing) -> bool:
    """Whether a thing is who the prompt is about: an actor, or an aircraft in the sky ("a plane
    flying over the mountains" needs no stand-in walkers below it)."""
    return thing.role == "actor" or (
        thing.role == "sky" and pictograms.subgroup(thing.icon) == "transport-air"
    )


# How a thing's own in-place action reads on the job page.
MOTION_WORDS = {
    "rest": "resting", "sleep": "sleeping", "peck": "bobbing", "shiver": "shaking",
    "stretch": "stretching", "grow": "growing", "shrink": "shrinking", "shout": "calling out",
}  # fmt: skip


def _own_motion(
    tokens: list[str],
    action_at: tuple[int, str],
    things: list[_Thing],
    origins: list[int],
    out: ThingPlan,
) -> None:
    """An in-place verb right after a prop or a piece of furniture is that thing's motion:
    "a candle flickering" shakes the candle, not the person beside it."""
    pos, action = action_at
    if pos < 0 or action not in vocab.IN_PLACE_ACTIONS:
        return
    named = [(t.start, t) for t in things if 0 <= t.start < pos and t.role in _OWN_MOTION_ROLES]
    named += [(t.start, None) for t in things if 0 <= t.start < pos and t.role == "actor"]
    named += [(origin, None) for origin in origins if 0 <= origin < pos]
    if not named:
        return
    start, thing = max(named, key=lambda pair: pair[0])
    if thing is None or pos - start > 4 or thing.relation:
        return
    thing.motion = action
    out.motion_taken = True
    out.labels[pos] = f"{icon_label(thing.icon)} {MOTION_WORDS[action]}"


_OWN_MOTION_ROLES = ("prop", "furniture")


def _verbs(tokens: list[str], used: set[int]) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for pos, token in enumerate(tokens):
        base = lemma(token)
        if base not in VERBS or token in vocab.STOPWORDS:
            continue
        before = tokens[pos - 1] if pos else ""
        if base in NOUN_LIKE and (
            before in _ARTICLES or before in vocab.COLORS or before in _SIZES or not pos
        ):
            continue  # "a wave", "the fish", "a huge wave": a noun here
        if base in NOUN_LIKE and token == base and not token.endswith("ing") and pos in used:
            continue  # a bare setting or subject word ("surf", "bike") the plan already drew
        found.append((pos, base))
    return found


def _upgradable(
    tokens: list[str], origins: list[int], subjects: tuple[tuple[str, str], ...]
) -> set[int]:
    """Positions of subject words a pictogram of their own draws better than the sprite."""
    out: set[int] = set()
    for origin, (kind, _) in zip(origins, subjects, strict=True):
        if origin < 0 or kind not in _UPGRADE_CONCEPTS:
            continue
        token = tokens[origin]
        if token in _SPRITE_WORDS or token in (kind, kind + "s"):
            continue
        match = pictograms.find(token)
        if match and match.how == "name" and match.name != kind and role_of(match.name) == "actor":
            out.add(origin)
    return out


def _verb_objects(tokens: list[str], verbs: list[tuple[int, str]], origins: list[int]) -> set[int]:
    """Positions of hand-drawn subjects that are a verb's object ("a kitten playing with a
    ball", "feeding pigeons"): drawn as a pictogram thing instead, so the verb can join them to
    the one who does it. Only when someone is named before the verb, and the word has a
    pictogram."""
    out: set[int] = set()
    for verb_pos, _ in verbs:
        if not any(0 <= origin < verb_pos for origin in origins):
            continue
        for origin in origins:
            if not verb_pos < origin <= verb_pos + 4:
                continue
            if pictograms.find(tokens[origin]) is not None:
                out.add(origin)
    return out


def _nouns(sourced: list[tuple[str, str]], free: set[int]) -> list[Found]:
    """Pictograms for the free positions: emoji by their character, words as phrases first."""
    tokens = [token for token, _ in sourced]
    found: list[Found] = []
    pos = 0
    while pos < len(tokens):
        token, source = sourced[pos]
        if pos not in free:
            pos += 1
            continue
        if source != token:  # an emoji: its whole name is one thing
            end = pos
            while end < len(tokens) and sourced[end][1] == source:
                end += 1
            icon = pictograms.find_emoji(source)
            if icon and all(p in free for p in range(pos, end)):
                found.append(Found(pos, end, icon, source))
            pos = end
            continue
        glass = _glass_at(tokens, pos, free)
        if glass:
            found.append(glass)
            pos = glass.end
            continue
        if not _nameable(token) or (token in GROUP_WORDS and tokens[pos + 1 : pos + 2] == ["of"]):
            pos += 1  # "a school of fish" is many fish, not a school
            continue
        if token in WORD_KITS:
            found += [Found(pos, pos + 1, icon, token) for icon in WORD_KITS[token]]
            pos += 1
            continue
        pair = f"{token} {tokens[pos + 1]}" if pos + 1 < len(tokens) else ""
        if pair in WORD_KITS and pos + 1 in free:
            found += [Found(pos, pos + 2, icon, pair) for icon in WORD_KITS[pair]]
            pos += 2
            continue
        if pair and pos + 1 in free and _nameable(tokens[pos + 1]):
            icon = _exact_icon(pair)
            # "a runaway shopping cart" is the shopping cart, not a "runaway shopping" and a cart
            after = f"{tokens[pos + 1]} {tokens[pos + 2]}" if pos + 2 < len(tokens) else ""
            if icon and after and pos + 2 in free and _exact_icon(after) == icon:
                icon = None
            if icon:
                found.append(Found(pos, pos + 2, icon, pair, _count(tokens, pos, pos + 1)))
                pos += 2
                continue
        icon = icon_for(token)
        # A verb's -ing form is not the noun spelt like its base: "picking" is not a pickaxe,
        # nor "watching" a wristwatch. What it shows stays ("burning" draws fire).
        names = set(icon.split("-")) if icon else set()
        verb_read_as_noun = (
            token.endswith("ing") and token not in names and bool(names & _ing_stems(token))
        )
        if icon and not verb_read_as_noun and not (token.endswith("ing") and _symbol(icon)):
            found.append(Found(pos, pos + 1, icon, token, _count(tokens, pos, pos)))
        pos += 1
    found = _served_in(tokens, found)
    # A kit's part that the prompt also names by itself is drawn once: "a haunted house with
    # a ghost" has one ghost.
    named = {f.icon for f in found if f.word not in WORD_KITS}
    return [f for f in found if f.word not in WORD_KITS or f.icon not in named]


# Dishes named by what is in them: "a bowl of ramen" is the ramen pictogram (already in its
# bowl), not an empty bowl beside it.
DISH_WORDS = frozenset({"bowl", "bowls", "plate", "plates", "dish", "pot", "tray", "basket"})


def _served_in(tokens: list[str], found: list[Found]) -> list[Found]:
    kept: list[Found] = []
    for index, f in enumerate(found):
        after = found[index + 1] if index + 1 < len(found) else None
        served = (
            f.word in DISH_WORDS
            and tokens[f.end : f.end + 1] == ["of"]
            and after is not None
            and after.start <= f.end + 3
            and pictograms.subgroup(after.icon).startswith(("food-", "drink"))
        )
        if served and after is not None:
            found[index + 1] = replace(after, start=f.start)  # "bowl of ramen" is its name
            continue
        kept.append(f)
    return kept


def _glass_at(tokens: list[str], pos: int, free: set[int]) -> Found | None:
    """A drinking glass: "a glass of water" (the water is in it) or "the glass" on its own."""
    if tokens[pos] not in GLASS_WORDS:
        return None
    if tokens[pos + 1 : pos + 2] == ["of"] and pos + 2 < len(tokens) and pos + 2 in free:
        held = tokens[pos + 2]
        return Found(pos, pos + 3, GLASS_OF.get(held, GLASS_ICON), f"glass of {held}")
    before = tokens[pos - 1] if pos > 0 else ""
    after = tokens[pos + 1] if pos + 1 < len(tokens) else ""
    if before in ("a", "the", "his", "her", "their", "my", "empty", "full") and (
        not after or not _nameable(after)
    ):
        return Found(pos, pos + 1, GLASS_ICON, tokens[pos])
    return None


def _ing_stems(word: str) -> set[str]:
    """Base forms an -ing word may come from: picking -> pick, riding -> ride, running -> run."""
    stem = word.removesuffix("ing")
    stems = {stem, stem + "e"}
    if len(stem) > 2 and stem[-1] == stem[-2]:
        stems.add(stem[:-1])
    return stems


_OBJECT_GROUPS = ("food-", "plant-", "animal-", "drink")


def names_an_object(word: str) -> bool:
    """Whether a word that sets the place is also a thing to draw there: "pancakes" make a
    kitchen and are pancakes, a "cactus" makes a desert and is a cactus."""
    if WORD_ICONS.get(word) in SCENERY_SHAPES:  # a lighthouse makes the coast and stands there
        return True
    match = pictograms.find(word)
    return bool(
        match and match.how == "name" and pictograms.subgroup(match.name).startswith(_OBJECT_GROUPS)
    )


def _exactly(word: str) -> bool:
    """Whether ``word`` names its pictogram outright rather than by a guess at its meaning."""
    if word in WORD_ICONS or not word.isascii():  # an emoji is its own pictogram
        return True
    match = pictograms.find(word)
    return bool(match and match.how in ("name", "tag"))


def _symbol(icon: str) -> bool:
    """Signs, arrows and marks: a verb's -ing form that names one ("crossing") is the verb."""
    return pictograms.subgroup(icon) in pictograms.SYMBOL_SUBGROUPS


def _nameable(token: str) -> bool:
    return (
        token not in vocab.STOPWORDS
        and token not in _NEVER
        and token not in vocab.COLORS
        and token not in vocab.COUNT_WORDS
        and token not in QUANTITY_WORDS
        and not token.isdigit()
        and len(token) >= 3
        and (token not in GROUP_WORDS or token in ("field", "school", "team"))
    )


def _exact_icon(phrase: str) -> str | None:
    """A two-word name's pictogram, by its name or one of its tags ("trash can"), never by a
    guess at its meaning."""
    if phrase in WORD_ICONS:
        return WORD_ICONS[phrase]
    match = pictograms.find(phrase)
    return match.name if match and match.how in ("name", "tag") else None


def _count(tokens: list[str], start: int, head: int) -> int:
    """How many of the thing at ``start`` (whose last word is at ``head``) the prompt asks for."""
    for back in (1, 2, 3):
        word = tokens[start - back] if start - back >= 0 else ""
        if back > 1 and lemma(tokens[start - back + 1]) in VERBS:
            break  # "two astronauts playing chess": the count is the players', not the game's
        if word in vocab.COUNT_WORDS:
            return vocab.COUNT_WORDS[word]
        if word in QUANTITY_WORDS:
            return QUANTITY_WORDS[word]
        if word == "of" and start - back - 1 >= 0 and tokens[start - back - 1] in GROUP_WORDS:
            return GROUP_WORDS[tokens[start - back - 1]]
    word = tokens[head]
    if word.endswith("s") and not word.endswith("ss") and word not in ("glass", "bus"):
        singular = icon_for(word[:-1]) or icon_for(word[:-2] if word.endswith("es") else "")
        if singular == icon_for(word) or word.endswith(("ies", "ves")):
            return 2
    return 1


def _count_positions(tokens: list[str], start: int) -> list[int]:
    out = []
    for back in (1, 2, 3):
        pos = start - back
        if pos < 0 or (back > 1 and lemma(tokens[pos + 1]) in VERBS):
            break
        word = tokens[pos]
        if word in vocab.COUNT_WORDS or word in QUANTITY_WORDS:
            out.append(pos)
        elif word == "of" and pos >= 1 and tokens[pos - 1] in GROUP_WORDS:
            out.append(pos - 1)
    return out


# How a drawn verb is described, by its relation: "riding surfboard", "holding books".
_RELATION_WORDS = {
    "ride": "riding", "hold": "holding", "between": "between players:", "eat": "eating",
    "throw": "throwing", "kick": "kicking", "knock": "knocking over", "chase": "chasing",
    "hug": "hugging", "near": "beside", "push": "pushing", "aloft": "flying",
}  # fmt: skip
# What flies on a string from someone's hand ("flying a kite"); flying anything else is flight.
TETHERED = frozenset({"kite", "balloon"})
_PULLING = {"pull": "pulling", "drag": "dragging", "tow": "towing", "haul": "hauling"}
_PUSHING = frozenset({"push", "shove", "wheel"})
# Things a person pushes along in front of them rather than knocks over.
_PUSHED_GROUPS = ("transport-ground", "household", "hotel")


def _pushed_along(tokens: list[str], verb_pos: int, obj: _Thing) -> bool:
    """ "pushing a wheelchair down the hall": a thing on wheels goes along ahead; "pushing a
    vase off the shelf" still knocks it over."""
    if {"off", "over"}.intersection(tokens[verb_pos + 1 : verb_pos + 6]):
        return False
    group = pictograms.subgroup(obj.icon)
    return obj.role in ("prop", "actor") and group.startswith(_PUSHED_GROUPS)


_MOUNT_GROUPS = ("transport-ground", "transport-water", "animal-mammal")
_PREPOSITIONS = frozenset({"on", "off", "from", "onto", "atop", "upon", "across"})


def _relate(
    tokens: list[str],
    verbs: list[tuple[int, str]],
    things: list[_Thing],
    origins: list[int],
    out: ThingPlan,
) -> None:
    """Give each verb's object its relation to the actor named before the verb."""
    room = max(0, MAX_DRAWN - len(out.subjects) - len(things))
    for verb_pos, base in verbs:
        relation, implied = VERBS[base]
        anchors = _anchors(things, origins)
        before = [ref for pos, ref in anchors if pos < verb_pos]
        actor: int | _Thing | None = before[-1] if before else None
        if actor is None and (anchors or out.subjects):
            actor = anchors[0][1] if not out.subjects else 0
        obj = next((t for t in things if verb_pos < t.start <= verb_pos + 4 and t.verb < 0), None)
        target: _Thing | None = None
        if relation == "ride":
            if obj and pictograms.subgroup(obj.icon).startswith(_MOUNT_GROUPS):
                obj.role, target = "mount", obj
            else:
                implied = implied or ("shape-surfboard" if obj and obj.icon == "water-wave" else "")
        elif relation == "between":
            group = pictograms.subgroup(obj.icon) if obj else ""
            if group == "musical-instrument":
                relation, target = "hold", obj
            elif group in ("game", "sport", "food-prepared", "food-sweet", "food-fruit"):
                target = obj
            elif obj and obj.role == "prop":
                relation, target = "near", obj
            elif obj is None:
                relation, implied = "hold", _instrument(tokens, verb_pos)
        elif relation in ("chase", "hug"):
            if obj and obj.role == "actor":
                target = obj
        elif relation == "aloft":
            if not (obj and obj.icon in TETHERED):
                continue  # "a plane flying", "flying over the sea": the flight is the motion
            target, obj.role = obj, "prop"
            out.motion_taken = True  # the kite flies; whoever holds its string walks
        elif base in _PUSHING and obj and _pushed_along(tokens, verb_pos, obj):
            relation, target, obj.role = "push", obj, "prop"
        elif obj and obj.role in ("prop", "actor" if relation == "near" else "prop"):
            target = obj
        if target is None and implied:  # a thing already named may be the one implied
            target = next((t for t in things if t.icon == implied and t.verb < 0), None)
        if target is None and implied and room > 0 and actor is not None:
            role = "mount" if relation == "ride" else role_of(implied)
            target = _Thing(implied, tokens[verb_pos], -1, -1, role)
            things.insert(_after(things, verb_pos), target)
            room -= 1
        if target is None or actor is None or actor is target:
            continue
        target.relation, target.actor, target.verb = relation, actor, verb_pos
        name = target.icon.removeprefix(SHAPE_PREFIX).replace("-", " ")
        word = _PULLING.get(base) if relation == "near" else None
        out.labels[verb_pos] = f"{word or _RELATION_WORDS[relation]} {name}"


# Players whose word says what they play ("a guitarist playing"): the instrument they hold.
INSTRUMENTS = {
    "guitarist": "guitar", "drummer": "drum", "pianist": "musical-keyboard",
    "violinist": "violin", "trumpeter": "trumpet", "saxophonist": "saxophone",
    "band": "guitar", "orchestra": "violin", "musician": "guitar", "musicians": "guitar",
    "dj": "headphone", "rocker": "guitar", "drummers": "drum", "guitarists": "guitar",
}  # fmt: skip


def _instrument(tokens: list[str], verb_pos: int) -> str:
    """The instrument of the player named just before ``verb_pos``, or ""."""
    words = reversed(tokens[max(0, verb_pos - 3) : verb_pos])
    return next((INSTRUMENTS[word] for word in words if word in INSTRUMENTS), "")


_ABOARD = frozenset({"on", "aboard", "onboard", "from", "deck", "in", "inside", "onto"})


def _board_vehicles(tokens: list[str], things: list[_Thing], origins: list[int]) -> None:
    """ "a captain on the deck of his ship": someone named before a vehicle they are on or in
    rides it, as if a verb had said so."""
    for thing in things:
        group = pictograms.subgroup(thing.icon)
        if thing.role != "actor" or thing.relation or not group.startswith(_MOUNT_GROUPS[:2]):
            continue
        if not _ABOARD.intersection(tokens[max(0, thing.start - 5) : thing.start]):
            continue
        before = [ref for pos, ref in _anchors(things, origins) if pos < thing.start]
        if before and before[-1] is not thing:
            thing.role, thing.relation, thing.actor = "mount", "ride", before[-1]


def _anchors(things: list[_Thing], origins: list[int]) -> list[tuple[int, int | _Thing]]:
    """(token position, subject index or actor thing) of each one who can act, in word order."""
    anchors: list[tuple[int, int | _Thing]] = [
        (pos, index) for index, pos in enumerate(origins) if pos >= 0
    ]
    anchors += [(t.start, t) for t in things if t.role == "actor" and t.start >= 0]
    return sorted(anchors, key=lambda anchor: anchor[0])


def _after(things: list[_Thing], pos: int) -> int:
    """Where a thing a verb implies goes in the list: after the things named before the verb."""
    return sum(1 for t in things if 0 <= t.start < pos)


def _place_on_furniture(tokens: list[str], things: list[_Thing]) -> None:
    """A prop "on/off the table" stands on it; a knocked thing needs something to fall from."""
    for thing in things:
        if thing.role != "prop" or thing.start < 0:
            continue
        kit = next((o for o in things if o.role == "furniture" and o.start == thing.start), None)
        if kit is not None:  # one word drew both: homework's books lie on its desk
            thing.on = kit
            continue
        after = tokens[thing.end : thing.end + 3]
        if not _PREPOSITIONS.intersection(after):
            continue
        for other in things:
            if other.role == "furniture" and thing.end < other.start <= thing.end + 5:
                thing.on = other
                break
    for thing in list(things):
        if thing.relation == "knock" and thing.on is None:
            thing.on = _Thing("shape-table", "", -1, -1, "furniture")
            things.insert(things.index(thing) + 1, thing.on)


# Words before a piece of furniture that put someone on top of it rather than beside it.
_ONTO = frozenset({"on", "onto", "upon", "atop"})
SEAT_REACH = 6  # words between the one who rests and the furniture they rest on


def _seat_on_furniture(tokens: list[str], things: list[_Thing], origins: list[int]) -> None:
    """ "a cat sleeping on a couch", "a bird perched on a fence": the one named before "on"
    sits or lies on the furniture's top, instead of standing beside it."""
    for furniture in things:
        if furniture.role != "furniture" or furniture.start < 0 or furniture.relation:
            continue
        before = tokens[max(0, furniture.start - 3) : furniture.start]
        if not _ONTO.intersection(before):
            continue
        near = [
            (pos, ref)
            for pos, ref in _anchors(things, origins)
            if furniture.start - SEAT_REACH <= pos < furniture.start
        ]
        between = [t for t in things if near and near[-1][0] < t.start < furniture.start]
        if not near or any(t.role in ("prop", "furniture") for t in between):
            continue  # "a vase on a table" is a prop's place, which _place_on_furniture sets
        # A plural ("two kids") is one subject per head from one word: the first of them.
        furniture.relation, furniture.actor = "seat", next(r for p, r in near if p == near[-1][0])


def _finish(things: list[_Thing], subjects: int, out: ThingPlan) -> None:
    """Turn the working list into ``Thing`` fields; cast indices count actors in list order."""
    actors = [t for t in things if t.role == "actor"]

    def actor_index(ref: int | _Thing | None) -> int:
        if ref is None:
            return -1
        if isinstance(ref, int):
            return ref
        return subjects + actors.index(ref) if ref in actors else -1

    out.things = [
        (
            t.icon, t.word, t.role, t.count, t.relation if t.actor is not None else "",
            actor_index(t.actor), things.index(t.on) if t.on in things else -1, t.motion,
            t.scale,
        )
        for t in things
    ]  # fmt: skip
