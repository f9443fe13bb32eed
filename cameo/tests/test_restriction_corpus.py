"""Cameo restrictions through the real request service, the restriction corpus, and the bench.

"Nothing romantic" once refused dates at a fruit market and a friend's wedding, and let a
passionate embrace through. These tests run the real MiniLM model from site-packages.
"""

from __future__ import annotations

import csv
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import User
from cameo.models import Cameo, CameoUse
from cameo.restrictions.bench import CORPUS, read_corpus
from cameo.services.consent import cameo_mark_verified, cameo_settings_update
from generation.models import GenerationJob
from generation.services import generation_request

EMBEDDING = [0.01 * i for i in range(128)]
REFUSAL = "@alice's cameo can't be used for this. They asked: \"Nothing romantic\"."


def _romance_shy_cameo(alice: User) -> Cameo:
    cameo_mark_verified(owner=alice, display_name="alice", embedding=EMBEDDING)
    return cameo_settings_update(
        owner=alice, permission="everyone", restrictions="Nothing romantic"
    )


def _request(user: User, prompt: str, cameo: Cameo) -> GenerationJob:
    return generation_request(
        user=user, prompt=prompt, duration_s=4, aspect="9:16", cameo_ids=[cameo.pk]
    )


@pytest.mark.django_db
def test_a_passionate_embrace_is_refused_in_the_owners_words_and_nothing_is_written(
    alice: User, bob: User
) -> None:
    cameo = _romance_shy_cameo(alice)

    with pytest.raises(ValidationError) as refused:
        _request(bob, "@alice in a passionate embrace", cameo)

    assert REFUSAL in refused.value.messages
    assert not GenerationJob.objects.exists()
    assert not CameoUse.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "prompt", ["@alice eating dates at a fruit market", "@alice photographing a friend's wedding"]
)
def test_innocent_neighbours_of_romance_go_through(alice: User, bob: User, prompt: str) -> None:
    cameo = _romance_shy_cameo(alice)

    job = _request(bob, prompt, cameo)

    assert GenerationJob.objects.get().prompt == prompt
    assert CameoUse.objects.get().job == job


# --- The corpus -----------------------------------------------------------------------------------


def test_the_corpus_is_big_varied_and_holds_a_third_back() -> None:
    rows = read_corpus(CORPUS)
    # Rows written while tuning are tune rows only; the held third was fixed before any change.
    added = [row for row in rows if row.note.startswith("added in tuning")]
    first = [row for row in rows if row not in added]
    held = [row for row in rows if row.split == "held"]

    assert len(rows) >= 300
    assert len({row.restriction for row in rows}) >= 20
    assert {row.split for row in rows} == {"held", "tune"}
    assert {row.split for row in added} == {"tune"}
    assert len(held) * 3 >= len(first)
    # Both answers are held back for every restriction, so held measures both rates.
    for restriction in {row.restriction for row in rows}:
        answers = {row.refuse for row in held if row.restriction == restriction}
        assert answers == {True, False}, restriction


# --- The bench ------------------------------------------------------------------------------------


def test_the_bench_prints_recall_false_refusals_and_misses_on_a_tiny_corpus(
    tmp_path: Path,
) -> None:
    corpus = tmp_path / "tiny.csv"
    with corpus.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["restriction", "prompt", "expected", "split", "note"])
        writer.writerow(["no politics", "me casting a ballot", "refuse", "held", ""])
        writer.writerow(["no politics", "me at a birthday party", "allow", "held", "party"])
        writer.writerow(["no politics", "me on a walk", "refuse", "held", "wrong on purpose"])
        writer.writerow(["no alcohol", "me sipping red wine", "refuse", "tune", ""])
        writer.writerow(["no alcohol", "me taking a shot of espresso", "allow", "tune", ""])
    out = StringIO()

    call_command("bench_restrictions", corpus=corpus, verbose=True, stdout=out)

    printed = out.getvalue()
    assert "held (3 rows): recall 1/2 = 50.0%, false refusals 0/1 = 0.0%" in printed
    assert "tune (2 rows): recall 1/1 = 100.0%, false refusals 0/1 = 0.0%" in printed
    assert "ms per check over 5 checks" in printed
    assert "no politics" in printed.split("by restriction (held):")[1]
    assert "missed: 'no politics' / 'me on a walk'  [wrong on purpose]" in printed


def test_the_bench_says_plainly_when_the_corpus_is_missing(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="There is no corpus at"):
        call_command("bench_restrictions", corpus=tmp_path / "none.csv", stdout=StringIO())
