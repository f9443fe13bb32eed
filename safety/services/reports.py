"""Reports and the moderators' first actions: filing a report (a video, a profile, a comment, a
message) and its message thread, dismissing or closing reports with a word to each reporter,
releasing a hold, taking a video down, and suspending or banning an account. Each action writes
its ModerationAction in the same transaction. Strikes, warnings, appeals and the console's
report-level actions are in ``console``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from accounts.blocked import is_blocked_between
from accounts.models import Notification, User
from accounts.services.users import notify
from feed.selectors.social import comment_get_visible, message_get_for_participant
from generation.models import GenerationJob
from generation.selectors import public_post_for
from generation.services.takedown import generation_takedown
from safety.models import LikenessMatch, ModerationAction, Report, ReportMessage
from safety.permissions import is_moderator, require_moderator
from safety.services.text_checks import REPORT_NOTE_LIMIT


def _job_visible_to(job: Any, user: User) -> bool:
    """A person may report a video they can see: a public post, their own, one with their cameo
    in it, or one held because it looks like them."""
    if job.creator_id == user.pk or public_post_for(job, viewer=user) is not None:
        return True
    if job.cameo_uses.filter(cameo__owner=user).exists():
        return True
    return LikenessMatch.objects.filter(scan__job=job, cameo_owner=user).exists()


@transaction.atomic
def report_create(
    *, reporter: User, job_id: int, reason: str, note: str = "", likeness: bool = False
) -> Report:
    """Report a video to the moderators. Reporting the same video again while the first report
    is open adds to its count rather than making another."""
    job = GenerationJob.objects.filter(pk=job_id).first()
    if job is None or not _job_visible_to(job, reporter):
        raise Http404("No such video.")
    if reason not in Report.Reason.values:
        raise ValidationError("Choose a reason from the list.")
    if len(note) > REPORT_NOTE_LIMIT:
        raise ValidationError(f"Keep the note to {REPORT_NOTE_LIMIT:,} characters.")
    existing = (
        Report.objects.select_for_update()
        .filter(reporter=reporter, job=job, status=Report.Status.OPEN)
        .first()
    )
    if existing is not None:
        existing.duplicates += 1
        existing.save(update_fields=["duplicates"])
        return existing
    return Report.objects.create(
        reporter=reporter,
        target=Report.Target.LIKENESS if likeness else Report.Target.VIDEO,
        job=job,
        reported_user=job.creator,
        reason=reason,
        note=note.strip(),
    )


# --- Moderators' actions ------------------------------------------------------------------------


def close_reports(outcome: str, **target: object) -> list[Report]:
    """Resolve the open reports on one target (``job=``, ``comment=``, ``message=`` or
    ``reported_user=``) and tell each reporter the outcome."""
    open_reports = Report.objects.select_for_update().filter(status=Report.Status.OPEN, **target)
    reports = list(open_reports)
    for report in reports:
        report.status, report.resolved_at = Report.Status.RESOLVED, timezone.now()
        report.save(update_fields=["status", "resolved_at"])
        if report.reporter_id:
            notify(recipient_id=report.reporter_id, kind="report_outcome", text=outcome)
    return reports


@transaction.atomic
def moderation_release_hold(*, moderator: User, job_id: int, reason: str) -> ModerationAction:
    """A moderator looked at a held video and lets its creator publish it."""
    require_moderator(moderator)
    job = GenerationJob.objects.select_for_update().get(pk=job_id)
    if job.held_at is None:
        raise ValidationError("This video isn't held.")
    job.held_at, job.held_reason = None, ""
    job.save(update_fields=["held_at", "held_reason"])
    close_reports("A moderator reviewed the video you reported and left it up.", job=job)
    notify(
        recipient_id=job.creator_id, kind="hold_released",
        text="A moderator reviewed your video. You can publish it now.",
        url=reverse("generation:job", args=[job.pk]),
    )  # fmt: skip
    return ModerationAction.objects.create(
        moderator=moderator, kind=ModerationAction.Kind.RELEASE, reason=reason,
        target_user_id=job.creator_id, job=job,
    )  # fmt: skip


@transaction.atomic
def moderation_remove_video(*, moderator: User, job_id: int, reason: str) -> ModerationAction:
    """Take a video down (draft or post) for breaking the rules, through the same takedown as
    every other path: a render still waiting or in progress stops, and a job deletes its files."""
    require_moderator(moderator)
    job = GenerationJob.objects.select_for_update().get(pk=job_id)
    if job.taken_down_at is not None:
        raise ValidationError("This video is already down.")
    generation_takedown(
        job_ids=[job.pk], reason=f"Removed by a moderator: {reason}",
        notice=f"A moderator removed one of your videos: {reason}",
    )  # fmt: skip
    close_reports("A moderator removed the video you reported. Thank you.", job=job)
    return ModerationAction.objects.create(
        moderator=moderator, kind=ModerationAction.Kind.REMOVE, reason=reason,
        target_user_id=job.creator_id, job=job,
    )  # fmt: skip


@transaction.atomic
def report_dismiss(*, moderator: User, report_id: int, reason: str) -> ModerationAction:
    require_moderator(moderator)
    report = Report.objects.select_for_update().get(pk=report_id)
    if report.status != Report.Status.OPEN:
        raise ValidationError("This report is already closed.")
    report.status, report.resolved_at = Report.Status.DISMISSED, timezone.now()
    report.save(update_fields=["status", "resolved_at"])
    if report.reporter_id:
        notify(
            recipient_id=report.reporter_id, kind="report_outcome",
            text="A moderator reviewed your report and found the video within the rules.",
        )  # fmt: skip
    return ModerationAction.objects.create(
        moderator=moderator, kind=ModerationAction.Kind.DISMISS, reason=reason,
        target_user_id=report.reported_user_id, job_id=report.job_id, report=report,
    )  # fmt: skip


MAX_SUSPENSION_DAYS = 365


@transaction.atomic
def moderation_suspend(
    *, moderator: User, user_id: int, days: int, reason: str
) -> ModerationAction:
    """Suspend an account for N days: its session ends and every service refuses its writes."""
    require_moderator(moderator)
    if not 1 <= days <= MAX_SUSPENSION_DAYS:
        raise ValidationError(f"Suspend for 1 to {MAX_SUSPENSION_DAYS} days.")
    person = User.objects.select_for_update().get(pk=user_id)
    if person.pk == moderator.pk:
        raise ValidationError("You can't suspend yourself.")
    person.suspended_until = timezone.now() + dt.timedelta(days=days)
    person.save(update_fields=["suspended_until"])
    notify(
        recipient=person, kind="suspended",
        text=f"Your account is suspended for {days} day{'s' if days != 1 else ''}: {reason}",
    )  # fmt: skip
    return ModerationAction.objects.create(
        moderator=moderator, kind=ModerationAction.Kind.SUSPEND, target_user=person,
        reason=f"{reason} ({days} days)",
    )  # fmt: skip


@transaction.atomic
def moderation_ban(*, moderator: User, user_id: int, reason: str) -> ModerationAction:
    """Close an account: it can't log in, and its posts leave every feed in this transaction
    (feeds list only active authors)."""
    require_moderator(moderator)
    person = User.objects.select_for_update().get(pk=user_id)
    if person.pk == moderator.pk or person.is_superuser:
        raise ValidationError("That account can't be banned from here.")
    if not person.is_active:
        raise ValidationError("This account is already banned.")
    person.is_active = False
    person.save(update_fields=["is_active"])
    return ModerationAction.objects.create(
        moderator=moderator, kind=ModerationAction.Kind.BAN, target_user=person, reason=reason
    )


# --- Messages on a report -----------------------------------------------------------------------

REPORT_MESSAGE_LIMIT = 2000


@transaction.atomic
def report_message_create(*, author: User, report_id: int, text: str) -> Any:
    """Add a message to a report's thread. The reporter writes from their report's page; a
    moderator writes from admin. The other side is notified. Anyone else gets a 404."""
    report = Report.objects.select_for_update().filter(pk=report_id).first()
    if report is None or not (is_moderator(author) or report.reporter_id == author.pk):
        raise Http404("No such report.")
    text = text.strip()
    if not text:
        raise ValidationError("Write a message first.")
    if len(text) > REPORT_MESSAGE_LIMIT:
        raise ValidationError(
            f"That's {len(text):,} characters; the limit is {REPORT_MESSAGE_LIMIT:,}."
        )
    from_moderator = is_moderator and report.reporter_id != author.pk
    message = ReportMessage.objects.create(
        report=report, author=author, from_moderator=from_moderator, text=text
    )
    if from_moderator and report.reporter_id:
        notify(
            recipient_id=report.reporter_id, kind="report_message",
            text="A moderator wrote to you about your report.",
            url=reverse("safety:report_detail", args=[report.pk]),
        )  # fmt: skip
    return message


# --- Reports from the reporter's side -----------------------------------------------------------


def _check_report_input(reason: str, note: str) -> None:
    if reason not in Report.Reason.values:
        raise ValidationError("Choose a reason from the list.")
    if len(note) > REPORT_NOTE_LIMIT:
        raise ValidationError(f"Keep the note to {REPORT_NOTE_LIMIT:,} characters.")


@transaction.atomic
def report_create_profile(*, reporter: User, username: str, reason: str, note: str = "") -> Report:
    """Report a person's profile. Unknown, closed and blocked (either way) accounts are a 404;
    reporting the same profile again while the first report is open adds to its count."""
    person = User.objects.filter(username__iexact=username, is_active=True).first()
    if person is None or is_blocked_between(reporter, person):
        raise Http404("No such person.")
    if person.pk == reporter.pk:
        raise ValidationError("You can't report your own profile.")
    _check_report_input(reason, note)
    mine = {"reporter": reporter, "target": Report.Target.PROFILE, "reported_user": person}
    existing = Report.objects.select_for_update().filter(**mine, status=Report.Status.OPEN).first()
    if existing is not None:
        existing.duplicates += 1
        existing.save(update_fields=["duplicates"])
        return existing
    return Report.objects.create(**mine, reason=reason, note=note.strip())


@transaction.atomic
def report_replies_mark_read(*, user: User, report_id: int) -> int:
    """The reporter opened their report: the notifications of moderator replies on it are read.
    Those unread notifications are what "unread replies" counts on the reporter's list."""
    url = reverse("safety:report_detail", args=[report_id])
    return Notification.objects.filter(
        recipient=user, kind="report_message", url=url, read_at__isnull=True
    ).update(read_at=timezone.now())


