"""Match a video prompt against a cameo owner's restrictions ("no politics, nothing romantic").

``restriction_conflict(prompt, restrictions)`` returns the owner's clause the prompt breaks, cut
from their own text ("nothing romantic"), or None. How it reads the two texts:

1. The restrictions split into clauses at commas, full stops, semicolons and new lines, and
   into parts at "and", "or", "/" and "&". A part that starts its own negation ("no politics
   and nothing romantic") gets its own quote; otherwise parts share one ("no violence or
   weapons"). Framing words ("no", "never", "don't put me in", "anything", "stuff") are dropped
   to leave the topic. A clause with no topic left ("none", "N/A") rules nothing out.
2. Keywords. A topic word can name one of the built-in ``TOPICS`` ("political" -> politics,
   "guns" -> weapons; "family friendly" names several). Each topic lists prompt words with
   inflections added ("kiss" finds "kissing", "kissed") and innocent phrases that do not count
   ("pillow fight", "smoking a brisket"). The owner's own words are searched for too, except a
   few that are broad on their own ("drinking"). Prompts are read past capitals, accents, leet
   ("p0litics"), spelt-out letters ("v.o.t.e"), stretched letters ("kiiiss"), asterisks
   ("k*ss") and emoji ("🍺" reads as "beer mug"). A keyword match answers without MiniLM.
3. MiniLM (``sora_site.embeddings``). The whole prompt is compared with each topic's name and
   example scenes, or with the owner's phrase where no topic matched: a conflict at
   ``PROMPT_THRESHOLD`` = 0.55 or more. Where no topic matched, the prompt's words and word
   pairs are also compared with the owner's phrase: a conflict at ``WORD_THRESHOLD`` = 0.62
   or more ("kitten" scores 0.74 against "cats", "ballet" 0.71 against "dancing", "flaming"
   0.70 against "fire"). Words are not compared with built-in topics, because single-word
   scores there are noise: "drinking" scores 0.84 against "alcohol", "sipping" 0.63,
   "playing" 0.56 against "sports", "boardwalk" 0.63 against "beachwear".

Thresholds and figures, from ``cameo/tests/data/restrictions.csv`` (445 data rows, 218
conflicts, 119 different restrictions). Rows 1-215 were written first, and the lexicon and
thresholds were built on them. Rows 216-302, 303-379 and 380-445 were then written in three
fresh batches, each scored before anything was changed for it, and their misses were fixed
afterwards:

=============  ====================================  ==================================
rows           fresh, before changes                 now
=============  ====================================  ==================================
1-215          n/a (built on these)                  recall 101/102, false pos. 1/113
216-302        recall 29/44 = 0.66, f.p. 2/43        recall 44/44, f.p. 0/43
303-379        recall 21/39 = 0.54, f.p. 2/38        recall 37/39, f.p. 1/38
380-445        recall 22/33 = 0.67, f.p. 1/33        recall 31/33, f.p. 0/33
all 445        n/a                                   recall 213/218 = 0.977, f.p. 2/227
=============  ====================================  ==================================

So the corpus figures are fitted; on wording nobody has added yet, expect recall nearer 0.55-0.7
with 3-5% false positives. Keywords alone find 204 of the 218 conflicts now; MiniLM adds 9 for
1 false positive ("swimming laps in a wetsuit" against "no swimwear"), and in the fresh batches
MiniLM alone caught 6 conflicts no keyword had (a cliff dive into a lake as swimming, a cola as
soda, a hospital IV as medical). The thresholds sit on flat stretches of the corpus: any word
threshold from 0.58 to 0.64 gives the same counts; a prompt threshold of 0.54-0.55 does too,
0.52 buys one more conflict for one more false alarm, and 0.56 loses one conflict.
Known misses: abstract restrictions ("nothing embarrassing" beyond its word list), breeds and
kinds the lexicon lacks ("a husky" against "no dogs"), and scenes described without any topic
word ("a red rubber nose and giant shoes" against "no clowns").

Cost, on the shared 2-core development box with torch at 1 thread: a keyword match takes
0.1 ms; a check that needs MiniLM takes 12 ms median, 19 ms p90 and 60 ms at worst (one batch
for the prompt, one for its words when a restriction is outside the lexicon); a repeated prompt
costs no model call (vectors are cached). A 2,000-character prompt takes about 125 ms. The first
call loads the model and embeds the lexicon's examples (about 4 s). With torch's default
2 threads the median was 9 ms, but p90 rose to 29 ms and single checks to 0.5 s whenever other
jobs on the box were busy.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Iterable

logger = logging.getLogger(__name__)

# Cosine similarity (all-MiniLM-L6-v2, normalised) at or above which a prompt conflicts.
WORD_THRESHOLD = 0.62
PROMPT_THRESHOLD = 0.55
# Words and word pairs of one prompt compared through MiniLM; bounds the cost of a long prompt.
MAX_WORD_UNITS = 48


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _list(text: str) -> tuple[str, ...]:
    """Comma-separated phrases as a tuple; keeps the long lexicon readable."""
    return tuple(phrase.strip() for phrase in text.split(","))


@dataclass(frozen=True)
class _Topic:
    """A kind of scene owners often rule out, and how a prompt shows it."""

    name: str
    # Words in a restriction that name this topic ("political", "guns").
    aliases: tuple[str, ...]
    # Words in a prompt that show it. Inflections are added ("kiss" also finds "kissing").
    keywords: tuple[str, ...]
    # Short scenes, compared with the whole prompt through MiniLM.
    examples: tuple[str, ...]
    # Innocent uses of a keyword ("pillow fight"); a keyword inside one of these does not count.
    harmless: tuple[str, ...] = ()


_PETS = (
    "pet, dog, puppy, cat, kitten, hamster, rabbit, bunny, parrot, goldfish, guinea pig, "
    "retriever, labrador, poodle, terrier, corgi, dachshund, beagle, chihuahua, tabby"
)
# Animal words that name food or toys.
_TOY_ANIMALS = (r"hot ?dogs?", r"(?:teddy|gummy) bears?", r"corn ?dogs?", r"cat ?walk", r"catfish")

TOPICS: tuple[_Topic, ...] = (
    _Topic(
        "politics",
        aliases=_list("politics, political, politician, election, government, campaigning"),
        keywords=_list(
            "politics, political, politician, election, electoral, president, presidential, prime "
            "minister, senator, senate, congress, congressman, congresswoman, parliament, vote, "
            "ballot, campaign, rally, protest, protester, democrat, republican, governor, mayor, "
            "minister, candidate, debate, polling, referendum, white house, oval office, capitol, "
            "city hall, legislation, diplomat, dictator, chancellor, impeachment, propaganda, "
            "activist, lobbyist, embassy"
        ),
        examples=_list(
            "a politician giving a campaign speech, people voting in an election, a political "
            "protest march, a debate in parliament"
        ),
        harmless=(
            r"vot\w* for (?:the )?best",
            r"bake[- ]off",
        ),
    ),
    _Topic(
        "romance",
        aliases=_list(
            "romance, romantic, romantically, dating, date, love, relationship, flirting, kissing, "
            "intimacy"
        ),
        keywords=_list(
            "bouquet toss, throwing a bouquet, wedding reception, smooch, snog, peck on the lips, "
            "fiance, fiancee, gondola ride for two, serenade, romance, romantic, kiss, make out, "
            "making out, date, first date, boyfriend, girlfriend, lover, sweetheart, honeymoon, "
            "wedding, married, marry, marriage, proposal, propose, engagement, bride, groom, "
            "flirt, valentine, candlelit, in love, love story, love letter, cuddle, snuggle, "
            "anniversary, holding hands, slow dance, slow dancing, dating app, tinder, soulmate"
        ),
        examples=_list(
            "a romantic date, a couple kissing, a candlelit dinner for two, a marriage proposal, "
            "lovers holding hands"
        ),
        harmless=(
            r"(?:kiss|cuddl|snuggl)\w* (?:with |up with )?(?:my|the|a|his|her|our) (?:dog|cat"
            r"|puppy|kitten|pet|baby|grandma|grandpa|mom|dad|mum|teddy)",
        ),
    ),
    _Topic(
        "violence",
        aliases=_list(
            "violence, violent, fighting, fight, gore, blood, killing, murder, brutality, war"
        ),
        keywords=_list(
            "getting shot, shot dead, shot and killed, knock out, knocking someone out, knockout, "
            "chainsaw wielding, maniac, gangster, slaughter, slice through, behead, decapitate, "
            "enemies, mugged, knifepoint, gunpoint, robbery, hold up, shelling, bombing, "
            "explosion, artillery, violence, violent, fight, brawl, punch, beat up, beating, "
            "assault, attack, stab, kill, murder, blood, bloody, gore, gory, war, battle, combat, "
            "massacre, torture, slap, strangle, wrestle, bomb, terrorist, riot, mugging, "
            "execution, hitman, duel, shootout, gunfight, fistfight, thug"
        ),
        examples=_list(
            "people fighting and punching each other, a violent bloody attack, soldiers killing in "
            "battle"
        ),
        harmless=(
            r"(?:pillow|snowball|food|water|water balloon) fight",
            r"punching bag",
            r"arm ?wrestl\w*",
            r"blood (?:drive|donations?|tests?|pressure|oranges?|types?|sugar|banks?)",
            r"donat\w* blood",
            r"rap battle",
        ),
    ),
    _Topic(
        "weapons",
        aliases=_list("weapons, weapon, gun, firearm, knife, sword, explosive, arms"),
        keywords=_list(
            "switchblade, knives, combat knife, bayonet, artillery, musket, slingshot, weapon, "
            "gun, pistol, rifle, shotgun, revolver, handgun, firearm, machine gun, sniper, bullet, "
            "ammo, ammunition, sword, dagger, grenade, bomb, missile, rocket launcher, bazooka, "
            "crossbow, machete, armed, holster, gunfire, shootout, gunfight, cannon, spear, brass "
            "knuckles, taser, flamethrower, ak 47"
        ),
        examples=_list("a person aiming a gun, holding a rifle, swords and weapons"),
        harmless=(
            r"(?:water|nerf|glue|squirt|toy|bubble|staple|nail) guns?",
            r"(?:toy|plastic|foam|inflatable) (?:swords?|guns?|pistols?)",
            r"sword ?fish",
        ),
    ),
    _Topic(
        "military",
        aliases=_list("military, army, soldier, war, troops"),
        keywords=_list(
            "artillery, trench, warplane, fighter jet, air strike, shelling, drone strike, special "
            "forces, military, army, soldier, troops, navy, marines, tank, fatigues, war, "
            "battlefield, platoon, combat, drill sergeant, warzone"
        ),
        examples=_list("soldiers in army uniforms, a military tank in a war zone"),
        harmless=(
            r"fish ?tank",
            r"tank top",
            r"water tank",
        ),
    ),
    _Topic(
        "ads",
        aliases=_list(
            "sell, selling, sales, products, product, merch, ads, ad, advert, advertising, "
            "advertisement, commercial, marketing, sponsorship, sponsored, endorsement, brand "
            "deals, brands, promotion, promo, product placement"
        ),
        keywords=_list(
            "logo, praising the product, brand ambassador, pitch, sell, selling, salesman, product "
            "review, review a product, testimonial, shop now, link in bio, swipe up, ad, advert, "
            "advertisement, advertising, commercial, sponsor, sponsorship, endorse, endorsement, "
            "brand, brand deal, spokesperson, spokesman, promote, promotion, promo, promo code, "
            "discount code, coupon, buy now, buy it now, product placement, infomercial, "
            "billboard, marketing, unboxing, influencer, jingle, slogan, limited time offer"
        ),
        examples=_list(
            "a TV commercial advertising a product, an influencer promoting a brand, buy this "
            "product now"
        ),
    ),
    _Topic(
        "alcohol",
        aliases=_list("alcohol, alcoholic, drinking, booze, drunk, liquor, beer, wine"),
        keywords=_list(
            "merlot, cabernet, chardonnay, pinot, sauvignon, riesling, malbec, clinking glasses, "
            "bartend, nightcap, open bar, wine tasting, alcohol, alcoholic, beer, wine, champagne, "
            "vodka, whiskey, whisky, rum, tequila, cocktail, margarita, martini, liquor, booze, "
            "drunk, tipsy, hangover, pub, brewery, distillery, winery, doing shots, tequila shots, "
            "shot glass, pint, bartender, keg, beer pong, prosecco, sangria, mimosa, bourbon, "
            "scotch, brandy, cider, lager, happy hour"
        ),
        examples=_list("people drinking alcohol at a bar, getting drunk on beer, a glass of wine"),
        harmless=(
            r"root beer",
            r"ginger beer",
            r"pub quiz",
        ),
    ),
    _Topic(
        "drugs",
        aliases=_list("drugs, drug, narcotics, weed, marijuana, cannabis, substances"),
        keywords=_list(
            "light up a joint, acid trip, on acid, dropping acid, drug dealer, crackhead, "
            "hallucinogen, opium, pot brownie, drug, cocaine, heroin, meth, weed, marijuana, "
            "cannabis, smoke a joint, roll a joint, smoke a blunt, roll a blunt, bong, lsd, "
            "ecstasy, mdma, shrooms, magic mushrooms, psychedelic, getting high, get high, stoned, "
            "overdose, ketamine, fentanyl, opioids, narcotics, junkie, snort, edibles, 420, pills, "
            "popping pills, crack pipe"
        ),
        examples=_list(
            "people taking illegal drugs, smoking marijuana, snorting cocaine, getting high at a "
            "party"
        ),
    ),
    _Topic(
        "smoking",
        aliases=_list("smoking, smoke, cigarettes, cigarette, tobacco, vaping, vape, cigars"),
        keywords=_list(
            "smoke rings, tobacco pipe, smoking a pipe, puff, roll up, smoking, smoker, smoked, "
            "cigarette, cigar, cigarillo, vape, vaping, vaper, e cigarette, tobacco, hookah, "
            "ashtray, nicotine, chain smoking"
        ),
        examples=_list("a person smoking a cigarette, vaping on the street"),
        harmless=(
            r"smok\w* (?:a |the |some )?(?:brisket|meat|ribs?|salmon|fish|turkey|pork|ham"
            r"|cheese|sausages?|chicken)",
            r"smoked (?:salmon|meat|ribs?|paprika|cheese|ham|turkey|brisket)",
            r"smoke (?:detector|alarm|machine)",
        ),
    ),
    _Topic(
        "sports",
        aliases=_list("sports, sport, sporting, athletics, athletic"),
        keywords=_list(
            "sport, athlete, athletic, soccer, football, basketball, baseball, tennis, golf, "
            "hockey, rugby, cricket, volleyball, boxing, wrestling, mma, ufc, marathon, triathlon, "
            "olympics, olympic, stadium, referee, goalkeeper, touchdown, home run, slam dunk, "
            "hoops, ski, snowboard, surf, surfing, race, sprint, swim meet, tournament, "
            "championship, league, world cup, super bowl, medal, coach, quarterback, score a goal, "
            "dunk, penalty kick, archery, badminton, ping pong, table tennis, lacrosse, bowling, "
            "rock climbing, karate, judo, taekwondo, gymnastics, figure skating, horse racing, "
            "jockey, playoffs, nba, nfl, fifa, wimbledon, cycling race, rowing race"
        ),
        examples=_list(
            "athletes playing a sports match, a team sport in a stadium, a competitive sports game"
        ),
        harmless=(
            r"human race",
            r"(?:channel )?surf\w* (?:the )?(?:internet|web|net|channels)",
            r"rat race",
            r"sports? cars?",
        ),
    ),
    _Topic(
        "religion",
        aliases=_list("religion, religious, faith, church, worship, spiritual, god"),
        keywords=_list(
            "religion, religious, church, chapel, cathedral, mosque, synagogue, temple, pray, "
            "worship, priest, pastor, vicar, nun, monk, rabbi, imam, pope, papal, bishop, sermon, "
            "catholic mass, bible, quran, koran, torah, jesus, christ, allah, buddha, god, deity, "
            "baptism, baptize, communion, hymn, gospel, crucifix, rosary, sacred, holy, saint, "
            "pilgrimage, mecca, vatican, bar mitzvah, bat mitzvah, menorah, hanukkah, passover, "
            "seder, sabbath, ramadan, eid, diwali, christening, nativity, crucifixion, buddhist, "
            "hindu, christian, muslim, jewish, sikh, catholic, evangelical, kippah, yarmulke, "
            "prayer mat, psalm, scripture, preacher, reverend, missionary, convent, monastery, "
            "gurdwara, shrine"
        ),
        examples=_list(
            "people praying in a church, a religious ceremony, a priest worshipping god"
        ),
    ),
    _Topic(
        "horror",
        aliases=_list(
            "horror, scary, frightening, creepy, spooky, terrifying, fear, monsters, ghosts, gore"
        ),
        keywords=_list(
            "flickering lights, whispers in the dark, maniac, chainsaw wielding, haunting, horror, "
            "scary, scare, spooky, creepy, terrifying, frightening, haunted, haunt, ghost, zombie, "
            "vampire, werewolf, monster, demon, possessed, exorcism, slasher, serial killer, "
            "undead, nightmare, poltergeist, graveyard, jump scare, ghoul, masked killer, killer, "
            "skeleton, grave, gravestone, tombstone, crypt, coffin, corpse, dead body, glowing "
            "eyes, eerie, sinister, menacing, lurking, shadowy figure, demonic, cursed, ouija, "
            "bloodcurdling"
        ),
        examples=_list(
            "a scary horror movie scene, a monster attacking in the dark, a haunted house with "
            "ghosts"
        ),
        harmless=(
            r"killer whales?",
            r"killer (?:app|deal|smile|view)s?",
        ),
    ),
    _Topic(
        "swimwear",
        aliases=_list(
            "swimwear, swimsuit, bathing suit, bikini, swimming costume, beachwear, bathers"
        ),
        keywords=_list(
            "two piece, one piece swimsuit, board shorts, swimwear, swimsuit, bathing suit, "
            "bikini, speedo, swim trunks, swimming costume, tankini, thong"
        ),
        examples=_list("a person in a bikini at the beach, wearing a swimsuit by the pool"),
    ),
    _Topic(
        "underwear",
        aliases=_list("underwear, lingerie, undies, underclothes, underpants"),
        keywords=_list(
            "underwear, lingerie, bra, panties, boxers, boxer shorts, thong, undies, knickers, "
            "underpants, briefs"
        ),
        examples=_list("a person in their underwear, wearing lingerie"),
    ),
    _Topic(
        "revealing",
        aliases=_list("revealing, nudity, nude, naked, skimpy, suggestive, shirtless, topless"),
        keywords=_list(
            "skinny dipping, streaking, in the nude, undressed, undressing, unclothed, buck naked, "
            "naked, nude, nudity, topless, shirtless, bare chested, skimpy, revealing, low cut, "
            "cleavage, plunging neckline, see through, bikini, lingerie, underwear, swimsuit, "
            "speedo"
        ),
        examples=_list("a person wearing very revealing clothes, a shirtless person"),
    ),
    _Topic(
        "sexual",
        aliases=_list("sexual, sex, sexy, nsfw, explicit, porn, erotic, adult"),
        keywords=_list(
            "topless, nudity, naked, lap dance, only fans, sultry, satin sheets, bedroom eyes, "
            "lustful, raunchy, naughty, kinky, sensual, sex, sexual, sexy, erotic, porn, "
            "pornographic, nsfw, xxx, nude, naked, striptease, stripping, stripper, strip club, "
            "seductive, seduce, sensual, steamy, bedroom scene, sex scene, fetish, bdsm, onlyfans, "
            "lap dance, pole dance, making out, hooking up, one night stand, provocative, lingerie"
        ),
        examples=_list("a sexual scene in a bedroom, a seductive striptease"),
    ),
    _Topic(
        "gambling",
        aliases=_list("gambling, gamble, betting, casino, casinos"),
        keywords=_list(
            "gambling, gamble, gambler, casino, poker, blackjack, roulette, slot machine, lottery, "
            "lotto, bet, betting, bookie, sportsbook, jackpot, craps, wager"
        ),
        examples=_list("people gambling in a casino, placing bets on a roulette table"),
    ),
    _Topic(
        "junk food",
        aliases=_list("junk food, fast food, unhealthy food"),
        keywords=_list(
            "junk food, fast food, burger, hamburger, cheeseburger, fries, pizza, hot dog, soda, "
            "candy, chips, donut, doughnut, nachos, fried chicken, milkshake, mcdonalds, drive "
            "thru"
        ),
        examples=_list("eating greasy fast food, a pile of burgers and fries"),
    ),
    _Topic(
        "children",
        aliases=_list("children, child, kids, kid, minors, babies, toddlers"),
        keywords=_list(
            "graders, first graders, schoolkid, pupils, kiddo, kids, child, children, kid, "
            "toddler, baby, infant, kindergarten, preschool, schoolchildren, youngster, newborn, "
            "babysit, babysitting, nursery, daycare, schoolkids, little ones"
        ),
        examples=_list("a group of small children, a classroom full of kids"),
    ),
    _Topic(
        "pets",
        aliases=_list("pets, pet"),
        keywords=_list(_PETS),
        examples=_list("a person cuddling their pet, a dog and a cat at home"),
        harmless=_TOY_ANIMALS,
    ),
    _Topic(
        "animals",
        aliases=_list("animals, animal, wildlife, creatures, zoo"),
        keywords=_list(_PETS)
        + _list(
            "animal, wildlife, horse, pony, donkey, cow, pig, sheep, goat, lion, tiger, bear, "
            "elephant, monkey, giraffe, zebra, wolf, fox, deer, squirrel, owl, eagle, duck, goose, "
            "dolphin, whale, shark, snake, lizard, frog, farm animals, zoo, safari"
        ),
        examples=_list("a person with animals at a farm, wild animals at the zoo"),
        harmless=_TOY_ANIMALS,
    ),
    _Topic(
        "spiders",
        aliases=_list("spiders, spider, arachnids, bugs, creepy crawlies"),
        keywords=_list(
            "spider, tarantula, arachnid, cobweb, spiderweb, black widow, scorpion, daddy long legs"
        ),
        examples=_list("a big hairy spider crawling on someone"),
        harmless=(r"spider ?man",),
    ),
    _Topic(
        "snakes",
        aliases=_list("snakes, snake, serpents, reptiles"),
        keywords=_list(
            "snake, serpent, python, cobra, viper, rattlesnake, boa, anaconda, adder, mamba"
        ),
        examples=_list("a snake wrapped around someone"),
        harmless=(
            r"python (?:code|programming|script|developer)s?",
            r"monty python",
        ),
    ),
    _Topic(
        "needles",
        aliases=_list("needles, needle, injections, injection, syringes, vaccines, jabs"),
        keywords=_list(
            "needle, syringe, injection, inject, vaccine, vaccination, flu shot, jab, tattoo, "
            "piercing, acupuncture, blood test, iv drip, sewing, stitches"
        ),
        examples=_list("a nurse giving an injection with a needle, getting a tattoo"),
    ),
    _Topic(
        "clowns",
        aliases=_list("clowns, clown, jesters, mimes"),
        keywords=_list("clown, jester, mime, harlequin, red nose, clown makeup, big floppy shoes"),
        examples=_list("a clown with face paint and a red nose at the circus"),
    ),
    _Topic(
        "heights",
        aliases=_list("heights, height, high places, tall buildings, falling"),
        keywords=_list(
            "skydiving, skydive, skydiver, bungee, cliff edge, ledge, rooftop, skyscraper, hot air "
            "balloon, tightrope, parachute, zip line, zipline, base jumping, high wire, rock "
            "climbing, mountain peak, observation deck, edge of a cliff, top of a tower"
        ),
        examples=_list(
            "standing on the edge of a tall cliff, looking down from a skyscraper, skydiving from "
            "a plane"
        ),
    ),
    _Topic(
        "profanity",
        aliases=_list("profanity, swearing, swear words, cursing, bad language, vulgar, crude"),
        keywords=_list(
            "flipping off, flip off, flipping the bird, the finger, profanity, swear, swearing, "
            "cursing, curse words, vulgar, obscene, f word, fuck, shit, bitch, bastard, asshole, "
            "middle finger"
        ),
        examples=_list("a person swearing and cursing, shouting obscenities"),
    ),
    _Topic(
        "humiliation",
        aliases=_list(
            "embarrassing, embarrass, humiliating, humiliation, unflattering, mocking, mock, "
            "making fun, look stupid, look dumb, look bad, look ugly, look fat"
        ),
        keywords=_list(
            "face first, slip on a banana peel, pie in the face, make fun of, laughed at, clumsy, "
            "buffoon, bumbling, embarrassing, embarrassed, humiliating, humiliated, humiliation, "
            "mocked, ridiculed, laughingstock, trip and fall, tripping, falling over, faceplant, "
            "pratfall, wedgie, pants fall down, ugly, stupid, dumb, idiot, fool, loser, drooling, "
            "vomiting, farting, wet myself, pee myself"
        ),
        examples=_list(
            "a person being humiliated in public, everyone laughing at someone who fell over, an "
            "unflattering embarrassing moment"
        ),
    ),
)


# --- Reading the owner's restrictions ------------------------------------------------------------

_CLAUSE_SPLIT_RE = re.compile(r"[\n\r;,.!?•·]+|\s+[-–—]\s+")
_PART_SPLIT_RE = re.compile(r"\s+(?:and|or|nor|&|\+)\s+|\s*[/&+]\s*", re.IGNORECASE)
_NEGATION_RE = re.compile(
    r"^(?:please\s+|absolutely\s+|i\s+|i['’]?m\s+)?(?:no|not|nothing|never|none|don['’]?t|do\s+not|avoid"
    r"|without|zero|stay\s+away)\b",
    re.IGNORECASE,
)
_QUOTE_TRIM = " \t'\"“”‘’()[]:*-"
# Words that frame a restriction rather than name what is ruled out.
_FILLER_WORDS = _words(
    """no not nothing never none nope dont do does did avoid without zero any anything
    something stuff things thing content material please i me my myself be being put puts
    putting use using used want wanna to in into on with of about around involving involve
    related featuring feature show showing shown kind kinds sort type types a an the allowed
    ok okay ever at all anywhere scenes scene videos video clips clip situations situation etc
    that this is are where like appear appearing stay away from na whatsoever ones im comfortable
    uncomfortable hate dislike rather would prefer keep out it please wont cant refuse allow
    mind should must shouldnt ask asked you your restrictions restriction limits limit rules
    goes fine"""
)
# Owner's words too broad to search prompts for, though they name a topic: "no drinking" means
# alcohol, but "drinking lemonade" is fine.
_BROAD_WORDS = _words(
    "drinking drink drinks drinker adult adults shots arms explicit clean smoke smoking"
)
# Phrases that rule out several topics at once.
_UMBRELLAS: dict[str, tuple[str, ...]] = {
    phrase: (
        "violence",
        "weapons",
        "sexual",
        "revealing",
        "drugs",
        "alcohol",
        "horror",
        "profanity",
    )
    for phrase in ("family friendly", "kid friendly", "pg", "wholesome", "child friendly")
}


@dataclass(frozen=True)
class _Restricted:
    """One thing an owner ruled out, with the owner's words to quote back."""

    quote: str
    words: tuple[str, ...]
    topics: tuple[_Topic, ...]

    @property
    def phrase(self) -> str:
        return " ".join(self.words)


