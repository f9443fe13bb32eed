"""Tests for cameo.faces and cameo.liveness, on clips built at run time from public images.

There are no recordings of real people here: the only face photo is ``skimage.data.astronaut()``
(one NASA portrait) and ``skimage.data.lfw_subset()`` (25 x 25 grey crops, repeating some
people). A head turn is faked with cameo.synthetic's 2.5-D warp: the face is painted on an
ellipsoid with a nose bump, which is rotated and projected, so the nose swings further than the
eyes and the far eye narrows, as on a real head. That proves the yaw and pitch scores move the
right way and that the whole pipeline (PyAV file -> frames -> dlib -> verdict) works; it cannot
prove the thresholds fit real people turning in real light. See cameo.liveness's docstring for
the numbers.
"""

from __future__ import annotations

import io
import random
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from cameo import faces, liveness, synthetic
from cameo.synthetic import FPS, LEFT_RIGHT_UP, LEFT_RIGHT_UP_KEYS

# --- Fixtures built in code (cameo.synthetic) ----------------------------------------------------


def _verify_file(
    path: Path, challenge: Sequence[str] = LEFT_RIGHT_UP, **kwargs: bool
) -> liveness.VerifyResult:
    clip = liveness.read_clip(path)
    return liveness.verify_clip(clip.frames, clip.duration_s, challenge, **kwargs)


@pytest.fixture(scope="module")
def turning_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("clips") / "turning.mp4"
    return synthetic.write_clip(synthetic.turning_frames(), path)


def _lfw_face(index: int, size: int = 150) -> np.ndarray:
    from PIL import Image
    from skimage import data

    grey = (data.lfw_subset()[index] * 255).astype(np.uint8)
    big = np.asarray(Image.fromarray(grey).resize((size, size), Image.Resampling.BICUBIC))
    return np.stack([big] * 3, axis=-1)


# --- faces.py -----------------------------------------------------------------------------------


def test_it_finds_the_astronaut_with_landmarks_and_an_embedding() -> None:
    frame = synthetic.astronaut_selfie()

    found = faces.find_faces(frame)

    assert len(found) == 1
    face = found[0]
    left, top, right, bottom = face.box
    assert 120 < left < right < 360 and 80 < top < bottom < 300
    assert face.landmarks5.shape == (5, 2)
    assert face.embedding is not None and face.embedding.shape == (128,)
    assert face.embedding.dtype == np.float32
    assert abs(face.yaw) < 0.05 and abs(face.pitch) < 0.1


def test_finding_faces_needs_no_download_and_loads_models_from_the_package() -> None:
    folder = faces.model_dir()

    assert folder.name == "models" and "face_recognition_models" in str(folder)
    assert (folder / "shape_predictor_5_face_landmarks.dat").is_file()


def test_yaw_is_positive_when_she_turns_to_her_left_in_an_unmirrored_frame() -> None:
    yaws = [
        faces.find_faces(synthetic.astronaut_head().turned(angle), embed=False)[0].yaw
        for angle in (-35, 0, 15, 30)
    ]

    assert yaws == sorted(yaws)
    assert yaws[0] < -liveness.YAW_EVENT and yaws[-1] > liveness.YAW_EVENT


def test_a_mirrored_frame_has_the_opposite_yaw() -> None:
    turned = synthetic.astronaut_head().turned(30)

    yaw = faces.find_faces(turned, embed=False)[0].yaw
    mirrored_yaw = faces.find_faces(turned[:, ::-1], embed=False)[0].yaw

    assert yaw > liveness.YAW_EVENT
    assert mirrored_yaw == pytest.approx(-yaw, abs=0.03)


def test_pitch_rises_when_she_looks_up() -> None:
    pitches = [
        faces.find_faces(synthetic.astronaut_head().turned(0, angle), embed=False)[0].pitch
        for angle in (0, 15, 25)
    ]

    assert pitches == sorted(pitches)
    assert pitches[2] - pitches[0] > liveness.UP_EVENT


def _yaw_and_eye_ratio(frame: np.ndarray) -> tuple[float, float]:
    face = faces.find_faces(frame, embed=False)[0]
    return face.yaw, faces.eye_width_log_ratio(face.landmarks5)


