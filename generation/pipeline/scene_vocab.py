"""The words the built-in renderer knows, grouped by what they set in a scene plan.

Each concept lists the exact words that select it. The same words are the anchors that
out-of-vocabulary words are compared with through MiniLM, so a longer list also makes the fuzzy
match better. Inflections are listed on purpose: a stemmer would turn "fly" into a camera move
or "stars" into a setting.
"""

from __future__ import annotations


def _w(text: str) -> tuple[str, ...]:
    """Split a word list; an underscore joins a phrase ("golden_hour")."""
    return tuple(word.replace("_", " ") for word in text.split())


SETTINGS: dict[str, tuple[str, ...]] = {
    "beach": _w(
        "beach beaches shore seashore coast ocean sea surf surfing tropical island palm sand "
        "sandy bay lagoon waves harbor harbour pier marina lighthouse lake lakes lakeside "
        "pond river rivers riverbank canal"
    ),
    "city": _w(
        "city cities street streets town downtown skyline urban building buildings skyscraper "
        "skyscrapers neon traffic metropolis rooftop cyberpunk avenue tokyo york paris market "
        "markets marketplace bazaar plaza alley alleyway"
    ),
    "forest": _w(
        "forest forests woods woodland jungle rainforest grove pines pine trees enchanted "
        "campfire camping"
    ),
    "space": _w(
        "space outer galaxy cosmos cosmic nebula planet planets astronaut spaceship orbiting "
        "universe asteroid mars moonwalk"
    ),
    "mountains": _w(
        "mountain mountains peak peaks alps valley cliff cliffs summit hiking hike canyon volcano "
        "highlands ridge"
    ),
    "underwater": _w(
        "underwater undersea reef coral aquarium submarine seabed diving scuba deep kelp mermaid"
    ),
    "desert": _w(
        "desert deserts dune dunes sahara cactus cacti oasis arid camel wasteland savanna"
    ),
    "snow": _w(
        "winter arctic antarctic tundra glacier igloo ski skiing snowboard snowman polar frozen "
        "icy snowy"
    ),
    "stage": _w(
        "stage concert theater theatre disco club nightclub spotlight spotlights band performance "
        "festival ballroom karaoke"
    ),
    "kitchen": _w(
        "kitchen cooking cook chef restaurant bakery baking cafe diner breakfast dinner pancakes "
        "pizza"
    ),
    # Any other room: its kind (ROOM_KINDS) sets the walls, the floor and what hangs on the wall.
    "room": _w(
        "room rooms indoors indoor living_room lounge apartment bedroom bedrooms dorm hallway "
        "hallways hall corridor corridors lobby foyer hospital hospitals ward clinic infirmary "
        "classroom classrooms school schoolroom lecture office offices cubicle workplace "
        "boardroom coworking library libraries bookstore bookshop museum gallery galleries "
        "exhibition gym gymnasium"
    ),
    "meadow": _w(
        "meadow field fields park garden grass grassy farm countryside hills hill prairie lawn "
        "picnic village backyard hillside hillsides orchard vineyard ranch yard"
    ),
}
DEFAULT_SETTING = "meadow"
# Settings whose backdrop is not an open sky (no painted sun or moon): indoors, space, the sea.
SKYLESS_SETTINGS = frozenset({"space", "underwater", "stage", "kitchen", "room"})
# Settings with walls and a ceiling: no weather of their own, and a window shows the time of day.
ROOMS = frozenset({"kitchen", "room"})
# Weather that belongs outdoors: named for a room, it is heard outside the window, not drawn in it.
OUTDOOR_WEATHER = frozenset({"rain", "snow", "wind"})
# The kind of room each "room" word names, in the order the renderer prefers a kind's walls.
ROOM_KINDS: dict[str, tuple[str, ...]] = {
    "hospital": _w("hospital hospitals ward clinic infirmary"),
    "classroom": _w("classroom classrooms school schoolroom lecture"),
    "library": _w("library libraries bookstore bookshop"),
    "gallery": _w("museum gallery galleries exhibition"),
    "gym": _w("gym gymnasium"),
    "office": _w("office offices cubicle workplace boardroom coworking"),
    "hallway": _w("hallway hallways hall corridor corridors lobby foyer"),
    "bedroom": _w("bedroom bedrooms dorm"),
    "living room": _w("living_room lounge apartment room rooms indoors indoor"),
}
# Pictograms the open sky already paints, by the times of day it paints them.
PAINTED_SKY: dict[str, frozenset[str]] = {
    "sun": frozenset({"dawn", "day", "sunset"}),
    "sun-with-face": frozenset({"dawn", "day", "sunset"}),
    "full-moon": frozenset({"night"}),
    "crescent-moon": frozenset({"night"}),
}

