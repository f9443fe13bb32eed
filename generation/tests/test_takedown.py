"""Takedowns through the real queue and renderer: a video taken down while it waits or renders is
never stored, and every path that takes a video down (moderation, consent, blocks, deleted
accounts) stops renders and deletes files the same way."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import django_rq
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rq import SimpleWorker

from accounts.models import Notification, User
from accounts.services.blocks import block_create
from accounts.services.deletion import account_delete
from cameo.services.consent import (
    cameo_grant_decide,
    cameo_grant_request,
    cameo_grant_revoke,
    cameo_mark_verified,
    cameo_settings_update,
)
from conftest import PASSWORD
from feed.services.posts import post_publish
from generation.models import GenerationJob
from generation.pipeline import get_backend
from generation.services.takedown import generation_takedown
from safety.models import ModerationAction
from safety.services import console
from safety.services.reports import moderation_remove_video

EMBEDDING = [0.02 * i for i in range(128)]


def _media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _video_files() -> list[Path]:
    return [p for p in _media_files() if p.parent.name in {"videos", "posters"}]


def _run_default_jobs() -> None:
    queue = django_rq.get_queue("default")
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


def _video_queue() -> list[str]:
    return django_rq.get_queue("video").job_ids


def _cameo_for(owner: User, person: User) -> Any:
    """``owner``'s verified cameo, which ``person`` may use."""
    cameo_mark_verified(owner=owner, display_name=owner.username, embedding=EMBEDDING)
    cameo = cameo_settings_update(owner=owner, permission="approved")
    grant = cameo_grant_request(requester=person, cameo_id=cameo.pk)
    return cameo_grant_decide(owner=owner, grant_id=grant.pk, approve=True)


def _job_page(user: User, job: GenerationJob) -> str:
    client = Client()
    client.force_login(user)
    return client.get(reverse("generation:job", args=[job.pk])).content.decode()


class _DuringRender:
    """The real backend, with ``action`` run once from its progress callback after the first
    frame batch, while the job is rendering."""

    name = "builtin"

    def __init__(self, action: Callable[[], None]) -> None:
        self.action, self.done = action, False

    def generate(self, request: Any, *, on_progress: Any, should_cancel: Any) -> Any:
        def progress(fraction: float, stage: str = "") -> None:
            on_progress(fraction, stage)
            if fraction > 0 and not self.done:
                self.done = True
                self.action()

        return get_backend().generate(request, on_progress=progress, should_cancel=should_cancel)


# --- The worker ---------------------------------------------------------------------------------


