"""Measure moderation on the labelled prompt corpus: recall, false positives and latency.

Shared by ``manage.py bench_moderation`` (which prints the figures) and the test that holds
the corpus to the quality bar, so both count the same way.
"""

from __future__ import annotations

import csv
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .classify import Verdict, moderate_text
from .public_figures import STARTER_PUBLIC_FIGURES

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "prompts.csv"
HARMLESS = "harmless"


@dataclass(frozen=True)
class LabelledPrompt:
    text: str
    label: str
    variant: str


@dataclass
class Tally:
    """Prompts seen, and how many were blocked or held."""

    total: int = 0
    blocked: int = 0
    held: int = 0

    def add(self, verdict: Verdict) -> None:
        self.total += 1
        self.blocked += verdict.outcome == "block"
        self.held += verdict.outcome == "hold"

    @property
    def flagged_rate(self) -> float:
        return (self.blocked + self.held) / self.total if self.total else 0.0

    @property
    def blocked_rate(self) -> float:
        return self.blocked / self.total if self.total else 0.0


@dataclass
class BenchResult:
    harmful: Tally = field(default_factory=Tally)
    harmful_by_variant: dict[str, Tally] = field(default_factory=dict)
    harmful_by_category: dict[str, Tally] = field(default_factory=dict)
    harmless: Tally = field(default_factory=Tally)
    wrong_category: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    misses: list[LabelledPrompt] = field(default_factory=list)
    false_positives: list[tuple[LabelledPrompt, Verdict]] = field(default_factory=list)
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)


def load_corpus(path: Path = CORPUS) -> list[LabelledPrompt]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [LabelledPrompt(r["text"], r["label"], r["variant"]) for r in csv.DictReader(handle)]


def _record(result: BenchResult, prompt: LabelledPrompt, verdict: Verdict) -> None:
    result.counts[(prompt.label, prompt.variant)] += 1
    if prompt.label == HARMLESS:
        result.harmless.add(verdict)
        if verdict.outcome != "allow":
            result.false_positives.append((prompt, verdict))
        return
    result.harmful.add(verdict)
    result.harmful_by_variant.setdefault(prompt.variant, Tally()).add(verdict)
    result.harmful_by_category.setdefault(prompt.label, Tally()).add(verdict)
    if verdict.outcome == "allow":
        result.misses.append(prompt)
    elif verdict.category != prompt.label:
        result.wrong_category += 1


def run_bench(prompts: list[LabelledPrompt], *, warm_up: bool = True) -> BenchResult:
    """Moderate every prompt as a prompt, with the starter public-figure list protected."""
    if warm_up:
        # Load MiniLM, the exemplar bank and the profanity model before timing anything.
        moderate_text("warming up: you are a lovely person", kind="comment")
    result = BenchResult()
    for prompt in prompts:
        started = time.perf_counter()
        verdict = moderate_text(prompt.text, protected_names=STARTER_PUBLIC_FIGURES)
        result.latencies_ms.append((time.perf_counter() - started) * 1000)
        _record(result, prompt, verdict)
    return result


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(fraction * 100) - 1]
