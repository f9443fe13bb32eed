"""The post-render scan: identity scores for cameos, and the likeness guard that holds videos.

The only real face here is ``skimage.data.astronaut()`` (a public-domain NASA portrait), standing
in for alice. The built-in renderer draws only the faces it is handed, so a video "with alice's
face but without her consent" is made the way an impersonator would have to: bob puts in dave's
cameo, whose picture is actually alice's face.
"""

from __future__ import annotations

import functools
import io
import time
from typing import Any

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from accounts.models import Notification, User
from cameo.services.consent import cameo_mark_verified, cameo_settings_update
from conftest import make_user
from feed.models import Post
from feed.services.posts import post_publish
from generation.models import GenerationJob
from safety import likeness
from safety.models import LikenessMatch, VideoScan
from safety.services import scan

ELSEWHERE = [0.02 * i for i in range(128)]  # an embedding far from every real face


@functools.cache
def _astronaut() -> tuple[bytes, list[float]]:
    """A 256 x 256 JPEG thumbnail of the astronaut and her embedding, as verification makes."""
    from PIL import Image
    from skimage import data

    from cameo import faces

    crop = data.astronaut()[10:310, 80:380]
    selfie = np.asarray(Image.fromarray(crop).resize((480, 480), Image.Resampling.BICUBIC))
    face = faces.find_faces(selfie)[0]
    out = io.BytesIO()
    Image.fromarray(faces.face_crop(selfie, face)).save(out, format="JPEG", quality=92)
    return out.getvalue(), [float(x) for x in face.embedding]


def _alice_cameo(alice: User, **settings_: Any) -> Any:
    thumbnail, embedding = _astronaut()
    cameo_mark_verified(owner=alice, display_name="Alice", embedding=embedding, thumbnail=thumbnail)
    return cameo_settings_update(owner=alice, **settings_)


def _impostor_cameo(owner: User) -> Any:
    """A cameo whose picture is alice's face but whose verified likeness is someone else's."""
    cameo_mark_verified(
        owner=owner, display_name=owner.username, embedding=ELSEWHERE, thumbnail=_astronaut()[0]
    )
    return cameo_settings_update(owner=owner, permission="everyone")


def _page(client: Client, user: User, job: GenerationJob) -> str:
    client.force_login(user)
    return client.get(reverse("generation:job", args=[job.pk])).content.decode()


@pytest.mark.parametrize("aspect", ["9:16", "16:9"])
def test_a_video_made_with_alices_cameo_records_that_her_face_came_through(
    client: Client, alice: User, rendered: Any, aspect: str
) -> None:
    _alice_cameo(alice)
    job = rendered(alice, "@alice dancing on the beach at sunset", aspect=aspect)
    use = job.cameo_uses.get()
    assert use.identity_distance is not None and use.identity_distance < 0.6
    assert job.scan.outcome == "passed" and job.scan.faces_found >= 1
    assert job.held_at is None
    page = _page(client, alice, job)
    assert f"face recognised (distance {use.identity_distance:.2f})" in page
    assert "Publish" in page
    assert post_publish(user=alice, job_id=job.pk)


def test_a_video_showing_alice_without_her_consent_is_held(
    client: Client, alice: User, bob: User, rendered: Any
) -> None:
    _alice_cameo(alice)
    dave = make_user("dave")
    _impostor_cameo(dave)
    job = rendered(bob, "@dave dancing on the beach at sunset")

    assert job.held_at is not None and job.held_reason == scan.HOLD_REASON
    match = LikenessMatch.objects.get()
    assert match.cameo_owner == alice and match.distance < likeness.LIKENESS_DISTANCE
    assert job.scan.outcome == "held"

    with pytest.raises(ValidationError) as excinfo:
        post_publish(user=bob, job_id=job.pk)
    assert excinfo.value.messages == [scan.HOLD_REASON]

    page = _page(client, bob, job)
    assert "This video is held for review: a face in it looks like someone who protects" in page
    assert ">Publish</button>" not in page

    note = Notification.objects.get(recipient=alice, kind="likeness_held")
    assert "A video by @bob looks like it shows you" in note.text
    assert note.url == "/cameo/videos/"
    client.force_login(alice)
    listing = client.get(note.url).content.decode()
    assert 'data-testid="holds"' in listing and "by @bob" in listing
    assert client.get(job.video.url).status_code == 200
    client.force_login(make_user("erin"))
    assert client.get(job.video.url).status_code == 404


def test_a_held_video_cannot_be_published_through_the_page(
    client: Client, alice: User, bob: User, rendered: Any
) -> None:
    _alice_cameo(alice)
    _impostor_cameo(make_user("dave"))
    job = rendered(bob, "@dave juggling in the park")
    client.force_login(bob)
    response = client.post(reverse("feed:publish", args=[job.pk]))
    page = response.content.decode()
    assert response.status_code == 400 and 'data-testid="publish-error"' in page  # its job page
    assert "It stays a draft and can&#x27;t be published." in page
    assert not Post.objects.exists()


