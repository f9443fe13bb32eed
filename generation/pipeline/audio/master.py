"""Mastering: conform a track to 48 kHz stereo of the clip's length, set its loudness, limit peaks.

Loudness is ITU-R BS.1770 integrated loudness through ``pyloudnorm``; the peak that counts is the
true peak, read from a 4x oversampled copy, because a sample-peak limiter lets inter-sample
overs through that a decoder or a phone's DAC then clips.
"""

from __future__ import annotations

import math
from math import gcd

import numpy as np
import pyloudnorm
from numpy.lib.stride_tricks import sliding_window_view
from scipy.ndimage import minimum_filter1d, uniform_filter1d
from scipy.signal import firwin, resample_poly

from generation.pipeline.base import AUDIO_RATE

TARGET_LUFS = -16.0
PEAK_DBTP = -1.0
OVERSAMPLE = 4
# A second pass only when limiting moved the loudness more than this.
LOUDNESS_TOLERANCE_LU = 0.5
# The limiter's gain reaches its floor over LOOKAHEAD_S before a peak and holds for HOLD_S after
# it, so a drum hit or thunderclap is turned down as a whole instead of having its top cut off.
LOOKAHEAD_S = 0.005
HOLD_S = 0.05
# BS.1770 measures 400 ms blocks; shorter input is measured as a loop of itself.
_BLOCK_S = 0.4
_TRIM_FADE_S = 0.01
_UNMEASURED_LOSS = 0.02


def conform_audio(samples: np.ndarray, rate: int, num_samples: int) -> np.ndarray:
    """``samples`` as (num_samples, 2) float32 at AUDIO_RATE in [-1, 1].

    Mono becomes both channels, more than two channels keep the first two (left and right in
    every standard layout), other rates are resampled, and the end is padded with silence or
    trimmed (with a 10 ms fade, so a cut does not click).
    """
    data = np.asarray(samples, dtype=np.float32)
    if data.ndim == 1:
        data = data[:, None]
    if data.ndim != 2 or data.shape[1] == 0:
        raise ValueError("Audio must be shaped (samples,) or (samples, channels).")
    if rate <= 0:
        raise ValueError("The audio's sample rate must be a positive number.")
    data = np.repeat(data, 2, axis=1) if data.shape[1] == 1 else data[:, :2]
    if rate != AUDIO_RATE and data.shape[0]:
        common = gcd(AUDIO_RATE, rate)
        data = resample_poly(data, AUDIO_RATE // common, rate // common, axis=0)
    data = np.nan_to_num(data, nan=0.0, posinf=0.0, neginf=0.0).astype(np.float32)
    if data.shape[0] > num_samples:
        data = data[:num_samples].copy()
        fade = min(num_samples, round(_TRIM_FADE_S * AUDIO_RATE))
        if fade:
            data[num_samples - fade :] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)[:, None]
    elif data.shape[0] < num_samples:
        data = np.concatenate([data, np.zeros((num_samples - data.shape[0], 2), np.float32)])
    return np.clip(data, -1.0, 1.0)


def loudness_normalise(
    samples: np.ndarray,
    rate: int = AUDIO_RATE,
    target_lufs: float = TARGET_LUFS,
    peak_dbtp: float = PEAK_DBTP,
) -> np.ndarray:
    """Set integrated loudness to ``target_lufs`` and keep the true peak at or under ``peak_dbtp``.

    Silence (and anything under BS.1770's -70 LUFS gate) comes back unchanged. When the limiter
    turns a loud track down by more than half a LU, the track is brought back up and limited
    once more; what is still missing after that is left, since more gain means more limiting.
    """
    data = np.asarray(samples, dtype=np.float32)
    if data.ndim == 1:
        return loudness_normalise(data[:, None], rate, target_lufs, peak_dbtp)[:, 0]
    loudness = integrated_loudness(data, rate)
    if not math.isfinite(loudness):
        return data.copy()
    scaled = data * _gain(target_lufs - loudness)
    data = limit_true_peak(scaled, peak_dbtp)
    # Loudness is a mean of energy, so a limiter that took away under 2% of it (0.09 dB) cannot
    # have moved it half a LU; only a harder-working one is worth measuring again.
    if _energy(data) >= (1 - _UNMEASURED_LOSS) * _energy(scaled):
        return data
    loudness = integrated_loudness(data, rate)
    if abs(loudness - target_lufs) > LOUDNESS_TOLERANCE_LU:
        data = limit_true_peak(data * _gain(target_lufs - loudness), peak_dbtp)
    return data


def integrated_loudness(samples: np.ndarray, rate: int = AUDIO_RATE) -> float:
    """Integrated loudness in LUFS (BS.1770); ``-inf`` for silence or empty input."""
    data = np.asarray(samples, dtype=np.float64)
    if data.shape[0] == 0 or not np.any(data):
        return -math.inf
    block = math.ceil(_BLOCK_S * rate) + 1
    if data.shape[0] < block:
        data = np.tile(data, (math.ceil(block / data.shape[0]),) + (1,) * (data.ndim - 1))
    return float(pyloudnorm.Meter(rate).integrated_loudness(data))


