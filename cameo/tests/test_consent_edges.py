"""Rough edges of consent, as the owner and the people using a cameo meet them on the page:
confirming a revoke, the notices a takedown sends, asking again after a revoke, publishing a
video that waits for approval, a private cameo on a profile, and receipts after a deletion."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Notification, User
from cameo.models import Cameo, CameoGrant
from cameo.services.consent import (
    cameo_grant_decide,
    cameo_grant_request,
    cameo_mark_verified,
    cameo_settings_update,
)
from generation.models import GenerationJob

pytestmark = pytest.mark.django_db

EMBEDDING = [0.02 * i for i in range(128)]


def _login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _verified(owner: User, **settings_: Any) -> Cameo:
    cameo_mark_verified(owner=owner, display_name=owner.username, embedding=EMBEDDING)
    return cameo_settings_update(owner=owner, **settings_) if settings_ else owner.cameo


def _granted(owner: User, person: User) -> CameoGrant:
    cameo = _verified(owner, permission="approved")
    grant = cameo_grant_request(requester=person, cameo_id=cameo.pk)
    return cameo_grant_decide(owner=owner, grant_id=grant.pk, approve=True)


def _videos(submit: Callable[..., Any], person: User, count: int) -> list[GenerationJob]:
    return [submit(person, f"@alice juggling {n} oranges") for n in range(count)]


# --- 12: revoking asks for confirmation, with the count -----------------------------------------


def test_the_revoke_form_says_how_many_videos_come_down(
    alice: User, bob: User, submit: Callable[..., Any]
) -> None:
    grant = _granted(alice, bob)
    _videos(submit, bob, 2)
    home = _login(alice).get(reverse("cameo:home")).content.decode()
    assert "This takes down 2 videos @bob made with your cameo." in home
    assert "I understand, revoke @bob's permission" in home
    assert "This takes down 2 videos others made with your cameo." in home
    assert reverse("cameo:grant_revoke", args=[grant.pk]) in home


def test_a_revoke_without_the_box_ticked_changes_nothing(
    alice: User, bob: User, submit: Callable[..., Any]
) -> None:
    grant = _granted(alice, bob)
    [job] = _videos(submit, bob, 1)
    response = _login(alice).post(reverse("cameo:grant_revoke", args=[grant.pk]), follow=True)
    page = response.content.decode()
    assert "Tick the box to confirm you want to revoke this permission." in page
    grant.refresh_from_db()
    job.refresh_from_db()
    assert grant.state == "approved" and job.taken_down_at is None


def test_a_confirmed_revoke_takes_the_videos_down(
    alice: User, bob: User, submit: Callable[..., Any]
) -> None:
    grant = _granted(alice, bob)
    jobs = _videos(submit, bob, 2)
    response = _login(alice).post(
        reverse("cameo:grant_revoke", args=[grant.pk]), {"confirm": "revoke"}, follow=True
    )
    assert "Permission revoked. 2 videos taken down at" in response.content.decode()
    assert all(GenerationJob.objects.get(pk=j.pk).taken_down_at for j in jobs)


def test_revoking_by_get_is_refused(alice: User, bob: User) -> None:
    grant = _granted(alice, bob)
    response = _login(alice).get(reverse("cameo:grant_revoke", args=[grant.pk]))
    assert response.status_code == 405
    grant.refresh_from_db()
    assert grant.state == "approved"


def test_a_stranger_cannot_revoke_someone_else_s_grant(
    alice: User, bob: User, charlie: User
) -> None:
    grant = _granted(alice, bob)
    url = reverse("cameo:grant_revoke", args=[grant.pk])
    assert _login(charlie).post(url, {"confirm": "revoke"}).status_code == 404
    assert _login(bob).post(url, {"confirm": "revoke"}).status_code == 404
    assert "/login/" in Client().post(url, {"confirm": "revoke"})["Location"]
    grant.refresh_from_db()
    assert grant.state == "approved"


def test_with_nothing_up_the_revoke_form_says_so(alice: User, bob: User) -> None:
    _granted(alice, bob)
    home = _login(alice).get(reverse("cameo:home")).content.decode()
    assert "@bob has no videos up with your cameo, so none are taken down." in home
    assert "Nobody else has a video up with your cameo, so none are taken down." in home
    assert not Notification.objects.filter(recipient=bob, kind="cameo_takedown").exists()


# --- 13: one notice per takedown, with the count, filed under Cameo ----------------------------


def test_a_revoke_sends_one_notice_with_the_count_under_cameo(
    alice: User, bob: User, submit: Callable[..., Any]
) -> None:
    from cameo.services.consent import cameo_grant_revoke

    grant = _granted(alice, bob)
    _videos(submit, bob, 3)
    cameo_grant_revoke(owner=alice, grant_id=grant.pk)
    [notice] = Notification.objects.filter(recipient=bob).exclude(kind="grant_approved")
    assert notice.kind == "cameo_takedown"
    assert notice.text == (
        "3 of your videos were taken down. @alice withdrew permission to use their cameo."
    )
    assert notice.url == reverse("generation:drafts")
    cameo_page = _login(bob).get(reverse("accounts:notifications"), {"show": "cameo"})
    assert '<span class="chip">Cameo</span> <a href="/create/drafts/">3 of your videos' in (
        cameo_page.content.decode()
    )
    moderation = _login(bob).get(reverse("accounts:notifications"), {"show": "moderation"})
    assert "taken down" not in moderation.content.decode()


def test_deleting_a_cameo_tells_each_creator_once(
    alice: User, bob: User, charlie: User, submit: Callable[..., Any]
) -> None:
    from cameo.services.consent import cameo_delete

    _verified(alice, permission="everyone")
    _videos(submit, bob, 2)
    [charlie_job] = _videos(submit, charlie, 1)
    cameo_delete(owner=alice)
    notices = Notification.objects.filter(kind="cameo_takedown").order_by("recipient__username")
    assert [(n.recipient.username, n.text, n.url) for n in notices] == [
        ("bob", "2 of your videos were taken down. @alice deleted their cameo.",
         reverse("generation:drafts")),
        ("charlie", "One of your videos was taken down. @alice deleted their cameo.",
         reverse("generation:job", args=[charlie_job.pk])),
    ]  # fmt: skip
    assert not Notification.objects.filter(kind="taken_down").exists()


# --- 10: after a revoke, say what is true; ask again after 30 days -----------------------------


def _revoked(alice: User, bob: User) -> CameoGrant:
    from cameo.services.consent import cameo_grant_revoke

    grant = _granted(alice, bob)
    cameo_grant_revoke(owner=alice, grant_id=grant.pk)
    grant.refresh_from_db()
    return grant


def _ask_again_date(grant: CameoGrant) -> str:
    from django.utils import timezone
    from django.utils.formats import date_format

    return date_format(timezone.localtime(grant.decided_at + dt.timedelta(days=30)), "j F Y")


def _days_pass(grant: CameoGrant, days: int) -> None:
    """Move the owner's decision back, as if ``days`` had passed since."""
    grant.refresh_from_db()
    CameoGrant.objects.filter(pk=grant.pk).update(
        decided_at=grant.decided_at - dt.timedelta(days=days)
    )


