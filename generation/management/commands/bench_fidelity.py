"""How much of what people ask for does the built-in renderer draw?

Plans every prompt of the fidelity corpus (no rendering) and prints the share of expected items
the plan drew, for the tune and held splits and overall, and how many it dropped silently
(neither drawn nor listed as not drawn). ``--sheets DIR`` also renders 12 of the prompts as
contact sheets; ``--p1`` times an 8 s 9:16 clip with sound: a worker's first (cold) and the
median of the next five (warm).
"""

from __future__ import annotations

import os
import resource
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from generation.fidelity import score, sheets
from generation.management.commands.bench_audio import Command as AudioBench
from generation.pipeline.builtin import BuiltinBackend
from generation.pipeline.scene import plan_scene
from generation.worker import warm_up

P1_DURATION_S = 8
P1_WARM_CLIPS = 5
CORES = len(os.sched_getaffinity(0))
P1_PROMPT = 'a pirate captain shouting "land ho!" from the deck of his ship in a storm'


class Command(BaseCommand):
    help = "Measure how much of each corpus prompt the built-in renderer's plan draws."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--corpus", type=Path, default=score.CORPUS, help="Corpus CSV file.")
        parser.add_argument("--split", choices=("tune", "held", "all"), default="all")
        parser.add_argument("--verbose", action="store_true", help="One row per prompt.")
        parser.add_argument("--sheets", type=Path, help="Folder for rendered contact sheets.")
        parser.add_argument(
            "--limit", type=int, default=sheets.SHEET_COUNT, help="How many sheets to render."
        )
        parser.add_argument("--p1", action="store_true", help="Time an 8 s clip, cold and warm.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            rows = score.read_corpus(options["corpus"])
        except score.CorpusError as exc:
            raise CommandError(str(exc)) from exc
        split = options["split"]
        rows = [row for row in rows if split == "all" or row.split == split]
        if not rows:
            raise CommandError(f"The corpus has no {split} prompts.")
        if options["p1"]:
            self._p1()  # first, so the cold figure is cold
        scores = score.score_rows(rows, plan_scene)
        if options["verbose"]:
            for result in scores:
                self._write_row(result)
        self._write_figures(scores, split, options["corpus"])
        if options["sheets"]:
            self._sheets(rows, options["sheets"], options["limit"])

    def _write_figures(self, scores: list[score.Score], split: str, path: Path) -> None:
        total = score.tally(scores)
        self.stdout.write(f"corpus {path}")
        self.stdout.write(f"prompts planned: {total.prompts}, expected items: {total.items}")
        for name in ("tune", "held", "all") if split == "all" else (split,):
            part = score.tally(scores, name)
            share = 100 * part.share(part.drawn)
            self.stdout.write(f"drawn ({name}): {part.drawn} of {part.items} = {share:.1f}%")
        self.stdout.write(
            f"drawn by a stand-in (the word drew something else): {total.stand_ins} of "
            f"{total.items} = {100 * total.share(total.stand_ins):.1f}%"
        )
        self.stdout.write(
            f"listed as not drawn: {total.not_drawn} of {total.items} "
            f"= {100 * total.share(total.not_drawn):.1f}%"
        )
        self.stdout.write(
            f"silently dropped: {total.dropped} of {total.items} "
            f"= {100 * total.share(total.dropped):.1f}%"
        )

    def _write_row(self, result: score.Score) -> None:
        def names(items: tuple[score.Item, ...]) -> str:
            return ", ".join(map(str, items)) or "-"

        self.stdout.write(
            f"[{result.row.split}] {result.row.prompt}\n"
            f"    drawn: {names(result.drawn)} (stand-ins: {names(result.stand_ins)}) "
            f"| not drawn: {names(result.not_drawn)} "
            f"| dropped: {names(result.dropped)}"
        )

    def _sheets(self, rows: list[score.Row], folder: Path, limit: int) -> None:
        if limit < 1:
            raise CommandError("--limit must be at least 1 sheet.")
        folder.mkdir(parents=True, exist_ok=True)
        backend = BuiltinBackend()
        picked = sheets.spread(rows, min(limit, sheets.SHEET_COUNT))
        for index, row in enumerate(picked):
            sheets.render_sheet(backend, row, index, folder)
        self.stdout.write(f"contact sheets: {len(picked)} PNG files in {folder}")

    def _p1(self) -> None:
        # One clip made exactly the way bench_audio makes its P1 clip: render, soundtrack,
        # watermark and an AAC encode.
        with tempfile.TemporaryDirectory(prefix="sora-bench-fidelity-") as tmp:
            bench = AudioBench()
            bench.folder = Path(tmp)
            # What a video worker does at start-up, before its first job (``warm_up``): load
            # the text model, the voice and the pictogram index, and keep freed memory.
            # "cold" is then the worker's first clip, sprite cache empty; "warm" the next ones.
            started = time.perf_counter()
            bench.backend = BuiltinBackend()
            bench.backend.load()
            warm_up()
            self.stdout.write(
                "worker start-up (text model, voice, pictograms): "
                f"{time.perf_counter() - started:.2f} s"
            )
            clips = []
            for _ in range(1 + P1_WARM_CLIPS):
                started, cpu = time.perf_counter(), _cpu_seconds()
                clip = bench._make(P1_PROMPT, P1_DURATION_S)
                clips.append(
                    {
                        **clip.seconds,
                        "total": time.perf_counter() - started,
                        "cpu": _cpu_seconds() - cpu,
                    }
                )
            self._p1_line("cold (the worker's first clip)", clips[0])
            # A shared 2-core machine's speed wanders by a fifth from one clip to the next, so
            # the warm figure is the median of several clips, with the slowest beside it. The
            # CPU time (every thread of this process) is the steadier yardstick: 4x real time
            # on 2 cores leaves 2 * 8 / 4 = 4.0 CPU-seconds per clip.
            warm = clips[1:]
            middle = {key: statistics.median(clip[key] for clip in warm) for key in warm[0]}
            slowest = max(clip["total"] for clip in warm)
            self._p1_line(
                f"warm (median of {len(warm)}; slowest {slowest:.2f} s "
                f"= {P1_DURATION_S / slowest:.2f}x)",
                middle,
            )

    def _p1_line(self, label: str, s: dict[str, float]) -> None:
        self.stdout.write(
            f"P1 {P1_DURATION_S} s 9:16 clip with sound, {label}: {s['total']:.2f} s "
            f"= {P1_DURATION_S / s['total']:.2f}x real time (render {s['render']:.2f} s, "
            f"soundtrack {s['sound']:.2f} s, encode {s['encode']:.2f} s; "
            f"CPU {s['cpu']:.2f} s of the {CORES * P1_DURATION_S / 4:.1f} s that {CORES} cores "
            "have at 4x)"
        )


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
