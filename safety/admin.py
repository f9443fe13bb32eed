"""The moderators' console in Django admin.

Moderators (the ``moderators`` group: staff, not superusers) read reports, scans and the log, and
act only through admin actions that call the services in ``safety.services.reports`` and
``safety.services.console``: those check who is acting and write the audit log. No admin form edits
a report, a strike or an appeal directly, for superusers either. ``ServicesOnlyAdmin`` is the
read-only base every app's admin uses for the rows its services guard, and the actions at the end of
this module (take a video down, release a hold, warn, strike, suspend, ban) are the ones those
admins offer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Q, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.views.decorators.http import require_POST

from safety.models import (
    Appeal,
    LikenessMatch,
    ModerationAction,
    PublicFigure,
    Report,
    ReportMessage,
    Strike,
    VideoScan,
    WatchedWord,
)
from safety.permissions import is_moderator
from safety.services import console
from safety.services import reports as services
from sora_site import refusals


class ServicesOnlyAdmin(admin.ModelAdmin):
    """Rows that services write, check and audit (posts, jobs, cameos, grants, scans, strikes,
    appeals, messages...): everyone, superusers included, reads them here and changes them only
    through admin actions that call those services. With no add, change or delete permission,
    Django shows a read-only page and drops "Delete selected" from the action list."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


# --- Acting from admin --------------------------------------------------------------------------


class ReasonActionForm(ActionForm):
    """Every moderation action says why: the reason goes into the audit log and to the person."""

    reason = forms.CharField(
        required=False, max_length=300, label="Why",
        widget=forms.TextInput(attrs={"size": 40}),
    )  # fmt: skip


class SuspendActionForm(ReasonActionForm):
    # Text, not an IntegerField: a bad number must reach the service and its sentence, where a
    # failed action form would only say "No action selected."
    days = forms.CharField(
        required=False, label="Days", initial="7",
        widget=forms.NumberInput(
            attrs={"min": 1, "max": services.MAX_SUSPENSION_DAYS, "style": "width: 5em"}
        ),
    )  # fmt: skip


def run_moderation(
    modeladmin: admin.ModelAdmin, request: HttpRequest, items: Any, act: Callable[..., Any]
) -> None:
    """Apply ``act(moderator=, obj=, reason=)`` to each item, reporting each refusal."""
    reason = request.POST.get("reason", "").strip()
    if not reason:
        modeladmin.message_user(request, "Write why in the Why box first.", messages.ERROR)
        return
    done = 0
    for obj in items:
        try:
            act(moderator=request.user, obj=obj, reason=reason)
            done += 1
        except (ValidationError, PermissionDenied) as exc:
            text = " ".join(getattr(exc, "messages", [str(exc)]))
            modeladmin.message_user(request, f"{obj}: {text}", messages.ERROR)
    if done:
        modeladmin.message_user(request, f"Done for {done}. Each is in the moderation log.")


def moderation_action(
    name: str, description: str, act: Callable[[Any, Any, str, HttpRequest], Any]
) -> Callable[..., None]:
    """An admin action (its form value is ``name``) that applies
    ``act(moderator, obj, reason, request)`` to each selected row through ``run_moderation``."""

    def action(modeladmin: admin.ModelAdmin, request: HttpRequest, qs: Any) -> None:
        def each(*, moderator: Any, obj: Any, reason: str) -> None:
            act(moderator, obj, reason, request)

        run_moderation(modeladmin, request, qs, each)

    action.__name__ = name
    return admin.action(description=description)(action)


def _days(request: HttpRequest) -> int:
    # A missing or garbled number becomes 0, which the service refuses with its sentence.
    try:
        return int(request.POST.get("days") or 0)
    except ValueError:
        return 0


def _reported_video(report: Report) -> int:
    if report.job_id is None:
        raise ValidationError("This report has no video.")
    return report.job_id


# --- Report actions -----------------------------------------------------------------------------


