"""Steering the feed: the instruction in a person's own words, how it was read, the controls."""

from __future__ import annotations

from typing import Any
from unittest import mock

import numpy as np
import pytest
from django.urls import reverse

from accounts.models import User
from feed.models import FeedPreference, SeeLess
from feed.selectors.steering import stored_vectors
from feed.services.steering import feed_instruction_set, instruction_read
from feed.tests.feed_helpers import logged_in, publish_like
from sora_site.embeddings import EMBEDDING_DIM

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_pool")]


@pytest.mark.parametrize(
    ("text", "more", "less"),
    [
        ("more cooking and dogs, less pranks", ["cooking", "dogs"], ["pranks"]),
        ("cats instead of dogs", ["cats"], ["dogs"]),
        ("I love space videos but less horror", ["space"], ["horror"]),
        ("Show me more beaches. Fewer cars or trucks", ["beaches"], ["cars", "trucks"]),
        ("less pranks and screaming; more baking", ["baking"], ["pranks", "screaming"]),
        ("Fewer ads, more art & music", ["art", "music"], ["ads"]),
        ("not too loud", [], ["loud"]),
        ("calm nature stuff", ["calm nature"], []),
    ],
)  # fmt: skip
def test_an_instruction_is_read_into_phrases_to_see_more_and_less_of(
    text: str, more: list[str], less: list[str]
) -> None:
    read = instruction_read(text)
    assert (read.more, read.less) == (more, less)


# --- The instruction --------------------------------------------------------------------------


def test_saving_an_instruction_shows_how_it_was_read_and_stores_its_vectors(alice: User) -> None:
    client = logged_in(alice)
    response = client.post(
        reverse("feed:instruction"),
        {"instruction": "more cooking and dogs, less pranks, nothing scary"},
        follow=True,
    )
    body = response.content.decode()
    assert "We read it as: more cooking, dogs; less pranks; none of scary." in body
    assert 'value="cooking, dogs"' in body and 'value="pranks"' in body  # editable
    assert 'value="scary"' in body
    preference = FeedPreference.objects.get(user=alice)
    assert preference.instruction == "more cooking and dogs, less pranks, nothing scary"
    vectors = stored_vectors(preference)
    assert vectors is not None and vectors.shape == (4, EMBEDDING_DIM)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-3)


