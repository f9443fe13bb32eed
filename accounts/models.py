from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from accounts.search_keys import SEARCHED_FIELDS, SearchKey, search_key_name

ADULT_AGE = 18
MAX_AGE = 120  # older than anyone alive: a typo such as 0001-01-01, not a birthdate
MIN_AGE = 13

handle_validator = RegexValidator(
    r"^[A-Za-z0-9_]{3,30}$",
    "Use 3 to 30 letters, digits or underscores for your username.",
)


def age_on(birthdate: dt.date, today: dt.date) -> int:
    """Whole years between birthdate and today."""
    before_birthday = (today.month, today.day) < (birthdate.month, birthdate.day)
    return today.year - birthdate.year - int(before_birthday)


def default_timezone() -> str:
    """The server's zone, for accounts made before people had one of their own."""
    return settings.TIME_ZONE


class CameoPermission(models.TextChoices):
    """Who may use a person's cameo (``cameo.Cameo.permission``), and the most a parent lets a
    teen choose (``TeenSettings.cameo_cap``). Defined here, in the bottom app, for both."""

    ONLY_ME = "only_me", "Only me"
    APPROVED = "approved", "People I approve"
    MUTUALS = "mutuals", "Mutual follows"
    EVERYONE = "everyone", "Everyone"


class User(AbstractUser):
    """A person with an account. Their username is their public @handle.

    ``is_teen`` is stored at signup for people aged 13-17; teen protections build on it.
    """

    username = models.CharField(
        "username",
        max_length=30,
        unique=True,
        validators=[handle_validator],
        error_messages={"unique": "That username is taken. Try another one."},
    )
    email = models.EmailField("email address")
    birthdate = models.DateField(null=True, blank=True)
    is_teen = models.BooleanField(default=False)
    bio = models.CharField(max_length=300, blank=True)
    # Set by a moderator's suspension; a ban makes the account inactive instead.
    suspended_until = models.DateTimeField(null=True, blank=True)
    # An IANA name such as Europe/London, from the browser at signup; quiet hours follow it.
    timezone = models.CharField(max_length=64, default=default_timezone)

    REQUIRED_FIELDS = ["email"]

    class Meta(AbstractUser.Meta):
        # People search reads these (accounts.search_keys) instead of every account.
        indexes = [
            models.Index(SearchKey(field), name=search_key_name(field)) for field in SEARCHED_FIELDS
        ]

    @property
    def handle(self) -> str:
        return f"@{self.username}"

    @property
    def is_suspended(self) -> bool:
        return self.suspended_until is not None and self.suspended_until > timezone.now()


class Follow(models.Model):
    """One person following another. Two follows in opposite directions make a mutual."""

    follower = models.ForeignKey(User, on_delete=models.CASCADE, related_name="following")
    followee = models.ForeignKey(User, on_delete=models.CASCADE, related_name="followers")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follower", "followee"], name="one_follow_per_pair"),
            models.CheckConstraint(
                condition=~models.Q(follower=models.F("followee")), name="no_self_follow"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.follower_id} follows {self.followee_id}"


class Block(models.Model):
    """One person blocking another: neither can use the other's cameo or reach them."""

    blocker = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocking")
    blocked = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocked_by")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="one_block_per_pair"),
            models.CheckConstraint(
                condition=~models.Q(blocker=models.F("blocked")), name="no_self_block"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.blocker_id} blocks {self.blocked_id}"


class Mute(models.Model):
    """One person hiding another's posts from themselves; the muted person is never told."""

    muter = models.ForeignKey(User, on_delete=models.CASCADE, related_name="muting")
    muted = models.ForeignKey(User, on_delete=models.CASCADE, related_name="muted_by")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["muter", "muted"], name="one_mute_per_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.muter_id} mutes {self.muted_id}"


class Notification(models.Model):
    """Something a person should know about: a request, a use of their cameo, a decision."""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    # The person whose doing it reports ("@x commented on your video: ..."). Deleting their
    # account deletes the note with it, so their words and handle don't outlive them in others'
    # lists. Empty for notes about the recipient's own things or a moderator's decision.
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications_caused"
    )
    kind = models.CharField(max_length=40)
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"


# What each teen setting is called on the pages and in the change log.
TEEN_SETTING_LABELS = {
    "personalised": "Personalised feed",
    "dms_enabled": "Direct messages",
    "daily_limit_minutes": "Daily limit",
    "quiet_start": "Quiet hours start",
    "quiet_end": "Quiet hours end",
    "cameo_cap": "Who may use your cameo, at most",
    "comments_from": "Who may comment on your videos",
    "remixes_from": "Who may remix your videos",
    "videos_seen_by": "Who can see your videos",
}


