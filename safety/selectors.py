"""Reads for safety pages. A report is shown only to the person who made it (moderators read
reports in admin); anyone else gets a 404."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.http import Http404
from django.urls import reverse

from accounts.models import Notification, User
from safety.models import ModerationAction, Report, ReportMessage

# What the reporter reads when a moderator acted on their report: the outcome, never the
# moderator's private reason.
OUTCOMES = {
    ModerationAction.Kind.REMOVE: "the video was removed",
    ModerationAction.Kind.RELEASE: "a moderator reviewed it and left it up",
    ModerationAction.Kind.WARN: "the person was warned",
    ModerationAction.Kind.STRIKE: "the person got a strike",
    ModerationAction.Kind.SUSPEND: "the account was suspended",
    ModerationAction.Kind.BAN: "the account was closed",
    ModerationAction.Kind.HIDE: "it was hidden",
    ModerationAction.Kind.RESTORE: "a moderator reviewed it and restored it",
}


@dataclass(frozen=True)
class ReportView:
    """A report as its reporter sees it."""

    report: Report
    status: str  # "Waiting for a moderator", "Resolved: …", "Dismissed"
    unread: int  # moderator replies the reporter hasn't opened yet

    @property
    def is_open(self) -> bool:
        return self.report.status == Report.Status.OPEN

    @property
    def target(self) -> str:
        """What was reported, in words: "A video by @bob", "@bob's profile"."""
        who = self.report.reported_user
        handle = f"@{who.username}" if who is not None else "an account that no longer exists"
        return {
            Report.Target.VIDEO: f"A video by {handle}",
            Report.Target.LIKENESS: f"A video by {handle} that uses your likeness",
            Report.Target.PROFILE: f"{handle}'s profile",
            Report.Target.COMMENT: f"A comment by {handle}",
            Report.Target.DM: f"A direct message from {handle}",
        }.get(self.report.target, self.report.get_target_display())


def _outcome(report: Report) -> str:
    """The action that closed a report: one filed against it, else one on its video since."""
    action = report.actions.order_by("-created_at", "-id").first()
    if action is None and report.job_id is not None:
        action = (
            ModerationAction.objects.filter(
                job_id=report.job_id,
                created_at__gte=report.created_at,
                kind__in=[ModerationAction.Kind.REMOVE, ModerationAction.Kind.RELEASE],
            )
            .order_by("-created_at", "-id")
            .first()
        )
    return OUTCOMES.get(action.kind, "") if action is not None else ""


def report_status(report: Report) -> str:
    """The status in words, with the outcome when it was resolved."""
    if report.status == Report.Status.RESOLVED:
        outcome = _outcome(report)
        return f"Resolved: {outcome}" if outcome else "Resolved"
    return report.get_status_display()


def _unread_by_report(user: User) -> Counter[str]:
    urls = Notification.objects.filter(
        recipient=user, kind="report_message", read_at__isnull=True
    ).values_list("url", flat=True)
    return Counter(urls)


def reports_for_reporter(*, user: User, limit: int = 200) -> list[ReportView]:
    """The reports this person made, newest first."""
    reports = Report.objects.filter(reporter=user).select_related("reported_user", "job")[:limit]
    unread = _unread_by_report(user)
    return [
        ReportView(
            report=r,
            status=report_status(r),
            unread=unread[reverse("safety:report_detail", args=[r.pk])],
        )
        for r in reports
    ]


def report_get_for_reporter(*, user: User, report_id: int) -> ReportView:
    """One of this person's reports; 404 for anyone else's, or for none."""
    report = (
        Report.objects.filter(pk=report_id, reporter_id=user.pk)
        .select_related("reported_user", "job", "comment", "message")
        .first()
    )
    if report is None:
        raise Http404("No such report.")
    unread = _unread_by_report(user)[reverse("safety:report_detail", args=[report.pk])]
    return ReportView(report=report, status=report_status(report), unread=unread)


def report_thread(*, report: Report) -> list[ReportMessage]:
    """The messages between the reporter and the moderators, oldest first."""
    return list(report.messages.select_related("author"))