def test_the_far_eye_narrows_on_a_turned_head_but_not_on_a_sheared_photo() -> None:
    _, straight = _yaw_and_eye_ratio(synthetic.astronaut_selfie())
    turned_yaw, turned = _yaw_and_eye_ratio(synthetic.astronaut_head().turned(30))
    sheared_yaw, sheared = _yaw_and_eye_ratio(synthetic.sheared(0.25, 1.0))

    # Both noses moved as far to the image's right...
    assert turned_yaw > liveness.YAW_EVENT and sheared_yaw > liveness.YAW_EVENT
    # ...but only the head's far eye (on the image's right) got narrower.
    assert turned - straight > 2 * liveness.MIN_PARALLAX
    assert sheared - straight < liveness.MIN_PARALLAX / 2


def _astronaut_variants() -> list[np.ndarray]:
    from PIL import Image, ImageFilter

    frame = synthetic.astronaut_selfie()
    rng = np.random.default_rng(0)
    noisy = np.clip(frame + rng.normal(0, 12, frame.shape), 0, 255).astype(np.uint8)
    blurred = np.asarray(Image.fromarray(frame).filter(ImageFilter.GaussianBlur(2)))
    small = np.asarray(Image.fromarray(frame).resize((240, 240)).resize((480, 480)))
    return [
        noisy,
        blurred,
        small,
        np.clip(frame * 1.3, 0, 255).astype(np.uint8),
        np.clip(frame * 0.6, 0, 255).astype(np.uint8),
        synthetic.moved(frame, 30, -20, 0.8),
        synthetic.astronaut_head().turned(30),
        synthetic.astronaut_head().turned(-30),
        synthetic.astronaut_head().turned(0, 20),
    ]


def test_the_same_person_stays_under_the_threshold_across_changes() -> None:
    frame = synthetic.astronaut_selfie()
    reference = faces.find_faces(frame)[0].embedding

    distances = [
        faces.face_distance(reference, faces.find_faces(v)[0].embedding)
        for v in _astronaut_variants()
    ]

    assert max(distances) < liveness.SAME_PERSON_MAX_DISTANCE


# Checked by eye: Bush, Powell, a man in a cap, a young woman, Koizumi, a man with glasses and a
# moustache, another man, two more women. lfw_subset repeats some people, so not any pair will do.
DIFFERENT_LFW_PEOPLE = (0, 6, 17, 18, 21, 25, 26, 31, 46)


def test_different_people_are_over_the_threshold() -> None:
    frame = synthetic.astronaut_selfie()
    astronaut = faces.find_faces(frame)[0].embedding
    others = [faces.find_faces(_lfw_face(i))[0].embedding for i in DIFFERENT_LFW_PEOPLE]

    to_astronaut = [faces.face_distance(astronaut, other) for other in others]
    between = sorted(
        faces.face_distance(a, b) for n, a in enumerate(others) for b in others[n + 1 :]
    )

    assert min(to_astronaut) > liveness.SAME_PERSON_MAX_DISTANCE
    # 25-pixel crops blur people together: one pair of the 36 (Powell and Koizumi, 0.56) falls
    # under dlib's bound, which it sets on full-size LFW photos. None comes near the same-person
    # distances of a single clip.
    assert between[0] > 0.5
    assert between[1] > liveness.SAME_PERSON_MAX_DISTANCE


def test_the_crop_is_a_square_of_the_face() -> None:
    frame = synthetic.astronaut_selfie()
    face = faces.find_faces(frame, embed=False)[0]

    crop = faces.face_crop(frame, face, size=128)

    assert crop.shape == (128, 128, 3) and crop.dtype == np.uint8
    # The crop is itself a clear face picture.
    assert len(faces.find_faces(crop, upsample=1, embed=False)) == 1


def test_it_refuses_an_image_that_is_not_rgb() -> None:
    with pytest.raises(ValueError, match="RGB"):
        faces.find_faces(np.zeros((10, 10), dtype=np.uint8))


