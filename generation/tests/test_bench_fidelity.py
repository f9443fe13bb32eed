"""The fidelity corpus, the plan's drawn list, the scorer and ``manage.py bench_fidelity``."""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from PIL import Image

from generation.fidelity import score, sheets
from generation.pipeline import scene_vocab
from generation.pipeline.scene import ScenePlan, plan_scene

CATEGORIES = {
    "people", "animals", "vehicles", "food", "sport", "music", "places", "weather", "objects",
}  # fmt: skip


def _write_csv(path: Path, rows: list[tuple[str, ...]], header: tuple[str, ...]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("bench_fidelity", *args, stdout=out)
    return out.getvalue()


# --- the corpus --------------------------------------------------------------------------------


def test_it_ships_at_least_200_prompts_each_with_a_prompt_items_and_a_split() -> None:
    with score.CORPUS.open(newline="", encoding="utf-8") as handle:
        lines = list(csv.DictReader(handle))

    assert len(lines) >= 200
    assert all(line["prompt"].strip() and line["expect"].strip() for line in lines)
    assert {line["split"] for line in lines} == {"tune", "held"}
    assert len({line["prompt"] for line in lines}) == len(lines)


def test_it_holds_out_every_fourth_row_which_is_a_quarter_of_the_corpus() -> None:
    rows = score.read_corpus(score.CORPUS)

    held = [i for i, row in enumerate(rows, start=1) if row.split == "held"]

    assert held == [i for i in range(1, len(rows) + 1) if i % score.HELD_EVERY == 0]
    assert len(held) == len(rows) // 4


def test_it_spreads_the_prompts_over_every_category_in_both_splits() -> None:
    rows = score.read_corpus(score.CORPUS)

    per_category = Counter(row.category for row in rows)
    held = Counter(row.category for row in rows if row.split == "held")

    assert set(per_category) == CATEGORIES
    assert min(per_category.values()) >= 20
    assert set(held) == CATEGORIES


def test_it_writes_expected_items_as_lowercase_words_one_per_concept() -> None:
    rows = score.read_corpus(score.CORPUS)

    for row in rows:
        concepts = [item.concept for item in row.items]
        assert len(concepts) == len(set(concepts)), row.prompt
        assert all(c == c.lower().strip() and c.replace(" ", "").isalpha() for c in concepts)
    assert any(not row.prompt.isascii() for row in rows)  # emoji prompts
    assert sum('"' in row.prompt for row in rows) >= 3  # spoken lines


# --- the plan's drawn list ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "prompt",
    [
        "a dog playing guitar on the beach at sunset, slow zoom in 🎸",
        "two red balloons in the city at night, slow pan",
        "a pooch on the seaside in the rain",
        "🐶🏄🌊",
        "a cat knocking a cup off a table",
        'a pirate captain shouting "land ho!" from the deck of his ship',
    ],
)
def test_every_concrete_word_is_either_drawn_or_not_drawn(prompt: str) -> None:
    plan = plan_scene(prompt)
    spoken = {"land", "ho", "shouting"}  # heard, not drawn
    words = set(re.findall(r"[a-z]+", prompt)) - set(scene_vocab.STOPWORDS) - spoken
    emoji = {char for char in prompt if unicodedata.category(char) == "So"}

    drawn = {word for phrase, _ in plan.drawn for word in phrase.split()}
    missing = set(plan.not_drawn)

    assert not drawn & missing
    assert words | emoji <= drawn | missing


def test_it_says_which_word_drew_which_thing() -> None:
    plan = plan_scene("a pooch on the seaside in the rain at sunset")

    assert ("pooch", "dog sprite") in plan.drawn
    assert ("rain", "rain weather") in plan.drawn
    assert ("sunset", "sunset sky") in plan.drawn


def test_it_keeps_a_camera_phrase_together_and_writes_drawn_as_pairs() -> None:
    plan = plan_scene("a dog on the beach, slow zoom in")

    data = plan.as_dict()

    assert ["zoom in", "zoom in camera"] in data["drawn"]
    assert json.loads(json.dumps(data))["drawn"] == data["drawn"]


