from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

from generation.pipeline.base import ASPECT_SIZES, DURATIONS, Sound

SOUND_LABELS = {Sound.ON: "Sound on", Sound.NO_MUSIC: "No music", Sound.OFF: "Silent"}


def new_public_id() -> str:
    return secrets.token_hex(10)


class GenerationJob(models.Model):
    """One prompt on its way to a video. RQ only carries the work; this row holds the state.

    A finished job with no post is a draft: only its creator sees it until it is published.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for your earlier videos"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Rendering"
        SUCCEEDED = "succeeded", "Ready"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    TERMINAL = (Status.SUCCEEDED, Status.FAILED, Status.CANCELLED)
    ACTIVE = (Status.QUEUED, Status.RUNNING)

    # Names the video in file names and in its signed manifest without exposing the row id.
    public_id = models.CharField(max_length=20, unique=True, default=new_public_id, editable=False)
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="generation_jobs"
    )
    prompt = models.TextField(max_length=1000)
    duration_s = models.PositiveSmallIntegerField(choices=[(d, f"{d} s") for d in DURATIONS])
    aspect = models.CharField(max_length=5, choices=[(a, a) for a in ASPECT_SIZES])
    seed = models.PositiveIntegerField()
    # What the person chose on Create; "off" makes a video with no audio stream at all.
    sound = models.CharField(
        max_length=10, choices=[(s, SOUND_LABELS[s]) for s in Sound.CHOICES], default=Sound.ON
    )
    remix_of = models.ForeignKey(
        "feed.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="remixes"
    )

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(max_length=80, default="Waiting for a worker")
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    error = models.TextField(blank=True)
    cancel_requested = models.BooleanField(default=False)
    attempts = models.PositiveSmallIntegerField(default=0)

    created_at = models.DateTimeField(auto_now_add=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    render_seconds = models.FloatField(null=True, blank=True)

    worker_name = models.CharField(max_length=200, blank=True)
    worker_host = models.CharField(max_length=200, blank=True)
    worker_pid = models.PositiveIntegerField(null=True, blank=True)

    # The engine the person chose, named by its RQ queue: "video" (the built-in renderer) or
    # "video-<catalogue name>". Only a worker holding that model listens on it (generation.engines).
    engine = models.CharField(max_length=80, default="video")
    backend = models.CharField(max_length=40, blank=True)
    model_hash = models.CharField(max_length=80, blank=True)
    # The model's commit as installed by `models pull`; empty for the built-in renderer and for a
    # folder installed some other way (its hash still names the weights).
    model_revision = models.CharField(max_length=80, blank=True)
    plan = models.JSONField(default=dict, blank=True)
    # Sentences the backend wants the person to know, e.g. that it fell back to text-to-video.
    notes = models.JSONField(default=list, blank=True)
    # Set when the video is taken down (consent withdrawn); it then leaves every page and its
    # files are deleted by a job.
    taken_down_at = models.DateTimeField(null=True, blank=True)
    takedown_reason = models.CharField(max_length=300, blank=True)
    # Set by the post-render scan (safety.services.scan) when a face in the video matches someone
    # who protects their likeness and gave no consent: the video stays a draft and can't be
    # published.
    held_at = models.DateTimeField(null=True, blank=True)
    held_reason = models.CharField(max_length=300, blank=True)
    video = models.FileField(upload_to="videos/", blank=True)
    poster = models.FileField(upload_to="posters/", blank=True)
    # A still the person uploaded on Create as the first frame (generation.source_image). It is
    # private: only the job's creator gets it, through the job's own selector, never /media/.
    source_image = models.FileField(upload_to="sources/", blank=True)
    source_image_sha256 = models.CharField(max_length=64, blank=True)
    # Ticked on Create: "Everyone pictured agreed to be in this video"; needed when it has a face.
    source_consent_confirmed = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["creator", "-created_at"]),
            models.Index(fields=["status"]),
        ]

    def __str__(self) -> str:
        return f"Job {self.pk} ({self.status}) by {self.creator_id}"

    @property
    def rq_job_id(self) -> str:
        return f"gen-{self.pk}"

    @property
    def is_terminal(self) -> bool:
        return self.status in self.TERMINAL

    @property
    def waiting_for_queue(self) -> bool:
        """Saved, but the queue could not be reached when it was submitted."""
        return self.status == self.Status.QUEUED and self.enqueued_at is None
