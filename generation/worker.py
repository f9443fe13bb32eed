"""The ``video`` queue's worker: renders in-process so the loaded pipeline stays warm.

A forking worker would load the model again in every child. ``SimpleWorker`` keeps one process,
so the backend loaded by the first job serves the next. On start-up it also puts back jobs whose
worker died (``requeue_stuck``), removes the render folders they left, and loads the backend, so
a broken model folder stops the worker with a sentence instead of failing every job.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from rq.worker import SimpleWorker

log = logging.getLogger(__name__)


class VideoWorker(SimpleWorker):
    def work(self, *args: Any, **kwargs: Any) -> bool:
        from generation.pipeline import get_backend
        from generation.services import generation_requeue_stuck
        from generation.workdirs import workdirs_sweep

        try:
            backend = get_backend()
            # Load the model now, so a broken one stops the worker here, not in every job.
            load = getattr(backend, "load", None)
            if load is not None:
                load()
        except (ImproperlyConfigured, ValueError, OSError) as exc:
            # Refuse to take jobs we would only fail; the site and other workers keep going.
            message = f"The video worker can't start: {exc}"
            log.error(message)
            sys.stderr.write(message + "\n")
            raise SystemExit(2) from exc
        _warm_voice()
        warm_pictograms()
        log.info("Video worker ready with the %s backend.", backend.name)
        report = generation_requeue_stuck()
        if report.requeued or report.enqueued or report.failed:
            log.info("Recovered jobs at start-up: %s", report)
        # After the requeue, so a killed render's folder is judged against its recovered row.
        workdirs_sweep()
        return super().work(*args, **kwargs)


def _warm_voice() -> None:
    """Load the packaged voice before the first job, so the first video with a spoken line
    doesn't wait for it. A voice that can't load isn't fatal: those lines are left out and
    the job page says so."""
    from generation.pipeline.audio.speech import warm

    try:
        warm()
    except Exception as exc:  # the voice is optional; every cause is logged the same way
        log.warning("The voice could not load; spoken lines will be left out: %s", exc)


def warm_pictograms() -> None:
    """Load the pictograms and their label vectors before the first job. A missing or corrupt
    data file isn't fatal: each is named in the log, and videos draw what still loads."""
    from generation.pipeline import pictograms

    try:
        pictograms.warm()
    except Exception as exc:  # pictograms are optional; every cause is logged the same way
        log.warning("The pictograms could not load; videos are drawn without them: %s", exc)
        return
    for problem in pictograms.problems():
        log.warning("%s", problem)
