"""``manage.py moderation_report``: a population built through the services, with the figures
worked out by hand beside it.

In the window (30 days):
* reports: R1 alice→bob's profile, spam, dismissed after 5 h; R2 charlie→bob's profile,
  harassment, open; R3 alice→a video with her likeness, resolved by removal after 1 h; R4
  charlie→alice's profile, spam, resolved by a strike after 2 h; R5 automatic prompt report
  (minors), open; R7 and R8 automatic nudity reports on held videos, open. 7 reports: 4 by
  people, 3 automatic; 4 open, 3 closed (2 resolved, 1 dismissed); median resolution 2 h.
* actions: dismiss 1, remove 1, strike 3 (alice, bob, charlie), uphold 1, reverse 1, warn 1: 8.
* appeals: alice's upheld, bob's reversed, charlie's pending: 3.
* scans: held for nudity, held for a likeness, held for both, one passed: 3 held; causes
  likeness 2, nudity 2.
Outside it (moved 40 days back): an automatic prompt report R6, a warning, and a nudity hold
with its report R9.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import User
from cameo.services.consent import cameo_mark_verified, cameo_settings_update
from generation.services import generation_request
from safety.likeness import Match
from safety.models import Appeal, ModerationAction, Report, Strike, VideoScan
from safety.services import console, scan, text_checks
from safety.services import reports as services


def _run(*args: str) -> list[str]:
    from io import StringIO

    out = StringIO()
    call_command("moderation_report", *args, stdout=out)
    return out.getvalue().splitlines()


def _ago(**delta: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(**delta)


def _took(report: Report, days_ago: int, hours: float) -> None:
    """Place a closed report in time: made ``days_ago`` days back, closed ``hours`` later."""
    made = _ago(days=days_ago)
    Report.objects.filter(pk=report.pk).update(
        created_at=made, resolved_at=made + dt.timedelta(hours=hours)
    )


def _job(user: User, cameo_ids: tuple[int, ...] = ()) -> Any:
    return generation_request(
        user=user, prompt="a walk in the park", duration_s=4, aspect="9:16", seed=1,
        cameo_ids=list(cameo_ids),
    )  # fmt: skip


def _scan(job: Any, *, likeness: Any = None, nudity: bool = False) -> VideoScan:
    matches = []
    if likeness is not None:
        matches = [Match(cameo_id=likeness.pk, owner_id=likeness.owner_id, distance=0.3,
                              frame=12)]  # fmt: skip
    result = scan.ScanResult(
        frames_scanned=4, faces_found=len(matches), seconds=1.0, protected_cameos=1,
        identity={}, matches=matches, nudity_frames=[12] if nudity else [],
        nudity_score=0.9 if nudity else 0.0, nudity_threshold=0.5,
    )  # fmt: skip
    return scan.video_scan_record(job=job, result=result)


@pytest.fixture
def population(alice: User, bob: User, charlie: User, moderator: User) -> None:
    cameo_mark_verified(owner=alice, display_name="alice", embedding=[0.0] * 128)
    cameo = cameo_settings_update(owner=alice, permission="everyone")
    video = _job(bob, (cameo.pk,))

    r1 = services.report_create_profile(reporter=alice, username="bob", reason="spam")
    services.report_dismiss(moderator=moderator, report_id=r1.pk, reason="Not spam.")
    _took(r1, 10, 5)
    services.report_create_profile(reporter=charlie, username="bob", reason="harassment")
    r3 = services.report_create(reporter=alice, job_id=video.pk, reason="likeness", likeness=True)
    services.moderation_remove_video(moderator=moderator, job_id=video.pk, reason="No consent.")
    _took(r3, 9, 1)
    r4 = services.report_create_profile(reporter=charlie, username="alice", reason="spam")
    console.moderation_strike(
        moderator=moderator, user_id=alice.pk, reason="Spam links.", report_id=r4.pk
    )
    _took(r4, 8, 2)
    text_checks.report_automatic(user=bob, reason="minors", note="Blocked prompt: …")
    old = text_checks.report_automatic(user=charlie, reason="minors", note="Blocked prompt: …")
    Report.objects.filter(pk=old.pk).update(created_at=_ago(days=40))

    for person in (bob, charlie):
        console.moderation_strike(moderator=moderator, user_id=person.pk, reason="Rude.")
    strikes = {s.user_id: s for s in Strike.objects.all()}
    for person in (alice, bob, charlie):
        console.appeal_create(user=person, strike_id=strikes[person.pk].pk, text="A mistake.")
    appeals = {a.strike.user_id: a for a in Appeal.objects.select_related("strike")}
    console.appeal_decide(
        moderator=moderator, appeal_id=appeals[alice.pk].pk, uphold=True, reason="Stands."
    )
    console.appeal_decide(
        moderator=moderator, appeal_id=appeals[bob.pk].pk, uphold=False, reason="Fair point."
    )
    console.moderation_warn(moderator=moderator, user_id=bob.pk, reason="Be kind.")
    stale = console.moderation_warn(moderator=moderator, user_id=bob.pk, reason="Old.")
    ModerationAction.objects.filter(pk=stale.pk).update(created_at=_ago(days=40))

    _scan(_job(bob), nudity=True)
    _scan(_job(charlie), likeness=cameo)
    _scan(_job(charlie), likeness=cameo, nudity=True)
    _scan(_job(alice))
    gone = _scan(_job(bob), nudity=True)
    VideoScan.objects.filter(pk=gone.pk).update(created_at=_ago(days=40))
    Report.objects.filter(job=gone.job).update(created_at=_ago(days=40))


EXPECTED_30_DAYS = """
Reports filed: 7 (4 by people, 3 automatic)
  open: 4
  closed: 3 (resolved 2, dismissed 1)
  by category:
    Sexual content: 2
    Spam or scam: 2
    Bullying or harassment: 1
    It uses my face or likeness without my consent: 1
    Sexual content involving minors: 1
  by target:
    A profile: 3
    A video: 2
    A prompt (automatic): 1
    Misuse of my likeness: 1
  median time to resolution: 2 h 0 min (over 3 closed reports)