# Adjectives say less about the place than nouns do: "a snowy forest" is a forest.
WEAK_SETTING_WORDS = frozenset({
    "snowy", "icy", "frozen", "sandy", "tropical", "neon", "cosmic", "deep", "enchanted",
    # Rooms that are as often the building seen from outside ("walking to school").
    "school", "hall", "museum", "hospital", "library", "room", "rooms",
})  # fmt: skip

# Buildings that are seen from outside unless the prompt goes in (INSIDE_WORDS just before).
BUILDING_WORDS = frozenset({
    "house", "houses", "cottage", "cottages", "cabin", "mansion", "castle", "barn", "farmhouse",
    "bungalow", "villa",
})  # fmt: skip
INSIDE_WORDS = frozenset({"in", "inside", "into", "within", "at", "indoors"})
# Where someone is, when the prompt names who but no place: a surfer is at the beach.
IMPLIED_PLACES: dict[str, str] = {
    **dict.fromkeys(("surfer", "surfers", "surfboard", "surfboards"), "beach"),
    **dict.fromkeys(("skier", "skiers", "snowboarder", "snowboarders", "sled", "sledding"), "snow"),
    **dict.fromkeys(("astronaut", "astronauts"), "space"),
    # Buses, taxis and trams run through a town.
    **dict.fromkeys(("bus", "buses", "taxi", "taxis", "cab", "tram", "trams"), "city"),
    **dict.fromkeys(("diver", "divers", "snorkeling", "snorkelling"), "underwater"),
    # Furniture that only stands indoors: "a cat asleep on the couch" is in a living room.
    **dict.fromkeys(
        (
            "couch",
            "couches",
            "sofa",
            "sofas",
            "armchair",
            "armchairs",
            "fireplace",
            "bed",
            "beds",
            "bookshelf",
            "bookshelves",
            "bathtub",
            "bathtubs",
        ),
        "room",
    ),  # fmt: skip
}
# The kind of room implied furniture stands in, where it isn't a living room.
IMPLIED_ROOM_KINDS: dict[str, str] = dict.fromkeys(("bed", "beds"), "bedroom")

TIMES: dict[str, tuple[str, ...]] = {
    "dawn": _w("dawn sunrise daybreak morning first_light"),
    "day": _w("day daytime noon midday afternoon sunny sunshine bright"),
    "sunset": _w("sunset dusk evening twilight golden_hour sundown golden"),
    "night": _w("night nighttime midnight moonlight moonlit dark moon"),
}

PALETTES: dict[str, tuple[str, ...]] = {
    "neon": _w("neon cyberpunk synthwave vaporwave electric glowing disco"),
    "pastel": _w("pastel dreamy soft cotton_candy whimsical kawaii"),
    "mono": _w("black_and_white monochrome noir grayscale greyscale sepia"),
    "warm": _w("warm cozy autumn amber fiery"),
    "cool": _w("cool cold icy chilly frosty"),
}

WEATHER: dict[str, tuple[str, ...]] = {
    "rain": _w(
        "rain rainy raining rainfall storm stormy drizzle downpour thunderstorm thunder monsoon "
        "wet lightning"
    ),
    "snow": _w("snow snowing snowfall snowflakes snowflake blizzard snowy hail hailstones sleet"),
    "stars": _w("stars starry star starlight constellation constellations"),
    "confetti": _w(
        "confetti party celebration celebrate celebrating birthday festival carnival parade "
        "wedding fireworks"
    ),
    "bubbles": _w("bubbles bubble bubbly foam soap"),
    "fireflies": _w(
        "fireflies firefly sparkles sparkle sparkling magic magical fairy fairies glitter lanterns"
    ),
    # Wind is drawn as what it blows: gusts streaking across and leaves tumbling with them.
    "wind": _w("wind windy winds breeze breezy gust gusts gusty blustery gale gales windswept"),
}

