"""The rule lists, as data. See ``rules.py`` for how a term is matched.

These are the clear-cut cases only: words and phrases that are harmful in almost any video
prompt. Anything that depends on context is left to MiniLM similarity, which can hold a prompt
for review instead of blocking it. Terms are written in normalised form (lower case, no
punctuation, hyphens as spaces). The slurs in ``HATE`` are here because a filter has to name
what it filters; keep the list short and obvious.
"""

from __future__ import annotations

import re

from . import categories as cat

# Words that, near a sexual cue, make the text about minors. "baby" and "minor" alone are left
# out on purpose: "hey baby" and "a minor key" are everyday adult speech.
_AGE = r"(?:[1-9]|1[0-7]|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
_AGE += r"|thirteen|fourteen|fifteen|sixteen|seventeen)"
MINOR_TERMS: tuple[str, ...] = (
    "child",
    "children",
    "childs",
    "kid",
    "kids",
    "kiddie",
    "kiddo",
    "a minor",
    "minors",
    "underage",
    "under age",
    "preteen",
    "pre teen",
    "tween",
    "toddler",
    "infant",
    "babies",
    "newborn",
    "schoolgirl",
    "schoolboy",
    "little girl",
    "little boy",
    "young girl",
    "young boy",
    "teen",
    "teenage*",
    "teenager",
    "loli",
    "shota",
    "daughter",
    "stepdaughter",
    "niece",
    "prepubescent",
    "pubescent",
    "juvenile",
    "kindergarten*",
    "middle school*",
    "elementary school*",
    "grade school*",
    "high school*",
    r"re:(?:1|2|3|4|5|6|7|8|9|10|11|12)(?:st|nd|rd|th)\s*grade(?:rs?)?",
    rf"re:{_AGE}\s*(?:yo|y/o|y\s*o|yrs?|yrs?\s*old|years?\s*old|year\s*olds?|years?\s*of\s*age)",
    rf"re:aged?\s*{_AGE}",
    r"re:under\s*(?:18|eighteen)",
)

# Terms that are sexual content involving minors on their own.
MINORS_SEXUAL_TERMS: tuple[str, ...] = (
    "child porn*",
    "kiddie porn*",
    "kiddy porn*",
    "csam",
    "lolicon",
    "shotacon",
    "jailbait",
    "pedo porn",
    "underage porn*",
    "preteen porn*",
    "teen porn*",
)

# Softer words: not enough to block adult content, but always enough next to a minor.
SEXUAL_CUES: tuple[str, ...] = (
    "sex",
    "sexy",
    "sexual*",
    "seductive*",
    "seduc*",
    "sensual*",
    "lingerie",
    "underwear",
    "panties",
    "undress*",
    "lewd",
    "provocative*",
    "suggestive*",
    "fetish*",
    "lolita",
    "intimate",
    "aroused",
    "horny",
    "spread legs",
    "without clothes",
    "no clothes",
)