@admin.action(description="Assign to me")
def assign_to_me(modeladmin: admin.ModelAdmin, request: HttpRequest, qs: Any) -> None:
    done = 0
    for report in qs:
        try:
            console.report_assign(moderator=request.user, report_id=report.pk)
            done += 1
        except (ValidationError, PermissionDenied) as exc:
            text = " ".join(getattr(exc, "messages", [str(exc)]))
            modeladmin.message_user(request, f"{report}: {text}", messages.ERROR)
    if done:
        modeladmin.message_user(
            request, f"Assigned {done} report{'s' if done != 1 else ''} to you."
        )


remove_reported_video = moderation_action(
    "remove_reported_video", "Remove the reported video",
    lambda mod, report, why, _: services.moderation_remove_video(
        moderator=mod, job_id=_reported_video(report), reason=why
    ),
)  # fmt: skip
restore_reported_video = moderation_action(
    "restore_reported_video", "Restore the reported video (undo a removal)",
    lambda mod, report, why, _: console.moderation_restore_video(
        moderator=mod, job_id=_reported_video(report), reason=why
    ),
)  # fmt: skip
release_reported_video = moderation_action(
    "release_reported_video", "Release the reported video's hold",
    lambda mod, report, why, _: services.moderation_release_hold(
        moderator=mod, job_id=_reported_video(report), reason=why
    ),
)  # fmt: skip
warn_reported_person = moderation_action(
    "warn_reported_person", "Warn the reported person",
    lambda mod, report, why, _: console.moderation_warn(
        moderator=mod, user_id=report.reported_user_id, reason=why, report_id=report.pk
    ),
)  # fmt: skip
strike_reported_person = moderation_action(
    "strike_reported_person", "Give the reported person a strike",
    lambda mod, report, why, _: console.moderation_strike(
        moderator=mod, user_id=report.reported_user_id, reason=why, report_id=report.pk
    ),
)  # fmt: skip
suspend_reported_person = moderation_action(
    "suspend_reported_person", "Suspend the reported person for the number of days given",
    lambda mod, report, why, request: console.report_suspend(
        moderator=mod, report_id=report.pk, days=_days(request), reason=why
    ),
)  # fmt: skip
ban_reported_person = moderation_action(
    "ban_reported_person", "Ban the reported person (close the account)",
    lambda mod, report, why, _: console.report_ban(moderator=mod, report_id=report.pk, reason=why),
)  # fmt: skip
dismiss_report = moderation_action(
    "dismiss_report", "Dismiss the report",
    lambda mod, report, why, _: services.report_dismiss(
        moderator=mod, report_id=report.pk, reason=why
    ),
)  # fmt: skip


# The buttons on a report's own page: the queue's actions, in the order a moderator reaches for
# them, with what each needs the report to have (a video or an account) to be offered at all.
PAGE_ACTIONS: dict[str, tuple[Callable[..., None], str, str]] = {
    action.__name__: (action, label, needs)
    for action, label, needs in (
        (remove_reported_video, "Remove the video", "video"),
        (restore_reported_video, "Restore the video", "video"),
        (release_reported_video, "Release the hold", "video"),
        (warn_reported_person, "Warn", "person"),
        (strike_reported_person, "Give a strike", "person"),
        (suspend_reported_person, "Suspend", "person"),
        (ban_reported_person, "Ban", "person"),
        (dismiss_report, "Dismiss the report", ""),
    )
}


def page_actions(report: Report) -> list[tuple[str, str]]:
    """(action name, button label) for each button the report's page shows. The services still
    decide whether an action may happen (a restore of a video that is up is refused there)."""
    has = {"video": report.job_id is not None, "person": report.reported_user_id is not None}
    return [
        (name, label) for name, (_, label, needs) in PAGE_ACTIONS.items() if not needs or has[needs]
    ]


# --- The report's preview -----------------------------------------------------------------------


