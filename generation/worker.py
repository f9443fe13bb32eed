"""The ``video`` queue's worker: renders in-process so the loaded pipeline stays warm.

A forking worker would load the model again in every child. ``SimpleWorker`` keeps one process,
so the backend loaded by the first job serves the next. On start-up it also puts back jobs whose
worker died (``requeue_stuck``) and loads the backend, so a broken model folder stops the worker
with a sentence instead of failing every job.
"""

from __future__ import annotations

import logging
from typing import Any

from rq.worker import SimpleWorker

log = logging.getLogger(__name__)


class VideoWorker(SimpleWorker):
    def work(self, *args: Any, **kwargs: Any) -> bool:
        from generation.pipeline import get_backend
        from generation.services import generation_requeue_stuck

        backend = get_backend()
        log.info("Video worker ready with the %s backend.", backend.name)
        report = generation_requeue_stuck()
        if report.requeued or report.enqueued or report.failed:
            log.info("Recovered jobs at start-up: %s", report)
        return super().work(*args, **kwargs)