# --- the scorer --------------------------------------------------------------------------------

MINI = [
    ("a pooch surfing at sunset", "dog/pooch;surfboard;sunset;surf", "tune"),
    ("three fire trucks in the rain", "fire truck;rain", "tune"),
    ("🐶🌧️", "dog/🐶;rain/🌧️", "held"),
]
MINI_PLANS = {
    "a pooch surfing at sunset": ScenePlan(
        drawn=(("pooch", "dog sprite"), ("sunset", "beach scene")), not_drawn=("surfing",)
    ),
    "three fire trucks in the rain": ScenePlan(
        drawn=(("rain", "rain weather"),), not_drawn=("three", "fire", "trucks")
    ),
    "🐶🌧️": ScenePlan(drawn=(("🐶", "dog sprite"),), not_drawn=("🌧",)),
}


def test_it_counts_drawn_not_drawn_and_silently_dropped_items(tmp_path: Path) -> None:
    rows = score.read_corpus(_write_csv(tmp_path / "mini.csv", MINI, ("prompt", "expect", "split")))

    scores = score.score_rows(rows, MINI_PLANS.__getitem__)

    first, trucks, emoji = scores
    assert [str(i) for i in first.drawn] == ["dog", "sunset"]
    assert [str(i) for i in first.not_drawn] == ["surf"]
    assert [str(i) for i in first.dropped] == ["surfboard"]
    assert [str(i) for i in trucks.drawn] == ["rain"]
    assert [str(i) for i in trucks.not_drawn] == ["fire truck"]
    assert [str(i) for i in emoji.drawn] == ["dog"]
    assert [str(i) for i in emoji.not_drawn] == ["rain"]
    assert [str(i) for i in first.stand_ins] == ["sunset"]  # drawn, but as a beach
    assert score.tally(scores) == score.Tally(
        prompts=3, items=8, drawn=4, not_drawn=3, dropped=1, stand_ins=1
    )
    assert score.tally(scores, "held") == score.Tally(1, 2, 1, 1, 0, 0)


def test_it_matches_plurals_and_verb_forms_but_not_other_words() -> None:
    row = score.Row("x", tuple(map(score.parse_item, ["leaf", "run", "dance", "cat"])), "tune")
    plan = ScenePlan(drawn=(("leaves", "leaf sprite"), ("running", "run motion")), not_drawn=())

    result = score.score_plan(row, ScenePlan(drawn=plan.drawn, not_drawn=("dancing", "catch")))

    assert [str(i) for i in result.drawn] == ["leaf", "run"]
    assert [str(i) for i in result.not_drawn] == ["dance"]
    assert [str(i) for i in result.dropped] == ["cat"]


def test_it_matches_plurals_that_no_ending_rule_reaches() -> None:
    items = tuple(map(score.parse_item, ["man", "child", "woman", "mouse"]))
    drawn = (("men", "person sprite"), ("children", "person sprite"), ("mice", "mouse sprite"))
    result = score.score_plan(score.Row("x", items, "tune"), ScenePlan(drawn=drawn, not_drawn=()))
    assert [str(i) for i in result.drawn] == ["man", "child", "mouse"]
    assert [str(i) for i in result.dropped] == ["woman"]


# --- the command -------------------------------------------------------------------------------


def test_it_prints_the_drawn_share_per_split_and_the_silently_dropped_count(
    tmp_path: Path,
) -> None:
    corpus = _write_csv(
        tmp_path / "c.csv",
        [
            ("a dog on the beach at sunset", "dog;beach;sunset;surfboard", "tune"),
            ("a cat in the snow at night", "cat;snow;night", "held"),
        ],
        ("prompt", "expect", "split"),
    )

    text = _run("--corpus", str(corpus), "--verbose")

    assert "drawn (tune): 3 of 4 = 75.0%" in text
    assert "drawn (held): 3 of 3 = 100.0%" in text
    assert "drawn (all): 6 of 7 = 85.7%" in text
    assert "silently dropped: 1 of 7 = 14.3%" in text
    assert "drawn by a stand-in (the word drew something else): 0 of 7 = 0.0%" in text
    assert "[tune] a dog on the beach at sunset" in text
    assert "dropped: surfboard" in text


