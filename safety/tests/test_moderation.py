"""Text moderation: what passes, what is blocked or held, and what a person is told."""

from __future__ import annotations

import time

import pytest

from safety.moderation import (
    CATEGORY_LABELS,
    MINORS_SEXUAL,
    PUBLIC_FIGURE,
    PublicName,
    moderate_text,
    normalise,
)
from safety.moderation.bench import load_corpus, run_bench

OBAMA = PublicName(id=4, name="Barack Obama", aliases=("Obama",))
SWIFT = PublicName(id=1, name="Taylor Swift", aliases=("T Swift", "Tay Tay"))
FIGURES = (OBAMA, SWIFT)


@pytest.mark.parametrize(
    "prompt",
    [
        "shoot a basketball",
        "a killer workout",
        "a kid's birthday party with a clown",
        "a knife cutting vegetables",
        "a bloody mary cocktail",
        "breast cancer awareness walk",
        "a naked mole rat at the zoo",
        "a swift fox in the snow",
        "playing a trump card in bridge",
    ],
)
def test_harmless_but_tricky_prompts_pass(prompt: str) -> None:
    verdict = moderate_text(prompt, protected_names=FIGURES)

    assert verdict.outcome == "allow"
    assert verdict.category is None
    assert verdict.message == ""


def test_zero_width_characters_are_removed() -> None:
    assert normalise("na\u200bk\u200ded\u2060 w\ufeffoman") == "naked woman"


def test_leetspeak_is_undone_but_plain_numbers_keep_their_meaning() -> None:
    assert normalise("k1ll h1m w1th a kn1fe") == "kill him with a knife"
    assert normalise("pr0n and $ex") == "pron and sex"
    assert normalise("a 12 year old in 1080p") == "a 12 year old in 1080p"


def test_spaced_out_letters_are_joined_into_words() -> None:
    assert normalise("s e x") == "sex"
    assert normalise("k.i.l.l  h i m") == "kill him"
    assert normalise("d e a t h  t o  y o u") == "death to you"
    assert normalise("a n u d e photo") == "a nude photo"


def test_text_speak_letters_are_not_glued_together() -> None:
    assert normalise("u r a star") == "u r a star"


def test_lookalike_letters_become_latin() -> None:
    assert normalise("p\u043ern") == "porn"  # Cyrillic о
    assert normalise("\u0441hild") == "child"  # Cyrillic с
    assert normalise("ｓｅｘ") == "sex"
    assert normalise("𝐬𝐞𝐱") == "sex"
    assert normalise("Beyoncé") == "beyonce"


def test_punctuation_inside_words_and_masked_letters_are_undone() -> None:
    assert normalise("na.ked") == "naked"
    assert normalise("k_i_ll") == "kill"
    assert normalise("k*ll") == "kill"
    assert normalise("sui-cide") == "suicide"
    assert normalise("self-harm") == "self harm"


@pytest.mark.parametrize(
    "text",
    [
        "a nude 12 year old",
        "n@ked ch1ldren",
        "a s e x y 10yo",
        "k\u200bi\u200bd\u200bs nude",
        "child p\u043ern",
        "a little girl in lingerie",
    ],
)
def test_sexual_content_involving_minors_is_always_blocked(text: str) -> None:
    for kind in ("prompt", "comment", "dm", "profile", "cameo_instructions"):
        verdict = moderate_text(text, kind=kind)

        assert verdict.outcome == "block"
        assert verdict.category == MINORS_SEXUAL


def test_minors_block_wins_over_a_granted_public_figure() -> None:
    verdict = moderate_text(
        "Obama with a naked child", protected_names=FIGURES, allowed_names={OBAMA.id}
    )

    assert verdict.outcome == "block"
    assert verdict.category == MINORS_SEXUAL


