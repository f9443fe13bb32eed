"""A cameo owner's instructions are drawn on their cameo person, or named on the job page."""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from cameo.services.consent import (
    cameo_grant_decide,
    cameo_grant_request,
    cameo_mark_verified,
    cameo_settings_update,
)
from generation.pipeline.base import CameoImage, VideoRequest
from generation.pipeline.builtin import BuiltinBackend, render_preview
from generation.pipeline.cameo_looks import Held, Wearable, read_instructions

# Ten instructions as owners write them: six things to draw, four to name.
INSTRUCTIONS = [
    "Always wearing a red hat",
    "in a blue jacket",
    "holding a coffee cup",
    "wearing sunglasses",
    "a green scarf",
    "black jeans",
    "always smiling shyly",
    "with a curly moustache",
    "riding a unicorn",
    "never make me look silly",
]
DRAWN = ["red hat", "blue jacket", "coffee cup", "sunglasses", "green scarf", "black jeans"]
MAGENTA = (255, 0, 255)
PROMPT = "a person standing in a field"


def _cameo(instructions: str) -> CameoImage:
    face = np.zeros((120, 100, 3), dtype=np.uint8)
    face[...] = MAGENTA
    return CameoImage(name="Alice", image=face, handle="alice", instructions=instructions)


@cache
def _frames(instructions: str) -> tuple[np.ndarray, ...]:
    """Frames 12 and 36 of a small clip of alice in a field (every 12th frame is drawn)."""
    frames = render_preview(PROMPT, seed=2, aspect="1:1", cameos=(_cameo(instructions),))
    return frames[1].astype(int), frames[3].astype(int)


def _head(frame: np.ndarray) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) of the cameo's magenta face in a frame."""
    r, g, b = frame[..., 0], frame[..., 1], frame[..., 2]
    rows, cols = np.nonzero((r > 200) & (g < 80) & (b > 200))
    assert len(rows) > 100, "the cameo face is in the frame"
    return int(rows.min()), int(rows.max()), int(cols.min()), int(cols.max())


