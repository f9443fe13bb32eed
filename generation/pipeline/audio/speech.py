"""The prompt's spoken lines, said by the voice that ships inside hibari-tts ("heart").

Only that voice is used: it is loaded from the file in the wheel, so no code path can reach
hibari's download of its other voices. The second speaker is the same voice about five semitones
lower, made by lowering the pitch curve the network predicts before the vocoder turns it into
sound, over the same formants (the voice sounds lower, not slowed down). When the voice can't load,
the lines are left out with a sentence and the rest of the video still renders.
"""

from __future__ import annotations

import logging
import re
import unicodedata
import zlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import hibari
import numpy as np
from hibari import Hibari, dsp
from scipy.signal import resample_poly

from generation.pipeline.audio.lines import (
    GAP_S,
    LEAD_S,
    MAX_LINE_CHARS,
    SENTENCE_GAP_S,
    TAIL_S,
    Line,
    quote_preview,
    spoken_lines,
)
from generation.pipeline.base import AUDIO_RATE

logger = logging.getLogger(__name__)

VOICE = "heart"
VOICE_LABEL = "hibari heart voice (Apache-2.0)"
VOICE_RATE = 24_000
# Speaker 1's pitch: 0.75 of speaker 0's, about five semitones lower.
SECOND_SPEAKER_PITCH = 0.75
_UNVOICED_HZ = 40.0  # hibari's vocoder treats f0 below this as unvoiced
_HARMONICS_HZ = 11_000.0  # and draws harmonics up to here
_TRIM_LEVEL = 0.03  # of the line's peak: quieter edges are the model's own lead-in and tail
_TRIM_PAD_S = 0.04
_FADE_S = 0.01
_SEED_LABEL = zlib.crc32(b"speech")


@dataclass(frozen=True)
class Cue:
    """One spoken line placed in the clip: float32 mono samples at AUDIO_RATE."""

    text: str
    speaker: int
    start_s: float
    end_s: float
    samples: np.ndarray
    who: str = ""  # the word that names the speaker ("dog"), "" when the prompt names none


@dataclass
class SpeechPlan:
    """The lines that will be heard, and a sentence for each line that was left out."""

    cues: list[Cue] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    voice: str = ""


class VoiceUnavailable(Exception):
    """The shipped voice could not be loaded or could not run."""


def plan_speech(prompt: str, duration_s: float, seed: int) -> SpeechPlan:
    """Speak each line of ``prompt`` in turn from 0.5 s on; never raises for the voice."""
    lines = spoken_lines(prompt)
    plan = SpeechPlan()
    if not lines:
        return plan
    try:
        engine = _engine()
    except Exception as exc:  # any failure to load must leave the video intact
        logger.warning("The voice could not be loaded, leaving out the spoken lines: %s", exc)
        plan.left_out = [_left_out(line, "the voice could not be loaded") for line in lines]
        return plan
    _place_lines(plan, engine, lines, duration_s, seed)
    if plan.cues:
        plan.voice = VOICE_LABEL
    return plan


def warm() -> None:
    """Load the voice and its pronunciation tables once, so the first video doesn't wait."""
    engine = _engine()
    engine.phonemize("Ready.")


def speak(text: str, *, speaker: int = 0, seed: int = 0) -> np.ndarray:
    """``text`` said by the voice as float32 mono at AUDIO_RATE, silent edges trimmed.

    Raises ``VoiceUnavailable`` when the voice can't load or run, and returns an empty array
    when nothing in the text can be pronounced.
    """
    try:
        engine = _engine()
    except Exception as exc:  # callers get one exception for every cause
        raise VoiceUnavailable(str(exc)) from exc
    rng = np.random.default_rng([seed, _SEED_LABEL])
    return _say(engine, text, speaker, rng)


@cache
def _engine() -> Any:
    """The shipped voice, once per process, on one onnxruntime thread."""
    model = Path(hibari.__file__).parent / "assets" / "hibari.onnx"
    if not model.is_file():
        raise FileNotFoundError(f"The voice file {model} is missing from hibari-tts.")
    # Passing the file means Hibari never asks hibari.voices where (or whether) to fetch it.
    return Hibari(voice=VOICE, model=str(model), threads=1)


def _place_lines(
    plan: SpeechPlan, engine: Any, lines: list[Line], duration_s: float, seed: int
) -> None:
    start = LEAD_S
    out_of_room = False
    for index, line in enumerate(lines):
        if out_of_room:
            plan.left_out.append(_left_out(line, _no_room(duration_s)))
            continue
        reason, samples = _line_samples(engine, line, seed, index)
        if samples is None:
            plan.left_out.append(_left_out(line, reason))
            continue
        end = start + samples.shape[0] / AUDIO_RATE
        if end > duration_s - TAIL_S:
            # Cutting a line mid-word is worse than leaving it out; later lines would follow
            # it in the conversation, so they go too.
            out_of_room = True
            plan.left_out.append(_left_out(line, _no_room(duration_s)))
            continue
        plan.cues.append(Cue(line.text, line.speaker, start, end, samples, line.who))
        start = end + GAP_S


