"""Restrictions read words in the sense a creator meant, through the real request service.

Prompts that were once refused for a word in another sense ("a fizzy bath bomb" against "no
violence", "folding clothes" against "no swimwear or revealing clothes") now make a job, while
their matching neighbours are still refused in the owner's words with nothing written. Also: the
fresh corpus, which is never used for tuning, and the bench's fresh figures. These tests run the
real MiniLM model from site-packages.
"""

from __future__ import annotations

import csv
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from accounts.models import User
from cameo.models import Cameo, CameoUse
from cameo.restrictions import restriction_conflict
from cameo.restrictions.bench import CORPUS, FRESH, read_corpus
from cameo.services.consent import cameo_mark_verified, cameo_settings_update
from generation.models import GenerationJob
from generation.services import generation_request

EMBEDDING = [0.01 * i for i in range(128)]


def _cameo_with(alice: User, restrictions: str) -> Cameo:
    cameo_mark_verified(owner=alice, display_name="alice", embedding=EMBEDDING)
    return cameo_settings_update(owner=alice, permission="everyone", restrictions=restrictions)


def _request(user: User, prompt: str, cameo: Cameo) -> GenerationJob:
    return generation_request(
        user=user, prompt=prompt, duration_s=4, aspect="9:16", cameo_ids=[cameo.pk]
    )


# Each row: the owner's restrictions, a prompt that uses a word in another sense (refused before),
# and a matching prompt that must still be refused.
SENSES = [
    pytest.param(
        "No swimwear or revealing clothes",
        "@alice folding clothes at the laundromat",
        "@alice in a bikini on a yacht",
        id="clothes-beside-revealing",
    ),
    pytest.param(
        "No violence",
        "@alice making a fizzy bath bomb",
        "@alice slapping her rival across the face",
        id="bath-bomb",
    ),
    pytest.param(
        "Nothing romantic",
        "@alice a proud dog lover walking three beagles",
        "@alice serenading her boyfriend under a balcony",
        id="dog-lover",
    ),
    pytest.param(
        "No politics",
        "@alice running a dungeons and dragons campaign with friends",
        "@alice giving a campaign speech at a rally",
        id="game-campaign",
    ),
    pytest.param(
        "No ads or brand promotions",
        "@alice promoted to manager at the bakery",
        "@alice reading out a promo code for a meal kit",
        id="promoted-at-work",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("restrictions", "harmless", "conflict"), SENSES)
def test_a_word_in_another_sense_goes_through_and_makes_a_job(
    alice: User, bob: User, restrictions: str, harmless: str, conflict: str
) -> None:
    cameo = _cameo_with(alice, restrictions)

    job = _request(bob, harmless, cameo)

    assert GenerationJob.objects.get().prompt == harmless
    assert CameoUse.objects.get().job == job


@pytest.mark.django_db
@pytest.mark.parametrize(("restrictions", "harmless", "conflict"), SENSES)
def test_its_matching_neighbour_is_refused_in_the_owners_words_and_nothing_is_written(
    alice: User, bob: User, restrictions: str, harmless: str, conflict: str
) -> None:
    cameo = _cameo_with(alice, restrictions)

    with pytest.raises(ValidationError) as refused:
        _request(bob, conflict, cameo)

    quote = restriction_conflict(conflict, restrictions)
    assert quote is not None
    assert f"@alice's cameo can't be used for this. They asked: \"{quote}\"." in (
        refused.value.messages
    )
    assert not GenerationJob.objects.exists()
    assert not CameoUse.objects.exists()


def test_words_beside_a_topic_narrow_it_rather_than_stand_alone() -> None:
    # "revealing clothes" rules out revealing clothes, and "horror movies" horror movies.
    assert restriction_conflict("me shopping for winter clothes", "no revealing clothes") is None
    assert restriction_conflict("me in very revealing clothes", "no revealing clothes") is not None
    assert restriction_conflict("me watching movies with popcorn", "no horror movies") is None


# --- The fresh corpus -----------------------------------------------------------------------------


def test_the_fresh_corpus_is_big_unseen_and_marked_fresh_only() -> None:
    fresh = read_corpus(FRESH)
    restrictions = {row.restriction for row in fresh}
    tuned_prompts = {row.prompt.lower() for row in read_corpus(CORPUS)}

    assert len(fresh) >= 200
    assert {row.split for row in fresh} == {"fresh"}
    assert len(restrictions) >= 25
    for restriction in restrictions:
        answers = {row.refuse for row in fresh if row.restriction == restriction}
        assert answers == {True, False}, restriction
    assert not [row.prompt for row in fresh if row.prompt.lower() in tuned_prompts]


def test_the_bench_prints_fresh_figures_and_says_they_are_never_tuned_on(tmp_path: Path) -> None:
    corpus = tmp_path / "tiny.csv"
    with corpus.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["restriction", "prompt", "expected", "split", "note"])
        writer.writerow(["no alcohol", "me sipping red wine", "refuse", "fresh", ""])
        writer.writerow(["no alcohol", "me taking a shot of espresso", "allow", "fresh", ""])
    out = StringIO()

    call_command("bench_restrictions", corpus=corpus, split="fresh", stdout=out)

    printed = out.getvalue()
    assert "fresh rows are never used for tuning" in printed
    assert "fresh (2 rows): recall 1/1 = 100.0%, false refusals 0/1 = 0.0%" in printed
    assert "by restriction (fresh):" in printed
