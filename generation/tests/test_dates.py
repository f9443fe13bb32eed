"""Dates read as people read them: "5 Dec 2026, 14:02" and "just now"."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.services.users import notify
from generation.pipeline.encode import encode_mp4
from generation.pipeline.provenance import sign_mp4

WHEN = dt.datetime(2026, 12, 5, 14, 2, 9, tzinfo=dt.UTC)


def test_verify_page_shows_when_a_video_was_made_as_a_date_and_time(
    client: Client, tmp_path: Path, db: None
) -> None:
    encode_mp4(np.full((6, 64, 64, 3), 90, dtype=np.uint8), 24, tmp_path / "clip.mp4")
    fields = {"site": "Sora", "creator": "@alice", "model": "builtin", "seed": 3}
    sign_mp4(
        tmp_path / "clip.mp4", tmp_path / "signed.mp4", {**fields, "created": WHEN.isoformat()}
    )
    upload = SimpleUploadedFile("clip.mp4", (tmp_path / "signed.mp4").read_bytes())
    page = client.post(reverse("verify"), {"video": upload}).content.decode()
    assert "<dt>Created</dt><dd>5 Dec 2026, 14:02</dd>" in page
    assert "2026-12-05T14:02" not in page
    assert "not a trained model (IPTC: algorithmic media)" in page


def test_record_page_shows_the_date_and_time_it_was_made(
    client: Client, alice: User, submit: Any
) -> None:
    with time_machine.travel(WHEN, tick=False):
        job = submit(alice, "a kite over the dunes")
    page = client.get(reverse("record", args=[job.public_id])).content.decode()
    assert "It was made on 5 Dec 2026, 14:02, but it isn" in page


def test_a_draft_made_a_moment_ago_says_just_now(client: Client, alice: User, submit: Any) -> None:
    submit(alice, "a kite over the dunes")
    client.force_login(alice)
    page = client.get(reverse("generation:drafts")).content.decode()
    assert '<small class="muted">just now</small>' in page
    assert "0 minutes" not in page


def test_notifications_say_just_now_then_minutes_ago(client: Client, alice: User) -> None:
    with time_machine.travel(WHEN, tick=False):
        notify(recipient=alice, kind="follow", text="@bob followed you.")
    client.force_login(alice)
    with time_machine.travel(WHEN + dt.timedelta(seconds=20), tick=False):
        page = client.get(reverse("accounts:notifications")).content.decode()
    assert "just now" in page and "0 minutes" not in page
    with time_machine.travel(WHEN + dt.timedelta(minutes=5), tick=False):
        page = client.get(reverse("accounts:notifications")).content.decode()
    assert "5\xa0minutes ago" in page
