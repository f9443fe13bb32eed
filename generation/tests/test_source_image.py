"""Starting a video from your own picture: what Create refuses, what it keeps, who sees it.

The only real face here is ``skimage.data.astronaut()`` (a public-domain NASA portrait), as in
the likeness guard's tests; it stands in for alice.
"""

from __future__ import annotations

import functools
import hashlib
import io
import struct
import zlib
from pathlib import Path
from typing import Any

import av
import django_rq
import numpy as np
import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from PIL import Image
from rq import SimpleWorker

from accounts.models import User
from accounts.services.deletion import account_delete
from cameo.models import CameoUse
from cameo.services.consent import cameo_mark_verified, cameo_settings_update
from conftest import PASSWORD
from generation import source_image
from generation.models import GenerationJob
from generation.pipeline.provenance import read_mp4
from generation.services.takedown import generation_takedown
from safety import nudity
from safety.models import Report

CREATE = reverse("generation:create")
SKY_BLUE = (30, 160, 220)


def _png(size: tuple[int, int] = (320, 240), colour: tuple[int, int, int] = SKY_BLUE) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def _png_declaring(width: int, height: int) -> bytes:
    """A PNG whose header declares ``width`` x ``height`` 1-bit pixels, with almost no data."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    rows = zlib.compress(b"\0" * 64)
    signature = b"\x89PNG\r\n\x1a\n"
    return signature + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


@functools.cache
def _astronaut_jpeg() -> bytes:
    from skimage import data

    out = io.BytesIO()
    Image.fromarray(data.astronaut()).save(out, format="JPEG", quality=92)
    return out.getvalue()


@functools.cache
def _astronaut_cameo() -> tuple[bytes, list[float]]:
    """A thumbnail and embedding of the astronaut, as verification makes them."""
    from skimage import data

    from cameo import faces

    crop = data.astronaut()[10:310, 80:380]
    selfie = np.asarray(Image.fromarray(crop).resize((480, 480), Image.Resampling.BICUBIC))
    face = faces.find_faces(selfie)[0]
    out = io.BytesIO()
    Image.fromarray(faces.face_crop(selfie, face)).save(out, format="JPEG", quality=92)
    return out.getvalue(), [float(x) for x in face.embedding]


def _alice_protects_her_likeness(alice: User, **settings_: Any) -> Any:
    thumbnail, embedding = _astronaut_cameo()
    cameo_mark_verified(owner=alice, display_name="Alice", embedding=embedding, thumbnail=thumbnail)
    return cameo_settings_update(owner=alice, protect_likeness=True, **settings_)


def _post(
    client: Client, user: User, picture: bytes, name: str = "picture.png", **fields: Any
) -> Any:
    client.force_login(user)
    data = {
        "prompt": "a dog running on the beach",
        "duration_s": 4,
        "aspect": "9:16",
        "seed": 7,
        "source_image": SimpleUploadedFile(name, picture),
        **fields,
    }
    return client.post(CREATE, data)


def _shows(response: Any, sentence: str) -> bool:
    return escape(sentence) in response.content.decode()


def _stored_pictures() -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "sources"
    return sorted(folder.iterdir()) if folder.exists() else []


def _nothing_stored() -> bool:
    return not GenerationJob.objects.exists() and _stored_pictures() == []


class _FixedDetector:
    """NudeNet's place, seeing one exposed body part at ``score`` in every picture."""

    def __init__(self, score: float) -> None:
        self.score = score

    def detect(self, image: Any) -> list[dict[str, Any]]:
        return [{"class": "FEMALE_BREAST_EXPOSED", "score": self.score, "box": [0, 0, 9, 9]}]


# --- Files that aren't usable pictures -----------------------------------------------------------


def test_a_text_file_named_png_is_refused_and_nothing_is_stored(
    client: Client, charlie: User
) -> None:
    response = _post(client, charlie, b"just some words, not a picture\n" * 20)
    assert response.status_code == 200
    assert _shows(response, source_image.NOT_A_PICTURE)
    assert _nothing_stored()


