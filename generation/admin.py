from __future__ import annotations

from django.contrib import admin

from generation.models import GenerationJob
from safety.admin import ReasonActionForm, release_job_hold, remove_job_video


@admin.register(GenerationJob)
class GenerationJobAdmin(admin.ModelAdmin):
    list_display = ("id", "creator", "status", "progress", "held_at", "taken_down_at", "created_at")
    list_filter = (
        ("held_at", admin.EmptyFieldListFilter),
        ("taken_down_at", admin.EmptyFieldListFilter),
        "status", "aspect", "duration_s", "backend",
    )  # fmt: skip
    action_form = ReasonActionForm
    actions = [release_job_hold, remove_job_video]
    search_fields = ("prompt", "creator__username")
    raw_id_fields = ("creator",)
    readonly_fields = (
        "status", "stage", "progress", "error", "attempts", "enqueued_at", "started_at",
        "heartbeat_at", "finished_at", "render_seconds", "worker_name", "worker_host",
        "worker_pid", "backend", "model_hash", "plan", "notes", "video", "poster",
        "held_at", "held_reason", "taken_down_at", "takedown_reason",
    )  # fmt: skip
    date_hierarchy = "created_at"