@lru_cache(maxsize=1024)
def _read_restrictions(restrictions: str) -> tuple[_Restricted, ...]:
    read: list[_Restricted] = []
    for clause in _CLAUSE_SPLIT_RE.split(restrictions):
        for quote, parts in _quotable_pieces(clause):
            for part in parts:
                words = _topic_words(part)
                if words:
                    read.append(_Restricted(quote, words, _topics_named(words)))
    return tuple(read)


def _quotable_pieces(clause: str) -> list[tuple[str, list[str]]]:
    """Split at "and"/"or"; a part that starts its own negation gets its own quote.

    "no violence or weapons" stays one quote with two parts; "no politics and nothing romantic"
    becomes two quotes. Quotes are cut from the owner's text, so their wording is kept.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for separator in _PART_SPLIT_RE.finditer(clause):
        spans.append((start, separator.start()))
        start = separator.end()
    spans.append((start, len(clause)))
    groups: list[list[tuple[int, int]]] = []
    for begin, end in spans:
        text = clause[begin:end].strip(_QUOTE_TRIM)
        if not text:
            continue
        if groups and not _NEGATION_RE.match(text):
            groups[-1].append((begin, end))
        else:
            groups.append([(begin, end)])
    return [
        (
            " ".join(clause[group[0][0] : group[-1][1]].strip(_QUOTE_TRIM).split()),
            [clause[begin:end] for begin, end in group],
        )
        for group in groups
    ]


def _topic_words(part: str) -> tuple[str, ...]:
    words = _tokens(_normalise(part))
    return tuple(word for word in words if word not in _FILLER_WORDS and len(word) > 1)


def _topics_named(words: tuple[str, ...]) -> tuple[_Topic, ...]:
    """Built-in topics the owner's words name: "political" names politics, "guns" weapons."""
    umbrella = {
        name
        for phrase, names in _UMBRELLAS.items()
        if _phrase_found(list(words), _phrase_forms(phrase.split(), reduce=False))
        for name in names
    }
    if umbrella:
        # "kid friendly" rules out what is unfit for kids, not kids.
        return tuple(topic for topic in TOPICS if topic.name in umbrella)
    return tuple(
        topic
        for topic in TOPICS
        if any(
            _phrase_found(list(words), _phrase_forms(_tokens(alias), reduce=True))
            for alias in topic.aliases
        )
    )


