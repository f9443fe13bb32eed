"""How much of what people ask for does the built-in renderer draw?

Plans every prompt of the fidelity corpus (no rendering) and prints the share of expected items
the plan drew, for the tune and held splits and overall, and how many it dropped silently
(neither drawn nor listed as not drawn). ``--sheets DIR`` also renders 12 of the prompts as
contact sheets; ``--p1`` times an 8 s 9:16 clip with sound, cold and then warm.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from generation.fidelity import score, sheets
from generation.pipeline.scene import plan_scene

P1_DURATION_S = 8
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
        from generation.pipeline.builtin import BuiltinBackend

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
        from generation.management.commands.bench_audio import Command as AudioBench
        from generation.pipeline import pictograms
        from generation.pipeline.builtin import BuiltinBackend

        with tempfile.TemporaryDirectory(prefix="sora-bench-fidelity-") as tmp:
            bench = AudioBench()
            bench.folder = Path(tmp)
            # What a video worker does at start-up, before its first job: load the text model
            # and the pictogram index. "cold" is then the worker's first clip, sprite cache
            # empty; "warm" the next one.
            started = time.perf_counter()
            bench.backend = BuiltinBackend()
            bench.backend.load()
            pictograms.warm()
            self.stdout.write(
                f"worker start-up (text model, pictograms): {time.perf_counter() - started:.2f} s"
            )
            started = time.perf_counter()
            for label in ("cold", "warm"):
                clip = bench._make(P1_PROMPT, P1_DURATION_S)
                total = time.perf_counter() - started
                s = clip.seconds
                self.stdout.write(
                    f"P1 {P1_DURATION_S} s 9:16 clip with sound, {label}: {total:.2f} s "
                    f"= {P1_DURATION_S / total:.2f}x real time (render {s['render']:.2f} s, "
                    f"soundtrack {s['sound']:.2f} s, encode {s['encode']:.2f} s)"
                )
                started = time.perf_counter()
