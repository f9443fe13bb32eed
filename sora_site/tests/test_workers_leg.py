"""Several workers on one Valkey, one database and one bucket, started the way ``./run`` starts
them: two ``video`` workers and one ``default`` worker, each its own ``manage.py rqworker``.

Four people ask for twenty videos, each person's five in a row. Every video renders exactly once,
the queue takes turns between people (two each at a time, so the first person's five don't go
first), and nothing is lost: each job ends with its files in storage, and each published post
gets its fingerprint and feed features from the ``default`` worker.

CI's workers leg (``bash .ci/run workers``) runs this on PostgreSQL and moto's S3 server; it needs
``SORA_TEST_WORKERS=1`` because twenty renders take minutes. SQLite is refused: several processes
writing one SQLite file wait on its lock, which is not what a scaled-out site runs on.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

import django_rq
import pytest
from django.core.files.storage import default_storage
from django.db import connection
from rq.registry import FailedJobRegistry, FinishedJobRegistry, StartedJobRegistry

from conftest import ROOT, make_user, worker_env
from feed.models import Post, PostFeatures
from feed.services.posts import post_publish
from generation.models import GenerationJob
from generation.services import PER_USER_QUEUE_CAP, generation_request

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("SORA_TEST_WORKERS") != "1",
        reason="twenty renders on three workers take minutes: `bash .ci/run workers` runs them",
    ),
    pytest.mark.django_db(transaction=True),
]

PEOPLE = ("alice", "bob", "carol", "dev")
PROMPTS = (
    "a paper boat drifting on a pond",
    "a red kite over green hills",
    "a lighthouse on a cliff at dawn",
    "a fox walking through snow",
    "a hot air balloon over a valley",
)
# The way ./run starts them.
WORKERS = {
    "video-1": ["video", "--worker-class", "generation.worker.VideoWorker"],
    "video-2": ["video", "--worker-class", "generation.worker.VideoWorker"],
    "default": ["default", "--worker-class", "sora_site.workers.DefaultWorker"],
}
WAIT_S = 900.0


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Callable[[], dict[str, subprocess.Popen[bytes]]]]:
    """Starts the three workers, each in its own process group; they are stopped (SIGTERM, as
    Ctrl-C on ./run does) at the end. Their output goes to files, shown when a check fails."""
    procs: dict[str, subprocess.Popen[bytes]] = {}

    def start() -> dict[str, subprocess.Popen[bytes]]:
        for name, args in WORKERS.items():
            with (tmp_path / f"{name}.log").open("wb") as log:
                procs[name] = subprocess.Popen(
                    [sys.executable, str(ROOT / "manage.py"), "rqworker", *args],
                    cwd=ROOT, env=worker_env(), stdout=log, stderr=subprocess.STDOUT,
                    start_new_session=True,
                )  # fmt: skip
        return procs

    yield start
    _stop(procs)


def _stop(procs: dict[str, subprocess.Popen[bytes]]) -> dict[str, int]:
    for proc in procs.values():
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    codes = {}
    for name, proc in procs.items():
        try:
            codes[name] = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            codes[name] = proc.wait()
    return codes


def _logs(tmp_path: Path) -> str:
    return "\n".join(
        f"--- {name} ---\n{(tmp_path / f'{name}.log').read_text()[-3000:]}" for name in WORKERS
    )


def _wait_for(
    done: Callable[[], bool], procs: dict[str, subprocess.Popen[bytes]], tmp_path: Path, what: str
) -> None:
    deadline = time.monotonic() + WAIT_S
    while not done():
        dead = [name for name, proc in procs.items() if proc.poll() is not None]
        assert not dead, f"worker {dead} stopped while waiting for {what}\n{_logs(tmp_path)}"
        assert time.monotonic() < deadline, f"still waiting for {what}\n{_logs(tmp_path)}"
        time.sleep(0.5)


def _submit_all() -> list[GenerationJob]:
    """Each person asks for five videos in a row, one person after another."""
    jobs = []
    for username in PEOPLE:
        person = make_user(username)
        for n, prompt in enumerate(PROMPTS):
            jobs.append(
                generation_request(
                    user=person,
                    prompt=prompt,
                    duration_s=4,
                    aspect="9:16",
                    seed=100 + n,
                    sound="off",
                )  # fmt: skip
            )
    return jobs


def _active_at(jobs: list[GenerationJob], moment: object) -> int:
    return sum(1 for j in jobs if j.enqueued_at <= moment < j.finished_at)


def test_three_workers_render_twenty_videos_from_four_people_once_each_in_turn(
    workers: Callable[[], dict[str, subprocess.Popen[bytes]]], tmp_path: Path
) -> None:
    if connection.vendor == "sqlite":
        pytest.fail(
            "The workers leg needs PostgreSQL: run `bash .ci/run workers`, or set DATABASE_URL."
        )
    # All twenty are asked for before any worker runs, so the order below is the queue's doing,
    # not the timing of the requests.
    submitted = _submit_all()
    queued = len(PEOPLE) * PER_USER_QUEUE_CAP
    assert Counter(j.status for j in submitted) == {"queued": queued, "pending": 20 - queued}
    procs = workers()
    ids = [job.pk for job in submitted]
    jobs = GenerationJob.objects.filter(pk__in=ids)
    _wait_for(
        lambda: not jobs.exclude(status__in=["succeeded", "failed", "cancelled"]).exists(),
        procs, tmp_path, "the renders",
    )  # fmt: skip
    assert set(jobs.values_list("status", flat=True)) == {"succeeded"}, list(
        jobs.exclude(status="succeeded").values_list("pk", "status", "error")
    )

    by_id = {job.pk: job for job in jobs}
    for job in by_id.values():
        post_publish(user=job.creator, job_id=job.pk)
    posts = Post.objects.filter(job_id__in=ids)
    _wait_for(
        lambda: PostFeatures.objects.filter(post__in=posts).count() == len(ids)
        and not posts.filter(keyframe_hashes=[]).exists(),
        procs, tmp_path, "the default worker's fingerprints and features",
    )  # fmt: skip
    codes = _stop(procs)
    assert codes == {name: 0 for name in WORKERS}, _logs(tmp_path)

    # Exactly once: one claim per job, one finished RQ job per render, one file pair per job.
    assert [by_id[pk].attempts for pk in ids] == [1] * len(ids)
    video_queue = django_rq.get_queue("video")
    default_queue = django_rq.get_queue("default")
    finished = FinishedJobRegistry(queue=video_queue).get_job_ids()
    assert sorted(finished) == sorted(by_id[pk].rq_job_id for pk in ids)
    for queue in (video_queue, default_queue):
        assert queue.count == 0
        assert FailedJobRegistry(queue=queue).get_job_ids() == []
        assert StartedJobRegistry(queue=queue).get_job_ids() == []
    assert len(FinishedJobRegistry(queue=default_queue).get_job_ids()) == 2 * len(ids)
    videos = {f"videos/{name}" for name in default_storage.listdir("videos")[1]}
    posters = {f"posters/{name}" for name in default_storage.listdir("posters")[1]}
    assert videos == {job.video.name for job in by_id.values()}
    assert posters == {job.poster.name for job in by_id.values()}
    assert len(videos) == len(posters) == len(ids)
    # Both video workers took a share.
    assert len({job.worker_name for job in by_id.values()}) == 2

    # In turn: the queue started with everyone's first two; each person's videos joined it in
    # the order asked, never more than PER_USER_QUEUE_CAP at a time, and left it in that order.
    ordered = sorted(by_id.values(), key=lambda j: j.enqueued_at)
    first_round = Counter(job.creator.username for job in ordered[: 2 * len(PEOPLE)])
    assert first_round == {username: PER_USER_QUEUE_CAP for username in PEOPLE}
    per_person: dict[int, list[GenerationJob]] = defaultdict(list)
    for pk in ids:
        per_person[by_id[pk].creator_id].append(by_id[pk])
    for own in per_person.values():
        assert sorted(own, key=lambda j: j.enqueued_at) == own
        assert max(_active_at(own, job.enqueued_at) for job in own) == PER_USER_QUEUE_CAP
    for earlier, later in zip(ordered, ordered[1:], strict=False):
        # First in, first out, give or take the moment between two workers popping two jobs
        # and claiming their rows (a render takes several seconds, so a skipped turn shows).
        assert (earlier.started_at - later.started_at).total_seconds() < 3.0