# --- Reading words the way people write them -----------------------------------------------------

_LEET = str.maketrans("013457@$|", "oieastasl")
# "v.o.t.e", "s-e-x", "k i s s": letters spelt out one at a time to dodge a filter.
_SPELT_OUT_RE = re.compile(
    r"(?<![a-z0-9])[a-z](?:[.\-_*][a-z]){2,}(?![a-z0-9])"
    r"|(?<![a-z0-9])[a-z](?: [a-z]){3,}(?![a-z0-9])"
)
# A run of letters with digits or symbols standing in for some ("p0litics", "$ex", "b00ze").
_LEET_RUN_RE = re.compile(r"[a-z0-9@$|]*[a-z][a-z0-9@$|]*(?:!+[a-z0-9@$|]+)*")
_TOKEN_RE = re.compile(r"[a-z0-9*]*[a-z0-9][a-z0-9*]*")
_REPEAT_RE = re.compile(r"([a-z])\1{2,}")
_VOWELS = frozenset("aeiou")


def _normalise(text: str) -> str:
    """Lower-case ASCII words: accents dropped, emoji named, spelt-out and leet words rejoined."""
    text = "".join(_plain_char(char) for char in unicodedata.normalize("NFKD", text))
    text = unicodedata.normalize("NFKC", text).lower()
    text = _SPELT_OUT_RE.sub(lambda m: re.sub(r"[.\-_* ]", "", m.group()), text)
    text = _LEET_RUN_RE.sub(lambda m: m.group().replace("!", "i").translate(_LEET), text)
    text = re.sub(r"'s\b", "", text).replace("'", "")
    return re.sub(r"[-_–—]", " ", text)


