"""Django admin writes go through the services: moderators and superusers read posts, jobs,
cameos, grants, uses and accounts there, and change them only with actions that call the same
services the site uses (with their audit rows and file deletion)."""

from __future__ import annotations

from typing import Any

import django_rq
import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from rq import SimpleWorker

from accounts.models import User
from accounts.selectors.people import notifications_in_group
from cameo.models import CameoGrant, CameoUse
from cameo.services.consent import (
    cameo_grant_decide,
    cameo_grant_request,
    cameo_mark_verified,
    cameo_settings_update,
)
from conftest import make_user
from feed.models import Like, Post
from feed.services.posts import like_toggle, post_publish
from generation.models import GenerationJob
from safety.models import ModerationAction
from safety.services.reports import moderation_suspend

EMBEDDING = [0.02 * i for i in range(128)]


def _login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _superuser() -> User:
    root = make_user("root")
    root.is_staff = root.is_superuser = True
    root.save(update_fields=["is_staff", "is_superuser"])
    return root


def _act(client: Client, model: str, action: str, pks: list[int], reason: str) -> Any:
    data = {"action": action, "_selected_action": pks, "reason": reason, "index": 0}
    return client.post(reverse(f"admin:{model}_changelist"), data, follow=True)


def _run_default_jobs() -> None:
    queue = django_rq.get_queue("default")
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


def _stored(job: GenerationJob) -> list[bool]:
    return [default_storage.exists(name) for name in (job.video.name, job.poster.name)]


@pytest.fixture
def post(alice: User, rendered: Any) -> Post:
    return post_publish(user=alice, job_id=rendered(alice, "a lighthouse in a storm").pk)


# --- Posts: read-only, taken down with the takedown service --------------------------------------


@pytest.mark.django_db
def test_a_moderator_reads_a_post_in_admin_but_the_page_cannot_save_it(
    moderator: User, post: Post
) -> None:
    client = _login(moderator)
    change = reverse("admin:feed_post_change", args=[post.pk])
    page = client.get(change).content.decode()
    assert "a lighthouse in a storm" in page
    assert 'name="_save"' not in page and 'name="caption"' not in page
    response = client.post(change, {"caption": "edited", "author": post.author_id})
    assert response.status_code == 403
    post.refresh_from_db()
    assert post.caption == ""


@pytest.mark.django_db
def test_a_moderator_cannot_delete_a_post_in_admin(moderator: User, post: Post) -> None:
    client = _login(moderator)
    delete = reverse("admin:feed_post_delete", args=[post.pk])
    assert client.get(delete).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    listing = client.get(reverse("admin:feed_post_changelist")).content.decode()
    assert 'value="delete_selected"' not in listing
    assert 'value="remove_post_video"' in listing
    page = _act(client, "feed_post", "delete_selected", [post.pk], "").content.decode()
    assert "No action selected." in page
    assert Post.objects.filter(pk=post.pk).exists()
    assert not ModerationAction.objects.exists()


@pytest.mark.django_db
def test_a_moderator_takes_a_post_down_from_admin_with_a_log_row_and_its_files_deleted(
    alice: User, moderator: User, post: Post, django_capture_on_commit_callbacks: Any
) -> None:
    job = post.job
    assert _stored(job) == [True, True]
    with django_capture_on_commit_callbacks(execute=True):
        response = _act(_login(moderator), "feed_post", "remove_post_video", [post.pk], "Spam.")
    assert "Done for 1. Each is in the moderation log." in response.content.decode()
    action = ModerationAction.objects.get()
    assert (action.kind, action.moderator, action.target_user, action.job_id) == (
        "remove", moderator, alice, job.pk,
    )  # fmt: skip
    assert action.reason == "Spam."
    assert Client().get(reverse("feed:post", args=[post.pk])).status_code == 404
    _run_default_jobs()
    job.refresh_from_db()
    assert job.taken_down_at is not None and not job.video and not job.poster
    assert default_storage.listdir("videos")[1] == []


@pytest.mark.django_db
def test_a_post_takedown_without_a_reason_is_refused_and_changes_nothing(
    moderator: User, post: Post
) -> None:
    response = _act(_login(moderator), "feed_post", "remove_post_video", [post.pk], " ")
    assert "Write why in the Why box first." in response.content.decode()
    post.job.refresh_from_db()
    assert post.job.taken_down_at is None and _stored(post.job) == [True, True]
    assert not ModerationAction.objects.exists()


@pytest.mark.django_db
def test_staff_who_are_not_moderators_cannot_take_a_post_down(post: Post) -> None:
    staff = make_user("staffer")
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    response = _login(staff).post(
        reverse("admin:feed_post_changelist"),
        {"action": "remove_post_video", "_selected_action": [post.pk], "reason": "Spam."},
    )
    assert response.status_code == 403
    post.job.refresh_from_db()
    assert post.job.taken_down_at is None and not ModerationAction.objects.exists()


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_the_admin_login_for_a_takedown(post: Post) -> None:
    response = Client().post(
        reverse("admin:feed_post_changelist"),
        {"action": "remove_post_video", "_selected_action": [post.pk], "reason": "Spam."},
    )
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    post.job.refresh_from_db()
    assert post.job.taken_down_at is None