_PERSON = (
    r"(?:him|her|them|someone|somebody|a\s*man|a\s*woman|a\s*person|people|a\s*child|a\s*kid"
    r"|kids|children|a\s*baby|a\s*family|his\s*wife|her\s*husband|everyone|a\s*cop"
    r"|a\s*police\s*officer|civilians|hostages?|prisoners?|students|a\s*crowd|the\s*crowd"
    r"|protesters|a\s*stranger|a\s*girl|a\s*boy|the\s*victim|a\s*victim)"
)
_ANIMAL = r"(?:a\s*|the\s*)?(?:puppy|puppies|dog|dogs|cat|cats|kitten|kittens|animal|animals)"
_GROUP_ADJECTIVE = (
    r"(?:black|white|asian|jewish|muslim|gay|trans|transgender|mexican|arab|african|indian"
    r"|chinese|immigrant|latino|hispanic|disabled)"
)
_GROUP = (
    rf"(?:{_GROUP_ADJECTIVE}\s+(?:people|men|women|kids|folks|guys|characters|families|ones)"
    r"|jews|jewish\s*people|muslims|christians|catholics|hindus|sikhs|buddhists|atheists"
    r"|black\s*people|blacks|white\s*people|whites|asians|chinese\s*people|mexicans|latinos"
    r"|hispanics|arabs|africans|indians|immigrants|migrants|refugees|gays|gay\s*people"
    r"|lesbians|homosexuals|trans\s*people|transgender\s*people|trannies|women|disabled\s*people"
    r"|gypsies|roma|jew|muslim|immigrant|refugee)"
)
_DEHUMANISING = (
    r"(?:vermin|animals|subhuman|sub\s*human|parasites|rats|cockroaches|roaches|inferior|filth"
    r"|filthy|a\s*disease|a\s*plague|apes|monkeys|savages|terrorists|criminals|rapists"
    r"|pedophiles|evil|scum|trash|garbage|dogs|pigs|a\s*cancer|not\s*human|less\s*than\s*human"
    r"|invaders|degenerates|an\s*abomination|abominations|a\s*virus|diseased|worthless|dirty"
    r"|insects|bugs|beasts)"
)
_SELF = r"(?:myself|herself|himself|themselves|themself)"
_INSULT = (
    r"(?:worthless|pathetic|disgusting|ugly|fat|stupid|retarded|retard|loser|whore|slut|bitch"
    r"|cunt|idiot|moron|failure|waste\s*of\s*space|piece\s*of\s*shit|piece\s*of\s*trash|trash"
    r"|garbage|freak|pig|cow|dumb|subhuman|nobody|a\s*joke|fag|faggot|skank|hoe|dog)"
)
# Insults that are harassment even about a third person; "my sister is an idiot" is banter.
_STRONG_INSULT = (
    r"(?:worthless|disgusting|ugly|fat\s*pig|pig|retard|retarded|loser|whore|slut|bitch|cunt"
    r"|freak|piece\s*of\s*shit|piece\s*of\s*trash|skank|subhuman|slob|useless)"
)
_TARGET_NOUN = (
    r"(?:classmate|coworker|co\s*worker|colleague|teacher|boss|ex|ex\s*girlfriend"
    r"|ex\s*boyfriend|ex\s*wife|ex\s*husband|neighbou?r|roommate|sister|brother|cousin"
    r"|stepmom|stepdad|friend|student|new\s*kid|new\s*girl|new\s*guy|manager|landlord"
    r"|girlfriend|boyfriend|wife|husband|mom|dad|mother|father|crush)s?"
)
_MAKE = r"(?:make|making|build|building|assemble|assembling|cook|cooking|brew|brewing|mix|mixing"
_MAKE += r"|synthesi[sz]e|synthesi[sz]ing|produce|producing|3d\s*print|3d\s*printing)"