def test_the_quick_panel_saves_an_instruction_through_htmx(alice: User) -> None:
    response = logged_in(alice).post(
        reverse("feed:instruction"),
        {"instruction": "more robots"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="steer-panel",
    )
    body = response.content.decode()
    assert "<html" not in body and 'id="steer-panel"' in body
    assert "We read it as: more robots." in body and "Read as: more robots." in body


def test_a_10000_character_instruction_is_refused_and_nothing_is_written(alice: User) -> None:
    response = logged_in(alice).post(reverse("feed:instruction"), {"instruction": "d" * 10_000})
    assert "Your instruction is 10,000 characters long; the limit is 500." in (
        response.content.decode()
    )
    assert not FeedPreference.objects.exists()


def test_steering_toward_what_moderation_blocks_is_refused_and_nothing_is_written(
    alice: User,
) -> None:
    response = logged_in(alice).post(
        reverse("feed:instruction"), {"instruction": "more naked women"}
    )
    assert "Your feed can&#x27;t be steered toward that" in response.content.decode()
    assert not FeedPreference.objects.exists()


def test_asking_for_less_of_something_harmful_is_allowed(alice: User) -> None:
    feed_instruction_set(user=alice, instruction="less violence, nothing gory, no naked people")
    preference = FeedPreference.objects.get(user=alice)
    assert preference.instruction_less == ["violence"]
    assert preference.instruction_none == ["gory", "naked people"]


def test_editing_how_the_instruction_was_read_reembeds_only_the_new_phrases(alice: User) -> None:
    feed_instruction_set(user=alice, instruction="more cooking, less pranks")
    with mock.patch("sora_site.embeddings.embed_texts", wraps=_embed) as embed:
        logged_in(alice).post(reverse("feed:phrases"), {"more": "cooking, baking", "less": ""})
    assert embed.call_args.args[0] == ["a video of baking"]
    preference = FeedPreference.objects.get(user=alice)
    assert (preference.instruction_more, preference.instruction_less) == (["cooking", "baking"], [])
    assert stored_vectors(preference).shape == (2, EMBEDDING_DIM)


def _embed(texts: list[str]) -> Any:
    from sora_site.embeddings import get_model

    return (
        get_model()
        .encode(texts, normalize_embeddings=True, convert_to_numpy=True)
        .astype("float32")
    )


def test_too_many_phrases_are_refused_with_a_sentence(alice: User) -> None:
    response = logged_in(alice).post(
        reverse("feed:phrases"), {"more": ", ".join(f"thing {i}" for i in range(11))}
    )
    assert "That&#x27;s 11 phrases to see more of; the limit is 10." in response.content.decode()
    assert not FeedPreference.objects.exists()


def test_a_feed_request_never_runs_the_embedding_model(alice: User, template_job: Any) -> None:
    publish_like(template_job, alice, "a dog on the beach")
    feed_instruction_set(user=alice, instruction="more dogs, less cats")
    with mock.patch("sora_site.embeddings.get_model", side_effect=AssertionError("MiniLM ran")):
        response = logged_in(alice).get("/")
    assert "You asked for more dogs." in response.content.decode()


# --- Mood, mode, interests, reset ---------------------------------------------------------------


def test_moving_the_mood_slider_saves_it_for_the_next_page(alice: User) -> None:
    response = logged_in(alice).post(
        reverse("feed:mood"), {"mood": "80"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="steer-panel"
    )
    assert "Mood saved. Your next videos follow it." in response.content.decode()
    assert 'value="80"' in response.content.decode()
    assert FeedPreference.objects.get(user=alice).mood == 0.8


def test_a_mood_off_the_slider_is_refused_and_nothing_is_written(alice: User) -> None:
    response = logged_in(alice).post(reverse("feed:mood"), {"mood": "150"})
    assert "Set your mood with the slider, between relaxed and energized." in (
        response.content.decode()
    )
    assert not FeedPreference.objects.exists()


def test_clearing_the_mood_leaves_no_preference(alice: User) -> None:
    client = logged_in(alice)
    client.post(reverse("feed:mood"), {"mood": "20"})
    response = client.post(reverse("feed:mood"), {"mood": "20", "clear": "1"}, follow=True)
    assert "Mood cleared." in response.content.decode()
    assert FeedPreference.objects.get(user=alice).mood is None


def test_choosing_a_mode_from_the_feed_goes_back_to_the_feed(alice: User) -> None:
    response = logged_in(alice).post(reverse("feed:mode"), {"mode": "following", "back": "feed"})
    assert response["Location"] == reverse("feed:index")
    assert FeedPreference.objects.get(user=alice).mode == "following"


def test_an_unknown_mode_is_refused_and_nothing_is_written(alice: User) -> None:
    response = logged_in(alice).post(reverse("feed:mode"), {"mode": "doomscroll"})
    assert "Choose For you, Following or Latest." in response.content.decode()
    assert not FeedPreference.objects.exists()


def test_interest_chips_and_free_text_are_saved_as_phrases(alice: User) -> None:
    response = logged_in(alice).post(
        reverse("feed:interests"), {"chips": ["dogs", "cooking"], "own": "jazz, skateboarding"},
        follow=True,
    )  # fmt: skip
    assert "Interests saved." in response.content.decode()
    preference = FeedPreference.objects.get(user=alice)
    assert preference.interests == ["dogs", "cooking", "jazz", "skateboarding"]
    assert stored_vectors(preference).shape == (4, EMBEDDING_DIM)


def test_an_unknown_interest_chip_is_refused_and_nothing_is_written(alice: User) -> None:
    response = logged_in(alice).post(reverse("feed:interests"), {"chips": ["gambling"]})
    assert "Pick interests from the list, or type your own." in response.content.decode()
    assert not FeedPreference.objects.exists()


def test_reset_forgets_steering_and_see_less_but_keeps_the_daily_limit(
    alice: User, bob: User, template_job: Any
) -> None:
    from feed.services.budget import budget_set
    from feed.services.posts import see_less_create
    from feed.services.steering import feed_mood_set

    post = publish_like(template_job, bob, "a cat on a sofa", features=False)
    feed_instruction_set(user=alice, instruction="more dogs")
    feed_mood_set(user=alice, mood=0.9)
    budget_set(user=alice, minutes=30)
    see_less_create(user=alice, post_id=post.pk)
    response = logged_in(alice).post(reverse("feed:reset"), follow=True)
    assert "Your feed is back to its defaults. Your daily limit stays as it was." in (
        response.content.decode()
    )
    preference = FeedPreference.objects.get(user=alice)
    assert (preference.mood, preference.instruction, preference.instruction_more) == (None, "", [])
    assert preference.daily_budget_minutes == 30 and not SeeLess.objects.exists()


def test_the_controls_page_shows_every_control(alice: User) -> None:
    body = logged_in(alice).get(reverse("feed:controls")).content.decode()
    for text in ("What you see", "Mood", "Interests", "In your own words", "How we read it",
                 "Daily limit", "Reset my feed"):  # fmt: skip
        assert text in body


def test_see_less_like_this_is_remembered(alice: User, bob: User, template_job: Any) -> None:
    post = publish_like(template_job, bob, "a cat on a sofa", features=False)
    response = logged_in(alice).post(
        reverse("feed:see_less", args=[post.pk]), HTTP_HX_REQUEST="true"
    )
    assert "Got it: fewer videos like this one from now on." in response.content.decode()
    assert SeeLess.objects.filter(user=alice, post=post).exists()


def test_see_less_on_a_post_you_may_not_see_is_404(
    alice: User, bob: User, template_job: Any
) -> None:
    from accounts.services.blocks import block_create

    post = publish_like(template_job, bob, "a cat on a sofa", features=False)
    block_create(blocker=bob, blocked=alice)
    response = logged_in(alice).post(reverse("feed:see_less", args=[post.pk]))
    assert response.status_code == 404 and not SeeLess.objects.exists()


# --- Wrong method and anonymous, for every steering view ---------------------------------------

STEERING_URLS = [
    ("feed:mode", {"mode": "latest"}),
    ("feed:mood", {"mood": "10"}),
    ("feed:interests", {"own": "jazz"}),
    ("feed:instruction", {"instruction": "more jazz"}),
    ("feed:phrases", {"more": "jazz"}),
    ("feed:reset", {}),
]


@pytest.mark.parametrize(("name", "data"), STEERING_URLS)
def test_steering_views_refuse_get(alice: User, name: str, data: dict[str, str]) -> None:
    assert logged_in(alice).get(reverse(name), data).status_code == 405
    assert not FeedPreference.objects.exists()


@pytest.mark.parametrize(("name", "data"), STEERING_URLS)
def test_anonymous_steering_is_sent_to_log_in(client: Any, name: str, data: dict) -> None:
    response = client.post(reverse(name), data)
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not FeedPreference.objects.exists()


def test_see_less_refuses_get_and_anonymous(
    client: Any, alice: User, bob: User, template_job: Any
) -> None:
    post = publish_like(template_job, bob, "a cat on a sofa", features=False)
    url = reverse("feed:see_less", args=[post.pk])
    assert logged_in(alice).get(url).status_code == 405
    assert client.post(url)["Location"].startswith(reverse("accounts:login"))
    assert not SeeLess.objects.exists()


def test_anonymous_controls_page_is_sent_to_log_in(client: Any) -> None:
    response = client.get(reverse("feed:controls"))
    assert response["Location"].startswith(reverse("accounts:login"))
