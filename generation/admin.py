"""Video jobs in Django admin: read-only for everyone, superusers too.

Deleting a job here is removed (no delete page, no "Delete selected"): a deleted row would leave its
files in storage and no audit row. The "Remove the video" action replaces it; it calls
``safety.services.reports.moderation_remove_video``, the one takedown
(``generation.services.takedown``), which stops a render, writes the ModerationAction in the same
transaction and deletes the files through a job. "Release the hold" calls
``safety.services.reports.moderation_release_hold``.
"""

from __future__ import annotations

from django.contrib import admin

from generation.models import GenerationJob
from safety.admin import ReasonActionForm, ServicesOnlyAdmin, release_job_hold, remove_job_video


@admin.register(GenerationJob)
class GenerationJobAdmin(ServicesOnlyAdmin):
    list_display = ("id", "creator", "status", "progress", "held_at", "taken_down_at", "created_at")
    list_filter = (
        ("held_at", admin.EmptyFieldListFilter),
        ("taken_down_at", admin.EmptyFieldListFilter),
        "status", "aspect", "duration_s", "backend",
    )  # fmt: skip
    action_form = ReasonActionForm
    actions = [release_job_hold, remove_job_video]
    search_fields = ("prompt", "creator__username")
    date_hierarchy = "created_at"