Moderation actions: 8
  Gave a strike: 3
  Dismissed a report: 1
  Removed a video: 1
  Reversed a strike on appeal: 1
  Upheld a strike on appeal: 1
  Warned a person: 1

Appeals filed: 3
  upheld: 1
  reversed: 1
  pending: 1

Videos held automatically after rendering: 3
  likeness: 2
  nudity: 2
  (a video held for more than one cause counts under each)

Automatic prompt reports: 1
  Sexual content involving minors: 1
"""


@pytest.mark.django_db
def test_the_report_prints_the_hand_counted_figures_for_30_days(population: None) -> None:
    lines = _run("--days", "30")
    assert lines[0].startswith("Moderation report for the last 30 days (")
    assert lines[0].endswith(" UTC)")
    assert "\n".join(lines[1:]) == EXPECTED_30_DAYS.rstrip("\n")


@pytest.mark.django_db
def test_a_shorter_window_leaves_out_what_came_before_it(population: None) -> None:
    lines = _run("--days", "7")
    assert lines[0].startswith("Moderation report for the last 7 days (")
    # R1, R3 and R4 were filed 8 to 10 days ago; the three automatic reports are recent.
    assert "Reports filed: 4 (1 by people, 3 automatic)" in lines
    assert "  closed: 0 (resolved 0, dismissed 0)" in lines
    assert "  median time to resolution: no report closed yet" in lines
    assert "Moderation actions: 8" in lines  # actions were taken today


@pytest.mark.django_db
def test_an_empty_window_says_so() -> None:
    lines = _run("--days", "1")
    assert lines[0].startswith("Moderation report for the last 1 day (")
    assert lines[2:6] == [
        "Reports filed: 0 (0 by people, 0 automatic)", "  open: 0",
        "  closed: 0 (resolved 0, dismissed 0)", "  by category:",
    ]  # fmt: skip
    assert "    (none)" in lines and "Videos held automatically after rendering: 0" in lines
    assert "Appeals filed: 0" in lines and "Automatic prompt reports: 0" in lines


@pytest.mark.django_db
@pytest.mark.parametrize("days", ["0", "3651", "-5", "thirty", "2.5"])
def test_a_bad_days_value_is_refused_with_a_sentence(days: str) -> None:
    with pytest.raises(CommandError) as refused:
        _run("--days", days)
    assert str(refused.value) == f"--days must be a whole number from 1 to 3,650, not {days!r}."


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(30, "under a minute"), (45 * 60, "45 min"), (3 * 3600 + 1200, "3 h 20 min"),
     (2 * 86400 + 4 * 3600 + 59, "2 d 4 h")],
)  # fmt: skip
def test_durations_read_as_words(seconds: float, words: str) -> None:
    from safety.management.commands.moderation_report import duration_words

    assert duration_words(seconds) == words
