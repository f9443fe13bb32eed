"""The pictogram set: which icon a word draws, how it is drawn, what happens when data breaks."""

from __future__ import annotations

import gzip
import json
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from generation.pipeline import pictograms
from generation.pipeline.builtin_sprites import Sheet, pictogram_sheet
from generation.pipeline.pictograms import PictogramError


@pytest.fixture
def data_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private copy of the data folder that a test may break; the real one is left alone."""
    copy = tmp_path / "data"
    shutil.copytree(pictograms.DATA_DIR, copy)
    monkeypatch.setattr(pictograms, "DATA_DIR", copy)
    pictograms.reload()
    yield copy
    pictograms.reload()


def _rewrite_icons(folder: Path, change: dict[str, str]) -> None:
    path = folder / pictograms.ICONS_FILE
    payload = json.loads(gzip.decompress(path.read_bytes()))
    for name, body in change.items():
        payload["icons"][name]["body"] = body
    path.write_bytes(gzip.compress(json.dumps(payload).encode()))


# ---------------------------------------------------------------------------- matching


@pytest.mark.parametrize(
    ("word", "name"),
    [
        ("astronaut", "astronaut"),
        ("dog", "dog"),
        ("Dogs", "dog"),
        ("wolves", "wolf"),
        ("mice", "mouse"),
        ("the hot dog", "hot-dog"),
        ("polar bear", "polar-bear"),
        ("dog face", "dog-face"),
        ("chess", "chess-pawn"),
    ],
)
def test_it_finds_an_icon_by_its_name_or_label(word: str, name: str) -> None:
    match = pictograms.find(word)
    assert match == pictograms.Match(name, 1.0, "name")


def test_it_reads_pooch_as_a_dog_by_meaning() -> None:
    match = pictograms.find("pooch")
    assert match is not None
    assert (match.name, match.how) == ("dog", "similar")
    assert pictograms.SIMILAR_THRESHOLD <= match.score < 1.0


def test_it_draws_a_surfer_for_a_surfboard_which_the_set_lacks() -> None:
    match = pictograms.find("surfboard")
    assert match is not None
    assert (match.name, match.how) == ("person-surfing", "similar")


def test_it_reads_a_hot_air_balloon_as_the_balloon_the_set_has() -> None:
    match = pictograms.find("hot air balloon")
    assert match is not None
    assert match.name == "balloon"


def test_it_finds_a_cup() -> None:
    match = pictograms.find("cup")
    assert match is not None
    assert match.name in {"cup-with-straw", "teacup-without-handle"}


def test_it_finds_nothing_for_a_table_rather_than_ping_pong_through_a_tag() -> None:
    # The set has no table; "table tennis" is a tag of ping-pong, which is not a table.
    assert pictograms.find("table") is None


def test_it_finds_nothing_for_an_abstract_phrase() -> None:
    assert pictograms.find("quantum entanglement") is None
    assert pictograms.find("") is None
    assert pictograms.find("!!!") is None


def test_it_prefers_the_whole_animal_over_its_face() -> None:
    assert pictograms.find("puppy") == pictograms.Match("dog", 1.0, "tag")
    assert pictograms.find("kitten") == pictograms.Match("cat", 1.0, "tag")


def test_it_prefers_the_neutral_person_unless_the_word_says_man_or_woman() -> None:
    assert pictograms.find("surfer") == pictograms.Match("person-surfing", 1.0, "tag")
    assert pictograms.find("woman surfing") == pictograms.Match("woman-surfing", 1.0, "name")


def test_it_reads_a_plain_car_as_an_automobile_not_a_police_car() -> None:
    assert pictograms.find("car") == pictograms.Match("automobile", 1.0, "tag")


def test_it_reads_a_phrase_by_its_last_word_when_nothing_is_near_the_whole() -> None:
    match = pictograms.find("quantum computer")
    assert match == pictograms.Match("desktop-computer", 1.0, "name")


def test_it_leaves_skin_tone_variants_out_of_matching_but_draws_them_by_name() -> None:
    assert "astronaut" in pictograms.names()
    assert "astronaut-dark" not in pictograms.names()
    assert pictograms.find("astronaut-dark") == pictograms.Match("astronaut-dark", 1.0, "name")
    assert pictograms.raster("astronaut-dark", 32).shape == (32, 32, 4)


def test_it_offers_well_over_a_thousand_pictograms() -> None:
    assert len(pictograms.names()) > 1500
    assert pictograms.problems() == ()


@pytest.mark.parametrize(
    ("char", "name"),
    [("🐶", "dog-face"), ("❤️", "red-heart"), ("❤", "red-heart"), ("👍🏽", "thumbs-up-medium")],
)
def test_it_names_the_icon_of_an_emoji(char: str, name: str) -> None:
    assert pictograms.find_emoji(char) == name


def test_it_names_no_icon_for_plain_text() -> None:
    assert pictograms.find_emoji("x") is None
    assert pictograms.find_emoji("") is None


# ---------------------------------------------------------------------------- drawing


def test_it_rasterises_premultiplied_rgba_once_per_size() -> None:
    image = pictograms.raster("dog", 109)
    assert image.shape == (109, 109, 4)
    assert image.dtype == np.float32
    assert float(image.min()) >= 0.0 and float(image.max()) <= 1.0
    assert float(image[..., 3].max()) == pytest.approx(1.0)
    assert (image[..., :3] <= image[..., 3:] + 1e-6).all()  # premultiplied
    assert float(image[0, 0, 3]) == 0.0  # the corner is clear
    assert pictograms.raster("dog", 109) is image
    assert not image.flags.writeable


def test_it_mirrors_an_icon_that_the_set_stores_as_a_flipped_alias() -> None:
    left = pictograms.raster("backhand-index-pointing-left", 64)
    right = pictograms.raster("backhand-index-pointing-right", 64)
    difference = np.abs(right - left[:, ::-1])
    # Only edge anti-aliasing differs between a shape and its mirror image.
    assert float(difference.mean()) < 0.002 and float(difference.max()) < 0.1
    assert float(np.abs(right - left).mean()) > 0.02
    assert pictograms.find_emoji("👉") == "backhand-index-pointing-right"


def test_it_cuts_a_sheet_to_its_content_with_one_unit_the_content_height() -> None:
    sheet = pictogram_sheet("dog", 240)
    assert isinstance(sheet, Sheet)
    _, channels, height, width = sheet.pixels.shape
    assert (sheet.pixels.shape[0], channels) == (1, 4)
    alpha = sheet.pixels[0, 3].numpy()
    rows = np.flatnonzero((alpha > 1 / 512).any(axis=1))
    cols = np.flatnonzero((alpha > 1 / 512).any(axis=0))
    assert sheet.px_per_unit == rows[-1] + 1 - rows[0]
    assert sheet.anchor[1] == rows[-1] + 1  # feet on the bottom edge of the content
    assert sheet.anchor[0] == pytest.approx((cols[0] + cols[-1] + 1) / 2)
    assert height < 240 and width < 240
    assert pictogram_sheet("dog", 240) is sheet


def test_it_refuses_a_size_it_cannot_draw() -> None:
    with pytest.raises(ValueError, match="1 to 2048 pixels"):
        pictograms.raster("dog", 0)


def test_it_names_an_unknown_icon() -> None:
    with pytest.raises(PictogramError, match="no pictogram named 'no-such-icon'"):
        pictograms.raster("no-such-icon", 32)


def test_it_names_the_one_corrupt_icon_and_still_draws_the_rest(data_copy: Path) -> None:
    _rewrite_icons(data_copy, {"dog": '<path d="M0 0 L', "cat": '<path d="garbage"/>'})
    with pytest.raises(PictogramError, match="'dog' could not be drawn"):
        pictograms.raster("dog", 64)
    with pytest.raises(PictogramError, match="'cat' draws nothing"):
        pictogram_sheet("cat", 64)
    assert pictograms.raster("bird", 64).shape == (64, 64, 4)
    assert pictograms.problems() == ()


# ---------------------------------------------------------------------------- broken data


def test_it_reports_a_missing_icon_file_once_and_draws_nothing(
    data_copy: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (data_copy / pictograms.ICONS_FILE).unlink()
    with caplog.at_level(logging.ERROR, logger="generation.pipeline.pictograms"):
        assert pictograms.find("dog") is None
        assert pictograms.find("pooch") is None
        assert pictograms.find_emoji("🐶") is None
        assert pictograms.names() == ()
        problems = pictograms.problems()
    assert problems == (
        f"The pictogram file {data_copy / pictograms.ICONS_FILE} is missing; "
        "subjects it would draw are left out.",
    )
    assert [r.getMessage() for r in caplog.records] == list(problems)
    with pytest.raises(PictogramError, match="no pictogram named 'dog'"):
        pictograms.raster("dog", 32)


def test_it_reports_a_corrupt_icon_file(data_copy: Path) -> None:
    (data_copy / pictograms.ICONS_FILE).write_bytes(b"not gzip at all")
    assert pictograms.find("dog") is None
    (problem,) = pictograms.problems()
    assert problem.startswith(f"The pictogram file {data_copy / pictograms.ICONS_FILE} is corrupt")
    assert problem.endswith("subjects it would draw are left out.")


def test_it_reports_an_icon_file_of_the_wrong_shape(data_copy: Path) -> None:
    path = data_copy / pictograms.ICONS_FILE
    path.write_bytes(gzip.compress(json.dumps({"icons": [1, 2]}).encode()))
    assert pictograms.find("dog") is None
    (problem,) = pictograms.problems()
    assert "is corrupt" in problem and str(path) in problem


def test_it_matches_by_names_only_without_the_labels_file(data_copy: Path) -> None:
    (data_copy / pictograms.LABELS_FILE).unlink()
    assert pictograms.find("dog") == pictograms.Match("dog", 1.0, "name")
    assert pictograms.find_emoji("🐶") == "dog-face"
    (problem,) = pictograms.problems()
    assert problem == (
        f"The pictogram file {data_copy / pictograms.LABELS_FILE} is missing; "
        "pictograms are matched by their names only."
    )


def test_it_matches_exact_words_only_without_the_vectors(data_copy: Path) -> None:
    (data_copy / pictograms.VECTORS_FILE).write_bytes(b"\x00" * 64)
    assert pictograms.find("dog") == pictograms.Match("dog", 1.0, "name")
    assert pictograms.find("pooch") is None
    (problem,) = pictograms.problems()
    assert f"{data_copy / pictograms.VECTORS_FILE} is corrupt" in problem
    assert problem.endswith("matched to pictograms by exact words only, not by meaning.")


# ---------------------------------------------------------------------------- shipped data


def test_the_shipped_vectors_embed_todays_labels_as_minilm_does() -> None:
    from sora_site.embeddings import embed_texts

    names, texts = pictograms.similarity_texts()
    path = pictograms.DATA_DIR / pictograms.VECTORS_FILE
    with np.load(path, allow_pickle=False) as npz:
        assert npz["names"].tolist() == names
        assert npz["texts"].tolist() == texts
        shipped = npz["vectors"].astype(np.float32)
    picks = [texts.index(t) for t in ("dog", "chess pawn", "hot beverage", "astronaut")]
    fresh = embed_texts([texts[i] for i in picks])
    for row, vector in zip(picks, fresh, strict=True):
        assert float(shipped[row] @ vector) > 0.999


def test_it_ships_both_licence_texts_beside_the_data() -> None:
    fluent = (pictograms.DATA_DIR / "LICENSE-fluent-emoji.txt").read_text()
    emojibase = (pictograms.DATA_DIR / "LICENSE-emojibase.txt").read_text()
    assert "MIT License" in fluent and "Microsoft Corporation" in fluent
    assert "MIT License" in emojibase and "Miles Johnson" in emojibase