def _plain_char(char: str) -> str:
    category = unicodedata.category(char)
    if category == "Mn":
        return ""
    if category == "So":
        # Emoji by name: "🍺" reads as "beer mug", "🔫" as "pistol".
        return f" {unicodedata.name(char, '').lower()} "
    return {"’": "'", "‘": "'"}.get(char, char)


def _tokens(text: str) -> list[str]:
    return _TOKEN_RE.findall(text)


@lru_cache(maxsize=8192)
def _variants(token: str) -> frozenset[str]:
    """The token, and the token with stretched letters squeezed ("kiiiss", "booooze")."""
    return frozenset({token, _REPEAT_RE.sub(r"\1", token), _REPEAT_RE.sub(r"\1\1", token)})


def _inflections(word: str) -> set[str]:
    forms = {word, word + "s", word + "es", word + "ing", word + "ed", word + "er"}
    if word.endswith("e") and not word.endswith("ee"):
        stem = word[:-1]
        forms |= {stem + "ing", word + "d", word + "r"}
    if word.endswith(("fe", "f")):
        forms.add(word.removesuffix("e").removesuffix("f") + "ves")
    if word.endswith("y") and len(word) > 2 and word[-2] not in _VOWELS:
        forms |= {word[:-1] + "ies", word[:-1] + "ied"}
    if word.endswith("y"):
        forms.add(word[:-1] + "ily")
    elif word.endswith("le"):
        forms.add(word[:-1] + "y")
    elif word.endswith("ic"):
        forms.add(word + "ally")
    else:
        forms.add(word + "ly")
    if _ends_short_syllable(word):
        forms |= {word + word[-1] + "ing", word + word[-1] + "ed"}
    return forms


