"""Your data: the export's contents, and deleting an account so that nothing of the person is
left but the audit record."""

from __future__ import annotations

import html
import io
import json
import os
import zipfile
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client
from PIL import Image

from accounts.models import AccountDeletion, Notification, ParentChange, User
from accounts.selectors import export
from accounts.services import deletion
from accounts.services.blocks import block_create
from accounts.services.teens import (
    parent_link_accept,
    parent_link_code_create,
    teen_settings_update_by_parent,
)
from accounts.services.users import follow_create, mute_create
from cameo import liveness
from cameo.models import Cameo, ConsentEvent
from cameo.services.consent import (
    cameo_grant_decide,
    cameo_grant_request,
    cameo_mark_verified,
    cameo_settings_update,
)
from cameo.services.verification import cameo_verification_start
from conftest import PASSWORD, make_user
from feed.models import Comment, Post
from feed.services.budget import budget_set, watch_heartbeat
from feed.services.posts import like_toggle, post_publish
from feed.services.social import comment_create, dm_send
from generation.models import GenerationJob
from safety.models import ModerationAction, Report
from safety.services.console import moderation_strike
from safety.services.reports import report_create

pytestmark = pytest.mark.django_db

DATA = "/accounts/data/"
EXPORT = "/accounts/data/export/"
DELETE = "/accounts/data/delete/"
EMBEDDING = [0.01 * i for i in range(128)]


def _page(response: Any) -> str:
    return html.unescape(response.content.decode())


def _login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _jpeg(shade: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (shade, 120, 200)).save(out, format="JPEG")
    return out.getvalue()


def _with_cameo(owner: User, permission: str = "everyone") -> Cameo:
    cameo_mark_verified(
        owner=owner, display_name=owner.username.title(), embedding=EMBEDDING,
        thumbnail=_jpeg(10), references=[_jpeg(20), _jpeg(30)],
    )  # fmt: skip
    return cameo_settings_update(owner=owner, permission=permission)


@dataclass
class World:
    """alice's life on the site, built through the services people use."""

    alice: User
    bob: User
    teen: User
    alice_post: Post
    alice_draft: GenerationJob
    bob_post: Post
    bob_with_alice: GenerationJob


@pytest.fixture
def world(
    alice: User, bob: User, charlie: User, teen: User, moderator: User, rendered: Any
) -> World:
    _with_cameo(alice)
    bob_cameo = _with_cameo(bob, "approved")
    grant = cameo_grant_request(requester=alice, cameo_id=bob_cameo.pk)
    cameo_grant_decide(owner=bob, grant_id=grant.pk, approve=True)
    alice_job = rendered(alice, "a lighthouse on a cliff at dawn")
    alice_post = post_publish(user=alice, job_id=alice_job.pk, caption="first light")
    alice_draft = rendered(alice, "a paper boat in the rain", seed=7)
    bob_post = post_publish(user=bob, job_id=rendered(bob, "a red kite over hills").pk)
    bob_with_alice = rendered(bob, "@alice waving on a sunny beach", seed=9)
    like_toggle(user=alice, post_id=bob_post.pk)
    mine = comment_create(author=alice, post_id=bob_post.pk, text="lovely kite")
    comment_create(author=bob, post_id=bob_post.pk, text="thank you!", parent_id=mine.pk)
    comment_create(author=bob, post_id=alice_post.pk, text="great light")
    follow_create(follower=alice, followee=bob)
    follow_create(follower=bob, followee=alice)
    mute_create(muter=alice, muted=charlie)
    block_create(blocker=charlie, blocked=alice)
    dm_send(sender=alice, recipient_username="bob", text="see you at the beach")
    dm_send(sender=bob, recipient_username="alice", text="bring the kite")
    report_create(reporter=alice, job_id=bob_post.job_id, reason="spam", note="looks copied")
    moderation_strike(moderator=moderator, user_id=alice.pk, reason="Spamming comments.")
    link = parent_link_accept(teen=teen, code=parent_link_code_create(parent=alice).code)
    teen_settings_update_by_parent(parent=alice, link_id=link.pk, daily_limit_minutes=45)
    budget_set(user=alice, minutes=90)
    watch_heartbeat(user=alice, seconds=30)
    clip = SimpleUploadedFile("me.mp4", b"\x00" * 2048, content_type="video/mp4")
    cameo_verification_start(
        owner=alice, display_name="Alice again", challenge=liveness.new_challenge(), clip=clip
    )
    for person in (alice, bob):
        person.refresh_from_db()
    return World(alice, bob, teen, alice_post, alice_draft, bob_post, bob_with_alice)


