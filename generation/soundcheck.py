"""Measurements of a finished soundtrack: loudness, true peak, onsets and intelligibility.

Pure functions on numpy arrays (samples shaped (N,) or (N, channels), float in [-1, 1]), used by
``manage.py bench_audio`` to check the mixer's promises from the decoded MP4 rather than from the
mixer's own numbers. None of them knows what the mixer intended: the onset detector finds attacks
blind and the recogniser hears the words without the prompt.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyloudnorm
from pocketsphinx import Decoder  # a bench tool (requirements-dev.txt), not the running site
from scipy.ndimage import median_filter
from scipy.signal import butter, resample_poly, sosfiltfilt

TRUE_PEAK_OVERSAMPLING = 4
RECOGNISER_RATE = 16_000  # the English model in the pocketsphinx wheel is a 16 kHz model

# The onset detector's time scales, in seconds.
ONSET_HOP_S = 0.002  # detection function step
ONSET_WINDOW_S = 0.0107  # spectral frame (512 samples at 48 kHz)
ONSET_MEDIAN_S = 0.15  # span of the local median the threshold follows
ONSET_MIN_GAP_S = 0.02  # two attacks closer than this count as one
REFINE_POST_S = 0.001  # energy just after a candidate attack sample...
REFINE_PRE_S = 0.010  # ...against the energy just before it


@dataclass(frozen=True)
class Onset:
    """An attack found in a signal: its time in seconds and how sharply the spectrum rose."""

    time_s: float
    strength: float


def as_mono(samples: np.ndarray) -> np.ndarray:
    """Average the channels into one float64 signal."""
    x = np.asarray(samples, dtype=np.float64)
    return x.mean(axis=1) if x.ndim == 2 else x


def integrated_lufs(samples: np.ndarray, rate: int) -> float:
    """Integrated loudness per ITU-R BS.1770-4 (gated), in LUFS; -inf for silence."""
    x = np.asarray(samples, dtype=np.float64)
    return float(pyloudnorm.Meter(rate).integrated_loudness(x))


def true_peak_dbtp(samples: np.ndarray, rate: int) -> float:
    """The highest absolute value after 4x oversampling, over all channels, in dBFS (dBTP).

    Oversampling finds the peaks a DAC (or a lossy decoder) makes between samples, which the
    sample peak misses. ``rate`` does not change the result; it is kept for symmetry.
    """
    x = np.asarray(samples, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    if x.shape[0] == 0:
        return -math.inf
    up = resample_poly(x, TRUE_PEAK_OVERSAMPLING, 1, axis=0)
    peak = float(max(np.abs(up).max(), np.abs(x).max()))
    return 20.0 * math.log10(peak) if peak > 0 else -math.inf


# --- Onsets -------------------------------------------------------------------------------------


# Band edges in Hz: a low thump and a bright click each stand out in their own band, where the
# rest of the mix is steady, long before they stand out in the whole spectrum.
ONSET_BANDS_HZ = (0, 150, 300, 600, 1200, 2400, 4800, 9600)
ONSET_LAG = 3  # hops between the frames whose band levels are compared


def _band_levels(x: np.ndarray, rate: int, n_fft: int, hop: int) -> np.ndarray:
    """Level in dB of each band and of the whole spectrum, one row per hop.

    Row ``i`` is the frame at ``x[i*hop:]``.
    """
    x = np.ascontiguousarray(x)
    count = (len(x) - n_fft) // hop + 1
    frames = np.lib.stride_tricks.as_strided(
        x, shape=(count, n_fft), strides=(x.strides[0] * hop, x.strides[0]), writeable=False
    )
    power = np.abs(np.fft.rfft(frames * np.hanning(n_fft), axis=1)) ** 2
    edges = [int(round(hz * n_fft / rate)) for hz in ONSET_BANDS_HZ if hz < rate / 2]
    energy = np.add.reduceat(power, sorted(set(edges)), axis=1)
    # The last column is the whole spectrum: a loud hit stands out there even when every band
    # on its own is busy (rain in the highs, drums in the lows).
    energy = np.concatenate([energy, power.sum(axis=1, keepdims=True)], axis=1)
    return 10.0 * np.log10(energy + 1e-10)


def _detection(levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """How unusually fast the level rose at each hop, and in which band it rose most.

    Each column's rise is measured against that column's own typical wobble (a robust spread
    over the whole signal), so steady noise, rain or a held chord sets its own bar. The whole
    spectrum's rise counts in full and each band's a quarter: a hit over the mix lifts the total
    level, while a note in one quiet band, sharp as it may be, barely moves it.
    """
    rise = np.zeros_like(levels)
    rise[ONSET_LAG:] = levels[ONSET_LAG:] - levels[:-ONSET_LAG]
    centre = np.median(rise, axis=0)
    spread = 1.4826 * np.median(np.abs(rise - centre), axis=0) + 0.5
    score = np.maximum(rise - centre, 0.0) / spread
    return score[:, -1] + 0.25 * score[:, :-1].sum(axis=1), score.argmax(axis=1)


def _pick_peaks(score: np.ndarray, hop_s: float, sensitivity: float) -> list[int]:
    """Local maxima above an adaptive threshold: the local median plus a fixed margin."""
    span = max(3, int(round(ONSET_MEDIAN_S / hop_s)) | 1)
    threshold = median_filter(score, size=span, mode="nearest") + 6.0 * sensitivity
    gap = max(1, int(round(ONSET_MIN_GAP_S / hop_s)))
    peaks: list[int] = []
    for i in np.flatnonzero(score > threshold):
        lo, hi = max(0, i - gap), min(len(score), i + gap + 1)
        if score[i] < score[lo:hi].max() or (peaks and i - peaks[-1] <= gap):
            continue
        peaks.append(int(i))
    return peaks


@functools.cache
def _band_filter(band: int, rate: int) -> np.ndarray | None:
    if band >= len(ONSET_BANDS_HZ):
        return None  # the whole spectrum
    low = ONSET_BANDS_HZ[band]
    high = ONSET_BANDS_HZ[band + 1] if band + 1 < len(ONSET_BANDS_HZ) else None
    if high is None or high >= rate / 2:
        return butter(4, max(low, 20), btype="highpass", fs=rate, output="sos")
    if low == 0:
        return butter(4, high, btype="lowpass", fs=rate, output="sos")
    return butter(4, (low, high), btype="bandpass", fs=rate, output="sos")


def _refine(x: np.ndarray, start: int, stop: int, rate: int, band: int) -> int:
    """The attack sample in ``x[start:stop]``, in the band that rose.

    The energy just after a sample against the energy just before it peaks where a sound starts.
    The window after is one millisecond, longer in low bands, where a shorter one would follow the
    waveform's own cycle rather than its envelope.
    """
    margin = int(0.05 * rate)
    lo_cut, hi_cut = max(0, start - margin), min(len(x), stop + margin)
    sos = _band_filter(band, rate)
    part = x[lo_cut:hi_cut] if sos is None else sosfiltfilt(sos, x[lo_cut:hi_cut])
    low_hz = ONSET_BANDS_HZ[band] if sos is not None else rate / 2
    post_s = REFINE_POST_S if low_hz >= 1200 else (0.002 if low_hz >= 300 else 0.004)
    post = max(1, int(round(post_s * rate)))
    pre = max(1, int(round(REFINE_PRE_S * rate)))
    power = np.concatenate([[0.0], np.cumsum(part * part)])
    lo, hi = max(pre, start - lo_cut), min(len(part) - post, stop - lo_cut)
    if hi <= lo:
        return min(max(start, 0), len(x) - 1)
    t = np.arange(lo, hi)
    ratio = (power[t + post] - power[t]) / post / ((power[t] - power[t - pre]) / pre + 1e-12)
    return int(t[np.argmax(ratio)]) + lo_cut


def detect_onsets(samples: np.ndarray, rate: int, *, sensitivity: float = 1.0) -> list[Onset]:
    """Find attacks blind: band levels in 2 ms hops, adaptive threshold, refined to a sample.

    ``sensitivity`` scales the margin over the local median (lower finds softer attacks).
    """
    x = as_mono(samples)
    hop = max(1, int(round(ONSET_HOP_S * rate)))
    n_fft = max(2 * hop, int(round(ONSET_WINDOW_S * rate)))
    if len(x) < n_fft + ONSET_LAG * hop:
        return []
    score, band = _detection(_band_levels(x, rate, n_fft, hop))
    found: list[Onset] = []
    for i in _pick_peaks(score, hop / rate, sensitivity):
        # Frame i spans x[i*hop : i*hop + n_fft] and frame i - LAG started LAG hops earlier:
        # the new sound entered somewhere in between.
        start, stop = (i - ONSET_LAG - 1) * hop, i * hop + n_fft + hop
        sample = _refine(x, start, stop, rate, int(band[i]))
        found.append(Onset(time_s=sample / rate, strength=float(score[i])))
    return found


def onsets(samples: np.ndarray, rate: int) -> list[float]:
    """Times in seconds of the attacks in a signal, found without knowing where they should be."""
    return [onset.time_s for onset in detect_onsets(samples, rate)]


def nearest(found: list[Onset], time_s: float, window_s: float) -> Onset | None:
    """The onset closest to ``time_s`` if one lies within ``window_s`` of it, else None.

    This is how onset detectors are scored (MIREX): a detection within the tolerance counts for
    the reference time, and its distance is the timing error. A busy mix has onsets of its own
    (notes, raindrops), so a bench also says how many onsets a second it found.
    """
    near = [o for o in found if abs(o.time_s - time_s) <= window_s]
    return min(near, key=lambda o: abs(o.time_s - time_s)) if near else None


# --- Words --------------------------------------------------------------------------------------

_ONES = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
]  # fmt: skip
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def number_words(n: int) -> str:
    """An integer below a billion in English words: 42 -> "forty two"."""
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else " " + _ONES[n % 10])
    for size, name in ((1_000_000, "million"), (1000, "thousand"), (100, "hundred")):
        if n >= size:
            head, rest = divmod(n, size)
            return f"{number_words(head)} {name}" + (f" {number_words(rest)}" if rest else "")
    raise ValueError(f"{n} is too large to spell.")


def normalise_words(text: str) -> list[str]:
    """Lower-case words without punctuation, numbers spelled out, for comparing transcripts."""
    text = text.lower().replace("’", "'")
    text = re.sub(r"\d+", lambda m: f" {number_words(int(m.group()))} ", text)
    text = re.sub(r"[-–—/]", " ", text)
    text = re.sub(r"[^\w\s]", "", text)
    return text.split()


def word_error_rate(reference: str, hypothesis: str) -> float:
    """(substitutions + deletions + insertions) / reference words, by word-level Levenshtein."""
    ref, hyp = normalise_words(reference), normalise_words(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    previous = list(range(len(hyp) + 1))
    for i, word in enumerate(ref, start=1):
        current = [i]
        for j, heard in enumerate(hyp, start=1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (word != heard))
            )
        previous = current
    return previous[-1] / len(ref)


@functools.cache
def _decoder() -> Any:
    return Decoder(loglevel="FATAL")


def recognise(samples: np.ndarray, rate: int) -> str:
    """What an English speech recogniser (pocketsphinx's bundled model) hears, in lower case."""
    x = as_mono(samples)
    if rate != RECOGNISER_RATE:
        common = math.gcd(rate, RECOGNISER_RATE)
        x = resample_poly(x, RECOGNISER_RATE // common, rate // common)
    pcm = (np.clip(x, -1.0, 1.0) * 32767.0).astype("<i2")
    decoder = _decoder()
    decoder.start_utt()
    decoder.process_raw(pcm.tobytes(), full_utt=True)
    decoder.end_utt()
    hypothesis = decoder.hyp()
    return hypothesis.hypstr if hypothesis is not None else ""