RULES: dict[str, tuple[str, ...]] = {
    cat.SEXUAL: (
        "porn*",
        "porno",
        "pron",
        "nude",
        "nudes",
        "naked",
        "nudity",
        "sex scene",
        "sex act*",
        "having sex",
        "have sex",
        "has sex",
        "sex tape",
        "sex video",
        "oral sex",
        "anal sex",
        "explicit sex",
        "sexual intercourse",
        "intercourse",
        # "xxx" alone is also kisses at the end of a message; only its porn uses are rules.
        r"re:xxx\s*(?:video|videos|movie|movies|film|films|porn|site|clip|clips|scene|scenes"
        r"|content|pics?|rated)",
        r"re:(?:rated\s*xxx|x\s*rated)",
        "nsfw",
        "hentai",
        "genital*",
        "penis",
        "vagina",
        "blowjob",
        "blow job",
        "handjob",
        "hand job",
        "orgasm*",
        "masturbat*",
        "topless",
        "bare breasts",
        "exposed breasts",
        "boobs",
        "tits",
        "striptease",
        "strip tease",
        "erotic*",
        "onlyfans",
        "rape",
        "raped",
        "raping",
        "rapist",
        "molest*",
        "sexual assault*",
        "cumshot",
        "threesome",
        "orgy",
        "orgies",
        "gangbang",
        "gang bang",
        r"re:f+u*c*k+(?:ing|s|ed)?\s*(?:her|him|them|each\s*other)",
        r"re:(?:having|have)\s*(?:sex|intercourse)",
    ),
    cat.VIOLENCE: (
        "decapitat*",
        "behead*",
        "dismember*",
        "disembowel*",
        "eviscerat*",
        "mutilat*",
        "gore",
        "gory",
        "massacre*",
        "mass shooting",
        r"re:shoot(?:s|ing)?\s*up\s*(?:a|the|my|our|this)?\s*(?:school|church|mall|mosque"
        r"|synagogue|temple|concert|crowd|office|classroom)",
        r"re:(?:run|runs|running|ran|mow|mows|mowing|mowed)\s*(?:over|down)\s*(?:a\s*crowd\s*of\s*)?"
        r"(?:people|pedestrians|protesters|a\s*crowd|the\s*crowd|kids|children|cyclists)",
        "school shooting",
        "shooting spree",
        "killing spree",
        "public execution",
        "execution video",
        "entrails",
        "limb from limb",
        "pool of blood",
        "blood spurting",
        "blood gushing",
        "bloody corpse*",
        "mutilated bod*",
        "skinned alive",
        "burned alive",
        "burnt alive",
        "buried alive",
        "beaten to death",
        "stabbed to death",
        "animal cruelty",
        "torture scene",
        "torture video",
        "torture porn",
        rf"re:tortur(?:e|es|ed|ing)\s*{_PERSON}",
        rf"re:tortur(?:e|es|ed|ing)\s*{_ANIMAL}",
        rf"re:(?:stab|stabs|stabbed|stabbing|stabing)\s*{_PERSON}",
        rf"re:(?:shoot|shoots|shot|shooting|shoting)\s*{_PERSON}",
        rf"re:(?:kill|kills|killed|killing|murder|murders|murdered|murdering)\s*{_PERSON}",
        rf"re:(?:behead|execute|executes|executed|executing|strangle|strangles|strangled"
        rf"|strangling)\s*{_PERSON}",
        rf"re:(?:beat|beats|beating)\s*{_PERSON}\s*to\s*death",
        r"re:(?:slit|slits|slitting|cut|cuts|cutting)\s*(?:his|her|their|a\s*man's"
        r"|a\s*woman's|someone's)\s*(?:throat|head\s*off)",
        r"re:blow(?:s|ing|n)?\s*(?:his|her|their|someone's)\s*(?:head|brains)\s*(?:off|out)",
        r"re:brains?\s*(?:splatter\w*|blown\s*out)",
        r"re:guts\s*(?:spill\w*|hanging\s*out)",
        rf"re:(?:kick|kicks|kicking|drown|drowns|drowning|drowned|set|setting)\s*{_ANIMAL}",
    ),
    cat.SELF_HARM: (
        "suicide",
        "suicidal",
        "self harm*",
        "self injur*",
        "pro ana",
        "proana",
        "pro mia",
        "thinspo*",
        "want to die",
        "end it all",
        "suicide pact",
        "ending it all",
        "wanna die",
        rf"re:(?:kill|kills|killing|killed|hang|hangs|hanging|hanged|cut|cuts|cutting|starve"
        rf"|starving|burn|burning)\s*{_SELF}",
        r"re:(?:end|ends|ending|take|takes|taking)\s*(?:my|her|his|their)\s*(?:own\s*)?life",
        r"re:(?:slit|slits|slitting|cut|cuts|cutting)\s*(?:my|her|his|their)\s*(?:wrists?|arms?"
        r"|thighs?|skin)",
        r"re:(?:noose|rope)\s*around\s*(?:my|her|his|their)\s*neck",
        r"re:razor\s*blades?\s*(?:on|to|into|across)\s*(?:my|her|his|their)\s*(?:wrists?|arms?"
        r"|skin|thighs?)",
    ),
    cat.HATE: (
        "nigger",
        "niggers",
        "faggot",
        "faggots",
        "kike",
        "kikes",
        "spic",
        "spics",
        "chink",
        "chinks",
        "tranny",
        "trannies",
        "wetback*",
        "raghead*",
        "towelhead*",
        "gook",
        "gooks",
        "beaner*",
        "sand nigger*",
        "heil hitler",
        "sieg heil",
        "white power",
        "white supremac*",
        "1488",
        "14 88",
        "master race",
        "race war",
        "ethnic cleansing",
        "great replacement",
        "hitler was right",
        r"re:(?:the\s+)?jews\s+(?:secretly\s+)?(?:control|controls|run|runs|own|owns)\s+(?:the\s+)?"
        r"(?:world|banks|media|government|money|hollywood)",
        r"re:(?:burn|burns|burning|burned|burnt|bomb|bombing|bombed|torch|torching|torched)\s*"
        r"(?:down\s*)?(?:a\s*|the\s*)?(?:synagogue|mosque|church|temple|gurdwara)s?",
        r"re:holocaust\s*(?:denial|never\s*happened|was\s*(?:fake|a\s*hoax|a\s*lie)"
        r"|didn'?t\s*happen|is\s*a\s*(?:hoax|lie))",
        rf"re:(?:all\s*)?(?:the\s*)?{_GROUP}\s*(?:are|is)\s*(?:all\s*)?(?:just\s*)?(?:nothing\s*"
        rf"but\s*)?(?:a\s*bunch\s*of\s*)?(?:dirty\s*|filthy\s*)?{_DEHUMANISING}",
        rf"re:(?:kill|gas|exterminate|eradicate|wipe\s*out|deport|burn|hang|lynch|purge"
        rf"|get\s*rid\s*of|round\s*up|shoot|ban)\s*(?:all\s*)?(?:of\s*)?(?:the\s*)?{_GROUP}",
        rf"re:{_GROUP}\s+as\s+(?:dirty\s+|filthy\s+)?{_DEHUMANISING}",
        rf"re:(?:death|die)\s*to\s*(?:all\s*)?(?:the\s*)?{_GROUP}",
        rf"re:{_GROUP}\s*(?:should|must|deserve\s*to|need\s*to|ought\s*to)\s*(?:all\s*)?(?:die"
        rf"|be\s*killed|be\s*gassed|be\s*exterminated|burn|be\s*deported|be\s*wiped\s*out"
        rf"|not\s*exist|be\s*shot|hang|be\s*hanged|be\s*lynched|go\s*back)",
        rf"re:(?:i\s*)?hate\s*(?:all\s*)?(?:the\s*)?{_GROUP}",
        rf"re:no\s*{_GROUP}\s*allowed",
    ),
    cat.HARASSMENT: (
        "kill yourself",
        "kill urself",
        "end yourself",
        "end urself",
        "kys",
        "go die",
        "neck yourself",
        r"re:(?:you|u)\s*should\s*(?:die|disappear|be\s*dead)",
        r"re:(?:nobody|no\s*one|noone)\s*(?:likes|loves|would\s*miss|cares\s*about|wants)\s*"
        r"(?:you|u)",
        r"re:every\s*(?:one|body)\s*hates\s*(?:you|u)",
        rf"re:(?:you|u|ur|you'?re|youre|you\s+are)\s+(?:(?:such|so|a|an|just|nothing\s+but"
        rf"|fucking|fking|fkn|fcking|little|dumb|fat|stupid|ugly|absolute|total|complete"
        rf"|the\s+biggest)\s+){{0,4}}{_INSULT}(?![a-z])",
        rf"re:(?:humiliat\w*|mock|mocks|mocking|mocked|bully|bullies|bullying|bullied|ridicul\w*"
        rf"|make\s*fun\s*of|making\s*fun\s*of|harass\w*|stalk|stalks|stalking|stalked|dox"
        rf"|doxx?ing|shame|shaming|body\s*shaming|degrad\w*)\s*(?:my|our|this|that|the|a)\s*"
        rf"(?:\w+\s+){{0,2}}{_TARGET_NOUN}",
        r"re:(?:humiliat\w*|bully|bullying|bullied|harass\w*|stalk\w*|doxx?\w*)\s*(?:her|him"
        r"|them)",
        rf"re:(?:my|our)\s+{_TARGET_NOUN}\s+(?:\w+\s+){{0,5}}(?:as|is|being|looking\s+like)\s+"
        rf"(?:a\s+|an\s+)?(?:\w+\s+){{0,2}}{_STRONG_INSULT}(?![a-z])",
        r"re:(?:her|his|their)\s+(?:home\s+)?(?:address|phone\s*number)\s+and\s+(?:her\s+|his\s+"
        r"|their\s+)?(?:home\s+)?(?:address|phone\s*number)",
        rf"re:(?:call|calls|calling|called)\s+(?:my|our|this|that|the)\s+{_TARGET_NOUN}\s+"
        rf"(?:\w+\s+){{0,3}}(?:a\s+|an\s+)?(?:\w+\s+){{0,2}}{_STRONG_INSULT}(?![a-z])",
        r"re:(?:post|posts|posting|share|sharing|leak|leaks|leaking|publish|publishing|spread"
        r"|spreading|reveal|revealing)\s*(?:her|his|their|my\s*ex'?s?|\w+'s)\s*(?:home\s*)?"
        r"(?:address|phone\s*number|location|nudes|private\s*photos)",
        r"re:(?:i\s*will|i'?ll|im\s*going\s*to|i'?m\s*going\s*to|gonna|going\s*to)\s*(?:kill"
        r"|hurt|beat|rape|stab|shoot|find)\s*(?:you|u|your\s*family)",
    ),
    cat.DANGEROUS: (
        "pipe bomb*",
        "nail bomb*",
        "suicide vest*",
        "molotov*",
        "napalm",
        "homemade explosive*",
        "homemade bomb*",
        "bomb making",
        "meth lab",
        "ghost gun*",
        "ricin",
        "sarin",
        "nerve agent*",
        "nerve gas",
        "anthrax",
        "mustard gas",
        "chlorine gas",
        "tide pod challenge",
        "blackout challenge",
        "choking game",
        "choking challenge",
        "pass out challenge",
        "passout challenge",
        "fainting challenge",
        "car surfing",
        "train surfing",
        "subway surfing",
        "skull breaker challenge",
        "fire challenge",
        "drunk driving",
        "driving drunk",
        "untraceable poison*",
        rf"re:{_MAKE}\s+(?:(?:a|an|some|homemade|my\s+own|a\s+homemade)\s+){{0,2}}(?:pipe\s+)?(?:bomb|bombs"
        rf"|explosives?|ied|napalm|meth|methamphetamine|crystal\s*meth|fentanyl|heroin|crack"
        rf"|lsd|mdma|ecstasy|ricin|poison|nerve\s*agent|silencer|untraceable\s*gun|gun|guns"
        rf"|firearm|pistol|rifle|grenade|thermite)(?![a-z])",
        r"re:(?:mix|mixing|mixes|combine|combining)\s*bleach\s*(?:and|with)\s*ammonia",
        r"re:(?:drink|drinks|drinking|swallow|swallowing|eat|eating)\s*(?:a\s*)?(?:bleach"
        r"|tide\s*pods?|laundry\s*pods?|detergent\s*pods?)",
        r"re:drink(?:ing)?\s*and\s*driv(?:e|ing)",
        r"re:(?:buy|buys|buying|order|ordering|score|scoring|get|getting)\s*(?:some\s*)?"
        r"(?:fentanyl|meth|heroin|cocaine|crack|oxy|oxycontin|xanax|lsd|mdma)\s*(?:on|from|off)",
        r"re:(?:poison|poisons|poisoning|poisoned)\s*(?:someone|somebody|my|her|his|a\s*person"
        r"|people|the\s*water|a\s*dog|the\s*neighbou?rs?)",
    ),
}

