"""The mixer: ambience, music, effects and spoken lines in one 48 kHz stereo soundtrack.

Each layer is set to its own level before summing (the synthesisers make them at whatever
level suits their sound), the music and, a little, the ambience dip under each spoken line, and
the sum is mastered to -16 LUFS with its true peak under -1 dBTP (see ``master``).
"""

from __future__ import annotations

import zlib
from typing import Any

import numpy as np

from generation.pipeline.audio.ambience import make_ambience
from generation.pipeline.audio.effects import make_effects
from generation.pipeline.audio.master import (
    PEAK_DBTP,
    TARGET_LUFS,
    conform_audio,
    integrated_loudness,
    limit_true_peak,
    loudness_normalise,
)
from generation.pipeline.audio.music import make_music
from generation.pipeline.audio.speech import Cue, SpeechPlan
from generation.pipeline.base import AUDIO_RATE, AudioTrack, Sound, SoundEvent, VideoRequest

__all__ = [
    "duck_gain",
    "loudness_normalise",
    "make_soundtrack",
    "master_model_sound",
    "soundtrack_summary",
]

ENGINE = "builtin soundtrack"
# Levels before mastering, as RMS in dBFS. The ambience sits under the music, a spoken line
# 9 dB over the music even before the music dips under it, and the effects keep the level the
# effects synthesiser gives each event (it follows the event's strength). Measured on a storm
# with dramatic drums, a full-strength thump then lifts its 50 ms by 7.5 dB over the same
# moment without it, a faint one by 5.7 dB; 6 dB lower beds only squeeze the two together.
AMBIENCE_RMS_DB = -33.0
MUSIC_RMS_DB = -27.0
SPEECH_RMS_DB = -18.0
EFFECTS_GAIN_DB = 0.0
# Where the effects' own limiter holds their peaks, once the beds are at -16 LUFS: under the
# master's ceiling, so a hit over a loud bed still leaves the master little to do.
EFFECTS_PEAK_DBTP = -3.0
EFFECTS_HOLD_S = 0.01
# How far the beds dip under a spoken line, and how fast: down over 80 ms before the line starts
# (so its first syllable is already clear), back up over 300 ms after it ends.
MUSIC_DUCK_DB = -16.0
AMBIENCE_DUCK_DB = -14.0
DUCK_ATTACK_S = 0.08
DUCK_RELEASE_S = 0.3
# AAC moves peaks by a few tenths of a dB; mastering aims this far under the ceiling so the
# decoded file still meets it.
ENCODE_HEADROOM_DB = 2.5
# The AAC encoder trims the top of the spectrum, which K-weighting counts: a decoded file measures
# 0.3-0.7 LU under its master. Mastering aims this much over the target to land on it.
ENCODE_LOUDNESS_LOSS_LU = 0.3
FROM_MODEL = "Sound made by the model with the picture."
# What plan["sound"] holds for a silent video: the same keys as a soundtrack's details.
SILENT_DETAILS: dict[str, Any] = {
    "engine": "none",
    "ambience": [],
    "music": None,
    "effects": [],
    "lines": 0,
    "voice": "",
}
_NUMBERS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def make_soundtrack(
    request: VideoRequest,
    plan: dict[str, Any],
    events: list[SoundEvent],
    speech: SpeechPlan,
    *,
    duration_s: float | None = None,
    fps: int | None = None,
) -> AudioTrack:
    """The built-in soundtrack for one video; the same request gives the same samples.

    ``duration_s`` and ``fps`` default to the request's; a caller whose backend made another
    number of frames passes the clip's own, so the sound is exactly as long as the picture.
    """
    duration = float(request.duration_s if duration_s is None else duration_s)
    rate = request.fps if fps is None else fps
    n = round(duration * AUDIO_RATE)
    ambience, ambience_words = make_ambience(plan, duration, _rng(request.seed, "ambience"))
    music, music_words = np.zeros((n, 2), np.float32), None
    if request.sound != Sound.NO_MUSIC:
        music, music_words = make_music(plan, duration, _rng(request.seed, "music"))
    effects, effect_words = make_effects(events, rate, duration, _rng(request.seed, "effects"))
    depth = duck_depth(speech.cues, n)
    beds = _at_rms(_fit(ambience, n), AMBIENCE_RMS_DB) * _duck(depth, AMBIENCE_DUCK_DB)
    beds += _at_rms(_fit(music, n), MUSIC_RMS_DB) * _duck(depth, MUSIC_DUCK_DB)
    beds += _voice(speech.cues, n)[:, None]
    mix = _master(_with_effects(beds, _fit(effects, n) * _gain(EFFECTS_GAIN_DB)))
    details = {
        "engine": ENGINE,
        "ambience": list(ambience_words),
        "music": music_words,
        "effects": list(effect_words),
        "lines": len(speech.cues),
        "voice": speech.voice,
    }
    return AudioTrack(
        samples=mix,
        sample_rate=AUDIO_RATE,
        source="builtin",
        summary=soundtrack_summary(details),
        details=details,
    )


