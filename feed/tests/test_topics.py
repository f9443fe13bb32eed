"""Interests: everyday topic chips and the person's own words, matched to posts by meaning."""

from __future__ import annotations

import ast
import html
import re
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pytest
from django.urls import reverse

import feed
from accounts.models import User
from feed import ranking
from feed.models import FeedPreference
from feed.selectors.steering import PHRASE_TEMPLATE, stored_vectors
from feed.services.steering import feed_interests_set
from feed.tests.feed_helpers import logged_in, publish_like, shown
from feed.topics import MATCH_SIMILARITY, TOPICS, interest_matches
from sora_site.embeddings import EMBEDDING_DIM, embed_texts

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_pool")]

# (interest, post text, should they match). "skateboarding" and "jazz" are typed, not chips;
# "dog" and "beach" were chips when interests were the renderer's concepts, and stay stored.
LABELLED = [
    ("dogs", "a golden retriever surfing", True),
    ("dogs", "two puppies playing in the park", True),
    ("dogs", "a cat knocking a cup off a table", False),
    ("dogs", "a chef cooking pancakes", False),
    ("cats", "a cat knocking a cup off a table", True),
    ("cats", "a golden retriever surfing", False),
    ("space", "an astronaut floating among the stars", True),
    ("space", "a chef cooking pancakes", False),
    ("robots", "a robot dancing on a stage", True),
    ("robots", "a golden retriever surfing", False),
    ("football", "a striker scoring a goal in a stadium", True),
    ("football", "a tabby cat sleeping on a sofa", False),
    ("skateboarding", "a kid doing a kickflip at the skate park", True),
    ("skateboarding", "a whale under the sea", False),
    ("jazz", "a jazz pianist in a dim club", True),
    ("jazz", "a dog running on the beach", False),
    ("dog", "a golden retriever running on the beach", True),
    ("beach", "a golden retriever running on the beach", True),
    ("beach", "a tabby cat sleeping on a sofa", False),
]


def _vectors() -> tuple[np.ndarray, np.ndarray]:
    interests = embed_texts([PHRASE_TEMPLATE.format(i) for i, _, _ in LABELLED])
    posts = embed_texts([text for _, text, _ in LABELLED])
    return interests, posts


# --- Matching on meaning -----------------------------------------------------------------------


def test_an_interest_matches_posts_about_it_and_not_the_others() -> None:
    interests, posts = _vectors()
    wrong = [
        (interest, text, expected)
        for (interest, text, expected), i, p in zip(LABELLED, interests, posts, strict=True)
        if bool(interest_matches(i, p)[0, 0]) != expected
    ]
    assert wrong == []


def test_a_match_is_exactly_where_the_rankings_interests_term_starts_to_count() -> None:
    interests, posts = _vectors()
    for (interest, _, expected), vector, post in zip(LABELLED, interests, posts, strict=True):
        candidates = ranking.Candidates(
            ids=np.array([1]),
            authors=np.array([2]),
            created=np.array([0.0]),
            energy=np.array([0.5], np.float32),
            vectors=post[None, :],
        )
        steering = ranking.Steering(
            now=0.0, interests=ranking.Phrases((interest,), vector[None, :])
        )
        term = ranking.score_terms(candidates, steering).values[ranking.TERMS.index("interests")]
        assert (float(term[0]) > 0) == expected, (interest, float(post @ vector))
    assert MATCH_SIMILARITY == ranking.PHRASE_SIM_FLOOR


def test_a_typed_interest_brings_matching_videos_first_and_says_why(
    alice: User, bob: User, template_job: Any
) -> None:
    publish_like(template_job, bob, "a chef cooking pancakes in a cozy kitchen")
    skate = publish_like(template_job, bob, "a kid doing a kickflip at the skate park")
    logged_in(alice).post(reverse("feed:interests"), {"own": "Skateboarding"})
    with mock.patch("sora_site.embeddings.get_model", side_effect=AssertionError("MiniLM ran")):
        body = html.unescape(logged_in(alice).get("/").content.decode())
    assert shown(body)[0] == skate.pk
    assert "You're into skateboarding." in body


def test_interests_saved_as_renderer_concepts_keep_steering_the_feed(
    alice: User, bob: User, template_job: Any
) -> None:
    feed_interests_set(user=alice, interests=["dog", "kitchen"])
    publish_like(template_job, bob, "an astronaut floating among the stars")
    dog = publish_like(template_job, bob, "a golden retriever running on the beach")
    body = html.unescape(logged_in(alice).get("/").content.decode())
    assert shown(body)[0] == dog.pk and "You're into dog." in body
    controls = logged_in(alice).get(reverse("feed:controls")).content.decode()
    assert 'value="dog, kitchen"' in controls  # in "Add your own", to keep or change


