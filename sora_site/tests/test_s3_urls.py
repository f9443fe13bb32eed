"""Media on S3: every URL is signed with SigV4; a draft's link is signed only for someone the
page's access check let through, and works for minutes; a published video's works for an hour.

boto3 signs URLs locally, so nothing here reaches a bucket: the jobs are rows whose files were
never uploaded, and only the links the pages hand out are checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse
from storages.backends.s3 import S3Storage

from accounts.models import User
from feed.tests.social_helpers import FinishedJobFactory, login, published
from generation.models import GenerationJob
from sora_site.tests.settings_helpers import run_with_settings

SIGNED_URLS = (
    "from django.core.files.storage import default_storage\n"
    "from sora_site.storage import published_media_url\n"
    "print(default_storage.url('videos/abc-draft.mp4'))\n"
    "print(published_media_url('videos/abc-post.mp4'))"
)
S3_ENV = {
    "SORA_STORAGE": "s3",
    "SORA_S3_BUCKET": "sora-media",
    "SORA_S3_ACCESS_KEY_ID": "AKIAEXAMPLEKEY",
    "SORA_S3_SECRET_ACCESS_KEY": "example-secret",
}


def _query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def _video_src(html: str) -> str:
    match = re.search(r'<video [^>]*src="([^"]+)"', html)
    assert match, "no video on the page"
    return unescape(match.group(1))


@pytest.fixture
def s3() -> Iterator[mock.MagicMock]:
    """The media storage on S3, as ``SORA_STORAGE=s3`` sets it up, with each signing counted."""
    storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "sora-media",
            "region_name": "eu-west-1",
            "signature_version": "s3v4",
            "querystring_expire": settings.SORA_S3_DRAFT_URL_EXPIRY,
            "access_key": "AKIAEXAMPLEKEY",
            "secret_key": "example-secret",
            "file_overwrite": False,
        },
    }
    storages = {**settings.STORAGES, "default": storage}
    with (
        override_settings(SORA_STORAGE="s3", STORAGES=storages),
        mock.patch.object(S3Storage, "url", autospec=True, side_effect=S3Storage.url) as signed,
    ):
        yield signed


def _draft(user: User) -> GenerationJob:
    return FinishedJobFactory(creator=user)


# --- What the settings configure ----------------------------------------------------------------


def test_the_configured_storage_signs_with_sigv4_even_in_us_east_1(tmp_path: Path) -> None:
    result = run_with_settings(SIGNED_URLS, {**S3_ENV, "SORA_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    draft_url, published_url = result.stdout.split()
    for url in (draft_url, published_url):
        query = _query(url)
        assert query["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
        assert query["X-Amz-Credential"].endswith("/us-east-1/s3/aws4_request")
        assert "AWSAccessKeyId" not in query  # the SigV2 form
    assert _query(draft_url)["X-Amz-Expires"] == "300"
    assert _query(published_url)["X-Amz-Expires"] == "3600"


def test_both_expiries_follow_their_variables(tmp_path: Path) -> None:
    env = {
        **S3_ENV,
        "SORA_VAR_DIR": str(tmp_path),
        "SORA_S3_REGION": "auto",
        "SORA_S3_DRAFT_URL_EXPIRY": "120",
        "SORA_S3_PUBLISHED_URL_EXPIRY": "7200",
    }
    result = run_with_settings(SIGNED_URLS, env)
    assert result.returncode == 0, result.stderr
    draft_url, published_url = result.stdout.split()
    assert _query(draft_url)["X-Amz-Expires"] == "120"
    assert _query(draft_url)["X-Amz-Credential"].endswith("/auto/s3/aws4_request")
    assert _query(published_url)["X-Amz-Expires"] == "7200"


@pytest.mark.parametrize(
    ("value", "sentence"),
    [
        ("999999", "SORA_S3_DRAFT_URL_EXPIRY must be at most 604800, not 999999."),
        ("5", "SORA_S3_DRAFT_URL_EXPIRY must be at least 30, not 5."),
        ("5m", "SORA_S3_DRAFT_URL_EXPIRY must be a whole number, not '5m'."),
    ],
)
def test_a_bad_expiry_stops_start_up_with_a_sentence(
    tmp_path: Path, value: str, sentence: str
) -> None:
    env = {**S3_ENV, "SORA_VAR_DIR": str(tmp_path), "SORA_S3_DRAFT_URL_EXPIRY": value}
    result = run_with_settings("print('started')", env)
    assert result.returncode != 0
    assert sentence in result.stderr
    assert "started" not in result.stdout


# --- Drafts -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_creator_watches_her_draft_through_a_link_that_lasts_five_minutes(
    alice: User, s3: mock.MagicMock
) -> None:
    job = _draft(alice)
    html = login(alice).get(reverse("generation:job", args=[job.pk])).content.decode()
    src = _video_src(html)
    assert urlsplit(src).path.endswith(f"/{job.video.name}")
    assert _query(src)["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    assert _query(src)["X-Amz-Expires"] == "300"
    drafts = login(alice).get(reverse("generation:drafts")).content.decode()
    poster = re.search(rf'src="([^"]*{re.escape(job.poster.name)}[^"]*)"', drafts)
    assert poster and _query(unescape(poster.group(1)))["X-Amz-Expires"] == "300"


@pytest.mark.django_db
def test_a_stranger_gets_404_before_any_draft_link_is_signed(
    alice: User, charlie: User, s3: mock.MagicMock
) -> None:
    job = _draft(alice)
    stranger = login(charlie)
    for name in ("generation:job", "generation:job_status"):
        response = stranger.get(reverse(name, args=[job.pk]))
        assert response.status_code == 404
        assert "X-Amz-" not in response.content.decode()
    assert job.video.name not in stranger.get(reverse("generation:drafts")).content.decode()
    assert s3.call_count == 0
    assert Client().get(reverse("generation:job", args=[job.pk])).status_code == 302
    assert s3.call_count == 0


# --- Published videos ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_published_video_plays_from_a_link_that_lasts_an_hour(
    client: Client, alice: User, s3: mock.MagicMock
) -> None:
    post = published(alice, "a lighthouse on a cliff at dawn")
    html = client.get(reverse("feed:post", args=[post.pk])).content.decode()
    src = _video_src(html)
    assert urlsplit(src).path.endswith(f"/{post.job.video.name}")
    assert _query(src)["X-Amz-Expires"] == "3600"
    og_video = re.search(r'<meta property="og:video" content="([^"]*)">', html)
    assert og_video and _query(unescape(og_video.group(1)))["X-Amz-Expires"] == "3600"
    feed = client.get(reverse("feed:index")).content.decode()
    card = re.search(rf'src="([^"]*{re.escape(post.job.video.name)}[^"]*)"', feed)
    assert card and _query(unescape(card.group(1)))["X-Amz-Expires"] == "3600"