def master_model_sound(track: AudioTrack, num_samples: int) -> AudioTrack:
    """A backend's own sound, as 48 kHz stereo of ``num_samples`` at the soundtrack's loudness."""
    samples = _master(conform_audio(track.samples, track.sample_rate, num_samples))
    details = {**SILENT_DETAILS, **track.details, "engine": track.source}
    return AudioTrack(samples, AUDIO_RATE, track.source, summary=FROM_MODEL, details=details)


def soundtrack_summary(details: dict[str, Any]) -> str:
    """One sentence naming what is in the soundtrack, e.g. "Rain, soft piano at 70 bpm, a thump
    at 1.4 s, one spoken line."""
    parts = [*details["ambience"]]
    parts.append(details["music"] or "no music")
    parts.extend(details["effects"])
    lines = details["lines"]
    if lines:
        count = _NUMBERS[lines] if lines < len(_NUMBERS) else str(lines)
        parts.append(f"{count} spoken line{'s' if lines > 1 else ''}")
    sentence = ", ".join(part for part in parts if part)
    return sentence[:1].upper() + sentence[1:] + "."


def duck_depth(cues: list[Cue], n: int) -> np.ndarray:
    """0..1 per sample: 1 while a line is spoken, easing in before it and out after it."""
    depth = np.zeros(n, np.float32)
    for cue in cues:
        start, end = cue.start_s * AUDIO_RATE, cue.end_s * AUDIO_RATE
        first = max(0, int(start - DUCK_ATTACK_S * AUDIO_RATE))
        last = min(n, int(end + DUCK_RELEASE_S * AUDIO_RATE) + 1)
        if first >= last:
            continue
        where = np.arange(first, last, dtype=np.float32)
        ramp = np.interp(
            where,
            [start - DUCK_ATTACK_S * AUDIO_RATE, start, end, end + DUCK_RELEASE_S * AUDIO_RATE],
            [0.0, 1.0, 1.0, 0.0],
        ).astype(np.float32)
        # A raised cosine instead of a straight ramp: no corner for the ear to catch.
        smooth = 0.5 - 0.5 * np.cos(np.pi * ramp)
        np.maximum(depth[first:last], smooth, out=depth[first:last])
    return depth


def duck_gain(cues: list[Cue], n: int, duck_db: float = MUSIC_DUCK_DB) -> np.ndarray:
    """The music's gain per sample: ``duck_db`` under every line, 1 away from them."""
    return _duck(duck_depth(cues, n), duck_db)[:, 0]


def _duck(depth: np.ndarray, duck_db: float) -> np.ndarray:
    return np.power(np.float32(10.0), depth * np.float32(duck_db / 20))[:, None]


def _voice(cues: list[Cue], n: int) -> np.ndarray:
    """Every line at its start time, each set to the speech level."""
    voice = np.zeros(n, np.float32)
    for cue in cues:
        start = max(0, round(cue.start_s * AUDIO_RATE))
        part = np.asarray(cue.samples, np.float32)[: max(0, n - start)]
        rms = float(np.sqrt(np.mean(np.square(part)))) if part.size else 0.0
        if rms > 0:
            voice[start : start + part.size] += part * _gain(SPEECH_RMS_DB) / np.float32(rms)
    return voice


def _fit(layer: np.ndarray, n: int) -> np.ndarray:
    """A synthesiser's (N, 2) output as exactly n samples (they agree; this keeps it so)."""
    out = np.zeros((n, 2), np.float32)
    part = np.asarray(layer, np.float32)[:n]
    out[: part.shape[0]] = part if part.ndim == 2 else part[:, None]
    return out


def _at_rms(layer: np.ndarray, rms_db: float) -> np.ndarray:
    rms = float(np.sqrt(np.mean(np.square(layer)))) if layer.size else 0.0
    return layer * (_gain(rms_db) / np.float32(rms)) if rms > 0 else layer


def _with_effects(beds: np.ndarray, effects: np.ndarray) -> np.ndarray:
    """Beds plus effects, the effects' peaks held under EFFECTS_PEAK_DBTP once at final level.

    Left to the master limiter, a click or a thump's peak would pull the whole mix down around
    it: the beds would dip just as the effect arrives and the effect would sound smaller. On
    their own bus, only the effect is turned down, and only as far as it has to be.
    """
    loudness = integrated_loudness(beds)
    if not np.any(effects) or not np.isfinite(loudness):
        return beds + effects
    gain = _gain(TARGET_LUFS - loudness)
    ceiling = EFFECTS_PEAK_DBTP - 20 * np.log10(float(gain))
    limited = limit_true_peak(effects, ceiling, lookahead_s=0.002, hold_s=EFFECTS_HOLD_S)
    return beds + limited


def _master(mix: np.ndarray) -> np.ndarray:
    target = TARGET_LUFS + ENCODE_LOUDNESS_LOSS_LU
    mastered = loudness_normalise(mix, AUDIO_RATE, target, PEAK_DBTP - ENCODE_HEADROOM_DB)
    return np.clip(mastered, -1.0, 1.0)


def _gain(decibels: float) -> np.float32:
    return np.float32(10 ** (decibels / 20))


def _rng(seed: int, label: str) -> np.random.Generator:
    # One stream per layer: turning the music off leaves the ambience and effects as they were.
    return np.random.default_rng([seed, zlib.crc32(label.encode())])