# Occasions suggest particles, but weather named outright wins: a party in the rain is rainy.
# Words that bring lightning and thunder to a rainy scene whatever its mood.
STORM_WORDS = frozenset(
    {"storm", "stormy", "storms", "thunderstorm", "thunderstorms", "thunder", "lightning"}
)
WEAK_WEATHER_WORDS = frozenset(
    _w(
        "party celebration celebrate celebrating birthday festival carnival parade wedding "
        "magic magical fairy fairies lanterns wet storm stormy"
    )
)

SUBJECTS: dict[str, tuple[str, ...]] = {
    "person": _w(
        "person people man men woman women girl girls boy boys child children kid kids dancer "
        "dancers runner friend friends astronaut chef lady guy human couple student grandma "
        "grandpa baby hiker surfer skier diver singer family captain sailor pirate pirates "
        "sailors captains mom moms mum mums mother mothers mommy dad dads father fathers daddy "
        "parent parents knight knights"
    ),
    "dog": _w(
        "dog dogs puppy puppies pup doggo corgi retriever poodle beagle chihuahua labrador "
        "husky dachshund bulldog terrier"
    ),
    "cat": _w("cat cats kitten kittens kitty tabby"),
    "bird": _w("bird birds seagull seagulls gull eagle parrot pigeon owl duck ducks hen penguin"),
    "fish": _w("fish fishes goldfish shark sharks whale whales dolphin"),
    "car": _w("car cars truck taxi bus van jeep racecar convertible"),
    "balloon": _w("balloon balloons hot_air_balloon hot_air_balloons"),
    "ball": _w("ball balls football soccer basketball beachball"),
    "rocket": _w("rocket rockets spaceship spacecraft shuttle ufo"),
    "robot": _w("robot robots android droid cyborg mech"),
    "boat": _w("boat boats sailboat ship yacht canoe kayak"),
    "butterfly": _w("butterfly butterflies moth moths"),
    "tree": _w("tree oak palm_tree sapling bonsai"),
}
MAX_SUBJECTS = 3
# Colour words that paint the subject they come before ("a red balloon").
COLORS: dict[str, str] = {
    "red": "#e23b3b",
    "orange": "#f28c28",
    "yellow": "#f5d21f",
    "golden": "#e8b23a",
    "green": "#3fae4a",
    "blue": "#2f6fe0",
    "purple": "#8a4fd8",
    "pink": "#f27ab8",
    "white": "#f4f4f0",
    "black": "#262428",
    "brown": "#8a5a32",
    "gray": "#8a8c92",
    "grey": "#8a8c92",
    "silver": "#c0c4cc",
    "turquoise": "#2fc4bc",
    "teal": "#1f8a8a",
    "aqua": "#3fd0e0",
}
PLURAL_WORDS = frozenset(
    _w(
        "people men women girls boys children kids dancers friends dogs puppies cats kittens "
        "birds seagulls fishes sharks whales cars balloons balls rockets robots boats butterflies "
        "couple family"
    )
)
COUNT_WORDS: dict[str, int] = {"two": 2, "2": 2, "pair": 2, "three": 3, "3": 3, "several": 3}

