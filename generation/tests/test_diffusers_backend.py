"""The diffusers backend, driven through tiny random-weights models of the real pipeline classes.

Each model is built in code and saved with ``save_pretrained`` (as ``make_tiny_model`` does), then
loaded back through ``DiffusersBackend``: the path a real Wan, LTX-Video or CogVideoX folder takes.
Random weights render noise, so these tests check shapes, dtypes, progress, cancellation,
determinism, the warm cache and the errors people see, never looks. The model renders at a tiny
size internally (``max_side``/``max_frames``); the frames still come back at ``request.size``.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

pytest.importorskip("diffusers", reason="diffusers is not installed")

import torch  # noqa: E402

from generation.pipeline.base import CameoImage, RenderCancelled, VideoRequest  # noqa: E402
from generation.pipeline.diffusers_backend import (  # noqa: E402
    DiffusersBackend,
    RenderOptions,
    frame_count,
    model_hash,
    render_size,
    resolve_device,
)
from generation.pipeline.tiny_models import KINDS, folder_size, save_tiny_model  # noqa: E402

TINY = RenderOptions(steps=2, max_side=32, max_frames=9)
PROMPT = "a red fox trotting through fresh snow"


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each tiny model kind, saved once for this module."""
    root = tmp_path_factory.mktemp("models")
    return {kind: save_tiny_model(kind, root / kind) for kind in KINDS}


@pytest.fixture(scope="module")
def wan(models: dict[str, Path]) -> DiffusersBackend:
    """One warm wan-t2v backend shared by the tests that only render with it."""
    return DiffusersBackend(str(models["wan-t2v"]), device="cpu", options=TINY)


def _request(**kwargs: Any) -> VideoRequest:
    return VideoRequest(**{"prompt": PROMPT, "seed": 7, "aspect": "1:1", **kwargs})


def _render(backend: DiffusersBackend, request: VideoRequest, **kwargs: Any) -> Any:
    return backend.generate(
        request, on_progress=lambda *_: None, should_cancel=lambda: False, **kwargs
    )


def _cameo(color: tuple[int, int, int], name: str = "alice") -> CameoImage:
    image = np.zeros((96, 72, 3), dtype=np.uint8)
    image[...] = color
    image[20:60, 20:50] = 255 - np.array(color, dtype=np.uint8)  # a "face" to crop around
    return CameoImage(name=name, image=image)


def _copy(folder: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(folder, tmp_path / folder.name))


# --- The tiny models ------------------------------------------------------------------------------


def test_every_tiny_model_is_a_real_pipeline_under_one_megabyte(models: dict[str, Path]) -> None:
    classes = {
        kind: json.loads((folder / "model_index.json").read_text())["_class_name"]
        for kind, folder in models.items()
    }
    assert classes == {
        "wan-t2v": "WanPipeline",
        "wan-i2v": "WanImageToVideoPipeline",
        "ltx": "LTXPipeline",
        "ltx2": "LTX2Pipeline",
        "cogvideox": "CogVideoXPipeline",
    }
    assert all(folder_size(folder) < 1_000_000 for folder in models.values())


def test_building_a_tiny_model_twice_gives_the_same_model(
    models: dict[str, Path], tmp_path: Path
) -> None:
    again = save_tiny_model("wan-i2v", tmp_path / "again")
    assert model_hash(again) == model_hash(models["wan-i2v"])


def test_make_tiny_model_writes_a_folder_the_backend_loads(tmp_path: Path) -> None:
    out = StringIO()
    call_command("make_tiny_model", str(tmp_path / "ltx"), kind="ltx", stdout=out)
    assert "KiB on disk" in out.getvalue()
    backend = DiffusersBackend(str(tmp_path / "ltx"), device="cpu", options=TINY)
    assert backend.pipeline_class == "LTXPipeline"


