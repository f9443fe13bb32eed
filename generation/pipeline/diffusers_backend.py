"""Generative video from a local diffusers model folder: Wan 2.1/2.2, LTX-Video, LTX-2 or CogVideoX.

The folder is checked when the backend is made (so a worker with a bad SORA_VIDEO_MODEL stops at
start-up with a sentence) and loaded once, on first use; the worker keeps this instance, so later
jobs reuse the loaded pipeline. Only worker code paths import this module: it imports torch.

A model renders at its own resolution, frame rate and frame count (each family has rules, such as
Wan's 4k+1 frames). The frames are then resized to exactly ``request.size`` and retimed to
``request.fps`` for ``request.duration_s``, so the rest of the app sees what it asked for.

LTX-2 makes sound with the picture. It is told the frame rate that spreads its frames over the
whole clip, so its sound lasts as long as the clip; the sound comes back as the model made it (its
vocoder's rate and channels) and the mixer conforms and levels it with every other soundtrack.
Every other family makes no sound and leaves ``VideoResult.audio`` unset.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import gc
import hashlib
import inspect
import json
import logging
import math
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import diffusers
import numpy as np
import torch
from diffusers import DiffusionPipeline
from diffusers.utils import logging as diffusers_logging
from django.conf import settings
from PIL import Image
from transformers.utils import logging as transformers_logging

from generation.pipeline import gpu_memory
from generation.pipeline.base import (
    AudioTrack,
    CancelCheck,
    ProgressCallback,
    RenderCancelled,
    VideoRequest,
    VideoResult,
)
from generation.pipeline.builtin import BuiltinBackend
from generation.pipeline.builtin_plate import picture_rgb
from generation.pipeline.families import (  # noqa: F401 - named here for the callers of this module
    FAMILIES,
    LTX_FAMILIES,
    SUPPORTED_PIPELINES,
    Family,
    RenderOptions,
    read_model_index,
)

log = logging.getLogger(__name__)

# Bytes read from each end of a weight file's data for the model hash: enough to tell two
# fine-tunes apart, little enough that hashing a 30 GB folder takes milliseconds.
HASH_SAMPLE_BYTES = 64 * 1024
HASH_WHOLE_FILE_BYTES = 1024 * 1024
SAFETENSORS_MAX_HEADER = 100_000_000  # the format's own limit; a bigger claim is corruption
# Denoising is most of the work; the rest of the bar is decoding and resizing.
DENOISE_SHARE = 0.85
OOM_SIDE_SCALE = 0.75


@dataclass(frozen=True)
class _Shape:
    """What the model itself renders: its size and frame count."""

    width: int
    height: int
    frames: int


@dataclass
class _Rendered:
    """What one pipeline call made: uint8 frames, and (samples, channels) audio or None."""

    frames: np.ndarray
    audio: np.ndarray | None


@dataclass
class _Job:
    """One call of ``generate``: the pipeline it runs and what it reports to."""

    pipe: DiffusionPipeline
    request: VideoRequest
    opts: RenderOptions
    image: Any  # conditioning image (HxWx3 uint8) for image-to-video, else None
    progress: _Progress
    should_cancel: CancelCheck

    @property
    def seconds(self) -> float:
        return self.opts.seconds or self.request.duration_s

    @property
    def output_frames(self) -> int:
        return max(1, round(self.request.fps * self.seconds))


class _StopRender(Exception):  # noqa: N818 - a signal from the step callback, not an error
    """Raised inside the pipeline's step callback to stop at once when the job is cancelled."""


