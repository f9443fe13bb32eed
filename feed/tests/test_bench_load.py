"""``bench_load`` at a small scale: readers signed in as different people, every answer counted,
and the server started exactly as ``./run`` starts it. No timing claims."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from accounts.models import User
from feed.management.commands.bench_load import RUN_ARGS
from feed.models import Post
from feed.seeding import seed_scale, templates_from
from feed.services.posts import post_publish


def test_the_bench_starts_gunicorn_with_the_arguments_run_gives_it() -> None:
    lines = (Path(settings.BASE_DIR) / "run").read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if 'gunicorn" sora_site.wsgi' in line)
    command = " ".join(line.strip().rstrip("\\") for line in lines[at : at + 2])
    for flag, value in zip(RUN_ARGS[::2], RUN_ARGS[1::2], strict=True):
        assert f"{flag} {value}" in command


def test_a_bad_reader_count_or_duration_gets_a_sentence() -> None:
    with pytest.raises(CommandError, match="--readers must be at least 1"):
        call_command("bench_load", "--here", "--readers", "0")
    with pytest.raises(CommandError, match="--seconds more than 0"):
        call_command("bench_load", "--here", "--seconds", "0")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_signed_in_readers_get_every_page_they_ask_for(alice: User, rendered: Any) -> None:
    demo = post_publish(user=alice, job_id=rendered(alice, "a dog running on the beach").pk)
    seed_scale(posts=120, templates=templates_from([demo]), say=lambda _: None)
    out = io.StringIO()

    call_command("bench_load", "--here", "--readers", "6", "--seconds", "2", stdout=out)

    report = out.getvalue()
    assert "6 signed-in readers for 2 s against gunicorn --config" in report
    answered = int(re.search(r"requests answered 200: ([\d,]+)", report).group(1).replace(",", ""))
    pages = r"   (For-you page|next page \(htmx\)|a post's page)\s+([\d,]+)"
    kinds = dict(re.findall(pages, report))
    assert answered > 0
    assert set(kinds) == {"For-you page", "next page (htmx)", "a post's page"}
    assert sum(int(v.replace(",", "")) for v in kinds.values()) == answered
    assert re.search(r"latency p50 \d+ ms, p99 \d+ ms", report)
    assert "Load errors: 0 (meets = 0)" in report
    assert Post.objects.count() > 100  # it read the database it was given
