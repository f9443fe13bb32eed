"""Score ``restriction_conflict`` against a restriction corpus: recall, false refusals, cost.

The corpus (``corpus.csv`` beside this module) has the columns restriction, prompt, expected
(``refuse`` or ``allow``), split (``tune`` or ``held``) and note. Its rows were written in two
passes, the prompts to refuse and then the harmless ones with their tricky neighbours, before the
matcher was changed for them. The split is a fixed rule: within each restriction and each
expected answer, the 1st, 4th, 7th … row is ``held`` (a little over a third). Only ``tune`` rows
may be looked at while changing the matcher; ``held`` measures it.

A second file, ``fresh.csv`` (split ``fresh``), was written later in everyday creator wording,
for the same restrictions and five more that people often write ("no kissing", "keep it family
friendly", "no pranks on me" ...), and committed before any change it could have led to. It is
never used for tuning, not even its misses: held is only ~66 rows per answer (one row is 1.5
points), so fresh is the larger yardstick for wording nobody has tuned against.
"""

from __future__ import annotations

import csv
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from cameo.restrictions import restriction_conflict

CORPUS = Path(__file__).with_name("corpus.csv")
FRESH = Path(__file__).with_name("fresh.csv")
SPLITS = ("held", "tune", "fresh")


@dataclass(frozen=True)
class CorpusRow:
    restriction: str
    prompt: str
    refuse: bool
    split: str
    note: str = ""


@dataclass
class Tally:
    """Counts for one group of rows: refusals expected and made, allowed rows refused."""

    conflicts: int = 0
    caught: int = 0
    harmless: int = 0
    refused: int = 0
    misses: list[tuple[CorpusRow, str | None]] = field(default_factory=list)

    def add(self, row: CorpusRow, quote: str | None) -> None:
        hit = quote is not None
        if row.refuse:
            self.conflicts += 1
            self.caught += hit
        else:
            self.harmless += 1
            self.refused += hit
        if hit != row.refuse:
            self.misses.append((row, quote))

    @property
    def recall(self) -> float:
        return self.caught / self.conflicts if self.conflicts else 1.0

    @property
    def false_refusal_rate(self) -> float:
        return self.refused / self.harmless if self.harmless else 0.0

    def summary(self) -> str:
        return (
            f"recall {self.caught}/{self.conflicts} = {self.recall:.1%}, "
            f"false refusals {self.refused}/{self.harmless} = {self.false_refusal_rate:.1%}"
        )


@dataclass(frozen=True)
class BenchResult:
    totals: dict[str, Tally]
    by_restriction: dict[str, dict[str, Tally]]
    mean_ms: float
    checks: int


def read_corpus(path: Path = CORPUS) -> list[CorpusRow]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [
            CorpusRow(
                restriction=row["restriction"],
                prompt=row["prompt"],
                refuse=row["expected"].strip().lower() == "refuse",
                split=row["split"].strip().lower(),
                note=(row.get("note") or "").strip(),
            )
            for row in csv.DictReader(handle)
        ]


def run_bench(
    rows: Iterable[CorpusRow], check: Callable[[str, str], str | None] | None = None
) -> BenchResult:
    """Check every row once; the first check (which loads MiniLM) is made apart and not timed."""
    if check is None:
        check = restriction_conflict
    rows = list(rows)
    if rows:
        check("warm up the model", rows[0].restriction)
    totals: dict[str, Tally] = defaultdict(Tally)
    by_restriction: dict[str, dict[str, Tally]] = defaultdict(lambda: defaultdict(Tally))
    elapsed = 0.0
    for row in rows:
        started = time.perf_counter()
        quote = check(row.prompt, row.restriction)
        elapsed += time.perf_counter() - started
        totals[row.split].add(row, quote)
        by_restriction[row.split][row.restriction].add(row, quote)
    mean_ms = elapsed * 1000 / len(rows) if rows else 0.0
    return BenchResult(
        dict(totals), {k: dict(v) for k, v in by_restriction.items()}, mean_ms, len(rows)
    )


def report_lines(result: BenchResult, *, split: str, verbose: bool) -> list[str]:
    """The bench's printout: totals per split, then one split by restriction, then its misses."""
    lines = [
        f"{name:>4} ({tally.conflicts + tally.harmless} rows): {tally.summary()}"
        for name in (*SPLITS, *sorted(set(result.totals) - set(SPLITS)))
        if (tally := result.totals.get(name))
    ]
    lines.append(f"mean {result.mean_ms:.1f} ms per check over {result.checks} checks")
    groups = result.by_restriction.get(split, {})
    if groups:
        lines.append(f"by restriction ({split}):")
        width = max(len(name) for name in groups)
        lines += [f"  {name:<{width}}  {tally.summary()}" for name, tally in groups.items()]
    if verbose and split in result.totals:
        lines.append(f"misses ({split}):")
        for row, quote in result.totals[split].misses:
            kind = "missed" if row.refuse else f"false refusal ({quote!r})"
            note = f"  [{row.note}]" if row.note else ""
            lines.append(f"  {kind}: {row.restriction!r} / {row.prompt!r}{note}")
    return lines
