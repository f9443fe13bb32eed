"""The moderators' console in admin: the report queue, assigning, the preview, every action on a
report, the thread with the reporter, and refusals for staff who are not moderators."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from html import unescape
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification, User
from cameo.services.consent import cameo_delete, cameo_mark_verified, cameo_settings_update
from conftest import make_user
from feed.services.posts import post_publish
from generation.models import GenerationJob
from generation.services import generation_request
from generation.services.takedown import generation_delete_taken_down_files
from safety.models import ModerationAction, Report, ReportMessage, Strike, WatchedWord
from safety.services import console
from safety.services.reports import moderation_remove_video, report_create
from safety.services.text_checks import report_automatic

REPORT_ACTIONS = [
    "assign_to_me", "remove_reported_video", "restore_reported_video", "release_reported_video",
    "warn_reported_person", "strike_reported_person", "suspend_reported_person",
    "ban_reported_person", "dismiss_report",
]  # fmt: skip
REFUSED = "Only moderators can act on reports and held videos."


def _login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _act(user: User, action: str, pk: int, reason: str = "", model: str = "safety_report",
         **extra: Any) -> str:  # fmt: skip
    data = {"action": action, "_selected_action": [pk], "reason": reason, "index": 0, **extra}
    url = reverse(f"admin:{model}_changelist")
    return unescape(_login(user).post(url, data, follow=True).content.decode())


def _staff(*perms: str) -> User:
    """A staff account outside the moderators group, allowed to read the given models."""
    staff = make_user("stella")
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    staff.user_permissions.add(*Permission.objects.filter(codename__in=perms))
    return staff


def _cameo_video(owner: User, creator: User) -> GenerationJob:
    cameo_mark_verified(owner=owner, display_name=owner.username, embedding=[0.0] * 128)
    cameo = cameo_settings_update(owner=owner, permission="everyone")
    return generation_request(
        user=creator, prompt="a picnic", duration_s=4, aspect="9:16", seed=1,
        cameo_ids=[cameo.pk],
    )  # fmt: skip


def _video_report(reporter: User, creator: User) -> Report:
    job = _cameo_video(reporter, creator)
    return report_create(reporter=reporter, job_id=job.pk, reason="likeness", likeness=True)


@pytest.fixture
def published_report(rendered: Callable[..., Any], alice: User, bob: User) -> Report:
    """bob's rendered, published video, reported by alice."""
    job = rendered(bob, "a red kite over green hills")
    post_publish(user=bob, job_id=job.pk)
    return report_create(reporter=alice, job_id=job.pk, reason="violence", note="look")


# --- The queue ----------------------------------------------------------------------------------


def _rows(html: str, *reports: Report) -> list[bool]:
    return [f"/admin/safety/report/{r.pk}/change/" in html for r in reports]


@pytest.mark.django_db
def test_a_moderator_assigns_a_report_to_themself_and_filters_the_queue_by_assignee(
    alice: User, bob: User, moderator: User
) -> None:
    mine = _video_report(alice, bob)
    other = report_automatic(user=bob, reason="hate", note="Blocked prompt: ...")
    page = _act(moderator, "assign_to_me", mine.pk)
    assert "Assigned 1 report to you." in page
    mine.refresh_from_db()
    assert mine.assignee == moderator and Report.objects.get(pk=other.pk).assignee is None
    client = _login(moderator)
    queue = client.get(reverse("admin:safety_report_changelist")).content.decode()
    assert "Assigned to me" in queue and "Unassigned" in queue
    assert _rows(queue, mine, other) == [True, True]
    to_me = client.get(reverse("admin:safety_report_changelist") + "?assignee=me")
    assert _rows(to_me.content.decode(), mine, other) == [True, False]
    unassigned = client.get(reverse("admin:safety_report_changelist") + "?assignee=none")
    assert _rows(unassigned.content.decode(), mine, other) == [False, True]
    assert not ModerationAction.objects.exists()


@pytest.mark.django_db
def test_the_queue_filters_by_category_and_status(alice: User, bob: User, moderator: User) -> None:
    likeness = _video_report(alice, bob)
    hate = report_automatic(user=bob, reason="hate", note="Blocked prompt")
    url = reverse("admin:safety_report_changelist")
    by_reason = _login(moderator).get(url + "?reason__exact=hate").content.decode()
    assert _rows(by_reason, likeness, hate) == [False, True]
    console.report_assign(moderator=moderator, report_id=hate.pk)
    _act(moderator, "dismiss_report", hate.pk, "fine")
    still_open = _login(moderator).get(url + "?status__exact=open").content.decode()
    assert _rows(still_open, likeness, hate) == [True, False]