def _facts(rows: list[tuple[str, Any]]) -> SafeString:
    body = format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows)
    return format_html('<table class="report-facts">{}</table>', body)


def _video_state(job: Any) -> str:
    if job.taken_down_at is not None:
        return f"Taken down {job.taken_down_at:%d %b %Y %H:%M}: {job.takedown_reason}"
    if job.held_at is not None:
        return f"Held: {job.held_reason}"
    return "Published" if hasattr(job, "post") else f"Draft ({job.get_status_display()})"


def _player(job: Any) -> SafeString:
    if not job.video:
        return format_html("<p>{}</p>", "The video's files are gone, or it never finished.")
    poster = job.poster.url if job.poster else ""
    return format_html(
        '<video controls preload="metadata" width="270" poster="{}" src="{}" '
        'data-testid="report-video"></video>',
        poster, job.video.url,
    )  # fmt: skip


def _cameo_uses(job: Any) -> SafeString:
    uses = list(job.cameo_uses.select_related("cameo__owner"))
    if not uses:
        return format_html("{}", "No cameos.")
    rows = (
        (
            use.cameo.owner.handle, use.get_state_display(),
            "not measured" if use.identity_distance is None else f"{use.identity_distance:.2f}",
        )
        for use in uses
    )  # fmt: skip
    return format_html(
        "<ul>{}</ul>", format_html_join("", "<li>{}: {}, identity distance {}</li>", rows)
    )


def _scan(job: Any) -> SafeString:
    scan = VideoScan.objects.filter(job=job).prefetch_related("matches__cameo_owner").first()
    if scan is None:
        return format_html("{}", "Not scanned yet.")
    matches = [
        (m.cameo_owner.handle if m.cameo_owner else "a deleted account", f"{m.distance:.2f}",
         m.frame_index)
        for m in scan.matches.all()
    ]  # fmt: skip
    found = format_html_join("", "<li>{} at distance {} (frame {})</li>", matches)
    nudity = "not checked"
    if scan.nudity_threshold is not None:
        nudity = (
            f"{scan.nudity_frames} frame(s) at or over {scan.nudity_threshold:.2f}, "
            f"highest score {scan.nudity_score:.2f}"
        )
    outcome = scan.get_outcome_display() + (f": {scan.hold_reason}" if scan.hold_reason else "")
    return _facts(
        [
            ("Outcome", outcome),
            ("Held for", ", ".join(scan.hold_causes) or "nothing"),
            ("Frames", f"{scan.frames_scanned} scanned, {scan.faces_found} faces found"),
            ("Protected likenesses", f"{scan.protected_cameos} compared, "
                                     f"match under {scan.threshold:.2f}"),
            ("Likeness matches", format_html("<ul>{}</ul>", found) if matches else "none"),
            ("Nudity", nudity),
        ]
    )  # fmt: skip


def report_preview(report: Report) -> SafeString:
    """What a moderator needs to judge the report without leaving the page."""
    parts = []
    if report.job_id is not None:
        job = report.job
        parts.append(_player(job))
        parts.append(_facts([
            ("Prompt", job.prompt), ("Creator", job.creator.handle), ("State", _video_state(job)),
            ("Cameos", _cameo_uses(job)), ("Scan", _scan(job)),
        ]))  # fmt: skip
    if report.comment_id is not None:
        comment = report.comment
        parts.append(_facts([("Comment", comment.text), ("By", comment.author.handle)]))
    if report.message_id is not None:
        message = report.message
        parts.append(_facts([("Message", message.text), ("From", message.sender.handle)]))
    if not parts:
        return format_html("{}", "Nothing is attached to this report; read its note.")
    return format_html_join("", "{}", ((part,) for part in parts))