def _line_samples(engine: Any, line: Line, seed: int, index: int) -> tuple[str, np.ndarray | None]:
    """(why it was left out, None) or ("", samples) for one line."""
    if len(line.text) > MAX_LINE_CHARS:
        return f"it is longer than {MAX_LINE_CHARS} characters", None
    if not _has_latin_letters(line.text):
        return "the voice speaks English only", None
    rng = np.random.default_rng([seed, _SEED_LABEL, index])
    try:
        samples = _say(engine, line.text, line.speaker, rng)
    except Exception as exc:  # onnxruntime raises its own types
        logger.warning("The voice failed on a line, leaving it out: %s", exc)
        return "the voice could not speak it", None
    if samples.size == 0:
        return "the voice speaks English only", None
    return "", samples


def _say(engine: Any, text: str, speaker: int, rng: np.random.Generator) -> np.ndarray:
    """Each sentence through the network and vocoder, trimmed, joined with a short pause."""
    pitch = SECOND_SPEAKER_PITCH if speaker == 1 else 1.0
    pause = np.zeros(round(SENTENCE_GAP_S * VOICE_RATE), np.float32)
    parts: list[np.ndarray] = []
    for phonemes in engine.phonemize(text):
        ids = engine.ids(phonemes)
        if len(ids) < 3:
            continue
        outputs = engine.sess.run(
            None, {"ids": np.asarray([ids], np.int64), "speed": np.asarray([1.0], np.float32)}
        )
        lh, th, ln, lr, phi, f0 = (output[0] for output in outputs)
        if pitch != 1.0:
            lh, th, f0 = _lower_pitch(lh, th, f0, pitch)
        wave = _trim(dsp.synth(lh, th, ln, lr, phi, f0, rng))
        if wave.size:
            parts.extend([pause, wave] if parts else [wave])
    if not parts:
        return np.zeros(0, np.float32)
    audio = resample_poly(np.concatenate(parts), AUDIO_RATE // VOICE_RATE, 1)
    return np.clip(audio, -1.0, 1.0).astype(np.float32)


def _lower_pitch(
    lh: np.ndarray, th: np.ndarray, f0: np.ndarray, factor: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The vocoder's inputs for the same speech at ``factor`` times the pitch.

    The network gives the harmonic branch's gain and phase (``lh``, ``th``, one column per
    12.5 ms frame, 20 Hz bins) only where its own harmonics fall; between them the values are
    meaningless, and new harmonics landing there click and rasp. So each voiced frame's gain and
    phase are read at the original harmonics and drawn between them as an envelope, which the
    lower harmonics then sample. The envelope is the voice's formants, so they stay put.
    """
    lh, th = lh.copy(), th.copy()
    bins = np.arange(lh.shape[0])
    bin_hz = VOICE_RATE / (2 * (lh.shape[0] - 1))
    for frame in np.flatnonzero(f0 > _UNVOICED_HZ):
        at = np.rint(np.arange(f0[frame], _HARMONICS_HZ, f0[frame]) / bin_hz).astype(int)
        at = at[at < bins[-1]]
        near = np.stack([lh[np.clip(at + step, 0, bins[-1]), frame] for step in (-1, 0, 1)])
        th[:, frame] = np.interp(bins, at, th[at, frame])
        lh[:, frame] = np.interp(bins, at, near.max(axis=0))
    voiced = f0 > _UNVOICED_HZ
    f0 = np.where(voiced, np.maximum(f0 * factor, _UNVOICED_HZ + 1.0), f0).astype(np.float32)
    return lh, th, f0


def _trim(wave: np.ndarray) -> np.ndarray:
    """Drop the near-silent lead-in and tail the model adds to every sentence."""
    peak = float(np.abs(wave).max()) if wave.size else 0.0
    if peak <= 1e-4:
        return np.zeros(0, np.float32)
    loud = np.flatnonzero(np.abs(wave) > peak * _TRIM_LEVEL)
    pad = round(_TRIM_PAD_S * VOICE_RATE)
    out = wave[max(loud[0] - pad, 0) : loud[-1] + pad].astype(np.float32)
    fade = min(round(_FADE_S * VOICE_RATE), out.size // 2)
    if fade:
        ramp = np.linspace(0.0, 1.0, fade, dtype=np.float32)
        out[:fade] *= ramp
        out[-fade:] *= ramp[::-1]
    return out


def _has_latin_letters(text: str) -> bool:
    return re.search(r"[A-Za-z]", unicodedata.normalize("NFKD", text)) is not None


def _left_out(line: Line, reason: str) -> str:
    return f"The line {quote_preview(line.text)} was left out: {reason}."


def _no_room(duration_s: float) -> str:
    return f"there was no room for it in a {duration_s:g}-second clip"