def test_a_picture_over_10_mb_is_refused_as_it_streams_in_and_nothing_is_stored(
    client: Client, charlie: User
) -> None:
    response = _post(client, charlie, _png()[:64] + bytes(50 * 1024 * 1024))
    sentence = "That picture is 50.0\xa0MB; the limit is 10 MB. Choose a smaller picture."
    assert _shows(response, sentence)
    # The fields before the picture arrived and are kept for another try.
    assert "a dog running on the beach" in response.content.decode()
    assert _nothing_stored()


@pytest.mark.parametrize(
    ("width", "height", "sentence"),
    [
        (20_000, 20_000, source_image.TOO_MANY_PIXELS),
        (20_000, 16, "That picture is 20,000 × 16 pixels; the limit is 4,096 pixels on a side."),
    ],
)
def test_a_20000_pixel_picture_is_refused_from_its_header_and_nothing_is_stored(
    client: Client, charlie: User, width: int, height: int, sentence: str
) -> None:
    picture = _png_declaring(width, height)
    assert len(picture) < 1000  # refused from the header: nothing this big is ever decoded
    response = _post(client, charlie, picture)
    assert _shows(response, sentence)
    assert _nothing_stored()


def test_a_picture_that_is_not_jpeg_png_or_webp_is_refused(client: Client, charlie: User) -> None:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), SKY_BLUE).save(out, format="GIF")
    response = _post(client, charlie, out.getvalue(), name="picture.png")
    assert _shows(response, source_image.NOT_A_PICTURE)
    assert _nothing_stored()


# --- Consent first -------------------------------------------------------------------------------


def test_a_picture_of_someone_who_protects_their_likeness_is_refused_without_naming_them(
    client: Client, alice: User, bob: User
) -> None:
    _alice_protects_her_likeness(alice)
    response = _post(client, bob, _astronaut_jpeg(), name="me.jpg", source_consent="on")
    assert _shows(response, source_image.PROTECTED)
    assert "alice" not in response.content.decode().lower()
    assert _nothing_stored()


def test_a_picture_of_a_person_needs_the_confirmation_that_they_agreed(
    client: Client, charlie: User
) -> None:
    response = _post(client, charlie, _astronaut_jpeg(), name="friend.jpg")
    assert _shows(response, source_image.NEEDS_CONSENT)
    assert _nothing_stored()


def test_with_the_confirmation_the_picture_and_the_confirmation_are_kept_with_the_job(
    client: Client, charlie: User
) -> None:
    response = _post(client, charlie, _astronaut_jpeg(), name="friend.jpg", source_consent="on")
    job = GenerationJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("generation:job", args=[job.pk])
    assert job.source_consent_confirmed is True
    assert job.source_image.name.startswith(f"sources/{job.public_id}-")
    with default_storage.open(job.source_image.name, "rb") as fh:
        assert fh.read() == _astronaut_jpeg()
    assert job.source_image_sha256 == hashlib.sha256(_astronaut_jpeg()).hexdigest()


def test_a_picture_of_someone_who_granted_their_cameo_counts_as_their_cameo_in_the_video(
    client: Client, alice: User, bob: User
) -> None:
    cameo = _alice_protects_her_likeness(alice, permission="everyone")
    response = _post(client, bob, _astronaut_jpeg(), name="alice.jpg", source_consent="on")
    assert response.status_code == 302
    use = CameoUse.objects.get()
    assert use.cameo == cameo and use.job == GenerationJob.objects.get()