class AssigneeFilter(admin.SimpleListFilter):
    title = "assignee"
    parameter_name = "assignee"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [("me", "Assigned to me"), ("none", "Unassigned"), ("others", "Assigned to others")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "me":
            return queryset.filter(assignee=request.user)
        if self.value() == "none":
            return queryset.filter(assignee__isnull=True)
        if self.value() == "others":
            return queryset.exclude(assignee__isnull=True).exclude(assignee=request.user)
        return queryset


@admin.register(Report)
class ReportAdmin(ServicesOnlyAdmin):
    """The report queue: filter, take a report, look at what was reported, act, and write to
    the reporter. Every change goes through an action, so the form itself is read-only."""

    list_display = ("created_at", "reason", "target", "status", "reporter", "reported_user",
                    "assignee", "duplicates", "automatic")  # fmt: skip
    list_filter = ("status", "reason", "target", "automatic", AssigneeFilter)
    list_select_related = ("reporter", "reported_user", "assignee")
    search_fields = ("reporter__username", "reported_user__username", "note")
    fields = (
        "preview", "status", "assignee", "reason", "target", "automatic", "reporter",
        "reported_user", "note", "duplicates", "created_at", "resolved_at", "log",
    )  # fmt: skip
    readonly_fields = fields
    action_form = SuspendActionForm
    actions = [
        assign_to_me, remove_reported_video, restore_reported_video, release_reported_video,
        warn_reported_person, strike_reported_person, suspend_reported_person,
        ban_reported_person, dismiss_report,
    ]  # fmt: skip
    change_form_template = "admin/safety/report/change_form.html"

    @admin.display(description="What was reported")
    def preview(self, obj: Report) -> SafeString:
        return report_preview(obj)

    @admin.display(description="Actions taken")
    def log(self, obj: Report) -> SafeString:
        # Removing, restoring and releasing act on the video, not on one report of it, so their
        # log rows name the video: list those beside the rows that name this report.
        about = Q(report=obj) | Q(job_id=obj.job_id) if obj.job_id else Q(report=obj)
        actions = ModerationAction.objects.filter(about).select_related("moderator")
        rows = [(a.created_at.strftime("%d %b %Y %H:%M"), a.get_kind_display(), a.moderator,
                 a.reason) for a in actions]  # fmt: skip
        if not rows:
            return format_html("{}", "None yet.")
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}: {} by {}: {}</li>", rows))

    def get_urls(self) -> list[URLPattern]:
        reply = self.admin_site.admin_view(require_POST(self.reply_view))
        act = self.admin_site.admin_view(require_POST(self.act_view))
        own = [
            path("<path:object_id>/reply/", reply, name="safety_report_reply"),
            path("<path:object_id>/act/", act, name="safety_report_act"),
        ]
        return own + super().get_urls()

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:  # fmt: skip
        report = self.get_object(request, unquote(object_id))
        extra = dict(extra_context or {})
        if report is not None:
            extra["thread"] = report.messages.select_related("author")
            extra["reply_url"] = reverse("admin:safety_report_reply", args=[report.pk])
            extra["can_reply"] = is_moderator(request.user)
            extra["act_url"] = reverse("admin:safety_report_act", args=[report.pk])
            extra["page_actions"] = page_actions(report)
            extra["max_days"] = services.MAX_SUSPENSION_DAYS
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def act_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """A button on the report's page runs the queue's own admin action on this one report, so
        the Why check, the moderator check, the services and the audit row are the same ones."""
        report = get_object_or_404(Report, pk=unquote(object_id))
        if not self.has_view_permission(request, report):
            raise PermissionDenied
        chosen = PAGE_ACTIONS.get(request.POST.get("action", ""))
        if chosen is None:
            self.message_user(request, "Choose one of the action buttons.", messages.ERROR)
        else:
            chosen[0](self, request, Report.objects.filter(pk=report.pk))
        # Back to the top of the page, where the outcome is said and the preview shows the change.
        return redirect("admin:safety_report_change", object_id=report.pk)

    def reply_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Write to the reporter from the report's page; the service notifies them."""
        report = get_object_or_404(Report, pk=unquote(object_id))
        if not self.has_view_permission(request, report):
            raise PermissionDenied
        try:
            services.report_message_create(
                author=request.user, report_id=report.pk, text=request.POST.get("text", "")
            )
        except ValidationError as exc:
            self.message_user(request, refusals.sentence(exc), messages.ERROR)
        else:
            self.message_user(request, "Your reply is on the thread, and the reporter was told.")
        return redirect(reverse("admin:safety_report_change", args=[report.pk]) + "#thread")