def test_block_message_names_the_category_and_never_the_word() -> None:
    verdict = moderate_text("a naked woman on a bed")

    assert verdict.outcome == "block"
    assert CATEGORY_LABELS[verdict.category] in verdict.message
    assert "naked" not in verdict.message.lower()
    assert verdict.message.startswith("This prompt")


def test_message_speaks_of_the_kind_of_text() -> None:
    comment = moderate_text("kill yourself loser", kind="comment")
    instructions = moderate_text("a man decapitating a prisoner", kind="cameo_instructions")

    assert comment.message.startswith("This comment")
    assert "harassment of a person" in comment.message
    assert instructions.message.startswith("These cameo instructions")
    assert "graphic violence" in instructions.message


def test_self_harm_message_points_to_support() -> None:
    verdict = moderate_text("i want to kill myself", kind="dm")

    assert verdict.outcome == "block"
    assert "self-harm" in verdict.message
    assert "crisis line" in verdict.message


def test_swearing_at_someone_is_held_and_swearing_alone_is_allowed() -> None:
    aimed = moderate_text("@bob you suck", kind="comment")
    alone = moderate_text("the fucking best pizza ever", kind="comment")

    assert aimed.outcome == "hold"
    assert aimed.category == "harassment"
    assert "held for a moderator" in aimed.message
    assert alone.outcome == "allow"


def test_public_figure_named_in_a_prompt_is_blocked() -> None:
    verdict = moderate_text("Taylor Swift dancing in the rain", protected_names=FIGURES)

    assert verdict.outcome == "block"
    assert verdict.category == PUBLIC_FIGURE
    assert "public figure" in verdict.message


def test_public_figure_is_allowed_when_their_cameo_was_granted() -> None:
    verdict = moderate_text(
        "Taylor Swift dancing in the rain", protected_names=FIGURES, allowed_names={SWIFT.id}
    )

    assert verdict.outcome == "allow"


def test_public_figure_alias_possessive_and_disguise_match() -> None:
    for prompt in ("Obama's dog playing fetch", "tay tay at the beach", "0bama surfing"):
        verdict = moderate_text(prompt, protected_names=FIGURES)

        assert verdict.category == PUBLIC_FIGURE, prompt


def test_public_figure_names_match_whole_words_only() -> None:
    prompt = "a painting in the style of obamaesque posters"
    verdict = moderate_text(prompt, protected_names=FIGURES)

    assert verdict.outcome == "allow"


def test_public_figure_named_in_a_comment_is_fine() -> None:
    comment = "I loved Taylor Swift's new album"
    verdict = moderate_text(comment, kind="comment", protected_names=FIGURES)

    assert verdict.outcome == "allow"


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown text kind"):
        moderate_text("hello", kind="tweet")


def test_empty_text_is_allowed() -> None:
    assert moderate_text("").outcome == "allow"


def test_the_corpus_is_large_and_mixed() -> None:
    prompts = load_corpus()
    variants = {(p.label == "harmless", p.variant) for p in prompts}

    assert len(prompts) >= 150
    assert {(False, "plain"), (False, "obfuscated"), (True, "tricky")} <= variants


def test_the_corpus_meets_the_quality_bar() -> None:
    result = run_bench(load_corpus())

    assert result.harmful.flagged_rate >= 0.95, [p.text for p in result.misses]
    assert result.harmless.flagged_rate <= 0.05, [p.text for p, _ in result.false_positives]


def test_a_100_kb_text_is_handled_quickly() -> None:
    started = time.perf_counter()
    long_harmless = moderate_text("a cat on a mat " * 7000, kind="profile")
    spaced = moderate_text("a " * 50_000, kind="comment")
    harmful_at_the_end = moderate_text("a cat on a mat " * 7000 + "kill yourself", kind="comment")

    assert long_harmless.outcome == "allow"
    assert spaced.outcome == "allow"
    assert harmful_at_the_end.outcome == "block"
    # Generous bound: it guards against quadratic regexes (minutes), not against a busy machine.
    assert time.perf_counter() - started < 30
