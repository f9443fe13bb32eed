from __future__ import annotations

from django.contrib import admin

from generation.models import GenerationJob


@admin.register(GenerationJob)
class GenerationJobAdmin(admin.ModelAdmin):
    list_display = ("id", "creator", "status", "progress", "attempts", "created_at")
    list_filter = ("status", "aspect", "duration_s", "backend")
    search_fields = ("prompt", "creator__username")
    raw_id_fields = ("creator",)
    readonly_fields = (
        "status", "stage", "progress", "error", "attempts", "enqueued_at", "started_at",
        "heartbeat_at", "finished_at", "render_seconds", "worker_name", "worker_host",
        "worker_pid", "backend", "model_hash", "plan", "notes", "video", "poster",
    )  # fmt: skip
    date_hierarchy = "created_at"
