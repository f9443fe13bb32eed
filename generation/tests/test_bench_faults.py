"""bench_faults: a worker killed mid-render, restarted, and nothing left behind."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command


@pytest.mark.slow
def test_it_kills_a_worker_mid_render_and_reports_nothing_left_behind() -> None:
    out = io.StringIO()

    call_command("bench_faults", "--runs", "1", "--duration", "4", "--at", "40", stdout=out)

    said = out.getvalue()
    assert "1 run(s): a 4 s render each, the worker killed at 40% and restarted." in said
    row = re.search(r"^\s+1\s+1\s+40%\s+(.+?)\s{2,}[\d.]+ s\s+(\w+)\s+(\d+)", said, re.M)
    assert row is not None, said
    # Killed mid-render, the job was put back by the restarted worker and rendered again.
    assert (row[2], row[3]) == ("succeeded", "2")
    assert "Kills that stopped a render mid-way: 1 of 1." in said
    assert "1 of 1 jobs ended done or failed with a sentence (1 done, 0 failed)." in said
    assert "Jobs left running or queued: 0." in said
    assert re.search(r"Orphan render folders under \S+/work: 0\.", said)
    assert "Orphan files in storage: 0." in said
    assert "Goal met: 1 of 1 ended, 0 unfinished, 0 orphans." in said


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--runs", "0"], "--runs must be at least 1."),
        (["--at", "99"], "--at is a progress percentage from 1 to 97."),
    ],
)
def test_it_refuses_a_bad_option_before_starting_anything(args: list[str], message: str) -> None:
    out = io.StringIO()

    with pytest.raises(CommandError, match=message):
        call_command("bench_faults", *args, stdout=out)

    assert "Bench folder" not in out.getvalue()