# --- The interests control ---------------------------------------------------------------------


def test_the_interests_control_offers_everyday_topics_and_a_field_of_your_own(
    alice: User,
) -> None:
    body = html.unescape(logged_in(alice).get(reverse("feed:controls")).content.decode())
    chips = re.findall(r'<input type="checkbox" name="chips" value="([^"]+)"', body)
    assert chips == list(TOPICS) and 40 <= len(chips) <= 60
    for label in ("Dogs", "Gardening", "Football", "Space", "Comedy"):
        assert f"> {label}</label>" in body
    assert 'value="meadow"' not in body  # the renderer's scene words are not chips any more
    assert "Add your own" in body
    assert "Anything you like, separated by commas, for example: baking, skateboarding, jazz." in (
        body
    )
    assert "Up to 12 interests in all, each up to 40 characters." in body
    assert "“dogs” also finds puppies and golden retrievers." in body


def test_picked_chips_show_ticked_and_your_own_words_stay_in_the_field(alice: User) -> None:
    client = logged_in(alice)
    response = client.post(
        reverse("feed:interests"),
        {"chips": ["gardening", "space"], "own": "jazz,  rock   climbing"},
        follow=True,
    )
    body = response.content.decode()
    assert "Interests saved. Your next videos follow it." in body
    ticked = re.findall(r'<input type="checkbox" name="chips" value="([^"]+)"[^>]*checked', body)
    assert ticked == ["space", "gardening"]  # in the list's order
    assert 'value="jazz, rock climbing"' in body
    preference = FeedPreference.objects.get(user=alice)
    assert preference.interests == ["gardening", "space", "jazz", "rock climbing"]
    assert stored_vectors(preference).shape == (4, EMBEDDING_DIM)


def test_saving_interests_again_embeds_only_the_new_ones(alice: User) -> None:
    feed_interests_set(user=alice, interests=["dogs", "jazz"])
    with mock.patch("sora_site.embeddings.embed_texts", wraps=embed_texts) as embed:
        logged_in(alice).post(reverse("feed:interests"), {"chips": ["dogs"], "own": "jazz, surf"})
    assert embed.call_args.args[0] == ["a video of surf"]


BAD_INTERESTS = [
    (
        {"own": "jazz, polka\x00"},
        "The text contains control characters (such as a NUL byte) that can't be stored. "
        "Remove them and try again.",
    ),
    (
        {"own": "skateboarding in the rain at night with friends"},
        "The interest “skateboarding in the rain at n…” is 47 characters long; each one can be "
        "at most 40. Shorten it to a few words and try again.",
    ),
    (
        {"own": "jazz, !!!"},
        "The interest “!!!” has no letters or numbers to match videos on. Use words, for "
        "example: baking, jazz.",
    ),
    (
        {"chips": list(TOPICS[:10]), "own": "jazz, polka, opera"},
        "That's 13 interests; the limit is 12. Remove a few and try again.",
    ),
    (
        {"own": "naked women"},
        "Your feed can't be steered toward that: those interests touch on",
    ),
    ({"chips": ["gambling"]}, "Pick interests from the list, or type your own."),
]


@pytest.mark.parametrize(("data", "sentence"), BAD_INTERESTS)
def test_bad_interests_are_refused_with_a_sentence_and_nothing_is_written(
    alice: User, data: dict[str, Any], sentence: str
) -> None:
    feed_interests_set(user=alice, interests=["dogs"])
    before = FeedPreference.objects.get(user=alice)
    response = logged_in(alice).post(reverse("feed:interests"), data)
    assert response.status_code == 200  # the controls page again, not a refusal page
    body = html.unescape(response.content.decode())
    assert sentence in body and 'role="alert"' in body
    after = FeedPreference.objects.get(user=alice)
    assert after.interests == ["dogs"] and after.updated_at == before.updated_at
    assert bytes(after.phrase_vectors) == bytes(before.phrase_vectors)


def test_what_was_typed_stays_in_the_field_to_fix_after_a_refusal(alice: User) -> None:
    typed = "jazz, skateboarding in the rain at night with friends"
    response = logged_in(alice).post(reverse("feed:interests"), {"own": typed})
    assert f'value="{typed}"' in response.content.decode()
    assert not FeedPreference.objects.exists()


# --- No renderer vocabulary --------------------------------------------------------------------


def test_the_feed_imports_nothing_from_the_renderers_scene_planner() -> None:
    root = Path(feed.__file__).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            else:
                continue
            found += [
                f"{path.relative_to(root)}: {name}"
                for name in names
                if name.startswith("generation.pipeline.scene")
            ]
    assert found == []
