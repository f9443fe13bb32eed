from __future__ import annotations

from pathlib import Path
from typing import Any

import django_rq
import numpy as np
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import User
from conftest import start_worker
from feed.models import Post
from feed.services.posts import post_publish
from generation.pipeline.encode import encode_mp4
from generation.pipeline.provenance import read_mp4

VERIFY = reverse("verify")


def _upload(client: Client, data: bytes, name: str = "clip.mp4") -> str:
    upload = SimpleUploadedFile(name, data, content_type="video/mp4")
    return client.post(VERIFY, {"video": upload}).content.decode()


def _run_default_jobs() -> None:
    from rq import SimpleWorker

    queue = django_rq.get_queue("default")
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


def _reencode(source: str, dest: Path, crf: str = "30") -> bytes:
    """A copy as another app would make it: decoded, re-encoded, no metadata kept."""
    import av

    with av.open(source) as container:
        frames = np.stack([f.to_ndarray(format="rgb24") for f in container.decode(video=0)])
    encode_mp4(frames, 24, dest)
    return dest.read_bytes()


def test_every_rendered_video_carries_a_signed_record(alice: User, rendered: Any) -> None:
    job = rendered(alice, "a kite over the dunes", seed=31)
    result = read_mp4(default_storage.path(job.video.name))
    assert result is not None and result.trusted and result.intact
    assert result.fields["creator"] == "@alice"
    assert result.fields["seed"] == 31
    assert result.fields["video_id"] == job.public_id
    assert result.fields["model"] == "builtin" and result.fields["model_hash"] == job.model_hash
    assert len(result.fields["prompt_sha256"]) == 64 and "kite" not in str(result.fields)


def test_verify_page_tells_anyone_who_made_a_published_video(
    client: Client, alice: User, rendered: Any
) -> None:
    job = rendered(alice)
    post = post_publish(user=alice, job_id=job.pk)
    body = _upload(client, default_storage.open(job.video.name).read())
    assert "Made on Sora" in body and "@alice" in body
    assert "The signature is valid and comes from this site" in body
    assert f'href="/p/{post.pk}/"' in body
    assert '<dd data-testid="verify-engine">Built-in renderer</dd>' in body  # the engine it chose


def test_a_file_changed_after_signing_is_flagged(
    client: Client, alice: User, rendered: Any
) -> None:
    job = rendered(alice)
    data = bytearray(default_storage.open(job.video.name).read())
    mdat = data.index(b"mdat")
    for offset in range(mdat + 200, mdat + 260):
        data[offset] ^= 0xFF
    assert "This file was changed after it was signed" in _upload(client, bytes(data))


def test_a_reencoded_copy_is_matched_by_its_frames(
    client: Client,
    alice: User,
    rendered: Any,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    job = rendered(alice, "a red balloon floating over the city", seed=8)
    with django_capture_on_commit_callbacks(execute=True):
        post = post_publish(user=alice, job_id=job.pk)
    _run_default_jobs()
    post.refresh_from_db()
    assert len(post.keyframe_hashes) == 4  # one a second
    copy = _reencode(default_storage.path(job.video.name), tmp_path / "copy.mp4")
    body = _upload(client, copy)
    assert "Matched by its frames" in body and "@alice" in body


def test_a_file_from_elsewhere_has_no_record(
    client: Client,
    alice: User,
    rendered: Any,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        post_publish(user=alice, job_id=rendered(alice).pk)
    _run_default_jobs()
    rng = np.random.default_rng(0)
    frames = rng.integers(0, 255, size=(48, 240, 320, 3), dtype=np.uint8)
    encode_mp4(frames, 24, tmp_path / "elsewhere.mp4")
    body = _upload(client, (tmp_path / "elsewhere.mp4").read_bytes())
    assert "No record of this video" in body


@pytest.mark.django_db
def test_a_file_that_is_not_a_video_gets_a_sentence(client: Client) -> None:
    body = _upload(client, b"hello, this is text", name="notes.mp4")
    assert "We couldn&#x27;t read that file as a video." in body


@pytest.mark.django_db
@override_settings(SORA_VERIFY_MAX_BYTES=2000)
def test_an_oversized_upload_is_refused(client: Client) -> None:
    body = _upload(client, b"\0" * 5000)
    assert "That file is 4.9\xa0KB; the limit is 2.0\xa0KB." in body


@pytest.mark.django_db
def test_verify_without_a_file_asks_for_one(client: Client) -> None:
    assert "Choose a video file to check." in client.post(VERIFY, {}).content.decode()


def test_record_url_leads_to_the_post_or_says_it_is_private(
    client: Client, alice: User, rendered: Any
) -> None:
    job = rendered(alice)
    record = reverse("record", args=[job.public_id])
    assert "isn&#x27;t public" in client.get(record).content.decode() or "isn't public" in (
        client.get(record).content.decode()
    )
    post = post_publish(user=alice, job_id=job.pk)
    assert client.get(record)["Location"] == reverse("feed:post", args=[post.pk])
    assert client.get(reverse("record", args=["nope"])).status_code == 404


def test_the_record_of_a_draft_names_its_creator_only_to_them(
    client: Client, alice: User, bob: User, rendered: Any
) -> None:
    job = rendered(alice)
    record = reverse("record", args=[job.public_id])
    for viewer in (None, bob):
        if viewer is not None:
            client.force_login(viewer)
        page = client.get(record).content.decode()
        assert "but it isn't public" in page and "alice" not in page.lower()
    client.force_login(alice)
    assert "You made it on" in client.get(record).content.decode()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_real_default_worker_fingerprints_a_published_post(alice: User, rendered: Any) -> None:
    job = rendered(alice)
    post = post_publish(user=alice, job_id=job.pk)  # committed: enqueues at once
    assert django_rq.get_queue("default").count == 2  # the fingerprint and the feed features
    worker = start_worker("default", burst=True)
    assert worker.wait(timeout=120) == 0
    assert len(Post.objects.get(pk=post.pk).keyframe_hashes) == 4


def test_requeue_stuck_fingerprints_posts_published_while_the_queue_was_down(
    alice: User, rendered: Any, django_capture_on_commit_callbacks: Any, capsys: Any
) -> None:
    from django.core.management import call_command

    unreachable = {"URL": "unix:///nonexistent/valkey.sock?db=0"}
    job = rendered(alice)
    with (
        override_settings(RQ_QUEUES={"video": unreachable, "default": unreachable}),
        django_capture_on_commit_callbacks(execute=True),
    ):
        post = post_publish(user=alice, job_id=job.pk)  # published; fingerprint not queued
    assert django_rq.get_queue("default").count == 0
    call_command("requeue_stuck")
    assert "fingerprints queued 1" in capsys.readouterr().out
    _run_default_jobs()
    post.refresh_from_db()
    assert len(post.keyframe_hashes) == 4