def test_an_explicit_picture_is_refused(
    client: Client, charlie: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(nudity, "_detector", _FixedDetector(0.9))
    response = _post(client, charlie, _png())
    assert _shows(response, source_image.SEXUAL)
    assert _nothing_stored()
    assert not Report.objects.exists()


def test_an_explicit_picture_with_a_face_is_refused_and_reported_as_minors_content(
    client: Client, charlie: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(nudity, "_detector", _FixedDetector(0.9))
    response = _post(client, charlie, _astronaut_jpeg(), name="x.jpg", source_consent="on")
    assert _shows(response, source_image.MINORS)
    assert _nothing_stored()
    report = Report.objects.get()
    assert report.reason == Report.Reason.MINORS and report.reported_user == charlie


def test_a_prompt_naming_a_child_with_a_partly_nude_picture_is_refused_as_minors_content(
    client: Client, charlie: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(nudity, "_detector", _FixedDetector(0.3))  # under the hold threshold
    response = _post(client, charlie, _png(), prompt="a little girl at the beach")
    assert _shows(response, source_image.MINORS)
    assert _nothing_stored()
    assert Report.objects.get().reason == Report.Reason.MINORS


def test_the_same_partly_nude_picture_without_a_child_named_is_allowed(
    client: Client, charlie: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(nudity, "_detector", _FixedDetector(0.3))
    response = _post(client, charlie, _png(), prompt="a sunny day at the beach")
    assert response.status_code == 302 and GenerationJob.objects.get().source_image


def test_anonymous_visitors_cannot_upload_a_picture(client: Client, db: None) -> None:
    response = client.post(CREATE, {"prompt": "a dog", "source_image": SimpleUploadedFile(
        "a.png", _png())})  # fmt: skip
    assert response.status_code == 302 and "/login" in response.url
    assert _nothing_stored()


def test_create_refuses_a_put(client: Client, charlie: User) -> None:
    client.force_login(charlie)
    assert client.put(CREATE).status_code == 405
    assert _nothing_stored()


# --- The video it makes, who sees the picture, and when it goes ---------------------------------


def _first_frame(job: GenerationJob) -> np.ndarray:
    with av.open(default_storage.path(job.video.name)) as container:
        frame = next(container.decode(video=0))
        return frame.to_ndarray(format="rgb24")


@pytest.fixture
def picture_job(
    client: Client, charlie: User, run_video_jobs: Any, django_capture_on_commit_callbacks: Any
) -> GenerationJob:
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, charlie, _png(colour=SKY_BLUE), source_consent="on")
    assert response.status_code == 302
    run_video_jobs()
    job = GenerationJob.objects.get()
    assert job.status == "succeeded", job.error
    return job


def test_the_built_in_renderer_starts_from_the_picture_and_the_manifest_records_it(
    client: Client, picture_job: GenerationJob
) -> None:
    frame = _first_frame(picture_job)
    # The drawn dog and the watermark cover a little of it; the picture is the rest.
    median = np.median(frame.reshape(-1, 3), axis=0)
    assert np.abs(median - np.array(SKY_BLUE)).max() <= 8, median
    manifest = read_mp4(default_storage.path(picture_job.video.name))
    assert manifest is not None and manifest.intact
    assert manifest.fields["source_image"] == {
        "sha256": picture_job.source_image_sha256,
        "confirmed_consent": True,
    }
    page = client.get(reverse("generation:job", args=[picture_job.pk])).content.decode()
    assert "Your picture is the first frame" in page
    assert reverse("generation:job_source_image", args=[picture_job.pk]) in page


def test_only_the_creator_can_fetch_the_picture(
    client: Client, picture_job: GenerationJob, bob: User
) -> None:
    url = reverse("generation:job_source_image", args=[picture_job.pk])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response.content == _png(colour=SKY_BLUE)
    assert client.post(url).status_code == 405
    client.force_login(bob)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
    # Never through the media address, not even for its creator.
    client.force_login(picture_job.creator)
    assert client.get(f"/media/{picture_job.source_image.name}").status_code == 404


def _run_default_jobs() -> None:
    queue = django_rq.get_queue("default")
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


def test_a_takedown_deletes_the_picture(
    client: Client, picture_job: GenerationJob, django_capture_on_commit_callbacks: Any
) -> None:
    assert _stored_pictures()
    with django_capture_on_commit_callbacks(execute=True):
        generation_takedown(job_ids=[picture_job.pk], reason="Removed.", notice=None)
    _run_default_jobs()
    picture_job.refresh_from_db()
    assert picture_job.source_image.name == "" and _stored_pictures() == []
    url = reverse("generation:job_source_image", args=[picture_job.pk])
    assert client.get(url).status_code == 404


def test_deleting_the_account_deletes_the_picture(
    picture_job: GenerationJob, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        account_delete(user=picture_job.creator, password=PASSWORD)
    _run_default_jobs()
    assert _stored_pictures() == []
    assert not GenerationJob.objects.exists()