def _zip(response: Any) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def _read(archive: zipfile.ZipFile, name: str) -> Any:
    return json.loads(archive.read(name))


# --- Export -------------------------------------------------------------------------------------


def test_the_export_holds_posts_prompts_seeds_model_hashes_consents_and_media(
    world: World,
) -> None:
    response = _login(world.alice).get(EXPORT)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert 'attachment; filename="alice-data-' in response["Content-Disposition"]
    archive = _zip(response)
    names = set(archive.namelist())
    assert {"README.txt", "account.json", "videos.json", "posts.json", "cameo.json"} <= names

    account = _read(archive, "account.json")
    assert (account["username"], account["email"]) == ("alice", "alice@example.com")

    videos = {v["prompt"]: v for v in _read(archive, "videos.json")}
    assert set(videos) == {"a lighthouse on a cliff at dawn", "a paper boat in the rain"}
    draft = videos["a paper boat in the rain"]
    assert (draft["seed"], draft["model_hash"], draft["post"]) == (
        7, world.alice_draft.model_hash, None,
    )  # fmt: skip
    assert draft["model_hash"] and draft["model"] == world.alice_draft.backend
    published = videos["a lighthouse on a cliff at dawn"]
    assert published["post"] == world.alice_post.pk
    media = published["video_file"]
    assert media == f"media/{world.alice_post.job.video.name}"
    with default_storage.open(world.alice_post.job.video.name, "rb") as fh:
        assert archive.read(media) == fh.read()
    assert archive.read(published["poster_file"])[:2] == b"\xff\xd8"  # a JPEG

    [post] = _read(archive, "posts.json")
    assert (post["caption"], post["prompt"], post["comments"]) == (
        "first light", "a lighthouse on a cliff at dawn", 1,
    )  # fmt: skip

    cameo = _read(archive, "cameo.json")
    assert cameo["cameo"]["who_may_use"] == "everyone"
    assert len(cameo["cameo"]["face_embedding"]) == 128
    assert archive.read(cameo["cameo"]["thumbnail_file"])[:2] == b"\xff\xd8"
    assert len(cameo["cameo"]["reference_files"]) == 2
    [received] = cameo["consents_received"]
    assert (received["from"], received["state"]) == ("@bob", "approved")
    [with_me] = cameo["videos_with_your_cameo"]
    assert (with_me["with"], with_me["video"]) == ("@bob", world.bob_with_alice.public_id)
    actions = [(e["action"], e["by"]) for e in cameo["consent_log"]]
    assert ("grant_requested", "@alice") in actions and ("grant_approved", "@bob") in actions
    assert ("used", "@bob") in actions

    [comment] = _read(archive, "comments.json")
    assert comment["text"] == "lovely kite"
    [thread] = _read(archive, "messages.json")
    assert thread["with"] == "@bob"
    assert [(m["from"], m["text"]) for m in thread["messages"]] == [
        ("@alice", "see you at the beach"), ("@bob", "bring the kite"),
    ]  # fmt: skip
    relations = _read(archive, "relations.json")
    assert [f["who"] for f in relations["following"]] == ["@bob"]
    assert [m["who"] for m in relations["muted"]] == ["@charlie"]
    teen = _read(archive, "teen.json")
    assert [t["teen"] for t in teen["your_teens"]] == ["@tess"]
    safety = _read(archive, "safety.json")
    assert safety["reports_you_made"][0]["note"] == "looks copied"
    assert safety["strikes"][0]["reason"] == "Spamming comments."
    feed = _read(archive, "feed.json")
    assert feed["preferences"]["daily_budget_minutes"] == 90
    assert feed["watch_time_per_day"][0]["seconds"] > 0
    assert _read(archive, "files.json")["unreadable"] == []
    assert not [n for n in names if n.startswith("other/")]  # no check-ins model yet


def test_the_teens_export_has_the_changes_their_parent_made(world: World) -> None:
    archive = _zip(_login(world.teen).get(EXPORT))
    teen = _read(archive, "teen.json")
    assert teen["settings"]["daily_limit_minutes"] == 45
    [change] = teen["changes_by_your_parent"]
    assert (change["field"], change["old_value"], change["new_value"]) == (
        "daily_limit_minutes", "60 minutes", "45 minutes",
    )  # fmt: skip
    assert [p["parent"] for p in teen["your_parents"]] == ["@alice"]


