"""RQ entry points. Each takes IDs only and calls a service."""

from __future__ import annotations

from rq import get_current_job

from generation.services import render, takedown


def render_video(job_id: int) -> str | None:
    current = get_current_job()
    worker = (current.worker_name or "") if current else ""
    return render.generation_render(job_id=job_id, worker_name=worker)


def delete_taken_down_files(job_ids: list[int]) -> int:
    return takedown.generation_delete_taken_down_files(job_ids=job_ids)