def _ends_short_syllable(word: str) -> bool:
    """Whether the last consonant doubles before -ing and -ed ("stab", "bet", "gun")."""
    return (
        len(word) >= 3
        and word[-1] not in _VOWELS | {"w", "x", "y"}
        and word[-2] in _VOWELS
        and word[-3] not in _VOWELS
    )


def _bases(word: str) -> set[str]:
    """Possible dictionary forms of an owner's word: "clowns" -> clown, "dancing" -> dance."""
    bases = {word}
    if word.endswith("ies") and len(word) > 4:
        bases.add(word[:-3] + "y")
    elif word.endswith(("ses", "xes", "zes", "ches", "shes")):
        bases.add(word[:-2])
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        bases.add(word[:-1])
    for suffix in ("ing", "ed"):
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and len(stem) >= 3:
            bases |= {stem, stem + "e"}
            if len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in "lsz":
                bases.add(stem[:-1])
    return bases


@lru_cache(maxsize=8192)
def _word_forms(word: str, reduce: bool) -> frozenset[str]:
    bases = _bases(word) if reduce else {word}
    return frozenset(form for base in bases for form in _inflections(base))


def _phrase_forms(words: Iterable[str], reduce: bool) -> tuple[frozenset[str], ...]:
    return tuple(_word_forms(word, reduce) for word in words)


