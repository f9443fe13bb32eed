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
    # Word senses: a keyword with other meanings, and words that show one of those meanings.
    # "date" near "fruit" or "calendar" is not a romantic date; the keyword does not count when
    # any of these words (or their inflections) is in the prompt.
    senses: tuple[tuple[str, str], ...] = ()


_PETS = (
    "pet, dog, puppy, cat, kitten, hamster, rabbit, bunny, parrot, goldfish, guinea pig, "
    "retriever, labrador, poodle, terrier, corgi, dachshund, beagle, chihuahua, tabby"
)
# Animal words that name food or toys.
_TOY_ANIMALS = (
    r"hot ?dogs?",
    r"(?:teddy|gummy|care) bears?",
    r"corn ?dogs?",
    r"cat ?walk",
    r"catfish",
    r"(?:downward|upward) (?:facing )?dogs?",
    r"cat[ -]?eye",
    r"dog[ -]?ear\w*",
    r"bull'?s[ -]?eye",
    r"(?:top|under|sea|hot|lucky) dogs?",
    r"(?:red )?bull (?:market|energy)|red bull",
    r"(?:duck|chicken) (?:soup|nuggets?|curry|salad|wings?|breast|sandwich|pie)",
    r"(?:dolphin|butterfly) (?:kick|stroke)",
)