# Harmless phrases containing a listed word. They are blanked out before the rules run.
BENIGN_PHRASES: tuple[str, ...] = (
    "naked mole rat",
    "naked eye",
    "naked flame",
    "naked cake",
    "naked truth",
    r"re:nude\s*(?:lipstick|heels|colou?r|colou?red|shade|tone|tones|palette|makeup|pumps|beige"
    r"|nail\s*polish|sandals)",
    "bloody mary",
    r"re:killer\s*(?:whale|workout|heels|app|view|look|outfit|smile|deal|instinct|bee|queen"
    r"|sudoku|abs|moves|riff|game|playlist|sale|dance)",
    "suicide squad",
    "suicide prevention",
    "suicide awareness",
    "suicide hotline",
    "sex education",
    "sex ed",
    "same sex",
    "opposite sex",
    r"re:sex\s*of\s*(?:the|a|my)\s*(?:baby|puppy|puppies|kitten|kittens|chick|chicks|foal|calf)",
    "sex pistols",
    "breast cancer",
    "breastfeeding",
    "breast feeding",
    "breaststroke",
    "breast stroke",
    "chicken breast",
    "cum laude",
    "photo shoot",
    "kill it",
    "killing it",
    "killed it",
    "teen titans",
    "child's play",
    "chainsaw massacre",
    "drag race",
    "bath bomb",
    "photo bomb",
    "the bomb",
    "rape seed",
    "rapeseed",
    "trump card",
    "trump cards",
)

