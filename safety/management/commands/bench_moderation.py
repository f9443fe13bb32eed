"""``manage.py bench_moderation``: block recall, false positives and latency on the corpus."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from django.core.management.base import BaseCommand, CommandParser

from safety.moderation.bench import CORPUS, BenchResult, Tally, load_corpus, percentile, run_bench


def _rate(tally: Tally) -> str:
    return (
        f"{tally.flagged_rate:.1%} caught (block or hold), {tally.blocked_rate:.1%} blocked "
        f"[{tally.blocked + tally.held}/{tally.total}]"
    )


class Command(BaseCommand):
    help = "Run the labelled prompt corpus through text moderation and print the figures."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--corpus", type=Path, default=CORPUS, help="CSV: text,label,variant")
        parser.add_argument(
            "--show-errors", action="store_true", help="Also list misses and false positives."
        )
        parser.add_argument(
            "--torch-threads",
            type=int,
            default=0,
            help="Set torch's intra-op threads first (0: leave torch's default).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        threads = self._threads(options["torch_threads"])
        prompts = load_corpus(options["corpus"])
        result = run_bench(prompts)
        self.stdout.write(f"torch threads: {threads}")
        for line in self._summary(result):
            self.stdout.write(line)
        if options["show_errors"]:
            for line in self._errors(result):
                self.stdout.write(line)

    def _threads(self, wanted: int) -> int:
        if wanted > 0:
            torch.set_num_threads(wanted)
        return torch.get_num_threads()

    def _summary(self, result: BenchResult) -> list[str]:
        lines = [f"prompts: {result.harmful.total + result.harmless.total}"]
        lines += [
            f"  {label}/{variant}: {n}" for (label, variant), n in sorted(result.counts.items())
        ]
        lines.append(f"harmful recall, all: {_rate(result.harmful)}")
        for variant, tally in sorted(result.harmful_by_variant.items()):
            lines.append(f"harmful recall, {variant}: {_rate(tally)}")
        for category, tally in sorted(result.harmful_by_category.items()):
            lines.append(f"recall by category, {category}: {_rate(tally)}")
        lines.append(f"caught under another category: {result.wrong_category}")
        harmless = result.harmless
        lines.append(
            f"false positives on harmless: {harmless.flagged_rate:.1%} blocked or held, "
            f"{harmless.blocked_rate:.1%} blocked [{harmless.blocked + harmless.held}/"
            f"{harmless.total}]"
        )
        latencies = result.latencies_ms
        lines.append(
            f"latency per prompt after warm-up: p50 {percentile(latencies, 0.5):.1f} ms, "
            f"p95 {percentile(latencies, 0.95):.1f} ms, max {max(latencies, default=0):.1f} ms"
        )
        return lines

    def _errors(self, result: BenchResult) -> list[str]:
        lines = [f"missed ({prompt.label}): {prompt.text}" for prompt in result.misses]
        lines += [
            f"false positive ({verdict.outcome} {verdict.category}): {prompt.text}"
            for prompt, verdict in result.false_positives
        ]
        return lines
