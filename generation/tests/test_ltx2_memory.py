"""How LTX-2 is kept within a GPU's memory, checked on the CPU with a tiny LTX-2.

On CUDA the text encoder (Gemma 3 12B on the real model) stays in system memory and streams to
the GPU layer by layer while it encodes, and the video VAE decodes a few frames at a time. There
is no GPU here, so the tests check the choices the backend makes for each device, that streaming
the encoder (onto the CPU, the only device there is) leaves the video and the sound unchanged,
and that the out-of-memory retry sends a half-streamed encoder back before it tries again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("diffusers", reason="diffusers is not installed")

import torch  # noqa: E402

from generation.pipeline import gpu_memory  # noqa: E402
from generation.pipeline.base import VideoRequest  # noqa: E402
from generation.pipeline.diffusers_backend import DiffusersBackend, RenderOptions  # noqa: E402
from generation.pipeline.tiny_models import save_tiny_model  # noqa: E402

TINY = RenderOptions(steps=2, max_side=32, max_frames=17)
REQUEST = VideoRequest(prompt="a dog barks at the waves", seed=7, aspect="1:1", duration_s=4)


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("models")
    return {kind: save_tiny_model(kind, root / kind) for kind in ("ltx2", "wan-t2v")}


def _render(backend: DiffusersBackend) -> Any:
    return backend.generate(REQUEST, on_progress=lambda *_: None, should_cancel=lambda: False)


def test_ltx2_decodes_its_video_a_few_frames_at_a_time_and_wan_does_not_change(
    folders: dict[str, Path],
) -> None:
    ltx2 = DiffusersBackend(str(folders["ltx2"]), device="cpu", options=TINY).load()
    wan = DiffusersBackend(str(folders["wan-t2v"]), device="cpu", options=TINY).load()
    assert ltx2.vae.use_framewise_decoding is True
    assert not getattr(wan.vae, "use_framewise_decoding", False)
    # On the CPU everything stays where it was loaded: nothing to stream.
    assert not gpu_memory.text_encoder_streams(ltx2)


def test_on_cuda_ltx2_streams_its_text_encoder_and_low_vram_offloads_every_part(
    folders: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from diffusers import LTX2Pipeline

    calls: list[tuple[str, str]] = []
    monkeypatch.setattr(
        gpu_memory, "stream_text_encoder", lambda pipe, device: calls.append(("stream", device))
    )
    monkeypatch.setattr(
        LTX2Pipeline,
        "enable_model_cpu_offload",
        lambda pipe, device: calls.append(("offload", device)),
    )
    for low_vram in (False, True):
        backend = DiffusersBackend(str(folders["ltx2"]), device="cpu", options=TINY)
        backend.device, backend.low_vram = "cuda:0", low_vram  # as on a GPU worker
        backend.load()
    assert calls == [("stream", "cuda:0"), ("offload", "cuda:0")]


def test_a_streamed_text_encoder_gives_the_same_video_and_sound(folders: dict[str, Path]) -> None:
    resident = DiffusersBackend(str(folders["ltx2"]), device="cpu", options=TINY)
    streamed = DiffusersBackend(str(folders["ltx2"]), device="cpu", options=TINY)
    gpu_memory.stream_text_encoder(streamed.load(), "cpu")
    assert gpu_memory.text_encoder_streams(streamed.pipe)
    expected, got = _render(resident), _render(streamed)
    assert np.array_equal(expected.frames, got.frames)
    assert np.array_equal(expected.audio.samples, got.audio.samples)


def test_after_running_out_of_memory_the_streamed_encoder_goes_back_before_the_retry(
    folders: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from diffusers import LTX2Pipeline

    backend = DiffusersBackend(str(folders["ltx2"]), device="cpu", options=TINY)
    gpu_memory.stream_text_encoder(backend.load(), "cpu")
    events: list[str] = []
    real_call, real_return = LTX2Pipeline.__call__, gpu_memory.return_text_encoder

    def call(pipe: Any, **kwargs: Any) -> Any:
        events.append(f"render {kwargs['num_frames']} frames")
        if len(events) == 1:
            raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return real_call(pipe, **kwargs)

    def send_back(pipe: Any) -> None:
        events.append("encoder sent back")
        real_return(pipe)

    monkeypatch.setattr(LTX2Pipeline, "__call__", call)
    monkeypatch.setattr(gpu_memory, "return_text_encoder", send_back)
    result = _render(backend)
    assert events == ["render 17 frames", "encoder sent back", "render 9 frames"]
    assert any("ran out of memory" in note for note in result.notes)
    assert abs(result.audio.duration_s - 4.0) <= 1 / 24
