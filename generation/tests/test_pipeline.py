"""The video pipeline without Django: scene plan, built-in renderer, watermark and encoder.

Run alone with ``pytest generation/tests/test_pipeline.py -p no:django --noconftest``.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from generation.pipeline.base import ASPECT_SIZES, CameoImage, RenderCancelled, VideoRequest
from generation.pipeline.builtin import BuiltinBackend, build_scene, render_batch, render_preview
from generation.pipeline.encode import encode_mp4, poster_jpeg, probe_mp4
from generation.pipeline.scene import plan_scene
from generation.pipeline.watermark import apply_watermark, watermark_text
from sora_site.embeddings import embed_texts

BUSY_PROMPT = 'two cats dancing at a party in the rain, handheld, "HAPPY BIRTHDAY"'


def render(prompt: str, seed: int = 7, **options: object) -> np.ndarray:
    request = VideoRequest(prompt=prompt, seed=seed, **options)
    result = BuiltinBackend().generate(request, on_progress=_ignore, should_cancel=_never)
    return result.frames


def some_frames(prompt: str, seed: int, picks: tuple[int, ...] = (0, 47, 95)) -> np.ndarray:
    """A few frames of a 4 s clip, drawn through the renderer's own batch function."""
    request = VideoRequest(prompt=prompt, seed=seed)
    scene = build_scene(plan_scene(prompt), request)
    frames = np.empty((len(picks), scene.height, scene.width, 3), dtype=np.uint8)
    for i, index in enumerate(picks):
        render_batch(scene, index, index + 1, torch.from_numpy(frames[i : i + 1]))
    return frames


def _ignore(fraction: float, stage: str) -> None:
    del fraction, stage


def _never() -> bool:
    return False


# ---------------------------------------------------------------------------- scene plan


def test_plan_reads_known_words() -> None:
    plan = plan_scene("a dog running on the beach at sunset, slow zoom in")

    assert plan.setting == "beach"
    assert plan.subjects == ("dog",)
    assert plan.action == "run"
    assert plan.camera == "zoom in"
    assert plan.time_of_day == "sunset"


def test_out_of_vocabulary_words_map_to_the_nearest_concept() -> None:
    plan = plan_scene("a pooch at the seaside")

    assert plan.setting == "beach"
    assert plan.subjects == ("dog",)
    assert plan.as_dict()["interpreted"] == {"pooch": "dog", "seaside": "beach"}


def test_unrelated_words_do_not_force_a_match() -> None:
    plan = plan_scene("the philosophy of spreadsheets")

    assert plan.setting == "meadow"
    assert plan.interpreted == ()


def test_quoted_text_becomes_the_caption_and_not_the_scene() -> None:
    plan = plan_scene('a robot in the kitchen holding a sign "Happy birthday"')

    assert plan.caption == "Happy birthday"
    assert plan.setting == "kitchen"
    assert plan.weather != "confetti"


def test_colour_words_and_counts_shape_the_subjects() -> None:
    plan = plan_scene("two red balloons and a black cat")

    assert plan.subjects == ("balloon", "balloon", "cat")
    assert plan.colors == ("red", "red", "black")


def test_emoji_are_read_by_their_names() -> None:
    plan = plan_scene("🐶🏖️🌧️")

    assert (plan.subjects[0], plan.setting, plan.weather) == ("dog", "beach", "rain")


@pytest.mark.parametrize("prompt", ["🫠🫠🫠", "海辺で走る犬", "?!…", "x" * 2000, "   a   "])
def test_any_prompt_gives_the_same_default_plan_twice(prompt: str) -> None:
    first, second = plan_scene(prompt), plan_scene(prompt)

    assert first == second
    assert first.setting in {"meadow", "beach", "city"}
    assert 0.0 <= first.energy <= 1.0
    json.dumps(first.as_dict())  # shown on the job page, so it must serialise


def test_slow_words_lower_the_energy() -> None:
    calm = plan_scene("a dog running slowly in a park")
    wild = plan_scene("a dog running fast in a park")

    assert calm.energy < wild.energy


# ---------------------------------------------------------------------------- renderer


def test_same_seed_gives_identical_frames() -> None:
    first = render(BUSY_PROMPT, seed=11)
    second = render(BUSY_PROMPT, seed=11)

    assert np.array_equal(first, second)


