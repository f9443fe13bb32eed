"""A "none" phrase matched against each part of a post's text, not only the whole of it: the one
part that names the topic is no longer diluted by the subject, place and style beside it."""

from __future__ import annotations

import html
from typing import Any

import django_rq
import numpy as np
import pytest
from django.core.management import call_command

from accounts.models import User
from feed.exclusions import EXCLUDE_SIMILARITY, Exclusions
from feed.models import Post, PostFeatures
from feed.pool import candidate_pool, pool_clear
from feed.pool_exclusions import pool_excluded
from feed.post_parts import MAX_PARTS, parts_blob, parts_rows, text_parts
from feed.selectors.steering import none_vectors
from feed.services.features import post_features_update
from feed.services.steering import feed_instruction_set, feed_mode_set
from feed.tests.feed_helpers import logged_in, publish_like, shown

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_pool")]

# Each names the topic in one part only; its whole text scored under the old floor (0.26).
SNOWY_SKIER = "a lone skier running under the sea near a coral reef"
CITY_SEAGULL = "a seagull flying in a neon city at night"
# Neighbours: the same place or the same bird, nothing of the topic.
REEF_DOLPHIN = "a dolphin swimming under the sea near a coral reef"
BEACH_SEAGULL = "a seagull flying on the beach at sunset"


def test_a_prompt_is_cut_into_its_subject_place_and_style() -> None:
    assert text_parts(
        "a lone skier running under the sea near a coral reef, calm and peaceful"
    ) == [
        "a lone skier running",
        "under the sea near a coral reef",
        "calm and peaceful",
    ]
    assert text_parts("Two owls on a branch. They hoot") == ["two owls", "on a branch", "they hoot"]
    assert text_parts("a halloween party with pumpkins and costumes") == []  # one part: none kept
    assert len(text_parts("a, b, c, d, e, f")) == MAX_PARTS


def test_stored_parts_come_back_as_they_went_and_a_bad_blob_reads_as_none() -> None:
    rows = np.eye(3, 384, dtype=np.float32)
    assert np.array_equal(parts_rows(parts_blob(rows)).astype(np.float32), rows)
    assert parts_rows(b"\x00" * 5).shape == (0, 384)
    assert parts_rows(None).shape == (0, 384)


def test_publishing_stores_a_vector_for_each_part_of_the_prompt(
    alice: User, template_job: Any
) -> None:
    post = publish_like(template_job, alice, SNOWY_SKIER)
    stored = parts_rows(PostFeatures.objects.get(post=post).parts).astype(np.float32)
    snow = none_vectors(["snow"])[0]
    whole = np.frombuffer(bytes(post.features.embedding), dtype="<f4")
    assert stored.shape == (2, 384)
    # The subject part names the topic; the whole text, diluted by the reef, scored under the
    # floor this rule replaced.
    assert whole @ snow < 0.26 and (stored @ snow).max() >= EXCLUDE_SIMILARITY


@pytest.fixture
def scenes(alice: User, template_job: Any) -> dict[str, Post]:
    prompts = {
        "skier": SNOWY_SKIER,
        "dolphin": REEF_DOLPHIN,
        "city": CITY_SEAGULL,
        "beach": BEACH_SEAGULL,
    }
    return {name: publish_like(template_job, alice, prompt) for name, prompt in prompts.items()}


@pytest.mark.parametrize(
    ("instruction", "hidden", "kept"),
    [("nothing with snow", "skier", "dolphin"), ("no cities", "city", "beach")],
)
def test_for_you_hides_a_video_whose_one_part_names_the_topic_and_keeps_its_neighbour(
    bob: User, scenes: dict[str, Post], instruction: str, hidden: str, kept: str
) -> None:
    feed_instruction_set(user=bob, instruction=instruction)
    page = shown(logged_in(bob).get("/").content.decode())
    assert scenes[hidden].pk not in page
    assert scenes[kept].pk in page
    assert len(page) == len(scenes) - 1


def test_latest_hides_the_place_part_match_and_counts_it(
    bob: User, scenes: dict[str, Post]
) -> None:
    feed_instruction_set(user=bob, instruction="no cities")
    feed_mode_set(user=bob, mode="latest")
    body = html.unescape(logged_in(bob).get("/").content.decode())
    assert set(shown(body)) == {scenes[n].pk for n in ("skier", "dolphin", "beach")}
    assert "1 video hidden because of your words “no cities”" in " ".join(body.split())


def test_a_post_without_stored_parts_is_matched_on_its_whole_text(
    bob: User, scenes: dict[str, Post]
) -> None:
    """Features computed before parts were stored fall back to the whole-prompt vector."""
    PostFeatures.objects.filter(post=scenes["city"]).update(parts=None)
    feed_instruction_set(user=bob, instruction="no cities")
    page = shown(logged_in(bob).get("/").content.decode())
    assert scenes["city"].pk in page and len(page) == len(scenes)


def test_the_pool_keeps_each_posts_parts_with_it_as_posts_arrive_and_features_are_redone(
    alice: User, template_job: Any, scenes: dict[str, Post]
) -> None:
    first = candidate_pool()
    assert len(first.parts) == 8  # two parts for each of the four prompts
    late = publish_like(template_job, alice, "a kitten napping, in a snowy garden")
    # The skier's features are computed again after publishing: its parts replace the old ones.
    PostFeatures.objects.filter(post=scenes["skier"]).update(parts=None)
    post_features_update(post_id=scenes["skier"].pk)
    grown = candidate_pool()
    assert grown is not first and len(grown) == len(first) + 1
    pool_clear()
    rebuilt = candidate_pool()
    assert np.array_equal(grown.parts.owner, rebuilt.parts.owner)
    assert np.array_equal(grown.parts.vectors, rebuilt.parts.vectors)
    snow = Exclusions(("snow",), none_vectors(["snow"]), ("nothing with snow",))
    out = pool_excluded(grown, snow)
    left_out = {int(pk) for pk in grown.ids[out]}
    assert left_out == {scenes["skier"].pk, late.pk}


def test_requeue_stuck_queues_features_read_before_parts_were_stored_once(
    bob: User, scenes: dict[str, Post], capsys: Any
) -> None:
    PostFeatures.objects.filter(post=scenes["city"]).update(parts=None)
    call_command("requeue_stuck")
    assert "feed features queued 1" in capsys.readouterr().out
    queue = django_rq.get_queue("default")
    queued = [j.args for j in queue.jobs if j.func_name == "feed.jobs.post_features"]
    assert queued == [(scenes["city"].pk,)]
    post_features_update(post_id=scenes["city"].pk)
    call_command("requeue_stuck")
    assert "feed features queued 0" in capsys.readouterr().out