def test_after_a_revoke_the_prompt_says_permission_was_withdrawn(alice: User, bob: User) -> None:
    grant = _revoked(alice, bob)
    response = _login(bob).post(
        reverse("generation:create"),
        {"prompt": "@alice on a swing", "duration_s": "4", "aspect": "9:16"},
    )
    page = response.content.decode()
    assert "@alice has withdrawn permission. You can ask again from " in page
    assert _ask_again_date(grant) in page
    assert "Ask to use it first" not in page
    assert not GenerationJob.objects.exists()


def test_after_a_revoke_the_profile_says_so_and_offers_no_button(alice: User, bob: User) -> None:
    grant = _revoked(alice, bob)
    client = _login(bob)
    profile = client.get(reverse("profile", args=["alice"])).content.decode()
    assert (
        f"@alice has withdrawn permission. You can ask again from {_ask_again_date(grant)}."
        in profile
    )
    assert "Ask to use @alice" not in profile
    asked = client.post(reverse("cameo:ask", args=["alice"]), follow=True).content.decode()
    assert "@alice has withdrawn permission. You can ask again from" in asked
    grant.refresh_from_db()
    assert grant.state == "revoked"


def test_thirty_days_after_a_revoke_the_person_may_ask_again(alice: User, bob: User) -> None:
    grant = _revoked(alice, bob)
    _days_pass(grant, 29)
    assert _ask_refused(bob, alice)
    _days_pass(grant, 1)
    client = _login(bob)
    profile = client.get(reverse("profile", args=["alice"])).content.decode()
    assert "Ask to use @alice's cameo" in profile
    prompt = client.post(
        reverse("generation:create"),
        {"prompt": "@alice on a swing", "duration_s": "4", "aspect": "9:16"},
    ).content.decode()
    assert "@alice has withdrawn permission. You can ask again on their profile." in prompt
    client.post(reverse("cameo:ask", args=["alice"]))
    grant.refresh_from_db()
    assert grant.state == "requested"
    assert Notification.objects.filter(recipient=alice, kind="cameo_request").count() == 2