def _phrase_found(tokens: list[str], forms: tuple[frozenset[str], ...]) -> bool:
    width = len(forms)
    seen = _seen(tuple(tokens))
    # Most keywords are nowhere in the prompt; a set lookup says so before any scan.
    if seen is not None and any(seen.isdisjoint(form) for form in forms):
        return False
    return width > 0 and any(
        all(_token_is(tokens[start + k], forms[k]) for k in range(width))
        for start in range(len(tokens) - width + 1)
    )


@lru_cache(maxsize=256)
def _seen(tokens: tuple[str, ...]) -> frozenset[str] | None:
    """Every spelling the tokens could stand for, or None when a wildcard makes that open."""
    if any("*" in token for token in tokens):
        return None
    return frozenset(variant for token in tokens for variant in _variants(token))


def _token_is(token: str, forms: frozenset[str]) -> bool:
    if "*" in token:
        # "k*ss", "p*rn": each star stands for one or two letters.
        pattern = re.compile(re.escape(token).replace(r"\*", "[a-z]{1,2}"))
        return any(pattern.fullmatch(form) for form in forms)
    return not _variants(token).isdisjoint(forms)


# --- Matching -----------------------------------------------------------------------------------

# Words a prompt is made of that say nothing about its topic.
_PROMPT_STOPWORDS = _words(
    """a an the and or but of in on at to from by with without for into onto over under as is
    are was were be been being it its this that these those there here his her their our your
    my me i we us you he she they them him myself someone something some any all each every one
    up down out about then than when while where who what which how very so too just really
    quite near next around through across toward towards beside behind between after before
    during again also only own same other another two three few many much more most doing does
    did do having has have get gets getting make makes making video clip shot scene showing
    shows style looking look looks like new old big small little"""
)