# "Nude" and "naked" as a colour or a plain style.
_BARE_WORDS_HARMLESS = (
    r"nude (?:heels|lipstick|lip|shoes|pumps|tights|colou?r|tones?|palette|nails?|polish|makeup"
    r"|shade)s?|naked (?:eye|cake|truth|flame)",
)

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
            r"(?:class|student|club|council|company|team|school|sorority|fraternity|fan club)"
            r" (?:\w+ )?president|president of (?:the |her |his )?(?:class|club|school|student)",
        ),
        senses=(
            ("rally", "car cars driver racing race tennis desert stock shares market"),
            ("city hall", "married marry marrying wedding licence license"),
            (
                "campaign",
                "dungeons dragons game games rpg tabletop ad ads advertising marketing fundraising "
                "kickstarter crowdfunding",
            ),
            ("debate", "club team class school pizza toppings movie roommates siblings"),
            (
                "candidate",
                "job interview interviewing hire hiring recruit recruiter applicant resume",
            ),
            ("protest", "toddler baby kid kids child bedtime vegetables bath nap cat dog"),
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
            "anniversary, holding hands, slow dance, slow dancing, dating app, tinder, soulmate, "
            "passionate embrace, passionate kiss, embrace, lovebirds, newlyweds, vow renewal, "
            "crush, date night, dinner date, blind date, speed dating, french kiss, caress, "
            "spooning, romantically, intimate, rose petals, swoon, wooing, courting, renew their "
            "vows, renewing their vows, wedding vows, walk down the aisle"
        ),
        examples=_list(
            "a romantic date, a couple kissing, a candlelit dinner for two, a marriage proposal, "
            "lovers holding hands"
        ),
        harmless=(
            r"(?:kiss|cuddl|snuggl|embrac)\w* (?:with |up with )?(?:my|the|a|his|her|our) (?:dog"
            r"|cat|puppy|kitten|pet|baby|grandma|grandpa|grandmother|grandfather|mom|dad|mum"
            r"|mother|father|son|daughter|teddy)",
            r"embrac\w* (?:the |a |new )?(?:change|challenge|chaos|culture|moment|future)",
            r"hold\w* hands with (?:my |her |his |their |a |the )?(?:little |baby |big |younger "
            r"|older )?(?:brother|sister|son|daughter|mom|dad|mum|grandma|grandpa|kids?|child"
            r"|children|toddler|nephew|niece|friends?)",
            r"(?:snuggl|cuddl)\w* (?:up )?(?:in|under|into|on) (?:a |the |her |his |my )?(?:cozy "
            r"|cosy |warm |soft )?(?:blanket|duvet|bed|sofa|couch|sleeping bag|hoodie|sweater)",
            r"crush\w* (?:it|ice|cans?|garlic|grapes|the (?:competition|game|test|exam))",
            r"(?:dog|cat|animal|coffee|book|music|food|nature|art|pet|wine|plant|horse)s? lovers?",
            r"play ?dates?|up to date",
            r"propos\w* a toast",
        ),
        senses=(
            (
                "date",
                "fruit market palm eat calendar diary deadline due appointment dentist doctor "
                "expiry expiration save release stamp loaf cake smoothie medjool dried nut snack",
            ),
            ("dating", "carbon radiocarbon fossil bone rock artifact artefact"),
            ("dates", "fruit market palm eat calendar diary deadline due appointment medjool"),
            (
                "wedding",
                "photograph photographer filming videographer guest caterer catering cake planner "
                "florist dj band officiant friend sister brother cousin aunt uncle colleague "
                "bridesmaid usher waiter waitress serve",
            ),
            ("intimate", "concert gig venue acoustic gathering"),
            ("anniversary", "company business store shop firm school club office founding"),
            ("groom", "horse pony dog poodle pet fur coat mane stables salon beard"),
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
            "execution, hitman, duel, shootout, gunfight, fistfight, thug, bottle over, over the "
            "head, glassed, headbutt, choke, chokehold, pummel, kick someone, kicking a man, "
            "stomp on, beat, hit someone, jumped by, shove, shoved, assault rifle, bar fight, "
            "gang fight"
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
            r"kill\w* it\b",
            r"(?:beat|battl|fight)\w* (?:back )?(?:the )?(?:tears|traffic|heat|odds|record|clock"
            r"|cancer|illness|cold|flu|boredom|fatigue)",
            r"bead battle|battle of the bands|pillow war|water war",
            r"(?:nerf|water|pillow|snowball|dance|bake|rap|lip sync|cooking|paintball|laser tag"
            r"|balloon|tickle|thumb|staring) (?:battle|fight|war)s?",
            r"(?:take|taking|takes|took|have|having|has|had) a stab at",
            r"(?:bath|photo|glitter|seed|cherry|flavou?r|calorie) ?bombs?|da bomb",
            r"(?:fruit|fruity|hawaiian|party) punch|punch ?bowls?|bowl of punch|punch ?lines?"
            r"|punch\w* (?:a |the )?(?:clock|card|ticket|holes?|dough|numbers)",
            r"kill\w* time",
            r"explosion of (?:colou?rs?|flavou?rs?|confetti|glitter|joy|sound|laughter)"
            r"|(?:colou?r|flavou?r|confetti) explosion",
        ),
        senses=(
            (
                "beat",
                "egg eggs batter cream drum drums heart record dough whisk bowl music song dj "
                "rhythm chess game match race quiz cards scrabble contest competition tournament",
            ),
            (
                "beating",
                "egg eggs batter cream drum drums heart record dough whisk bowl music song dj "
                "rhythm chess game match race quiz cards scrabble contest competition tournament",
            ),
            ("choke", "pressure food laughter cough smoke"),
            ("stomp on", "grapes grape wine"),
            ("attack", "panic heart asthma allergy"),
        ),
    ),
    _Topic(
        "weapons",
        aliases=_list("weapons, weapon, gun, firearm, knife, sword, explosive, arms"),
        keywords=_list(
            "switchblade, knives, combat knife, bayonet, artillery, musket, slingshot, weapon, "
            "gun, pistol, rifle, shotgun, revolver, handgun, firearm, machine gun, sniper, bullet, "
            "ammo, ammunition, sword, dagger, grenade, bomb, missile, rocket launcher, bazooka, "
            "crossbow, machete, armed robber, armed men, armed guard, heavily armed, armed to the "
            "teeth, holster, gunfire, shootout, gunfight, cannon, spear, brass knuckles, taser, "
            "flamethrower, ak 47, bow and arrow, bow and arrows, arrows, archer, katana, "
            "nunchucks, battle axe, tomahawk, blade, firing a gun, trigger, six shooter"
        ),
        examples=_list("a person aiming a gun, holding a rifle, swords and weapons"),
        harmless=(
            r"(?:water|nerf|glue|squirt|toy|bubble|staple|nail) guns?",
            r"(?:toy|plastic|foam|inflatable) (?:swords?|guns?|pistols?)",
            r"sword ?fish",
            r"(?:heat|caulk|massage|spray|radar|price|label) guns?",
            r"trigger (?:warning|happy)",
            r"bullet (?:journals?|points?|trains?|proof)|bulleted",
            r"blade of grass|blades of grass|razor blade|skate blades?|roller ?blad\w*",
            r"(?:fan|turbine|propeller|rotor|saw|mower|shoulder) blades?|blade runner",
        ),
        senses=(("arrows", "sign signs map keys keyboard direction follow"),),
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
            "sponsored, paid partnership, affiliate link, shopping haul, haul video, brand "
            "partner, billboard, marketing, unboxing, influencer, jingle, slogan, limited time "
            "offer"
        ),
        examples=_list(
            "a TV commercial advertising a product, an influencer promoting a brand, buy this "
            "product now"
        ),
        harmless=(
            r"brand ?new",
            r"lemonade stand",
            r"yard sale",
            r"garage sale",
            r"bake sale",
            r"promoted to|(?:got|gets|getting|get) promoted|promotion (?:at|to)"
            r"|celebrat\w+ (?:her |his |a |their )?(?:job )?promotion",
            r"commercial (?:flights?|kitchens?|pilots?|airlines?|airliners?|fishing|buildings?"
            r"|district|street|area|property|zone|real estate|vehicles?|trucks?|banks?)",
        ),
        senses=(
            ("brand", "cattle cow cows ranch livestock iron herd calf"),
            ("branding", "cattle cow cows ranch livestock iron herd calf"),
            ("pitch", "tent football soccer cricket rugby baseball perfect field"),
            ("logo", "design designing designer draw drawing sketch sketching club school team"),
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
            "scotch, brandy, cider, lager, happy hour, glass of bubbly, bottle of bubbly, sake, "
            "soju, aperol, negroni, daiquiri, pina colada, mojito, gin, gin and tonic, bar crawl, "
            "pub crawl, getting wasted, totally wasted, getting hammered, beer stein, stein, ipa, "
            "ale, boozy, sommelier, wine glass, jello shots, drinking game"
        ),
        examples=_list("people drinking alcohol at a bar, getting drunk on beer, a glass of wine"),
        harmless=(
            r"root beer",
            r"ginger beer",
            r"pub quiz",
            r"(?:wine|beer)[ -]?(?:colou?red|red|stain\w*)",
            r"(?:non|alcohol)[ -]?free|mocktails?|virgin (?:mojito|pina colada|cocktail)s?",
            r"ginger ale",
            r"for (?:\w+ )?sake|sake of",
            r"(?:hot|warm) (?:apple )?cider|(?:apple )?cider (?:vinegar|donuts?|doughnuts?)",
            r"champagne[ -]?(?:colou?red|gold|pink|problems)",
            r"pints? of (?:milk|ice cream|cream|blueberries|strawberries|berries)",
        ),
    ),
    _Topic(
        "drugs",
        aliases=_list("drugs, drug, narcotics, weed, marijuana, cannabis, substances"),
        keywords=_list(
            "light up a joint, acid trip, on acid, dropping acid, drug crackhead, "
            "hallucinogen, opium, pot brownie, drug, cocaine, heroin, meth, weed, marijuana, "
            "cannabis, smoke a joint, roll a joint, smoke a blunt, roll a blunt, bong, lsd, "
            "ecstasy, mdma, shrooms, magic mushrooms, psychedelic, getting high, get high, stoned, "
            "overdose, ketamine, fentanyl, opioids, narcotics, junkie, snort, edibles, 420, pills, "
            "popping pills, crack pipe, white powder, line of coke, tripping, stoner, "
            "drug deal, dealer, xanax, spliff, pothead, hashish, high as a kite, blunt"
        ),
        examples=_list(
            "people taking illegal drugs, smoking marijuana, snorting cocaine, getting high at a "
            "party"
        ),
        harmless=(
            r"high ?fives?",
            r"high (?:school|tide|heels?|jump|score|street|chair)",
            r"(?:adrenaline|sugar|news|gym|fitness|coffee|caffeine|adventure|culture|travel)"
            r" junkies?",
            r"snort\w* (?:with |of )?laugh\w*",
            r"(?:pure|sheer) ecstasy",
        ),
        senses=(
            ("weed", "garden gardening lawn flowerbed pull pulling patch yard allotment dandelion"),
            ("pills", "pharmacy pharmacist prescription vitamin doctor chemist"),
            ("tripping", "over stairs rug foot feet cord curb step shoelace"),
            ("white powder", "sugar icing flour cake snow baking talc chalk"),
            ("psychedelic", "shirt dress pattern colours colors poster art tie dye mural print"),
            ("dealer", "car cars card cards blackjack antique art used"),
            ("blunt", "knife pencil scissors blade honest answer truth question"),
        ),
    ),
    _Topic(
        "smoking",
        aliases=_list("smoking, smoke, cigarettes, cigarette, tobacco, vaping, vape, cigars"),
        keywords=_list(
            "smoke rings, tobacco pipe, smoking a pipe, puff, roll up, smoking, smoker, smoked, "
            "cigarette, cigar, cigarillo, vape, vaping, vaper, e cigarette, tobacco, hookah, "
            "ashtray, nicotine, chain smoking, e cig, ecig, juul, light up a cig, cig, ciggie, "
            "smoke break, stub out, blowing smoke, shisha"
        ),
        examples=_list("a person smoking a cigarette, vaping on the street"),
        harmless=(
            r"smok\w* (?:a |the |some )?(?:brisket|meat|ribs?|salmon|fish|turkey|pork|ham"
            r"|cheese|sausages?|chicken)",
            r"smoked (?:salmon|meat|ribs?|paprika|cheese|ham|turkey|brisket)",
            r"smoke (?:detector|alarm|machine)",
            r"smoking hot",
            r"smoke and mirrors|holy smoke",
            r"puff(?:er)? (?:pastry|jacket|coat|fish)|powder puff|cream puffs?",
            r"roll\w* up (?:her |his |my |the |their )?(?:sleeves|trousers|pants|jeans|yoga mat"
            r"|mat|rug|carpet|windows?|poster)",
            r"huff\w* and puff\w*|puff\w* (?:up|out) (?:her|his|their) (?:cheeks|chest)",
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
            "jockey, playoffs, nba, nfl, fifa, wimbledon, cycling race, rowing race, inning, "
            "innings, pitcher, batter, home plate"
        ),
        examples=_list(
            "athletes playing a sports match, a team sport in a stadium, a competitive sports game"
        ),
        harmless=(
            r"human race",
            r"(?:channel )?surf\w* (?:the )?(?:internet|web|net|channels)",
            r"rat race",
            r"sports? cars?",
            r"(?:a |such a |being a |good )sport\b",
            r"sport(?:s)? (?:coat|jacket)",
            r"bowl\w* (?:\w+ ){1,2}over",
            r"field\w* (?:questions|calls)",
            r"pitch\w* (?:an |a |her |his |the )?(?:idea|startup|investors?|plan|story|tent)",
            r"race against time|arms race",
        ),
        senses=(
            ("marathon", "tv movie movies netflix binge watching series film gaming reading"),
            ("dunk", "cookie cookies biscuit biscuits donut doughnut milk tea coffee tank"),
            ("stadium", "concert singing singer band gig tour"),
            ("championship", "chess spelling scrabble quiz trivia"),
            ("tournament", "chess scrabble poker cards"),
            ("coach", "bus airport ride riding travel trip seat station driver"),
        ),
    ),
    _Topic(
        "religion",
        aliases=_list("religion, religious, faith, church, worship, spiritual, god"),
        keywords=_list(
            "religion, religious, church, chapel, cathedral, mosque, synagogue, temple, pray, "
            "worship, priest, pastor, vicar, nun, monk, rabbi, imam, pope, papal, bishop, sermon, "
            "catholic, bible, quran, koran, torah, jesus, christ, allah, buddha, god, deity, "
            "baptism, baptize, communion, hymn, gospel, crucifix, rosary, sacred, holy, saint, "
            "pilgrimage, mecca, vatican, bar mitzvah, bat mitzvah, menorah, hanukkah, passover, "
            "seder, sabbath, ramadan, eid, diwali, christening, nativity, crucifixion, buddhist, "
            "hindu, christian, muslim, jewish, sikh, catholic, evangelical, kippah, yarmulke, "
            "prayer mat, psalm, scripture, preacher, reverend, missionary, convent, monastery, "
            "gurdwara, shrine, baptise, baptised, baptised, christen, christened, church service, "
            "mass, prayer, praying, blessing, blessed by, altar, choir hymns, confession, "
            "tabernacle, sermon on, genuflect, holy water, rosary beads, pray, attending mass, "
            "midnight mass, sunday mass, at mass"
        ),
        examples=_list(
            "people praying in a church, a religious ceremony, a priest worshipping god"
        ),
        harmless=(
            r"(?:oh|omg|thank|my) (?:my )?god\w*|god ?knows|godfather|godmother|godson"
            r"|goddaughter|for god'?s? sake",
            r"holy (?:cow|moly|mess|grail|smoke|guacamole)",
            r"(?:kitchen|cooking|baking|fashion|style|gardening|fitness|running|travel) bible",
            r"(?:bible|gospel) (?:of|for) (?:cooking|baking|fashion|style|gardening|fitness)",
            r"(?:party|fashion|fitness|ice) saint|saint bernard",
            r"blessing in disguise|count\w* (?:your|her|his|my) blessings",
            r"praying mantis",
            r"(?:muscle|critical|body|land|air|dark) mass|mass of|mass (?:market|produc\w+|text"
            r"|email|transit|exodus|extinction|media)",
            r"cathedral ceilings?|temple run|(?:her|his|my|their) temples?",
            r"shrine to (?:her|his|my|their|a|the) (?:favou?rite )?(?:band|idol|team|singer|star)",
        ),
        senses=(
            ("confession", "love crush feelings"),
            (
                "pilgrimage",
                "taco food truck shop store restaurant bakery record stadium concert festival fan",
            ),
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
            r"monster (?:trucks?|jam|burger|energy|sized?|hit|cookie|munch)",
            r"cookie monster",
            r"ghost ?writ\w*",
            r"(?:cute|friendly|cuddly|cartoon|plush|little) monsters?",
            r"ghost (?:peppers?|kitchen|town)|ghosted|ghosting",
            r"(?:traffic|travel|commute|logistics|parking|admin|paperwork|hair|fashion) nightmares?"
            r"|nightmare (?:commute|traffic|boss|customer|neighbou?r)",
            r"speed demon",
            r"(?:old|favou?rite|usual|local) haunts?",
        ),
        senses=(("skeleton", "dinosaur museum fossil anatomy biology class key"),),
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
        senses=(("two piece", "suit blazer jacket puzzle"),),
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
        harmless=_BARE_WORDS_HARMLESS,
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
        harmless=_BARE_WORDS_HARMLESS,
    ),
    _Topic(
        "gambling",
        aliases=_list("gambling, gamble, betting, casino, casinos"),
        keywords=_list(
            "gambling, gamble, gambler, casino, poker, blackjack, roulette, slot machine, lottery, "
            "lotto, bet, betting, bookie, sportsbook, jackpot, craps, wager, "
            "scratch card, scratchcard, lottery ticket, racetrack betting, "
            "slot machines, baccarat, place a bet, bingo hall, pokies"
        ),
        harmless=(
            r"poker face",
            r"(?:i|you) bet\b|bet you|safe bet|best bet",
            r"gambl\w* on (?:a |the |her |his |my )?(?:new |different )?"
            r"(?:haircut|recipe|look|outfit|idea|colou?r|career|plan)",
            r"take\w* a gamble|taking a gamble",
            r"hit\w* the jackpot",
            r"bet\w* on (?:her|him|my|them|your|it|our)sel(?:f|ves)",
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
        aliases=_list(
            "profanity, swearing, swear, swear words, cursing, bad language, vulgar, crude, rude "
            "gestures, rude gesture, obscene, foul language"
        ),
        keywords=_list(
            "flipping off, flip off, flipping the bird, the finger, profanity, swear, swearing, "
            "cursing, curse words, vulgar, obscene, f word, fuck, shit, bitch, bastard, asshole, "
            "middle finger, obscenity, obscenities, expletive, expletives, swear words, curse, "
            "cursing, cuss, cussing, f bomb, f words, rude gesture, giving the finger, bleep, "
            "bleeped, potty mouth, foul mouthed, trash talk"
        ),
        harmless=(
            r"swear\w* (?:an |the |a )?oath|swear\w* in\b|sworn in|swear\w* allegiance"
            r"|swear\w* by",
            r"(?:curse|cursed) (?:of|tomb|treasure)",
        ),
        examples=_list("a person swearing and cursing, shouting obscenities"),
    ),
    _Topic(
        "humiliation",
        aliases=_list(
            "embarrassing, embarrass, humiliating, humiliation, unflattering, mocking, mock, "
            "making fun, look stupid, look dumb, look bad, look ugly, look fat, look silly, look "
            "foolish, look like an idiot, stupid, dumb, silly, foolish, ridiculous, idiot, "
            "embarrassed, make fun, laughingstock, cringe, awkward"
        ),
        keywords=_list(
            "face first, slip on a banana peel, pie in the face, make fun of, laughed at, clumsy, "
            "buffoon, bumbling, embarrassing, embarrassed, humiliating, humiliated, humiliation, "
            "mocked, ridiculed, laughingstock, trip and fall, tripping, falling over, faceplant, "
            "pratfall, wedgie, pants fall down, ugly, stupid, dumb, idiot, fool, loser, drooling, "
            "vomiting, farting, wet myself, pee myself, pantsed, pantsing, walks into a glass "
            "door, walking into a glass door, walk into a door, everyone laughs, everybody laughs, "
            "crowd laughs, laughing at her, laughing at him, spinach in her teeth, food in her "
            "teeth, spinach in his teeth, clueless, awkward, cringe, cringey, epic fail, fails, "
            "wardrobe malfunction, trips over, falls over, fall flat, falls flat, belly flop, "
            "snoring, head stuck, stuck in a doorway, split pants, ripped pants, bad hair, goofy "
            "face, dunce, moron, booed"
        ),
        senses=(("fails", "test exam"),),
        harmless=(
            r"ugly (?:christmas |holiday )?(?:sweater|jumper)s?|ugly duckling",
            r"april fool\w*",
            r"drool\w* over",
        ),
        examples=_list(
            "a person being humiliated in public, everyone laughing at someone who fell over, an "
            "unflattering embarrassing moment"
        ),
    ),
    _Topic(
        "eating",
        aliases=_list("eating, eat, eats, chewing, snacking, mouth full, dining"),
        keywords=_list(
            "eat, eating, ate, eaten, eater, bite into, biting into, take a bite, bites into, "
            "chew, chewing, munch, munching, slurp, slurping, devour, devouring, nibble, "
            "nibbling, gobble, snack on, snacking, tasting, taste, lick, licking, feast, feasting, "
            "dine, dining, having breakfast, having lunch, having dinner, breakfast in bed, "
            "mukbang, swallow, mouthful, spoonful, stuffing her face, stuffing his face, "
            "food fight, eating contest, sample, sampling, wolfing down, chowing down, "
            "brunch, picnic lunch"
        ),
        examples=_list(
            "a person eating a meal, someone chewing and biting into food, taking a bite of a "
            "sandwich, slurping a bowl of soup"
        ),
        harmless=(
            r"tast\w* for (?:adventure|music|style)|a taste of",
            r"(?:mosquito|bug|dog|snake) bites?",
            r"dining (?:room|table|hall|chair)s?",
            r"feast for the eyes",
            r"eat\w* (?:my|her|his|their) words",
            r"eaten (?:alive )?by",
        ),
        senses=(
            ("sample", "blood urine lab music sound fabric paint"),
            ("sampling", "music sound beat lab"),
            ("lick", "paint envelope stamp"),
            ("swallow", "bird birds nest flying fly sky"),
        ),
    ),
    _Topic(
        "sadness",
        aliases=_list(
            "crying, cry, cries, tears, sad, sadness, upset, grief, grieving, mourning, "
            "depressing, depressed, heartbreak, heartbroken, tragic, tragedy, weeping, sobbing"
        ),
        keywords=_list(
            "cry, crying, cries, cried, sob, sobbing, weep, weeping, in tears, tears, tearful, "
            "teary, teary eyed, tearing up, bawl, bawling, grieve, grieving, grief, mourn, "
            "mourning, funeral, heartbroken, heartbreak, broken heart, depressed, depression, sad, "
            "sadness, sorrow, sorrowful, lonely, loneliness, devastated, miserable, despair, "
            "breakdown, breaking down, gloomy, melancholy, grave, graveside, at a wake, memorial, "
            "farewell forever, goodbye forever, tragic, tragedy, upset, "
            "distraught, sobs, whimpering, dumped, breakup, break up, lost her dog, lost his dog"
        ),
        examples=_list(
            "a person crying with tears running down their face, someone grieving at a funeral, "
            "a heartbroken person alone and sad"
        ),
        harmless=(
            r"tears? of joy|happy tears|cr\w+ with laughter|laugh\w* (?:until|till) \w+ cr\w+",
            r"tear\w* (?:up |open |down |apart )?(?:a |the |her |his |some )?"
            r"(?:cardboard|box|boxes|paper|wrapping|envelope|page|poster|wall|fabric|bread)",
            r"(?:wake|wakes|waking) up|wake ?board\w*|in the wake of",
            r"(?:cr\w+) wolf",
            r"memorial day|memorial (?:stadium|park|hall|library|hospital|bridge)",
            r"great depression|tropical depression|depression[ -]era",
            r"les miserables|les mis",
        ),
        senses=(
            ("tearing up", "cardboard box paper wrapping envelope page poster wall fabric"),
            ("grave", "mistake danger concern"),
            ("upset", "stomach victory win underdog"),
            ("breakdown", "car van engine cost costs budget chart data road"),
            ("dumped", "trash rubbish garbage bin sand water ice snow"),
            ("break up", "fight ice chocolate bread soil"),
        ),
    ),
    _Topic(
        "injuries",
        aliases=_list(
            "injuries, injury, injured, wounds, wound, hurt, hurting, bruises, accidents, "
            "accident, hospital, blood, bleeding, cuts"
        ),
        keywords=_list(
            "blood, bleeding, bloody, bloodied, nosebleed, injury, injured, injuries, wound, "
            "wounded, gash, deep cut, cut on her, cut on his, cuts and bruises, bruise, bruised, "
            "bruises, black eye, broken leg, broken arm, broken bone, broken nose, broken wrist, "
            "broken ankle, broken ribs, fracture, fractured, crutches, in a cast, bandage, "
            "bandaged, bandages, stitches, stitched up, =scar, scarred, arm in a sling, hospital "
            "bed, emergency room, the er, ambulance, paramedics, concussion, sprain, sprained, "
            "limping, limp, scraped knee, burnt skin, car crash, accident, crash victim, hurt, "
            "hurting, hurts, fake blood, gory, gore, dislocated, bleeds, wheelchair after"
        ),
        examples=_list(
            "a person bleeding from a wound, someone injured in a hospital bed with bandages, a "
            "broken leg in a cast"
        ),
        harmless=(
            r"blood (?:oranges?|moon|type|sugar|pressure|drive|donations?|bank)",
            r"(?:cut|cutting) (?:the |a )?(?:ribbon|cake|hair|paper|wood|grass|fabric|pattern)",
            r"burn\w* (?:calories|rubber|the midnight oil|cds?|a cd|candles?|incense)",
            r"hurt\w* (?:feelings|pride)",
            r"(?:heart|heat|sun)burn|sunburnt",
            r"happy accident",
        ),
        senses=(
            ("limp", "hair lettuce noodle noodles handshake"),
            ("stitches", "knit knitting yarn sew sewing embroidery cross quilt"),
            ("wound", "clock spring yarn thread watch rope string reel coil"),
        ),
    ),
    _Topic(
        "driving",
        aliases=_list(
            "driving, drive, drives, cars, car, vehicles, vehicle, traffic, road trips, road "
            "trip, motorways, highways"
        ),
        keywords=_list(
            "=car, driving, drive, drives, drove, driver, behind the wheel, steering wheel, "
            "convertible, sports car, minivan, suv, pickup truck, =van, taxi, limo, limousine, "
            "highway, freeway, motorway, interstate, traffic jam, traffic, road trip, parking, "
            "parallel parking, park the car, honk, honking, go kart, go karts, karting, race car, "
            "racing car, speeding, test drive, drive thru, car wash, =sedan, hatchback, dashboard, "
            "rear view mirror, seatbelt, gas pedal, rev the engine, revving, "
            "joyride, motorcade, chauffeur, cab, =jeep, porsche, "
            "ferrari, lamborghini, rally car, road rage, gear stick, windshield, windscreen"
        ),
        examples=_list(
            "a person driving a car on the road, sitting behind the wheel in traffic, a car "
            "speeding down the highway"
        ),
        harmless=(
            r"driv\w* (?:a |the )?(?:golf )?(?:ball|balls)\b|driving range",
            r"driv\w* (?:home )?(?:a |the |her |his )?point|driv\w* (?:me |her |him )?"
            r"(?:crazy|mad|nuts|wild|up the wall)",
            r"driving (?:rain|force|snow)",
            r"(?:hard|flash|usb|disk|test) drives?",
            r"(?:cable|tram|dining|sleeping|train|rail|roller coaster|bumper) cars?",
            r"drive[- ]?in (?:movie|cinema|theat\w+)",
            r"toy cars?|matchbox cars?|hot wheels",
            r"van (?:gogh|dyke|der|de|halen)",
            r"convertible (?:sofa|couch|bed|crib|stroller|sofa bed)s?",
            r"(?:charity|food|blood|toy|book|fundraising|donation|sales|recruitment) drives?",
        ),
        senses=(
            ("traffic", "website web online"),
            ("driving", "golf ball fairway tee range"),
            ("driver", "golf tee fairway screw"),
            ("drive", "golf tee fairway usb hard"),
            ("parking", "bike bicycle scooter"),
            ("honking", "geese goose swan swans"),
            ("honk", "geese goose swan swans"),
            ("dashboard", "analytics data website app computer laptop metrics sales"),
        ),
    ),
    _Topic(
        "stunts",
        aliases=_list(
            "stunts, stunt, dangerous, danger, daredevil, risky, reckless, extreme, jackass"
        ),
        keywords=_list(
            "stunt, stunts, daredevil, base jumping, base jump, tightrope, high wire, off a roof, "
            "off the roof, from a roof, off a cliff, off the cliff, cliff jumping, cliff jump, off "
            "a bridge, off a building, on a ledge, along a ledge, narrow ledge, hanging off a "
            "cliff, hanging off a building, hanging off the edge, dangling from a crane, dangling "
            "from a rope, on top of a moving train, off a moving train, backflip off, backflip on, "
            "on fire, ring of fire, through fire, set herself on fire, set himself on fire, "
            "hanging from a helicopter, parkour, free solo, wingsuit, motorcycle jump, jumping a "
            "motorcycle, train surfing, roof of a car, car surfing, edge of a skyscraper, fire "
            "breathing, sword swallowing, knife throwing, russian roulette, playing with fire, "
            "with sharks, without a parachute, without a harness, no harness, no helmet, death "
            "defying, life threatening, reckless, dangerous, crash test, jump over a car, "
            "explosion behind, skydiving, bungee, skyscraper ledge, hanging from a ledge, hanging "
            "from a skyscraper, hanging from a building"
        ),
        examples=_list(
            "a daredevil doing a dangerous stunt, jumping off a tall building, a reckless stunt "
            "that could kill someone, balancing on the edge of a skyscraper"
        ),
        harmless=(r"on fire (?:at (?:the |her |his )?\w+|in (?:the )?\w+|tonight|today)",),
    ),
    _Topic(
        "dancing",
        aliases=_list("dancing, dance, dances, dancer, dancers"),
        keywords=_list(
            "dance, dancing, dancer, dance floor, ballet, ballerina, tutu, salsa, tango, waltz, "
            "waltzing, foxtrot, breakdance, breakdancing, break dancing, breakdancer, twerk, "
            "twerking, hip hop routine, line dancing, disco, choreography, choreographed, "
            "moonwalk, conga line, cha cha, samba, flamenco, bust a move, busting moves, "
            "pirouette, tap dancing, belly dancing, ballroom, polka, jig, macarena, tiktok dance, "
            "zumba, boogie, grooving, shuffle dance, two step, square dance, rumba, bachata, "
            "quickstep, dance off, dance battle, k pop routine, cheerleading routine"
        ),
        examples=_list(
            "a person dancing to music, dancers on a dance floor, someone doing a dance routine"
        ),
        harmless=(
            r"song and dance about",
            r"(?:sugar|salsa) (?:dip|sauce|verde|jar)",
            r"boogie ?boards?",
            r"polka[ -]?dot\w*|disco (?:ball|lights?)",
        ),
        senses=(("salsa", "chips nachos tacos dip sauce jar eat guacamole tortilla"),),
    ),
)
