"""The job page and Create say in words which engine made a video and how it read the prompt."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import User
from generation.describe import plan_sentences
from generation.pipeline import get_backend
from generation.pipeline.provenance import ALGORITHMIC, TRAINED_ALGORITHMIC, read_mp4
from generation.pipeline.scene import plan_scene
from generation.tests.tiny_engine import TINY, tiny_engine_settings

CREATE = reverse("generation:create")


def _reading(page: str) -> str:
    """The part of the job page from the engine line to the end of "How the prompt was read"."""
    start = page.index('data-testid="engine"')
    return page[start : page.index("</details>", start)]


@pytest.fixture
def tiny_model_setting(tmp_path: Path) -> Any:
    """SORA_VIDEO_MODEL pointing at a tiny random-weights Wan pipeline built here."""
    from generation.pipeline.tiny_models import save_tiny_model

    folder = save_tiny_model("wan-t2v", tmp_path / "tiny-wan")
    get_backend.cache_clear()
    small = {"SORA_MODEL_STEPS": 2, "SORA_MODEL_MAX_SIDE": 32, "SORA_MODEL_MAX_FRAMES": 9}
    small |= tiny_engine_settings(tmp_path)
    with override_settings(SORA_VIDEO_MODEL=str(folder), SORA_DEVICE="cpu", **small):
        yield folder
    get_backend.cache_clear()


def test_it_lists_the_words_the_renderer_has_no_shapes_for() -> None:
    plan = plan_scene("a dog and quantum entanglement on the beach at sunset, slow zoom in")
    assert plan.not_drawn == ("quantum", "entanglement")


def test_a_place_that_lost_the_setting_is_drawn_as_a_pictogram_in_the_background() -> None:
    # Both places are known words, but the video has only one setting; the other is scenery.
    plan = plan_scene("a red balloon over the forest and the beach")
    assert plan.setting == "forest" and plan.not_drawn == ()
    assert [(t.icon, t.role) for t in plan.things] == [("beach-with-umbrella", "scenery")]


def test_a_word_whose_concept_lost_and_that_no_pictogram_draws_is_not_drawn() -> None:
    plan = plan_scene("a red balloon over the forest and the seaside")
    assert plan.setting == "forest" and plan.not_drawn == ("seaside",)


def test_it_leaves_out_stop_words_and_words_it_drew() -> None:
    assert plan_scene("two red balloons in the city at night, slow pan").not_drawn == ()


def test_it_writes_the_plan_as_sentences_and_leaves_out_empty_parts() -> None:
    lines = plan_sentences(plan_scene("two red balloons and a cat in the city at night").as_dict())
    assert lines[:3] == [
        "Setting: city at night.",
        "Subjects: two red balloons and a cat.",
        "Action: floating.",
    ]
    assert not any("Caption" in line or "Read by meaning" in line for line in lines)
    assert not any(char in "".join(lines) for char in "[]{}'")


@pytest.mark.parametrize(
    ("prompt", "words"),
    [
        ("a boy flying a kite on a windy hill", "a kite flown on a string by the person"),
        ("a cat sleeping on a couch in a cozy living room", "with the cat on it"),
        ("a cat knocking a cup off a table", "knocked by the cat"),
        ("a nurse pushing a wheelchair down a hospital hallway", "pushed by the"),
    ],
)
def test_every_relation_a_plan_can_hold_reads_as_words(prompt: str, words: str) -> None:
    from generation.describe import _RELATIONS
    from generation.pipeline.scene import RELATIONS

    assert set(RELATIONS) <= set(_RELATIONS)  # each relation the planner makes has its words
    assert words in " ".join(plan_sentences(plan_scene(prompt).as_dict()))


def test_a_relation_from_another_release_is_left_unsaid_not_an_error() -> None:
    plan = {
        "subjects": ["person"],
        "things": [{"icon": "kite", "role": "prop", "count": 1, "relation": "juggle", "actor": 0}],
    }
    assert "a kite" in " ".join(plan_sentences(plan))


def test_job_page_says_how_the_prompt_was_read_and_what_was_not_drawn(
    client: Client, alice: User, rendered: Any
) -> None:
    job = rendered(
        alice,
        "a dog playing guitar about quantum entanglement on the beach at sunset, slow zoom in",
    )
    client.force_login(alice)
    reading = _reading(client.get(reverse("generation:job", args=[job.pk])).content.decode())
    assert "Setting: beach at sunset." in reading
    assert "Subjects: a dog." in reading
    assert "Camera: zoom in." in reading
    assert "Also drawn: a guitar held by the dog." in reading
    assert 'data-testid="not-drawn">Not drawn: quantum, entanglement.' in reading
    assert not re.search(r"[\[\]{}]|&#x27;", reading)
    assert "Made by the built-in renderer" in reading and "not a generative model" in reading
    assert "README.md#installing-a-real-model" in reading


def test_create_says_the_built_in_renderer_is_not_a_generative_model(
    client: Client, alice: User
) -> None:
    client.force_login(alice)
    page = client.get(CREATE).content.decode()
    assert "made by the built-in renderer" in page and "It is not a generative model." in page
    assert "README.md#installing-a-real-model" in page


@override_settings(SORA_VIDEO_MODEL="/models/Wan2.1-T2V-1.3B-Diffusers")
def test_create_offers_a_model_only_when_a_worker_serves_it(client: Client, alice: User) -> None:
    # The web process's own SORA_VIDEO_MODEL says nothing about the GPU workers.
    client.force_login(alice)
    page = client.get(CREATE).content.decode()
    assert "made by the built-in renderer" in page
    assert "No worker serves Wan 2.1 T2V 1.3B right now." in page


def test_the_readme_has_the_section_the_pages_point_to() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert "\n### Installing a real model\n" in readme


def test_a_built_in_video_is_signed_as_algorithmic_media(alice: User, rendered: Any) -> None:
    job = rendered(alice, "a kite over the dunes")
    manifest = read_mp4(default_storage.path(job.video.name))
    assert manifest is not None and manifest.intact
    assert manifest.source_type == ALGORITHMIC
    assert ALGORITHMIC == "http://cv.iptc.org/newscodes/digitalsourcetype/algorithmicMedia"


def test_a_diffusers_video_is_signed_as_trained_algorithmic_media_and_named(
    client: Client, alice: User, rendered: Any, tiny_model_setting: Path
) -> None:
    job = rendered(alice, "a tiny test", duration_s=4, aspect="1:1", engine=TINY)
    manifest = read_mp4(default_storage.path(job.video.name))
    assert manifest is not None and manifest.intact
    assert manifest.source_type == TRAINED_ALGORITHMIC
    client.force_login(alice)
    reading = _reading(client.get(reverse("generation:job", args=[job.pk])).content.decode())
    assert "Made by the generative video model WanPipeline (wan family)" in reading
    assert "Mode: text-to-video." in reading and "Steps: 2" in reading
    assert "Not drawn" not in reading and not re.search(r"[\[\]{}]", reading)