@pytest.mark.django_db
def test_a_superuser_cannot_delete_a_post_and_takes_it_down_through_the_service_instead(
    alice: User, post: Post, django_capture_on_commit_callbacks: Any
) -> None:
    root = _superuser()
    client = _login(root)
    delete = reverse("admin:feed_post_delete", args=[post.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    _act(client, "feed_post", "delete_selected", [post.pk], "")
    assert Post.objects.filter(pk=post.pk).exists() and _stored(post.job) == [True, True]
    with django_capture_on_commit_callbacks(execute=True):
        page = _act(client, "feed_post", "remove_post_video", [post.pk], "Copyright.")
    assert "Done for 1." in page.content.decode()
    action = ModerationAction.objects.get()
    assert (action.kind, action.moderator, action.target_user) == ("remove", root, alice)
    _run_default_jobs()
    job = GenerationJob.objects.get(pk=post.job_id)
    assert job.taken_down_at is not None and "Copyright." in job.takedown_reason
    assert not job.video and default_storage.listdir("videos")[1] == []


@pytest.mark.django_db
def test_a_job_is_taken_down_from_its_own_admin_page_list_the_same_way(
    alice: User, moderator: User, rendered: Any, django_capture_on_commit_callbacks: Any
) -> None:
    job = rendered(alice, "a lighthouse in a storm")
    client = _login(moderator)
    delete = reverse("admin:generation_generationjob_delete", args=[job.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        _act(client, "generation_generationjob", "remove_job_video", [job.pk], "Spam.")
    _run_default_jobs()
    job.refresh_from_db()
    assert job.taken_down_at is not None and not job.video and not job.poster
    assert ModerationAction.objects.get().kind == "remove"


# --- Nothing that a service guards is edited or deleted by hand, by anyone ----------------------


@pytest.fixture
def world(alice: User, bob: User, rendered: Any) -> dict[str, Any]:
    """alice's cameo, bob's grant, bob's published video with alice in it, and a like."""
    cameo_mark_verified(owner=alice, display_name="Alice", embedding=EMBEDDING)
    cameo = cameo_settings_update(owner=alice, permission="approved")
    grant = cameo_grant_request(requester=bob, cameo_id=cameo.pk)
    grant = cameo_grant_decide(owner=alice, grant_id=grant.pk, approve=True)
    job = rendered(bob, "@alice flying a kite")
    post = post_publish(user=bob, job_id=job.pk)
    like_toggle(user=alice, post_id=post.pk)
    return {
        "cameo_cameo": cameo, "cameo_cameogrant": grant,
        "cameo_cameouse": CameoUse.objects.get(job=job), "generation_generationjob": job,
        "feed_post": post, "feed_like": Like.objects.get(), "accounts_user": bob,
    }  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["superuser", "moderator"])
def test_nobody_adds_edits_or_deletes_rows_the_services_guard(
    who: str, world: dict[str, Any], moderator: User
) -> None:
    client = _login(_superuser() if who == "superuser" else moderator)
    allowed = []
    for model, obj in world.items():
        for url in (
            reverse(f"admin:{model}_add"),
            reverse(f"admin:{model}_delete", args=[obj.pk]),
        ):
            status = client.post(url, {"post": "yes"}).status_code
            if status != 403:
                allowed.append((url, status))
        listing = client.get(reverse(f"admin:{model}_changelist")).content.decode()
        if 'value="delete_selected"' in listing:
            allowed.append((model, "delete selected"))
        if model != "accounts_user":
            change = client.post(reverse(f"admin:{model}_change", args=[obj.pk]), {})
            if change.status_code != 403:
                allowed.append((model, "change", change.status_code))
    assert allowed == []
    grant = CameoGrant.objects.get()
    assert grant.state == "approved"
    assert Post.objects.count() == 1 and Like.objects.count() == 1
    assert User.objects.filter(pk=world["accounts_user"].pk).exists()


@pytest.mark.django_db
def test_a_superuser_sees_a_consent_grant_read_only(world: dict[str, Any]) -> None:
    grant = world["cameo_cameogrant"]
    client = _login(_superuser())
    change = reverse("admin:cameo_cameogrant_change", args=[grant.pk])
    page = client.get(change).content.decode()
    assert "Approved" in page
    assert 'name="state"' not in page and 'name="_save"' not in page
    response = client.post(change, {"cameo": grant.cameo_id, "grantee": grant.grantee_id,
                                    "state": "revoked"})  # fmt: skip
    assert response.status_code == 403
    grant.refresh_from_db()
    assert grant.state == "approved"


def _user_form(person: User, **changes: Any) -> dict[str, Any]:
    """What the admin's own change form would post for ``person``, with ``changes``."""
    data = {
        "username": person.username, "email": person.email, "first_name": "", "last_name": "",
        "is_active": "on", "timezone": person.timezone,
        "date_joined_0": person.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": person.date_joined.strftime("%H:%M:%S"),
        "birthdate": "1990-01-01", "is_teen": "", "bio": "", "suspended_until_0": "",
        "suspended_until_1": "",
    }  # fmt: skip
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


@pytest.mark.django_db
def test_a_superuser_cannot_lift_or_set_a_suspension_or_a_ban_by_editing_the_account(
    alice: User, moderator: User
) -> None:
    moderation_suspend(moderator=moderator, user_id=alice.pk, days=3, reason="spam")
    alice.refresh_from_db()
    until = alice.suspended_until
    client = _login(_superuser())
    change = reverse("admin:accounts_user_change", args=[alice.pk])
    page = client.get(change).content.decode()
    for field in ("suspended_until", "is_active", "birthdate", "is_teen", "bio"):
        assert f'name="{field}' not in page, field
    assert 'name="email"' in page and 'name="_save"' in page
    # Without is_active (an unticked box) and without a suspension, as a raw form would post.
    data = _user_form(alice, email="alice@new.example", is_active="", birthdate="2015-01-01")
    response = client.post(change, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    alice.refresh_from_db()
    assert alice.email == "alice@new.example"
    assert alice.suspended_until == until and alice.is_active and not alice.is_teen
    assert list(ModerationAction.objects.values_list("kind", flat=True)) == ["suspend"]


@pytest.mark.django_db
def test_a_superuser_suspends_through_the_action_and_it_is_logged(alice: User) -> None:
    root = _superuser()
    data = {
        "action": "suspend_accounts", "_selected_action": [alice.pk], "reason": "spam",
        "days": "2", "index": 0,
    }  # fmt: skip
    page = _login(root).post(reverse("admin:accounts_user_changelist"), data, follow=True)
    assert "Done for 1." in page.content.decode()
    alice.refresh_from_db()
    assert alice.is_suspended
    action = ModerationAction.objects.get()
    assert (action.kind, action.moderator, action.target_user) == ("suspend", root, alice)


@pytest.mark.django_db
def test_the_moderators_group_may_not_change_or_delete_posts_or_reports(moderator: User) -> None:
    for perm in ("feed.change_post", "feed.delete_post", "safety.change_report"):
        assert not moderator.has_perm(perm), perm
    assert moderator.has_perm("feed.view_post") and moderator.has_perm("safety.view_report")


@pytest.mark.django_db
def test_a_moderator_lifts_a_suspension_and_a_ban_with_the_action_and_it_is_logged(
    alice: User, bob: User, moderator: User
) -> None:
    from safety.services.reports import moderation_ban

    moderation_suspend(moderator=moderator, user_id=alice.pk, days=3, reason="spam")
    moderation_ban(moderator=moderator, user_id=bob.pk, reason="spam")
    client = _login(moderator)
    page = _act(client, "accounts_user", "reinstate_accounts", [alice.pk, bob.pk], "A mistake.")
    assert "Done for 2. Each is in the moderation log." in page.content.decode()
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert not alice.is_suspended and alice.suspended_until is None and bob.is_active
    lifted = ModerationAction.objects.filter(kind="reinstate").order_by("target_user__username")
    assert [(a.target_user, a.moderator, a.reason) for a in lifted] == [
        (alice, moderator, "A mistake."), (bob, moderator, "A mistake."),
    ]  # fmt: skip
    told = notifications_in_group(user=alice, group="moderation")
    assert [n.text for n in told if n.kind == "reinstated"] == [
        "A moderator lifted the restriction on your account: A mistake."
    ]


@pytest.mark.django_db
def test_lifting_nothing_is_refused_with_a_sentence_and_writes_nothing(
    alice: User, moderator: User
) -> None:
    page = _act(_login(moderator), "accounts_user", "reinstate_accounts", [alice.pk], "ok")
    assert "This account is neither suspended nor banned." in page.content.decode()
    assert not ModerationAction.objects.exists()


@pytest.mark.django_db
def test_staff_who_are_not_moderators_cannot_lift_a_suspension(
    alice: User, moderator: User
) -> None:
    moderation_suspend(moderator=moderator, user_id=alice.pk, days=3, reason="spam")
    staff = make_user("staffer")
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    response = _login(staff).post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reinstate_accounts", "_selected_action": [alice.pk], "reason": "ok"},
    )
    assert response.status_code == 403
    alice.refresh_from_db()
    assert alice.is_suspended
    assert list(ModerationAction.objects.values_list("kind", flat=True)) == ["suspend"]