def test_different_seeds_give_different_frames() -> None:
    first = some_frames(BUSY_PROMPT, seed=1)
    second = some_frames(BUSY_PROMPT, seed=2)

    assert np.abs(first.astype(int) - second.astype(int)).mean() > 4


def test_different_prompts_give_different_colours() -> None:
    beach = some_frames("a beach at sunset", seed=3).reshape(-1, 3).mean(axis=0)
    forest = some_frames("a snowy forest at night", seed=3).reshape(-1, 3).mean(axis=0)

    assert beach[0] > beach[2]  # a warm sunset
    assert forest[2] > forest[0]  # a blue night
    assert np.abs(beach - forest).sum() > 60


def test_frames_move_over_time() -> None:
    frames = some_frames("a dog running in a park", seed=5)

    assert np.abs(frames[0].astype(int) - frames[-1].astype(int)).mean() > 2


@pytest.mark.parametrize("aspect", sorted(ASPECT_SIZES))
def test_output_has_the_requested_size(aspect: str) -> None:
    width, height = ASPECT_SIZES[aspect]

    frames = render("a bird flying over the mountains", aspect=aspect)

    assert frames.shape == (96, height, width, 3)
    assert frames.dtype == np.uint8


def test_a_result_carries_the_plan_and_the_renderer_version() -> None:
    request = VideoRequest(prompt="a rocket flying in space", seed=3)

    result = BuiltinBackend().generate(request, on_progress=_ignore, should_cancel=_never)

    assert (result.backend, result.fps, result.model_hash) == ("builtin", 24, "builtin-v1")
    assert result.plan["setting"] == "space"
    assert result.plan["subjects"] == ["rocket"]


@pytest.mark.parametrize("prompt", ["🫠🫠🫠", "海辺で走る犬"])
def test_emoji_and_japanese_prompts_still_render(prompt: str) -> None:
    frames = render_preview(prompt, seed=4)

    assert frames.shape[1:] == (854, 480, 3)
    assert frames.std() > 10  # a scene, not a blank frame


def test_progress_rises_to_one_and_names_the_stage() -> None:
    reports: list[tuple[float, str]] = []
    request = VideoRequest(prompt="a cat walking in the city", seed=1)

    BuiltinBackend().generate(
        request, on_progress=lambda f, s: reports.append((f, s)), should_cancel=_never
    )

    fractions = [fraction for fraction, _ in reports]
    assert fractions == sorted(fractions)
    assert fractions[-1] == 1.0
    assert "rendering frames" in {stage for _, stage in reports}


def test_cancelling_stops_the_render() -> None:
    checks: list[int] = []
    reports: list[float] = []

    def cancel_on_third_check() -> bool:
        checks.append(1)
        return len(checks) >= 3

    request = VideoRequest(prompt="a cat walking in the city", seed=1)
    with pytest.raises(RenderCancelled):
        BuiltinBackend().generate(
            request,
            on_progress=lambda f, s: reports.append(f),
            should_cancel=cancel_on_third_check,
        )

    assert len(checks) == 3
    assert max(reports) < 0.5


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"prompt": "   "}, "prompt is empty"),
        ({"aspect": "4:3"}, "Unknown aspect"),
        ({"duration_s": 5}, "duration must be 4, 8 or 12"),
        ({"seed": -1}, "seed must be between"),
    ],
)
def test_bad_requests_are_refused_with_a_readable_reason(
    changes: dict[str, object], message: str
) -> None:
    fields: dict[str, object] = {"prompt": "a dog", "seed": 1} | changes
    progress: list[float] = []

    with pytest.raises(ValueError, match=message):
        BuiltinBackend().generate(
            VideoRequest(**fields),  # type: ignore[arg-type]
            on_progress=lambda f, s: progress.append(f),
            should_cancel=_never,
        )
    assert progress == []


def test_a_cameo_face_appears_in_the_video() -> None:
    magenta = np.zeros((120, 100, 3), dtype=np.uint8)
    magenta[...] = (255, 0, 255)
    cameo = CameoImage(name="alice", image=magenta)
    request = VideoRequest(prompt="a person waving in a park", seed=2, cameos=(cameo,))

    result = BuiltinBackend().generate(request, on_progress=_ignore, should_cancel=_never)

    frame = result.frames[40].astype(int)
    is_magenta = (frame[..., 0] > 180) & (frame[..., 1] < 90) & (frame[..., 2] > 180)
    assert is_magenta.sum() > 200
    assert result.notes == ["cameo: alice"]


