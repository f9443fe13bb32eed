"""Tests for cameo.synthetic's GAN faces, turning clips and y4m files, and the demo cameos.

The GAN faces are drawn by the DCGAN that ``gan-face-generate`` ships (trained on DigiFace1M,
rendered people): nobody real, and no download.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from django.core.files.storage import default_storage

from cameo import faces, liveness, synthetic
from cameo.models import Cameo, CameoReference, ConsentEvent

RIGHT_UP_LEFT = ("right", "up", "left")


def _embedding(frame: np.ndarray) -> np.ndarray:
    (face,) = faces.find_faces(frame)
    return face.embedding


@pytest.fixture(scope="module")
def gan_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    frames = synthetic.gan_turning_frames(synthetic.GAN_SEEDS[0], RIGHT_UP_LEFT)
    return synthetic.write_clip(frames, tmp_path_factory.mktemp("clips") / "gan.mp4")


def _verify(path: Path, challenge: tuple[str, ...]) -> liveness.VerifyResult:
    clip = liveness.read_clip(path)
    return liveness.verify_clip(clip.frames, clip.duration_s, challenge)


# --- GAN faces ----------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", synthetic.GAN_SEEDS)
def test_dlib_finds_one_gan_face_looking_at_the_camera(seed: int) -> None:
    frame = synthetic.gan_face(seed)

    found = faces.find_faces(frame, embed=False)

    assert frame.shape == (480, 480, 3) and frame.dtype == np.uint8
    assert len(found) == 1
    assert abs(found[0].yaw) < liveness.YAW_EVENT / 2


def test_a_gan_face_is_drawn_without_torchvision_wandb_or_matplotlib() -> None:
    synthetic.gan_face(synthetic.GAN_SEEDS[0])

    assert not {"torchvision", "wandb", "matplotlib"} & set(sys.modules)


def test_the_same_seed_draws_the_same_face() -> None:
    seed = synthetic.GAN_SEEDS[0]

    cached = synthetic.gan_face_64(seed)
    fresh = synthetic.gan_face_64.__wrapped__(seed)  # drawn again, not from the cache

    assert np.array_equal(cached, fresh)
    assert faces.face_distance(_embedding(synthetic.gan_face(seed)), _embedding(fresh)) < 0.3


def test_different_seeds_are_different_people() -> None:
    embeddings = [_embedding(synthetic.gan_face(seed)) for seed in synthetic.GAN_SEEDS]

    distances = [
        faces.face_distance(a, b) for n, a in enumerate(embeddings) for b in embeddings[n + 1 :]
    ]

    assert len(distances) == 3
    assert min(distances) > liveness.SAME_PERSON_MAX_DISTANCE


def test_a_wider_frame_keeps_the_face_in_the_middle() -> None:
    frame = synthetic.gan_face(synthetic.GAN_SEEDS[0], width=640)

    (face,) = faces.find_faces(frame, embed=False)

    assert frame.shape == (480, 640, 3)
    left, _, right, _ = face.box
    assert abs((left + right) / 2 - 320) < 40


# --- Turning clips ------------------------------------------------------------------------------


def test_the_keyframes_follow_any_challenge_in_three_to_fifteen_seconds() -> None:
    import random

    challenges = {liveness.new_challenge(random.Random(i)) for i in range(100)}

    assert synthetic.challenge_keys(synthetic.LEFT_RIGHT_UP) == synthetic.LEFT_RIGHT_UP_KEYS
    for challenge in challenges:
        keys = synthetic.challenge_keys(challenge)
        assert liveness.MIN_DURATION_S <= keys[-1][0] <= liveness.MAX_DURATION_S
        assert [t for t, _, _ in keys] == sorted(t for t, _, _ in keys)


def test_a_gan_turning_clip_passes_verification(gan_clip: Path) -> None:
    seed = synthetic.GAN_SEEDS[0]

    result = _verify(gan_clip, RIGHT_UP_LEFT)

    assert result.ok, (result.reason, result.metrics)
    assert result.metrics.poses_seen == RIGHT_UP_LEFT
    assert result.metrics.parallax_score is not None
    assert result.metrics.parallax_score > liveness.MIN_PARALLAX
    frontal = _embedding(synthetic.gan_face(seed))
    assert faces.face_distance(result.mean_embedding, frontal) < 0.4
    assert len(result.reference_frames) == 4  # the frontal view and one for each step
    assert result.thumbnail is not None and result.thumbnail.shape == (256, 256, 3)


def test_a_gan_clip_that_ignores_the_challenge_is_told_the_steps(gan_clip: Path) -> None:
    result = _verify(gan_clip, ("up", "left", "right"))

    assert not result.ok
    assert result.reason == (
        "We didn't see you look up, then turn left, then right, in that order; "
        "try again following the steps."
    )
    assert result.mean_embedding is None and result.reference_frames == []


# --- y4m ----------------------------------------------------------------------------------------


def test_a_y4m_file_reads_back_frame_for_frame(tmp_path: Path) -> None:
    import av

    frames = synthetic.gan_turning_frames(synthetic.GAN_SEEDS[1], RIGHT_UP_LEFT, width=640)[:12]

    path = synthetic.write_y4m(frames, tmp_path / "camera.y4m", fps=10)

    assert path.read_bytes().startswith(b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\nFRAME\n")
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert container.format.name == "yuv4mpegpipe"
        assert (stream.width, stream.height, stream.average_rate) == (640, 480, 10)
        decoded = [f.to_ndarray(format="rgb24") for f in container.decode(stream)]
    assert len(decoded) == 12
    # 4:2:0 halves the colour resolution; the picture is otherwise the same.
    errors = [np.abs(a.astype(int) - b).mean() for a, b in zip(decoded, frames, strict=True)]
    assert max(errors) < 3


def test_a_y4m_frame_needs_an_even_size(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="even"):
        synthetic.write_y4m([np.zeros((241, 320, 3), dtype=np.uint8)], tmp_path / "odd.y4m")


# --- The demo cameos ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_seed_demo_verifies_a_cameo_for_each_demo_person_once(charlie: object) -> None:
    from cameo.selectors import cameo_use_refusal
    from generation.management.commands.seed_demo import DEMO_CAMEOS, seed_demo_cameos

    made, failures = seed_demo_cameos()

    assert failures == []
    assert sorted(c.owner.username for c in made) == sorted(DEMO_CAMEOS)
    for cameo in Cameo.objects.select_related("owner"):
        assert cameo.state == Cameo.State.VERIFIED
        assert cameo.permission == DEMO_CAMEOS[cameo.owner.username][2]
        assert len(cameo.embedding) == 128
        assert default_storage.open(cameo.thumbnail.name).read(3) == b"\xff\xd8\xff"  # JPEG
        assert 3 <= cameo.references.count() <= 4
    mira = Cameo.objects.get(owner__username="mira")
    assert cameo_use_refusal(cameo=mira, user=charlie) is None  # any visitor may try her cameo

    rows = (Cameo.objects.count(), CameoReference.objects.count(), ConsentEvent.objects.count())
    assert seed_demo_cameos() == ([], [])
    assert rows == (
        Cameo.objects.count(),
        CameoReference.objects.count(),
        ConsentEvent.objects.count(),
    )