def _model_files(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        # Hidden folders (.cache from a hub download) and READMEs don't change the output.
        if path.is_file() and not any(p.startswith(".") for p in rel.parts) and rel.suffix != ".md":
            yield path


def _safetensors_header(path: Path, rel: str, folder: Path) -> bytes:
    """Return a safetensors file's header, raising a sentence when the file is corrupt."""
    size = path.stat().st_size

    def corrupt(why: str) -> ValueError:
        return ValueError(
            f"The weight file {rel} in {folder} is corrupt or incomplete ({why}). Copy or "
            "download the model again."
        )

    with path.open("rb") as fh:
        head = fh.read(8)
        length = int.from_bytes(head, "little") if len(head) == 8 else -1
        if not 0 < length <= min(size - 8, SAFETENSORS_MAX_HEADER):
            raise corrupt("its header is unreadable")
        header = fh.read(length)
    try:
        tensors = json.loads(header)
        ends = [t["data_offsets"][1] for k, t in tensors.items() if k != "__metadata__"]
    except (ValueError, KeyError, TypeError, IndexError, AttributeError):
        raise corrupt("its header is unreadable") from None
    if 8 + length + max(ends, default=0) != size:
        raise corrupt("its size does not match its header, as after a cut-off download")
    return header


def _file_fingerprint(path: Path, rel: str, folder: Path) -> bytes:
    size = path.stat().st_size
    parts = [rel.encode(), str(size).encode()]
    start = 0
    if path.suffix == ".safetensors":
        header = _safetensors_header(path, rel, folder)
        parts.append(header)
        start = 8 + len(header)
    if size <= HASH_WHOLE_FILE_BYTES:
        parts.append(path.read_bytes())
        return b"\0".join(parts)
    with path.open("rb") as fh:
        fh.seek(start)
        parts.append(fh.read(HASH_SAMPLE_BYTES))
        fh.seek(max(start, size - HASH_SAMPLE_BYTES))
        parts.append(fh.read(HASH_SAMPLE_BYTES))
    return b"\0".join(parts)


def model_hash(folder: Path) -> str:
    """A fast fingerprint of a model folder: its configs, weight headers and weight samples.

    Whole small files are hashed; large weight files contribute their safetensors header (names,
    shapes, dtypes, offsets) plus the first and last 64 KiB of their data, so a 30 GB model hashes
    in milliseconds. Corrupt or cut-off safetensors files raise ``ValueError`` here, before loading.
    """
    digest = hashlib.sha256()
    for path in _model_files(folder):
        rel = path.relative_to(folder).as_posix()
        digest.update(hashlib.sha256(_file_fingerprint(path, rel, folder)).digest())
    return f"sha256:{digest.hexdigest()}"


# --- Devices and memory ---------------------------------------------------------------------------


def resolve_device(setting: str) -> str:
    """Turn SORA_DEVICE ("auto", "cpu", "cuda:0", "mps") into a device torch can use."""
    setting = (setting or "auto").strip()
    if setting == "auto":
        if torch.cuda.is_available():
            return "cuda"
        mps = getattr(torch.backends, "mps", None)
        return "mps" if mps is not None and mps.is_available() else "cpu"
    try:
        device = torch.device(setting)
    except (RuntimeError, ValueError):
        raise ValueError(
            f"SORA_DEVICE={setting!r} is not a device torch knows; use auto, cpu, cuda, cuda:0 "
            "or mps."
        ) from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"SORA_DEVICE asks for {setting}, but torch sees no CUDA GPU on this machine. Set "
            "SORA_DEVICE=auto or cpu, or install a CUDA build of torch."
        )
    if device.type == "cuda" and (device.index or 0) >= torch.cuda.device_count():
        raise ValueError(
            f"SORA_DEVICE asks for {setting}, but this machine has only "
            f"{torch.cuda.device_count()} CUDA GPU(s), numbered from 0."
        )
    return setting


def _dtype_for(device: str) -> torch.dtype:
    # bf16 halves memory on GPUs and keeps fp32's range; CPUs and MPS are safer (and often
    # faster) in fp32.
    return torch.bfloat16 if device.startswith("cuda") else torch.float32


def _oom_errors() -> tuple[type[BaseException], ...]:
    # Both names exist on CPU builds too; getattr keeps older torch working.
    found = {
        getattr(torch, "OutOfMemoryError", None),
        getattr(torch.cuda, "OutOfMemoryError", None),
    }
    return tuple(err for err in found if err is not None)


_OOM_ERRORS = _oom_errors()


def free_memory() -> None:
    """Give memory from finished renders back: Python objects, the GPU cache and the C heap."""
    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
    mps = getattr(torch, "mps", None)
    if mps is not None and torch.backends.mps.is_available():
        mps.empty_cache()
    # glibc keeps freed frame buffers in its heap; without this a worker's RSS crept up by about
    # half a MiB per job in bench_worker.
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


@functools.cache
def _libc() -> Any:
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc (macOS, musl): nothing to trim
        return None
    return libc if hasattr(libc, "malloc_trim") else None


# --- Sizes and frame counts -----------------------------------------------------------------------


def _patch_size(pipe: DiffusionPipeline) -> int:
    transformer = getattr(pipe, "transformer", None) or getattr(pipe, "transformer_2", None)
    patch = getattr(getattr(transformer, "config", None), "patch_size", 1) or 1
    return int(patch[-1]) if isinstance(patch, list | tuple) else int(patch)