def test_records_of_other_kinds_go_to_other_by_themselves(
    alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A model the sections don't cover (a future check-in, say) is exported field by field."""
    watch_heartbeat(user=alice, seconds=30)
    monkeypatch.setattr(export, "COVERED", export.COVERED - {"feed.WatchDay"})
    archive = _zip(_login(alice).get(EXPORT))
    [row] = _read(archive, "other/feed_watchday.json")
    assert row["user"] == "you" and row["seconds"] == 30


def test_an_empty_account_exports_cleanly(alice: User) -> None:
    archive = _zip(_login(alice).get(EXPORT))
    assert _read(archive, "videos.json") == [] and _read(archive, "cameo.json")["cameo"] is None
    assert _read(archive, "files.json") == {"included": [], "unreadable": []}


def test_the_export_is_a_download_for_the_signed_in_person_only(alice: User) -> None:
    assert _login(alice).post(EXPORT).status_code == 405
    response = Client().get(EXPORT)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    page = _page(_login(alice).get(DATA))
    assert "Download my data" in page and "Delete my account" in page


# --- Deletion -----------------------------------------------------------------------------------


def _files_in_storage() -> set[str]:
    root = str(settings.MEDIA_ROOT)
    found = set()
    for folder, _dirs, files in os.walk(root):
        found |= {os.path.relpath(os.path.join(folder, f), root) for f in files}
    return found


def _files_referenced() -> set[str]:
    names = set()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                values = model._base_manager.values_list(field.attname, flat=True)
                names |= {v for v in values if v}
    return names


def _pointing_at(user_id: int) -> list[str]:
    """Every row in every model (join tables included) that points at the person."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is User:
                rows = model._base_manager.filter(**{field.attname: user_id}).count()
                if rows:
                    found.append(f"{model._meta.label}.{field.name}: {rows}")
    return found


def _alice_files(world: World) -> set[str]:
    cameo = Cameo.objects.get(owner=world.alice)
    names = {cameo.thumbnail.name} | {r.image.name for r in cameo.references.all()}
    for job in GenerationJob.objects.filter(creator=world.alice):
        names |= {job.video.name, job.poster.name}
    names |= {v.clip.name for v in world.alice.cameo_verifications.all()}
    return names


def test_deleting_an_account_leaves_nothing_of_the_person_but_the_audit_row(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    alice_id = world.alice.pk
    files = _alice_files(world)
    assert len(files) == 8 and files <= _files_in_storage()
    assert _pointing_at(alice_id)  # the world really is full of alice
    client = _login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(DELETE, {"password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert "Your account is deleted" in _page(response)
    assert not response.context["user"].is_authenticated

    assert _pointing_at(alice_id) == []
    assert not User.objects.filter(pk=alice_id).exists()
    assert not (files & _files_in_storage())
    assert _files_in_storage() <= _files_referenced()  # no orphan files of anyone's

    audit = AccountDeletion.objects.get()
    assert (audit.user_id, audit.username_digest) == (alice_id, deletion.username_digest("alice"))
    assert "alice" not in json.dumps(audit.rows_deleted) and audit.files_deleted == 8
    assert audit.rows_deleted["generation.GenerationJob"] == 2
    assert audit.rows_deleted["feed.Post"] == 1 and audit.rows_deleted["cameo.Cameo"] == 1
    assert audit.rows_deleted["cameo.CameoReference"] == 2


def test_after_deletion_others_keep_their_things_and_the_audit_logs_stay(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        deletion.account_delete(user=world.alice, password=PASSWORD)
    bob_post = Post.objects.get(pk=world.bob_post.pk)
    assert (bob_post.like_count, bob_post.comment_count) == (0, 0)
    assert not Comment.objects.filter(post=bob_post).exists()  # her comment and its reply
    with default_storage.open(bob_post.job.video.name, "rb") as fh:
        assert fh.read(8)
    taken = GenerationJob.objects.get(pk=world.bob_with_alice.pk)
    assert taken.taken_down_at is not None and "deleted their cameo" in taken.takedown_reason
    assert ConsentEvent.objects.filter(action="deleted", cameo_owner=None).exists()
    assert ConsentEvent.objects.filter(action="grant_approved", actor=world.bob).exists()
    assert ModerationAction.objects.filter(kind="strike", target_user=None).exists()
    assert Report.objects.filter(note="looks copied", reporter=None).exists()
    assert list(ParentChange.objects.filter(teen=world.teen).values_list("link", flat=True)) == [
        None
    ]
    assert Notification.objects.get(recipient=world.teen, kind="unlink_decided").text == (
        "@alice deleted their account, so your parent link has ended. Your settings stay as "
        "they are."
    )
    assert "by a parent whose account is gone" in _page(_login(world.teen).get("/accounts/teen/"))


def test_a_wrong_password_deletes_nothing(
    alice: User, rendered: Any, django_capture_on_commit_callbacks: Any
) -> None:
    job = rendered(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = _login(alice).post(DELETE, {"password": "not-my-password"})
    assert response.status_code == 400
    assert "That password isn't right. Type your password again to delete your account." in _page(
        response
    )
    empty = _login(alice).post(DELETE, {"password": ""})
    assert "Type your password to confirm that you want to delete." in _page(empty)
    assert User.objects.filter(pk=alice.pk).exists() and GenerationJob.objects.count() == 1
    assert default_storage.exists(job.video.name) and not AccountDeletion.objects.exists()


def test_deleting_refuses_get_and_visitors(alice: User) -> None:
    assert _login(alice).get(DELETE).status_code == 405
    response = Client().post(DELETE, {"password": PASSWORD})
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert User.objects.filter(pk=alice.pk).exists() and not AccountDeletion.objects.exists()


def test_a_teen_deleting_their_account_tells_their_parent(
    parent: User, teen: User, django_capture_on_commit_callbacks: Any
) -> None:
    link = parent_link_accept(teen=teen, code=parent_link_code_create(parent=parent).code)
    teen_settings_update_by_parent(parent=parent, link_id=link.pk, daily_limit_minutes=30)
    with django_capture_on_commit_callbacks(execute=True):
        audit = deletion.account_delete(user=teen, password=PASSWORD)
    assert audit.was_teen and _pointing_at(audit.user_id) == []
    assert Notification.objects.get(recipient=parent, kind="unlink_decided").text == (
        "@tess deleted their account, so your link to it has ended."
    )
    assert "No teen is linked to you yet." in _page(_login(parent).get("/accounts/family/"))
    assert make_user("tess", age=15).pk != audit.user_id  # the handle is free again


def test_deleting_an_account_takes_its_words_out_of_everyones_notifications(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    bobs = Notification.objects.filter(recipient=world.bob)
    assert bobs.filter(text="@alice commented on your video: “lovely kite”").exists()
    assert bobs.filter(text="@alice followed you.").exists()
    follow_create(follower=world.teen, followee=world.bob)
    others = Notification.objects.exclude(actor=world.alice).exclude(recipient=world.alice)
    kept = set(others.values_list("pk", flat=True))
    assert Notification.objects.filter(recipient=world.alice, text="@bob followed you.").exists()
    with django_capture_on_commit_callbacks(execute=True):
        deletion.account_delete(user=world.alice, password=PASSWORD)
    left = list(Notification.objects.values_list("text", flat=True))
    assert not [text for text in left if "lovely kite" in text]
    assert [text for text in left if text.startswith("@alice ")] == [
        "@alice deleted their account, so your parent link has ended. Your settings stay as "
        "they are."
    ]
    mine = set(Notification.objects.filter(recipient=world.bob).values_list("text", flat=True))
    assert "@alice followed you." not in mine and "@alice liked your video." not in mine
    assert "@alice asked to use your cameo." not in mine
    # Notes of what others did stay.
    assert kept and set(Notification.objects.values_list("pk", flat=True)) >= kept
    page = _page(_login(world.bob).get("/accounts/notifications/"))
    assert "lovely kite" not in page and "@alice followed you" not in page
    assert "@tess followed you." in page


def test_notes_written_before_they_named_their_actor_are_given_one(alice: User, bob: User) -> None:
    import importlib

    from accounts.services.users import notify

    migration = importlib.import_module("accounts.migrations.0008_notification_actor")
    old = notify(recipient=bob, kind="comment", text="@alice commented on your video: “hi”")
    gone = notify(recipient=bob, kind="unlink_decided", text="@alice deleted their account.")
    own = notify(recipient=alice, kind="warned", text="@alice, a moderator warned you.")
    migration.name_actors(apps, None)
    assert Notification.objects.get(pk=old.pk).actor == alice
    assert Notification.objects.get(pk=gone.pk).actor is None
    assert Notification.objects.get(pk=own.pk).actor is None
