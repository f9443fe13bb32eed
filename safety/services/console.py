"""The moderators' console: warnings, strikes and appeals, restoring content, and working the
report queue.

Every moderator action checks the moderator first, writes its ModerationAction in the same
transaction and tells the people concerned. Strikes follow Mastodon's rules: the person sees the
reason, may appeal once within ``SORA_APPEAL_DAYS``, and ``SORA_STRIKES_TO_SUSPEND`` active
strikes suspend the account for ``SORA_STRIKE_SUSPEND_DAYS``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.services.users import notify
from generation.models import GenerationJob
from safety.models import Appeal, ModerationAction, Report, Strike
from safety.permissions import require_moderator
from safety.services.reports import close_reports, moderation_ban, moderation_suspend

APPEAL_LIMIT = 2000
REASON_LIMIT = 300
# The suspension a strike causes is told apart from a moderator's own suspension by this prefix,
# so reversing a strike lifts only a suspension the strikes caused.
STRIKE_SUSPENSION_PREFIX = "Strikes:"
# Only videos a moderator took down can come back; consent takedowns stay down.
MODERATOR_REMOVAL_PREFIX = "Removed by a moderator:"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _standing_url() -> str:
    return reverse("safety:standing")


def _person(moderator: User, user_id: int | None) -> User:
    person = User.objects.select_for_update().filter(pk=user_id).first() if user_id else None
    if person is None:
        raise ValidationError("There is no account to act on here.")
    if person.pk == moderator.pk:
        raise ValidationError("You can't act on your own account. Ask another moderator.")
    return person


def _report(report_id: int | None) -> Report | None:
    if report_id is None:
        return None
    report = Report.objects.select_for_update().filter(pk=report_id).first()
    if report is None:
        raise ValidationError("That report no longer exists. Reload the queue.")
    return report


def _close_report(report: Report | None, outcome: str, moderator: User) -> None:
    """Resolve a report (and the other open reports on its video) and tell each reporter.

    A report without a video (a profile, a comment, an automatic prompt report) is resolved on
    its own. A report that is already closed stays as it was: acting on it again, say a strike
    after a removal, doesn't tell the reporter twice.
    """
    if report is None:
        return
    if report.job_id is not None:
        close_reports(outcome, job=report.job)
        report.refresh_from_db(fields=["status", "resolved_at"])
    if report.status != Report.Status.OPEN:
        return
    report.status, report.resolved_at = Report.Status.RESOLVED, timezone.now()
    report.save(update_fields=["status", "resolved_at"])
    if report.reporter_id:
        notify(recipient_id=report.reporter_id, kind="report_outcome", text=outcome)


def _active_strikes(user_id: int) -> int:
    return Strike.objects.filter(
        user_id=user_id, reversed_at__isnull=True, expires_at__gt=timezone.now()
    ).count()


# --- Warnings and strikes -----------------------------------------------------------------------


@transaction.atomic
def moderation_warn(
    *, moderator: User, user_id: int, reason: str, report_id: int | None = None
) -> ModerationAction:
    """Tell a person what they did wrong, without a strike: a warning never counts toward a
    suspension, but the person sees it on their standing page."""
    require_moderator(moderator)
    person, report = _person(moderator, user_id), _report(report_id)
    action = ModerationAction.objects.create(
        moderator=moderator, kind=ModerationAction.Kind.WARN, target_user=person,
        reason=reason[:REASON_LIMIT], report=report, job_id=report.job_id if report else None,
    )  # fmt: skip
    notify(
        recipient=person, kind="warned", text=f"A moderator warned you: {reason}",
        url=_standing_url(),
    )  # fmt: skip
    _close_report(report, "A moderator reviewed your report and warned the account.", moderator)
    return action


@transaction.atomic
def moderation_reinstate(*, moderator: User, user_id: int, reason: str) -> ModerationAction:
    """Lift a suspension or a ban (a mistake, or one that served its purpose): the person may
    write again and their posts come back to the feeds. Admin offers this instead of editing
    ``suspended_until`` or ``is_active`` by hand, so the log says who lifted it and why."""
    require_moderator(moderator)
    person = _person(moderator, user_id)
    if person.is_active and not person.is_suspended:
        raise ValidationError("This account is neither suspended nor banned.")
    person.is_active, person.suspended_until = True, None
    person.save(update_fields=["is_active", "suspended_until"])
    notify(
        recipient=person, kind="reinstated",
        text=f"A moderator lifted the restriction on your account: {reason}", url=_standing_url(),
    )  # fmt: skip
    return ModerationAction.objects.create(
        moderator=moderator, kind=ModerationAction.Kind.REINSTATE, target_user=person,
        reason=reason[:REASON_LIMIT],
    )  # fmt: skip


@transaction.atomic
def moderation_strike(
    *,
    moderator: User,
    user_id: int,
    reason: str,
    report_id: int | None = None,
    job_id: int | None = None,
) -> ModerationAction:
    """Give a strike. It counts for ``SORA_STRIKE_ACTIVE_DAYS``; the strike that brings the
    active count to ``SORA_STRIKES_TO_SUSPEND`` also suspends the account (a second log row)."""
    require_moderator(moderator)
    person, report = _person(moderator, user_id), _report(report_id)
    job_id = job_id or (report.job_id if report else None)
    action = ModerationAction.objects.create(
        moderator=moderator, kind=ModerationAction.Kind.STRIKE, target_user=person,
        reason=reason[:REASON_LIMIT], report=report, job_id=job_id,
    )  # fmt: skip
    Strike.objects.create(
        user=person, reason=reason[:REASON_LIMIT], report=report, job_id=job_id, action=action,
        expires_at=timezone.now() + dt.timedelta(days=settings.SORA_STRIKE_ACTIVE_DAYS),
    )  # fmt: skip
    active, limit = _active_strikes(person.pk), settings.SORA_STRIKES_TO_SUSPEND
    if active >= limit:
        days = _suspend_for_strikes(moderator, person, active)
        text = (
            f"Your account is suspended for {_plural(days, 'day')}: you have "
            f"{_plural(active, 'active strike')}. The latest: {reason}"
        )
    else:
        text = f"You received a strike ({active} of {limit} before a suspension): {reason}"
    notify(recipient=person, kind="strike", text=text, url=_standing_url())
    _close_report(
        report, "A moderator reviewed your report and gave the account a strike.", moderator
    )
    return action


def _suspend_for_strikes(moderator: User, person: User, active: int) -> int:
    """Suspend for ``SORA_STRIKE_SUSPEND_DAYS`` (never shortening a longer suspension)."""
    days = settings.SORA_STRIKE_SUSPEND_DAYS
    until = timezone.now() + dt.timedelta(days=days)
    if person.suspended_until is None or person.suspended_until < until:
        person.suspended_until = until
        person.save(update_fields=["suspended_until"])
    ModerationAction.objects.create(
        moderator=moderator, kind=ModerationAction.Kind.SUSPEND, target_user=person,
        reason=f"{STRIKE_SUSPENSION_PREFIX} {_plural(active, 'active strike')} ({days} days)",
    )  # fmt: skip
    return days


# --- Acting on a report's person ----------------------------------------------------------------


def _report_person(report: Report) -> int:
    if report.reported_user_id is None:
        raise ValidationError("This report doesn't name an account, so there is nobody to act on.")
    return report.reported_user_id


def _link_report(action: ModerationAction, report: Report) -> None:
    # The suspend and ban services predate reports; tie their fresh log row to the report in the
    # same transaction, before anyone can read it, so the log names the report that led to it.
    ModerationAction.objects.filter(pk=action.pk).update(report=report, job_id=report.job_id)
    action.report, action.job_id = report, report.job_id


@transaction.atomic
def report_suspend(*, moderator: User, report_id: int, days: int, reason: str) -> ModerationAction:
    """Suspend the reported account for N days and close the report."""
    require_moderator(moderator)
    report = _report(report_id)
    user_id = _report_person(report)
    _person(moderator, user_id)
    action = moderation_suspend(moderator=moderator, user_id=user_id, days=days, reason=reason)
    _link_report(action, report)
    _close_report(report, "A moderator reviewed your report and suspended the account.", moderator)
    return action


@transaction.atomic
def report_ban(*, moderator: User, report_id: int, reason: str) -> ModerationAction:
    """Close the reported account and the report."""
    require_moderator(moderator)
    report = _report(report_id)
    action = moderation_ban(moderator=moderator, user_id=_report_person(report), reason=reason)
    _link_report(action, report)
    _close_report(report, "A moderator reviewed your report and closed the account.", moderator)
    return action


@transaction.atomic
def report_assign(*, moderator: User, report_id: int) -> Report:
    """Take a report from the queue. Taking one another moderator holds is allowed (they may be
    away); the queue's assignee filter shows who has what. Assignment is not an action on a
    person, so it writes no log row."""
    require_moderator(moderator)
    report = _report(report_id)
    if report.status != Report.Status.OPEN:
        raise ValidationError("This report is already closed, so there is nothing to take.")
    if report.assignee_id != moderator.pk:
        report.assignee = moderator
        report.save(update_fields=["assignee"])
    return report


# --- Restoring a removed video ------------------------------------------------------------------


def _files_still_stored(job: Any) -> bool:
    names = [name for name in (job.video.name, job.poster.name) if name]
    return bool(job.video.name) and all(default_storage.exists(name) for name in names)


@transaction.atomic
def moderation_restore_video(*, moderator: User, job_id: int, reason: str) -> ModerationAction:
    """Undo a moderator's removal.

    A removal queues a job that deletes the video's files once it runs. That job skips videos
    that are no longer down, so a restore that commits first keeps them; after it has run the
    files are gone and the restore is refused. Videos taken down because consent was withdrawn
    stay down: only the cameo's owner can decide those.
    """
    require_moderator(moderator)
    job = GenerationJob.objects.select_for_update().filter(pk=job_id).first()
    if job is None:
        raise ValidationError("That video no longer exists.")
    if job.taken_down_at is None:
        raise ValidationError("This video isn't down, so there is nothing to restore.")
    if not job.takedown_reason.startswith(MODERATOR_REMOVAL_PREFIX):
        raise ValidationError(
            "This video came down because consent for a cameo in it was withdrawn. "
            "Moderators can't put it back; only a video a moderator removed can be restored."
        )
    if not _files_still_stored(job):
        raise ValidationError(
            "This video's files have already been deleted, so it can't be restored. "
            "Tell the creator they can make it again from the same prompt."
        )
    job.taken_down_at, job.takedown_reason = None, ""
    job.save(update_fields=["taken_down_at", "takedown_reason"])
    close_reports("A moderator reviewed the video you reported and left it up.", job=job)
    notify(
        recipient_id=job.creator_id, kind="restored",
        text=f"A moderator restored your video: {reason}",
        url=reverse("generation:job", args=[job.pk]),
    )  # fmt: skip
    return ModerationAction.objects.create(
        moderator=moderator, kind=ModerationAction.Kind.RESTORE, reason=reason[:REASON_LIMIT],
        target_user_id=job.creator_id, job=job,
    )  # fmt: skip


# --- Appeals ------------------------------------------------------------------------------------


def _appeal_deadline(strike: Strike) -> dt.datetime:
    return strike.created_at + dt.timedelta(days=settings.SORA_APPEAL_DAYS)


@transaction.atomic
def appeal_create(*, user: User, strike_id: int, text: str) -> Appeal:
    """Appeal one's own strike: once, within ``SORA_APPEAL_DAYS``, with a message. Someone
    else's strike is a 404."""
    strike = Strike.objects.select_for_update().filter(pk=strike_id, user_id=user.pk).first()
    if strike is None:
        raise Http404("No such strike.")
    if Appeal.objects.filter(strike=strike).exists():
        raise ValidationError(
            "You've already appealed this strike. Each strike can be appealed once."
        )
    if strike.reversed_at is not None:
        raise ValidationError("This strike was already reversed, so there is nothing to appeal.")
    if timezone.now() > _appeal_deadline(strike):
        raise ValidationError(
            f"A strike can be appealed within {settings.SORA_APPEAL_DAYS} days. The window for "
            f"this one closed on {_appeal_deadline(strike):%d %b %Y}."
        )
    text = text.strip()
    if not text:
        raise ValidationError("Write why you think the strike was a mistake, then send it.")
    if len(text) > APPEAL_LIMIT:
        raise ValidationError(
            f"That's {len(text):,} characters; the limit is {APPEAL_LIMIT:,}. "
            "Shorten it and try again."
        )
    return Appeal.objects.create(strike=strike, text=text)


