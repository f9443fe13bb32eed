"""Cameos inside the generation path: consent checked in the service, approvals, takedowns."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import django_rq
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from accounts.models import User
from cameo.models import CameoUse, ConsentEvent
from cameo.services.consent import (
    cameo_delete,
    cameo_grant_decide,
    cameo_grant_request,
    cameo_grant_revoke,
    cameo_mark_verified,
    cameo_settings_update,
    cameo_use_decide,
)
from conftest import make_user
from feed.models import Post
from feed.services.posts import post_publish
from generation.models import GenerationJob

EMBEDDING = [0.02 * i for i in range(128)]


def _cameo(owner: User, permission: str = "approved", **settings_: Any) -> Any:
    cameo_mark_verified(owner=owner, display_name=owner.username, embedding=EMBEDDING)
    return cameo_settings_update(owner=owner, permission=permission, **settings_)


def _grant(owner: User, person: User, cameo: Any) -> Any:
    grant = cameo_grant_request(requester=person, cameo_id=cameo.pk)
    return cameo_grant_decide(owner=owner, grant_id=grant.pk, approve=True)


def _run_default_jobs() -> None:
    from rq import SimpleWorker

    queue = django_rq.get_queue("default")
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


def test_a_stranger_cannot_use_a_private_cameo_and_nothing_is_written(
    alice: User, charlie: User, submit: Any
) -> None:
    cameo = _cameo(alice, "only_me")
    with pytest.raises(ValidationError) as excinfo:
        submit(charlie, "a walk in the park", cameo_ids=[cameo.pk])
    assert excinfo.value.messages == ["@alice keeps their cameo to themselves."]
    assert not GenerationJob.objects.exists() and not CameoUse.objects.exists()
    assert django_rq.get_queue("video").count == 0


def test_an_at_handle_in_the_prompt_is_checked_like_a_picked_cameo(
    alice: User, bob: User, charlie: User, submit: Any
) -> None:
    cameo = _cameo(alice)
    _grant(alice, bob, cameo)
    job = submit(bob, "@Alice and a dog surfing a wave")
    assert list(job.cameo_uses.values_list("cameo", "state")) == [(cameo.pk, "approved")]
    assert job.cameo_uses.get().grant is not None
    with pytest.raises(ValidationError, match="needs their approval"):
        submit(charlie, "@alice surfing")
    # A handle without a cameo is only text.
    assert submit(charlie, "thanks @bob for the idea").cameo_uses.count() == 0


def test_at_most_three_cameos_fit_in_one_video(
    alice: User, bob: User, charlie: User, parent: User, submit: Any
) -> None:
    people = (alice, bob, charlie, make_user("dana"))
    cameos = [_cameo(person, "everyone") for person in people]
    with pytest.raises(ValidationError, match="at most 3 cameos"):
        submit(parent, "a picnic", cameo_ids=[c.pk for c in cameos])
    assert not GenerationJob.objects.exists()


def test_a_cameo_id_that_no_longer_exists_is_refused(alice: User, bob: User, submit: Any) -> None:
    cameo = _cameo(alice, "everyone")
    cameo_id = cameo.pk
    cameo_delete(owner=alice)
    with pytest.raises(ValidationError, match="no longer exists"):
        submit(bob, "a picnic", cameo_ids=[cameo_id])
    assert not GenerationJob.objects.exists()


def test_a_remix_checks_every_cameo_again(
    alice: User, bob: User, charlie: User, rendered: Any, submit: Any
) -> None:
    cameo = _cameo(alice)
    _grant(alice, bob, cameo)
    post = post_publish(user=bob, job_id=rendered(bob, "@alice dancing").pk)
    with pytest.raises(ValidationError, match="needs their approval"):
        submit(charlie, post.job.prompt, remix_of_id=post.pk)


def test_a_video_waits_for_an_owner_who_approves_each_one(
    client: Client, alice: User, bob: User, rendered: Any
) -> None:
    cameo = _cameo(alice, "everyone", approve_each_video=True)
    job = rendered(bob, "@alice juggling in the city")
    client.force_login(bob)
    page = client.get(reverse("generation:job", args=[job.pk])).content.decode()
    assert "waiting for @alice to approve this video" in page
    response = client.post(reverse("feed:publish", args=[job.pk]), follow=True)
    assert "@alice approves each video with their cameo." in response.content.decode()
    assert not Post.objects.exists()
    cameo_use_decide(owner=alice, use_id=job.cameo_uses.get(cameo=cameo).pk, approve=True)
    assert post_publish(user=bob, job_id=job.pk).job == job


def test_an_owner_declining_a_video_takes_it_down(
    client: Client, alice: User, bob: User, rendered: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _cameo(alice, "everyone", approve_each_video=True)
    job = rendered(bob, "@alice juggling")
    with django_capture_on_commit_callbacks(execute=True):
        cameo_use_decide(owner=alice, use_id=job.cameo_uses.get().pk, approve=False)
    _run_default_jobs()
    job.refresh_from_db()
    assert job.taken_down_at is not None and not job.video
    client.force_login(bob)
    page = client.get(reverse("generation:job", args=[job.pk])).content.decode()
    assert "This video was taken down. @alice declined this video with their cameo." in page


def test_the_owners_own_videos_need_no_approval(alice: User, rendered: Any) -> None:
    _cameo(alice, "only_me", approve_each_video=True)
    job = rendered(alice, "@alice on the moon")
    assert job.cameo_uses.get().state == "approved"
    assert post_publish(user=alice, job_id=job.pk)


def test_revoking_a_grant_takes_down_drafts_and_posts_and_deletes_their_files(
    client: Client, alice: User, bob: User, rendered: Any, django_capture_on_commit_callbacks: Any
) -> None:
    cameo = _cameo(alice)
    grant = _grant(alice, bob, cameo)
    posted = rendered(bob, "@alice skating")
    post = post_publish(user=bob, job_id=posted.pk)
    draft = rendered(bob, "@alice baking bread")
    own = rendered(alice, "@alice at the lake")  # the owner's own video stays
    files = [Path(settings.MEDIA_ROOT) / j.video.name for j in (posted, draft)]
    assert all(f.exists() for f in files)
    with django_capture_on_commit_callbacks(execute=True):
        receipt = cameo_grant_revoke(owner=alice, grant_id=grant.pk)
    assert receipt.videos == 2
    assert client.get(reverse("feed:post", args=[post.pk])).status_code == 404
    assert f'data-post="{post.pk}"' not in client.get("/").content.decode()
    _run_default_jobs()
    assert not any(f.exists() for f in files)
    own.refresh_from_db()
    assert own.taken_down_at is None and own.video
    event = ConsentEvent.objects.get(action="grant_revoked")
    assert event.detail["videos_taken_down"] == 2


def test_lowering_the_level_takes_down_only_people_who_lost_access(
    alice: User, bob: User, charlie: User, rendered: Any
) -> None:
    cameo = _cameo(alice, "everyone")
    _grant(alice, bob, cameo)
    by_bob = rendered(bob, "@alice hiking")
    by_charlie = rendered(charlie, "@alice hiking too")
    cameo_settings_update(owner=alice, permission="approved")
    by_bob.refresh_from_db()
    by_charlie.refresh_from_db()
    assert by_bob.taken_down_at is None
    assert by_charlie.taken_down_at is not None
    assert "changed who may use their cameo" in by_charlie.takedown_reason


def test_deleting_a_cameo_removes_its_face_data_and_takes_down_others_videos(
    alice: User, bob: User, rendered: Any
) -> None:
    from cameo.models import Cameo

    _cameo(alice, "everyone")
    job = rendered(bob, "@alice singing")
    receipt = cameo_delete(owner=alice)
    assert receipt.videos == 1
    assert not Cameo.objects.filter(owner=alice).exists()
    job.refresh_from_db()
    assert job.taken_down_at is not None
    deleted = ConsentEvent.objects.get(action="deleted")
    assert deleted.cameo is None and deleted.cameo_owner == alice  # the audit row outlives it


def test_a_render_taken_down_mid_flight_leaves_no_file(
    alice: User, bob: User, submit: Any, run_video_jobs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generation.pipeline import get_backend

    cameo = _cameo(alice)
    grant = _grant(alice, bob, cameo)
    job = submit(bob, "@alice flying a kite", duration_s=8)

    class RevokeMidway:
        name = "builtin"

        def generate(self, request: Any, *, on_progress: Any, should_cancel: Any) -> Any:
            def progress(fraction: float, stage: str = "") -> None:
                on_progress(fraction, stage)
                if fraction > 0 and not GenerationJob.objects.get(pk=job.pk).taken_down_at:
                    cameo_grant_revoke(owner=alice, grant_id=grant.pk)

            return get_backend().generate(
                request, on_progress=progress, should_cancel=should_cancel
            )

    monkeypatch.setattr("generation.pipeline.get_backend", lambda: RevokeMidway())
    run_video_jobs()
    job.refresh_from_db()
    assert job.status == "cancelled" and not job.video
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.mp4"))


def test_the_signed_record_names_the_consent_behind_each_cameo(
    alice: User, bob: User, charlie: User, rendered: Any
) -> None:
    from django.core.files.storage import default_storage

    from generation.pipeline.provenance import read_mp4

    _grant(alice, bob, _cameo(alice))
    _cameo(charlie, "everyone")
    job = rendered(bob, "@alice and @charlie on a tandem bike")
    fields = read_mp4(default_storage.path(job.video.name)).fields
    granted = job.cameo_uses.get(cameo__owner=alice).grant.decided_at
    assert sorted(fields["cameo_grants"]) == [
        f"@alice (permission granted {granted:%Y-%m-%d})",
        "@charlie (shared with everyone)",
    ]
