"""The likeness guard leaves cartoon people alone.

The built-in renderer draws people two ways: hand-drawn person sprites, and Fluent Emoji
pictograms of people by role (astronaut, teacher, singer, doctor...), whose round emoji faces
dlib's detector does find. None of them is anyone, so a video full of them must never be held
as looking like someone who protects their likeness.

Alice protects her likeness with a real face (``skimage.data.astronaut()``, as in
``test_likeness_guard``); bob renders twenty prompts with people in them and no cameo. Each clip
is the one the job would render (same prompt, seed, size and length), but only the frames the
scan samples are drawn, since the scan never looks at the others; those frames then go through
the job's own ``video_scan`` and ``video_scan_record``. One prompt also goes the whole way, through
``generation_request`` and the video queue, and must agree.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
from django.test import Client
from django.urls import reverse

from accounts.models import Notification, User
from cameo import faces
from feed.services.posts import post_publish
from generation.models import GenerationJob
from generation.pipeline import pictograms
from generation.pipeline.base import VideoRequest
from generation.pipeline.builtin import _buffers, build_scene, render_batch
from generation.pipeline.scene import ScenePlan, plan_scene
from safety import likeness
from safety.models import LikenessMatch, VideoScan
from safety.services import scan
from safety.tests.test_likeness_guard import _alice_cameo, _astronaut

# The ``submit`` fixture's request: 4 s of 9:16 at seed 1234, so 4 sampled frames a clip.
REQUEST = {"duration_s": 4, "aspect": "9:16", "seed": 1234}
SAMPLED = 4

# Eleven of hand-drawn people, eight of people pictograms, one busy street of walkers; the
# teacher's class gives the detector the most faces.
PROMPTS = [
    "two astronauts playing chess on the moon",
    "a chef tossing vegetables in a wok",
    "a farmer driving a tractor",
    "a teacher writing on a chalkboard while students watch",
    "a crowd of people at a busy market",
    "a guard standing at a castle gate",
    "a singer on a stage",
    "a family having a picnic",
    "a firefighter spraying water on a burning house",
    "a doctor listening with a stethoscope",
    "kids playing football in the park",
    "a woman reading a book on the subway",
    "a man walking a dog in the rain",
    "a couple dancing at a wedding",
    "a detective in the rain at night",
    "a baby crawling on a rug",
    "three friends surfing",
    "an old man feeding pigeons on a bench",
    "a boy on a skateboard doing a kickflip",
    "a busy tokyo street at night with neon signs",
]
CLASSROOM = PROMPTS[3]


def _people(plan: ScenePlan) -> list[str]:
    """What the plan draws as people: person sprites, people pictograms, a busy place's crowd."""
    drawn = [s for s in plan.subjects if s == "person"]
    drawn += [t.icon for t in plan.things if pictograms.subgroup(t.icon).startswith("person")]
    return [*drawn, *(["walkers"] if plan.busy else [])]


def _sampled_clip(prompt: str) -> tuple[np.ndarray, int, ScenePlan]:
    """The clip a job would render for ``prompt``, with only the scan's sampled frames drawn.

    The other frames stay black and are never looked at: ``np.zeros`` leaves them unallocated.
    """
    request = VideoRequest(prompt=prompt, **REQUEST)
    plan = plan_scene(prompt)
    scene = build_scene(plan, request)
    frames = np.zeros((request.num_frames, scene.height, scene.width, 3), dtype=np.uint8)
    buffers = _buffers(scene, 1)
    with torch.inference_mode():
        for i in scan.sample_indices(request.num_frames, request.fps):
            render_batch(scene, i, i + 1, torch.from_numpy(frames[i : i + 1]), buffers)
    return frames, request.fps, plan


@pytest.fixture
def detector_calls(monkeypatch: pytest.MonkeyPatch) -> list[list[faces.Face]]:
    """Every call the scan makes to dlib's face finder, with the faces it returned."""
    _astronaut()  # alice's reference face is found before the spy goes in
    calls: list[list[faces.Face]] = []
    real = faces.find_faces

    def find_faces(image: np.ndarray, *args: Any, **kwargs: Any) -> list[faces.Face]:
        found = real(image, *args, **kwargs)
        assert image.any(), "the scan looked at a frame the test did not draw"
        calls.append(found)
        return found

    monkeypatch.setattr(faces, "find_faces", find_faces)
    return calls


def _closest(calls: list[list[faces.Face]]) -> float:
    """The smallest distance from any face found to alice's protected likeness."""
    alice = np.array(_astronaut()[1], dtype=np.float32)
    found = [face.embedding for call in calls for face in call]
    return min((float(np.linalg.norm(e - alice)) for e in found), default=float("inf"))


def _nothing_held(alice: User) -> None:
    assert not GenerationJob.objects.filter(held_at__isnull=False).exists()
    assert not VideoScan.objects.exclude(outcome="passed").exists()
    assert not LikenessMatch.objects.exists()
    assert not Notification.objects.filter(recipient=alice, kind="likeness_held").exists()


def test_twenty_videos_of_drawn_people_are_scanned_and_none_is_held(
    alice: User, bob: User, submit: Any, detector_calls: list[list[faces.Face]]
) -> None:
    _alice_cameo(alice)
    per_clip: dict[str, int] = {}
    for prompt in PROMPTS:
        frames, fps, plan = _sampled_clip(prompt)
        assert _people(plan), f"{prompt!r} draws no people"
        job = submit(bob, prompt, **REQUEST)
        before = len(detector_calls)

        result = scan.video_scan(job, frames, fps)
        scan.video_scan_record(job=job, result=result)

        clip_calls = detector_calls[before:]
        assert len(clip_calls) == result.frames_scanned == SAMPLED, prompt
        assert result.faces_found == sum(map(len, clip_calls)), prompt
        assert result.protected_cameos == 1 and result.matches == [], prompt
        assert not result.held and job.scan.outcome == "passed", prompt
        per_clip[prompt] = result.faces_found

    found = sum(per_clip.values())
    closest = _closest(detector_calls)
    print(
        f"\n{found} faces in {SAMPLED * len(PROMPTS)} sampled frames; closest to the protected "
        f"face {closest:.3f} (holds under {likeness.LIKENESS_DISTANCE})",
        {p: n for p, n in per_clip.items() if n},
    )
    # The guard was really asked: the detector finds the pictograms' emoji faces.
    assert found >= 1 and closest >= likeness.LIKENESS_DISTANCE
    _nothing_held(alice)


def test_a_video_of_drawn_people_made_through_the_queue_can_be_published(
    client: Client,
    alice: User,
    bob: User,
    rendered: Any,
    detector_calls: list[list[faces.Face]],
) -> None:
    _alice_cameo(alice)
    job = rendered(bob, CLASSROOM, **REQUEST)

    assert len(detector_calls) == job.scan.frames_scanned == SAMPLED
    assert job.scan.faces_found == sum(map(len, detector_calls)) >= 1
    assert _closest(detector_calls) >= likeness.LIKENESS_DISTANCE
    assert job.held_at is None and job.scan.outcome == "passed"
    _nothing_held(alice)
    # The shortcut the other test takes draws the same sampled frames as the real render.
    frames, fps, _ = _sampled_clip(CLASSROOM)
    assert scan.video_scan(job, frames, fps).faces_found == job.scan.faces_found

    client.force_login(bob)
    page = client.get(reverse("generation:job", args=[job.pk])).content.decode()
    assert "held for review" not in page and ">Publish</button>" in page
    assert post_publish(user=bob, job_id=job.pk)