# --- Reports of comments and direct messages ----------------------------------------------------


def _report_merged(*, reporter: User, reason: str, note: str, **target: Any) -> Report:
    """One open report per reporter and comment or message: reporting again adds to its count."""
    _check_report_input(reason, note)
    lookup = {k: v for k, v in target.items() if k in ("comment", "message")}
    existing = (
        Report.objects.select_for_update()
        .filter(reporter=reporter, status=Report.Status.OPEN, **lookup)
        .first()
    )
    if existing is not None:
        existing.duplicates += 1
        existing.save(update_fields=["duplicates"])
        return existing
    return Report.objects.create(reporter=reporter, reason=reason, note=note.strip(), **target)


@transaction.atomic
def report_create_comment(
    *, reporter: User, comment_id: int, reason: str, note: str = ""
) -> Report:
    """Report a comment the reporter can see and didn't write; anything else is a 404."""
    comment = comment_get_visible(viewer=reporter, comment_id=comment_id)
    if comment.author_id == reporter.pk:
        raise Http404("No such comment.")
    return _report_merged(
        reporter=reporter, reason=reason, note=note, target=Report.Target.COMMENT,
        comment=comment, reported_user_id=comment.author_id,
    )  # fmt: skip


@transaction.atomic
def report_create_message(
    *, reporter: User, message_id: int, reason: str, note: str = ""
) -> Report:
    """Report a direct message sent to the reporter; anyone else's messages are a 404."""
    message = message_get_for_participant(viewer=reporter, message_id=message_id)
    return _report_merged(
        reporter=reporter, reason=reason, note=note, target=Report.Target.DM,
        message=message, reported_user_id=message.sender_id,
    )  # fmt: skip
