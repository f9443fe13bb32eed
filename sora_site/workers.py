"""The ``default`` queue's worker, and the warm-up that web and worker processes share.

Loading MiniLM and fitting the moderation exemplars takes ~13 s of CPU. Done lazily, that cost
lands on a person's first Generate click (web) or on every job (RQ's forking worker loses
whatever the work-horse loaded when the horse exits). Both load it once, up front, instead.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from django.template.loader import get_template
from rq.worker import Worker

from generation.pipeline.scene import plan_scene
from safety.moderation import moderate_text

log = logging.getLogger(__name__)

WARM_UP_PROMPT = "a golden retriever running on the beach at sunset, slow zoom in"
# Compiled once per web worker by Django's cached loader: the Create page and the page a submit
# lands on, so the first click doesn't pay for it.
WARM_TEMPLATES = ("generation/create.html", "generation/job.html")


def warm_text_models(*, scene: bool = False) -> float:
    """Load the text model and everything moderation builds on it; return the seconds it took.

    ``scene`` also embeds the scene planner's vocabulary, which only the workers use (a post's
    features and the built-in renderer).
    """
    started = time.perf_counter()
    moderate_text(WARM_UP_PROMPT, kind="prompt")
    if scene:
        plan_scene(WARM_UP_PROMPT)
    return time.perf_counter() - started


def warm_templates() -> None:
    """Compile the first pages a person opens, before this web worker serves them."""
    for name in WARM_TEMPLATES:
        get_template(name)


class DefaultWorker(Worker):
    """A forking worker whose work-horses start with the text models already loaded.

    Forking keeps what a forking worker is good at: each job gets a hard timeout, and a job that
    crashes or leaks memory takes only its horse down. The models are loaded in this parent
    before the first fork, so every horse inherits them copy-on-write instead of loading them
    again (a non-forking worker would keep them warm too, but one bad job would end it).

    torch runs on one thread here: a process that has started an OpenMP thread pool can hang in
    a forked child, and a default-queue job embeds a few short texts, where one thread is as fast.
    """

    def work(self, *args: Any, **kwargs: Any) -> bool:
        os.environ.setdefault("SORA_TORCH_THREADS", "1")
        try:
            seconds = warm_text_models(scene=True)
        except Exception:
            # Chores still run; each job loads what it needs, as a plain worker's would.
            log.exception("The default worker could not load its text models up front.")
        else:
            log.info("Default worker ready: text models loaded in %.1f s.", seconds)
        return super().work(*args, **kwargs)