def _red_above_head(frame: np.ndarray) -> int:
    top, _, left, right = _head(frame)
    width = right - left
    above = frame[max(0, top - width) : top + 2, max(0, left - width // 2) : right + width // 2]
    r, g, b = above[..., 0], above[..., 1], above[..., 2]
    return int(((r > 170) & (g < 90) & (b < 90)).sum())


def _torso(frame: np.ndarray) -> np.ndarray:
    """Mean colour of a patch under the face, where the cameo person's chest is."""
    _, bottom, left, right = _head(frame)
    width = right - left
    patch = frame[bottom + width // 2 : bottom + width, left + width // 3 : right - width // 3]
    return patch.reshape(-1, 3).mean(axis=0)


def test_every_instruction_is_drawn_or_named() -> None:
    look = read_instructions(". ".join(INSTRUCTIONS))

    assert list(look.drawn) == DRAWN
    named = [*look.not_drawn, *look.not_for_drawing]
    assert len(look.drawn) + len(named) == len(INSTRUCTIONS)
    assert list(look.not_drawn) == [
        "always smiling shyly",
        "with a curly moustache",
        "riding a unicorn",
    ]
    assert list(look.not_for_drawing) == ["never make me look silly"]
    held = [item for item in look.items if isinstance(item, Held)]
    assert [(h.label, h.icon) for h in held] == [("coffee cup", "hot-beverage")]
    slots = {item.slot for item in look.items if isinstance(item, Wearable)}
    assert slots == {"head", "torso", "eyes", "neck", "legs"}


def test_a_negated_item_is_a_rule_and_nothing_is_drawn_for_it() -> None:
    look = read_instructions("Never wearing a hat; don't show me holding a phone")
    assert look.items == ()
    assert look.not_for_drawing == ("Never wearing a hat", "don't show me holding a phone")


def test_holding_two_things_in_one_sentence_holds_the_first_and_names_the_second() -> None:
    look = read_instructions("holding an umbrella and a book")
    assert [item.label for item in look.items] == ["umbrella"]
    assert look.not_drawn == ("a book",)


def test_a_red_hat_is_drawn_above_the_cameo_face_in_every_frame() -> None:
    for before, after in zip(_frames(""), _frames("Always wearing a red hat"), strict=True):
        assert _red_above_head(before) < 20
        assert _red_above_head(after) > 300


def test_a_coloured_jacket_repaints_the_cameo_persons_torso() -> None:
    for frame in _frames("in a blue jacket"):
        r, g, b = _torso(frame)
        assert b > r + 60 and b > g + 30
    for frame in _frames("in a yellow jacket"):
        r, g, b = _torso(frame)
        assert r > b + 60 and g > b + 60


def test_all_drawable_instructions_show_and_the_rest_are_named() -> None:
    frame, before = _frames(". ".join(INSTRUCTIONS))[1], _frames("")[1]

    top, bottom, left, right = _head(frame)
    width = right - left
    assert _red_above_head(frame) > 300  # the hat
    face = frame[top:bottom, left:right]
    dark = (face.max(axis=-1) < 60).sum()
    assert dark > (face.max(axis=-1) < 60).size * 0.04  # sunglasses over the magenta face
    neck = frame[bottom - 4 : bottom + width // 3, left - width // 2 : right + width // 2]
    is_green = (neck[..., 1] > 130) & (neck[..., 0] < 110) & (neck[..., 2] < 110)
    assert is_green.sum() > 50  # the scarf
    # The coffee cup: white china near the hand that the plain render lacks.
    body = (slice(bottom, bottom + 3 * width), slice(left - width, right + width))
    white = (frame[body].min(axis=-1) > 200).sum()
    assert white > (before[body].min(axis=-1) > 200).sum() + 40
    # Black jeans: the legs, well below the face, are near black.
    legs = frame[bottom + 2 * width : bottom + 3 * width, left + width // 3 : right - width // 3]
    assert legs.reshape(-1, 3).mean(axis=0).max() < 70


def test_the_backend_records_and_tells_what_became_of_each_instruction() -> None:
    request = VideoRequest(
        prompt=PROMPT, seed=2, aspect="1:1", cameos=(_cameo(". ".join(INSTRUCTIONS)),)
    )
    result = BuiltinBackend().generate(
        request, on_progress=lambda *_: None, should_cancel=lambda: False
    )

    assert result.plan["cameo_looks"] == [
        {
            "cameo": "@alice",
            "drawn": DRAWN,
            "not_drawn": ["always smiling shyly", "with a curly moustache", "riding a unicorn"],
            "not_for_drawing": ["never make me look silly"],
        }
    ]
    assert result.notes == [
        "cameo: Alice",
        "From @alice's cameo instructions: drawn red hat, blue jacket, coffee cup, sunglasses, "
        "green scarf, black jeans; not drawn: “always smiling shyly”, “with a curly moustache”, "
        "“riding a unicorn”; not something the renderer draws: “never make me look silly”.",
    ]
    assert "hat" not in str(result.plan.get("things"))


# ---------------------------------------------------------------------------- through the queue


def _magenta_jpeg() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (96, 120), MAGENTA).save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.mark.django_db
def test_a_job_with_alices_cameo_wears_her_red_hat_and_says_so(
    client: Client, alice: User, bob: User, rendered: Any
) -> None:
    embedding = [0.02 * i for i in range(128)]
    cameo_mark_verified(
        owner=alice, display_name="Alice", embedding=embedding, thumbnail=_magenta_jpeg()
    )
    cameo = cameo_settings_update(
        owner=alice,
        permission="approved",
        instructions="Always wearing a red hat. Always smiling shyly.",
    )
    grant = cameo_grant_request(requester=bob, cameo_id=cameo.pk)
    cameo_grant_decide(owner=alice, grant_id=grant.pk, approve=True)

    job = rendered(bob, "@alice standing in a field", aspect="1:1")

    assert job.prompt == "@alice standing in a field"
    assert job.plan["cameo_looks"][0]["drawn"] == ["red hat"]
    # The planner read bob's words alone: the hat is on alice, not a thing in the field.
    assert "hat" not in str(job.plan.get("things"))
    client.force_login(bob)
    page = client.get(reverse("generation:job", args=[job.pk])).content.decode()
    assert (
        "From @alice&#x27;s cameo instructions: drawn red hat; "
        "not drawn: “Always smiling shyly”." in page
    )
