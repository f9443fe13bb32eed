"""``manage.py bench_pull``: how fast ``models pull`` downloads, next to plain snapshot_download.

Both fetch the same synthetic model (a model_index.json and a few weight shards of random bytes)
from a local hub on this machine (``generation.local_hub``), alternately, a few rounds each, in
folders of their own. The pull also hashes every byte and proves the folder with diffusers'
``load_config``; snapshot_download does neither. Then it measures resumes: a connection dropped
half-way through the biggest shard, and a Ctrl-C at half the model followed by a second pull.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from huggingface_hub import constants, snapshot_download
from huggingface_hub.utils import (
    are_progress_bars_disabled,
    disable_progress_bars,
    enable_progress_bars,
)

from generation import model_store as store
from generation.local_hub import LocalHub
from generation.model_catalogue import CatalogueModel

REPO = "bench/synthetic-diffusers"
GOAL = 0.9


class Command(BaseCommand):
    help = (
        "Prints `models pull` throughput against plain huggingface_hub.snapshot_download from "
        "the same local hub (ratio; goal 0.9 or more) and the bytes fetched twice by resumes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--mb", type=int, default=256, help="Size of the synthetic model.")
        parser.add_argument("--shards", type=int, default=4, help="Weight files it is split in.")
        parser.add_argument("--rounds", type=int, default=5, help="Timed downloads of each.")

    def handle(self, *args: Any, mb: int, shards: int, rounds: int, **options: Any) -> None:
        with _quiet_and_online(), tempfile.TemporaryDirectory(prefix="bench-pull-") as tmp:
            self._bench(Path(tmp), mb=mb, shards=shards, rounds=rounds)

    def _bench(self, root: Path, *, mb: int, shards: int, rounds: int) -> None:
        with LocalHub() as hub:
            hub.add(REPO, _synthetic_model(root / "upstream", mb * 1_000_000, shards))
            total = sum(f.size for f in hub.repos[REPO].files.values())
            self.stdout.write(
                f"Synthetic model: {store.human_size(total)} in {shards} shards, served by a "
                f"local hub at {hub.url}; {rounds} rounds each, alternating."
            )
            # Once per pull, not per byte: timed apart so the rounds compare downloads.
            started = time.perf_counter()
            import diffusers  # noqa: F401 - check_config's import, done before the clock starts

            took = time.perf_counter() - started
            self.stdout.write(
                f"(importing diffusers for the config check took {took:.1f} s once; the rounds "
                "below don't include it)"
            )
            pull_s, base_s = [], []
            for n in range(rounds):
                # Alternate which goes first, and delete each copy at once: its pages still
                # waiting to be written to disk would otherwise slow the next download down.
                runs = [(base_s, self._baseline, hub), (pull_s, self._pull, hub)]
                for times, run, arg in runs if n % 2 == 0 else runs[::-1]:
                    folder = root / f"run-{n}-{len(times)}"
                    times.append(run(arg, folder))
                    shutil.rmtree(folder)
            self._report_speed(total, pull_s, base_s)
            self._report_drop(hub, root / "drop", total)
            self._report_ctrl_c(hub, root / "ctrl-c", total)

    def _baseline(self, hub: LocalHub, folder: Path) -> float:
        start = time.perf_counter()
        snapshot_download(
            REPO, revision=hub.repos[REPO].commit, local_dir=folder / "model", endpoint=hub.url,
            cache_dir=folder / "hf-cache",
        )  # fmt: skip
        return time.perf_counter() - start

    def _pull(self, hub: LocalHub, models_dir: Path) -> float:
        start = time.perf_counter()
        _full_pull(hub, models_dir)
        return time.perf_counter() - start

    def _report_speed(self, total: int, pull_s: list[float], base_s: list[float]) -> None:
        # The best round is what each can do; the median shows how much other work on the
        # machine moved them. The ratio uses the best rounds (as timeit does).
        ratio = min(base_s) / min(pull_s)
        verdict = "meets" if ratio >= GOAL else "misses"
        for label, times in (("snapshot_download", base_s), ("models pull", pull_s)):
            best, median = min(times), statistics.median(times)
            self.stdout.write(
                f"{label + ':':19}{total / best / 1e6:4.0f} MB/s best, {total / median / 1e6:4.0f}"
                f" MB/s median ({best:.2f} s, {median:.2f} s)"
            )
        self.stdout.write(
            f"ratio: {ratio:.2f}x, best rounds ({verdict} the goal of {GOAL}x; median rounds "
            f"{statistics.median(base_s) / statistics.median(pull_s):.2f}x). The pull also hashes "
            "every byte and reads the config."
        )

    def _report_drop(self, hub: LocalHub, models_dir: Path, total: int) -> None:
        biggest = max(hub.repos[REPO].files.values(), key=lambda f: f.size)
        hub.reset_counts()
        hub.faults.drop_at[biggest.path] = 0.5
        _full_pull(hub, models_dir)
        extra = hub.bytes_served - total
        self.stdout.write(
            f"dropped connection half-way through {biggest.path}: {store.human_size(extra)} "
            f"fetched twice ({extra / total:.1%} of the model)"
        )

    def _report_ctrl_c(self, hub: LocalHub, models_dir: Path, total: int) -> None:
        hub.reset_counts()
        hub.faults.interrupt_after = total // 2
        main = threading.main_thread().ident
        hub.faults.interrupt = lambda: signal.pthread_kill(main, signal.SIGINT)
        with contextlib.suppress(store.PullInterrupted):
            _full_pull(hub, models_dir)
        sent_first = hub.bytes_served
        kept = store.partial_bytes(models_dir, _entry(hub).name)
        hub.reset_counts()
        _full_pull(hub, models_dir)
        extra = sent_first + hub.bytes_served - total
        self.stdout.write(
            f"Ctrl-C at half, then pull again: {store.human_size(kept)} kept; the second pull "
            f"fetched {store.human_size(hub.bytes_served)}; {store.human_size(extra)} sent twice "
            f"({extra / total:.1%} of the model; bytes in flight when it stopped)"
        )


@contextlib.contextmanager
def _quiet_and_online() -> Iterator[None]:
    """No per-file bars from snapshot_download, and no inherited HF_HUB_OFFLINE: only the
    local hub is contacted. Both are put back afterwards."""
    offline, bars_off = constants.HF_HUB_OFFLINE, are_progress_bars_disabled()
    constants.HF_HUB_OFFLINE = False
    disable_progress_bars()
    try:
        yield
    finally:
        constants.HF_HUB_OFFLINE = offline
        if not bars_off:
            enable_progress_bars()


def _full_pull(hub: LocalHub, models_dir: Path) -> None:
    model, endpoint = _entry(hub), hub.url
    plan = store.plan_pull(model, models_dir=models_dir, endpoint=endpoint)
    staging = store.download(plan, models_dir=models_dir, endpoint=endpoint, progress=_ignore)
    store.check_config(staging)
    store.install(plan, staging, models_dir=models_dir)


def _ignore(n: int) -> None:
    return None


def _synthetic_model(folder: Path, size: int, shards: int) -> Path:
    """A folder diffusers' load_config accepts, with ``size`` bytes of random weights."""
    (folder / "transformer").mkdir(parents=True)
    (folder / "model_index.json").write_text(
        '{"_class_name": "WanPipeline", "_diffusers_version": "0.42.1"}'
    )
    per_shard = size // shards
    for n in range(1, shards + 1):
        name = f"diffusion_pytorch_model-{n:05d}-of-{shards:05d}.safetensors"
        with (folder / "transformer" / name).open("wb") as handle:
            left = per_shard
            while left:
                block = os.urandom(min(left, 16 * 1024 * 1024))
                handle.write(block)
                left -= len(block)
    return folder


def _entry(hub: LocalHub) -> CatalogueModel:
    return CatalogueModel(
        name="synthetic", title="Synthetic", repo=REPO, revision=hub.repos[REPO].commit,
        revision_source="the local hub", family="wan", pipeline="WanPipeline", tasks=("t2v",),
        licence="none", licence_url="https://example.org", commercial_use=True,
        allow_patterns=("model_index.json", "transformer/*"), download_note="synthetic",
    )  # fmt: skip