def test_it_never_renders_a_video_a_moderator_removed_while_it_was_queued(
    alice: User,
    moderator: User,
    submit: Any,
    run_video_jobs: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    job = submit(alice, "a lighthouse in a storm")
    assert _video_queue() == [job.rq_job_id]
    with django_capture_on_commit_callbacks(execute=True):
        moderation_remove_video(moderator=moderator, job_id=job.pk, reason="Spam.")
    assert _video_queue() == []
    run_video_jobs()
    job.refresh_from_db()
    assert (job.status, job.stage) == ("cancelled", "Taken down")
    assert job.started_at is None and job.attempts == 0 and not job.video
    assert _media_files() == []
    page = _job_page(alice, job)
    assert "This video was taken down. Removed by a moderator: Spam." in page
    notice = Notification.objects.get(recipient=alice, kind="taken_down")
    assert notice.text == "A moderator removed one of your videos: Spam."
    assert ModerationAction.objects.get().kind == "remove"


def test_it_does_not_claim_a_queued_job_that_is_marked_down(
    alice: User, submit: Any, run_video_jobs: Any
) -> None:
    job = submit(alice, "a lighthouse in a storm")
    # A row marked down by an older release, or by hand, still on the queue.
    GenerationJob.objects.filter(pk=job.pk).update(
        taken_down_at=timezone.now(), takedown_reason="Removed by a moderator: Spam."
    )
    run_video_jobs()
    job.refresh_from_db()
    assert (job.status, job.stage) == ("cancelled", "Taken down")
    assert job.attempts == 0 and not job.video
    assert _media_files() == []


def test_it_stops_a_render_a_moderator_removes_midway_and_stores_nothing(
    alice: User,
    moderator: User,
    submit: Any,
    run_video_jobs: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    job = submit(alice, "a lighthouse in a storm", duration_s=8)
    backend = _DuringRender(
        lambda: moderation_remove_video(moderator=moderator, job_id=job.pk, reason="Spam.")
    )
    monkeypatch.setattr("generation.pipeline.get_backend", lambda: backend)
    run_video_jobs()
    job.refresh_from_db()
    assert backend.done
    assert (job.status, job.stage) == ("cancelled", "Taken down")
    assert job.progress < 78 and not job.video and not job.poster
    assert _media_files() == []
    assert "This video was taken down. Removed by a moderator: Spam." in _job_page(alice, job)


def test_it_stores_nothing_when_the_takedown_lands_after_the_last_frame(
    alice: User, submit: Any, run_video_jobs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generation.pipeline import provenance

    job = submit(alice, "a lighthouse in a storm")
    real_sign = provenance.sign_mp4

    def sign_then_taken_down(*args: Any, **kwargs: Any) -> Any:
        # Marked down without a cancel request, just before the files would be stored.
        GenerationJob.objects.filter(pk=job.pk).update(
            taken_down_at=timezone.now(), takedown_reason="Removed by a moderator: Spam."
        )
        return real_sign(*args, **kwargs)

    monkeypatch.setattr(provenance, "sign_mp4", sign_then_taken_down)
    run_video_jobs()
    job.refresh_from_db()
    assert (job.status, job.stage) == ("cancelled", "Taken down")
    assert not job.video
    assert _media_files() == []


def test_it_deletes_files_stored_by_a_render_that_was_taken_down_as_it_finished(
    alice: User, submit: Any, run_video_jobs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import safety.services.scan

    job = submit(alice, "a lighthouse in a storm")
    real_record = safety.services.scan.video_scan_record

    def record_then_taken_down(**kwargs: Any) -> Any:
        # The takedown commits in the instant between the worker's store and its last check.
        GenerationJob.objects.filter(pk=job.pk).update(
            taken_down_at=timezone.now(), takedown_reason="Removed by a moderator: Spam."
        )
        return real_record(**kwargs)

    monkeypatch.setattr(safety.services.scan, "video_scan_record", record_then_taken_down)
    run_video_jobs()
    job.refresh_from_db()
    assert job.taken_down_at is not None
    assert not job.video and not job.poster
    assert _video_files() == []


def test_taking_down_a_queued_job_lets_the_creators_waiting_job_start(
    alice: User,
    moderator: User,
    submit: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    first, second, third = (submit(alice, f"scene {n}") for n in range(3))
    assert third.status == "pending"
    with django_capture_on_commit_callbacks(execute=True):
        moderation_remove_video(moderator=moderator, job_id=first.pk, reason="Spam.")
    third.refresh_from_db()
    assert third.status == "queued"
    assert _video_queue() == [second.rq_job_id, third.rq_job_id]


def test_taking_down_a_video_twice_changes_nothing_the_second_time(
    alice: User, rendered: Any
) -> None:
    job = rendered(alice, "a lighthouse in a storm")
    first = generation_takedown(job_ids=[job.pk], reason="First reason.", notice="First.")
    again = generation_takedown(job_ids=[job.pk], reason="Second reason.", notice="Second.")
    job.refresh_from_db()
    assert first.job_ids == [job.pk] and again.job_ids == []
    assert job.takedown_reason == "First reason."
    assert list(Notification.objects.filter(kind="taken_down").values_list("text", flat=True)) == [
        "First."
    ]


# --- Every path goes through the same takedown --------------------------------------------------


def test_a_moderator_removing_a_published_video_takes_it_off_the_feed_and_deletes_its_files(
    alice: User, moderator: User, rendered: Any, django_capture_on_commit_callbacks: Any
) -> None:
    job = rendered(alice, "a lighthouse in a storm")
    post = post_publish(user=alice, job_id=job.pk)
    assert len(_video_files()) == 2
    with django_capture_on_commit_callbacks(execute=True):
        moderation_remove_video(moderator=moderator, job_id=job.pk, reason="Spam.")
    assert Client().get(reverse("feed:post", args=[post.pk])).status_code == 404
    _run_default_jobs()
    job.refresh_from_db()
    assert job.status == "succeeded" and not job.video
    assert _video_files() == []


def test_revoking_a_grant_while_the_video_is_queued_stops_it_before_it_renders(
    alice: User,
    bob: User,
    submit: Any,
    run_video_jobs: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    grant = _cameo_for(alice, bob)
    job = submit(bob, "@alice flying a kite")
    with django_capture_on_commit_callbacks(execute=True):
        receipt = cameo_grant_revoke(owner=alice, grant_id=grant.pk)
    assert receipt.videos == 1
    assert _video_queue() == []
    run_video_jobs()
    job.refresh_from_db()
    assert (job.status, job.stage) == ("cancelled", "Taken down")
    assert _video_files() == []
    page = _job_page(bob, job)
    assert "This video was taken down. @alice withdrew permission to use their cameo." in page


def test_revoking_a_grant_while_the_video_renders_leaves_no_file(
    alice: User, bob: User, submit: Any, run_video_jobs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    grant = _cameo_for(alice, bob)
    job = submit(bob, "@alice flying a kite", duration_s=8)
    backend = _DuringRender(lambda: cameo_grant_revoke(owner=alice, grant_id=grant.pk))
    monkeypatch.setattr("generation.pipeline.get_backend", lambda: backend)
    run_video_jobs()
    job.refresh_from_db()
    assert backend.done
    assert (job.status, job.stage) == ("cancelled", "Taken down")
    assert not job.video and _video_files() == []


def test_a_block_takes_down_a_finished_video_and_deletes_its_files(
    alice: User, bob: User, rendered: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _cameo_for(alice, bob)
    job = rendered(bob, "@alice flying a kite")
    assert len(_video_files()) == 2
    with django_capture_on_commit_callbacks(execute=True):
        block_create(blocker=alice, blocked=bob)
    _run_default_jobs()
    job.refresh_from_db()
    assert job.taken_down_at is not None and job.takedown_reason == "One of you blocked the other."
    assert not job.video and _video_files() == []
    assert Notification.objects.filter(recipient=bob, kind="cameo_takedown").count() == 1


def test_a_block_stops_a_render_in_progress(
    alice: User, bob: User, submit: Any, run_video_jobs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _cameo_for(alice, bob)
    job = submit(bob, "@alice flying a kite", duration_s=8)
    backend = _DuringRender(lambda: block_create(blocker=bob, blocked=alice))
    monkeypatch.setattr("generation.pipeline.get_backend", lambda: backend)
    run_video_jobs()
    job.refresh_from_db()
    assert backend.done
    assert (job.status, job.stage) == ("cancelled", "Taken down")
    assert _video_files() == []


def test_deleting_an_account_takes_its_queued_videos_off_the_queue(
    alice: User, submit: Any, run_video_jobs: Any, django_capture_on_commit_callbacks: Any
) -> None:
    job = submit(alice, "a lighthouse in a storm")
    with django_capture_on_commit_callbacks(execute=True):
        account_delete(user=alice, password=PASSWORD)
    assert not GenerationJob.objects.filter(pk=job.pk).exists()
    assert _video_queue() == []
    run_video_jobs()
    assert _media_files() == []


def test_deleting_an_account_mid_render_leaves_no_file(
    alice: User, submit: Any, run_video_jobs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = submit(alice, "a lighthouse in a storm", duration_s=8)
    user = User.objects.get(pk=alice.pk)
    backend = _DuringRender(lambda: account_delete(user=user, password=PASSWORD))
    monkeypatch.setattr("generation.pipeline.get_backend", lambda: backend)
    run_video_jobs()
    assert backend.done
    assert not GenerationJob.objects.filter(pk=job.pk).exists()
    assert _media_files() == []
    rq_job = django_rq.get_queue("video").fetch_job(job.rq_job_id)
    assert rq_job is not None and rq_job.get_status() == "finished"


def test_deleting_an_account_takes_down_what_others_made_with_its_cameo_and_their_files(
    alice: User, bob: User, rendered: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _cameo_for(alice, bob)
    job = rendered(bob, "@alice flying a kite")
    with django_capture_on_commit_callbacks(execute=True):
        account_delete(user=alice, password=PASSWORD)
    _run_default_jobs()
    job.refresh_from_db()
    assert job.taken_down_at is not None and "@alice deleted their cameo." in job.takedown_reason
    assert not job.video and _video_files() == []


# --- Restoring ----------------------------------------------------------------------------------


def test_a_video_removed_before_it_rendered_cannot_be_restored(
    alice: User, moderator: User, submit: Any, run_video_jobs: Any
) -> None:
    job = submit(alice, "a lighthouse in a storm")
    moderation_remove_video(moderator=moderator, job_id=job.pk, reason="Spam.")
    run_video_jobs()
    with pytest.raises(ValidationError, match="files have already been deleted"):
        console.moderation_restore_video(moderator=moderator, job_id=job.pk, reason="Fine.")
    job.refresh_from_db()
    assert job.taken_down_at is not None and job.status == "cancelled"
    assert list(ModerationAction.objects.values_list("kind", flat=True)) == ["remove"]


def test_a_finished_video_removed_by_a_moderator_can_still_be_restored(
    alice: User, moderator: User, rendered: Any
) -> None:
    job = rendered(alice, "a lighthouse in a storm")
    moderation_remove_video(moderator=moderator, job_id=job.pk, reason="Spam.")
    console.moderation_restore_video(moderator=moderator, job_id=job.pk, reason="A kite.")
    job.refresh_from_db()
    assert job.taken_down_at is None and job.status == "succeeded"
    assert not job.cancel_requested
    assert "This video was taken down" not in _job_page(alice, job)
    assert len(_video_files()) == 2
