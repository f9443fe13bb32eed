"""Signal pieces that the ambience, music and effects share: noise, filters, envelopes, placing.

Everything is vectorised numpy/scipy on float32 at ``AUDIO_RATE``; nothing loops per sample.
Randomness always comes from the ``numpy.random.Generator`` a caller passes in.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import signal

from generation.pipeline.base import AUDIO_RATE

TAU = np.float32(2 * np.pi)


def sample_count(duration_s: float) -> int:
    return int(round(duration_s * AUDIO_RATE))


def silence(n: int) -> np.ndarray:
    return np.zeros((n, 2), dtype=np.float32)


def noise(rng: np.random.Generator, n: int, channels: int = 2) -> np.ndarray:
    """White noise in [-1, 1]; the two channels are independent, which gives stereo width."""
    shape = (n, channels) if channels > 1 else (n,)
    out = rng.random(shape, dtype=np.float32)
    out *= 2.0
    out -= 1.0
    return out


@lru_cache(maxsize=128)
def _sos(
    btype: str, freq: float | tuple[float, float], order: int, rate: float = AUDIO_RATE
) -> np.ndarray:
    return signal.butter(order, freq, btype=btype, fs=rate, output="sos").astype(np.float32)


def band(
    x: np.ndarray, btype: str, freq: float | tuple[float, float], order: int = 2
) -> np.ndarray:
    """Butterworth filter along time (axis 0): btype is lowpass, highpass or bandpass."""
    return signal.sosfilt(_sos(btype, freq, order), x, axis=0).astype(np.float32, copy=False)


def slow_band(
    rng: np.random.Generator,
    n: int,
    btype: str,
    freq: float | tuple[float, float],
    factor: int,
) -> np.ndarray:
    """Stereo filtered noise for a band far below Nyquist: made at 1/``factor`` of the rate and
    drawn out with straight lines, ``factor`` times cheaper than filtering at the full rate.
    The band's top must stay under a quarter of the lower rate, where the lines blur nothing."""
    count = n // factor + 2
    white = noise(rng, count)
    coarse = signal.sosfilt(_sos(btype, freq, 2, AUDIO_RATE / factor), white, axis=0)
    coarse = coarse.astype(np.float32, copy=False)
    ramp = (np.arange(factor, dtype=np.float32) / np.float32(factor))[None, :, None]
    fine = np.repeat(coarse[:-1], factor, axis=0).reshape(count - 1, factor, 2)
    fine += (coarse[1:] - coarse[:-1])[:, None, :] * ramp
    return fine.reshape(-1, 2)[:n]


def times(n: int) -> np.ndarray:
    return np.arange(n, dtype=np.float32) / np.float32(AUDIO_RATE)


def decay(n: int, seconds: float, attack_s: float = 0.0) -> np.ndarray:
    """An exponential decay to about -60 dB after ``seconds``, with an optional linear attack."""
    env = np.exp(times(n) * np.float32(-6.9 / max(seconds, 1e-4)))
    attack = min(n, int(attack_s * AUDIO_RATE))
    if attack > 0:
        env[:attack] *= np.linspace(0.0, 1.0, attack, endpoint=False, dtype=np.float32)
    return env


def release(buf: np.ndarray, seconds: float) -> np.ndarray:
    """Fade the last ``seconds`` of a buffer to zero in place, so it never ends on a click."""
    count = min(buf.shape[0], int(seconds * AUDIO_RATE))
    if count > 0:
        ramp = np.linspace(1.0, 0.0, count, dtype=np.float32)
        buf[-count:] *= ramp if buf.ndim == 1 else ramp[:, None]
    return buf


def fade_ends(x: np.ndarray, fade_in_s: float, fade_out_s: float) -> np.ndarray:
    count = min(x.shape[0], int(fade_in_s * AUDIO_RATE))
    if count > 0:
        x[:count] *= np.linspace(0.0, 1.0, count, dtype=np.float32)[:, None]
    return release(x, fade_out_s)


def smooth_random(
    rng: np.random.Generator, n: int, per_second: float, low: float, high: float
) -> np.ndarray:
    """A level that wanders between ``low`` and ``high``, moving ``per_second`` times a second."""
    step = max(1, int(AUDIO_RATE / per_second))
    return stretch(rng.uniform(low, high, n // step + 2), step, n)


def stretch(points: np.ndarray, step: int, n: int) -> np.ndarray:
    """Join control points ``step`` samples apart with straight lines, giving ``n`` samples."""
    points = np.asarray(points, dtype=np.float32)
    ramp = np.arange(step, dtype=np.float32) / np.float32(step)
    env = points[:-1, None] + (points[1:] - points[:-1])[:, None] * ramp[None, :]
    return env.ravel()[:n]


def at_rms(x: np.ndarray, rms: float) -> np.ndarray:
    """Scale a bed of sound in place to a given RMS level, so each layer sits where it should."""
    level = float(np.sqrt(np.mean(np.square(x, dtype=np.float32))))
    if level > 0:
        x *= np.float32(rms / level)
    return x


def chirp(n: int, f0: float, f1: float, harmonics: tuple[float, ...] = (1.0,)) -> np.ndarray:
    """A tone gliding exponentially from ``f0`` to ``f1`` Hz, with optional overtone weights."""
    step = np.float32(2 * np.pi / AUDIO_RATE)
    if f0 == f1:
        phase = np.arange(n, dtype=np.float32) * (step * np.float32(f0))
    else:
        freq = f0 * (f1 / f0) ** (np.arange(n, dtype=np.float32) / np.float32(max(n - 1, 1)))
        phase = np.cumsum(freq, dtype=np.float32) * step
    out = np.zeros(n, dtype=np.float32)
    for k, weight in enumerate(harmonics, start=1):
        if weight:
            out += np.float32(weight) * np.sin(phase * np.float32(k))
    return out


def pan_gains(pan: float) -> tuple[float, float]:
    """Equal-power gains for a position from -1 (left) to 1 (right)."""
    angle = (min(max(pan, -1.0), 1.0) + 1.0) * np.pi / 4
    return float(np.cos(angle)), float(np.sin(angle))


def add_at(
    out: np.ndarray, start: int, buf: np.ndarray, gain: float = 1.0, pan: float = 0.0
) -> None:
    """Add a mono or stereo buffer into ``out`` from sample ``start``, cut at either end."""
    begin, end = max(start, 0), min(start + buf.shape[0], out.shape[0])
    if begin >= end:
        return
    part = buf[begin - start : end - start]
    if part.ndim == 1:
        left, right = pan_gains(pan)
        out[begin:end, 0] += part * np.float32(gain * left)
        out[begin:end, 1] += part * np.float32(gain * right)
    else:
        out[begin:end] += part * np.float32(gain)


def finish(x: np.ndarray) -> np.ndarray:
    """Float32, finite and within [-1, 1], whatever happened upstream."""
    x = np.nan_to_num(x.astype(np.float32, copy=False), copy=False)
    return np.clip(x, -1.0, 1.0, out=x)
