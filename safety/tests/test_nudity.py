"""The nudity check in the post-render scan.

What is real here: NudeNet's detector (the ONNX model in the wheel) runs on the frames of
rendered, harmless videos, through the worker's one scan pass, and must hold none of them.
What is swapped: no explicit image is used anywhere, so for the hold path the module attribute
``safety.nudity._detector`` is replaced by a detector that returns a fixed detection. Everything
after the detector (the threshold, the counted classes, the hold, the report, the notification,
publish refusing) is the real code. Whether NudeNet finds real nudity is NudeNet's to prove;
these tests prove what the site does with its answer.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from accounts.models import Notification, User
from feed.services.posts import post_publish
from safety import likeness, nudity
from safety.models import Report, VideoScan
from safety.services import scan


class FixedDetector:
    """Answers every frame with the same detections, and keeps what it was shown."""

    def __init__(self, *detections: tuple[str, float]) -> None:
        self.detections = [{"class": c, "score": s, "box": [0, 0, 10, 10]} for c, s in detections]
        self.seen: list[np.ndarray] = []

    def detect(self, image: np.ndarray) -> list[dict[str, Any]]:
        self.seen.append(image)
        return list(self.detections)


@pytest.fixture
def flagging(monkeypatch: pytest.MonkeyPatch) -> FixedDetector:
    found = FixedDetector(("FEMALE_BREAST_EXPOSED", 0.91), ("FACE_FEMALE", 0.8))
    monkeypatch.setattr(nudity, "_detector", found)
    return found


@pytest.mark.parametrize(
    ("prompt", "aspect"),
    [("a dog running on the beach at sunset", "9:16"), ("a person doing yoga at sunrise", "1:1")],
)
def test_the_real_detector_passes_harmless_rendered_videos(
    alice: User, rendered: Any, settings: Any, prompt: str, aspect: str
) -> None:
    job = rendered(alice, prompt, aspect=aspect)
    result = VideoScan.objects.get(job=job)
    assert result.outcome == "passed" and result.hold_causes == []
    assert result.frames_scanned == 4 and result.nudity_frames == 0
    assert result.nudity_score < settings.SORA_NUDITY_THRESHOLD
    assert result.nudity_threshold == settings.SORA_NUDITY_THRESHOLD
    assert job.held_at is None and not Report.objects.exists()
    assert type(nudity._detector).__name__ == "NudeDetector"  # loaded once, kept warm
    assert post_publish(user=alice, job_id=job.pk)


def test_a_flagged_frame_holds_the_video_and_reports_it_to_moderators(
    client: Client, bob: User, rendered: Any, flagging: FixedDetector, settings: Any
) -> None:
    job = rendered(bob, "a dog running on the beach at sunset")

    result = VideoScan.objects.get(job=job)
    assert (result.outcome, result.hold_causes) == ("held", ["nudity"])
    assert (result.nudity_frames, result.nudity_score) == (4, 0.91)
    assert result.nudity_threshold == settings.SORA_NUDITY_THRESHOLD
    assert result.hold_reason == scan.NUDITY_HOLD_REASON
    assert len(flagging.seen) == result.frames_scanned  # one look per sampled frame, one pass
    assert job.held_at is not None and job.held_reason == scan.NUDITY_HOLD_REASON

    report = Report.objects.get()
    assert report.automatic and report.reporter is None
    assert (report.target, report.reason, report.job, report.reported_user) == (
        "video", "sexual", job, bob,
    )  # fmt: skip
    assert "4 of 4 sampled frames" in report.note and report.status == "open"

    note = Notification.objects.get(recipient=bob, kind="nudity_held")
    assert note.text == scan.NUDITY_HOLD_REASON
    with pytest.raises(ValidationError) as refused:
        post_publish(user=bob, job_id=job.pk)
    assert refused.value.messages == [scan.NUDITY_HOLD_REASON]
    client.force_login(bob)
    page = client.get(reverse("generation:job", args=[job.pk])).content.decode()
    assert "our checks flagged it as possibly sexual content" in page
    assert ">Publish</button>" not in page


def test_the_hold_reason_never_describes_the_body() -> None:
    for reason in (scan.NUDITY_HOLD_REASON, scan.BOTH_HOLD_REASON):
        words = reason.lower()
        assert not any(part in words for part in ("breast", "genital", "buttock", "anus", "nud"))
        assert len(reason) <= 300  # fits GenerationJob.held_reason and VideoScan.hold_reason


def _frame(red: int = 200) -> np.ndarray:
    frame = np.zeros((64, 36, 3), dtype=np.uint8)
    frame[..., 0] = red
    return frame


def _nudity_pass(found: FixedDetector, monkeypatch: pytest.MonkeyPatch, threshold: float):  # noqa: ANN202
    monkeypatch.setattr(nudity, "_detector", found)
    check = nudity.NudityCheck(threshold=threshold)
    frames = np.stack([_frame()] * 48)  # 2 s at 24 fps
    scanned, _ = scan.scan_frames(frames, 24, [check])
    return scanned, check


@pytest.mark.parametrize(
    "detection",
    [
        ("FACE_FEMALE", 0.99),
        ("FEMALE_BREAST_COVERED", 0.97),
        ("MALE_BREAST_EXPOSED", 0.95),
        ("BELLY_EXPOSED", 0.95),
        ("FEET_EXPOSED", 0.9),
    ],
)
def test_classes_that_are_not_sexual_body_parts_do_not_count(
    monkeypatch: pytest.MonkeyPatch, detection: tuple[str, float]
) -> None:
    scanned, check = _nudity_pass(FixedDetector(detection), monkeypatch, 0.5)
    assert scanned == 2 and check.frames == [] and check.top_score == 0.0


@pytest.mark.parametrize(
    "label",
    [
        "FEMALE_GENITALIA_EXPOSED",
        "MALE_GENITALIA_EXPOSED",
        "BUTTOCKS_EXPOSED",
        "FEMALE_BREAST_EXPOSED",
        "ANUS_EXPOSED",
    ],
)
def test_each_counted_class_counts_at_the_threshold_and_not_below(
    monkeypatch: pytest.MonkeyPatch, label: str
) -> None:
    _, at = _nudity_pass(FixedDetector((label, 0.5)), monkeypatch, 0.5)
    assert at.frames == [12, 36] and at.top_score == 0.5
    _, below = _nudity_pass(FixedDetector((label, 0.49)), monkeypatch, 0.5)
    assert below.frames == [] and below.top_score == 0.49


def test_both_checks_see_the_same_frames_in_one_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    found = FixedDetector()
    monkeypatch.setattr(nudity, "_detector", found)
    order: list[tuple[str, int]] = []

    class Recorder:
        name = "faces"

        def look(self, frame: np.ndarray) -> None:
            return None

        def record(self, index: int, seen: None) -> None:
            order.append(("faces", index))

    class Nudity(nudity.NudityCheck):
        def record(self, index: int, score: float) -> None:
            order.append(("nudity", index))
            super().record(index, score)

    spent: dict[str, float] = {}
    frames = np.stack([_frame()] * 96)  # 4 s at 24 fps
    scan.scan_frames(frames, 24, [Recorder(), Nudity(threshold=0.5)], spent=spent)
    # Frames may be looked at two at a time; what each check saw is recorded in frame order.
    assert order == [(name, i) for i in (12, 36, 60, 84) for name in ("faces", "nudity")]
    assert set(spent) == {"faces", "nudity"} and len(found.seen) == 4


def test_the_detector_gets_frames_in_the_channel_order_nudenet_was_made_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    found = FixedDetector()
    monkeypatch.setattr(nudity, "_detector", found)
    nudity.frame_score(_frame(red=250))
    assert found.seen[0][0, 0].tolist() == [0, 0, 250]  # RGB in, BGR to the detector


def test_the_threshold_setting_decides(
    bob: User, submit: Any, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.SORA_NUDITY_THRESHOLD = 0.95
    monkeypatch.setattr(nudity, "_detector", FixedDetector(("BUTTOCKS_EXPOSED", 0.91)))
    job = submit(bob, "a walk in the park")
    frames = np.stack([_frame()] * 96)
    result = scan.video_scan(job, frames, 24, protected=likeness.Likenesses.from_rows([]))
    stored = scan.video_scan_record(job=job, result=result)
    assert (stored.outcome, stored.nudity_frames, stored.nudity_score) == ("passed", 0, 0.91)
    assert stored.nudity_threshold == 0.95 and not Report.objects.exists()


def test_a_video_held_for_a_likeness_and_nudity_records_both_causes(
    alice: User, bob: User, submit: Any
) -> None:
    from cameo.services.consent import cameo_mark_verified

    cameo = cameo_mark_verified(owner=alice, display_name="Alice", embedding=[0.1] * 128)
    job = submit(bob, "a walk in the park")
    result = scan.ScanResult(
        frames_scanned=4, faces_found=1, seconds=0.9, protected_cameos=1, identity={},
        matches=[likeness.Match(cameo_id=cameo.pk, owner_id=alice.pk, distance=0.3, frame=12)],
        nudity_frames=[36], nudity_score=0.88, nudity_threshold=0.5,
    )  # fmt: skip
    stored = scan.video_scan_record(job=job, result=result)
    job.refresh_from_db()
    assert stored.hold_causes == ["likeness", "nudity"]
    assert job.held_reason == stored.hold_reason == scan.BOTH_HOLD_REASON
    assert Report.objects.get().note.startswith("Automatic: 1 of 4 sampled frames")
    assert Notification.objects.filter(recipient=alice, kind="likeness_held").count() == 1


def test_a_likeness_hold_records_its_cause(alice: User, bob: User, submit: Any) -> None:
    from cameo.services.consent import cameo_mark_verified

    cameo = cameo_mark_verified(owner=alice, display_name="Alice", embedding=[0.1] * 128)
    job = submit(bob, "a walk in the park")
    result = scan.ScanResult(
        frames_scanned=4, faces_found=1, seconds=0.9, protected_cameos=1, identity={},
        matches=[likeness.Match(cameo_id=cameo.pk, owner_id=alice.pk, distance=0.3, frame=12)],
    )  # fmt: skip
    stored = scan.video_scan_record(job=job, result=result)
    assert stored.hold_causes == ["likeness"] and stored.hold_reason == scan.HOLD_REASON
    assert not Report.objects.exists()  # the owner is told; moderators see it when reported


@pytest.mark.parametrize("raw", ["0", "1.5", "-0.2", "high"])
def test_a_bad_threshold_setting_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    from sora_site import settings as site_settings

    monkeypatch.setenv("SORA_NUDITY_THRESHOLD", raw)
    with pytest.raises(ImproperlyConfigured, match="SORA_NUDITY_THRESHOLD must be"):
        site_settings._fraction("SORA_NUDITY_THRESHOLD", 0.5)
    monkeypatch.setenv("SORA_NUDITY_THRESHOLD", "0.7")
    assert site_settings._fraction("SORA_NUDITY_THRESHOLD", 0.5) == 0.7


@pytest.mark.django_db
def test_bench_scan_prints_frames_costs_and_holds(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("bench_scan", "--videos", "1")
    out = capsys.readouterr().out
    assert "Clips: 1, frames scanned: 4" in out
    assert "ms per frame" in out and "Nudity (NudeNet 320n)" in out
    assert "Held for nudity at threshold 0.50: 0 of 1" in out
    # P4: the scan against the render, and the verdict a faster scan must keep.
    assert (
        "Cameo clips whose face matched (< 0.55): 1 of 1; clips matching a face not in them: 0 of 1"
        in out
    )
    assert "P4 scan / render: median" in out and "scan / render" in out.split("pass")[1]
    assert re.search(r"Scan per second of video: median \d\.\d{3} s, worst \d\.\d{3} s", out)
    with pytest.raises(CommandError, match="--videos must be between 1 and 100, not 0."):
        call_command("bench_scan", "--videos", "0")
