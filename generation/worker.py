"""The video worker: renders in-process so the loaded pipeline stays warm.

A forking worker would load the model again in every child. ``SimpleWorker`` keeps one process,
so the backend loaded by the first job serves the next. On start-up it also puts back jobs whose
worker died (``requeue_stuck``), removes the render folders they left, and loads the backend, so
a broken model folder stops the worker with a sentence instead of failing every job.

Each worker serves one engine's queue (``generation.engines``): ``video`` for the built-in
renderer, ``video-<model>`` for the model in SORA_VIDEO_MODEL. Started as ``rqworker video`` (as
``./run`` does) it listens on its engine's queue; asked for another engine's queue, it refuses.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import sys
from functools import cache
from typing import Any

import numpy as np
from django.core.exceptions import ImproperlyConfigured
from rq.worker import SimpleWorker

from generation import engines, pipeline
from generation.pipeline import pictograms
from generation.pipeline.audio.speech import warm
from generation.pipeline.base import ASPECT_SIZES, DURATIONS, FPS
from generation.services import generation_requeue_stuck
from generation.workdirs import workdirs_sweep

log = logging.getLogger(__name__)


class VideoWorker(SimpleWorker):
    engine_field: str = ""

    def work(self, *args: Any, **kwargs: Any) -> bool:
        try:
            backend, served = self.claim_engine()
        except (ImproperlyConfigured, ValueError, OSError) as exc:
            # Refuse to take jobs we would only fail; the site and other workers keep going.
            message = f"The video worker can't start: {exc}"
            log.error(message)
            sys.stderr.write(message + "\n")
            raise SystemExit(2) from exc
        warm_up()
        log.info("Video worker ready with the %s backend on queue %s.", backend.name, served.queue)
        report = generation_requeue_stuck()
        if report.requeued or report.enqueued or report.failed:
            log.info("Recovered jobs at start-up: %s", report)
        # After the requeue, so a killed render's folder is judged against its recovered row.
        workdirs_sweep()
        return super().work(*args, **kwargs)

    def claim_engine(self) -> tuple[Any, engines.ServedEngine]:
        """Load the backend and take this worker's engine queue. A broken model folder, or a
        queue that belongs to another engine, raises with a sentence for the operator."""
        backend = pipeline.get_backend()
        # Load the model now, so a broken one stops the worker here, not in every job.
        load = getattr(backend, "load", None)
        if load is not None:
            load()
        served = engines.served_engine()
        self._serve(served)
        self.engine_field = served.worker_field(getattr(backend, "model_hash", ""))
        return backend, served

    def _serve(self, served: engines.ServedEngine) -> None:
        """Listen on the served engine's queue only. ``video`` on the command line means "this
        worker's video queue"; any other queue belongs to another engine and is refused."""
        wrong = [q for q in self.queue_names() if q not in (engines.BUILTIN_QUEUE, served.queue)]
        if wrong:
            raise ImproperlyConfigured(
                f"This worker renders with {engines.short_name(served.queue)}, so it serves the "
                f"queue {served.queue}, not {', '.join(wrong)}; start it as `manage.py rqworker "
                f"{served.queue}`, or set SORA_VIDEO_MODEL to the model for that queue."
            )
        if self.queue_names() != [served.queue]:
            queue = self.queue_class(
                name=served.queue,
                connection=self.connection,
                job_class=self.job_class,
                serializer=self.serializer,
                death_penalty_class=self.death_penalty_class,
            )
            self.queues = [queue]
            self._ordered_queues = [queue]

    def register_birth(self) -> None:
        """RQ's own registration, plus what Create shows about this worker's engine. It lives in
        the worker's key, so it expires with the worker's heartbeat."""
        super().register_birth()
        if self.engine_field:
            self.connection.hset(self.key, engines.WORKER_FIELD, self.engine_field)


def warm_up() -> None:
    """What a video worker does once, before its first job, beside loading its backend."""
    keep_freed_memory()
    _warm_voice()
    warm_pictograms()


# glibc's mallopt parameters (malloc.h).
_M_TRIM_THRESHOLD = -1
_M_MMAP_MAX = -4


@cache
def keep_freed_memory() -> bool:
    """Ask the C allocator to keep freed memory for the next clip instead of returning it.

    Every clip allocates its frames (78 MB for 8 s at 480x854) and render buffers afresh. By
    default glibc maps blocks that large straight from the kernel and unmaps them when freed, so
    the next clip pays a page fault per 4 KB on first touch: on a virtual machine that was
    0.2-0.5 s of an 8 s clip's 2 s budget (``bench_fidelity --p1``). With mmap off and trimming
    off, the worker's heap grows to one clip's peak and is reused from then on. Worker
    processes only; elsewhere (and on a C library other than glibc) nothing changes.
    Once per process; returns whether the setting took.
    """
    name = ctypes.util.find_library("c")
    if not sys.platform.startswith("linux") or name is None:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # musl and others have no mallopt
        return False
    took = mallopt(_M_MMAP_MAX, 0) == 1 and mallopt(_M_TRIM_THRESHOLD, 2**30) == 1
    if not took:
        log.info("The C library kept its own memory settings.")
        return False
    # Grow the heap to the largest clip's working set once, here, so the first job doesn't
    # pay those page faults either: the frames of a 12 s 1:1 clip (354 MB) plus 128 MiB for
    # the render's batch buffers (62 MB at that size) and the encoder's.
    np.ones(_largest_frames_bytes() + 128 * 2**20, dtype=np.uint8)
    return True


def _largest_frames_bytes() -> int:
    return max(w * h for w, h in ASPECT_SIZES.values()) * 3 * max(DURATIONS) * FPS


def _warm_voice() -> None:
    """Load the packaged voice before the first job, so the first video with a spoken line
    doesn't wait for it. A voice that can't load isn't fatal: those lines are left out and
    the job page says so."""
    try:
        warm()
    except Exception as exc:  # the voice is optional; every cause is logged the same way
        log.warning("The voice could not load; spoken lines will be left out: %s", exc)


def warm_pictograms() -> None:
    """Load the pictograms and their label vectors before the first job. A missing or corrupt
    data file isn't fatal: each is named in the log, and videos draw what still loads."""
    try:
        pictograms.warm()
    except Exception as exc:  # pictograms are optional; every cause is logged the same way
        log.warning("The pictograms could not load; videos are drawn without them: %s", exc)
        return
    for problem in pictograms.problems():
        log.warning("%s", problem)
