from __future__ import annotations

from django.conf import settings
from django.db import models

from accounts.models import CameoPermission


class Cameo(models.Model):
    """A person's verified likeness. Others may use it only within the consent its owner sets.

    Deleting a cameo hard-deletes its face data and reference media at once.
    """

    Permission = CameoPermission

    class State(models.TextChoices):
        VERIFYING = "verifying", "Being verified"
        VERIFIED = "verified", "Verified"
        REJECTED = "rejected", "Not verified"

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cameo"
    )
    display_name = models.CharField(max_length=60)
    state = models.CharField(max_length=10, choices=State.choices, default=State.VERIFYING)
    rejection_reason = models.CharField(max_length=300, blank=True)
    permission = models.CharField(
        max_length=10, choices=Permission.choices, default=Permission.ONLY_ME
    )
    approve_each_video = models.BooleanField(default=False)
    protect_likeness = models.BooleanField(default=True)
    instructions = models.TextField(max_length=500, blank=True)
    restrictions = models.TextField(max_length=500, blank=True)
    embedding = models.JSONField(default=list, blank=True)  # mean 128-d face descriptor
    thumbnail = models.FileField(upload_to="cameos/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    verified_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Cameo of {self.owner_id} ({self.state})"


class CameoGrant(models.Model):
    """Permission one person asked for, and the owner gave, to use a cameo; it may expire."""

    class State(models.TextChoices):
        REQUESTED = "requested", "Requested"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        REVOKED = "revoked", "Revoked"

    cameo = models.ForeignKey(Cameo, on_delete=models.CASCADE, related_name="grants")
    grantee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cameo_grants"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.REQUESTED)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cameo", "grantee"], name="one_grant_per_person")
        ]

    def __str__(self) -> str:
        return f"Grant of cameo {self.cameo_id} to {self.grantee_id} ({self.state})"


class ConsentEvent(models.Model):
    """The audit log of every consent decision; it outlives the cameo it describes."""

    cameo = models.ForeignKey(
        Cameo, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    cameo_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=40)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} on cameo {self.cameo_id}"


class CameoUse(models.Model):
    """A cameo appearing in one job's video, and whether its owner lets that video stand."""

    class State(models.TextChoices):
        APPROVED = "approved", "Approved"
        AWAITING = "awaiting", "Waiting for the owner's approval"
        DECLINED = "declined", "Declined by the owner"
        REVOKED = "revoked", "Consent withdrawn"

    job = models.ForeignKey(
        "generation.GenerationJob", on_delete=models.CASCADE, related_name="cameo_uses"
    )
    cameo = models.ForeignKey(Cameo, on_delete=models.CASCADE, related_name="uses")
    grant = models.ForeignKey(
        CameoGrant, null=True, blank=True, on_delete=models.SET_NULL, related_name="uses"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.APPROVED)
    # After the render: the distance (dlib's 0.6 scale) from the cameo's face to the closest
    # face found in the video; null until measured, or when no face was found.
    identity_distance = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "cameo"], name="one_use_per_job")]

    def __str__(self) -> str:
        return f"Cameo {self.cameo_id} in job {self.job_id} ({self.state})"


class CameoReference(models.Model):
    """One 256 x 256 reference crop of a verified cameo (the frontal view and each pose)."""

    cameo = models.ForeignKey(Cameo, on_delete=models.CASCADE, related_name="references")
    image = models.FileField(upload_to="cameos/")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"Reference {self.position} of cameo {self.cameo_id}"


class CameoVerification(models.Model):
    """One recording sent for verification. The clip is deleted as soon as it has been checked;
    a rejected attempt keeps only the sentence saying why."""

    class State(models.TextChoices):
        CHECKING = "checking", "Checking"
        PASSED = "passed", "Passed"
        FAILED = "failed", "Not verified"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cameo_verifications"
    )
    display_name = models.CharField(max_length=60)
    challenge = models.JSONField(default=list)
    mirrored = models.BooleanField(default=False)
    clip = models.FileField(upload_to="cameo-clips/", blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.CHECKING)
    reason = models.CharField(max_length=300, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Verification {self.pk} for {self.owner_id} ({self.state})"
