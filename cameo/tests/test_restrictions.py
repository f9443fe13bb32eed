"""Tests for cameo.restrictions: a prompt checked against a cameo owner's "Never put me in" text.

The corpus is ``data/restrictions.csv`` (restriction, prompt, conflict). cameo.restrictions's
docstring says which rows built the lexicon and how each fresh batch scored before it was used.
These tests run the real MiniLM model from site-packages; nothing is downloaded.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

import numpy as np
import pytest

from cameo import restrictions
from cameo.restrictions import (
    PROMPT_THRESHOLD,
    WORD_THRESHOLD,
    restriction_conflict,
    restriction_scores,
)

CORPUS = Path(__file__).parent / "data" / "restrictions.csv"


def _corpus() -> list[tuple[str, str, bool]]:
    with CORPUS.open(newline="", encoding="utf-8") as handle:
        return [
            (row["restriction"], row["prompt"], row["conflict"] == "1")
            for row in csv.DictReader(handle)
        ]


def _only_score(prompt: str, restriction: str) -> restrictions.RestrictionScore:
    (score,) = restriction_scores(prompt, restriction)
    return score


# --- The corpus -----------------------------------------------------------------------------------


def test_the_corpus_is_big_and_varied_enough_to_pick_thresholds_from() -> None:
    rows = _corpus()
    conflicts = sum(conflict for _, _, conflict in rows)
    assert len(rows) >= 120
    assert 0.35 <= conflicts / len(rows) <= 0.65
    assert len({restriction for restriction, _, _ in rows}) >= 40


def test_it_finds_nine_in_ten_corpus_conflicts_with_few_false_alarms() -> None:
    rows = _corpus()
    restriction_conflict("warm up the model", "no politics")
    started = time.perf_counter()
    predicted = [restriction_conflict(prompt, text) is not None for text, prompt, _ in rows]
    per_check_ms = (time.perf_counter() - started) * 1000 / len(rows)
    conflicts = [hit for hit, (_, _, truth) in zip(predicted, rows, strict=True) if truth]
    innocent = [hit for hit, (_, _, truth) in zip(predicted, rows, strict=True) if not truth]
    recall = sum(conflicts) / len(conflicts)
    false_positive_rate = sum(innocent) / len(innocent)
    print(
        f"\nrestriction corpus: {len(rows)} rows, recall {sum(conflicts)}/{len(conflicts)} = "
        f"{recall:.3f}, false positives {sum(innocent)}/{len(innocent)} = "
        f"{false_positive_rate:.3f}, {per_check_ms:.1f} ms per check"
    )
    wrong = [
        f"{'missed' if truth else 'false alarm'}: {restriction!r} / {prompt!r}"
        for hit, (restriction, prompt, truth) in zip(predicted, rows, strict=True)
        if hit != truth
    ]
    assert recall >= 0.9, "\n".join(wrong)
    assert false_positive_rate <= 0.1, "\n".join(wrong)


# --- What the owner sees quoted ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("restriction", "prompt", "quote"),
    [
        ("no politics, nothing romantic", "a candlelit dinner for two", "nothing romantic"),
        ("no politics, nothing romantic", "a senator giving a speech at a rally", "no politics"),
        ("no politics and nothing romantic", "me kissing someone at sunset", "nothing romantic"),
        ("No violence or weapons!", "me holding a rifle in the woods", "No violence or weapons"),
        ("Don't put me in ads.", "a TV commercial starring me", "Don't put me in ads"),
        (
            "No politics.\nNo religion.\nNothing with alcohol.",
            "me doing a keg stand at a frat party",
            "Nothing with alcohol",
        ),
        ("I hate spiders", "a tarantula crawling on my arm", "I hate spiders"),
        ("no dancing", "me in a ballet recital", "no dancing"),
        ("Keep it family-friendly please", "me in a bar fight", "Keep it family-friendly please"),
    ],
)
def test_it_quotes_the_owners_own_words(restriction: str, prompt: str, quote: str) -> None:
    assert restriction_conflict(prompt, restriction) == quote


def test_a_prompt_that_fits_every_clause_is_not_refused() -> None:
    restriction = "No politics.\nNo religion.\nNothing with alcohol."
    assert restriction_conflict("me riding a roller coaster", restriction) is None


@pytest.mark.parametrize("restriction", ["", "   \n ", "none", "N/A", "nothing", "no restrictions"])
def test_empty_restrictions_never_conflict(restriction: str) -> None:
    for prompt in ("a senator giving a speech", "me in a bikini", "a shootout at high noon"):
        assert restriction_conflict(prompt, restriction) is None


def test_an_empty_prompt_never_conflicts() -> None:
    assert restriction_conflict("", "no politics, nothing romantic") is None
    assert restriction_conflict("   ", "no politics, nothing romantic") is None


# --- Thresholds ---------------------------------------------------------------------------------


def test_the_prompt_threshold_takes_a_violin_as_music_but_not_a_vineyard_as_alcohol() -> None:
    # Dancing is a built-in topic now (a tango is a keyword), so music stands in for a
    # restriction outside the lexicon, which only MiniLM can read.
    violin = _only_score("me playing the violin", "no music")
    vineyard = _only_score("me eating grapes in a vineyard", "no alcohol")

    assert not violin.keyword and not vineyard.keyword
    assert violin.word_score < WORD_THRESHOLD
    assert PROMPT_THRESHOLD <= violin.prompt_score < PROMPT_THRESHOLD + 0.03
    assert violin.conflict
    assert PROMPT_THRESHOLD - 0.06 < vineyard.prompt_score < PROMPT_THRESHOLD
    assert not vineyard.conflict


def test_the_word_threshold_takes_a_cliff_dive_as_swimming_but_not_a_dog_as_a_cat() -> None:
    lake = _only_score("me diving off a cliff into a lake", "no swimming")
    dog = _only_score("me walking a dog", "never with cats")

    assert not lake.keyword and not dog.keyword
    assert WORD_THRESHOLD <= lake.word_score < WORD_THRESHOLD + 0.05
    assert lake.prompt_score < PROMPT_THRESHOLD
    assert lake.conflict
    assert WORD_THRESHOLD - 0.08 < dog.word_score < WORD_THRESHOLD
    assert not dog.conflict


# --- Keywords -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prompt", "restriction", "quote"),
    [
        ("me at an ELECTION night party", "no politics", "no politics"),
        ("two Senators arguing on TV", "no politics", "no politics"),
        ("me waiting at the p0lling station", "no politics", "no politics"),
        ("a sign that says V.O.T.E", "no politics", "no politics"),
        ("me k*ssing on a bridge", "nothing romantic", "nothing romantic"),
        ("me kiiiiissing on a bridge", "nothing romantic", "nothing romantic"),
        ("me with a 🍺 at a barbecue", "no alcohol", "no alcohol"),
        ("me toasting with CHAMPÂGNE", "NO ALCOHOL!", "NO ALCOHOL"),
        ("me holding knives", "no guns or knives", "no guns or knives"),
        ("me surrounded by clowns", "no clowns", "no clowns"),
    ],
)
def test_obfuscated_plural_or_capitalised_keywords_still_match(
    prompt: str, restriction: str, quote: str
) -> None:
    assert restriction_conflict(prompt, restriction) == quote


@pytest.mark.parametrize(
    ("prompt", "restriction"),
    [
        ("kids having a pillow fight", "no violence"),
        ("me smoking a brisket on the grill", "no smoking"),
        ("me voting for the best cake at a bake-off", "no politics"),
        ("me kissing my dog on the nose", "nothing romantic"),
        ("me drinking lemonade in the sun", "no drinking"),
        ("me eating a hot dog", "no pets"),
        ("a dog playing in the park", "no sports"),
        ("me surfing the internet on a lazy sunday", "no sports"),
        ("me reading to kids at a library", "keep it kid friendly"),
    ],
)
def test_innocent_uses_of_a_keyword_do_not_conflict(prompt: str, restriction: str) -> None:
    assert restriction_conflict(prompt, restriction) is None


def test_keywords_still_refuse_when_minilm_cannot_load(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(texts: list[str]) -> np.ndarray:
        raise OSError("model files missing")

    monkeypatch.setattr(restrictions, "_vectors", broken)

    assert restriction_conflict("me casting a ballot", "no politics") == "no politics"
    # Only MiniLM knows a violin is music.
    assert restriction_conflict("me playing the violin", "no music") is None


# --- Cost ---------------------------------------------------------------------------------------


def test_a_new_prompt_costs_two_model_batches_at_most_and_a_repeat_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sora_site import embeddings

    restriction_conflict("warm up the model", "no clowns, no fire")
    batches: list[int] = []
    real = embeddings.embed_texts

    def counting(texts: list[str]) -> np.ndarray:
        batches.append(len(texts))
        return real(texts)

    monkeypatch.setattr(embeddings, "embed_texts", counting)
    prompt = "me juggling flaming torches on a unicycle at a street fair"

    # "fire" is not in the lexicon, so the prompt's words go to MiniLM as well as the whole
    # prompt (short texts in their own batch), and "flaming" comes out close to it.
    assert restriction_conflict(prompt, "no clowns, no fire") == "no fire"
    assert len(batches) == 2
    assert restriction_conflict(prompt, "no clowns, no fire") == "no fire"
    assert len(batches) == 2


def test_a_keyword_match_answers_without_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    from sora_site import embeddings

    def forbidden(texts: list[str]) -> np.ndarray:
        raise AssertionError("MiniLM ran for a keyword match")

    monkeypatch.setattr(embeddings, "embed_texts", forbidden)

    assert restriction_conflict("me at a brand new casino", "no gambling") == "no gambling"