def _ask_refused(person: User, owner: User) -> bool:
    """Whether asking now is refused for the cooling-off, writing nothing."""
    from django.core.exceptions import ValidationError

    try:
        cameo_grant_request(requester=person, cameo_id=owner.cameo.pk)
    except ValidationError as exc:
        return "You can ask again from" in exc.messages[0]
    return False


def test_a_declined_request_waits_the_same_thirty_days(alice: User, bob: User) -> None:
    cameo = _verified(alice, permission="approved")
    grant = cameo_grant_request(requester=bob, cameo_id=cameo.pk)
    grant = cameo_grant_decide(owner=alice, grant_id=grant.pk, approve=False)
    profile = _login(bob).get(reverse("profile", args=["alice"])).content.decode()
    sentence = (
        f"@alice said no to using their cameo. You can ask again from {_ask_again_date(grant)}."
    )
    assert sentence in profile
    _days_pass(grant, 30)
    assert cameo_grant_request(requester=bob, cameo_id=cameo.pk).state == "requested"


# --- 15: an "only me" cameo on its owner's profile ----------------------------------------------


def test_a_private_cameo_says_so_on_the_owner_s_profile(alice: User, bob: User) -> None:
    _verified(alice)  # "only me" is where a cameo starts
    profile = _login(bob).get(reverse("profile", args=["alice"])).content.decode()
    assert '<p class="muted" data-testid="cameo-note">@alice&#x27;s cameo is private.</p>' in (
        profile
    )
    assert "Ask to use @alice" not in profile


# --- 11: a video waiting for the owner's approval -----------------------------------------------


