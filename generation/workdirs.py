"""Render folders: each render attempt encodes into a folder of its own under SORA_WORK_DIR.

A folder's name says which job, host and process made it (``sora-job-<job>-<pid>-<host>-…``),
so when a worker is killed mid-encode the next worker to start can tell its folder from a live
render's and remove it. A folder stays only while its job is running in the process that made it.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

from generation.models import GenerationJob

log = logging.getLogger(__name__)
PREFIX = "sora-job-"
# mkdtemp's random tail has no hyphen, so the host (which may) is what lies between.
_NAME = re.compile(rf"^{PREFIX}(?P<job>\d+)-(?P<pid>\d+)-(?P<host>.+)-[^-]+$")


def pid_alive(pid: int | None) -> bool:
    """Whether a process with this id runs on this machine."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _host(name: str | None = None) -> str:
    """A host name as it appears in a folder name: only characters any file system takes."""
    return re.sub(r"[^A-Za-z0-9.-]", "_", socket.gethostname() if name is None else name)[:100]


@contextmanager
def job_workdir(job_id: int) -> Iterator[Path]:
    """A fresh folder for one render attempt of a job, removed when the render ends."""
    root = Path(settings.SORA_WORK_DIR)
    root.mkdir(parents=True, exist_ok=True)
    prefix = f"{PREFIX}{job_id}-{os.getpid()}-{_host()}-"
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=root))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def job_workdirs() -> list[Path]:
    """Every render folder under SORA_WORK_DIR, live or not."""
    root = Path(settings.SORA_WORK_DIR)
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and _NAME.match(p.name))


def workdirs_sweep() -> list[Path]:
    """Remove the render folders that no live render owns; returns the folders removed.

    A folder is kept only while its job is running in the process that made it: on this host
    that process must still be alive. Folders another host made are judged by the job row alone,
    since their process can't be seen from here.
    """
    removed = []
    for folder in job_workdirs():
        if not _owned_by_live_render(folder):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    if removed:
        log.info("Removed %d render folder(s) left by stopped workers.", len(removed))
    return removed


def _owned_by_live_render(folder: Path) -> bool:
    match = _NAME.match(folder.name)
    if match is None:
        return True
    job_id, pid, host = int(match["job"]), int(match["pid"]), match["host"]
    if host == _host() and not pid_alive(pid):
        return False
    running = GenerationJob.objects.filter(
        pk=job_id, status=GenerationJob.Status.RUNNING, worker_pid=pid
    ).values_list("worker_host", flat=True)
    return any(_host(worker_host) == host for worker_host in running)