# Words the rule patterns are built from, beyond the plain terms above. Normalisation uses the
# whole vocabulary to repair disguised words (``k*ll``, ``a n u d e``).
_PATTERN_WORDS = (
    "kill",
    "killing",
    "murder",
    "shoot",
    "shooting",
    "stab",
    "stabbing",
    "torture",
    "hate",
    "gas",
    "fuck",
    "fucking",
    "bomb",
    "meth",
    "poison",
    "bleach",
    "hang",
    "cut",
    "cutting",
    "slit",
    "wrists",
    "myself",
    "yourself",
    "die",
    "dead",
    "sexy",
    "nude",
    "naked",
    "porn",
    "sex",
    "rape",
    "idiot",
    "loser",
    "stupid",
    "ugly",
    "whore",
    "slut",
    "bitch",
    "worthless",
    "pathetic",
    "freak",
    "jews",
    "muslims",
    "immigrants",
    "refugees",
    "blacks",
    "gays",
    "women",
    "humiliate",
    "mock",
    "bully",
    "harass",
    "stalk",
    "him",
    "her",
    "you",
    "them",
    "gay",
    "gun",
)


def vocabulary() -> frozenset[str]:
    """Every plain word that appears in a term, plus the words the patterns are built from."""
    words: set[str] = set(_PATTERN_WORDS)
    terms = [*MINOR_TERMS, *MINORS_SEXUAL_TERMS, *SEXUAL_CUES]
    terms += [term for group in RULES.values() for term in group]
    for term in terms:
        if not term.startswith("re:"):
            words.update(word.rstrip("*") for word in term.split())
    return frozenset(word for word in words if len(word) >= 3 and re.fullmatch(r"[a-z]+", word))