@pytest.mark.django_db
def test_a_closed_report_cannot_be_taken(alice: User, bob: User, moderator: User) -> None:
    report = _video_report(alice, bob)
    _act(moderator, "dismiss_report", report.pk, "within the rules")
    page = _act(moderator, "assign_to_me", report.pk)
    assert "This report is already closed, so there is nothing to take." in page
    report.refresh_from_db()
    assert report.assignee is None


# --- Acting on a report -------------------------------------------------------------------------


@pytest.mark.django_db
def test_warning_the_reported_person_logs_once_tells_them_why_and_closes_the_report(
    alice: User, bob: User, moderator: User
) -> None:
    report = _video_report(alice, bob)
    page = _act(moderator, "warn_reported_person", report.pk, "Please ask before using a face")
    assert "Done for 1. Each is in the moderation log." in page
    action = ModerationAction.objects.get()
    assert (action.kind, action.moderator, action.target_user, action.report) == (
        "warn", moderator, bob, report,
    )  # fmt: skip
    warned = Notification.objects.get(recipient=bob, kind="warned")
    assert warned.text == "A moderator warned you: Please ask before using a face"
    assert warned.url == reverse("safety:standing")
    report.refresh_from_db()
    assert report.status == "resolved" and report.resolved_at is not None
    outcome = Notification.objects.get(recipient=alice, kind="report_outcome")
    assert "warned the account" in outcome.text
    assert not Strike.objects.exists()


@pytest.mark.django_db
def test_a_strike_from_a_report_logs_once_and_links_to_the_standing_page(
    alice: User, bob: User, moderator: User
) -> None:
    report = _video_report(alice, bob)
    _act(moderator, "strike_reported_person", report.pk, "Used a face without asking")
    action = ModerationAction.objects.get()
    strike = Strike.objects.get()
    assert (action.kind, strike.user, strike.report, strike.action) == (
        "strike",
        bob,
        report,
        action,
    )
    assert strike.job_id == report.job_id and strike.reason == "Used a face without asking"
    expected = timezone.now() + dt.timedelta(days=90)
    assert abs((strike.expires_at - expected).total_seconds()) < 60
    told = Notification.objects.get(recipient=bob, kind="strike")
    assert told.url == reverse("safety:standing") and "Used a face without asking" in told.text
    assert "1 of 3" in told.text
    assert Report.objects.get(pk=report.pk).status == "resolved"


@pytest.mark.django_db
def test_suspending_from_a_report_uses_the_days_box_and_names_the_report_in_the_log(
    alice: User, bob: User, moderator: User
) -> None:
    report = _video_report(alice, bob)
    page = _act(moderator, "suspend_reported_person", report.pk, "Repeated misuse", days="5")
    assert "Done for 1." in page
    action = ModerationAction.objects.get()
    assert (action.kind, action.target_user, action.report) == ("suspend", bob, report)
    bob.refresh_from_db()
    left = bob.suspended_until - timezone.now()
    assert dt.timedelta(days=4, hours=23) < left <= dt.timedelta(days=5)
    assert Report.objects.get(pk=report.pk).status == "resolved"


@pytest.mark.django_db
@pytest.mark.parametrize("days", ["abc", "0", "400", ""])
def test_a_bad_number_of_days_is_refused_and_nothing_is_written(
    alice: User, bob: User, moderator: User, days: str
) -> None:
    report = _video_report(alice, bob)
    page = _act(moderator, "suspend_reported_person", report.pk, "Repeated misuse", days=days)
    assert "Suspend for 1 to 365 days." in page
    bob.refresh_from_db()
    assert bob.suspended_until is None and not ModerationAction.objects.exists()
    assert Report.objects.get(pk=report.pk).status == "open"


@pytest.mark.django_db
def test_banning_from_a_report_closes_the_account_and_the_report(
    alice: User, bob: User, moderator: User
) -> None:
    report = _video_report(alice, bob)
    _act(moderator, "ban_reported_person", report.pk, "Impersonation ring")
    action = ModerationAction.objects.get()
    assert (action.kind, action.target_user, action.report) == ("ban", bob, report)
    bob.refresh_from_db()
    assert not bob.is_active
    outcome = Notification.objects.get(recipient=alice, kind="report_outcome")
    assert outcome.text == "A moderator reviewed your report and closed the account."


