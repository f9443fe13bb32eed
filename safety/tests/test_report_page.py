"""A report's own admin page carries the moderation actions as buttons with the Why box; each
button runs the queue's action on that one report, with the same checks and the same log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from html import unescape
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification, User
from cameo.services.consent import cameo_mark_verified, cameo_settings_update
from conftest import make_user
from feed.services.posts import post_publish
from generation.models import GenerationJob
from safety.models import ModerationAction, Report, Strike
from safety.services.reports import report_create
from safety.services.text_checks import report_automatic

BUTTONS = [
    "remove_reported_video", "restore_reported_video", "release_reported_video",
    "warn_reported_person", "strike_reported_person", "suspend_reported_person",
    "ban_reported_person", "dismiss_report",
]  # fmt: skip
REFUSED = "Only moderators can act on reports and held videos."
NO_WHY = "Write why in the Why box first."


def _login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _press(user: User, report: Report, action: str, why: str, **extra: str) -> Any:
    url = reverse("admin:safety_report_act", args=[report.pk])
    return _login(user).post(url, {"action": action, "reason": why, **extra}, follow=True)


def _text(response: Any) -> str:
    return unescape(response.content.decode())


def _report(reporter: User, creator: User, prompt: str = "a picnic") -> Report:
    """reporter's cameo in creator's video, reported by the cameo's owner."""
    from generation.services import generation_request

    cameo_mark_verified(owner=reporter, display_name=reporter.username, embedding=[0.0] * 128)
    cameo = cameo_settings_update(owner=reporter, permission="everyone")
    job = generation_request(
        user=creator, prompt=prompt, duration_s=4, aspect="9:16", seed=1, cameo_ids=[cameo.pk]
    )
    return report_create(reporter=reporter, job_id=job.pk, reason="likeness", likeness=True)


def _nothing_written(report: Report, creator: User) -> None:
    report.refresh_from_db()
    creator.refresh_from_db()
    job = GenerationJob.objects.get(pk=report.job_id)
    assert report.status == "open" and job.taken_down_at is None
    assert creator.is_active and creator.suspended_until is None
    assert not ModerationAction.objects.exists() and not Strike.objects.exists()
    assert not Notification.objects.filter(recipient=creator).exclude(kind="cameo_used").exists()


def _staff(*perms: str) -> User:
    """Staff outside the moderators group, allowed to read the given models."""
    staff = make_user("stella")
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    staff.user_permissions.add(*Permission.objects.filter(codename__in=perms))
    return staff


# --- What the page shows ------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_shows_every_action_as_a_button_beside_the_why_box(
    alice: User, bob: User, moderator: User
) -> None:
    report = _report(alice, bob)
    page = _text(_login(moderator).get(reverse("admin:safety_report_change", args=[report.pk])))
    assert f'<form method="post" action="/admin/safety/report/{report.pk}/act/"' in page
    assert '<label for="id_act_reason" class="required">Why</label>' in page
    for name in BUTTONS:
        assert f'name="action" value="{name}"' in page
    for label in ("Remove the video", "Restore the video", "Release the hold", "Warn",
                  "Give a strike", "Suspend", "Ban", "Dismiss the report"):  # fmt: skip
        assert f'class="button">{label}</button>' in page
    assert 'name="days" id="id_act_days" value="7" min="1" max="365"' in page


@pytest.mark.django_db
def test_it_offers_no_video_or_person_buttons_where_the_report_has_neither(
    moderator: User,
) -> None:
    report = report_automatic(user=None, reason="minors", note="Blocked prompt")
    page = _text(_login(moderator).get(reverse("admin:safety_report_change", args=[report.pk])))
    assert 'value="dismiss_report"' in page
    assert (
        'value="remove_reported_video"' not in page and 'value="warn_reported_person"' not in page
    )


@pytest.mark.django_db
def test_staff_who_are_not_moderators_see_no_buttons(alice: User, bob: User) -> None:
    report = _report(alice, bob)
    url = reverse("admin:safety_report_change", args=[report.pk])
    page = _text(_login(_staff("view_report")).get(url))
    assert "a picnic" in page and 'data-testid="act"' not in page


# --- Each button as a moderator -----------------------------------------------------------------


def _check_removed(report: Report, bob: User) -> None:
    job = GenerationJob.objects.get(pk=report.job_id)
    assert job.taken_down_at is not None
    assert job.takedown_reason == "Removed by a moderator: Because I said so"


def _check_warned(report: Report, bob: User) -> None:
    note = Notification.objects.get(recipient=bob, kind="warned")
    assert note.text == "A moderator warned you: Because I said so"


def _check_struck(report: Report, bob: User) -> None:
    strike = Strike.objects.get()
    assert (strike.user, strike.report, strike.reason) == (bob, report, "Because I said so")


def _check_suspended(report: Report, bob: User) -> None:
    left = bob.suspended_until - timezone.now()
    assert dt.timedelta(days=11, hours=23) < left <= dt.timedelta(days=12)


def _check_banned(report: Report, bob: User) -> None:
    assert not bob.is_active


def _check_nothing_else(report: Report, bob: User) -> None:
    assert bob.is_active and GenerationJob.objects.get(pk=report.job_id).taken_down_at is None


CASES: dict[str, tuple[str, str, Callable[[Report, User], None]]] = {
    # button: (logged kind, report status afterwards, what else changed)
    "remove_reported_video": ("remove", "resolved", _check_removed),
    "warn_reported_person": ("warn", "resolved", _check_warned),
    "strike_reported_person": ("strike", "resolved", _check_struck),
    "suspend_reported_person": ("suspend", "resolved", _check_suspended),
    "ban_reported_person": ("ban", "resolved", _check_banned),
    "dismiss_report": ("dismiss", "dismissed", _check_nothing_else),
}