def test_make_tiny_model_refuses_to_write_into_a_folder_with_files(tmp_path: Path) -> None:
    (tmp_path / "weights.safetensors").write_bytes(b"precious")
    with pytest.raises(CommandError, match="already exists and is not empty"):
        call_command("make_tiny_model", str(tmp_path))
    assert (tmp_path / "weights.safetensors").read_bytes() == b"precious"


# --- Shapes and frames ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["wan-t2v", "ltx", "cogvideox"])
@pytest.mark.parametrize("aspect", ["9:16", "1:1"])
def test_frames_come_back_at_the_requested_size_as_uint8(
    models: dict[str, Path], kind: str, aspect: str
) -> None:
    backend = DiffusersBackend(str(models[kind]), device="cpu", options=TINY)
    request = _request(aspect=aspect)
    result = _render(backend, request)
    width, height = request.size
    assert result.frames.shape == (request.num_frames, height, width, 3)
    assert result.frames.dtype == np.uint8
    assert len(result.frames) / result.fps == request.duration_s
    assert result.backend == "diffusers" and result.model_hash.startswith("sha256:")
    multiple = 32 if kind == "ltx" else 16
    assert all(side % multiple == 0 for side in result.plan["rendered_size"])
    assert result.plan["pipeline"] == backend.pipeline_class


def test_the_frames_encode_to_an_mp4_of_the_asked_size_and_length(
    wan: DiffusersBackend, tmp_path: Path
) -> None:
    from generation.pipeline.encode import encode_mp4, probe_mp4

    result = _render(wan, _request(aspect="9:16"))
    encode_mp4(result.frames, result.fps, tmp_path / "clip.mp4")
    info = probe_mp4(tmp_path / "clip.mp4")
    assert (info["width"], info["height"]) == (480, 854)
    assert abs(info["duration_s"] - 4.0) < 0.1


def test_the_plan_records_what_was_rendered(wan: DiffusersBackend) -> None:
    plan = _render(wan, _request(aspect="9:16")).plan
    assert plan["pipeline"] == "WanPipeline" and plan["mode"] == "text-to-video"
    assert (plan["steps"], plan["guidance"]) == (2, 5.0)
    assert plan["rendered_size"] == [16, 32] and plan["rendered_frames"] == 9
    assert plan["output_size"] == [480, 854] and plan["output_frames"] == 96
    json.dumps(plan)  # it is stored in a JSONField


def test_a_check_render_returns_only_the_seconds_asked_for(wan: DiffusersBackend) -> None:
    result = _render(wan, _request(), options=RenderOptions(seconds=1))
    assert result.frames.shape == (24, 640, 640, 3) and result.fps == 24


def test_model_frame_counts_follow_each_family_rule() -> None:
    assert frame_count(4, fps=16, factor=4, max_frames=81) == 65  # Wan: 4k+1
    assert frame_count(12, fps=16, factor=4, max_frames=81) == 81
    assert frame_count(4, fps=24, factor=8, max_frames=161) == 97  # LTX: 8k+1
    assert frame_count(8, fps=8, factor=4, max_frames=49) == 49  # CogVideoX 1.0
    assert render_size((480, 854), 832, 16) == (464, 832)
    assert render_size((640, 640), 768, 32) == (640, 640)


# --- Determinism ----------------------------------------------------------------------------------


def test_the_same_seed_gives_identical_frames_and_another_seed_differs(
    wan: DiffusersBackend,
) -> None:
    first = _render(wan, _request(seed=11)).frames
    again = _render(wan, _request(seed=11)).frames
    other = _render(wan, _request(seed=12)).frames
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)


# --- Progress and cancelling ----------------------------------------------------------------------