# --- Challenges ---------------------------------------------------------------------------------


def test_a_new_challenge_has_two_turns_and_a_look_up_never_the_same_step_twice_running() -> None:
    rng = random.Random(7)

    challenges = {liveness.new_challenge(rng) for _ in range(200)}

    for steps in challenges:
        assert liveness.check_challenge(steps) == steps
        assert sorted(s for s in steps if s in ("up", "down")) == ["up"]
    assert len(challenges) > 4  # the order varies, so a clip recorded earlier will not fit


def test_the_challenge_reads_as_an_instruction() -> None:
    assert (
        liveness.challenge_text(LEFT_RIGHT_UP) == "Turn your head left, then right, then look up."
    )
    assert (
        liveness.challenge_text(("left", "up", "left"))
        == "Turn your head left, then look up, then turn your head left."
    )


def test_it_refuses_a_challenge_that_repeats_a_step_back_to_back() -> None:
    with pytest.raises(ValueError, match="repeats"):
        liveness.check_challenge(("left", "left", "up"))


def test_pose_events_need_the_pose_held_not_just_passed_through() -> None:
    y, p = liveness.YAW_EVENT, liveness.UP_EVENT
    yaws = [0, 2 * y, 2 * y, 0, -2 * y, 0, None, 0, 0, 0]
    pitches = [0, 0, 0, 0, 0, 0, None, 2 * p, 2 * p, 0]

    assert liveness.pose_events(yaws, pitches, min_frames=2) == ("left", "up")


def test_pose_events_skip_frames_without_a_face_and_merge_a_held_pose() -> None:
    y = liveness.YAW_EVENT
    yaws = [2 * y, None, 2 * y, 0, 2 * y, 2 * y, -2 * y, -2 * y]

    assert liveness.pose_events(yaws, [0.0] * len(yaws), min_frames=2) == ("left", "right")


def test_pitch_on_a_turned_face_does_not_count_as_a_nod() -> None:
    y, p = liveness.YAW_EVENT, liveness.DOWN_EVENT
    # Turning shrinks the eye distance, so the nose seems to drop: that is not "down".
    yaws = [2 * y, 2 * y, 2 * y]
    pitches = [-2 * p, -2 * p, -2 * p]

    assert liveness.pose_events(yaws, pitches, min_frames=2) == ("left",)


def test_the_challenge_must_be_followed_in_order_without_flailing() -> None:
    assert liveness.follows_challenge(("left", "right", "up"), LEFT_RIGHT_UP)
    assert liveness.follows_challenge(("left", "down", "right", "up"), LEFT_RIGHT_UP)
    assert not liveness.follows_challenge(("right", "left", "up"), LEFT_RIGHT_UP)
    assert not liveness.follows_challenge(("left", "right"), LEFT_RIGHT_UP)
    everything = ("left", "right", "up", "down", "left", "right", "up")
    assert not liveness.follows_challenge(everything, LEFT_RIGHT_UP)


# --- read_clip ----------------------------------------------------------------------------------


def test_it_reads_a_clip_at_about_eight_frames_a_second(turning_clip: Path) -> None:
    clip = liveness.read_clip(turning_clip)

    assert clip.duration_s == pytest.approx(6.0, abs=0.05)
    assert len(clip.frames) == pytest.approx(6.0 * liveness.SAMPLE_FPS, abs=2)
    assert clip.frames[0].shape == (480, 480, 3) and clip.frames[0].dtype == np.uint8


def test_it_reads_an_open_file_as_well_as_a_path(turning_clip: Path) -> None:
    clip = liveness.read_clip(io.BytesIO(turning_clip.read_bytes()))

    assert clip.duration_s == pytest.approx(6.0, abs=0.05)


def test_a_webm_clip_as_a_browser_records_it_passes(tmp_path: Path) -> None:
    path = synthetic.write_clip(synthetic.turning_frames(), tmp_path / "clip.webm", codec="libvpx")

    result = _verify_file(path)

    assert result.ok, (result.reason, result.metrics)


