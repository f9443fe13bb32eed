"""Public figures: protected names and aliases, matched as whole words after normalisation.

The list itself belongs to operators (a model and its admin, added by the caller); this module
only takes it as data. ``STARTER_PUBLIC_FIGURES`` is a seed for a fresh install. Its aliases are
chosen to be distinctive: "Trump" is in, but "Swift", "Musk", "The Rock" and "Ye" are not,
because "a swift fox", "a musk ox", "a climber on the rock" and "ye olde inn" are everyday
prompts. Harmless phrases such as "trump card" are masked before
matching, the same way the rules mask them.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from .normalise import normalise
from .rules import compile_term


@dataclass(frozen=True)
class PublicName:
    """A protected person: an id (the caller's primary key), a name, and other names for them."""

    id: int | str
    name: str
    aliases: tuple[str, ...] = field(default=())

    def spellings(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@lru_cache(maxsize=512)
def _pattern(spelling: str) -> re.Pattern[str] | None:
    words = re.sub(r"[^a-z0-9' ]+", " ", normalise(spelling)).split()
    if not words:
        return None
    return re.compile(compile_term(" ".join(words)))


def named_figures(masked: str, people: Sequence[PublicName]) -> list[PublicName]:
    """The people in ``people`` whose name or an alias appears in ``masked`` text."""
    found = []
    for person in people:
        patterns = (_pattern(spelling) for spelling in person.spellings())
        if any(rx is not None and rx.search(masked) for rx in patterns):
            found.append(person)
    return found


def unconsented_figure(
    masked: str, people: Sequence[PublicName], allowed: Collection[int | str]
) -> PublicName | None:
    """The first named person who has not granted the creator use of their cameo, if any."""
    allowed_ids = {str(pk) for pk in allowed}
    return next((p for p in named_figures(masked, people) if str(p.id) not in allowed_ids), None)


def _starter(pk: int, name: str, *aliases: str) -> PublicName:
    return PublicName(id=pk, name=name, aliases=aliases)


STARTER_PUBLIC_FIGURES: tuple[PublicName, ...] = (
    _starter(1, "Taylor Swift", "T Swift", "Tay Tay"),
    _starter(2, "Joe Biden", "Biden"),
    _starter(3, "Donald Trump", "Trump"),
    _starter(4, "Barack Obama", "Obama"),
    _starter(5, "Elon Musk"),
    _starter(6, "Beyoncé", "Beyonce Knowles", "Queen Bey"),
    _starter(7, "Kim Kardashian", "Kardashian"),
    _starter(8, "Pope Leo XIV", "Pope Leo", "the pope"),
    _starter(9, "Vladimir Putin", "Putin"),
    _starter(10, "Xi Jinping"),
    _starter(11, "Emmanuel Macron", "Macron"),
    _starter(12, "Narendra Modi"),
    _starter(13, "King Charles", "King Charles III"),
    _starter(14, "Kamala Harris"),
    _starter(15, "Oprah Winfrey", "Oprah"),
    _starter(16, "Mark Zuckerberg", "Zuckerberg"),
    _starter(17, "LeBron James", "LeBron"),
    _starter(18, "Cristiano Ronaldo", "Ronaldo", "CR7"),
    _starter(19, "Lionel Messi", "Messi"),
    _starter(20, "Keanu Reeves"),
    _starter(21, "Scarlett Johansson"),
    _starter(22, "Tom Hanks"),
    _starter(23, "Greta Thunberg"),
    _starter(24, "Volodymyr Zelensky", "Zelensky", "Zelenskyy"),
    _starter(25, "Rihanna"),
    _starter(26, "Billie Eilish"),
    _starter(27, "Dwayne Johnson"),
    _starter(28, "Kanye West"),
    _starter(29, "Bill Gates"),
    _starter(30, "Jeff Bezos", "Bezos"),
    _starter(31, "Pope Francis"),
)