@pytest.mark.django_db
def test_an_automatic_report_without_an_account_says_there_is_nobody_to_act_on(
    moderator: User,
) -> None:
    report = report_automatic(user=None, reason="minors", note="Blocked prompt")
    for action in ("warn_reported_person", "strike_reported_person", "ban_reported_person"):
        page = _act(moderator, action, report.pk, "no")
        assert "There is no account to act on here." in page or "nobody to act on" in page
    assert not ModerationAction.objects.exists() and not Strike.objects.exists()


@pytest.mark.django_db
def test_a_moderator_cannot_strike_themself(moderator: User) -> None:
    with pytest.raises(ValidationError, match="You can't act on your own account"):
        console.moderation_strike(moderator=moderator, user_id=moderator.pk, reason="oops")
    assert not Strike.objects.exists() and not ModerationAction.objects.exists()


# --- Restore ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_removed_video_is_restored_while_its_files_still_exist(
    published_report: Report, alice: User, bob: User, moderator: User
) -> None:
    job = published_report.job
    _act(moderator, "remove_reported_video", published_report.pk, "Looked violent")
    assert GenerationJob.objects.get(pk=job.pk).taken_down_at is not None
    page = _act(moderator, "restore_reported_video", published_report.pk, "It was a kite")
    assert "Done for 1." in page
    job.refresh_from_db()
    assert job.taken_down_at is None and job.takedown_reason == ""
    assert default_storage.exists(job.video.name)
    kinds = list(ModerationAction.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == ["remove", "restore"]
    restored = Notification.objects.get(recipient=bob, kind="restored")
    assert restored.text == "A moderator restored your video: It was a kite"
    # Back in the feed for everyone.
    assert Client().get(reverse("feed:index")).content.decode().count(job.video.url) >= 1


@pytest.mark.django_db
def test_a_removed_video_whose_files_were_deleted_cannot_be_restored(
    published_report: Report, moderator: User
) -> None:
    job = published_report.job
    moderation_remove_video(moderator=moderator, job_id=job.pk, reason="Looked violent")
    assert generation_delete_taken_down_files(job_ids=[job.pk]) == 1
    page = _act(moderator, "restore_reported_video", published_report.pk, "It was a kite")
    assert "This video's files have already been deleted, so it can't be restored." in page
    job.refresh_from_db()
    assert job.taken_down_at is not None
    assert list(ModerationAction.objects.values_list("kind", flat=True)) == ["remove"]


@pytest.mark.django_db
def test_a_video_taken_down_for_withdrawn_consent_stays_down(
    alice: User, bob: User, moderator: User
) -> None:
    job = _cameo_video(alice, bob)
    cameo_delete(owner=alice)
    with pytest.raises(ValidationError, match="consent for a cameo in it was withdrawn"):
        console.moderation_restore_video(moderator=moderator, job_id=job.pk, reason="fine")
    job.refresh_from_db()
    assert job.taken_down_at is not None and not ModerationAction.objects.exists()


@pytest.mark.django_db
def test_restoring_a_video_that_is_up_is_refused(alice: User, bob: User, moderator: User) -> None:
    report = _video_report(alice, bob)
    page = _act(moderator, "restore_reported_video", report.pk, "fine")
    assert "This video isn't down, so there is nothing to restore." in page
    assert not ModerationAction.objects.exists()


# --- Staff who are not moderators ---------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("action", REPORT_ACTIONS)
def test_staff_who_are_not_moderators_are_refused_by_every_report_action(
    alice: User, bob: User, action: str
) -> None:
    report = _video_report(alice, bob)
    staff = _staff("view_report")
    page = _act(staff, action, report.pk, "because", days="3")
    assert REFUSED in page
    report.refresh_from_db()
    bob.refresh_from_db()
    assert (report.status, report.assignee) == ("open", None)
    assert bob.is_active and bob.suspended_until is None
    assert not ModerationAction.objects.exists() and not Strike.objects.exists()
    assert GenerationJob.objects.get(pk=report.job_id).taken_down_at is None


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["warn_accounts", "strike_accounts"])
def test_staff_who_are_not_moderators_cannot_warn_or_strike_from_the_accounts_list(
    bob: User, action: str
) -> None:
    staff = _staff("view_user")
    page = _act(staff, action, bob.pk, "because", model="accounts_user")
    assert REFUSED in page
    assert not ModerationAction.objects.exists() and not Strike.objects.exists()
    assert not Notification.objects.filter(recipient=bob).exists()