ACTIONS: dict[str, tuple[str, ...]] = {
    "walk": _w(
        "walk walks walking stroll strolling wander wandering hike crossing marching waddle "
        "waddles waddling crawl crawls crawling trudge trudging stomp stomping tiptoe "
        "tiptoeing amble ambling roam roams roaming prowl prowling trot trots trotting "
        "explore exploring wade wading patrol patrolling parade parading limp limping "
        "migrate migrating"
    ),
    "run": _w(
        "run runs running ran sprint sprinting race racing chase chasing dash drive driving "
        "rushing gallop slide slides sliding skid skidding speeding"
    ),
    "jump": _w("jump jumps jumping hop hopping bounce bouncing leap leaping"),
    "dance": _w(
        "dance dances dancing groove grooving boogie party ballet sway swaying swing swinging "
        "wobble wobbles wobbling wiggle wiggling rock rocking headbang headbanging"
    ),
    "spin": _w(
        "spin spins spinning twirl twirling rotate rotating whirl roll rolls rolling tumble "
        "tumbling"
    ),
    "fly": _w(
        "fly flies flying soar soaring glide gliding launch launching takeoff blast buzz buzzing "
        "climb climbs climbing rise rises rising ascend ascending"
    ),
    "float": _w(
        "float floats floating drift drifting swim swims swimming hover hovering sail sailing bob "
        "bobbing"
    ),
    "wave": _w("wave waving greet greeting hello hi salute"),
    # Staying in place: breathing, a slow sway; the subject keeps its spot in the frame.
    "rest": _w(
        "rest rests resting relax relaxing lounge lounging sit sits sitting sat wait waits "
        "waiting kneel kneeling pray praying hide hiding stare staring gaze gazing watching "
        "pose posing stand stands standing sunbathe sunbathing perch perched perching"
    ),
    # Lying down: a person lies flat, an animal curls low; breathing slows.
    "sleep": _w(
        "sleep sleeps sleeping asleep slept nap naps napping doze dozing snooze snoozing "
        "lie lies lying curled hibernate hibernating"
    ),
    # Head down and up again, over and over: grazing, pecking, sniffing, digging, nodding.
    "peck": _w(
        "peck pecks pecking graze grazes grazing sniff sniffs sniffing dig digs digging "
        "forage foraging nod nods nodding bow bows bowing"
    ),
    # A fast small tremble in place.
    "shiver": _w(
        "shiver shivers shivering shaking tremble trembles trembling quiver quivering vibrate "
        "vibrating rattle rattling jiggle jiggling twitch twitching flicker flickering blink "
        "blinking ringing sizzle sizzles sizzling simmer simmering bubbling boiling"
    ),
    # Calling out on the spot: the head goes back and the body swells, in bursts (a roar, a
    # howl, a cheer, a laugh, a bark, talking).
    "shout": _w(
        "roar roars roaring howl howls howling bark barks barking shout shouts shouting yell "
        "yells yelling scream screams screaming cheer cheers cheering laugh laughs laughing "
        "giggle giggles giggling clap claps clapping applaud applauding meow meowing moo mooing "
        "crowing chirp chirps chirping hoot hooting quack quacking honk honking cry cries "
        "crying sob sobbing talk talks talking chat chatting haggle haggling argue arguing "
        "gossip gossiping growl growls growling hiss hissing squawk squawking"
    ),
    # Reaching up and settling back, slowly.
    "stretch": _w("stretch stretches stretching reach reaches reaching yawn yawns yawning"),
    # Getting bigger through the clip, or smaller and flatter (a melt).
    "grow": _w(
        "grow grows growing bloom blooms blooming blossom blossoming sprout sprouting inflate "
        "inflating swell swelling expand expanding"
    ),
    "shrink": _w(
        "shrink shrinks shrinking melt melts melting deflate deflating wilt wilts wilting"
    ),
}
# Actions that keep the subject in its place (no travel across the frame).
IN_PLACE_ACTIONS = frozenset(
    {"rest", "sleep", "peck", "shiver", "stretch", "grow", "shrink", "shout"}
)
# What a subject does when the prompt names no action.
NATURAL_ACTIONS: dict[str, str] = {
    "person": "walk",
    "dog": "run",
    "cat": "walk",
    "bird": "fly",
    "fish": "float",
    "car": "run",
    "balloon": "float",
    "ball": "jump",
    "rocket": "fly",
    "robot": "dance",
    "boat": "float",
    "butterfly": "fly",
    "tree": "wave",
}
# What appears when the prompt names nothing drawable.
DEFAULT_SUBJECTS: dict[str, tuple[str, ...]] = {
    "beach": _w("person bird"),
    "city": _w("person car"),
    "forest": _w("person butterfly"),
    "space": _w("rocket"),
    "mountains": _w("person bird"),
    "underwater": _w("fish fish"),
    "desert": _w("person"),
    "snow": _w("person"),
    "stage": _w("person"),
    "kitchen": _w("person"),
    "room": _w("person"),
    "meadow": _w("dog butterfly"),
}