def test_no_hold_when_the_owner_turned_likeness_protection_off(
    alice: User, bob: User, rendered: Any
) -> None:
    _alice_cameo(alice, protect_likeness=False)
    _impostor_cameo(make_user("dave"))
    job = rendered(bob, "@dave dancing on the beach at sunset")
    assert job.held_at is None and job.scan.outcome == "passed"
    assert job.scan.faces_found >= 1
    assert not LikenessMatch.objects.exists()
    assert not Notification.objects.filter(recipient=alice, kind="likeness_held").exists()
    assert post_publish(user=bob, job_id=job.pk)


def test_a_video_with_no_faces_passes_with_none_found(alice: User, rendered: Any) -> None:
    _alice_cameo(alice)  # protected, but not in the video
    job = rendered(alice, "a dog running on the beach at sunset", duration_s=4)
    result = VideoScan.objects.get(job=job)
    assert (result.outcome, result.frames_scanned, result.faces_found) == ("passed", 4, 0)
    assert result.protected_cameos == 1 and result.seconds > 0
    assert job.held_at is None


def test_cameo_instructions_reach_the_renderer_but_not_the_stored_prompt(
    alice: User, rendered: Any
) -> None:
    _alice_cameo(alice, instructions="always in my red jacket")
    job = rendered(alice, "@alice on the moon.")
    assert job.prompt == "@alice on the moon."
    assert job.plan["prompt with cameo instructions"] == (
        "@alice on the moon. @alice: always in my red jacket"
    )


def test_the_guard_compares_thousands_of_cameos_in_one_matrix_and_keeps_consented_ones() -> None:
    rng = np.random.default_rng(1)
    crowd = rng.normal(size=(5000, 128)).astype(np.float32)
    crowd /= np.linalg.norm(crowd, axis=1, keepdims=True) * 2
    alice = np.full(128, 0.05, dtype=np.float32)
    lookalike = alice.copy()
    lookalike[0] += 0.5  # 0.5 from alice: a match on its own, but alice is closer to her face
    crowd[0], crowd[1] = alice, lookalike
    ids = np.arange(1, 5001, dtype=np.int64)
    protected = likeness.Likenesses(cameo_ids=ids, owner_ids=ids + 100, matrix=crowd)
    seen = [likeness.FaceSighting(frame=12, box=(0, 0, 1, 1), embedding=alice + 0.01)]
    faces = np.stack([s.embedding for s in seen])
    nobody = likeness.Likenesses.from_rows([])

    started = time.monotonic()
    matches = likeness.likeness_matches(seen, faces, protected, nobody)
    assert time.monotonic() - started < 0.5
    assert [(m.cameo_id, m.owner_id, m.frame) for m in matches] == [(1, 101, 12), (2, 102, 12)]

    consented = likeness.Likenesses.from_rows([(1, 101, alice.tolist())])
    assert likeness.likeness_matches(seen, faces, protected, consented) == []


def test_the_timing_helper_scans_one_frame_a_second_of_a_real_clip() -> None:
    from PIL import Image

    from generation.pipeline.base import CameoImage, VideoRequest
    from generation.pipeline.builtin import BuiltinBackend

    picture = np.asarray(Image.open(io.BytesIO(_astronaut()[0])).convert("RGB"))
    request = VideoRequest(
        prompt="a person dancing on the beach", seed=3, duration_s=4,
        cameos=(CameoImage("Alice", picture),),
    )  # fmt: skip
    clip = BuiltinBackend().generate(
        request, on_progress=lambda *_: None, should_cancel=lambda: False
    )
    timing = scan.time_scan(clip.frames, clip.fps, protected_cameos=1000)
    assert (timing.frames_scanned, timing.faces_found, timing.protected_cameos) == (4, 4, 1000)
    assert 0 < timing.compare_seconds < timing.seconds


def test_moderators_can_read_a_held_scan_in_admin_but_not_change_it(
    client: Client, alice: User, bob: User, moderator: User, submit: Any
) -> None:
    cameo = _alice_cameo(alice)
    job = submit(bob, "a walk in the park")
    result = scan.ScanResult(
        frames_scanned=4, faces_found=1, seconds=0.8, protected_cameos=1, identity={},
        matches=[likeness.Match(cameo_id=cameo.pk, owner_id=alice.pk, distance=0.31, frame=12)],
    )  # fmt: skip
    held = scan.video_scan_record(job=job, result=result)
    client.force_login(moderator)
    page = client.get(reverse("admin:safety_videoscan_change", args=[held.pk])).content.decode()
    assert "Held for review" in page and "alice" in page and "0.31" in page
    assert 'name="_save"' not in page
    listing = client.get(reverse("admin:safety_likenessmatch_changelist"))
    assert listing.status_code == 200 and "alice" in listing.content.decode()