SERVICES: dict[str, Callable[[User, Report], Any]] = {
    "warn": lambda u, r: console.moderation_warn(
        moderator=u, user_id=r.reported_user_id, reason="x"
    ),
    "strike": lambda u, r: console.moderation_strike(
        moderator=u, user_id=r.reported_user_id, reason="x"
    ),
    "restore": lambda u, r: console.moderation_restore_video(
        moderator=u, job_id=r.job_id, reason="x"
    ),
    "assign": lambda u, r: console.report_assign(moderator=u, report_id=r.pk),
    "suspend": lambda u, r: console.report_suspend(moderator=u, report_id=r.pk, days=3, reason="x"),
    "ban": lambda u, r: console.report_ban(moderator=u, report_id=r.pk, reason="x"),
}  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(SERVICES))
def test_every_console_service_refuses_staff_who_are_not_moderators(
    alice: User, bob: User, name: str
) -> None:
    report = _video_report(alice, bob)
    with pytest.raises(PermissionDenied, match=REFUSED):
        SERVICES[name](_staff("view_report"), report)
    report.refresh_from_db()
    assert report.assignee is None and report.status == "open"
    assert not ModerationAction.objects.exists() and not Strike.objects.exists()


# --- The report page: preview and thread --------------------------------------------------------


@pytest.mark.django_db
def test_the_report_page_previews_the_video_its_cameos_and_its_scan(
    rendered: Callable[..., Any], alice: User, bob: User, charlie: User, moderator: User
) -> None:
    cameo_mark_verified(owner=alice, display_name="Alice", embedding=[0.0] * 128)
    cameo = cameo_settings_update(owner=alice, permission="everyone")
    job = rendered(bob, "a picnic in the park", cameo_ids=[cameo.pk])
    report = report_create(reporter=alice, job_id=job.pk, reason="likeness", likeness=True)
    page = _login(moderator).get(reverse("admin:safety_report_change", args=[report.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert f'poster="{job.poster.url}" src="{job.video.url}"' in html
    assert "<video controls" in html and "a picnic in the park" in html
    assert "@alice: Approved, identity distance" in html
    assert job.scan.get_outcome_display() in html
    assert f"{job.scan.frames_scanned} scanned, {job.scan.faces_found} faces found" in html
    assert "Nudity" in html and "Likeness matches" in html
    # The draft's file plays for the moderator, and still for nobody outside it.
    assert _login(moderator).get(job.video.url).status_code == 200
    assert _login(charlie).get(job.video.url).status_code == 404


@pytest.mark.django_db
def test_the_report_form_cannot_be_edited_only_acted_on(
    alice: User, bob: User, moderator: User
) -> None:
    report = _video_report(alice, bob)
    url = reverse("admin:safety_report_change", args=[report.pk])
    response = _login(moderator).post(url, {"status": "dismissed", "note": "edited"})
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.status == "open" and report.note == ""


@pytest.mark.django_db
def test_a_moderator_reply_reaches_the_reporter_as_a_notification(
    alice: User, bob: User, moderator: User
) -> None:
    report = _video_report(alice, bob)
    client = _login(moderator)
    url = reverse("admin:safety_report_reply", args=[report.pk])
    page = client.post(url, {"text": "Which part of the video? <b>thanks</b>"}, follow=True)
    html = page.content.decode()
    assert "Your reply is on the thread, and the reporter was told." in html
    assert "Which part of the video? &lt;b&gt;thanks&lt;/b&gt;" in html
    message = ReportMessage.objects.get()
    assert (message.author, message.from_moderator) == (moderator, True)
    told = Notification.objects.get(recipient=alice, kind="report_message")
    assert told.url == reverse("safety:report_detail", args=[report.pk])
    assert not ModerationAction.objects.exists()


@pytest.mark.django_db
def test_an_empty_reply_is_refused_with_a_sentence_and_nothing_is_sent(
    alice: User, bob: User, moderator: User
) -> None:
    report = _video_report(alice, bob)
    url = reverse("admin:safety_report_reply", args=[report.pk])
    page = _login(moderator).post(url, {"text": "   "}, follow=True).content.decode()
    assert "Write a message first." in page
    assert not ReportMessage.objects.exists()
    assert not Notification.objects.filter(recipient=alice, kind="report_message").exists()


@pytest.mark.django_db
def test_the_reply_box_takes_only_a_post(alice: User, bob: User, moderator: User) -> None:
    report = _video_report(alice, bob)
    url = reverse("admin:safety_report_reply", args=[report.pk])
    assert _login(moderator).get(url).status_code == 405
    assert not ReportMessage.objects.exists()


@pytest.mark.django_db
def test_staff_who_are_not_moderators_and_visitors_cannot_reply(alice: User, bob: User) -> None:
    report = _video_report(alice, bob)
    url = reverse("admin:safety_report_reply", args=[report.pk])
    assert _login(_staff("view_report")).post(url, {"text": "hi"}).status_code == 404
    anonymous = Client().post(url, {"text": "hi"})
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]
    assert _login(bob).post(url, {"text": "hi"}).status_code == 302  # not staff: admin login
    assert not ReportMessage.objects.exists()


# --- The log, watched words, accounts -----------------------------------------------------------


@pytest.mark.django_db
def test_the_moderation_log_filters_by_kind(alice: User, bob: User, moderator: User) -> None:
    report = _video_report(alice, bob)
    console.moderation_warn(moderator=moderator, user_id=bob.pk, reason="first warning")
    console.moderation_strike(
        moderator=moderator, user_id=bob.pk, reason="the strike", report_id=report.pk
    )
    url = reverse("admin:safety_moderationaction_changelist")
    html = _login(moderator).get(url + "?kind__exact=strike").content.decode()
    assert "the strike" in html and "first warning" not in html


@pytest.mark.django_db
def test_a_moderator_adds_a_watched_word_but_cannot_change_it(moderator: User) -> None:
    client = _login(moderator)
    added = client.post(
        reverse("admin:safety_watchedword_add"), {"phrase": "free crypto", "list_name": "scams"}
    )
    assert added.status_code == 302
    word = WatchedWord.objects.get()
    assert (word.phrase, word.list_name, word.created_by) == ("free crypto", "scams", moderator)
    change = reverse("admin:safety_watchedword_change", args=[word.pk])
    assert client.post(change, {"phrase": "changed", "list_name": ""}).status_code == 403
    assert WatchedWord.objects.get().phrase == "free crypto"


@pytest.mark.django_db
def test_a_moderator_warns_and_strikes_from_the_accounts_list(bob: User, moderator: User) -> None:
    _act(moderator, "warn_accounts", bob.pk, "Mind the tone", model="accounts_user")
    _act(moderator, "strike_accounts", bob.pk, "Harassment", model="accounts_user")
    kinds = list(ModerationAction.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == ["warn", "strike"]
    assert Strike.objects.get().reason == "Harassment"
    assert {n.kind for n in Notification.objects.filter(recipient=bob)} == {"warned", "strike"}


@pytest.mark.django_db
def test_every_console_page_opens_for_a_moderator(alice: User, bob: User, moderator: User) -> None:
    report = _video_report(alice, bob)
    strike = console.moderation_strike(
        moderator=moderator, user_id=bob.pk, reason="Spam", report_id=report.pk
    ).strike
    appeal = console.appeal_create(user=bob, strike_id=strike.pk, text="Not spam.")
    client = _login(moderator)
    pages = {
        "admin:safety_report_change": [report.pk], "admin:safety_strike_change": [strike.pk],
        "admin:safety_appeal_change": [appeal.pk], "admin:safety_strike_changelist": [],
        "admin:safety_appeal_changelist": [], "admin:safety_reportmessage_changelist": [],
        "admin:safety_watchedword_changelist": [], "admin:safety_moderationaction_changelist": [],
    }  # fmt: skip
    for name, args in pages.items():
        assert client.get(reverse(name, args=args)).status_code == 200, name
    report_page = client.get(reverse("admin:safety_report_change", args=[report.pk]))
    assert "Gave a strike by mona: Spam" in report_page.content.decode()
    assert "Not spam." in client.get(reverse("admin:safety_appeal_changelist")).content.decode()
