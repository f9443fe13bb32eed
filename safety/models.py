from __future__ import annotations

import re

from django.conf import settings
from django.db import models


class VideoScan(models.Model):
    """The scan of one rendered video, made once on its sampled frames before it is encoded.

    It records what was looked at and what was decided, so a moderator can see why a video was
    held, and so old verdicts stay readable after the threshold changes.
    """

    class Outcome(models.TextChoices):
        PASSED = "passed", "Passed"
        HELD = "held", "Held for review"

    job = models.OneToOneField(
        "generation.GenerationJob", on_delete=models.CASCADE, related_name="scan"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    hold_reason = models.CharField(max_length=300, blank=True)
    frames_scanned = models.PositiveIntegerField()
    faces_found = models.PositiveIntegerField()
    # How many protected likenesses the faces were compared with, and the distance that counted
    # as a match (dlib's scale: under 0.6 is the same person).
    protected_cameos = models.PositiveIntegerField(default=0)
    threshold = models.FloatField()
    # The nudity check on the same frames: how many frames showed exposed sexual body parts
    # above ``nudity_threshold``, and the highest detector score seen.
    nudity_frames = models.PositiveIntegerField(default=0)
    nudity_score = models.FloatField(default=0.0)
    nudity_threshold = models.FloatField(null=True, blank=True)
    # Why it was held, by cause ("likeness", "nudity"), for the transparency report.
    hold_causes = models.JSONField(default=list, blank=True)
    seconds = models.FloatField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["outcome", "-created_at"])]

    def __str__(self) -> str:
        return f"Scan of job {self.job_id} ({self.outcome})"


class LikenessMatch(models.Model):
    """A face in a scanned video that matched a protected cameo the video had no consent for.

    It outlives the cameo (the owner may delete it later), so the owner is kept beside it.
    """

    scan = models.ForeignKey(VideoScan, on_delete=models.CASCADE, related_name="matches")
    cameo = models.ForeignKey(
        "cameo.Cameo", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cameo_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="likeness_matches",
    )
    distance = models.FloatField()
    frame_index = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["distance", "id"]
        verbose_name_plural = "likeness matches"

    def __str__(self) -> str:
        return f"Likeness of {self.cameo_owner_id} in scan {self.scan_id} ({self.distance:.2f})"


class PublicFigure(models.Model):
    """A protected name: prompts naming this person are refused unless they hold a verified
    cameo that lets the creator use it. Operators keep the list in admin."""

    name = models.CharField(max_length=120, unique=True)
    aliases = models.TextField(
        blank=True,
        help_text="Other names, one per line or comma-separated. Keep them distinctive: an alias "
        "that is an everyday word blocks everyday prompts.",
    )
    note = models.CharField(max_length=200, blank=True, help_text="Why, or who asked for it.")
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Their account here, if they have one: their cameo's consent then decides.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def alias_list(self) -> tuple[str, ...]:
        return tuple(a.strip() for a in re.split(r"[,\n]", self.aliases) if a.strip())


class Report(models.Model):
    """Someone (or an automatic check) asking moderators to look at something.

    One open report per reporter and target: reporting again adds to ``duplicates`` instead of
    another row, so a flood from one account is one item in the queue.
    """

    class Target(models.TextChoices):
        VIDEO = "video", "A video"
        LIKENESS = "likeness", "Misuse of my likeness"
        PROMPT = "prompt", "A prompt (automatic)"
        PROFILE = "profile", "A profile"
        COMMENT = "comment", "A comment"
        DM = "dm", "A direct message"

    class Reason(models.TextChoices):
        LIKENESS = "likeness", "It uses my face or likeness without my consent"
        SEXUAL = "sexual", "Sexual content"
        MINORS = "minors", "Sexual content involving minors"
        VIOLENCE = "violence", "Graphic violence"
        SELF_HARM = "self_harm", "Self-harm"
        HATE = "hate", "Hate"
        HARASSMENT = "harassment", "Bullying or harassment"
        DANGEROUS = "dangerous", "Dangerous activities"
        SPAM = "spam", "Spam or scam"
        OTHER = "other", "Something else"

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for a moderator"
        RESOLVED = "resolved", "Resolved"
        DISMISSED = "dismissed", "Dismissed"

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="reports_made",
    )  # fmt: skip
    automatic = models.BooleanField(default=False)
    target = models.CharField(max_length=10, choices=Target.choices)
    job = models.ForeignKey(
        "generation.GenerationJob", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="reports",
    )  # fmt: skip
    reported_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="reports_against",
    )  # fmt: skip
    comment = models.ForeignKey(
        "feed.Comment", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    message = models.ForeignKey(
        "feed.DirectMessage", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="reports",
    )  # fmt: skip
    reason = models.CharField(max_length=12, choices=Reason.choices)
    note = models.TextField(max_length=1000, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="reports_assigned",
    )  # fmt: skip
    duplicates = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "reason"])]

    def __str__(self) -> str:
        return f"Report {self.pk}: {self.get_reason_display()} ({self.status})"


