"""The cameo page as people use it: record or upload, see the verdict, manage who may use it."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import django_rq
import numpy as np
import pytest
from django.core.files.storage import default_storage
from django.test import Client, RequestFactory
from django.urls import reverse
from PIL import Image
from rq import SimpleWorker

from accounts.models import Notification, User
from cameo import liveness
from cameo.models import Cameo, CameoGrant, CameoReference, CameoVerification, ConsentEvent
from cameo.services.consent import cameo_mark_verified, cameo_settings_update
from cameo.synthetic import LEFT_RIGHT_UP, astronaut_selfie, turning_frames, write_clip
from generation.models import GenerationJob

EMBEDDING = [0.01 * i for i in range(128)]


@pytest.fixture(scope="module")
def clip_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """An 8 s clip of the astronaut following left, right, up."""
    path = tmp_path_factory.mktemp("clips") / "turning.mp4"
    return write_clip(turning_frames(LEFT_RIGHT_UP, seconds=8), path).read_bytes()


def _login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _set_steps(client: Client, steps: tuple[str, ...] = LEFT_RIGHT_UP) -> None:
    session = client.session
    session["cameo_challenge"] = list(steps)
    session.save()


def _upload(
    client: Client, data: bytes, name: str = "me.mp4", capture: Any = None, **extra: str
) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    form = {"display_name": "Alice", "clip": SimpleUploadedFile(name, data), **extra}
    with capture(execute=True):
        return client.post(reverse("cameo:record"), form)


def _drain_default() -> None:
    queue = django_rq.get_queue("default")
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


def _stored(folder: str) -> list[str]:
    try:
        return default_storage.listdir(folder)[1]
    except FileNotFoundError:
        return []


@pytest.fixture
def send(django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """Upload a clip as ``user`` following ``steps``, run the check, and return the page after."""

    def _send(user: User, data: bytes, *, steps: tuple[str, ...] = LEFT_RIGHT_UP, **kw: Any):
        client = _login(user)
        _set_steps(client, steps)
        response = _upload(client, data, capture=django_capture_on_commit_callbacks, **kw)
        _drain_default()
        return response, client.get(reverse("cameo:home"))

    return _send


@pytest.mark.django_db
def test_the_cameo_page_shows_the_steps_and_the_recorder(alice: User) -> None:
    page = _login(alice).get(reverse("cameo:home"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Record your cameo" in html
    assert 'data-testid="steps"' in html and "data-recorder" in html
    steps = page.context["steps"]
    assert len(steps) == 3 and "up" in steps


def test_the_cameo_page_asks_a_visitor_to_log_in(client: Client, db: None) -> None:
    response = client.get(reverse("cameo:home"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_a_clip_following_the_steps_verifies_the_cameo_and_the_clip_is_deleted(
    alice: User, send: Callable[..., Any], clip_bytes: bytes
) -> None:
    response, page = send(alice, clip_bytes)
    assert response.status_code == 302
    attempt = CameoVerification.objects.get(owner=alice)
    assert attempt.state == "passed", attempt.reason
    assert not attempt.clip and _stored("cameo-clips") == []
    cameo = Cameo.objects.get(owner=alice)
    assert cameo.state == "verified" and cameo.display_name == "Alice"
    assert len(cameo.embedding) == 128 and cameo.permission == "only_me"
    assert default_storage.exists(cameo.thumbnail.name)
    refs = CameoReference.objects.filter(cameo=cameo)
    assert 3 <= refs.count() <= 4 and all(default_storage.exists(r.image.name) for r in refs)
    assert Image.open(default_storage.open(cameo.thumbnail.name)).size == (256, 256)
    html = page.content.decode()
    assert "Verified." in html and "Videos with me (0)" in html
    assert Notification.objects.filter(recipient=alice, kind="cameo_verified").exists()
    assert ConsentEvent.objects.filter(cameo=cameo, action="verified").exists()


@pytest.mark.django_db
def test_the_check_status_polls_until_it_is_done(
    alice: User, django_capture_on_commit_callbacks: Any, clip_bytes: bytes
) -> None:
    client = _login(alice)
    _set_steps(client)
    _upload(client, clip_bytes, capture=django_capture_on_commit_callbacks)
    attempt = CameoVerification.objects.get(owner=alice)
    url = reverse("cameo:attempt_status", args=[attempt.pk])
    checking = client.get(url).content.decode()
    assert "Checking your clip" in checking and 'hx-trigger="every 1s"' in checking
    _drain_default()
    done = client.get(url).content.decode()
    assert "Verified." in done and "hx-trigger" not in done
    assert _login(make_other()).get(url).status_code == 404


def make_other() -> User:
    from conftest import make_user

    return make_user("eve")


@pytest.mark.django_db
def test_a_clip_that_ignores_the_steps_is_rejected_and_nothing_is_kept(
    alice: User, send: Callable[..., Any], clip_bytes: bytes
) -> None:
    _, page = send(alice, clip_bytes, steps=("up", "right", "left"))
    attempt = CameoVerification.objects.get(owner=alice)
    assert attempt.state == "failed"
    assert attempt.reason == liveness.challenge_missed_text(("up", "right", "left"))
    assert "look up, then turn right, then left, in that order" in page.content.decode()
    assert not Cameo.objects.filter(owner=alice).exists()
    assert _stored("cameo-clips") == [] and _stored("cameos") == []


def _photo_bytes() -> bytes:
    out = io.BytesIO()
    Image.fromarray(astronaut_selfie()).save(out, format="JPEG")
    return out.getvalue()


def _frames_clip(tmp_path: Path, frames: list[np.ndarray], name: str = "c.mp4") -> bytes:
    return write_clip(frames, tmp_path / name).read_bytes()


def _two_faces() -> list[np.ndarray]:
    face = astronaut_selfie()
    pair = np.concatenate([face, face[:, ::-1]], axis=1)
    return [pair] * 50


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("photo", liveness.PHOTO_FILE),
        ("corrupt", liveness.UNREADABLE),
        ("no_face", liveness.NO_FACE),
        ("two_faces", liveness.TWO_FACES),
    ],
)
def test_a_bad_clip_is_rejected_with_a_sentence_and_nothing_is_kept(
    case: str, expected: str, alice: User, send: Callable[..., Any], tmp_path: Path,
    clip_bytes: bytes,
) -> None:  # fmt: skip
    data = {
        "photo": _photo_bytes,
        "corrupt": lambda: clip_bytes[:2000] + bytes(4000) + clip_bytes[-3000:],
        "no_face": lambda: _frames_clip(tmp_path, [np.full((480, 480, 3), 90, np.uint8)] * 50),
        "two_faces": lambda: _frames_clip(tmp_path, _two_faces()),
    }[case]()
    _, page = send(alice, data)
    attempt = CameoVerification.objects.get(owner=alice)
    assert attempt.state == "failed" and attempt.reason == expected
    assert expected.replace("'", "&#x27;") in page.content.decode()
    assert not Cameo.objects.filter(owner=alice).exists()
    assert _stored("cameo-clips") == [] and _stored("cameos") == []


def _hour_long_clip(tmp_path: Path) -> bytes:
    """One frame every 10 s for an hour: small, but an hour long."""
    from fractions import Fraction

    import av

    path = tmp_path / "hour.mp4"
    frame = av.VideoFrame.from_ndarray(astronaut_selfie(), format="rgb24")
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("libx264", rate=Fraction(1, 10))
        stream.width, stream.height, stream.pix_fmt = 480, 480, "yuv420p"
        stream.codec_context.time_base = Fraction(1, 10)
        for index in range(361):
            frame.pts = index
            frame.time_base = Fraction(10, 1)
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path.read_bytes()


@pytest.mark.django_db
def test_an_hour_long_clip_is_refused(
    alice: User, send: Callable[..., Any], tmp_path: Path
) -> None:
    _, page = send(alice, _hour_long_clip(tmp_path))
    attempt = CameoVerification.objects.get(owner=alice)
    assert attempt.state == "failed"
    assert "between 3 and 15 seconds" in attempt.reason
    assert not Cameo.objects.filter(owner=alice).exists() and _stored("cameo-clips") == []


@pytest.mark.django_db
def test_a_200_mb_upload_is_refused_before_it_is_read(alice: User) -> None:
    from cameo.views import record

    boundary = "BoUnDaRy"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="display_name"\r\n\r\nAlice\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="clip"; filename="big.mp4"\r\n'
            f"Content-Type: video/mp4\r\n\r\n"
        ).encode()
        + bytes(1024)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = RequestFactory().post(
        reverse("cameo:record"), data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    request.META["CONTENT_LENGTH"] = str(200 * 1024 * 1024)  # what a 200 MB upload declares
    request.user = alice
    request._dont_enforce_csrf_checks = True
    from django.contrib.sessions.backends.db import SessionStore

    request.session = SessionStore()
    response = record(request)
    assert response.status_code == 400
    assert "The clip is 200 MB, over the 25 MB limit" in response.content.decode()
    assert not CameoVerification.objects.exists() and _stored("cameo-clips") == []


@pytest.mark.django_db
def test_a_file_that_is_not_a_video_type_is_refused_at_once(
    alice: User, django_capture_on_commit_callbacks: Any
) -> None:
    client = _login(alice)
    response = _upload(client, b"GIF89a", "me.gif", capture=django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert "Upload an MP4, WebM or MOV video." in response.content.decode()
    assert not CameoVerification.objects.exists()


@pytest.mark.django_db
def test_a_second_clip_while_the_first_is_checked_is_refused(
    alice: User, django_capture_on_commit_callbacks: Any, clip_bytes: bytes
) -> None:
    client = _login(alice)
    _set_steps(client)
    _upload(client, clip_bytes, capture=django_capture_on_commit_callbacks)
    _set_steps(client)
    again = _upload(client, clip_bytes, capture=django_capture_on_commit_callbacks)
    assert again.status_code == 400
    assert "still being checked" in again.content.decode()
    assert CameoVerification.objects.count() == 1 and len(_stored("cameo-clips")) == 1


@pytest.mark.django_db
def test_recording_needs_a_post(alice: User) -> None:
    assert _login(alice).get(reverse("cameo:record")).status_code == 405


# --- Settings, requests and grants ----------------------------------------------------------


def _verified(owner: User, **settings_: Any) -> Cameo:
    cameo_mark_verified(owner=owner, display_name=owner.username, embedding=EMBEDDING)
    return cameo_settings_update(owner=owner, **settings_) if settings_ else owner.cameo


@pytest.mark.django_db
def test_the_owner_changes_settings_and_sees_them(alice: User) -> None:
    _verified(alice)
    client = _login(alice)
    response = client.post(
        reverse("cameo:settings"),
        {
            "display_name": "Ali",
            "permission": "approved",
            "protect_likeness": "on",
            "instructions": "always in my red jacket",
            "restrictions": "no politics, nothing romantic",
        },
    )
    assert response.status_code == 302
    cameo = Cameo.objects.get(owner=alice)
    assert (cameo.display_name, cameo.permission) == ("Ali", "approved")
    assert cameo.instructions == "always in my red jacket" and not cameo.approve_each_video
    assert "Your cameo settings are saved." in client.get(reverse("cameo:home")).content.decode()
    assert ConsentEvent.objects.filter(cameo=cameo, action="settings_changed").exists()


@pytest.mark.django_db
def test_settings_that_are_too_long_are_refused_and_nothing_changes(alice: User) -> None:
    _verified(alice)
    response = _login(alice).post(
        reverse("cameo:settings"),
        {"display_name": "Ali", "permission": "everyone", "restrictions": "x" * 501},
    )
    assert response.status_code == 400
    assert "at most 500 characters" in response.content.decode()
    assert Cameo.objects.get(owner=alice).permission == "only_me"


@pytest.mark.django_db
def test_settings_need_a_cameo_and_a_post(alice: User, bob: User) -> None:
    _verified(alice)
    assert (
        _login(bob).post(reverse("cameo:settings"), {"permission": "everyone"}).status_code == 404
    )
    assert _login(alice).get(reverse("cameo:settings")).status_code == 405
    assert Cameo.objects.get(owner=alice).permission == "only_me"


@pytest.mark.django_db
def test_asking_approving_for_days_and_revoking_through_the_pages(
    alice: User, bob: User, submit: Callable[..., Any]
) -> None:
    cameo = _verified(alice, permission="approved")
    bob_client, alice_client = _login(bob), _login(alice)
    profile = bob_client.get(reverse("profile", args=["alice"])).content.decode()
    assert "Ask to use @alice's cameo" in profile
    bob_client.post(reverse("cameo:ask", args=["alice"]))
    assert (
        "waiting for their answer"
        in bob_client.get(reverse("profile", args=["alice"])).content.decode()
    )
    home = alice_client.get(reverse("cameo:home")).content.decode()
    assert 'data-testid="request-bob"' in home
    grant = CameoGrant.objects.get(cameo=cameo, grantee=bob)
    alice_client.post(
        reverse("cameo:grant_decide", args=[grant.pk]), {"decision": "approve", "days": "7"}
    )
    grant.refresh_from_db()
    assert grant.state == "approved" and grant.expires_at is not None
    create = bob_client.get(reverse("generation:create")).content.decode()
    assert 'data-testid="cameo-picker"' in create and "@alice" in create
    job = submit(bob, "a picnic", cameo_ids=[cameo.pk])
    home = alice_client.get(reverse("cameo:home")).content.decode()
    assert "This takes down 1 video @bob made with your cameo." in home
    revoked = alice_client.post(
        reverse("cameo:grant_revoke", args=[grant.pk]), {"confirm": "revoke"}, follow=True
    )
    assert "Permission revoked. 1 video taken down at" in revoked.content.decode()
    job.refresh_from_db()
    assert job.taken_down_at is not None


@pytest.mark.django_db
def test_a_decision_with_bad_days_is_refused(alice: User, bob: User) -> None:
    cameo = _verified(alice, permission="approved")
    bob_client = _login(bob)
    bob_client.post(reverse("cameo:ask", args=["alice"]))
    grant = CameoGrant.objects.get(cameo=cameo, grantee=bob)
    page = _login(alice).post(
        reverse("cameo:grant_decide", args=[grant.pk]),
        {"decision": "approve", "days": "-5"},
        follow=True,
    )
    assert "Choose at least 1 day" in page.content.decode()
    grant.refresh_from_db()
    assert grant.state == "requested"
    assert (
        _login(bob)
        .post(reverse("cameo:grant_decide", args=[grant.pk]), {"decision": "approve"})
        .status_code
        == 404
    )


@pytest.mark.django_db
def test_asking_for_your_own_cameo_or_a_blocker_s_is_refused_on_the_page(
    alice: User, bob: User
) -> None:
    from accounts.services.blocks import block_create

    _verified(alice, permission="approved")
    own = _login(alice).post(reverse("cameo:ask", args=["alice"]), follow=True)
    assert "This is your own cameo" in own.content.decode()
    block_create(blocker=bob, blocked=alice)
    blocking = _login(bob).post(reverse("cameo:ask", args=["alice"]), follow=True)
    assert "You can&#x27;t ask to use @alice&#x27;s cameo." in blocking.content.decode()
    block_create(blocker=alice, blocked=bob)
    blocked = _login(bob).post(reverse("cameo:ask", args=["alice"]))
    assert blocked.status_code == 404
    assert not CameoGrant.objects.exists()


@pytest.mark.django_db
def test_videos_with_me_lists_others_drafts_and_the_owner_can_watch_and_take_them_down(
    alice: User, bob: User, charlie: User, submit: Callable[..., Any],
    run_video_jobs: Callable[[], None],
) -> None:  # fmt: skip
    cameo = _verified(alice, permission="everyone")
    job = submit(bob, "a dog on the beach", cameo_ids=[cameo.pk])
    run_video_jobs()
    job.refresh_from_db()
    alice_client = _login(alice)
    listing = alice_client.get(reverse("cameo:videos")).content.decode()
    use = job.cameo_uses.get()
    assert "by @bob" in listing and "draft" in listing
    page = alice_client.get(reverse("cameo:use", args=[use.pk])).content.decode()
    assert 'data-testid="use-video"' in page
    assert alice_client.get(job.video.url).status_code == 200
    assert _login(charlie).get(reverse("cameo:use", args=[use.pk])).status_code == 404
    done = alice_client.post(reverse("cameo:use_take_down", args=[use.pk]), follow=True)
    assert "Removed: 1 video taken down" in done.content.decode()
    job.refresh_from_db()
    assert job.taken_down_at is not None
    assert _login(bob).get(job.video.url).status_code == 404
    assert Notification.objects.filter(recipient=bob, kind="cameo_takedown").exists()


@pytest.mark.django_db
def test_deleting_the_cameo_removes_face_files_at_once(
    alice: User, send: Callable[..., Any], clip_bytes: bytes,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    send(alice, clip_bytes)
    assert len(_stored("cameos")) >= 4
    client = _login(alice)
    refused = client.post(reverse("cameo:delete"), follow=True)
    assert "Tick the box" in refused.content.decode() and Cameo.objects.filter(owner=alice)
    with django_capture_on_commit_callbacks(execute=True):
        deleted = client.post(reverse("cameo:delete"), {"confirm": "delete"}, follow=True)
    assert "Your cameo and its face data are deleted. 0 videos taken down" in (
        deleted.content.decode()
    )
    assert not Cameo.objects.filter(owner=alice).exists()
    assert not CameoReference.objects.exists() and _stored("cameos") == []
    assert ConsentEvent.objects.filter(cameo_owner=alice, action="deleted").exists()


@pytest.mark.django_db
def test_cameo_media_goes_only_to_people_who_may_use_it(
    alice: User, bob: User, send: Callable[..., Any], clip_bytes: bytes
) -> None:
    send(alice, clip_bytes)
    cameo = Cameo.objects.get(owner=alice)
    ref = cameo.references.first()
    assert _login(alice).get(cameo.thumbnail.url).status_code == 200
    assert _login(alice).get(ref.image.url).status_code == 200
    assert _login(bob).get(cameo.thumbnail.url).status_code == 404
    cameo_settings_update(owner=alice, permission="everyone")
    assert _login(bob).get(cameo.thumbnail.url).status_code == 200
    assert _login(bob).get(ref.image.url).status_code == 404
    assert Client().get(cameo.thumbnail.url).status_code == 404


@pytest.mark.django_db
def test_a_prompt_against_the_owners_restrictions_is_refused_quoting_them(
    alice: User, bob: User
) -> None:
    cameo = _verified(alice, permission="everyone", restrictions="no politics, nothing romantic")
    response = _login(bob).post(
        reverse("generation:create"),
        {
            "prompt": "me and @alice at a candlelit dinner for two",
            "duration_s": 4,
            "aspect": "9:16",
            "cameo_ids": cameo.pk,
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        "@alice&#x27;s cameo can&#x27;t be used for this. They asked: &quot;nothing romantic"
        in html
    )
    assert not GenerationJob.objects.exists()
    ok = _login(bob).post(
        reverse("generation:create"),
        {"prompt": "@alice walking a dog in the park", "duration_s": 4, "aspect": "9:16"},
    )
    assert ok.status_code == 302 and GenerationJob.objects.count() == 1
    own = _login(alice).post(
        reverse("generation:create"),
        {"prompt": "@alice at a candlelit dinner", "duration_s": 4, "aspect": "9:16"},
    )
    assert own.status_code == 302