@transaction.atomic
def appeal_decide(
    *, moderator: User, appeal_id: int, uphold: bool, reason: str
) -> ModerationAction:
    """Uphold or reverse a strike on appeal and tell the person. Reversing also lifts the
    suspension the strikes caused once the person is below the threshold again."""
    require_moderator(moderator)
    appeal = Appeal.objects.select_for_update().select_related("strike").filter(pk=appeal_id)
    appeal = appeal.first()
    if appeal is None:
        raise ValidationError("That appeal no longer exists.")
    if appeal.decision != Appeal.Decision.PENDING:
        raise ValidationError("This appeal has already been decided.")
    strike = appeal.strike
    person = _person(moderator, strike.user_id)
    now = timezone.now()
    appeal.decision = Appeal.Decision.UPHELD if uphold else Appeal.Decision.REVERSED
    appeal.moderator, appeal.response, appeal.decided_at = moderator, reason[:REASON_LIMIT], now
    appeal.save(update_fields=["decision", "moderator", "response", "decided_at"])
    lifted = False
    if uphold:
        text = f"A moderator reviewed your appeal and upheld the strike: {reason}"
    else:
        strike.reversed_at = now
        strike.save(update_fields=["reversed_at"])
        lifted = _lift_strike_suspension(person)
        text = f"A moderator reversed your strike on appeal; it no longer counts. {reason}"
        if lifted:
            text = f"Your suspension is lifted. {text}"
    notify(recipient=person, kind="appeal_decided", text=text, url=_standing_url())
    logged = reason if not lifted else f"{reason[: REASON_LIMIT - 30]} (suspension lifted)"
    return ModerationAction.objects.create(
        moderator=moderator, target_user=person, reason=logged, report_id=strike.report_id,
        kind=ModerationAction.Kind.UPHOLD if uphold else ModerationAction.Kind.REVERSE,
        job_id=strike.job_id,
    )  # fmt: skip