# Camera moves are phrases, matched before single words so "zoom out" never reads as "zoom in".
CAMERA_PHRASES: tuple[tuple[str, str], ...] = (
    ("zoom out", "zoom out"),
    ("zooming out", "zoom out"),
    ("pull back", "zoom out"),
    ("pulling back", "zoom out"),
    ("pull out", "zoom out"),
    ("wide shot", "zoom out"),
    ("reveal", "zoom out"),
    ("zoom in", "zoom in"),
    ("zooming in", "zoom in"),
    ("push in", "zoom in"),
    ("pushing in", "zoom in"),
    ("close up", "zoom in"),
    ("close-up", "zoom in"),
    ("closeup", "zoom in"),
    ("dolly", "zoom in"),
    ("zoom", "zoom in"),
    ("orbit", "orbit"),
    ("orbiting", "orbit"),
    ("circling", "orbit"),
    ("360", "orbit"),
    ("around it", "orbit"),
    ("shake", "shake"),
    ("shaky", "shake"),
    ("handheld", "shake"),
    ("hand-held", "shake"),
    ("earthquake", "shake"),
    ("pan", "pan"),
    ("panning", "pan"),
    ("tracking", "pan"),
    ("tracking shot", "pan"),
    ("follow", "pan"),
    ("following", "pan"),
    ("side scrolling", "pan"),
    ("static", "static"),
    ("still", "static"),
    ("tripod", "static"),
    ("locked", "static"),
)
CAMERAS = _w("static pan zoom_in zoom_out orbit shake")

# mood -> (energy, its words)
MOODS: dict[str, tuple[float, tuple[str, ...]]] = {
    "calm": (0.25, ("calm", "peaceful", "serene", "relaxing", "quiet", "tranquil", "lazy")),
    "happy": (0.6, ("happy", "joyful", "cheerful", "fun", "sunny", "cute", "playful", "funny")),
    "dramatic": (0.8, ("dramatic", "epic", "cinematic", "intense", "stormy", "heroic")),
    "mysterious": (0.35, ("mysterious", "mystical", "foggy", "misty", "eerie", "spooky")),
    "romantic": (0.35, ("romantic", "love", "lovely", "sweet", "tender", "wedding")),
    "sad": (0.15, ("sad", "lonely", "melancholy", "gloomy", "rainy", "crying", "tears")),
    "energetic": (0.9, ("energetic", "wild", "crazy", "hyper", "frantic", "chaotic", "party")),
}
DEFAULT_MOOD = "happy"

ACTION_ENERGY: dict[str, float] = {
    "walk": 0.4,
    "run": 0.8,
    "jump": 0.7,
    "dance": 0.8,
    "spin": 0.6,
    "fly": 0.55,
    "float": 0.2,
    "wave": 0.4,
    "rest": 0.15,
    "sleep": 0.1,
    "peck": 0.3,
    "shiver": 0.6,
    "stretch": 0.2,
    "grow": 0.3,
    "shrink": 0.3,
    "shout": 0.5,
}
SLOWER_WORDS = frozenset({"slow", "slowly", "gentle", "gently", "lazy", "lazily", "calmly"})
FASTER_WORDS = frozenset({"fast", "quick", "quickly", "rapid", "rapidly", "speed", "hyperlapse"})

# Words that never carry a concept; comparing them with MiniLM only invites false matches.
STOPWORDS = frozenset(
    _w(
        """a an the and or but of in on at to from by with without for into onto over under above
    below near as is are was were be been being it its this that these those there here his her
    their our your my very so too just some any all each every one of off up down out about
    then than when while where who what which how video clip shot scene film movie showing
    shows style looking look looks like while has have having make makes made get gets around
    through across toward towards beside behind between big small little tiny huge giant
    beautiful nice cool good great lots lot many more most other another next new old young
    really quite them him he she they we us me you i"""
    )
)