@pytest.mark.django_db
@pytest.mark.parametrize("button", list(CASES))
def test_each_button_acts_on_the_report_and_writes_the_log(
    alice: User, bob: User, moderator: User, button: str
) -> None:
    report = _report(alice, bob)
    response = _press(moderator, report, button, "  Because I said so ", days="12")
    assert response.redirect_chain[-1][0] == f"/admin/safety/report/{report.pk}/change/"
    assert "Done for 1. Each is in the moderation log." in _text(response)
    kind, status, check = CASES[button]
    action = ModerationAction.objects.get()
    assert (action.kind, action.moderator, action.target_user) == (kind, moderator, bob)
    assert action.reason.startswith("Because I said so")
    report.refresh_from_db()
    bob.refresh_from_db()
    assert report.status == status
    check(report, bob)


@pytest.mark.django_db
def test_the_release_button_lets_a_held_video_be_published(
    alice: User, bob: User, moderator: User
) -> None:
    report = _report(alice, bob, prompt="you killed that karaoke song!")
    assert GenerationJob.objects.get(pk=report.job_id).held_at is not None
    page = _text(_press(moderator, report, "release_reported_video", "Karaoke slang"))
    assert "Done for 1." in page
    job = GenerationJob.objects.get(pk=report.job_id)
    assert job.held_at is None and job.held_reason == ""
    action = ModerationAction.objects.get()
    assert (action.kind, action.job, action.reason) == ("release", job, "Karaoke slang")
    assert Report.objects.get(pk=report.pk).status == "resolved"


@pytest.mark.django_db
def test_the_restore_button_puts_a_removed_video_back(
    rendered: Callable[..., Any], alice: User, bob: User, moderator: User
) -> None:
    job = rendered(bob, "a red kite over green hills")
    post_publish(user=bob, job_id=job.pk)
    report = report_create(reporter=alice, job_id=job.pk, reason="violence")
    _press(moderator, report, "remove_reported_video", "Looked violent")
    page = _text(_press(moderator, report, "restore_reported_video", "It was a kite"))
    assert "Done for 1." in page
    assert "Restored content by mona: It was a kite" in page
    assert "Removed a video by mona: Looked violent" in page
    job.refresh_from_db()
    assert job.taken_down_at is None
    kinds = list(ModerationAction.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == ["remove", "restore"]


# --- Refusals -----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("button", BUTTONS)
@pytest.mark.parametrize("why", ["", "   "])
def test_an_empty_why_is_refused_and_nothing_is_written(
    alice: User, bob: User, moderator: User, button: str, why: str
) -> None:
    report = _report(alice, bob)
    assert NO_WHY in _text(_press(moderator, report, button, why, days="3"))
    _nothing_written(report, bob)


@pytest.mark.django_db
@pytest.mark.parametrize("button", BUTTONS)
def test_staff_who_are_not_moderators_are_refused_by_every_button(
    alice: User, bob: User, button: str
) -> None:
    report = _report(alice, bob)
    assert REFUSED in _text(_press(_staff("view_report"), report, button, "because", days="3"))
    _nothing_written(report, bob)


@pytest.mark.django_db
def test_staff_who_cannot_read_reports_and_visitors_are_turned_away(alice: User, bob: User) -> None:
    report = _report(alice, bob)
    url = reverse("admin:safety_report_act", args=[report.pk])
    data = {"action": "ban_reported_person", "reason": "because"}
    assert _login(_staff()).post(url, data).status_code == 403
    visitor = Client().post(url, data)
    assert visitor.status_code == 302 and "/admin/login/" in visitor["Location"]
    assert _login(alice).post(url, data).status_code == 302
    _nothing_written(report, bob)


@pytest.mark.django_db
def test_the_buttons_take_only_a_post(alice: User, bob: User, moderator: User) -> None:
    report = _report(alice, bob)
    url = reverse("admin:safety_report_act", args=[report.pk])
    response = _login(moderator).get(url, {"action": "ban_reported_person", "reason": "because"})
    assert response.status_code == 405
    _nothing_written(report, bob)


@pytest.mark.django_db
@pytest.mark.parametrize("days", ["0", "366", "abc", "-3", "2.5", ""])
def test_a_bad_number_of_days_is_refused_with_a_sentence_and_nothing_is_written(
    alice: User, bob: User, moderator: User, days: str
) -> None:
    report = _report(alice, bob)
    page = _text(_press(moderator, report, "suspend_reported_person", "Repeated misuse", days=days))
    assert "Suspend for 1 to 365 days." in page
    _nothing_written(report, bob)


@pytest.mark.django_db
def test_an_unknown_button_is_refused_and_nothing_is_written(
    alice: User, bob: User, moderator: User
) -> None:
    report = _report(alice, bob)
    page = _text(_press(moderator, report, "delete_selected", "because"))
    assert "Choose one of the action buttons." in page
    assert Report.objects.filter(pk=report.pk).exists()
    _nothing_written(report, bob)


# --- Names in the admin index -------------------------------------------------------------------


@pytest.mark.django_db
def test_the_admin_index_says_likeness_matches(moderator: User) -> None:
    page = _text(_login(moderator).get(reverse("admin:index")))
    assert "Likeness matches" in page and "Likeness matchs" not in page
