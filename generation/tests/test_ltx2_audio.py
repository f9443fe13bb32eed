"""LTX-2's own sound through the diffusers backend, with a tiny random-weights LTX2Pipeline.

The tiny model is built in code and saved with ``save_pretrained``, then loaded back through
``DiffusersBackend`` as a real LTX-2 folder would be. Its sound is noise, so these tests check
what the job keeps and plays: the track's shape, rate and length against the clip, and the MP4's
audio stream, never how it sounds. Models without sound must leave ``audio`` unset, so the
built-in soundtrack is made for them later.

The sound's length: LTX-2 makes 25 audio latents for each second the backend tells it the frames
last (the whole clip), 4 mel frames of 10 ms each, and its causal audio decoder keeps only the last
of the first latent's four, so a 4, 8 or 12 s clip gets 30 ms less sound than picture: within one
frame (41.7 ms at 24 fps). The real model has the same timing; the encoder pads the rest.
"""

from __future__ import annotations

import inspect
import json
from io import StringIO
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.core.management import call_command

pytest.importorskip("diffusers", reason="diffusers is not installed")

import torch  # noqa: E402

from generation.pipeline.base import AudioTrack, CameoImage, VideoRequest  # noqa: E402
from generation.pipeline.diffusers_backend import (  # noqa: E402
    DiffusersBackend,
    RenderOptions,
    audio_samples,
)
from generation.pipeline.tiny_models import folder_size, save_tiny_model  # noqa: E402

TINY = RenderOptions(steps=2, max_side=32, max_frames=9)
PROMPT = "a dog barks at the waves on a windy beach"
VOCODER_RATE = 24_000  # the tiny vocoder upsamples as the real one does, to 24 kHz


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("models")
    return {kind: save_tiny_model(kind, root / kind) for kind in ("ltx2", "wan-t2v", "ltx")}


@pytest.fixture(scope="module")
def ltx2(folders: dict[str, Path]) -> DiffusersBackend:
    """One warm LTX-2 backend shared by the tests that render with it."""
    return DiffusersBackend(str(folders["ltx2"]), device="cpu", options=TINY)


def _request(**kwargs: Any) -> VideoRequest:
    return VideoRequest(**{"prompt": PROMPT, "seed": 7, "aspect": "9:16", **kwargs})


def _render(backend: DiffusersBackend, request: VideoRequest, **kwargs: Any) -> Any:
    return backend.generate(
        request, on_progress=lambda *_: None, should_cancel=lambda: False, **kwargs
    )


def _frame_s(fps: int) -> float:
    return 1.0 / fps


# --- The tiny model -------------------------------------------------------------------------------


def test_the_tiny_ltx2_model_is_a_real_ltx2_pipeline_under_one_megabyte(
    folders: dict[str, Path],
) -> None:
    index = json.loads((folders["ltx2"] / "model_index.json").read_text())
    assert index["_class_name"] == "LTX2Pipeline"
    assert index["vocoder"] == ["ltx2", "LTX2Vocoder"]
    assert index["audio_vae"] == ["diffusers", "AutoencoderKLLTX2Audio"]
    assert index["text_encoder"] == ["transformers", "Gemma3ForConditionalGeneration"]
    # The tokenizer is a file written from code, so loading it needs no download.
    assert (folders["ltx2"] / "tokenizer" / "tokenizer.json").is_file()
    assert folder_size(folders["ltx2"]) < 1_000_000


def test_make_tiny_model_writes_an_ltx2_folder_the_backend_loads(tmp_path: Path) -> None:
    out = StringIO()
    call_command("make_tiny_model", str(tmp_path / "ltx2"), kind="ltx2", stdout=out)
    assert "Wrote a tiny ltx2 model" in out.getvalue()
    backend = DiffusersBackend(str(tmp_path / "ltx2"), device="cpu", options=TINY)
    assert backend.pipeline_class == "LTX2Pipeline"
    assert backend.family.name == "ltx2"


# --- LTX-2's sound --------------------------------------------------------------------------------


def test_ltx2_returns_its_own_sound_as_long_as_the_clip(ltx2: DiffusersBackend) -> None:
    result = _render(ltx2, _request())
    audio = result.audio
    assert isinstance(audio, AudioTrack)
    assert result.frames.shape == (96, 854, 480, 3)
    assert audio.samples.dtype == np.float32 and audio.samples.ndim == 2
    assert audio.samples.shape[1] in (1, 2)
    assert np.isfinite(audio.samples).all() and np.abs(audio.samples).max() <= 1.0
    assert np.abs(audio.samples).max() > 0.0  # noise, but not silence
    assert audio.sample_rate == VOCODER_RATE == ltx2.pipe.vocoder.config.output_sampling_rate
    clip_s = result.frames.shape[0] / result.fps
    assert abs(audio.duration_s - clip_s) <= _frame_s(result.fps)
    assert audio.source == "diffusers"
    assert audio.summary == "Sound made by LTX-2 with the picture."
    assert audio.details == {
        "model_pipeline": "LTX2Pipeline",
        "model_sample_rate": VOCODER_RATE,
        "model_channels": audio.samples.shape[1],
        "model_seconds": round(audio.duration_s, 3),
    }


