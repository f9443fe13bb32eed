"""Where a loaded pipeline's parts live on a GPU worker, so that a big model fits its card.

LTX-2's text encoder is Gemma 3 12B (about 24 GB in bf16) beside a 19B transformer (about 38 GB).
It runs twice per job (prompt and negative prompt) and then sits idle for the whole denoising
loop, so keeping it on the GPU costs a third of the card for nothing. Instead it stays in system
memory and diffusers' group offloading streams it to the GPU one layer at a time while it encodes
(prefetching the next layer on a CUDA stream); once the prompt is encoded nothing of it is left on
the GPU. Everything else stays resident, so the warm worker still skips loading between jobs.

``SORA_LOW_VRAM=1`` goes further for every family: diffusers' model CPU offload moves each part to
the GPU only while it runs (see ``DiffusersBackend._prepare``).

Only worker code paths import this module: it imports torch.
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING

import torch
from diffusers.hooks import apply_group_offloading

if TYPE_CHECKING:
    from diffusers import DiffusionPipeline

log = logging.getLogger(__name__)

GROUP_OFFLOADING_HOOK = "group_offloading"  # the name diffusers registers its hook under


def stream_text_encoder(pipe: DiffusionPipeline, device: str) -> None:
    """Put every part of ``pipe`` on ``device`` except its text encoder, which stays in system
    memory and is streamed to ``device`` layer by layer while it runs.

    Leaf-level group offloading works on any torch module (Gemma 3 here), unlike block-level,
    which needs the model to name its blocks. A CUDA stream overlaps each layer's copy with the
    previous layer's work; the CPU has no streams, and there the copies are plain moves.
    """
    encoder = pipe.text_encoder
    for component in pipe.components.values():
        if isinstance(component, torch.nn.Module) and component is not encoder:
            component.to(device)
    on_cuda = torch.device(device).type == "cuda"
    apply_group_offloading(
        encoder,
        onload_device=torch.device(device),
        offload_device=torch.device("cpu"),
        offload_type="leaf_level",
        use_stream=on_cuda,
    )
    log.info("The text encoder stays in system memory and streams to %s while it runs.", device)


def text_encoder_streams(pipe: DiffusionPipeline) -> bool:
    """Whether ``stream_text_encoder`` was applied to ``pipe``'s text encoder."""
    encoder = getattr(pipe, "text_encoder", None)
    return encoder is not None and any(_hook(m) is not None for m in encoder.modules())


def return_text_encoder(pipe: DiffusionPipeline) -> None:
    """Send every streamed layer of the text encoder back to system memory.

    A render stopped inside the encoder (out of memory, a job timeout) never reaches the hooks
    that would have sent its current layers back, and they would hold GPU memory until the next
    job's encoder passed over them.
    """
    encoder = getattr(pipe, "text_encoder", None)
    if encoder is None:
        return
    for module in encoder.modules():
        hook = _hook(module)
        if hook is not None:
            with contextlib.suppress(Exception):
                hook.group.offload_()


def decode_in_chunks(pipe: DiffusionPipeline) -> bool:
    """Have the video VAE decode a few latent frames at a time, if it can.

    diffusers' LTX VAEs have this lower-memory path (``use_framewise_decoding``): a 20 s LTX-2
    clip otherwise decodes all 481 frames in one pass. Returns whether the VAE has it.
    """
    vae = getattr(pipe, "vae", None)
    if vae is None or not hasattr(vae, "use_framewise_decoding"):
        return False
    vae.use_framewise_decoding = True
    return True


def _hook(module: torch.nn.Module) -> object | None:
    registry = getattr(module, "_diffusers_hook", None)
    return registry.get_hook(GROUP_OFFLOADING_HOOK) if registry is not None else None