def _lift_strike_suspension(person: User) -> bool:
    """End a running suspension if strikes caused it and the person is now below the limit. A
    suspension a moderator gave for its own reasons, after the strikes, stays."""
    if not person.is_suspended or _active_strikes(person.pk) >= settings.SORA_STRIKES_TO_SUSPEND:
        return False
    latest = (
        ModerationAction.objects.filter(target_user=person, kind=ModerationAction.Kind.SUSPEND)
        .order_by("-created_at", "-id")
        .first()
    )
    if latest is None or not latest.reason.startswith(STRIKE_SUSPENSION_PREFIX):
        return False
    person.suspended_until = None
    person.save(update_fields=["suspended_until"])
    return True


# --- Reads --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StrikeView:
    """A strike as its person sees it on the standing page."""

    strike: Strike
    active: bool
    counts_until: dt.datetime
    appeal: Appeal | None
    appeal_deadline: dt.datetime
    appealable: bool


def strikes_for(user: User) -> list[StrikeView]:
    """A person's strikes, newest first, with whether each still counts and can be appealed."""
    now = timezone.now()
    views = []
    for strike in Strike.objects.filter(user_id=user.pk).select_related("appeal"):
        appeal = getattr(strike, "appeal", None)
        deadline = _appeal_deadline(strike)
        active = strike.reversed_at is None and strike.expires_at > now
        appealable = appeal is None and strike.reversed_at is None and now <= deadline
        views.append(StrikeView(strike, active, strike.expires_at, appeal, deadline, appealable))
    return views


def warnings_for(user: User) -> list[ModerationAction]:
    """The warnings a person received, newest first; they never count toward a suspension."""
    return list(
        ModerationAction.objects.filter(target_user_id=user.pk, kind=ModerationAction.Kind.WARN)
    )