def test_it_prints_only_the_split_asked_for(tmp_path: Path) -> None:
    corpus = _write_csv(
        tmp_path / "c.csv",
        [("a dog on the beach", "dog;beach", "tune"), ("a cat in the snow", "cat;snow", "held")],
        ("prompt", "expect", "split"),
    )

    text = _run("--corpus", str(corpus), "--split", "held")

    assert "drawn (held): 2 of 2 = 100.0%" in text
    assert "drawn (tune)" not in text
    assert "prompts planned: 1, expected items: 2" in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "is empty"),
        ("prompt,split\na dog,tune\n", "has no expect column"),
        ("prompt,expect,split\n", "has a header but no prompts"),
        ("prompt,expect,split\na dog,dog,later\n", "Line 2 of the corpus has split 'later'"),
    ],
)
def test_a_bad_corpus_gets_one_sentence_and_exit_code_1(
    tmp_path: Path, content: str, message: str
) -> None:
    corpus = tmp_path / "bad.csv"
    corpus.write_text(content, encoding="utf-8")
    out = tmp_path / "sheets"

    with pytest.raises(CommandError, match=message) as caught:
        _run("--corpus", str(corpus), "--sheets", str(out))

    assert caught.value.returncode == 1
    assert str(caught.value).endswith(".") and "\n" not in str(caught.value)
    assert not out.exists()


def test_a_missing_corpus_file_gets_a_sentence(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="can't be read"):
        _run("--corpus", str(tmp_path / "nowhere.csv"))


def test_it_picks_twelve_sheets_spread_over_the_corpus() -> None:
    rows = score.read_corpus(score.CORPUS)

    picked = sheets.spread(rows)

    assert len(picked) == 12 and len(set(picked)) == 12
    assert {row.category for row in picked} == CATEGORIES


def test_it_renders_contact_sheets_of_three_frames_under_the_prompt(tmp_path: Path) -> None:
    corpus = _write_csv(
        tmp_path / "c.csv",
        [("a dog on the beach", "dog;beach", "tune"), ("a cat in the snow", "cat;snow", "tune")],
        ("prompt", "expect", "split"),
    )
    out = tmp_path / "sheets"

    text = _run("--corpus", str(corpus), "--sheets", str(out), "--limit", "2")

    files = sorted(out.glob("*.png"))
    assert len(files) == 2
    assert f"contact sheets: 2 PNG files in {out}" in text
    with Image.open(files[0]) as sheet:
        assert sheet.size[0] == 3 * sheets.THUMB_WIDTH + 4 * sheets.MARGIN
        title = sheet.convert("L").crop((0, 0, sheet.size[0], sheets.TITLE_HEIGHT))
        frames = sheet.convert("L").crop((0, sheets.TITLE_HEIGHT, *sheet.size))
        assert title.getextrema()[0] < 100  # dark title text on white
        assert frames.getextrema()[1] - frames.getextrema()[0] > 50  # a picture, not blank


def test_p1_prints_the_cold_clip_and_the_warm_median_with_cpu_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from generation.management.commands import bench_fidelity

    monkeypatch.setattr(bench_fidelity, "P1_DURATION_S", 4)  # a shorter clip, same steps
    monkeypatch.setattr(bench_fidelity, "P1_WARM_CLIPS", 2)

    text = _run("--p1", "--split", "held")

    assert "worker start-up (text model, voice, pictograms):" in text
    cold = r"P1 4 s 9:16 clip with sound, cold \(the worker's first clip\): [\d.]+ s"
    assert re.search(cold, text)
    warm = re.search(r"warm \(median of 2; slowest ([\d.]+) s = ([\d.]+)x\): ([\d.]+) s", text)
    assert warm is not None
    assert float(warm.group(1)) >= float(warm.group(3))  # the slowest is no faster than the median
    cores = bench_fidelity.CORES
    assert re.search(rf"CPU [\d.]+ s of the {cores:.1f} s that {cores} cores have at 4x", text)