def spatial_multiple(pipe: DiffusionPipeline, family: Family) -> int:
    """Height and width must be multiples of this: the VAE's downscale times the patch size."""
    vae_scale = getattr(pipe, "vae_scale_factor_spatial", None) or getattr(
        pipe, "vae_spatial_compression_ratio", 8
    )
    multiple = int(vae_scale) * _patch_size(pipe)
    # LTX's and LTX-2's check_inputs ask for multiples of 32 whatever their VAE does.
    return math.lcm(multiple, 32) if family.name in LTX_FAMILIES else multiple


def temporal_factor(pipe: DiffusionPipeline) -> int:
    """Frame counts must be this times k, plus 1 (Wan and CogVideoX 4k+1, LTX 8k+1)."""
    for attr in ("vae_scale_factor_temporal", "vae_temporal_compression_ratio"):
        value = getattr(pipe, attr, None)
        if value:
            return int(value)
    return 4


def render_size(size: tuple[int, int], max_side: int, multiple: int) -> tuple[int, int]:
    """The model-friendly (width, height) nearest ``size`` with its long side at most
    ``max_side``. The aspect stays within one ``multiple`` of the asked one."""
    width, height = size
    scale = min(1.0, max_side / max(width, height))

    def snap(side: int) -> int:
        return max(multiple, round(side * scale / multiple) * multiple)

    return snap(width), snap(height)


