"""The built-in topics owners often rule out (politics, romance, weapons …): the words that name
each in a restriction, the prompt words that show it, example scenes for MiniLM, and innocent
phrases that don't count."""

from __future__ import annotations

from dataclasses import dataclass


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
