"""Tiny random-weights video pipelines of the real diffusers classes, built in code.

Tests, ``generation_check`` and ``bench_worker`` save one of these with ``save_pretrained`` and
load it back through ``DiffusersBackend``, the same path a real Wan, LTX-Video, LTX-2 or CogVideoX
folder takes. The shapes follow diffusers' own ``get_dummy_components``; the tokenizers are built
from vocabulary lists because nothing may be downloaded. With random weights the video (and
LTX-2's sound) is noise, so these models prove plumbing (shapes, progress, cancel, determinism,
caching, audio length), never looks.

Every builder seeds torch first and puts each module in eval mode, so the same kind always gives
the same weights and the same frames.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from diffusers import (
    AutoencoderKLCogVideoX,
    AutoencoderKLLTX2Audio,
    AutoencoderKLLTX2Video,
    AutoencoderKLLTXVideo,
    AutoencoderKLWan,
    CogVideoXPipeline,
    CogVideoXTransformer3DModel,
    DDIMScheduler,
    FlowMatchEulerDiscreteScheduler,
    LTX2Pipeline,
    LTX2VideoTransformer3DModel,
    LTXPipeline,
    LTXVideoTransformer3DModel,
    WanImageToVideoPipeline,
    WanPipeline,
    WanTransformer3DModel,
)
from diffusers.pipelines.ltx2 import LTX2TextConnectors
from diffusers.pipelines.ltx2.vocoder import LTX2Vocoder
from transformers import (
    CLIPVisionConfig,
    CLIPVisionModel,
    Gemma3Config,
    Gemma3ForConditionalGeneration,
    Gemma3TextConfig,
    GemmaTokenizer,
    SiglipVisionConfig,
    T5Config,
    T5EncoderModel,
    T5Tokenizer,
    UMT5Config,
    UMT5EncoderModel,
)
from transformers.models.clip.image_processing_pil_clip import CLIPImageProcessorPil

from generation.pipeline.diffusers_backend import quiet_progress_bars

if TYPE_CHECKING:
    from diffusers import DiffusionPipeline

KINDS: tuple[str, ...] = ("wan-t2v", "wan-i2v", "ltx", "ltx2", "cogvideox")
TEXT_DIM = 32  # the tiny T5 encoders' width; every transformer's text input must match it
MAX_TEXT_TOKENS = 16  # CogVideoX's prompt length must equal its transformer's max_text_seq_length
# LTX-2 pads every prompt to the tokenizer's length (1024 on the real model): 64 keeps it quick.
LTX2_TEXT_TOKENS = 64


def _tokenizer() -> Any:
    """A T5 unigram tokenizer over single characters: any prompt tokenizes, nothing downloads."""
    pieces = ["<pad>", "</s>", "<unk>", "▁"]
    pieces += [f"▁{c}" for c in string.ascii_lowercase]
    pieces += list(string.ascii_lowercase + string.digits + string.punctuation)
    vocab = [(piece, 0.0 if i < 3 else -float(i)) for i, piece in enumerate(pieces)]
    return T5Tokenizer(vocab=vocab, extra_ids=0, model_max_length=512)


def _vocab_size() -> int:
    return len(_tokenizer())


def _t5_config_kwargs() -> dict[str, Any]:
    return {
        "vocab_size": _vocab_size(),
        "d_model": TEXT_DIM,
        "d_kv": 8,
        "d_ff": 37,
        # One layer: UMT5 builds a 512x512 position bias per layer, most of a tiny render's time.
        "num_layers": 1,
        "num_heads": 4,
        "relative_attention_num_buckets": 8,
        "dropout_rate": 0.0,
    }


def _t5_encoder() -> Any:
    return T5EncoderModel(T5Config(**_t5_config_kwargs()))


def _umt5_encoder() -> Any:
    # Wan ships UMT5; the tiny one keeps the real class so model_index.json matches a real folder.
    return UMT5EncoderModel(UMT5Config(**_t5_config_kwargs()))


def _wan_vae() -> Any:
    return AutoencoderKLWan(
        base_dim=3, z_dim=16, dim_mult=[1, 1, 1, 1], num_res_blocks=1,
        temperal_downsample=[False, True, True],
    )  # fmt: skip


def _wan_transformer(*, in_channels: int, image_dim: int | None) -> Any:
    return WanTransformer3DModel(
        patch_size=(1, 2, 2), num_attention_heads=2, attention_head_dim=12,
        in_channels=in_channels, out_channels=16, text_dim=TEXT_DIM, freq_dim=256, ffn_dim=32,
        num_layers=2, cross_attn_norm=True, qk_norm="rms_norm_across_heads",
        # The rotary table must cover the longest latent sequence the tests render.
        rope_max_seq_len=1024, image_dim=image_dim,
    )  # fmt: skip


def _wan_scheduler() -> Any:
    return FlowMatchEulerDiscreteScheduler(shift=7.0)


def _wan_t2v() -> DiffusionPipeline:
    return WanPipeline(
        transformer=_seeded(lambda: _wan_transformer(in_channels=16, image_dim=None)),
        vae=_seeded(_wan_vae),
        scheduler=_wan_scheduler(),
        text_encoder=_seeded(_umt5_encoder),
        tokenizer=_tokenizer(),
    )


def _clip_image_encoder() -> Any:
    config = CLIPVisionConfig(
        hidden_size=4, projection_dim=4, num_hidden_layers=2, num_attention_heads=2,
        image_size=32, intermediate_size=16, patch_size=4,
    )  # fmt: skip
    return CLIPVisionModel(config)


def _clip_image_processor() -> Any:
    # The Pil variant is the one that works without torchvision, which this project doesn't ship.
    return CLIPImageProcessorPil(crop_size=32, size={"shortest_edge": 32})


def _wan_i2v() -> DiffusionPipeline:
    return WanImageToVideoPipeline(
        # 36 = 16 noise channels + 16 image-latent channels + 4 mask channels.
        transformer=_seeded(lambda: _wan_transformer(in_channels=36, image_dim=4)),
        vae=_seeded(_wan_vae),
        scheduler=_wan_scheduler(),
        text_encoder=_seeded(_umt5_encoder),
        tokenizer=_tokenizer(),
        image_encoder=_seeded(_clip_image_encoder),
        image_processor=_clip_image_processor(),
    )


def _ltx() -> DiffusionPipeline:
    def transformer() -> Any:
        return LTXVideoTransformer3DModel(
            in_channels=8, out_channels=8, patch_size=1, patch_size_t=1, num_attention_heads=4,
            attention_head_dim=8, cross_attention_dim=32, num_layers=1, caption_channels=TEXT_DIM,
        )  # fmt: skip

    def vae() -> Any:
        return AutoencoderKLLTXVideo(
            latent_channels=8, block_out_channels=(8, 8, 8, 8),
            decoder_block_out_channels=(8, 8, 8, 8),
            spatio_temporal_scaling=(True, True, False, False),
            decoder_spatio_temporal_scaling=(True, True, False, False),
            layers_per_block=(1, 1, 1, 1, 1), decoder_layers_per_block=(1, 1, 1, 1, 1),
            patch_size=1, patch_size_t=1, encoder_causal=True, decoder_causal=False,
        )  # fmt: skip

    return LTXPipeline(
        transformer=_seeded(transformer),
        vae=_seeded(vae),
        scheduler=FlowMatchEulerDiscreteScheduler(),
        text_encoder=_seeded(_t5_encoder),
        tokenizer=_tokenizer(),
    )


def _gemma_tokenizer() -> Any:
    """A Gemma tokenizer over single characters, as LTX-2's Gemma 3 text encoder expects.

    The image tokens get their own ids, so no character of a prompt can pose as one.
    """
    special = ["<pad>", "<eos>", "<bos>", "<unk>", "<mask>"]
    special += ["<start_of_image>", "<end_of_image>", "<image_soft_token>", "▁"]
    chars = string.ascii_letters + string.digits + string.punctuation
    vocab = {piece: i for i, piece in enumerate(dict.fromkeys([*special, *chars]))}
    return GemmaTokenizer(vocab=vocab, merges=[], model_max_length=LTX2_TEXT_TOKENS)


def _gemma3_encoder(vocab: dict[str, int]) -> Any:
    # LTX-2 ships Gemma 3 as a conditional-generation model (with its vision tower), so the tiny
    # one does too; the pipeline only reads the text layers' hidden states.
    text = Gemma3TextConfig(
        vocab_size=len(vocab), hidden_size=16, intermediate_size=32, num_hidden_layers=2,
        num_attention_heads=2, num_key_value_heads=1, head_dim=8,
        max_position_embeddings=LTX2_TEXT_TOKENS, sliding_window=LTX2_TEXT_TOKENS,
    )  # fmt: skip
    vision = SiglipVisionConfig(
        hidden_size=8, intermediate_size=16, num_hidden_layers=1, num_attention_heads=2,
        image_size=8, patch_size=4,
    )  # fmt: skip
    config = Gemma3Config(
        text_config=text, vision_config=vision, mm_tokens_per_image=4,
        boi_token_index=vocab["<start_of_image>"], eoi_token_index=vocab["<end_of_image>"],
        image_token_index=vocab["<image_soft_token>"],
    )  # fmt: skip
    return Gemma3ForConditionalGeneration(config)


def _ltx2() -> DiffusionPipeline:
    tokenizer = _gemma_tokenizer()
    text_encoder = _seeded(lambda: _gemma3_encoder(tokenizer.get_vocab()))
    text = text_encoder.config.text_config

    def transformer() -> Any:
        return LTX2VideoTransformer3DModel(
            in_channels=4, out_channels=4, patch_size=1, patch_size_t=1, num_attention_heads=2,
            attention_head_dim=8, cross_attention_dim=16, audio_in_channels=4,
            audio_out_channels=4, audio_num_attention_heads=2, audio_attention_head_dim=4,
            audio_cross_attention_dim=8, num_layers=1, qk_norm="rms_norm_across_heads",
            caption_channels=text.hidden_size, rope_double_precision=False, rope_type="split",
        )  # fmt: skip

    def connectors() -> Any:
        return LTX2TextConnectors(
            caption_channels=text.hidden_size, text_proj_in_factor=text.num_hidden_layers + 1,
            video_connector_num_attention_heads=2, video_connector_attention_head_dim=8,
            video_connector_num_layers=1, video_connector_num_learnable_registers=None,
            audio_connector_num_attention_heads=2, audio_connector_attention_head_dim=8,
            audio_connector_num_layers=1, audio_connector_num_learnable_registers=None,
            connector_rope_base_seq_len=32, rope_double_precision=False, rope_type="split",
        )  # fmt: skip

    def vae() -> Any:
        return AutoencoderKLLTX2Video(
            latent_channels=4, block_out_channels=(8,), decoder_block_out_channels=(8,),
            layers_per_block=(1,), decoder_layers_per_block=(1, 1),
            spatio_temporal_scaling=(True,), decoder_spatio_temporal_scaling=(True,),
            decoder_inject_noise=(False, False), downsample_type=("spatial",),
            upsample_residual=(False,), upsample_factor=(1,), timestep_conditioning=False,
            patch_size=1, patch_size_t=1, encoder_causal=True, decoder_causal=False,
        )  # fmt: skip

    def audio_vae() -> Any:
        # The real model's timing: 16 kHz mel frames every 160 samples, 25 latents a second.
        return AutoencoderKLLTX2Audio(
            base_channels=4, output_channels=2, ch_mult=(1,), num_res_blocks=1, resolution=32,
            latent_channels=2, sample_rate=16_000, mel_hop_length=160, mel_bins=8,
        )  # fmt: skip

    def vocoder() -> Any:
        # The real vocoder's upsampling (6*5*2*2*2 = 240 samples a mel frame, 24 kHz), so the
        # sound lasts as long as the clip; only the widths are tiny.
        return LTX2Vocoder(
            in_channels=2 * 8, hidden_channels=32, out_channels=2,
            upsample_kernel_sizes=[16, 15, 8, 4, 4], upsample_factors=[6, 5, 2, 2, 2],
            resnet_kernel_sizes=[3], resnet_dilations=[[1, 3, 5]], output_sampling_rate=24_000,
        )  # fmt: skip

    return LTX2Pipeline(
        transformer=_seeded(transformer),
        connectors=_seeded(connectors),
        vae=_seeded(vae),
        audio_vae=_seeded(audio_vae),
        vocoder=_seeded(vocoder),
        scheduler=FlowMatchEulerDiscreteScheduler(),
        text_encoder=text_encoder,
        tokenizer=tokenizer,
    )


def _cogvideox() -> DiffusionPipeline:
    def transformer() -> Any:
        return CogVideoXTransformer3DModel(
            num_attention_heads=4, attention_head_dim=8, in_channels=4, out_channels=4,
            time_embed_dim=2, text_embed_dim=TEXT_DIM, num_layers=1, sample_width=2,
            sample_height=2, sample_frames=9, patch_size=2, temporal_compression_ratio=4,
            max_text_seq_length=MAX_TEXT_TOKENS,
        )  # fmt: skip

    def vae() -> Any:
        return AutoencoderKLCogVideoX(
            in_channels=3, out_channels=3, down_block_types=("CogVideoXDownBlock3D",) * 4,
            up_block_types=("CogVideoXUpBlock3D",) * 4, block_out_channels=(8, 8, 8, 8),
            latent_channels=4, layers_per_block=1, norm_num_groups=2,
            temporal_compression_ratio=4,
        )  # fmt: skip

    return CogVideoXPipeline(
        transformer=_seeded(transformer),
        vae=_seeded(vae),
        scheduler=DDIMScheduler(),
        text_encoder=_seeded(_t5_encoder),
        tokenizer=_tokenizer(),
    )


def _seeded(build: Callable[[], Any]) -> Any:
    """Build one module from a fixed seed, in eval mode (dropout would make runs differ)."""
    torch.manual_seed(0)
    return build().eval()


_BUILDERS: dict[str, Callable[[], DiffusionPipeline]] = {
    "wan-t2v": _wan_t2v,
    "wan-i2v": _wan_i2v,
    "ltx": _ltx,
    "ltx2": _ltx2,
    "cogvideox": _cogvideox,
}


def build_tiny_pipeline(kind: str) -> DiffusionPipeline:
    """Return a tiny random-weights pipeline of the real class for ``kind`` (one of KINDS)."""
    if kind not in _BUILDERS:
        raise ValueError(f"Unknown tiny model kind {kind!r}; choose one of {', '.join(KINDS)}.")
    return _BUILDERS[kind]()


def save_tiny_model(kind: str, path: Path | str) -> Path:
    """Build a tiny pipeline and write it to ``path`` as a diffusers folder (safetensors)."""
    quiet_progress_bars()
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    build_tiny_pipeline(kind).save_pretrained(folder, safe_serialization=True)
    return folder


def folder_size(path: Path | str) -> int:
    """Bytes on disk under ``path``."""
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())