class TeenSettings(models.Model):
    """The protections on a teen account, on from signup. Only a linked parent may loosen them;
    the teen may make them stricter. They stop applying at 18 but the row stays, so the person
    keeps what they had chosen."""

    class Reach(models.TextChoices):
        """Who may comment on or remix a teen's videos, narrowest first. "Following" means the
        people the teen follows, not the teen's followers."""

        NOBODY = "nobody", "Nobody"
        FOLLOWING = "following", "Only people the teen follows"
        EVERYONE = "everyone", "Everyone"

    class Audience(models.TextChoices):
        """Who can see a teen's videos. "Following" is the people the teen follows (mutuals among
        them), and also their linked parent and other teens, who find each other in search
        (``accounts.selectors.teens.findable_by``); ``accounts.selectors.visibility`` applies it."""

        FOLLOWING = "following", "People the teen follows, and other teens"
        EVERYONE = "everyone", "Everyone"

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="teen_settings")
    personalised = models.BooleanField(default=False)
    dms_enabled = models.BooleanField(default=False)
    daily_limit_minutes = models.PositiveSmallIntegerField(default=60)
    quiet_start = models.TimeField(default=dt.time(22, 0))
    quiet_end = models.TimeField(default=dt.time(7, 0))
    cameo_cap = models.CharField(
        max_length=10, choices=CameoPermission.choices, default=CameoPermission.ONLY_ME
    )
    comments_from = models.CharField(max_length=10, choices=Reach.choices, default=Reach.FOLLOWING)
    remixes_from = models.CharField(max_length=10, choices=Reach.choices, default=Reach.FOLLOWING)
    # Kept past 18 like the rest, so the videos don't open on the birthday: the person chooses.
    videos_seen_by = models.CharField(
        max_length=10, choices=Audience.choices, default=Audience.FOLLOWING
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "teen settings"

    def __str__(self) -> str:
        return f"Teen settings of {self.user_id}"


class ParentLink(models.Model):
    """A parent's link to a teen account. The parent makes a code (``teen`` is empty until a
    teen accepts it); it ends when the parent unlinks, approves the teen's request to unlink,
    or the teen turns 18. Ended links stay, so the teen's change log keeps its context."""

    class EndReason(models.TextChoices):
        REPLACED = "replaced", "A newer code replaced it"
        UNLINK_APPROVED = "unlink_approved", "The parent approved the teen's request to unlink"
        PARENT_UNLINKED = "parent_unlinked", "The parent unlinked"
        TURNED_18 = "turned_18", "The teen turned 18"

    parent = models.ForeignKey(User, on_delete=models.CASCADE, related_name="teen_links")
    teen = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="parent_links"
    )
    code = models.CharField(max_length=8, unique=True)
    code_expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    unlink_requested_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["teen"],
                condition=models.Q(teen__isnull=False, ended_at__isnull=True),
                name="one_active_parent_link_per_teen",
            ),
        ]

    def __str__(self) -> str:
        return f"Link of {self.parent_id} to {self.teen_id or 'nobody yet'}"

    @property
    def is_active(self) -> bool:
        return self.teen_id is not None and self.ended_at is None


class ParentChange(models.Model):
    """One change a parent made to a teen's settings: the log the teen reads. Values are kept
    as the words the teen was shown, so the log reads the same after labels change. It belongs
    to the teen, so it outlives the link (and the parent's account)."""

    teen = models.ForeignKey(User, on_delete=models.CASCADE, related_name="parent_changes")
    link = models.ForeignKey(
        ParentLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="changes"
    )
    field = models.CharField(max_length=40)
    old_value = models.CharField(max_length=100)
    new_value = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["teen", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.field} of {self.teen_id}: {self.old_value} → {self.new_value}"

    @property
    def field_label(self) -> str:
        return TEEN_SETTING_LABELS.get(self.field, self.field)


class LimitExtensionRequest(models.Model):
    """A teen asking their linked parent for more minutes on one day (in the teen's timezone).
    An approved request adds its minutes to that day's limit only."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting for your parent"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    teen = models.ForeignKey(User, on_delete=models.CASCADE, related_name="limit_requests")
    link = models.ForeignKey(ParentLink, on_delete=models.CASCADE, related_name="limit_requests")
    day = models.DateField()
    minutes = models.PositiveSmallIntegerField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["teen", "day"])]

    def __str__(self) -> str:
        return f"{self.minutes} more minutes for {self.teen_id} on {self.day} ({self.state})"


class AccountDeletion(models.Model):
    """The audit row that outlives a deleted account, and the only one that names it.

    It keeps what an audit needs to show that a deletion happened and what it removed: the old
    row id (other audit rows that pointed at the person now hold NULL, and operators' logs may
    carry the id), when, and how many rows and files went. The handle is kept only as a keyed
    hash (HMAC with SECRET_KEY): an operator asked "was @x deleted?" can check it, but the table
    does not list who left. No email, birthdate or content is kept.
    """

    user_id = models.BigIntegerField(db_index=True)
    username_digest = models.CharField(max_length=64, db_index=True)
    was_teen = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(auto_now_add=True)
    rows_deleted = models.JSONField(default=dict, blank=True)
    files_deleted = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-deleted_at", "-id"]

    def __str__(self) -> str:
        return f"Deletion of account {self.user_id} at {self.deleted_at:%Y-%m-%d %H:%M}"


class AgeGateRefusal(models.Model):
    """An address that gave a birthdate under MIN_AGE at sign-up, for AGE_GATE_HOURS: sign-ups
    from it are refused until then, so changing the birthdate and trying again doesn't work.

    Only a keyed hash of the address is kept (HMAC with SECRET_KEY), never the address or
    anything the form held; rows past their day are deleted as new ones are written.
    """

    address_digest = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Age gate closed at {self.created_at:%Y-%m-%d %H:%M}"