class ModerationAction(models.Model):
    """The moderation audit log: who did what to whom, why and when. Written in the same
    transaction as the action, and never edited or deleted (admin is read-only)."""

    class Kind(models.TextChoices):
        RELEASE = "release", "Released a held video"
        REMOVE = "remove", "Removed a video"
        DISMISS = "dismiss", "Dismissed a report"
        SUSPEND = "suspend", "Suspended an account"
        BAN = "ban", "Banned an account"
        RESTORE = "restore", "Restored content"
        WARN = "warn", "Warned a person"
        STRIKE = "strike", "Gave a strike"
        UPHOLD = "uphold", "Upheld a strike on appeal"
        REVERSE = "reverse", "Reversed a strike on appeal"
        HIDE = "hide", "Hid a comment or message"
        REINSTATE = "reinstate", "Lifted a suspension or ban"
        # Written by the sign-up page itself (no moderator): accounts.age_gate.
        AGE_GATE = "age_gate", "Refused a sign-up under 13"
        # An operator's `manage.py age_gate --reopen`: sign-ups from one address open again.
        AGE_GATE_REOPEN = "gate_open", "Reopened sign-ups for an address"

    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    reason = models.CharField(max_length=300)
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="moderation_received",
    )  # fmt: skip
    job = models.ForeignKey(
        "generation.GenerationJob", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    comment = models.ForeignKey(
        "feed.Comment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.ForeignKey(
        "feed.DirectMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.moderator_id}"


class ReportMessage(models.Model):
    """A message on a report between the reporter and the moderators; each sees the thread."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_moderator = models.BooleanField(default=False)
    text = models.TextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Message {self.pk} on report {self.report_id}"


class Strike(models.Model):
    """A strike against an account, with the reason the person is shown. A strike counts while it
    is active: not reversed on appeal and younger than ``SORA_STRIKE_ACTIVE_DAYS``. Reaching
    ``SORA_STRIKES_TO_SUSPEND`` active strikes suspends the account."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="strikes"
    )
    reason = models.CharField(max_length=300)
    report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="strikes"
    )
    job = models.ForeignKey(
        "generation.GenerationJob", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    action = models.OneToOneField(
        ModerationAction, null=True, blank=True, on_delete=models.SET_NULL, related_name="strike"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    reversed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "expires_at"])]

    def __str__(self) -> str:
        return f"Strike {self.pk} on {self.user_id}"


class Appeal(models.Model):
    """The one appeal a person may make against a strike, within the appeal window."""

    class Decision(models.TextChoices):
        PENDING = "pending", "Waiting for a moderator"
        UPHELD = "upheld", "Upheld"
        REVERSED = "reversed", "Reversed"

    strike = models.OneToOneField(Strike, on_delete=models.CASCADE, related_name="appeal")
    text = models.TextField(max_length=2000)
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    response = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Appeal on strike {self.strike_id} ({self.decision})"


class WatchedWord(models.Model):
    """A word or phrase operators watch for (after PeerTube's watched-word lists): a comment or
    post caption containing it is hidden from others until a moderator looks."""

    phrase = models.CharField(max_length=100, unique=True)
    list_name = models.CharField(
        max_length=60, blank=True, help_text="Group words into lists, e.g. 'scams' or 'slurs'."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["list_name", "phrase"]

    def __str__(self) -> str:
        return self.phrase
