"""Print how well cameo restrictions are checked: recall and false refusals on the held part of
the restriction corpus (and on the tune part, labelled), on the fresh corpus that is never used
for tuning, per restriction, and the mean time per check. ``--verbose`` lists the misses. See
``cameo.restrictions.bench`` for the corpora and splits.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cameo.restrictions.bench import (
    CORPUS,
    FRESH,
    SPLITS,
    CorpusRow,
    read_corpus,
    report_lines,
    run_bench,
)


class Command(BaseCommand):
    help = (
        "Measure cameo restriction checks on the restriction corpus (held and tune parts) and on "
        "the fresh corpus, which is never used for tuning."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--corpus",
            type=Path,
            default=None,
            help="CSV file to score instead of the restriction corpus and the fresh corpus.",
        )
        parser.add_argument(
            "--split",
            choices=SPLITS,
            default="held",
            help="Which part to break down by restriction and list misses for.",
        )
        parser.add_argument("--verbose", action="store_true", help="List every miss.")

    def handle(self, *args: Any, **options: Any) -> None:
        paths: list[Path] = [options["corpus"]] if options["corpus"] else [CORPUS, FRESH]
        rows: list[CorpusRow] = []
        for path in paths:
            if not path.is_file():
                raise CommandError(f"There is no corpus at {path}. Give a CSV file with --corpus.")
            read = read_corpus(path)
            if not read:
                raise CommandError(f"{path} has no rows to score.")
            self.stdout.write(
                f"restriction corpus {path.name}: {len(read)} rows, "
                f"{len({row.restriction for row in read})} restrictions"
            )
            rows += read
        if any(row.split == "fresh" for row in rows):
            self.stdout.write(
                "fresh rows are never used for tuning: they measure wording nobody has tuned "
                "against."
            )
        result = run_bench(rows)
        for line in report_lines(result, split=options["split"], verbose=options["verbose"]):
            self.stdout.write(line)
