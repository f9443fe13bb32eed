"""An activity someone else does, or one the owner only watches, against the owner's restrictions.

"No dancing" means the owner is not shown dancing: sitting in the audience at a niece's recital
is fine, dancing at it is not. "Nothing religious" still rules out a church setting, whoever
climbs there. The request tests run the real MiniLM model from site-packages.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from accounts.models import User
from cameo.models import Cameo, CameoUse
from cameo.restrictions import restriction_conflict
from cameo.restrictions.spectator import only_watched
from cameo.restrictions.words import _phrase_forms, _tokens
from cameo.services.consent import cameo_mark_verified, cameo_settings_update
from generation.models import GenerationJob
from generation.services import generation_request

EMBEDDING = [0.01 * i for i in range(128)]
REFUSAL = "@alice's cameo can't be used for this. They asked: \"No dancing\"."


def _dance_shy_cameo(alice: User) -> Cameo:
    cameo_mark_verified(owner=alice, display_name="alice", embedding=EMBEDDING)
    return cameo_settings_update(owner=alice, permission="everyone", restrictions="No dancing")


def _request(user: User, prompt: str, cameo: Cameo) -> GenerationJob:
    return generation_request(
        user=user, prompt=prompt, duration_s=4, aspect="9:16", cameo_ids=[cameo.pk]
    )


@pytest.mark.django_db
def test_watching_a_nieces_dance_recital_makes_a_job(alice: User, bob: User) -> None:
    cameo = _dance_shy_cameo(alice)
    prompt = "@alice watching her niece's dance recital from the front row"

    job = _request(bob, prompt, cameo)

    assert GenerationJob.objects.get().prompt == prompt
    assert CameoUse.objects.get().job == job


@pytest.mark.django_db
@pytest.mark.parametrize(
    "prompt",
    [
        "@alice dancing at her niece's recital",
        "@alice watching her niece's recital, then joins the dancers on stage",
    ],
)
def test_dancing_herself_is_refused_in_the_owners_words_and_nothing_is_written(
    alice: User, bob: User, prompt: str
) -> None:
    cameo = _dance_shy_cameo(alice)

    with pytest.raises(ValidationError) as refused:
        _request(bob, prompt, cameo)

    assert REFUSAL in refused.value.messages
    assert not GenerationJob.objects.exists()
    assert not CameoUse.objects.exists()


def _forms(keyword: str) -> tuple[frozenset[str], ...]:
    return _phrase_forms(_tokens(keyword), reduce=False)


@pytest.mark.parametrize(
    "prompt",
    [
        "@x watching her niece's dance recital",
        "@x clapping in the audience at a dance show",
        "@x mopping the floor of an empty dance hall",
        "@x filming her nephew's dance battle",
    ],
)
def test_a_dance_someone_else_does_is_only_watched(prompt: str) -> None:
    assert only_watched(prompt, _forms("dance"))


@pytest.mark.parametrize(
    "prompt",
    [
        "@x dance at her niece's wedding",
        "@x watching the show and then dance in the aisle",
        "@x watching the dance, then joining in",
        "@x filming her own dance routine",
        "@x on stage at her sister's dance show",
    ],
)
def test_the_owner_taking_part_is_not_only_watched(prompt: str) -> None:
    assert not only_watched(prompt, _forms("dance"))


def test_a_prompt_without_the_keyword_is_not_read_as_watched() -> None:
    assert not only_watched("@x watching the sunset", _forms("dance"))


@pytest.mark.parametrize(
    ("prompt", "restrictions", "quote"),
    [
        ("@x cheering for her son's soccer team from the bleachers", "No sports", None),
        ("@x playing in her brother's soccer team", "No sports", "No sports"),
        (
            "@x at a climbing gym inside an old church building",
            "Nothing religious",
            "Nothing religious",
        ),
        ("@x watching a priest bless the congregation", "Nothing religious", "Nothing religious"),
    ],
)
def test_only_activities_are_let_go_when_watched_a_setting_still_counts(
    prompt: str, restrictions: str, quote: str | None
) -> None:
    assert restriction_conflict(prompt, restrictions) == quote
