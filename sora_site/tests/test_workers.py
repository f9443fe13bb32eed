from __future__ import annotations

import os
from pathlib import Path

import django_rq
import pytest

from sora_site import embeddings
from sora_site.workers import DefaultWorker


def record_model_state(path: str) -> None:
    """A default-queue job: note whether the text model was loaded before it started."""
    warm = embeddings.get_model.cache_info().currsize
    embeddings.embed_texts(["a calm lake at dawn"])
    with Path(path).open("a") as out:
        out.write(f"{os.getpid()} {warm}\n")


def test_it_loads_the_text_model_once_for_every_job_a_default_worker_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SORA_TORCH_THREADS", "1")
    embeddings.get_model.cache_clear()
    record = tmp_path / "jobs.txt"
    queue = django_rq.get_queue("default")
    first = queue.enqueue(record_model_state, str(record))
    second = queue.enqueue(record_model_state, str(record))

    DefaultWorker([queue], connection=queue.connection).work(burst=True)

    assert first.get_status(refresh=True) == "finished"
    assert second.get_status(refresh=True) == "finished"
    rows = [line.split() for line in record.read_text().splitlines()]
    # Two work-horses (the worker still forks per job), each started with the model loaded.
    assert len({pid for pid, _ in rows}) == 2
    assert os.getpid() not in {int(pid) for pid, _ in rows}
    assert [warm for _, warm in rows] == ["1", "1"]
    # ... loaded by the worker itself, once.
    assert embeddings.get_model.cache_info().misses == 1