@dataclass(frozen=True)
class _Prompt:
    text: str
    tokens: list[str]
    units: list[str]


def _read_prompt(prompt: str) -> _Prompt:
    text = " ".join(_normalise(prompt).split())
    tokens = _tokens(text)
    content = [t for t in tokens if t not in _PROMPT_STOPWORDS and "*" not in t and len(t) > 1]
    pairs = [f"{a} {b}" for a, b in zip(content, content[1:], strict=False)]
    return _Prompt(text, tokens, list(dict.fromkeys(content + pairs)))


def _keyword_hit(prompt: _Prompt, restricted: _Restricted) -> bool:
    if any(_topic_hit(prompt, topic) for topic in restricted.topics):
        return True
    # The owner's own words count too ("no guns or knives" finds "a knife"), read past the
    # innocent phrases of the topics they name.
    own = tuple(word for word in restricted.words if word not in _BROAD_WORDS)
    if not own:
        return False
    tokens = prompt.tokens
    harmless = tuple(pattern for topic in restricted.topics for pattern in topic.harmless)
    if harmless:
        tokens = _tokens(_harmless_re(harmless).sub(" ~ ", prompt.text))
    return _phrase_found(tokens, _phrase_forms(own, reduce=True))


def _topic_hit(prompt: _Prompt, topic: _Topic) -> bool:
    tokens = prompt.tokens
    if topic.harmless:
        tokens = _tokens(_harmless_re(topic.harmless).sub(" ~ ", prompt.text))
    return any(_phrase_found(tokens, forms) for forms in _keyword_forms(topic))


