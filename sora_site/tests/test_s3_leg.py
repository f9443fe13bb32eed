"""Media on a real S3 API: moto's server, a separate process speaking HTTP on loopback.

A clip renders through the real service, queue and worker into the bucket; the page's signed link
plays it (an HTTP GET to the server returns the stored bytes); a takedown and a deleted account
remove their objects from the bucket; the data export carries the videos read back from it.

These run in CI's S3 leg (``bash .ci/run s3``), which starts the server and sets
``SORA_STORAGE=s3``; anywhere else they are skipped.
"""

from __future__ import annotations

import io
import json
import re
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import django_rq
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from rq import SimpleWorker

from accounts.models import User
from accounts.services.deletion import account_delete
from conftest import PASSWORD
from feed.services.posts import post_publish
from generation.models import GenerationJob
from safety.services.reports import moderation_remove_video

S3_OPTIONS: dict[str, Any] = settings.STORAGES["default"].get("OPTIONS", {})
pytestmark = [
    pytest.mark.skipif(
        settings.SORA_STORAGE != "s3" or not S3_OPTIONS.get("endpoint_url"),
        reason="needs a local S3 API: `bash .ci/run s3` starts one",
    ),
    pytest.mark.django_db,
]


@pytest.fixture
def bucket() -> Iterator[Any]:
    """The configured bucket, read with boto3 as an operator would, emptied before each test."""
    resource = boto3.resource(
        "s3",
        endpoint_url=S3_OPTIONS["endpoint_url"],
        region_name=S3_OPTIONS["region_name"],
        aws_access_key_id=S3_OPTIONS["access_key"],
        aws_secret_access_key=S3_OPTIONS["secret_key"],
    )
    found = resource.Bucket(S3_OPTIONS["bucket_name"])
    found.objects.all().delete()
    yield found
    found.objects.all().delete()


def _keys(bucket: Any) -> set[str]:
    return {obj.key for obj in bucket.objects.all()}


def _stored(bucket: Any, key: str) -> bytes:
    return bucket.Object(key).get()["Body"].read()


def _login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _video_src(html: str) -> str:
    match = re.search(r'<video [^>]*src="([^"]+)"', html)
    assert match, "no video on the page"
    return unescape(match.group(1))


def _fetch(url: str) -> tuple[int, bytes]:
    """What a browser gets for the link: straight from the S3 server, no site in between."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _run_default_jobs() -> None:
    queue = django_rq.get_queue("default")
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


def _files(job: GenerationJob) -> set[str]:
    return {job.video.name, job.poster.name}


def test_a_clip_renders_into_the_bucket_and_plays_through_its_signed_links(
    alice: User, rendered: Any, bucket: Any
) -> None:
    job = rendered(alice, "a lighthouse on a cliff at dawn")
    assert _keys(bucket) == _files(job)
    video = _stored(bucket, job.video.name)
    assert video[4:8] == b"ftyp" and len(video) > 10_000
    assert _stored(bucket, job.poster.name)[:2] == b"\xff\xd8"

    draft_src = _video_src(_login(alice).get(reverse("generation:job", args=[job.pk])).text)
    assert draft_src.startswith(S3_OPTIONS["endpoint_url"])
    assert parse_qs(urlsplit(draft_src).query)["X-Amz-Expires"] == ["300"]
    assert _fetch(draft_src) == (200, video)

    post = post_publish(user=alice, job_id=job.pk, caption="first light")
    post_src = _video_src(Client().get(reverse("feed:post", args=[post.pk])).text)
    assert parse_qs(urlsplit(post_src).query)["X-Amz-Expires"] == ["3600"]
    assert _fetch(post_src) == (200, video)


def test_a_takedown_removes_the_video_and_poster_from_the_bucket(
    alice: User, bob: User, moderator: User, rendered: Any, bucket: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    job = rendered(alice, "a red kite over green hills")
    kept = rendered(bob, "a paper boat in the rain")
    post = post_publish(user=alice, job_id=job.pk)
    link = _video_src(Client().get(reverse("feed:post", args=[post.pk])).text)
    assert _fetch(link)[0] == 200

    with django_capture_on_commit_callbacks(execute=True):
        moderation_remove_video(moderator=moderator, job_id=job.pk, reason="Spam.")
    _run_default_jobs()

    assert _keys(bucket) == _files(kept)
    assert _fetch(link)[0] == 404  # the link a viewer already had now finds nothing
    assert Client().get(reverse("feed:post", args=[post.pk])).status_code == 404
    job.refresh_from_db()
    assert not job.video and not job.poster


def test_deleting_an_account_removes_its_files_from_the_bucket_and_keeps_others(
    alice: User, bob: User, rendered: Any, bucket: Any, django_capture_on_commit_callbacks: Any
) -> None:
    published = rendered(alice, "a lighthouse in a storm")
    post_publish(user=alice, job_id=published.pk)
    draft = rendered(alice, "a fox in the snow", seed=7)
    kept = rendered(bob, "a sailing boat at noon")
    assert _keys(bucket) == _files(published) | _files(draft) | _files(kept)

    with django_capture_on_commit_callbacks(execute=True):
        deletion = account_delete(user=alice, password=PASSWORD)

    assert deletion.files_deleted == 4
    assert _keys(bucket) == _files(kept)
    assert not User.objects.filter(username="alice").exists()


def test_the_data_export_carries_the_videos_read_back_from_the_bucket(
    alice: User, rendered: Any, bucket: Any
) -> None:
    job = rendered(alice, "a hot air balloon over a valley")
    post_publish(user=alice, job_id=job.pk)

    response = _login(alice).get(reverse("accounts:data_export"))

    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    [video] = json.loads(archive.read("videos.json"))
    assert archive.read(video["video_file"]) == _stored(bucket, job.video.name)
    assert archive.read(video["poster_file"]) == _stored(bucket, job.poster.name)
    assert json.loads(archive.read("files.json"))["unreadable"] == []