def test_an_unusable_cameo_picture_is_refused() -> None:
    cameo = CameoImage(name="bob", image=np.zeros((4,), dtype=np.uint8))
    request = VideoRequest(prompt="a person", seed=2, cameos=(cameo,))

    with pytest.raises(ValueError, match="not a usable RGB image"):
        BuiltinBackend().generate(request, on_progress=_ignore, should_cancel=_never)


# ---------------------------------------------------------------------------- watermark


def test_watermark_marks_a_corner_then_moves_after_two_seconds() -> None:
    frames = np.full((96, 854, 480, 3), 90, dtype=np.uint8)

    apply_watermark(frames, handle="alice", fps=24)

    def touched(frame: np.ndarray, rows: slice, cols: slice) -> bool:
        return bool((frame[rows, cols] != 90).any())

    top_left, bottom_right = (slice(0, 80), slice(0, 240)), (slice(-80, None), slice(-240, None))
    assert touched(frames[0], *top_left) and not touched(frames[0], *bottom_right)
    assert touched(frames[48], *bottom_right) and not touched(frames[48], *top_left)
    assert touched(frames[0], slice(None), slice(None))
    assert (frames[0] == 90).mean() > 0.95  # it covers a corner, not the picture


def test_watermark_names_the_site_and_the_handle() -> None:
    assert watermark_text("Sora", "@alice") == "Sora · @alice"
    assert watermark_text("Sora", "") == "Sora"


# ---------------------------------------------------------------------------- encoding


def _top_level_atoms(path: Path) -> list[str]:
    data = path.read_bytes()
    atoms, offset = [], 0
    while offset + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        atoms.append(kind.decode("latin-1"))
        if size == 1:
            size = struct.unpack(">Q", data[offset + 8 : offset + 16])[0]
        if size < 8:
            break
        offset += size
    return atoms


def test_encode_writes_faststart_h264_yuv420p(tmp_path: Path) -> None:
    frames = render_preview("a dog running on the beach", seed=1)
    clip = np.repeat(frames, 12, axis=0)  # 96 frames, 4 s
    path = tmp_path / "clip.mp4"

    encode_mp4(clip, 24, path, metadata={"comment": "seed 1"})

    info = probe_mp4(path)
    assert (info["codec"], info["pix_fmt"]) == ("h264", "yuv420p")
    assert (info["width"], info["height"], info["frames"]) == (480, 854, 96)
    assert info["duration_s"] == pytest.approx(4.0, abs=0.05)
    assert info["metadata"]["comment"] == "seed 1"
    atoms = _top_level_atoms(path)
    assert atoms.index("moov") < atoms.index("mdat")


def test_encode_reports_progress_and_can_be_cancelled(tmp_path: Path) -> None:
    frames = np.zeros((72, 64, 64, 3), dtype=np.uint8)
    progress: list[float] = []
    encode_mp4(frames, 24, tmp_path / "ok.mp4", on_progress=lambda f, s: progress.append(f))
    assert progress[-1] == 1.0 and progress == sorted(progress)

    path = tmp_path / "cancelled.mp4"
    with pytest.raises(RenderCancelled):
        encode_mp4(frames, 24, path, should_cancel=lambda: True)
    assert not path.exists()


@pytest.mark.parametrize(
    ("frames", "message"),
    [
        (np.zeros((2, 63, 64, 3), np.uint8), "even"),
        (np.zeros((2, 64, 64), np.uint8), "shaped"),
        (np.zeros((0, 64, 64, 3), np.uint8), "no frames"),
    ],
)
def test_encode_refuses_frames_it_cannot_write(
    tmp_path: Path, frames: np.ndarray, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        encode_mp4(frames, 24, tmp_path / "bad.mp4")


def test_poster_is_a_jpeg_of_the_frame() -> None:
    frame = render_preview("a cat in the city", seed=1)[2]

    data = poster_jpeg(frame)

    assert data[:2] == b"\xff\xd8"
    image = Image.open(__import__("io").BytesIO(data))
    assert image.size == (480, 854)


# ---------------------------------------------------------------------------- embeddings


def test_embeddings_are_unit_length_minilm_vectors() -> None:
    vectors = embed_texts(["a dog on the beach", "a puppy at the seaside", "tax forms"])

    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    assert embed_texts([]).shape == (0, 384)
