"""Restrictions read a keyword with a second meaning in its own clause, through the real service.

Each harmless prompt below is a tune row of the restriction corpus that the matcher refused before
it read context ("dates" at a bazaar against "nothing romantic", a "pitcher" of iced tea against
"no sports"). It now makes a job, while its neighbour with the same word in the restricted sense
is still refused in the owner's words with nothing written. These tests run the real MiniLM model
from site-packages.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

import cameo.restrictions as restrictions
from accounts.models import User
from cameo.models import Cameo, CameoUse
from cameo.restrictions import restriction_conflict
from cameo.restrictions.context import KEYWORD_SENSES, TOPIC_NEIGHBOURS
from cameo.restrictions.topics import TOPICS
from cameo.services.consent import cameo_mark_verified, cameo_settings_update
from generation.models import GenerationJob
from generation.services import generation_request

EMBEDDING = [0.01 * i for i in range(128)]


def _cameo_with(alice: User, restrictions_text: str) -> Cameo:
    cameo_mark_verified(owner=alice, display_name="alice", embedding=EMBEDDING)
    return cameo_settings_update(owner=alice, permission="everyone", restrictions=restrictions_text)


def _request(user: User, prompt: str, cameo: Cameo) -> GenerationJob:
    return generation_request(
        user=user, prompt=prompt, duration_s=4, aspect="9:16", cameo_ids=[cameo.pk]
    )


# Each row: the owner's restrictions, a tune prompt refused before context was read, and a
# prompt with the same word in the sense the owner ruled out.
CONTEXT = [
    pytest.param(
        "Nothing romantic",
        "@alice buying a box of dates at the bazaar for a recipe",
        "@alice nervous before a first date at a wine bar",
        id="dates-fruit",
    ),
    pytest.param(
        "No violence",
        "@alice holding up a giant trophy on stage",
        "@alice punching a stranger outside a bar",
        id="holding-up-a-trophy",
    ),
    pytest.param(
        "No guns or weapons",
        "@alice riding shotgun on a road trip singing along",
        "@alice aiming a gun at a bank teller",
        id="riding-shotgun",
    ),
    pytest.param(
        "No sports",
        "@alice pouring from a pitcher of iced tea",
        "@alice the pitcher throwing a fastball",
        id="pitcher-of-tea",
    ),
    pytest.param(
        "No animals please",
        "@alice ducking under a low doorway",
        "@alice feeding a duck at the pond",
        id="ducking",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("restrictions_text", "harmless", "conflict"), CONTEXT)
def test_a_word_read_in_its_harmless_sense_goes_through_and_makes_a_job(
    alice: User, bob: User, restrictions_text: str, harmless: str, conflict: str
) -> None:
    cameo = _cameo_with(alice, restrictions_text)

    job = _request(bob, harmless, cameo)

    assert GenerationJob.objects.get().prompt == harmless
    assert CameoUse.objects.get().job == job


@pytest.mark.django_db
@pytest.mark.parametrize(("restrictions_text", "harmless", "conflict"), CONTEXT)
def test_the_same_word_in_the_restricted_sense_is_refused_and_nothing_is_written(
    alice: User, bob: User, restrictions_text: str, harmless: str, conflict: str
) -> None:
    cameo = _cameo_with(alice, restrictions_text)

    with pytest.raises(ValidationError) as refused:
        _request(bob, conflict, cameo)

    assert f"@alice's cameo can't be used for this. They asked: \"{restrictions_text}\"." in (
        refused.value.messages
    )
    assert not GenerationJob.objects.exists()
    assert not CameoUse.objects.exists()


def test_without_minilm_a_word_with_a_second_meaning_still_counts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    prompt = "@bob buying dates at a bazaar"
    assert restriction_conflict(prompt, "Nothing romantic") is None

    def unavailable(texts: list[str]) -> None:
        raise OSError("no model here")

    monkeypatch.setattr(restrictions, "_vectors", unavailable)

    # Erring towards the owner: with no model to read the clause, the keyword decides.
    assert restriction_conflict(prompt, "Nothing romantic") == "Nothing romantic"


def test_every_word_read_in_context_is_a_keyword_of_its_topic() -> None:
    topics = {topic.name: topic for topic in TOPICS}

    unknown = [
        f"{name}: {keyword}"
        for name, senses in KEYWORD_SENSES.items()
        for keyword in senses
        if name not in topics or keyword not in topics[name].keywords
    ]

    assert unknown == []
    assert set(TOPIC_NEIGHBOURS) <= set(topics)
    assert all(
        entry.meant and entry.harmless for s in KEYWORD_SENSES.values() for entry in s.values()
    )
