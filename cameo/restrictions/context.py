"""Keywords with a harmless second sense, and the scenes that show each sense, for MiniLM.

A keyword such as "date", "pitcher" or "tank" names a restricted topic in one sense and something
harmless in another ("dates at a fruit market", "a fish tank"). Where a keyword is listed here,
the clause of the prompt that holds it is compared through MiniLM with the sense the owner ruled
out (the topic's example scenes plus the ``meant`` scenes below) and with the harmless senses;
the keyword does not count when a harmless sense is closer by ``CONTEXT_MARGIN`` or more.

A keyword that is not listed always counts, so a conflict MiniLM reads poorly ("flipping off the
camera" against "no swearing") is never let through by this step. Entries are written from
what a word means; some were added after a tune row showed a word missing, none from held or
fresh rows. ``TOPIC_NEIGHBOURS`` does the same for a prompt MiniLM alone found near a topic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Senses:
    """The restricted sense of one keyword and its harmless ones, as short scenes."""

    meant: tuple[str, ...]
    harmless: tuple[str, ...]


def _senses(meant: str, harmless: str) -> Senses:
    return Senses(
        tuple(p.strip() for p in meant.split("|") if p.strip()),
        tuple(p.strip() for p in harmless.split("|") if p.strip()),
    )


# Keyed by topic name, then by the keyword exactly as the topic lists it.
KEYWORD_SENSES: dict[str, dict[str, Senses]] = {
    "romance": {
        "cuddle": _senses(
            "a couple cuddling in bed",
            "cuddling a baby animal at a farm | cuddling a puppy | cuddling a baby",
        ),
        "snuggle": _senses(
            "a couple snuggling together",
            "snuggling a baby brother | snuggling a pet | snuggling in a blanket",
        ),
        "anniversary": _senses(
            "a couple celebrating their anniversary with a romantic dinner",
            "a cake for her parents' anniversary | a company anniversary party | her "
            "grandparents' golden anniversary party",
        ),
        "sweetheart": _senses(
            "her sweetheart, a boyfriend or girlfriend",
            "a dress with a sweetheart neckline | calling a little kid sweetheart",
        ),
        "serenade": _senses(
            "serenading a lover under a balcony",
            "singing to her cat or her baby | birds serenading the morning",
        ),
        "rose petals": _senses(
            "rose petals on a bed for a romantic night",
            "a flower girl scattering rose petals | drying rose petals for potpourri",
        ),
        "romantic": _senses(
            "a romantic evening for a couple",
            "a painting from the romantic era | romantic poetry in a literature class",
        ),
        "bride": _senses(
            "a bride at her own wedding",
            "a bridal shop assistant | the bride's cake made by a baker",
        ),
        "walk down the aisle": _senses(
            "a bride walking down the aisle at her wedding",
            "walking down a grocery store aisle | walking down the aisle of a plane",
        ),
        "married": _senses(
            "a couple getting married | a married couple in love",
            "married to her job, working late | a married couple of friends next door",
        ),
        "valentine": _senses(
            "a romantic valentine's date",
            "handing out valentines cards to a school class | a valentine for a friend",
        ),
        "love story": _senses(
            "a romantic love story between two people",
            "reading a story book to kids at bedtime",
        ),
        "love letter": _senses(
            "a love letter to a partner",
            "a love letter to a city, a thank you to a place | a fan letter",
        ),
        "date": _senses(
            "a romantic date with a boyfriend or girlfriend | going out on a date together",
            "eating dates, the sweet dried fruit | a date on the calendar | the due date of a "
            "deadline | a play date for small kids | a date for an appointment",
        ),
        "crush": _senses(
            "having a crush on someone | a secret crush on a classmate",
            "crushing ice or garlic | crushing cans for recycling | crushing it at work, doing "
            "great | playing a candy crush game on a phone",
        ),
        "kiss": _senses(
            "two people kissing on the lips | a couple kissing | kissing someone",
            "a kiss goodnight on a child's forehead | blowing a kiss to grandma or a child | "
            "a chef's kiss gesture about food | "
            "chocolate kisses candy | a puppy licking a face",
        ),
        "embrace": _senses(
            "lovers in a passionate embrace",
            "embracing a new challenge | a warm hug between old friends | embracing change",
        ),
        "engagement": _senses(
            "an engagement ring and a marriage proposal | an engagement party for a couple",
            "social media engagement numbers | a speaking engagement at a conference | audience "
            "engagement at work | helping a brother choose his engagement ring",
        ),
        "proposal": _senses(
            "a marriage proposal on one knee with a ring",
            "a business proposal presentation | a research grant proposal | a project proposal "
            "at a meeting",
        ),
        "propose": _senses(
            "proposing marriage with a ring",
            "proposing a toast at dinner | proposing an idea at a work meeting",
        ),
        "groom": _senses(
            "the bride and groom at their wedding",
            "grooming a dog at the salon | grooming a horse in the stables | a well groomed beard",
        ),
        "in love": _senses(
            "two people in love | falling in love with a partner",
            "in love with a new hobby | in love with pizza and food | in love with a city",
        ),
        "holding hands": _senses(
            "a couple holding hands on a romantic walk",
            "holding hands with a child crossing the road | friends holding hands in a circle game",
        ),
        "honeymoon": _senses(
            "newlyweds on their honeymoon",
            "the honeymoon phase at a new job | a honeymoon period for a new gadget",
        ),
        "candlelit": _senses(
            "a candlelit dinner for two",
            "a candlelit bath alone to relax | a candlelit yoga class | a power cut with candles",
        ),
    },
    "violence": {
        "mugging": _senses(
            "mugging a person on the street, robbing them",
            "mugging for the camera, pulling silly faces",
        ),
        "headbutt": _senses(
            "headbutting a man in a fight",
            "an affectionate cat headbutting a hand | heading a football",
        ),
        "shove": _senses(
            "shoving a person violently",
            "shoving clothes into a suitcase | shoving a tray into the oven",
        ),
        "slice through": _senses(
            "slicing through a person with a blade",
            "slicing through the waves on a boat | slicing through a cake",
        ),
        "shootout": _senses(
            "a shootout with guns",
            "a penalty shootout in a football match",
        ),
        "punch": _senses(
            "punching someone in the face",
            "a bowl of fruit punch | punching a ticket | a hole punch for paper | the punch line "
            "of a joke",
        ),
        "murder": _senses(
            "a murder, killing a person",
            "a murder mystery party game | a murder of crows",
        ),
        "knock out": _senses(
            "knocking someone out with a punch",
            "knocked out asleep on the couch after a long day",
        ),
        "combat": _senses(
            "hand to hand combat | soldiers in combat",
            "combat boots for a hike | a combat sport in a gym class",
        ),
        "bombing": _senses(
            "a bombing attack on a city",
            "bombing on stage, a comedy act going badly",
        ),
        "robbery": _senses(
            "an armed robbery",
            "prices so high it's highway robbery",
        ),
        "gangster": _senses(
            "a gangster shooting people",
            "dressed as a 1920s gangster at a costume party",
        ),
        "fight": _senses(
            "two people fighting with their fists | a violent brawl",
            "a pillow fight at a sleepover | a food fight in the cafeteria | a snowball fight | "
            "fighting a cold in bed | firefighters fighting a fire | fighting for a cause",
        ),
        "battle": _senses(
            "soldiers in a bloody battle | a violent battle with swords",
            "a dance battle | a rap battle | a battle of the bands | a board game battle | "
            "battling a cold | battling the wind and the weather | reading a history book about "
            "a battle",
        ),
        "kill": _senses(
            "killing a person | a murder",
            "killing time while waiting | killing it on stage, doing great | a kill switch on "
            "a machine",
        ),
        "attack": _senses(
            "attacking a person violently",
            "a panic attack | attacking a pile of laundry | attacking the basket in basketball",
        ),
        "slap": _senses(
            "slapping someone across the face",
            "slapping paint on a canvas | playing slap bass | a slap bracelet | slapping a "
            "sticker on a laptop",
        ),
        "bomb": _senses(
            "a bomb explodes and kills people",
            "a fizzy bath bomb | photobombing a picture | a cannonball bomb dive into a pool | "
            "bombing on stage, a comedy act going badly",
        ),
        "explosion": _senses(
            "a deadly explosion",
            "an explosion of colour | an explosion of flavour | a confetti explosion",
        ),
        "war": _senses(
            "soldiers at war | a war zone",
            "a water balloon war | a tug of war game | a price war between shops | a bidding war "
            "for a house",
        ),
        "duel": _senses(
            "a duel with pistols or swords",
            "a dance duel | a cooking duel | a chess duel",
        ),
        "knockout": _senses(
            "a knockout punch",
            "looking like a knockout in a dress | a knockout round of a quiz",
        ),
        "wrestle": _senses(
            "wrestling someone to the ground in a fight",
            "wrestling with a duvet cover | wrestling a toddler into a snowsuit",
        ),
        "execution": _senses(
            "an execution of a prisoner",
            "the flawless execution of a plan | the execution of a dance move",
        ),
        "riot": _senses(
            "a violent riot in the street",
            "a riot of colour in a garden | she is a riot, so funny",
        ),
        "stab": _senses(
            "stabbing someone with a knife",
            "taking a stab at baking | stabbing a fork into a salad",
        ),
        "slaughter": _senses(
            "a slaughter of people",
            "slaughtering the competition at trivia night",
        ),
        "hold up": _senses(
            "an armed hold up of a bank",
            "holding up a sign | holding up a trophy | held up in traffic | holding up a baby",
        ),
        "over the head": _senses(
            "hitting someone over the head",
            "pulling a sweater over the head | lifting a trophy over the head",
        ),
        "shelling": _senses(
            "artillery shelling a town",
            "shelling peas | shelling peanuts | shelling prawns",
        ),
        "blood": _senses(
            "blood from a violent wound",
            "a blood orange | a blood moon | donating at a blood drive",
        ),
        "beat": _senses(
            "beating someone up",
            "beating the heat with ice cream | beating traffic | beating a personal best",
        ),
    },
    "weapons": {
        "shootout": _senses(
            "a shootout with guns",
            "a penalty shootout in a football match",
        ),
        "sword": _senses(
            "fighting with a sword",
            "a sword swallowing act at a circus | a swordfish",
        ),
        "gun": _senses(
            "a gun, a firearm | pointing a pistol",
            "a hot glue gun for crafts | a water gun fight in summer | a nail gun | a staple "
            "gun | a paint spray gun | a massage gun",
        ),
        "blade": _senses(
            "a knife blade as a weapon",
            "a blade of grass | rollerblading | a fan blade | ice skate blades | a razor blade "
            "for shaving",
        ),
        "trigger": _senses(
            "pulling the trigger of a gun",
            "a trigger warning | triggering an alarm | a camera shutter trigger",
        ),
        "bullet": _senses(
            "a bullet fired from a gun",
            "bullet points on a slide | a bullet journal | a bullet train",
        ),
        "cannon": _senses(
            "firing a cannon",
            "a cannonball jump into a pool | a confetti cannon | a water cannon at a splash park",
        ),
        "bomb": _senses(
            "a bomb as a weapon",
            "a fizzy bath bomb | photobombing a picture | a bomb dive into a pool",
        ),
        "knives": _senses(
            "knives as weapons",
            "kitchen knives for chopping vegetables | butter knives setting the table",
        ),
        "shotgun": _senses(
            "firing a shotgun",
            "riding shotgun in the front passenger seat on a road trip | a shotgun wedding",
        ),
        "tomahawk": _senses(
            "a tomahawk axe as a weapon",
            "grilling a tomahawk steak",
        ),
        "arrows": _senses(
            "shooting arrows with a bow",
            "arrows on a sign | arrow keys on a keyboard",
        ),
    },
    "military": {
        "combat": _senses(
            "soldiers in combat",
            "combat boots for a hike",
        ),
        "tank": _senses(
            "a military tank | an army tank",
            "a fish tank | a tank top | a gas tank | a think tank | a water tank",
        ),
        "navy": _senses(
            "the navy, sailors on a warship",
            "a navy blue sweater | navy coloured clothes",
        ),
        "army": _senses(
            "an army of soldiers",
            "an army of volunteers | an army of ants | a swiss army knife",
        ),
        "trench": _senses(
            "soldiers in a trench",
            "a trench coat | digging a trench for a garden pipe",
        ),
    },
    "ads": {
        "sponsor": _senses(
            "a brand sponsor | a sponsored post",
            "sponsoring a child through a charity | a sponsor at a support group",
        ),
        "brand": _senses(
            "promoting a brand | a brand deal",
            "a brand new bike | brand new shoes | a brand new day",
        ),
        "pitch": _senses(
            "a sales pitch for a product",
            "pitch black darkness | perfect pitch singing | pitching a tent | a baseball pitch",
        ),
        "sell": _senses(
            "selling a product in an advert",
            "selling lemonade at a kids' lemonade stand | selling old clothes at a yard sale",
        ),
        "commercial": _senses(
            "a tv commercial | an advert",
            "a commercial kitchen | a commercial airline flight",
        ),
        "jingle": _senses(
            "an advertising jingle",
            "jingle bells | keys jingling | sleigh bells jingle",
        ),
        "promote": _senses(
            "promoting a product | a brand promotion",
            "promoted to manager at work | a job promotion",
        ),
        "promotion": _senses(
            "a brand promotion | a sales promotion",
            "a promotion at work | promoted to manager",
        ),
        "unboxing": _senses(
            "an unboxing video of a sponsored product",
            "unboxing a birthday present from grandma | unboxing moving boxes in a new home",
        ),
    },
    "alcohol": {
        "cider": _senses(
            "drinking hard cider | alcoholic cider",
            "hot apple cider for kids | apple cider vinegar",
        ),
        "doing shots": _senses(
            "doing shots of tequila",
            "doing shots of espresso | wheatgrass shots at a juice bar",
        ),
        "ale": _senses(
            "drinking ale in a pub",
            "a glass of ginger ale | ginger ale soda",
        ),
        "sake": _senses(
            "drinking sake rice wine",
            "for goodness sake | for the sake of it",
        ),
        "mimosa": _senses(
            "a mimosa cocktail with champagne",
            "a mimosa tree in bloom",
        ),
        "cocktail": _senses(
            "drinking cocktails at a bar",
            "a shrimp cocktail | a cocktail dress | fruit cocktail in a can",
        ),
        "scotch": _senses(
            "a glass of scotch whisky",
            "scotch tape | a scotch egg | butterscotch sweets",
        ),
        "pint": _senses(
            "a pint of beer in a pub",
            "a pint of milk | a pint of ice cream",
        ),
        "margarita": _senses(
            "a frozen margarita cocktail",
            "a margarita pizza",
        ),
    },
    "drugs": {
        "getting high": _senses(
            "getting high on drugs",
            "getting high up on a ferris wheel | climbing high up a tree",
        ),
        "get high": _senses(
            "getting high on drugs",
            "getting high up on a ladder | going up high in a balloon",
        ),
        "ecstasy": _senses(
            "taking ecstasy pills",
            "in pure ecstasy of joy | ecstasy at winning",
        ),
        "snort": _senses(
            "snorting a line of cocaine",
            "snorting with laughter | a pig snorting",
        ),
        "drug": _senses(
            "taking illegal drugs",
            "a drug store run for shampoo | a drugstore makeup haul",
        ),
    },
    "smoking": {
        "smoker": _senses(
            "a smoker with a cigarette",
            "a barbecue smoker for cooking meat",
        ),
        "cigar": _senses(
            "smoking a cigar",
            "a cigar box guitar | a cigar box for keepsakes",
        ),
        "smoking": _senses(
            "smoking a cigarette | someone smoking outside",
            "smoking a brisket on a barbecue | smoking hot, looking great | a smoking chimney",
        ),
        "smoked": _senses(
            "smoked a cigarette",
            "smoked salmon on a bagel | smoked cheese | smoked ribs",
        ),
        "puff": _senses(
            "taking a puff of a cigarette",
            "puff pastry | a cream puff | a puffer jacket | puffing up a pillow",
        ),
        "roll up": _senses(
            "rolling up a cigarette",
            "rolling up sleeves | rolling up a yoga mat | a fruit roll up snack",
        ),
    },
    "sports": {
        "boxing": _senses(
            "boxing in a ring with gloves",
            "boxing up books for a move | packing boxes",
        ),
        "cricket": _senses(
            "playing a cricket match",
            "crickets chirping on a summer night",
        ),
        "referee": _senses(
            "a referee at a football match",
            "refereeing an argument between kids",
        ),
        "league": _senses(
            "a sports league game",
            "out of her league | in a league of her own",
        ),
        "athletic": _senses(
            "an athletic competition",
            "athletic leggings for running errands | athletic wear",
        ),
        "race": _senses(
            "a running race | a car race",
            "racing to catch the bus | a race against time | the human race",
        ),
        "sprint": _senses(
            "a sprint race on a track",
            "sprinting to catch the bus | a work sprint at a startup",
        ),
        "surf": _senses(
            "surfing a wave",
            "surfing the web | channel surfing on the couch",
        ),
        "hoops": _senses(
            "shooting hoops, playing basketball",
            "hoop earrings | hula hoops at a party",
        ),
        "pitcher": _senses(
            "a baseball pitcher",
            "a pitcher of lemonade | a water pitcher",
        ),
        "batter": _senses(
            "a baseball batter",
            "pancake batter | cake batter in a bowl",
        ),
    },
    "religion": {
        "christian": _senses(
            "a christian church service",
            "a christian dior fashion gown | a friend named christian",
        ),
        "shrine": _senses(
            "a religious shrine in a temple",
            "a fan shrine of posters to a band | a shrine to her favourite snacks",
        ),
        "bishop": _senses(
            "a church bishop in robes",
            "a bishop chess piece | moving a bishop on a chessboard",
        ),
        "monk": _senses(
            "a monk praying in a monastery",
            "monk fruit sweetener | a monkfish dinner",
        ),
        "baptism": _senses(
            "a baby's baptism in church",
            "a baptism of fire, a hard first day at work",
        ),
        "blessed by": _senses(
            "blessed by a priest",
            "blessed by sunny weather, lucky",
        ),
        "sermon": _senses(
            "a sermon in church",
            "a lecture from mom about chores",
        ),
        "prayer": _senses(
            "a prayer in church",
            "prayer pose in yoga | hands together in a yoga class",
        ),
        "sacred": _senses(
            "a sacred religious place",
            "a sacred family recipe | a sacred morning coffee routine",
        ),
        "sabbath": _senses(
            "keeping the sabbath at a synagogue or church",
            "taking a break from social media | a rest day at a cabin",
        ),
        "worship": _senses(
            "worship in a church",
            "worshipping a new gadget, loving something | fans adoring a pop star",
        ),
        "god": _senses(
            "praying to god | worship",
            "saying oh my god in surprise | a greek god costume",
        ),
        "holy": _senses(
            "a holy place of worship",
            "holy cow, what a surprise | holy guacamole",
        ),
        "blessing": _senses(
            "a priest giving a blessing",
            "a blessing in disguise | counting one's blessings",
        ),
        "temple": _senses(
            "praying in a temple",
            "rubbing her temples with a headache | playing temple run on a phone",
        ),
        "mass": _senses(
            "attending mass in church",
            "gaining muscle mass | a mass of people at a concert | a mass email",
        ),
        "saint": _senses(
            "a saint of the church",
            "a saint bernard dog | saint patrick's day parade",
        ),
        "pray": _senses(
            "praying in church",
            "a praying mantis insect",
        ),
        "gospel": _senses(
            "reading the gospel in church",
            "the gospel truth",
        ),
        "christen": _senses(
            "christening a baby in church",
            "christening a new boat | christening a new kitchen with a first meal",
        ),
        "mecca": _senses(
            "a pilgrimage to mecca",
            "a mecca for foodies | a shopping mecca",
        ),
        "buddha": _senses(
            "a statue of buddha in a temple",
            "a buddha bowl salad",
        ),
    },
    "horror": {
        "graveyard": _senses(
            "a creepy graveyard at night",
            "working the graveyard shift at night",
        ),
        "vampire": _senses(
            "a scary vampire with fangs",
            "a vampire facial at a spa",
        ),
        "monster": _senses(
            "a terrifying monster",
            "a monster truck rally | cookie monster | a cute cartoon monster plush | a monster "
            "energy drink",
        ),
        "ghost": _senses(
            "a scary ghost haunting a house",
            "a ghost pepper | a ghost kitchen | being ghosted by a friend | a cute ghost costume "
            "for trick or treating",
        ),
        "killer": _senses(
            "a serial killer",
            "killer heels | a killer view | a killer whale",
        ),
        "nightmare": _senses(
            "a terrifying nightmare",
            "a traffic nightmare | a nightmare commute",
        ),
        "haunt": _senses(
            "a ghost haunting a house",
            "a favourite haunt, a cafe",
        ),
        "demon": _senses(
            "a scary demon",
            "a speed demon on a bike",
        ),
        "coffin": _senses(
            "a coffin in a graveyard",
            "coffin shaped nails at a nail salon",
        ),
        "zombie": _senses(
            "a horde of scary zombies",
            "feeling like a zombie before coffee",
        ),
    },
    "swimwear": {
        "thong": _senses(
            "a thong bikini",
            "thong sandals | flip flops",
        ),
    },
    "underwear": {
        "thong": _senses(
            "a thong as underwear",
            "thong sandals | flip flops",
        ),
    },
    "revealing": {
        "low cut": _senses(
            "a low cut top showing cleavage",
            "low cut sneakers | low cut socks",
        ),
        "revealing": _senses(
            "a revealing outfit",
            "revealing a surprise | a gender reveal party | revealing a secret | revealing a new "
            "haircut or makeover",
        ),
        "see through": _senses(
            "a see through top",
            "seeing through a window | seeing through the fog",
        ),
        "streaking": _senses(
            "streaking naked across a field",
            "sunlight streaking through a window | streaks of paint",
        ),
    },
    "humiliation": {
        "falling over": _senses(
            "falling over clumsily while people laugh at her",
            "falling over laughing at a joke",
        ),
        "face first": _senses(
            "falling face first in front of everyone",
            "diving face first into a pile of leaves for fun | jumping face first into a pool",
        ),
        "laughing at her": _senses(
            "everyone laughing at her, mocking her",
            "laughing at her own joke | laughing at her favourite show",
        ),
        "laughing at him": _senses(
            "everyone laughing at him, mocking him",
            "laughing at his own joke | laughing at his favourite show",
        ),
        "fool": _senses(
            "made a fool of in public",
            "an april fools day card | fooling around with friends",
        ),
        "ugly": _senses(
            "looking ugly in public",
            "an ugly christmas sweater party",
        ),
    },
    "eating": {
        "chew": _senses(
            "chewing food",
            "a chew toy for a dog",
        ),
        "sampling": _senses(
            "sampling food",
            "sampling paint colours | sampling music",
        ),
        "taste": _senses(
            "tasting food",
            "good taste in music | good taste in fashion | a taste of adventure",
        ),
        "feast": _senses(
            "a feast of food",
            "a feast for the eyes",
        ),
    },
    "sadness": {
        "depressed": _senses(
            "feeling depressed and crying",
            "a depressed button or pedal, pressed down",
        ),
        "melancholy": _senses(
            "a melancholy sad mood, crying",
            "listening to melancholy music while painting",
        ),
        "gloomy": _senses(
            "a gloomy sad person",
            "gloomy grey rainy weather outside",
        ),
        "tears": _senses(
            "in tears, crying",
            "tears open a present | tears the wrapping paper",
        ),
        "cry": _senses(
            "crying sadly",
            "a battle cry | a far cry from home",
        ),
        "memorial": _senses(
            "a sad memorial for the dead",
            "a memorial day barbecue",
        ),
    },
    "injuries": {
        "ambulance": _senses(
            "an injured person taken by ambulance",
            "a toy ambulance | an ambulance driving past in traffic",
        ),
        "hurt": _senses(
            "hurt and bleeding | badly hurt in an accident",
            "feelings hurt by a mean message | hurt feelings",
        ),
        "accident": _senses(
            "a bad accident with injuries",
            "a happy accident while painting | spilling coffee by accident",
        ),
        "blood": _senses(
            "blood from a wound",
            "a blood orange | a blood moon | donating at a blood drive",
        ),
        "bleeding": _senses(
            "bleeding from a wound",
            "colours bleeding in the wash | ink bleeding through paper",
        ),
        "stitches": _senses(
            "stitches in a wound",
            "in stitches laughing",
        ),
        "bruised": _senses(
            "a bruised arm",
            "a bruised banana | bruised fruit",
        ),
    },
    "driving": {
        "test drive": _senses(
            "test driving a new car",
            "trying out a new recipe | testing a new idea",
        ),
        "drive": _senses(
            "driving a car | a long drive down a road",
            "a charity food drive | a blood drive | a drive to raise money",
        ),
        "traffic": _senses(
            "cars stuck in traffic",
            "foot traffic at a market | website traffic",
        ),
        "convertible": _senses(
            "driving a convertible car",
            "a convertible sofa bed | a convertible laptop",
        ),
        "speeding": _senses(
            "a car speeding on a highway",
            "speeding up a video | speeding through homework",
        ),
    },
    "animals": {
        "goldfish": _senses(
            "a goldfish in a bowl",
            "goldfish crackers as a snack",
        ),
        "kitten": _senses(
            "a kitten playing",
            "kitten heels shoes",
        ),
        "bunny": _senses(
            "a bunny rabbit",
            "fuzzy bunny slippers | a chocolate easter bunny",
        ),
        "dog": _senses(
            "a dog on a walk",
            "dog tired after a long day | a hot dog",
        ),
        "animal": _senses(
            "a real animal",
            "an animal print coat | a party animal",
        ),
        "duck": _senses(
            "a duck on a pond",
            "ducking under a branch | ducking to avoid a ball",
        ),
        "bear": _senses(
            "a bear in the woods",
            "a big bear hug | bear with me",
        ),
        "horse": _senses(
            "riding a horse",
            "horsing around with friends | a rocking horse toy | a pommel horse in gym",
        ),
        "owl": _senses(
            "an owl in a tree",
            "a night owl staying up late",
        ),
        "whale": _senses(
            "a whale in the ocean",
            "having a whale of a time",
        ),
        "zebra": _senses(
            "a zebra on the savanna",
            "a zebra crossing on a street",
        ),
        "elephant": _senses(
            "an elephant at the zoo",
            "the elephant in the room",
        ),
        "rabbit": _senses(
            "a pet rabbit",
            "going down a rabbit hole online",
        ),
        "goat": _senses(
            "a goat on a farm",
            "the goat, the greatest of all time",
        ),
        "zoo": _senses(
            "animals at the zoo",
            "it's a zoo in here, so chaotic",
        ),
        "monkey": _senses(
            "a monkey in a tree",
            "monkey bars at a playground",
        ),
        "shark": _senses(
            "a shark in the sea",
            "a card shark | a loan shark",
        ),
        "wolf": _senses(
            "a wolf in the forest",
            "wolfing down food",
        ),
    },
    "profanity": {
        "bleep": _senses(
            "a swear word bleeped out",
            "a horn beeping | a machine beeping",
        ),
        "curse": _senses(
            "cursing, swearing out loud",
            "a witch's curse in a fairy tale | a cursed treasure",
        ),
        "swear": _senses(
            "swearing, saying bad words",
            "swearing an oath in court | being sworn in",
        ),
        "the finger": _senses(
            "giving the finger, a rude gesture",
            "a ring on the finger | pointing a finger at a map",
        ),
        "flip off": _senses(
            "flipping someone off, a rude gesture",
            "flipping off a diving board | flipping off the lights",
        ),
    },
    "stunts": {
        "stunt": _senses(
            "a dangerous stunt",
            "a stunt double's makeup on a film set | a publicity stunt",
        ),
        "dangerous": _senses(
            "a dangerous stunt",
            "dangerously cute | dangerously delicious",
        ),
        "on fire": _senses(
            "a person set on fire in a stunt",
            "on fire at karaoke, doing great | candles on fire on a birthday cake",
        ),
        "bungee": _senses(
            "a bungee jump off a bridge",
            "a bungee cord holding luggage",
        ),
    },
    "gambling": {
        "lottery": _senses(
            "buying a lottery ticket",
            "feeling lucky, like winning the lottery with a new puppy",
        ),
        "bet": _senses(
            "placing a bet at a casino",
            "you bet, of course | i bet she'll love it | a safe bet",
        ),
        "jackpot": _senses(
            "winning a casino jackpot",
            "hitting the jackpot finding the perfect dress",
        ),
        "poker": _senses(
            "playing poker for money",
            "a fire poker by the fireplace | a poker face",
        ),
        "gamble": _senses(
            "gambling money at a casino",
            "taking a gamble on a new haircut",
        ),
    },
    "dancing": {
        "ballerina": _senses(
            "a ballerina dancing on stage",
            "a ballerina music box | ballerina flats shoes",
        ),
        "dance floor": _senses(
            "dancing on the dance floor",
            "mopping or sweeping an empty dance floor after closing",
        ),
        "jig": _senses(
            "dancing an irish jig",
            "a fishing jig lure | a woodworking jig",
        ),
        "two step": _senses(
            "dancing the two step",
            "two step verification on a phone",
        ),
        "ballroom": _senses(
            "ballroom dancing",
            "a hotel ballroom set up for a gala dinner",
        ),
        "disco": _senses(
            "dancing at a disco",
            "hanging a disco ball in a bedroom | a disco themed cake",
        ),
        "choreography": _senses(
            "dance choreography",
            "fight choreography for a stage play | stunt choreography",
        ),
        "tutu": _senses(
            "a ballerina dancing in a tutu",
            "a tutu at a dress-up party | a tutu as a costume",
        ),
        "boogie": _senses(
            "boogie dancing",
            "a boogie board at the beach",
        ),
        "polka": _senses(
            "dancing the polka",
            "a polka dot dress",
        ),
        "ballet": _senses(
            "dancing ballet",
            "ballet flats shoes",
        ),
        "waltz": _senses(
            "dancing a waltz",
            "waltzing into the office late",
        ),
        "moonwalk": _senses(
            "dancing the moonwalk",
            "astronauts on a moonwalk",
        ),
    },
    "politics": {
        "rally": _senses(
            "a political rally with a candidate",
            "a pep rally for a school team | a tennis rally | a car rally",
        ),
        "vote": _senses(
            "voting in an election",
            "voting on pizza toppings with friends | voting for the best costume",
        ),
    },
}

# Harmless scenes beside each topic, for a prompt that no keyword matched but that MiniLM reads
# close to the topic as a whole ("a glass of grape juice" is near "a glass of wine"): such a hit
# does not count when one of these is closer than the topic's own examples by the margin.
TOPIC_NEIGHBOURS: dict[str, tuple[str, ...]] = {
    name: tuple(p.strip() for p in text.split("|"))
    for name, text in {
        "politics": "a speech at a wedding or a school assembly | a club or team meeting | a "
        "party with friends",
        "romance": "a hug between friends or family | a family dinner | a kiss for a pet or a "
        "child",
        "violence": "a sport or a play fight | a pillow fight | a video game",
        "weapons": "kitchen tools | a toy | a camera or a tool",
        "religion": "a school concert or a choir | an old castle or museum | candles at home",
        "alcohol": "drinking juice, soda or lemonade | a glass of fruit juice or milk | a glass of "
        "sparkling water | coffee or "
        "tea in a cafe | a non-alcoholic mocktail",
        "drugs": "vitamins from a pharmacy | laughing hard at a joke | cooking with herbs",
        "smoking": "smoke from a campfire or a barbecue | steam or breath in the cold | "
        "blowing out candles",
        "swimwear": "a full wetsuit for surfing or diving | a t-shirt and shorts at the beach | "
        "warm covered clothes",
        "revealing": "a full wetsuit for surfing or diving | a t-shirt and shorts at the beach "
        "| warm covered clothes",
        "horror": "a cute halloween costume | a museum exhibit | a dark night sky",
        "humiliation": "laughing with friends at a joke | a funny costume at a party | learning "
        "something new",
        "sadness": "a rainy day | cutting onions | the colour blue",
        "dancing": "exercise or walking | tapping a foot to music at a concert",
        "injuries": "a doctor's checkup | red paint | fixing a broken object",
        "gambling": "a board game or a card game for fun | bingo with family",
        "ads": "recommending something to a friend | a market stall | a plain t-shirt",
        "driving": "riding a bike, a bus or a train | a toy car",
        "animals": "a stuffed toy | animal print clothes",
        "sports": "a board game | walking or stretching | a concert in a stadium",
        "eating": "cooking or serving food without eating | drinking water",
        "profanity": "saying oops or fudge | pointing or waving",
        "stunts": "a roller coaster ride | climbing with a harness | a safe jump into a pool",
    }.items()
}

# How much closer a harmless sense must be than the restricted one for a keyword not to count.
CONTEXT_MARGIN = 0.04

_CLAUSE_RE = re.compile(r"[,;.!?:()\[\]]+|\s(?:and|then|while|but|before|after|until|when)\s")


def clauses(text: str) -> list[str]:
    """The prompt cut into clauses, so a keyword is read beside the words of its own action."""
    return [" ".join(part.split()) for part in _CLAUSE_RE.split(text) if part.strip()]


def harmless_sense_wins(
    clause_vectors: np.ndarray, meant: np.ndarray, harmless: np.ndarray
) -> bool:
    """Whether every clause holding the keyword reads closer to a harmless sense by the margin."""
    margins = (clause_vectors @ harmless.T).max(axis=1) - (clause_vectors @ meant.T).max(axis=1)
    return bool((margins >= CONTEXT_MARGIN).all())
