"""One rule for typed text: control characters are refused with the same sentence everywhere,
and text made only of invisible characters counts as empty. Nothing is written on refusal."""

from __future__ import annotations

import django_rq
import pytest
from django.urls import reverse

from accounts.models import User
from feed.models import Comment, DirectMessage
from feed.tests.social_helpers import HTMX, login, published
from generation.models import GenerationJob
from sora_site.text import CONTROL_MESSAGE, clean_typed_text, visible

pytestmark = pytest.mark.django_db
SENTENCE = "The text contains control characters (such as a NUL byte) that can"


@pytest.mark.parametrize("text", ["hi\x00there", "bell\x07", "esc\x1b[31m red"])
def test_a_comment_with_control_characters_is_refused_and_not_stored(
    alice: User, bob: User, text: str
) -> None:
    post = published(alice)
    response = login(bob).post(reverse("feed:comment_create", args=[post.pk]), {"text": text})
    assert response.status_code == 400
    assert SENTENCE in response.content.decode()
    assert not Comment.objects.exists()


def test_an_htmx_message_with_a_nul_byte_is_answered_beside_the_form(
    alice: User, bob: User
) -> None:
    response = login(alice).post(
        reverse("feed:thread", args=[bob.username]), {"text": "hello\x00"}, **HTMX
    )
    assert response.status_code == 400
    assert response["HX-Retarget"] == "this" and response["HX-Reswap"] == "afterend"
    assert SENTENCE in response.content.decode() and "<html" not in response.content.decode()
    assert not DirectMessage.objects.exists()


def test_a_profile_bio_with_a_control_character_is_refused_and_unchanged(alice: User) -> None:
    response = login(alice).post(reverse("accounts:profile_edit"), {"bio": "hi\x07"})
    assert response.status_code == 400
    assert SENTENCE in response.content.decode()
    alice.refresh_from_db()
    assert "\x07" not in alice.bio


@pytest.mark.parametrize("prompt", ["\u200b\u200b\u200b", "\u200d \u200c\ufeff", "\u202e\u200f"])
def test_a_prompt_of_only_invisible_characters_is_empty(alice: User, prompt: str) -> None:
    client = login(alice)
    response = client.post(
        reverse("generation:create"), {"prompt": prompt, "duration_s": "4", "aspect": "9:16"}
    )
    assert response.status_code == 200
    assert "Write a prompt describing the video you want." in response.content.decode()
    assert not GenerationJob.objects.exists()
    assert django_rq.get_queue("video").count == 0


def test_newlines_and_tabs_are_fine_and_a_comment_of_zero_width_spaces_is_empty(
    alice: User, bob: User
) -> None:
    assert clean_typed_text("line one\n\tline two", empty_message="x") == "line one\n\tline two"
    assert visible("\u200bok\u200b") == "ok"
    post = published(alice)
    response = login(bob).post(
        reverse("feed:comment_create", args=[post.pk]), {"text": "\u200b\u200b"}, **HTMX
    )
    assert "Write a comment first." in response.content.decode()
    assert not Comment.objects.exists()


def test_the_sentence_is_the_same_everywhere() -> None:
    assert CONTROL_MESSAGE.startswith(SENTENCE)
