"""Print how well cameo restrictions are checked: recall and false refusals on the held part of
the restriction corpus (and on the tune part, labelled), per restriction, and the mean time per
check. ``--verbose`` lists the misses. See ``cameo.restrictions.bench`` for the corpus and split.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cameo.restrictions.bench import CORPUS, SPLITS, read_corpus, report_lines, run_bench


class Command(BaseCommand):
    help = "Measure cameo restriction checks on the restriction corpus (held and tune parts)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--corpus", type=Path, default=CORPUS, help="CSV file to score.")
        parser.add_argument(
            "--split",
            choices=SPLITS,
            default="held",
            help="Which part to break down by restriction and list misses for.",
        )
        parser.add_argument("--verbose", action="store_true", help="List every miss.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["corpus"]
        if not path.is_file():
            raise CommandError(f"There is no corpus at {path}. Give a CSV file with --corpus.")
        rows = read_corpus(path)
        if not rows:
            raise CommandError(f"{path} has no rows to score.")
        self.stdout.write(
            f"restriction corpus {path.name}: {len(rows)} rows, "
            f"{len({row.restriction for row in rows})} restrictions"
        )
        result = run_bench(rows)
        for line in report_lines(result, split=options["split"], verbose=options["verbose"]):
            self.stdout.write(line)
