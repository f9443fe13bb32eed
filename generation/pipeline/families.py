"""The model families the video workers can drive, and the check that a folder is one of them.

Light on purpose: ``manage.py models`` reads a model's ``model_index.json`` through this module
without loading torch or diffusers. ``diffusers_backend`` drives the families named here.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Family:
    """How one model family wants to be driven. Numbers are the model cards' recommendations."""

    name: str
    t2v: str
    i2v: str
    steps: int
    guidance: float
    max_side: int  # longest side rendered; the cards' native sizes are 832x480, 768x512, 720x480
    fps: int  # the frame rate the family was trained at
    max_frames: int
    negative_prompt: str = ""
    makes_sound: bool = False  # the pipeline returns audio beside the frames (LTX-2)
    max_text_tokens: int | None = None  # prompt length to pad to, when the family asks for one
    # On CUDA, the text encoder stays in system memory and streams in while it encodes, and the
    # VAE decodes a few frames at a time (see gpu_memory): LTX-2's Gemma 3 12B is 24 GB.
    low_memory: bool = False


FAMILIES: tuple[Family, ...] = (
    Family(
        "wan", "WanPipeline", "WanImageToVideoPipeline", steps=30, guidance=5.0, max_side=832,
        fps=16, max_frames=81,
        negative_prompt="blurry, low quality, static, distorted, deformed, watermark, subtitles",
    ),
    Family(
        "ltx", "LTXPipeline", "LTXImageToVideoPipeline", steps=40, guidance=3.0, max_side=768,
        fps=24, max_frames=161,
        negative_prompt="worst quality, inconsistent motion, blurry, jittery, distorted",
    ),
    Family(
        # LTX-2 makes up to 20 s at 24 fps (the pipeline's own max_seconds), with sound.
        "ltx2", "LTX2Pipeline", "LTX2ImageToVideoPipeline", steps=30, guidance=3.0, max_side=768,
        fps=24, max_frames=481,
        negative_prompt="worst quality, inconsistent motion, blurry, jittery, distorted",
        makes_sound=True, max_text_tokens=1024, low_memory=True,
    ),
    Family(
        "cogvideox", "CogVideoXPipeline", "CogVideoXImageToVideoPipeline", steps=50,
        guidance=6.0, max_side=720, fps=8, max_frames=49,
    ),
)  # fmt: skip
SUPPORTED_PIPELINES: dict[str, Family] = {
    cls: family for family in FAMILIES for cls in (family.t2v, family.i2v)
}
# Families whose one set of weights does both text-to-video and image-to-video.
LTX_FAMILIES = frozenset({"ltx", "ltx2"})


@dataclass(frozen=True)
class RenderOptions:
    """Overrides of the family defaults. ``None`` keeps the default.

    ``seconds`` renders only that much of the clip (``generation_check`` renders 1 s of a 4 s
    request); ``max_side`` and ``max_frames`` cap the model's own resolution and frame count, which
    keeps tests and benchmarks small without changing the size of the frames returned.
    """

    steps: int | None = None
    guidance: float | None = None
    max_side: int | None = None
    max_frames: int | None = None
    seconds: float | None = None

    def merged(self, other: RenderOptions | None) -> RenderOptions:
        if other is None:
            return self
        changes = {k: v for k, v in asdict(other).items() if v is not None}
        return replace(self, **changes)


# --- Checking the folder --------------------------------------------------------------------------


def read_model_index(folder: Path) -> dict[str, Any]:
    """Check that ``folder`` is a diffusers model of a supported class; return model_index.json."""
    if not folder.is_dir():
        raise ValueError(
            f"The video model folder {folder} does not exist. Check SORA_VIDEO_MODEL, or unset it "
            "to use the built-in renderer."
        )
    index_path = folder / "model_index.json"
    if not index_path.is_file():
        raise ValueError(
            f"The folder {folder} is not a diffusers model: it has no model_index.json. Point "
            "SORA_VIDEO_MODEL at a folder saved by diffusers, such as a Wan, LTX-Video, LTX-2 or "
            "CogVideoX '-Diffusers' download."
        )
    try:
        index = json.loads(index_path.read_text(encoding="utf-8"))
        class_name = index["_class_name"]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        raise ValueError(
            f"The model_index.json in {folder} cannot be read, so this is not a usable diffusers "
            "model. Copy or download the model again."
        ) from None
    if class_name not in SUPPORTED_PIPELINES:
        raise ValueError(
            f"The model in {folder} is a {class_name}, which this app cannot use for video. "
            f"Supported pipelines: {', '.join(sorted(SUPPORTED_PIPELINES))}."
        )
    return index