def limit_true_peak(
    samples: np.ndarray,
    peak_dbtp: float = PEAK_DBTP,
    *,
    lookahead_s: float = LOOKAHEAD_S,
    hold_s: float = HOLD_S,
) -> np.ndarray:
    """Turn the signal down around each true peak over ``peak_dbtp``, smoothly and ahead of it."""
    data = np.asarray(samples, dtype=np.float32)
    ceiling = 10 ** (peak_dbtp / 20)
    where, peaks = _true_peaks_over(data, ceiling)
    if not where.size:
        return data.copy()
    wanted = np.ones(data.shape[0], np.float32)
    wanted[where] = ceiling / peaks
    ahead = max(1, round(lookahead_s * AUDIO_RATE))
    hold = max(ahead, round(hold_s * AUDIO_RATE))
    # Each sample takes the lowest gain wanted from `hold` samples back to `ahead` samples on;
    # averaging that over 2*ahead+1 samples still reaches each peak's own gain at the peak.
    floor = minimum_filter1d(
        wanted, size=hold + ahead + 1, mode="nearest", origin=(hold - ahead) // 2
    )
    gain = uniform_filter1d(floor, size=2 * ahead + 1, mode="nearest")
    limited = data * gain[:, None]
    # The gain moves between samples, so an oversampled peak can still sit a hair over; only
    # samples within the interpolator's reach of a changed one can have moved.
    where, peaks = _true_peaks_over(limited, ceiling, near=_spread(gain < 1, _WIDTH // 2))
    if where.size:
        limited *= np.float32(ceiling / peaks.max())
    return limited


def _polyphase() -> tuple[np.ndarray, float]:
    """The 4x interpolator ``resample_poly`` uses, as a (taps, phases) matrix, and its gain bound.

    Column p gives the value a quarter-sample p after each input sample from the input around it.
    The bound is the largest sum of absolute taps: no phase can exceed the loudest input sample
    in its window times it, which lets the limiter skip quiet stretches without oversampling.
    """
    half = 10 * OVERSAMPLE  # resample_poly's own filter: firwin(2*10*up+1, 1/up, kaiser 5)
    taps = firwin(2 * half + 1, 1 / OVERSAMPLE, window=("kaiser", 5.0)) * OVERSAMPLE
    width = 2 * (half // OVERSAMPLE) + 1
    matrix = np.zeros((width, OVERSAMPLE), np.float32)
    for phase in range(OVERSAMPLE):
        for index, tap in enumerate(taps[phase::OVERSAMPLE]):
            matrix[width - 1 - index, phase] = tap
    return matrix, float(np.abs(matrix).sum(axis=0).max())


_PHASES, _PHASE_BOUND = _polyphase()
_WIDTH = _PHASES.shape[0]
_CHUNK = 65_536


def _true_peaks_over(
    data: np.ndarray, ceiling: float, near: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the samples whose oversampled peak (any channel) passes ``ceiling``, and it.

    Only samples near one loud enough to matter (and, given ``near``, only those it marks) are
    oversampled, which on a mastered mix is a small part of the track and keeps the limiter
    several times faster than a full 4x copy. Reductions run across channels one column at a
    time: numpy reduces a short last axis two hundred times slower.
    """
    columns = [np.ascontiguousarray(data[:, channel]) for channel in range(data.shape[1])]
    sample_peak = _largest([np.abs(column) for column in columns])
    half = _WIDTH // 2
    # A sample can pass the ceiling only with an input sample over ceiling / bound within reach.
    reach = _spread(sample_peak > ceiling / _PHASE_BOUND, half)
    candidates = np.flatnonzero(reach if near is None else reach & near)
    if not candidates.size:
        return candidates, np.zeros(0, np.float32)
    windows = [sliding_window_view(np.pad(column, half), _WIDTH) for column in columns]
    peaks = np.empty(candidates.size, np.float32)
    for start in range(0, candidates.size, _CHUNK):
        part = candidates[start : start + _CHUNK]
        phases = [np.abs(window[part] @ _PHASES) for window in windows]
        values = [phase[:, k] for phase in phases for k in range(OVERSAMPLE)]
        peaks[start : start + _CHUNK] = _largest([*values, sample_peak[part]])
    over = peaks > ceiling
    return candidates[over], peaks[over]


def _spread(mask: np.ndarray, reach: int) -> np.ndarray:
    """``mask`` widened by ``reach`` samples each way (running counts, no per-sample indexing)."""
    counts = np.cumsum(mask, dtype=np.int64)
    total = int(counts[-1]) if counts.size else 0
    padded = np.concatenate([np.zeros(reach + 1, np.int64), counts, np.full(reach, total)])
    return padded[2 * reach + 1 :] - padded[: mask.size] > 0


def _largest(arrays: list[np.ndarray]) -> np.ndarray:
    out = arrays[0].copy()
    for array in arrays[1:]:
        np.maximum(out, array, out=out)
    return out


def _energy(data: np.ndarray) -> float:
    return float(np.vdot(data, data))


def _gain(decibels: float) -> np.float32:
    return np.float32(10 ** (decibels / 20))
