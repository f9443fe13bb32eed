"""The report form under a video: nothing chosen for the reporter, a reason required, and the
likeness reason ticked only where the report starts from Videos with me."""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Callable
from html import unescape
from typing import Any

import numpy as np
import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from cameo.services.consent import cameo_mark_verified, cameo_settings_update
from conftest import make_user
from feed.services.posts import post_publish
from generation.models import GenerationJob
from generation.services import generation_request
from safety.models import Report

CHECKED = re.compile(r'<input type="radio" name="reason" value="([a-z_]+)"[^>]* checked>')
MISSING = "Choose why you're reporting this, then send the report again."


def _login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _cameo_video(owner: User, creator: User) -> GenerationJob:
    cameo_mark_verified(owner=owner, display_name=owner.username, embedding=[0.0] * 128)
    cameo = cameo_settings_update(owner=owner, permission="everyone")
    return generation_request(
        user=creator, prompt="a picnic", duration_s=4, aspect="9:16", seed=1,
        cameo_ids=[cameo.pk],
    )  # fmt: skip


def _form(page: str) -> str:
    start = page.index('data-testid="report-form"')
    return page[start : page.index("</form>", start)]


@pytest.fixture
def post_page(rendered: Callable[..., Any], alice: User, bob: User) -> Callable[[str], str]:
    """bob's published video, as alice sees its page (with any query string)."""
    job = rendered(bob, "a red kite over green hills")
    post = post_publish(user=bob, job_id=job.pk)
    client = _login(alice)
    return lambda query="": client.get(
        reverse("feed:post", args=[post.pk]) + query
    ).content.decode()


@pytest.mark.django_db
def test_it_chooses_no_reason_on_a_generic_report_even_with_a_forged_query(
    post_page: Callable[[str], str],
) -> None:
    for query in ("", "?default_reason=likeness&reason=likeness&from=videos-with-me"):
        form = _form(post_page(query))
        assert CHECKED.findall(form) == []
        assert form.count('type="radio" name="reason"') == len(Report.Reason.choices)
        for _, label in Report.Reason.choices:
            assert f"<span>{label}</span>" in form


@pytest.mark.django_db
def test_it_renders_the_reasons_as_a_labelled_list_in_the_sites_style(
    alice: User, bob: User
) -> None:
    job = _cameo_video(alice, bob)
    page = _login(alice).get(reverse("cameo:use", args=[job.cameo_uses.get().pk])).content.decode()
    form = _form(page)
    assert "/static/css/forms.css" in page
    assert (
        '<fieldset class="choices">' in form
        and "<legend>Why are you reporting this?</legend>" in form
    )
    spam = f'<label for="report-{job.pk}-spam"><input type="radio" name="reason" value="spam"'
    assert spam in form and f'id="report-{job.pk}-spam" required>' in form
    assert 'class="btn btn-primary">Send report</button>' in form


@pytest.mark.django_db
def test_it_refuses_a_report_without_a_reason_with_a_sentence_and_writes_nothing(
    alice: User, bob: User
) -> None:
    job = _cameo_video(alice, bob)
    use = job.cameo_uses.get()
    done = _login(alice).post(
        reverse("safety:report_video", args=[job.pk]),
        {"note": "this is me", "next": reverse("cameo:use", args=[use.pk])},
        follow=True,
    )
    assert done.status_code == 200 and MISSING in unescape(done.content.decode())
    assert done.redirect_chain[-1][0] == reverse("cameo:use", args=[use.pk])
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_it_refuses_a_profile_report_without_a_reason_and_writes_nothing(
    alice: User, bob: User
) -> None:
    url = reverse("safety:report_profile", args=[bob.username])
    done = _login(alice).post(url, {"note": "spam account"}, follow=True)
    assert MISSING in unescape(done.content.decode()) and not Report.objects.exists()


@pytest.mark.django_db
def test_it_ticks_likeness_on_a_video_opened_from_videos_with_me(alice: User, bob: User) -> None:
    job = _cameo_video(alice, bob)
    page = _login(alice).get(reverse("cameo:use", args=[job.cameo_uses.get().pk])).content.decode()
    assert CHECKED.findall(_form(page)) == ["likeness"]


@pytest.mark.django_db
def test_a_forged_likeness_reason_is_still_checked_like_any_other(
    alice: User, bob: User, charlie: User
) -> None:
    """Pre-choosing is only a tick in the form: the server checks what comes back each time."""
    job = _cameo_video(alice, bob)
    url = reverse("safety:report_video", args=[job.pk])
    assert _login(charlie).post(url, {"reason": "likeness"}).status_code == 404
    bad = _login(alice).post(url, {"reason": "likeness!"}, follow=True).content.decode()
    assert "Choose a reason from the list." in bad
    assert not Report.objects.exists()
    _login(alice).post(url, {"reason": "spam"})
    assert Report.objects.get().target == "video"


# --- A video held because it looks like you, on Videos with me itself ---------------------------


@functools.cache
def _astronaut() -> tuple[bytes, list[float]]:
    """A public-domain portrait (skimage's astronaut) standing in for alice's face."""
    from PIL import Image
    from skimage import data

    from cameo import faces

    crop = data.astronaut()[10:310, 80:380]
    selfie = np.asarray(Image.fromarray(crop).resize((480, 480), Image.Resampling.BICUBIC))
    face = faces.find_faces(selfie)[0]
    out = io.BytesIO()
    Image.fromarray(faces.face_crop(selfie, face)).save(out, format="JPEG", quality=92)
    return out.getvalue(), [float(x) for x in face.embedding]


@pytest.mark.django_db
def test_it_ticks_likeness_on_a_held_lookalike_video_in_videos_with_me(
    rendered: Callable[..., Any], alice: User, bob: User
) -> None:
    thumbnail, embedding = _astronaut()
    cameo_mark_verified(owner=alice, display_name="Alice", embedding=embedding, thumbnail=thumbnail)
    dave = make_user("dave")  # his cameo's picture is alice's face; his verified likeness isn't
    cameo_mark_verified(
        owner=dave, display_name="dave", embedding=[0.02 * i for i in range(128)],
        thumbnail=thumbnail,
    )  # fmt: skip
    cameo_settings_update(owner=dave, permission="everyone")
    job = rendered(bob, "@dave dancing on the beach at sunset")
    assert job.held_at is not None
    page = _login(alice).get(reverse("cameo:videos")).content.decode()
    assert 'data-testid="holds"' in page
    assert CHECKED.findall(_form(page)) == ["likeness"]
