from __future__ import annotations

from typing import Any

from django.test import Client

from accounts.models import User
from feed.services.posts import post_publish


def test_a_drafts_files_go_only_to_its_creator(
    client: Client, alice: User, charlie: User, rendered: Any
) -> None:
    job = rendered(alice)
    assert client.get(job.video.url).status_code == 404  # anonymous
    client.force_login(charlie)
    assert client.get(job.video.url).status_code == 404
    assert client.get(job.poster.url).status_code == 404
    client.force_login(alice)
    response = client.get(job.video.url)
    assert response.status_code == 200 and response["Content-Type"] == "video/mp4"


def test_a_published_video_is_public_and_seeks_with_ranges(
    client: Client, alice: User, rendered: Any
) -> None:
    job = rendered(alice)
    post_publish(user=alice, job_id=job.pk)
    whole = b"".join(client.get(job.video.url).streaming_content)
    part = client.get(job.video.url, HTTP_RANGE="bytes=100-199")
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 100-199/{len(whole)}"
    assert part.content == whole[100:200]
    beyond = client.get(job.video.url, HTTP_RANGE=f"bytes={len(whole) + 5}-")
    assert beyond.status_code == 416


def test_media_paths_cannot_escape_the_media_folder(client: Client, alice: User) -> None:
    assert client.get("/media/../manage.py").status_code in (400, 404)  # refused, never served
    assert client.get("/media/videos/nothing-here.mp4").status_code == 404


def test_a_path_climbing_out_of_media_is_a_quiet_404(client: Client, caplog: Any) -> None:
    """Probes for ../ are common; each one used to be a 400 logged at ERROR with a traceback."""
    caplog.set_level("INFO")
    for path in ("/media/..%2f..%2fetc%2fpasswd", "/media/videos/..%2f..%2f..%2fmanage.py"):
        response = client.get(path)
        assert response.status_code == 404
        assert b"root:" not in response.content
    assert not [record for record in caplog.records if record.levelname in ("ERROR", "CRITICAL")]