def _finished(job: GenerationJob) -> GenerationJob:
    """Give a job finished files without rendering it (generation's own tests render)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    name = f"{job.public_id}-done"
    video = default_storage.save(f"videos/{name}.mp4", ContentFile(b"\x00\x00\x00\x18ftypmp42"))
    poster = default_storage.save(f"posters/{name}.jpg", ContentFile(b"\xff\xd8\xff"))
    GenerationJob.objects.filter(pk=job.pk).update(
        status=GenerationJob.Status.SUCCEEDED, video=video, poster=poster, progress=100
    )
    job.refresh_from_db()
    return job


def _awaiting_draft(alice: User, bob: User, submit: Callable[..., Any]) -> GenerationJob:
    _verified(alice, permission="everyone", approve_each_video=True)
    return _finished(submit(bob, "@alice juggling in the park"))


def test_a_draft_waiting_for_approval_shows_who_it_waits_for_instead_of_publish(
    alice: User, bob: User, submit: Callable[..., Any]
) -> None:
    job = _awaiting_draft(alice, bob, submit)
    page = _login(bob).get(reverse("generation:job", args=[job.pk])).content.decode()
    assert "Waiting for @alice to approve this video. You can publish it once they have." in page
    assert ">Publish</button>" not in page
    assert 'id="caption"' in page  # the caption can be written while it waits


def test_a_refused_publish_keeps_the_caption_typed(
    alice: User, bob: User, submit: Callable[..., Any]
) -> None:
    from feed.models import Post

    job = _awaiting_draft(alice, bob, submit)
    response = _login(bob).post(
        reverse("feed:publish", args=[job.pk]), {"caption": "Our best day & more"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert 'value="Our best day &amp; more"' in page
    assert "@alice approves each video with their cameo. You can publish once they have" in page
    assert not Post.objects.exists()


def test_once_the_owner_approves_the_publish_button_comes_back(
    alice: User, bob: User, charlie: User, submit: Callable[..., Any]
) -> None:
    from cameo.services.consent import cameo_use_decide

    job = _awaiting_draft(alice, bob, submit)
    url = reverse("generation:job_publish_action", args=[job.pk])
    waiting = _login(bob).get(url).content.decode()
    assert "Waiting for @alice to approve" in waiting and "every 5s" in waiting
    cameo_use_decide(owner=alice, use_id=job.cameo_uses.get().pk, approve=True)
    ready = _login(bob).get(url).content.decode()
    assert ">Publish</button>" in ready and "hx-trigger" not in ready
    assert _login(charlie).get(url).status_code == 404
    assert "/login/" in Client().get(url)["Location"]


def test_publishing_by_get_is_refused(alice: User, bob: User, submit: Callable[..., Any]) -> None:
    job = _awaiting_draft(alice, bob, submit)
    assert _login(bob).get(reverse("feed:publish", args=[job.pk])).status_code == 405


# --- 14: after deleting the cameo: the right state, and receipts that stay ----------------------


@pytest.fixture
def verified_by_recording(monkeypatch: pytest.MonkeyPatch) -> Callable[[User], Cameo]:
    """Verify through the recording services, with the clip reader and face check stood in
    (test_cameo_pages runs them on a real clip)."""
    from types import SimpleNamespace

    import numpy as np

    from cameo import liveness
    from cameo.services.verification import cameo_verification_run, cameo_verification_start
    from cameo.synthetic import LEFT_RIGHT_UP

    crop = np.zeros((256, 256, 3), dtype=np.uint8)
    passed = SimpleNamespace(
        ok=True, reason="", mean_embedding=np.array(EMBEDDING), thumbnail=crop,
        reference_frames=[crop],
    )  # fmt: skip
    monkeypatch.setattr(liveness, "read_clip", lambda fh: SimpleNamespace(frames=[], duration_s=8))
    monkeypatch.setattr(liveness, "verify_clip", lambda *args, **kwargs: passed)

    def _verify(owner: User) -> Cameo:
        from django.core.files.uploadedfile import SimpleUploadedFile

        attempt = cameo_verification_start(
            owner=owner, display_name="Alice", challenge=LEFT_RIGHT_UP,
            clip=SimpleUploadedFile("me.mp4", b"\x00" * 64),
        )  # fmt: skip
        assert cameo_verification_run(attempt_id=attempt.pk).state == "passed"
        return Cameo.objects.get(owner=owner)

    return _verify


def test_after_deleting_the_cameo_the_page_says_it_is_deleted(
    alice: User, verified_by_recording: Callable[[User], Cameo]
) -> None:
    verified_by_recording(alice)
    client = _login(alice)
    assert "Show my cameo" in client.get(reverse("cameo:home")).content.decode()
    deleted = client.post(reverse("cameo:delete"), {"confirm": "delete"}, follow=True)
    page = deleted.content.decode()
    assert "Your cameo is deleted" in page
    assert "Its face data, reference images and thumbnail are gone" in page
    assert "Show my cameo" not in page and "<strong>Verified.</strong>" not in page
    assert f'href="{reverse("cameo:videos")}">What was taken down</a>' in page
    assert "Record your cameo" in page


def test_receipts_survive_deleting_the_cameo(
    alice: User, bob: User, charlie: User, submit: Callable[..., Any]
) -> None:
    from cameo.services.consent import cameo_delete, cameo_grant_revoke

    grant = _granted(alice, bob)
    submit(bob, "@alice on a swing at dusk")
    cameo_grant_revoke(owner=alice, grant_id=grant.pk)
    cameo_settings_update(owner=alice, permission="everyone")
    submit(charlie, "@alice feeding ducks")
    submit(charlie, "@alice at the fair")
    cameo_delete(owner=alice)

    page = _login(alice).get(reverse("cameo:videos")).content.decode()
    assert "No videos use your cameo yet." not in page
    deleted = page.split('data-testid="receipt-deleted"')[1].split("</li>\n")[0]
    assert "You deleted your cameo and its face data. 2 videos taken down." in deleted
    assert '“@alice feeding ducks” <span class="muted">by @charlie</span>' in deleted
    assert "“@alice at the fair”" in deleted
    revoked = page.split('data-testid="receipt-grant_revoked"')[1]
    assert "You withdrew @bob&#x27;s permission. 1 video taken down." in revoked
    assert '“@alice on a swing at dusk” <span class="muted">by @bob</span>' in revoked
    assert page.index("receipt-deleted") < page.index("receipt-grant_revoked")  # newest first


def test_receipts_are_the_owner_s_own(
    alice: User, bob: User, charlie: User, submit: Callable[..., Any]
) -> None:
    from cameo.services.consent import cameo_delete

    _verified(alice, permission="everyone")
    submit(bob, "@alice reading a map")
    cameo_delete(owner=alice)
    assert "reading a map" not in _login(charlie).get(reverse("cameo:videos")).content.decode()
    assert "reading a map" not in _login(bob).get(reverse("cameo:videos")).content.decode()
    assert "/login/" in Client().get(reverse("cameo:videos"))["Location"]
