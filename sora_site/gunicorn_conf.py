"""gunicorn settings for ``./run``: each web worker loads its text models before it serves, and a
stopping worker always ends.

Without the warm-up, the first Generate click after a start waited ~13 s while moderation loaded
MiniLM. The models load in each worker after the fork (not in the master with ``--preload``):
torch's thread pools and the tokenizer's do not survive a fork.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import Any

# The master waits this long for in-flight requests on SIGTERM; ./run gives it a little more
# before it ends the whole process group.
graceful_timeout = 5


def post_worker_init(worker: Any) -> None:
    """Load the text models before this worker takes its first request.

    The load runs beside a heartbeat: on a busy machine it can take longer than gunicorn's
    worker timeout, and a worker that stops reporting for that long is killed and started again.
    """
    # Imported here: gunicorn reads this file before Django is set up.
    from sora_site.workers import warm_templates, warm_text_models

    done = threading.Event()
    took: list[float] = []

    def warm() -> None:
        try:
            took.append(warm_text_models())
        except Exception:
            # The site still works: moderation loads the model on first use instead.
            worker.log.exception("Worker %s could not load its text models now.", worker.pid)
        finally:
            done.set()

    warm_templates()
    threading.Thread(target=warm, name="warm-text-models", daemon=True).start()
    while not done.wait(1.0):
        worker.notify()
    if took:
        worker.log.info("Worker %s loaded its text models in %.1f s.", worker.pid, took[0])


def worker_exit(server: Any, worker: Any) -> None:
    """End the worker process here, skipping the interpreter's own shutdown.

    That shutdown joins every non-daemon thread and runs torch's and the tokenizer's native
    destructors. A request thread still writing a video to a client that stopped reading, or a
    native pool thread parked on a lock, then keeps the worker alive for good: reparented to
    init, deaf to SIGTERM and holding the port. Nothing in a web worker needs that shutdown:
    requests are over, and the database needs no goodbye.
    """
    if os.getpid() != worker.pid:
        return  # the master also calls this hook, for a worker that is already gone
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