def frame_count(seconds: float, fps: int, factor: int, max_frames: int) -> int:
    """The k*factor+1 frame count nearest ``seconds`` at ``fps``, at most ``max_frames``."""
    wanted = max(1, round((seconds * fps - 1) / factor))
    most = max(1, (max_frames - 1) // factor)
    return min(wanted, most) * factor + 1


# --- Frames ---------------------------------------------------------------------------------------


def to_uint8(video: Any) -> np.ndarray:
    """Pipeline output (1, T, H, W, 3) floats in [0, 1] to uint8 (T, H, W, 3)."""
    frames = np.asarray(video[0] if np.ndim(video) == 5 else video, dtype=np.float32)
    out = np.empty(frames.shape, dtype=np.uint8)
    np.multiply(np.clip(frames, 0.0, 1.0, out=frames), 255.0, out=frames)
    np.rint(frames, out=frames)
    out[...] = frames
    return out


def audio_samples(audio: Any) -> np.ndarray | None:
    """A pipeline's audio output, (1, channels, samples) or (channels, samples), as float32
    (samples, channels); None when the pipeline made no sound.

    Nothing is resampled or levelled here: the mixer does that for every soundtrack. Only a
    vocoder that overshoots full scale is turned down to it (AudioTrack holds [-1, 1]), and
    values that are not numbers become silence rather than breaking the loudness meter.
    """
    if audio is None:
        return None
    if isinstance(audio, torch.Tensor):
        audio = audio.detach().to(device="cpu", dtype=torch.float32).numpy()
    samples = np.asarray(audio, dtype=np.float32)
    if samples.ndim == 3:
        samples = samples[0]
    if samples.ndim == 1:
        samples = samples[None, :]
    samples = np.ascontiguousarray(np.nan_to_num(samples.T, nan=0.0, posinf=0.0, neginf=0.0))
    peak = float(np.max(np.abs(samples), initial=0.0))
    if peak > 1.0:
        samples /= peak
    return samples


def _cover_box(src: tuple[int, int], dst: tuple[int, int]) -> tuple[float, float, float, float]:
    """The centred part of a ``src`` (w, h) frame with ``dst``'s aspect, as a PIL box."""
    (sw, sh), (dw, dh) = src, dst
    if sw * dh > dw * sh:  # source is wider: trim the sides
        cw = sh * dw / dh
        return ((sw - cw) / 2, 0.0, (sw + cw) / 2, float(sh))
    ch = sw * dh / dw
    return (0.0, (sh - ch) / 2, float(sw), (sh + ch) / 2)


def resize_frames(frames: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Scale (T, h, w, 3) uint8 frames to cover ``size`` (width, height), cropping the centre.

    Cropping instead of stretching keeps faces and circles round when the model's size differs
    a little from the asked aspect.
    """
    count, height, width = frames.shape[:3]
    if (width, height) == size:
        return frames
    box = _cover_box((width, height), size)
    out = np.empty((count, size[1], size[0], 3), dtype=np.uint8)
    for i in range(count):
        image = Image.fromarray(frames[i])
        out[i] = np.asarray(image.resize(size, Image.Resampling.BICUBIC, box=box))
    return out


def retime_frames(frames: np.ndarray, count: int) -> np.ndarray:
    """Spread ``frames`` evenly over ``count`` frames, blending neighbours at in-between times.

    The model renders at its own rate (Wan 16 fps, CogVideoX 8 fps) and at most a few seconds;
    the app plays everything at the request's rate. A cross-fade between the two nearest frames
    is smoother than repeating frames, and costs far less than a second model pass. Blending in
    integers (weights in 256ths) is ten times faster than in floats.
    """
    source = len(frames)
    if source == count:
        return frames
    out = np.empty((count, *frames.shape[1:]), dtype=np.uint8)
    low_part = np.empty(frames.shape[1:], dtype=np.uint16)
    high_part = np.empty(frames.shape[1:], dtype=np.uint16)
    for j in range(count):
        pos = j * (source - 1) / max(1, count - 1)
        low = min(int(pos), source - 1)
        weight = round((pos - low) * 256)
        if weight == 0 or low == source - 1:
            out[j] = frames[low]
            continue
        if weight == 256:
            out[j] = frames[low + 1]
            continue
        np.multiply(frames[low], 256 - weight, out=low_part, dtype=np.uint16)
        np.multiply(frames[low + 1], weight, out=high_part, dtype=np.uint16)
        low_part += high_part
        low_part += 128
        low_part >>= 8
        out[j] = low_part
    return out


def fit_image(image: np.ndarray, size: tuple[int, int]) -> Image.Image:
    """A cameo image cropped to the render's aspect and scaled to its size, as RGB PIL."""
    array = np.asarray(image)
    if array.ndim == 2:
        array = np.stack([array] * 3, axis=-1)
    picture = Image.fromarray(array[..., :3].astype(np.uint8)).convert("RGB")
    box = _cover_box(picture.size, size)
    return picture.resize(size, Image.Resampling.BICUBIC, box=box)


class _Progress:
    """Passes progress on, never backwards (an out-of-memory retry starts its steps again)."""

    def __init__(self, report: ProgressCallback) -> None:
        self.report = report
        self.last = 0.0

    def __call__(self, fraction: float, stage: str) -> None:
        self.last = max(self.last, min(1.0, fraction))
        self.report(self.last, stage)


# --- The backend ----------------------------------------------------------------------------------


class DiffusersBackend:
    """Renders with a local diffusers video pipeline, loaded once and kept warm between jobs."""

    name = "diffusers"

    def __init__(
        self,
        model_path: str,
        *,
        device: str = "auto",
        low_vram: bool = False,
        options: RenderOptions | None = None,
    ) -> None:
        self.folder = Path(model_path).expanduser()
        index = read_model_index(self.folder)
        self.pipeline_class: str = index["_class_name"]
        self.family = SUPPORTED_PIPELINES[self.pipeline_class]
        self.model_hash = model_hash(self.folder)
        self.device = resolve_device(device)
        self.dtype = _dtype_for(self.device)
        self.low_vram = low_vram and self.device.startswith("cuda")
        self.options = options or RenderOptions()
        self.pipe: DiffusionPipeline | None = None
        self._siblings: dict[str, DiffusionPipeline] = {}

    # --- loading ---------------------------------------------------------------------------------

    def load(self) -> DiffusionPipeline:
        """Load the pipeline if it isn't yet; later calls return the same object."""
        if self.pipe is None:
            self.pipe = self._load_pipeline()
            # The model and the libraries stay for the worker's life. Freezing them keeps each
            # job's gc.collect() from walking half a million long-lived objects (0.2 s a job).
            gc.collect()
            gc.freeze()
        return self.pipe

    def _load_pipeline(self) -> DiffusionPipeline:
        quiet_progress_bars()
        try:
            pipe = DiffusionPipeline.from_pretrained(
                self.folder, local_files_only=True, dtype=self.dtype
            )
        except Exception as exc:
            # People see this sentence on their failed job, so the folder and the library's
            # words go to the log (and to generation_check), not to them.
            log.exception("Loading the video model in %s failed.", self.folder)
            raise ValueError(
                "The video model could not be loaded, so no video can be made right now. The "
                "operator can run `manage.py generation_check` to see why."
            ) from exc
        if not self._try_prepare(pipe):
            del pipe
            free_memory()
            raise ValueError(
                "The video model does not fit in the GPU's memory. The operator can set "
                "SORA_LOW_VRAM=1 to keep the parts not in use in system memory, or use a smaller "
                "model."
            )
        return pipe

    def _try_prepare(self, pipe: DiffusionPipeline) -> bool:
        try:
            self._prepare(pipe)
        except _OOM_ERRORS:
            log.warning("The video model does not fit on %s.", self.device)
            return False
        return True

    def _prepare(self, pipe: DiffusionPipeline) -> None:
        for component in pipe.components.values():
            if isinstance(component, torch.nn.Module):
                component.eval()
        pipe.set_progress_bar_config(disable=True)
        vae = getattr(pipe, "vae", None)
        if self.family.name == "wan" and vae is not None and self.dtype != torch.float32:
            # Wan's card keeps its VAE in fp32: bf16 decoding bands and flickers.
            vae.to(torch.float32)
        if vae is not None and hasattr(vae, "enable_tiling"):
            vae.enable_tiling()
        if self.family.low_memory:
            gpu_memory.decode_in_chunks(pipe)
        if self.low_vram:
            pipe.enable_model_cpu_offload(device=self.device)
        elif self.family.low_memory and self.device.startswith("cuda"):
            gpu_memory.stream_text_encoder(pipe, self.device)
        else:
            pipe.to(self.device)

    def _sibling(self, class_name: str) -> DiffusionPipeline:
        """The loaded weights driven by another pipeline class (LTX's T2V and I2V share them)."""
        pipe = self.load()
        if class_name == type(pipe).__name__:
            return pipe
        if class_name not in self._siblings:
            self._siblings[class_name] = _share_components(class_name, pipe)
        return self._siblings[class_name]

    # --- choosing a mode -------------------------------------------------------------------------

    def _can_image_to_video(self, pipe: DiffusionPipeline) -> bool:
        if type(pipe).__name__ == self.family.i2v:
            return True
        # LTX's and LTX-2's weights do both; Wan 2.2 TI2V (expand_timesteps) too; Wan 2.1 T2V
        # and CogVideoX T2V transformers have no image input channels.
        if self.family.name in LTX_FAMILIES:
            return True
        return self.family.name == "wan" and bool(getattr(pipe.config, "expand_timesteps", False))

    def _can_text_to_video(self, pipe: DiffusionPipeline) -> bool:
        return type(pipe).__name__ == self.family.t2v or self.family.name in LTX_FAMILIES

    def _choose(self, request: VideoRequest, notes: list[str]) -> tuple[str, Any]:
        """Pick the pipeline class and the conditioning image (or None) for this request."""
        pipe = self.load()
        if request.first_frame is not None:  # the person's own picture starts the video
            if self._can_image_to_video(pipe):
                return self.family.i2v, picture_rgb(request.first_frame)
            notes.append("This model has no image-to-video mode, so your picture was not used.")
        if request.cameos:
            cameo = request.cameos[0]
            if self._can_image_to_video(pipe):
                return self.family.i2v, cameo.image
            notes.append(
                "This model has no image-to-video mode, so the cameo was described in text only."
            )
            return self.family.t2v, None
        if self._can_text_to_video(pipe):
            return self.family.t2v, None
        return self.family.i2v, self._first_frame(request, notes)

    def _first_frame(self, request: VideoRequest, notes: list[str]) -> np.ndarray:
        """An image-to-video-only model needs a picture to animate; the built-in renderer paints
        one from the prompt, or a plain grey frame stands in when it is unavailable."""
        try:
            clip = BuiltinBackend().generate(
                request, on_progress=lambda *_: None, should_cancel=lambda: False
            )
            notes.append(
                "This model only animates a still picture, so the built-in renderer drew the "
                "first frame from your prompt."
            )
            return clip.frames[0].copy()
        except Exception:  # any failure here only costs the nicer first frame
            log.warning("The built-in renderer could not draw a first frame.", exc_info=True)
            notes.append(
                "This model only animates a still picture, so it started from a plain grey frame."
            )
            width, height = request.size
            return np.full((height, width, 3), 128, dtype=np.uint8)

    # --- rendering -------------------------------------------------------------------------------

    def generate(
        self,
        request: VideoRequest,
        *,
        on_progress: ProgressCallback,
        should_cancel: CancelCheck,
        options: RenderOptions | None = None,
    ) -> VideoResult:
        """Render ``request``; ``options`` override this backend's defaults for this call only."""
        request.check_inputs()
        progress = _Progress(on_progress)
        if self.pipe is None:
            progress(0.0, "Loading the video model")
            self.load()
        notes: list[str] = []
        class_name, image = self._choose(request, notes)
        job = _Job(
            pipe=self._sibling(class_name),
            request=request,
            opts=self.options.merged(options),
            image=image,
            progress=progress,
            should_cancel=should_cancel,
        )
        try:
            rendered, shape = self._render_with_retry(job, self._shape(job), notes)
        finally:
            free_memory()
        width, height = request.size
        progress(DENOISE_SHARE + 0.1, f"Resizing frames to {width}x{height}")
        frames = retime_frames(resize_frames(rendered.frames, request.size), job.output_frames)
        progress(1.0, "Done")
        return VideoResult(
            frames=frames,
            fps=request.fps,
            backend=self.name,
            model_hash=self.model_hash,
            plan=self._plan(job, shape),
            notes=notes + self._stretch_note(job, shape),
            audio=self._audio_track(job, rendered.audio),
        )

    def _shape(self, job: _Job) -> _Shape:
        multiple = spatial_multiple(job.pipe, self.family)
        width, height = render_size(
            job.request.size, job.opts.max_side or self.family.max_side, multiple
        )
        max_frames = min(
            job.opts.max_frames or self._max_frames(job.pipe), self._max_frames(job.pipe)
        )
        factor = temporal_factor(job.pipe)
        frames = frame_count(job.seconds, self._fps(job.pipe), factor, max_frames)
        return _Shape(width, height, frames)

    def _frame_rate(self, job: _Job, shape: _Shape) -> float:
        """The frame rate the model is told it renders at.

        A model with sound makes as many seconds of it as its frames last at this rate, so it is
        told the rate that spreads its frames over the whole clip: the sound then lasts the clip
        even when a cap on frames (or an out-of-memory retry) leaves it fewer frames. A silent
        model keeps its trained rate and is slowed down instead (see ``_stretch_note``).
        """
        if self.family.makes_sound:
            return shape.frames / job.seconds
        return self._fps(job.pipe)

    def _fps(self, pipe: DiffusionPipeline) -> int:
        # CogVideoX 1.5 (temporal patches) was trained at 16 fps, 1.0 at 8.
        if self.family.name == "cogvideox" and pipe.transformer.config.patch_size_t:
            return 16
        return self.family.fps

    def _max_frames(self, pipe: DiffusionPipeline) -> int:
        if self.family.name == "cogvideox":
            # CogVideoX's positional embeddings are sized for exactly its training length.
            return int(getattr(pipe.transformer.config, "sample_frames", self.family.max_frames))
        return self.family.max_frames

    def _render_with_retry(
        self, job: _Job, shape: _Shape, notes: list[str]
    ) -> tuple[_Rendered, _Shape]:
        """Render; when the GPU runs out of memory, try once more smaller, then give up."""
        rendered = self._try_render(job, shape)
        if rendered is not None:
            return rendered, shape
        smaller = self._smaller(job.pipe, shape)
        log.warning("Out of memory at %s; retrying at %s.", shape, smaller)
        rendered = self._try_render(job, smaller)
        if rendered is None:
            raise ValueError(
                "The GPU ran out of memory rendering this video, even at a lower resolution. Try "
                "a shorter clip; if this keeps happening, the operator can set SORA_LOW_VRAM=1 or "
                "use a smaller model."
            )
        notes.append(
            "The GPU ran out of memory, so this video was rendered at a lower resolution "
            f"({smaller.width}x{smaller.height}, {smaller.frames} frames) and scaled up."
        )
        return rendered, smaller

    def _try_render(self, job: _Job, shape: _Shape) -> _Rendered | None:
        """The render, or None when the GPU ran out of memory (after freeing what it held)."""
        try:
            return self._render(job, shape)
        except _OOM_ERRORS:
            log.warning("The GPU ran out of memory rendering %s.", shape)
        # Only now, outside the except block, is the traceback holding the failed run's tensors
        # gone, so only now can their memory be given back.
        free_memory()
        return None

    def _smaller(self, pipe: DiffusionPipeline, shape: _Shape) -> _Shape:
        multiple = spatial_multiple(pipe, self.family)
        factor = temporal_factor(pipe)

        def side(value: int) -> int:
            return max(multiple, int(value * OOM_SIDE_SCALE) // multiple * multiple)

        frames = max(1, (shape.frames - 1) // factor // 2) * factor + 1
        return _Shape(side(shape.width), side(shape.height), frames)

    def _render(self, job: _Job, shape: _Shape) -> _Rendered:
        if job.should_cancel():
            raise RenderCancelled("The render was cancelled.")
        kwargs = self._call_kwargs(job, shape)
        try:
            output = job.pipe(**kwargs)
        except _StopRender:
            self._reset_offload(job.pipe)
            raise RenderCancelled("The render was cancelled.") from None
        except BaseException:  # out of memory, a job timeout, a lost claim: all stop part-way
            self._reset_offload(job.pipe)
            raise
        frames = to_uint8(output.frames)
        audio = audio_samples(getattr(output, "audio", None))
        del output
        if job.should_cancel():
            raise RenderCancelled("The render was cancelled.")
        return _Rendered(frames, audio)

    def _step_callback(self, job: _Job) -> Callable[..., dict[str, Any]]:
        steps = self._steps(job)

        def on_step_end(
            pipe: DiffusionPipeline, step: int, timestep: Any, tensors: dict[str, Any]
        ) -> dict[str, Any]:
            done = step + 1
            stage = f"Denoising step {done}/{steps}" if done < steps else "Decoding the video"
            job.progress(DENOISE_SHARE * done / steps, stage)
            if done < steps and job.should_cancel():
                # diffusers' interrupt flag alone only skips the remaining steps: the pipeline
                # still decodes the half-made latents, seconds of GPU time on a real model for a
                # video nobody wants. Raising stops at once; _render turns it into
                # RenderCancelled.
                pipe._interrupt = True
                raise _StopRender
            return {}

        return on_step_end

    def _steps(self, job: _Job) -> int:
        return job.opts.steps or self.family.steps

    def _guidance(self, job: _Job) -> float:
        return self.family.guidance if job.opts.guidance is None else job.opts.guidance

    def _call_kwargs(self, job: _Job, shape: _Shape) -> dict[str, Any]:
        # Offloaded models start on the CPU, so the noise is drawn there; either way the seed
        # alone decides it.
        generator_device = "cpu" if self.low_vram else self.device
        kwargs: dict[str, Any] = {
            "prompt": job.request.prompt,
            "negative_prompt": self.family.negative_prompt,
            "height": shape.height,
            "width": shape.width,
            "num_frames": shape.frames,
            "num_inference_steps": self._steps(job),
            "guidance_scale": self._guidance(job),
            "generator": torch.Generator(generator_device).manual_seed(job.request.seed),
            "output_type": "np",
            "callback_on_step_end": self._step_callback(job),
        }
        if job.image is not None:
            kwargs["image"] = fit_image(job.image, (shape.width, shape.height))
        kwargs.update(self._family_kwargs(job, shape))
        return kwargs

    def _family_kwargs(self, job: _Job, shape: _Shape) -> dict[str, Any]:
        pipe = job.pipe
        if self.family.name in LTX_FAMILIES:
            extra: dict[str, Any] = {"frame_rate": self._frame_rate(job, shape)}
            if getattr(pipe.vae.config, "timestep_conditioning", False):
                # LTX 0.9.1+ decodes with a little noise; the model card's values.
                extra.update(decode_timestep=0.05, decode_noise_scale=0.025)
            if self.family.max_text_tokens:
                # LTX-2 pads every prompt to this length; a tokenizer made for fewer tokens
                # (a small test model) sets the limit instead.
                limit = (
                    getattr(pipe.tokenizer, "model_max_length", None) or self.family.max_text_tokens
                )
                extra["max_sequence_length"] = min(self.family.max_text_tokens, int(limit))
            return extra
        if self.family.name == "cogvideox":
            # Its prompt length must equal what the transformer was built for.
            return {"max_sequence_length": int(pipe.transformer.config.max_text_seq_length)}
        return {}

    def _reset_offload(self, pipe: DiffusionPipeline) -> None:
        # A run stopped part-way leaves offloaded models on the GPU; put them back.
        if self.low_vram:
            with contextlib.suppress(Exception):
                pipe.maybe_free_model_hooks()
        elif gpu_memory.text_encoder_streams(pipe):
            gpu_memory.return_text_encoder(pipe)

    # --- what the job records --------------------------------------------------------------------

    def _plan(self, job: _Job, shape: _Shape) -> dict[str, Any]:
        request, image_to_video = job.request, job.image is not None
        # _choose's order: the person's picture, then the first cameo, then a drawn first frame.
        starts_from = None
        if image_to_video:
            starts_from = (
                "picture"
                if request.first_frame is not None
                else "cameo"
                if request.cameos
                else "drawn frame"
            )
        return {
            "pipeline": type(job.pipe).__name__,
            "model_pipeline": self.pipeline_class,
            "family": self.family.name,
            "mode": "image-to-video" if image_to_video else "text-to-video",
            "starts_from": starts_from,
            "cameo": request.cameos[0].name if starts_from == "cameo" else None,
            "device": self.device,
            "dtype": str(self.dtype).removeprefix("torch."),
            "low_vram": self.low_vram,
            "steps": self._steps(job),
            "guidance": self._guidance(job),
            "rendered_size": [shape.width, shape.height],
            "rendered_frames": shape.frames,
            "model_fps": round(self._frame_rate(job, shape), 3),
            "output_size": list(request.size),
            "output_frames": job.output_frames,
            "fps": request.fps,
            "seconds": job.seconds,
        }

    def _audio_track(self, job: _Job, samples: np.ndarray | None) -> AudioTrack | None:
        """The model's own sound as the job keeps it, or None for a model without sound."""
        if samples is None:
            return None
        rate = int(job.pipe.vocoder.config.output_sampling_rate)
        track = AudioTrack(
            samples=samples,
            sample_rate=rate,
            source=self.name,
            summary="Sound made by LTX-2 with the picture.",
        )
        # As the model made it; the mixer's details (48 kHz stereo, loudness) sit beside these.
        track.details = {
            "model_pipeline": self.pipeline_class,
            "model_sample_rate": rate,
            "model_channels": int(samples.shape[1]),
            "model_seconds": round(track.duration_s, 3),
        }
        return track

    def _stretch_note(self, job: _Job, shape: _Shape) -> list[str]:
        if self.family.makes_sound:
            return self._frame_rate_note(job, shape)
        covered = (shape.frames - 1) / self._fps(job.pipe)
        if covered * 1.5 >= job.seconds:
            return []
        return [
            f"This model renders about {covered:.1f} s of motion at most, so the "
            f"{job.seconds:g} s clip plays it slowed down."
        ]

    def _frame_rate_note(self, job: _Job, shape: _Shape) -> list[str]:
        rate = self._frame_rate(job, shape)
        if rate * 1.5 >= self._fps(job.pipe):
            return []
        return [
            f"This model rendered {shape.frames} frames, so this {job.seconds:g} s clip was made "
            f"from them ({rate:.1f} a second) blended to {job.request.fps} a second."
        ]


def _share_components(class_name: str, pipe: DiffusionPipeline) -> DiffusionPipeline:
    """A pipeline of ``class_name`` built on ``pipe``'s modules, with no copy and no cast.

    diffusers' ``from_pipe`` casts every shared module to one dtype, which would undo the fp32
    modules a bf16 load keeps (and Wan's fp32 VAE) in the original pipeline too.
    """
    cls = getattr(diffusers, class_name)
    params = inspect.signature(cls.__init__).parameters
    kwargs = {name: module for name, module in pipe.components.items() if name in params}
    for key in ("boundary_ratio", "expand_timesteps"):
        if key in params and key in pipe.config:
            kwargs[key] = pipe.config[key]
    sibling = cls(**kwargs)
    sibling.set_progress_bar_config(disable=True)
    return sibling


def quiet_progress_bars() -> None:
    """No tqdm bars from diffusers or transformers: worker logs and command output are read by
    people, and a bar per loaded component is noise there."""
    diffusers_logging.disable_progress_bar()
    transformers_logging.disable_progress_bar()


def low_vram_from_env() -> bool:
    """SORA_LOW_VRAM from the environment, until it becomes a setting."""
    return os.environ.get("SORA_LOW_VRAM", "").strip().lower() in {"1", "true", "yes", "on"}


def backend_from_settings(options: RenderOptions | None = None) -> DiffusersBackend:
    """The backend SORA_VIDEO_MODEL, SORA_DEVICE and SORA_LOW_VRAM describe."""
    low_vram = getattr(settings, "SORA_LOW_VRAM", None)
    configured = RenderOptions(
        steps=settings.SORA_MODEL_STEPS,
        guidance=settings.SORA_MODEL_GUIDANCE,
        max_side=settings.SORA_MODEL_MAX_SIDE,
        max_frames=settings.SORA_MODEL_MAX_FRAMES,
    )
    return DiffusersBackend(
        settings.SORA_VIDEO_MODEL,
        device=settings.SORA_DEVICE,
        low_vram=low_vram_from_env() if low_vram is None else bool(low_vram),
        options=configured.merged(options),
    )
