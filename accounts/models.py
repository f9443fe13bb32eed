from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models

ADULT_AGE = 18
MIN_AGE = 13

handle_validator = RegexValidator(
    r"^[A-Za-z0-9_]{3,30}$",
    "Use 3 to 30 letters, digits or underscores for your username.",
)


def age_on(birthdate: dt.date, today: dt.date) -> int:
    """Whole years between birthdate and today."""
    before_birthday = (today.month, today.day) < (birthdate.month, birthdate.day)
    return today.year - birthdate.year - int(before_birthday)


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

    REQUIRED_FIELDS = ["email"]

    @property
    def handle(self) -> str:
        return f"@{self.username}"

    @property
    def is_suspended(self) -> bool:
        from django.utils import timezone

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