def test_a_photo_renamed_to_mp4_is_called_a_photo(tmp_path: Path) -> None:
    from PIL import Image

    for kind in ("PNG", "JPEG"):
        path = tmp_path / "clip.mp4"
        Image.fromarray(synthetic.astronaut_selfie()).save(path, format=kind)

        with pytest.raises(liveness.ClipError) as caught:
            liveness.read_clip(path)

        assert str(caught.value) == liveness.PHOTO_FILE


def test_a_one_frame_video_is_called_a_photo(tmp_path: Path) -> None:
    path = synthetic.write_clip([synthetic.astronaut_selfie()], tmp_path / "one.mp4")

    with pytest.raises(liveness.ClipError) as caught:
        liveness.read_clip(path)

    assert (
        str(caught.value)
        == "That file is a photo, not a video; record a short clip of yourself instead."
    )


def test_a_corrupt_clip_is_unreadable(tmp_path: Path, turning_clip: Path) -> None:
    data = turning_clip.read_bytes()
    cases = {
        "garbage.mp4": np.random.default_rng(1).bytes(50_000),
        "truncated.mp4": data[: len(data) // 3],
        "empty.mp4": b"",
    }
    for name, content in cases.items():
        path = tmp_path / name
        path.write_bytes(content)

        with pytest.raises(liveness.ClipError) as caught:
            liveness.read_clip(path)

        assert str(caught.value) == (
            "We couldn't read that clip; record it again, or upload an MP4 or WebM video."
        ), name


def test_a_clip_over_fifteen_seconds_is_refused(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    frames = [rng.integers(0, 255, (240, 320, 3), dtype=np.uint8)] * 100
    path = synthetic.write_clip(frames, tmp_path / "long.mp4", fps=5)

    with pytest.raises(liveness.ClipError) as caught:
        liveness.read_clip(path)

    assert (
        str(caught.value) == "The clip is 20.0 seconds long; record one between 3 and 15 seconds."
    )


def test_a_clip_under_three_seconds_is_refused(tmp_path: Path) -> None:
    path = synthetic.write_clip([synthetic.astronaut_selfie()] * 15, tmp_path / "short.mp4")

    with pytest.raises(liveness.ClipError) as caught:
        liveness.read_clip(path)

    assert str(caught.value) == "The clip is 1.5 seconds long; record one between 3 and 15 seconds."


def test_a_file_over_25_mb_is_refused_before_it_is_decoded(tmp_path: Path) -> None:
    path = synthetic.write_clip([synthetic.astronaut_selfie()] * 40, tmp_path / "big.mp4")
    with path.open("r+b") as file:
        file.truncate(26 * 1024 * 1024)  # sparse: no disk used

    with pytest.raises(liveness.ClipError) as caught:
        liveness.read_clip(path)

    assert str(caught.value) == "The clip is 26 MB, over the 25 MB limit; record a shorter clip."


def test_a_tiny_clip_is_refused(tmp_path: Path) -> None:
    frames = [np.full((120, 160, 3), 128, dtype=np.uint8)] * 40
    path = synthetic.write_clip(frames, tmp_path / "tiny.mp4")

    with pytest.raises(liveness.ClipError) as caught:
        liveness.read_clip(path)

    assert str(caught.value) == "The clip is only 160 x 120 pixels; record at 320 x 240 or larger."


# --- verify_clip --------------------------------------------------------------------------------


def test_a_clip_following_the_challenge_passes(turning_clip: Path) -> None:
    result = _verify_file(turning_clip)

    assert result.ok, (result.reason, result.metrics)
    assert result.reason == ""
    assert result.metrics.poses_seen == LEFT_RIGHT_UP
    assert result.metrics.one_face_share == 1.0
    assert result.mean_embedding is not None and result.mean_embedding.shape == (128,)
    frame = synthetic.astronaut_selfie()
    reference = faces.find_faces(frame)[0].embedding
    assert faces.face_distance(result.mean_embedding, reference) < 0.3
    assert 3 <= len(result.reference_frames) <= 5
    assert all(c.shape == (256, 256, 3) and c.dtype == np.uint8 for c in result.reference_frames)
    assert result.thumbnail is not None and result.thumbnail.shape == (256, 256, 3)


def test_the_same_moves_in_another_order_fail_the_challenge(turning_clip: Path) -> None:
    result = _verify_file(turning_clip, ("up", "left", "right"))

    assert not result.ok
    assert result.reason == (
        "We didn't see you look up, then turn left, then right, in that order; "
        "try again following the steps."
    )
    assert result.mean_embedding is None and result.reference_frames == []


def test_a_mirrored_recording_passes_only_when_marked_mirrored(tmp_path: Path) -> None:
    path = synthetic.write_clip(
        [f[:, ::-1] for f in synthetic.turning_frames()], tmp_path / "mirrored.mp4"
    )

    clip = liveness.read_clip(path)
    marked = liveness.verify_clip(clip.frames, clip.duration_s, LEFT_RIGHT_UP, mirrored=True)
    unmarked = liveness.verify_clip(clip.frames, clip.duration_s, LEFT_RIGHT_UP)

    assert marked.ok, (marked.reason, marked.metrics)
    assert not unmarked.ok and unmarked.metrics.poses_seen[:2] == ("right", "left")


def test_a_photo_held_still_to_the_camera_fails_the_challenge(tmp_path: Path) -> None:
    frame = synthetic.astronaut_selfie()
    rng = np.random.default_rng(3)
    wobble = [
        synthetic.moved(frame, *rng.normal(0, 6, 2), 1 + rng.normal(0, 0.03)) for _ in range(50)
    ]
    path = synthetic.write_clip(wobble, tmp_path / "still.mp4")

    result = _verify_file(path)

    assert not result.ok
    assert result.reason == (
        "We didn't see you turn left, then right, then look up, in that order; "
        "try again following the steps."
    )
    assert result.metrics.poses_seen == ()


def test_a_photo_sheared_to_fake_the_turns_is_caught_as_a_photo(tmp_path: Path) -> None:
    # Shear for the turns and squash for the nod: the nose moves as in the challenge, but the
    # eyes keep their widths, as they do on a flat picture.
    poses = synthetic.timeline(LEFT_RIGHT_UP_KEYS, 6.0)
    frames = [synthetic.sheared(yaw / 130, 1 - pitch / 100) for yaw, pitch in poses]
    path = synthetic.write_clip(frames, tmp_path / "sheared.mp4")

    result = _verify_file(path)

    assert result.metrics.poses_seen == LEFT_RIGHT_UP  # the challenge alone would be fooled
    assert (
        result.reason
        == "The clip looks like a still photo held to the camera; record yourself live."
    )
    assert not result.ok


def test_a_clip_with_no_face_says_so(tmp_path: Path) -> None:
    from skimage import data

    coffee = data.coffee()  # 400 x 600, a cup of coffee
    frames = [np.roll(coffee, shift, axis=1) for shift in range(0, 400, 10)]
    path = synthetic.write_clip(frames, tmp_path / "coffee.mp4")

    result = _verify_file(path)

    assert (
        result.reason
        == "We couldn't see a face in enough of the clip; face the camera in good light."
    )
    assert result.metrics.no_face_share == 1.0


def test_a_clip_with_two_people_says_so(tmp_path: Path) -> None:
    frames = [np.concatenate([f, f[:, ::-1]], axis=1) for f in synthetic.turning_frames()[::2]]
    path = synthetic.write_clip(frames, tmp_path / "two.mp4", fps=FPS // 2)

    result = _verify_file(path)

    assert result.reason == "We saw more than one face in much of the clip; record it alone."
    assert result.metrics.multi_face_share > 0.5


def test_a_clip_where_the_face_changes_says_so(tmp_path: Path) -> None:
    from PIL import Image

    other = np.asarray(Image.fromarray(_lfw_face(21)).resize((480, 480)))
    frames = synthetic.turning_frames()
    swapped = frames[: len(frames) // 2] + [other] * (len(frames) - len(frames) // 2)
    path = synthetic.write_clip(swapped, tmp_path / "swap.mp4")

    result = _verify_file(path)

    assert result.reason == "The face changed during the clip; record it again, on your own."
    assert result.metrics.far_share > 0.3