def test_progress_climbs_steadily_to_one_with_readable_stages(models: dict[str, Path]) -> None:
    backend = DiffusersBackend(str(models["wan-t2v"]), device="cpu", options=TINY)
    seen: list[tuple[float, str]] = []
    backend.generate(
        _request(),
        on_progress=lambda fraction, stage: seen.append((fraction, stage)),
        should_cancel=lambda: False,
        options=RenderOptions(steps=4),
    )
    fractions = [fraction for fraction, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    stages = [stage for _, stage in seen]
    assert stages[0] == "Loading the video model"
    assert "Denoising step 1/4" in stages and "Denoising step 3/4" in stages
    assert "Decoding the video" in stages


def test_cancelling_after_the_first_step_stops_within_one_step(wan: DiffusersBackend) -> None:
    seen: list[str] = []
    with pytest.raises(RenderCancelled):
        wan.generate(
            _request(seed=21),
            on_progress=lambda fraction, stage: seen.append(stage),
            should_cancel=lambda: "Denoising step 1/6" in seen,
            options=RenderOptions(steps=6),
        )
    assert "Denoising step 1/6" in seen
    assert "Denoising step 3/6" not in seen and "Decoding the video" not in seen
    # The stopped run leaves nothing behind: the next render is the same as a fresh one.
    fresh = DiffusersBackend(str(wan.folder), device="cpu", options=TINY)
    after = _render(wan, _request(seed=21)).frames
    assert np.array_equal(after, _render(fresh, _request(seed=21)).frames)


def test_a_cancel_before_the_render_starts_renders_nothing(wan: DiffusersBackend) -> None:
    seen: list[str] = []
    with pytest.raises(RenderCancelled):
        wan.generate(
            _request(), on_progress=lambda f, s: seen.append(s), should_cancel=lambda: True
        )
    assert not any(stage.startswith("Denoising") for stage in seen)


# --- The warm cache -------------------------------------------------------------------------------


def test_a_warm_backend_loads_its_pipeline_once_and_reuses_it(
    models: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from diffusers import DiffusionPipeline

    loads: list[object] = []
    real_load = DiffusionPipeline.from_pretrained.__func__  # type: ignore[attr-defined]

    def counting_load(cls: type, *args: Any, **kwargs: Any) -> Any:
        loads.append(args[0])
        return real_load(cls, *args, **kwargs)

    monkeypatch.setattr(DiffusionPipeline, "from_pretrained", classmethod(counting_load))
    backend = DiffusersBackend(str(models["wan-t2v"]), device="cpu", options=TINY)
    pipes = []
    for seed in (1, 2, 3):
        _render(backend, _request(seed=seed))
        pipes.append(backend.pipe)
    # The speed-up this buys is measured by bench_worker (P2), not asserted here.
    assert len(loads) == 1
    assert pipes[0] is pipes[1] is pipes[2]


# --- The model hash -------------------------------------------------------------------------------


def _scale_weights(path: Path) -> None:
    from safetensors.torch import load_file, save_file

    tensors = {name: tensor * 1.01 for name, tensor in load_file(path).items()}
    save_file(tensors, path, metadata={"format": "pt"})


def test_the_model_hash_is_stable_across_loads_and_copies_and_changes_with_a_weight(
    models: dict[str, Path], tmp_path: Path
) -> None:
    folder = _copy(models["wan-t2v"], tmp_path)
    first = DiffusersBackend(str(folder), device="cpu").model_hash
    assert DiffusersBackend(str(folder), device="cpu").model_hash == first
    assert DiffusersBackend(str(models["wan-t2v"]), device="cpu").model_hash == first
    _scale_weights(folder / "transformer" / "diffusion_pytorch_model.safetensors")
    assert DiffusersBackend(str(folder), device="cpu").model_hash != first


# --- Errors people see ----------------------------------------------------------------------------


def test_a_missing_folder_is_named_in_a_sentence(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"The video model folder .*nowhere does not exist\."):
        DiffusersBackend(str(tmp_path / "nowhere"))


def test_a_folder_without_model_index_is_not_a_diffusers_model(tmp_path: Path) -> None:
    (tmp_path / "model.ckpt").write_bytes(b"\0" * 64)
    with pytest.raises(ValueError, match="is not a diffusers model: it has no model_index.json"):
        DiffusersBackend(str(tmp_path))


def test_an_unreadable_model_index_says_so(tmp_path: Path) -> None:
    (tmp_path / "model_index.json").write_text("{not json")
    with pytest.raises(ValueError, match="model_index.json in .* cannot be read"):
        DiffusersBackend(str(tmp_path))


def test_an_unsupported_pipeline_is_named_with_the_supported_ones(tmp_path: Path) -> None:
    index = {"_class_name": "StableDiffusionPipeline", "_diffusers_version": "0.42.1"}
    (tmp_path / "model_index.json").write_text(json.dumps(index))
    with pytest.raises(ValueError) as caught:
        DiffusersBackend(str(tmp_path))
    message = str(caught.value)
    assert "is a StableDiffusionPipeline, which this app cannot use for video" in message
    assert "WanPipeline" in message and "LTXPipeline" in message and "CogVideoXPipeline" in message


def test_a_cut_off_weight_file_is_reported_before_loading(
    models: dict[str, Path], tmp_path: Path
) -> None:
    folder = _copy(models["wan-t2v"], tmp_path)
    weights = folder / "transformer" / "diffusion_pytorch_model.safetensors"
    weights.write_bytes(weights.read_bytes()[:-1000])
    with pytest.raises(ValueError, match="transformer/diffusion_pytorch_model.safetensors .* is "):
        DiffusersBackend(str(folder))
    with pytest.raises(ValueError, match="corrupt or incomplete .*cut-off download"):
        DiffusersBackend(str(folder))


def test_a_garbage_weight_file_is_reported_as_corrupt(
    models: dict[str, Path], tmp_path: Path
) -> None:
    folder = _copy(models["ltx"], tmp_path)
    (folder / "vae" / "diffusion_pytorch_model.safetensors").write_bytes(b"\xff" * 4096)
    with pytest.raises(ValueError, match="corrupt or incomplete \\(its header is unreadable\\)"):
        DiffusersBackend(str(folder))


def test_a_broken_component_fails_loading_with_a_sentence(
    models: dict[str, Path], tmp_path: Path
) -> None:
    folder = _copy(models["wan-t2v"], tmp_path)
    (folder / "vae" / "config.json").write_text("{broken")
    backend = DiffusersBackend(str(folder), device="cpu", options=TINY)
    with pytest.raises(ValueError) as caught:
        _render(backend, _request())
    assert str(caught.value) == (
        "The video model could not be loaded, so no video can be made right now. The operator "
        "can run `manage.py generation_check` to see why."
    )
    assert str(folder) not in str(caught.value)  # people don't see server paths
    with pytest.raises(CommandError, match=r"could not be loaded \(\w+Error: "):
        _check(folder)


def test_an_unusable_device_setting_is_explained() -> None:
    assert resolve_device("auto") in {"cuda", "mps", "cpu"}
    with pytest.raises(ValueError, match="is not a device torch knows"):
        resolve_device("gpu please")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="torch sees no CUDA GPU"):
            resolve_device("cuda:0")


# --- Cameos and image-to-video --------------------------------------------------------------------


def test_an_image_to_video_model_animates_the_cameo_image(models: dict[str, Path]) -> None:
    backend = DiffusersBackend(str(models["wan-i2v"]), device="cpu", options=TINY)
    red = _render(backend, _request(cameos=(_cameo((200, 30, 30)),)))
    blue = _render(backend, _request(cameos=(_cameo((30, 30, 200)),)))
    assert red.plan["mode"] == "image-to-video" and red.plan["cameo"] == "alice"
    assert red.plan["pipeline"] == "WanImageToVideoPipeline"
    assert red.frames.shape == blue.frames.shape == (96, 640, 640, 3)
    assert not np.array_equal(red.frames, blue.frames)  # same seed: only the image differs
    assert not any("text only" in note for note in red.notes)


def test_a_text_only_model_describes_the_cameo_in_text_and_says_so(wan: DiffusersBackend) -> None:
    with_cameo = _render(wan, _request(seed=5, cameos=(_cameo((200, 30, 30)),)))
    without = _render(wan, _request(seed=5))
    assert with_cameo.plan["mode"] == "text-to-video" and with_cameo.plan["cameo"] is None
    assert (
        "This model has no image-to-video mode, so the cameo was described in text only."
        in with_cameo.notes
    )
    assert np.array_equal(with_cameo.frames, without.frames)


def test_ltx_animates_a_cameo_with_the_same_loaded_weights(models: dict[str, Path]) -> None:
    backend = DiffusersBackend(str(models["ltx"]), device="cpu", options=TINY)
    plain = _render(backend, _request(aspect="9:16"))
    cameo = _render(backend, _request(aspect="9:16", cameos=(_cameo((30, 200, 30)),)))
    assert plain.plan["pipeline"] == "LTXPipeline"
    assert cameo.plan["pipeline"] == "LTXImageToVideoPipeline"
    assert cameo.plan["mode"] == "image-to-video"
    sibling = backend._siblings["LTXImageToVideoPipeline"]
    assert sibling.transformer is backend.pipe.transformer  # shared, not loaded twice


@pytest.fixture
def drawn_frames(monkeypatch: pytest.MonkeyPatch) -> list[VideoRequest]:
    """Stand in for the built-in renderer (its own tests cover it): flat grey-blue frames."""
    from generation.pipeline import builtin
    from generation.pipeline.base import VideoResult

    requests: list[VideoRequest] = []

    def generate(self: Any, request: VideoRequest, **kwargs: Any) -> VideoResult:
        requests.append(request)
        width, height = request.size
        frames = np.full((request.num_frames, height, width, 3), (60, 70, 80), dtype=np.uint8)
        return VideoResult(frames=frames, fps=request.fps, backend="builtin")

    monkeypatch.setattr(builtin.BuiltinBackend, "generate", generate)
    return requests


def _spy_on(class_name: str, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    import diffusers

    cls = getattr(diffusers, class_name)
    calls: list[dict[str, Any]] = []
    real_call = cls.__call__

    def call(pipe: Any, **kwargs: Any) -> Any:
        calls.append(kwargs)
        return real_call(pipe, **kwargs)

    monkeypatch.setattr(cls, "__call__", call)
    return calls


def test_an_image_to_video_model_without_a_cameo_animates_a_drawn_first_frame(
    models: dict[str, Path], drawn_frames: list[VideoRequest], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _spy_on("WanImageToVideoPipeline", monkeypatch)
    backend = DiffusersBackend(str(models["wan-i2v"]), device="cpu", options=TINY)
    result = _render(backend, _request(aspect="9:16"))
    assert [r.prompt for r in drawn_frames] == [PROMPT]
    assert np.asarray(calls[0]["image"]).reshape(-1, 3).tolist()[0] == [60, 70, 80]
    assert result.plan["mode"] == "image-to-video" and result.frames.shape == (96, 854, 480, 3)
    assert any("the built-in renderer drew the first frame" in note for note in result.notes)


def test_without_the_built_in_renderer_a_grey_first_frame_stands_in(
    models: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from generation.pipeline import builtin

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the built-in renderer is unavailable")

    monkeypatch.setattr(builtin.BuiltinBackend, "generate", broken)
    calls = _spy_on("WanImageToVideoPipeline", monkeypatch)
    backend = DiffusersBackend(str(models["wan-i2v"]), device="cpu", options=TINY)
    result = _render(backend, _request(aspect="9:16"))
    assert np.asarray(calls[0]["image"]).reshape(-1, 3).tolist()[0] == [128, 128, 128]
    assert any("started from a plain grey frame" in note for note in result.notes)


# --- Running out of GPU memory --------------------------------------------------------------------


def _out_of_memory_on(calls: set[int], monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Make WanPipeline raise CUDA's out-of-memory error on the given call numbers."""
    from diffusers import WanPipeline

    seen: list[dict[str, Any]] = []
    real_call = WanPipeline.__call__

    def call(pipe: Any, **kwargs: Any) -> Any:
        seen.append(kwargs)
        if len(seen) in calls:
            raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB")
        return real_call(pipe, **kwargs)

    monkeypatch.setattr(WanPipeline, "__call__", call)
    return seen


def test_running_out_of_memory_retries_once_smaller(
    wan: DiffusersBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _out_of_memory_on({1}, monkeypatch)
    result = _render(wan, _request(), options=RenderOptions(max_side=64, max_frames=17))
    assert [(c["width"], c["num_frames"]) for c in calls] == [(64, 17), (48, 9)]
    assert result.frames.shape == (96, 640, 640, 3)
    assert result.plan["rendered_size"] == [48, 48]
    assert any("ran out of memory" in note for note in result.notes)


def test_running_out_of_memory_twice_fails_with_a_sentence(
    wan: DiffusersBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    _out_of_memory_on({1, 2}, monkeypatch)
    with pytest.raises(ValueError, match="The GPU ran out of memory rendering this video, even"):
        _render(wan, _request())


# --- generation_check -----------------------------------------------------------------------------


def _check(model: Path | str, **options: Any) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    with override_settings(SORA_VIDEO_MODEL=str(model), SORA_DEVICE="cpu"):
        call_command("generation_check", stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_generation_check_renders_a_one_second_clip_with_a_tiny_model(
    models: dict[str, Path],
) -> None:
    out, _ = _check(models["wan-t2v"], steps=2, max_side=32)
    assert "Backend:     diffusers" in out
    assert "Device:      cpu (float32)" in out
    assert "Pipeline:    WanPipeline" in out
    assert "Model hash:  sha256:" in out
    assert "Rendered:    1 s at 640x640, 24 frames at 24 fps" in out


def test_generation_check_checks_the_built_in_renderer_when_no_model_is_set(
    drawn_frames: list[VideoRequest],
) -> None:
    out, _ = _check("")
    assert [r.aspect for r in drawn_frames] == ["1:1"]
    assert "Backend:     builtin" in out
    assert "Rendered:    4 s at 640x640, 96 frames at 24 fps" in out


@pytest.mark.parametrize(
    ("make_folder", "sentence"),
    [
        (lambda tmp: tmp / "missing", "does not exist"),
        (lambda tmp: tmp, "is not a diffusers model"),
    ],
)
def test_generation_check_stops_with_a_sentence_for_a_bad_folder(
    tmp_path: Path, make_folder: Callable[[Path], Path], sentence: str
) -> None:
    with pytest.raises(CommandError, match=sentence):
        _check(make_folder(tmp_path))


def test_generation_check_names_an_unsupported_pipeline(tmp_path: Path) -> None:
    (tmp_path / "model_index.json").write_text('{"_class_name": "StableDiffusionPipeline"}')
    with pytest.raises(CommandError, match="is a StableDiffusionPipeline, which this app cannot"):
        _check(tmp_path)


# --- bench_worker ---------------------------------------------------------------------------------


def test_bench_worker_reports_both_figures_with_their_raw_numbers() -> None:
    out = StringIO()
    with override_settings(SORA_VIDEO_MODEL="", SORA_DEVICE="cpu"):
        call_command("bench_worker", jobs=6, max_side=32, max_frames=9, stdout=out)
    text = out.getvalue()
    assert "P2 = job 2 / job 1 = " in text and "Job 1 (loads the model): " in text
    assert "P3 = RSS after 6 jobs / after 5 = " in text and "RSS after job 5: " in text