# --- Strikes, appeals, messages and watched words -----------------------------------------------


class StrikeCountsFilter(admin.SimpleListFilter):
    title = "still counts"
    parameter_name = "counts"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [("yes", "Counts"), ("no", "Expired or reversed")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        active = {"reversed_at__isnull": True, "expires_at__gt": timezone.now()}
        if self.value() == "yes":
            return queryset.filter(**active)
        if self.value() == "no":
            return queryset.exclude(**active)
        return queryset


@admin.register(Strike)
class StrikeAdmin(ServicesOnlyAdmin):
    """Strikes are given from a report or an account; reversing one is an appeal decision."""

    list_display = ("created_at", "user", "reason", "counts", "expires_at", "reversed_at",
                    "appeal_state")  # fmt: skip
    list_filter = (StrikeCountsFilter,)
    list_select_related = ("user", "appeal")
    search_fields = ("user__username", "reason")
    date_hierarchy = "created_at"

    @admin.display(boolean=True, description="Counts")
    def counts(self, obj: Strike) -> bool:
        return obj.reversed_at is None and obj.expires_at > timezone.now()

    @admin.display(description="Appeal")
    def appeal_state(self, obj: Strike) -> str:
        appeal = getattr(obj, "appeal", None)
        return appeal.get_decision_display() if appeal else "—"


uphold_appeals = moderation_action(
    "uphold_appeals", "Uphold the strike",
    lambda mod, appeal, why, _: console.appeal_decide(
        moderator=mod, appeal_id=appeal.pk, uphold=True, reason=why
    ),
)  # fmt: skip
reverse_appeals = moderation_action(
    "reverse_appeals", "Reverse the strike",
    lambda mod, appeal, why, _: console.appeal_decide(
        moderator=mod, appeal_id=appeal.pk, uphold=False, reason=why
    ),
)  # fmt: skip


@admin.register(Appeal)
class AppealAdmin(ServicesOnlyAdmin):
    """Appeals waiting for a decision come first; the Why box is what the person reads."""

    list_display = ("created_at", "person", "strike_reason", "text", "decision", "moderator",
                    "decided_at")  # fmt: skip
    list_filter = ("decision",)
    list_select_related = ("strike__user", "moderator")
    search_fields = ("strike__user__username", "text")
    ordering = (Case(When(decision=Appeal.Decision.PENDING, then=Value(0)), default=Value(1)),
                "created_at")  # fmt: skip
    action_form = ReasonActionForm
    actions = [uphold_appeals, reverse_appeals]

    @admin.display(description="Person")
    def person(self, obj: Appeal) -> str:
        return obj.strike.user.handle

    @admin.display(description="Strike")
    def strike_reason(self, obj: Appeal) -> str:
        return obj.strike.reason


@admin.register(ReportMessage)
class ReportMessageAdmin(ServicesOnlyAdmin):
    list_display = ("created_at", "report", "author", "from_moderator", "text")
    list_filter = ("from_moderator",)
    list_select_related = ("report", "author")
    search_fields = ("text", "author__username")


@admin.register(WatchedWord)
class WatchedWordAdmin(admin.ModelAdmin):
    """Operators keep the lists; moderators may read them and add words (not edit or delete)."""

    list_display = ("phrase", "list_name", "created_by", "created_at")
    list_filter = ("list_name",)
    search_fields = ("phrase", "list_name")
    fields = ("phrase", "list_name")

    def save_model(self, request: HttpRequest, obj: WatchedWord, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


# --- Records ------------------------------------------------------------------------------------


class LikenessMatchInline(admin.TabularInline):
    model = LikenessMatch
    fields = ("cameo_owner", "cameo", "distance", "frame_index")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(VideoScan)
class VideoScanAdmin(ServicesOnlyAdmin):
    list_display = (
        "created_at", "job", "outcome", "frames_scanned", "faces_found", "protected_cameos",
        "seconds",
    )  # fmt: skip
    list_filter = ("outcome",)
    search_fields = ("job__creator__username", "job__prompt")
    date_hierarchy = "created_at"
    inlines = [LikenessMatchInline]


@admin.register(LikenessMatch)
class LikenessMatchAdmin(ServicesOnlyAdmin):
    list_display = ("created_at", "cameo_owner", "scan", "distance", "frame_index")
    search_fields = ("cameo_owner__username", "scan__job__creator__username")


@admin.register(PublicFigure)
class PublicFigureAdmin(admin.ModelAdmin):
    """Operators keep the protected names here; moderators may read them."""

    list_display = ("name", "aliases", "account", "note", "created_at")
    search_fields = ("name", "aliases", "note")
    raw_id_fields = ("account",)


@admin.register(ModerationAction)
class ModerationActionAdmin(ServicesOnlyAdmin):
    """The moderation log: filterable, never editable."""

    list_display = ("created_at", "kind", "moderator", "target_user", "job", "report", "reason")
    list_filter = ("kind", "moderator", ("report", admin.EmptyFieldListFilter))
    list_select_related = ("moderator", "target_user", "job", "report")
    search_fields = ("reason", "target_user__username", "moderator__username")
    date_hierarchy = "created_at"


# --- Actions other admins use (videos in generation, accounts in accounts) ----------------------


release_job_hold = moderation_action(
    "release_job_hold", "Release the hold",
    lambda mod, job, why, _: services.moderation_release_hold(
        moderator=mod, job_id=job.pk, reason=why
    ),
)  # fmt: skip
remove_post_video = moderation_action(
    "remove_post_video", "Take down (remove the video and delete its files)",
    lambda mod, post, why, _: services.moderation_remove_video(
        moderator=mod, job_id=post.job_id, reason=why
    ),
)  # fmt: skip
remove_job_video = moderation_action(
    "remove_job_video", "Remove the video",
    lambda mod, job, why, _: services.moderation_remove_video(
        moderator=mod, job_id=job.pk, reason=why
    ),
)  # fmt: skip
suspend_accounts = moderation_action(
    "suspend_accounts", "Suspend for the number of days given",
    lambda mod, person, why, request: services.moderation_suspend(
        moderator=mod, user_id=person.pk, days=_days(request), reason=why
    ),
)  # fmt: skip
ban_accounts = moderation_action(
    "ban_accounts", "Ban (close the account; its posts leave every feed)",
    lambda mod, person, why, _: services.moderation_ban(
        moderator=mod, user_id=person.pk, reason=why
    ),
)  # fmt: skip
reinstate_accounts = moderation_action(
    "reinstate_accounts", "Lift the suspension or ban",
    lambda mod, person, why, _: console.moderation_reinstate(
        moderator=mod, user_id=person.pk, reason=why
    ),
)  # fmt: skip
warn_accounts = moderation_action(
    "warn_accounts", "Warn (the person reads why; no strike)",
    lambda mod, person, why, _: console.moderation_warn(
        moderator=mod, user_id=person.pk, reason=why
    ),
)  # fmt: skip
strike_accounts = moderation_action(
    "strike_accounts", "Give a strike",
    lambda mod, person, why, _: console.moderation_strike(
        moderator=mod, user_id=person.pk, reason=why
    ),
)  # fmt: skip
