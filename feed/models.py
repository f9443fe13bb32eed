from __future__ import annotations

from django.conf import settings
from django.db import models


class Post(models.Model):
    """A published video. It exists only through ``post_publish`` from a finished job."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts"
    )
    job = models.OneToOneField(
        "generation.GenerationJob", on_delete=models.PROTECT, related_name="post"
    )
    caption = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    like_count = models.PositiveIntegerField(default=0)
    # Perceptual hashes of about one frame a second, so Verify recognises a re-encoded copy.
    keyframe_hashes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["author", "-created_at"])]

    def __str__(self) -> str:
        return f"Post {self.pk} by {self.author_id}"

    @property
    def prompt(self) -> str:
        return self.job.prompt


class Like(models.Model):
    """One person liking one post."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="likes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "post"], name="one_like_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id} likes {self.post_id}"