@cache
def _keyword_forms(topic: _Topic) -> tuple[tuple[frozenset[str], ...], ...]:
    return tuple(_phrase_forms(_tokens(_normalise(k)), reduce=False) for k in topic.keywords)


@cache
def _harmless_re(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(rf"\b(?:{pattern})\b" for pattern in patterns))


# --- MiniLM -------------------------------------------------------------------------------------

_VECTORS: dict[str, np.ndarray] = {}
_MAX_CACHED_VECTORS = 20_000
_SHORT_TEXT = 40


def _vectors(texts: list[str]) -> np.ndarray:
    """Embeddings for ``texts``, computing the ones not seen before.

    Short texts (words, word pairs) and longer ones go in separate batches: a batch is padded
    to its longest text, and padding 48 words to a 1,000-character prompt costs a second.
    """
    missing = [text for text in dict.fromkeys(texts) if text not in _VECTORS]
    if len(_VECTORS) + len(missing) > _MAX_CACHED_VECTORS:
        _VECTORS.clear()
    for batch in (
        [text for text in missing if len(text) <= _SHORT_TEXT],
        [text for text in missing if len(text) > _SHORT_TEXT],
    ):
        if batch:
            from sora_site.embeddings import embed_texts

            _VECTORS.update(zip(batch, embed_texts(batch), strict=True))
    return np.stack([_VECTORS[text] for text in texts])


@cache
def _warm_topic_vectors() -> None:
    """Embed every topic's name and examples in one batch, once per process."""
    _vectors([text for topic in TOPICS for text in (topic.name, *topic.examples)])


def _prompt_targets(restricted: _Restricted) -> list[str]:
    if not restricted.topics:
        return [restricted.phrase]
    # A named topic is compared by its name and examples, not by the owner's word: "drinking"
    # means alcohol here, and "drinking lemonade" must not come out close to it.
    return [text for topic in restricted.topics for text in (topic.name, *topic.examples)]


@dataclass(frozen=True)
class RestrictionScore:
    """How close a prompt came to one restriction, for tests and for explaining a refusal."""

    quote: str
    keyword: bool
    word_score: float
    prompt_score: float

    @property
    def conflict(self) -> bool:
        return (
            self.keyword
            or self.word_score >= WORD_THRESHOLD
            or self.prompt_score >= PROMPT_THRESHOLD
        )


def restriction_scores(prompt: str, restrictions: str) -> list[RestrictionScore]:
    """Score ``prompt`` against each thing the owner ruled out, in the owner's order."""
    read = _read_restrictions(restrictions or "")
    if not read or not (prompt or "").strip():
        return []
    return _scores(_read_prompt(prompt), read)


def restriction_conflict(prompt: str, restrictions: str) -> str | None:
    """The owner's restriction that ``prompt`` conflicts with, in their words, or None.

    The caller quotes it back: ``@alice's cameo can't be used for this: "no politics".``
    A keyword match answers without running MiniLM; otherwise the closest restriction over a
    threshold is quoted.
    """
    read = _read_restrictions(restrictions or "")
    if not read or not (prompt or "").strip():
        return None
    parsed = _read_prompt(prompt)
    for item in read:
        if _keyword_hit(parsed, item):
            return item.quote
    hits = [score for score in _scores(parsed, read, keywords=False) if score.conflict]
    return max(hits, key=_margin).quote if hits else None


def _scores(
    prompt: _Prompt, read: tuple[_Restricted, ...], keywords: bool | None = None
) -> list[RestrictionScore]:
    """Scores for each restriction; ``keywords`` passes on keyword results known already."""
    semantic = _semantic_scores(prompt, read)
    return [
        RestrictionScore(
            item.quote, _keyword_hit(prompt, item) if keywords is None else keywords, *scores
        )
        for item, scores in zip(read, semantic, strict=True)
    ]


def _margin(score: RestrictionScore) -> float:
    return max(score.word_score - WORD_THRESHOLD, score.prompt_score - PROMPT_THRESHOLD)


def _semantic_scores(prompt: _Prompt, read: tuple[_Restricted, ...]) -> list[tuple[float, float]]:
    try:
        _warm_topic_vectors()
        # Single words are compared only with topics the lexicon does not know: for known
        # topics the keywords do that job, and word scores there are noise ("drinking" is
        # 0.84 from "alcohol", "playing" 0.56 from "sports").
        words = prompt.units[:MAX_WORD_UNITS] if any(not i.topics for i in read) else []
        vectors = _vectors([prompt.text, *words])
        units = vectors[1:] if words else None
        return [_item_scores(vectors[0], units, item) for item in read]
    except (ImportError, OSError, RuntimeError) as exc:
        # A missing model must not break generation; the keyword lexicon still applies.
        logger.warning("MiniLM unavailable, checking restrictions by keywords only: %s", exc)
        return [(-1.0, -1.0)] * len(read)


def _item_scores(
    whole: np.ndarray, units: np.ndarray | None, item: _Restricted
) -> tuple[float, float]:
    prompt_score = float((_vectors(_prompt_targets(item)) @ whole).max())
    if item.topics or units is None:
        return -1.0, prompt_score
    return float((units @ _vectors([item.phrase])[0]).max()), prompt_score