def test_ltx2_is_told_the_frame_rate_that_spreads_its_frames_over_the_clip(
    ltx2: DiffusersBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _spy_on("LTX2Pipeline", monkeypatch)
    result = _render(ltx2, _request(duration_s=8))
    (call,) = calls
    assert call["num_frames"] == 9
    assert call["frame_rate"] == pytest.approx(9 / 8)
    assert call["max_sequence_length"] == 64  # the tiny tokenizer's length, not the real 1024
    assert result.plan["model_fps"] == pytest.approx(9 / 8, abs=1e-3)
    assert abs(result.audio.duration_s - 8.0) <= _frame_s(24)
    # The frames were spread out, not slowed down, and the job page says so.
    assert not any("slowed down" in note for note in result.notes)
    assert (
        "This model rendered 9 frames, so this 8 s clip was made from them (1.1 a second) "
        "blended to 24 a second." in result.notes
    )


def test_the_same_seed_gives_the_same_sound_and_another_seed_differs(
    ltx2: DiffusersBackend,
) -> None:
    first = _render(ltx2, _request()).audio.samples
    again = _render(ltx2, _request()).audio.samples
    other = _render(ltx2, _request(seed=8)).audio.samples
    assert np.array_equal(first, again)
    assert first.shape == other.shape and not np.array_equal(first, other)


def test_ltx2_animates_a_cameo_with_sound_from_the_same_loaded_weights(
    ltx2: DiffusersBackend,
) -> None:
    face = np.zeros((96, 72, 3), dtype=np.uint8)
    face[20:60, 20:50] = (220, 180, 150)
    result = _render(ltx2, _request(cameos=(CameoImage(name="alice", image=face),)))
    assert result.plan["pipeline"] == "LTX2ImageToVideoPipeline"
    assert result.plan["mode"] == "image-to-video" and result.plan["cameo"] == "alice"
    assert ltx2._siblings["LTX2ImageToVideoPipeline"].transformer is ltx2.pipe.transformer
    assert result.audio is not None and result.audio.sample_rate == VOCODER_RATE
    assert abs(result.audio.duration_s - 4.0) <= _frame_s(24)


def test_after_running_out_of_memory_the_smaller_render_still_has_sound_for_the_whole_clip(
    ltx2: DiffusersBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    from diffusers import LTX2Pipeline

    seen: list[dict[str, Any]] = []
    real_call = LTX2Pipeline.__call__

    def call(pipe: Any, **kwargs: Any) -> Any:
        seen.append(kwargs)
        if len(seen) == 1:
            raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB")
        return real_call(pipe, **kwargs)

    monkeypatch.setattr(LTX2Pipeline, "__call__", call)
    result = _render(ltx2, _request(), options=RenderOptions(max_side=64, max_frames=17))
    assert [(c["num_frames"], c["frame_rate"]) for c in seen] == [(17, 17 / 4), (9, 9 / 4)]
    assert abs(result.audio.duration_s - 4.0) <= _frame_s(24)
    assert any("ran out of memory" in note for note in result.notes)


@pytest.mark.parametrize("kind", ["wan-t2v", "ltx"])
def test_models_without_sound_leave_the_audio_to_the_built_in_soundtrack(
    folders: dict[str, Path], kind: str
) -> None:
    backend = DiffusersBackend(str(folders[kind]), device="cpu", options=TINY)
    result = _render(backend, _request(aspect="1:1"))
    assert result.audio is None
    assert result.frames.shape == (96, 640, 640, 3)


# --- Into the MP4 ---------------------------------------------------------------------------------


def test_the_ltx2_sound_goes_into_the_mp4_as_one_aac_stream_as_long_as_the_picture(
    ltx2: DiffusersBackend, tmp_path: Path
) -> None:
    import av

    from generation.pipeline import encode

    if "audio" not in inspect.signature(encode.encode_mp4).parameters:
        pytest.skip("encode_mp4 does not take a soundtrack in this checkout")
    result = _render(ltx2, _request())
    path = tmp_path / "clip.mp4"
    encode.encode_mp4(result.frames, result.fps, path, audio=result.audio)
    with av.open(str(path)) as box:
        video = box.streams.video[0]
        audio_streams = list(box.streams.audio)
        assert len(audio_streams) == 1
        sound = audio_streams[0]
        assert sound.codec_context.name == "aac"
        video_s = float(video.duration * video.time_base)
        audio_s = float(sound.duration * sound.time_base)
    assert video_s == pytest.approx(4.0, abs=0.05)
    assert abs(audio_s - video_s) <= 0.05


# --- Turning a pipeline's audio into samples ------------------------------------------------------


def test_pipeline_audio_becomes_float32_samples_by_channels() -> None:
    audio = torch.linspace(-0.5, 0.5, 2 * 480).reshape(1, 2, 480).to(torch.bfloat16)
    samples = audio_samples(audio)
    assert samples.shape == (480, 2) and samples.dtype == np.float32
    assert samples[0, 0] == pytest.approx(-0.5) and samples[-1, 1] == pytest.approx(0.5)
    assert audio_samples(np.zeros(100, dtype=np.float64)).shape == (100, 1)
    assert audio_samples(None) is None


def test_pipeline_audio_over_full_scale_is_turned_down_and_nan_becomes_silence() -> None:
    audio = torch.tensor([[[0.5, -2.0, float("nan"), 1.0]]])
    samples = audio_samples(audio)
    assert samples[:, 0].tolist() == [0.25, -1.0, 0.0, 0.5]


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
