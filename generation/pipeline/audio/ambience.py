"""The sound of the place: surf and gulls, city traffic, birdsong or crickets, rain, wind, a crowd.

Layers are picked from the scene plan's setting, weather and time of day and made from one shared
stereo white noise (each layer filters its own band of it, so the layers stay unlike each other)
plus short synthesised calls (gulls, birds, horns, clinks, bubbles) placed at random moments.
The two channels get independent noise and calls are panned, which gives the bed its width.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from generation.pipeline.audio.synth import (
    add_at,
    at_rms,
    band,
    chirp,
    decay,
    fade_ends,
    finish,
    noise,
    release,
    sample_count,
    silence,
    slow_band,
    smooth_random,
    stretch,
)
from generation.pipeline.base import AUDIO_RATE


class Noise:
    """Full-rate stereo hiss (white noise above 1.5 kHz) shared by the layers that need high
    frequencies: rain, surf wash, leaves, sizzle, applause. It is filtered once, when the first
    of them asks, because filtering at the full rate is most of the ambience's cost; each layer
    shapes it with its own level over time. The channels are independent, which gives width."""

    def __init__(self, rng: np.random.Generator, n: int) -> None:
        self._rng, self._n = rng, n
        self._hiss: np.ndarray | None = None

    def hiss(self) -> np.ndarray:
        """The shared hiss at an RMS of 1; callers scale a copy, never this array."""
        if self._hiss is None:
            self._hiss = at_rms(band(noise(self._rng, self._n), "highpass", 1500.0), 1.0)
        return self._hiss


# A layer adds itself into the (N, 2) output, given the rng and the shared noise.
Layer = Callable[[np.ndarray, np.random.Generator, Noise], None]


def make_ambience(
    plan: dict, duration_s: float, rng: np.random.Generator
) -> tuple[np.ndarray, list[str]]:
    """Return (samples (N, 2) float32, words like ["rain", "city traffic"]) for a scene plan."""
    n = sample_count(duration_s)
    out = silence(n)
    if n == 0:
        return out, []
    layers = _setting_layers(str(plan.get("setting", "meadow")), str(plan.get("time_of_day")))
    layers += _WEATHER_LAYERS.get(str(plan.get("weather", "none")), [])
    base = Noise(rng, n)
    words: list[str] = []
    for word, layer in layers:
        if word not in words:
            layer(out, rng, base)
            words.append(word)
    fade_ends(out, 0.25, 0.25)
    return finish(out), words


def _setting_layers(setting: str, time_of_day: str) -> list[tuple[str, Layer]]:
    night = time_of_day == "night"
    if setting == "beach":
        return [("surf", _surf)] + ([] if night else [("gulls", _gulls)])
    if setting == "city" and night:
        return [("quiet night traffic", _night_traffic), ("a distant horn", _horn)]
    if setting == "city":
        return [("city traffic", _traffic), ("distant horns", _horns)]
    if setting == "forest":
        return [("rustling leaves", _leaves), _creatures(time_of_day)]
    if setting == "snow":
        return [("a soft wind", _soft_wind)]
    if setting == "space":
        return [("a low hum", _hum)]
    if setting == "kitchen":
        return [("room tone", _room_tone), ("clinking dishes", _clinks), ("a sizzle", _sizzle)]
    if setting == "room":
        return [("room tone", _room_tone)]
    if setting == "stage":
        return [("a crowd", _crowd), ("applause", _applause)]
    if setting == "underwater":
        return [("muffled bubbles", _underwater)]
    if setting in ("desert", "mountains"):
        return [("wind", _wind)]
    return [("a soft breeze", _breeze), _creatures(time_of_day)]  # meadow, and any other setting


def _creatures(time_of_day: str) -> tuple[str, Layer]:
    if time_of_day == "night":
        return ("crickets", _crickets)
    if time_of_day == "dawn":
        return ("a dawn chorus", _dawn_chorus)
    return ("birdsong", _birdsong)


# Beds: bands of filtered noise, each at its own level.


def _surf(out: np.ndarray, rng: np.random.Generator, base: Noise) -> None:
    n = out.shape[0]
    # Waves every 4.5-7.5 s: each swells over 1.4 s, breaks, then drains away over a few seconds.
    rate = 100
    t = np.arange(n // (AUDIO_RATE // rate) + 2, dtype=np.float32) / rate
    swell = np.full(t.shape, 0.25, dtype=np.float32)
    start = float(rng.uniform(-3.0, 0.0))
    while start < t[-1]:
        since = t - start
        rise = np.clip(since / 1.4, 0.0, 1.0) ** 2
        fall = np.exp(-np.clip(since - 1.4, 0.0, None) / 1.6)
        swell += np.where(since > 0, rise * fall, 0.0).astype(np.float32)
        start += float(rng.uniform(4.5, 7.5))
    env = stretch(swell, AUDIO_RATE // rate, n)[:, None]
    out += at_rms(slow_band(rng, n, "bandpass", (120.0, 1600.0), 4), 0.05) * env
    out += np.float32(0.015) * base.hiss() * env**2


def _traffic(out: np.ndarray, rng: np.random.Generator, base: Noise, rms: float = 0.06) -> None:
    level = smooth_random(rng, out.shape[0], 0.7, 0.45, 1.0)[:, None]
    out += at_rms(slow_band(rng, out.shape[0], "lowpass", 240.0, 8), rms) * level


def _night_traffic(out: np.ndarray, rng: np.random.Generator, base: Noise) -> None:
    _traffic(out, rng, base, rms=0.025)


def _leaves(out: np.ndarray, rng: np.random.Generator, base: Noise) -> None:
    gusts = smooth_random(rng, out.shape[0], 1.5, 0.0, 1.0)[:, None] ** 2
    out += np.float32(0.03) * base.hiss() * gusts


def _gusty(out: np.ndarray, rng: np.random.Generator, base: Noise, rms: float) -> None:
    level = smooth_random(rng, out.shape[0], 0.4, 0.2, 1.0)[:, None]
    out += at_rms(slow_band(rng, out.shape[0], "bandpass", (70.0, 650.0), 8), rms) * level


def _wind(out: np.ndarray, rng: np.random.Generator, base: Noise) -> None:
    _gusty(out, rng, base, 0.06)


def _soft_wind(out: np.ndarray, rng: np.random.Generator, base: Noise) -> None:
    _gusty(out, rng, base, 0.035)


def _breeze(out: np.ndarray, rng: np.random.Generator, base: Noise) -> None:
    _gusty(out, rng, base, 0.02)


def _room_tone(out: np.ndarray, rng: np.random.Generator, base: Noise) -> None:
    out += at_rms(slow_band(rng, out.shape[0], "lowpass", 400.0, 8), 0.02)


def _sizzle(out: np.ndarray, rng: np.random.Generator, base: Noise) -> None:
    crackle = smooth_random(rng, out.shape[0], 30.0, 0.0, 1.0)[:, None] ** 3
    out += np.float32(0.03) * base.hiss() * crackle


def _crowd(out: np.ndarray, rng: np.random.Generator, base: Noise) -> None:
    # Many voices: a speech band whose level jumps at syllable rate, differently on each side.
    n = out.shape[0]
    syllables = np.stack([smooth_random(rng, n, 7.0, 0.4, 1.0) for _ in range(2)], axis=1)
    out += at_rms(slow_band(rng, n, "bandpass", (250.0, 1400.0), 4), 0.045) * syllables


def _applause(out: np.ndarray, rng: np.random.Generator, base: Noise) -> None:
    # Applause as the clip opens, dying away over the first seconds.
    n = out.shape[0]
    claps = smooth_random(rng, n, 60.0, 0.1, 1.0)[:, None] ** 2
    fade = np.clip(1.0 - np.arange(n, dtype=np.float32) / np.float32(3.0 * AUDIO_RATE), 0, 1)
    out += np.float32(0.05) * base.hiss() * claps * fade[:, None]


def _cheering(out: np.ndarray, rng: np.random.Generator, base: Noise) -> None:
    n = out.shape[0]
    voices = np.stack([smooth_random(rng, n, 4.0, 0.3, 1.0) for _ in range(2)], axis=1)
    out += at_rms(slow_band(rng, n, "bandpass", (500.0, 3000.0), 2), 0.03) * voices


def _rain(out: np.ndarray, rng: np.random.Generator, base: Noise) -> None:
    level = smooth_random(rng, out.shape[0], 0.5, 0.75, 1.0)[:, None]
    out += np.float32(0.04) * base.hiss() * level
    for start in _moments(rng, out.shape[0], 12.0):
        size = sample_count(0.02)
        drop = chirp(size, float(rng.uniform(1500.0, 4000.0)), 900.0) * decay(size, 0.02)
        add_at(out, start, drop, gain=float(rng.uniform(0.01, 0.04)), pan=_pan(rng))


def _hum(out: np.ndarray, rng: np.random.Generator, base: Noise) -> None:
    n = out.shape[0]
    freq = float(rng.uniform(48.0, 60.0))
    hum = chirp(n, freq, freq, (1.0, 0.5, 0.25))
    hum *= 1.0 + 0.3 * np.sin(np.arange(n, dtype=np.float32) * np.float32(0.4 * np.pi / AUDIO_RATE))
    # The right side a few milliseconds late: the same hum, heard from a wider room.
    add_at(out, 0, hum, gain=0.05, pan=-0.5)
    add_at(out, sample_count(0.011), hum, gain=0.05, pan=0.5)
    out += at_rms(slow_band(rng, n, "lowpass", 150.0, 8), 0.01)


def _underwater(out: np.ndarray, rng: np.random.Generator, base: Noise) -> None:
    level = smooth_random(rng, out.shape[0], 0.5, 0.5, 1.0)[:, None]
    out += at_rms(slow_band(rng, out.shape[0], "lowpass", 260.0, 8), 0.05) * level
    _blips(out, rng, 3.0, (200.0, 500.0), 0.05)


# Calls: short synthesised sounds placed at random moments.


def _gulls(out: np.ndarray, rng: np.random.Generator, base: Noise) -> None:
    for start in _moments(rng, out.shape[0], 0.35):
        pitch, pan = float(rng.uniform(1300.0, 1700.0)), _pan(rng)
        for k in range(int(rng.integers(2, 4))):
            size = sample_count(float(rng.uniform(0.18, 0.3)))
            cry = chirp(size, pitch * 1.25, pitch * 0.8, (1.0, 0.5, 0.25))
            cry *= decay(size, 1.2 * size / AUDIO_RATE, attack_s=0.03)
            add_at(out, start + k * sample_count(0.33), release(cry, 0.03), gain=0.025, pan=pan)


def _birdsong(
    out: np.ndarray, rng: np.random.Generator, base: Noise, per_second: float = 1.2
) -> None:
    for start in _moments(rng, out.shape[0], per_second):
        pitch, pan, rising = float(rng.uniform(2500.0, 4500.0)), _pan(rng), rng.random() < 0.5
        at = start
        for _ in range(int(rng.integers(3, 8))):
            size = sample_count(float(rng.uniform(0.04, 0.09)))
            tweet = chirp(size, pitch, pitch * (1.35 if rising else 0.7))
            tweet *= decay(size, size / AUDIO_RATE, attack_s=0.006)
            add_at(out, at, release(tweet, 0.006), gain=0.05, pan=pan)
            at += size + sample_count(float(rng.uniform(0.03, 0.07)))


def _crickets(out: np.ndarray, rng: np.random.Generator, base: Noise) -> None:
    # Each cricket: chirps of four 30 Hz pulses of a ~4.5 kHz tone, every half second or so.
    size = sample_count(0.13)
    step = np.float32(60 * np.pi / AUDIO_RATE)
    pulses = 0.5 - 0.5 * np.cos(np.arange(size, dtype=np.float32) * step)
    for pan in (-0.6, 0.5):
        pitch = float(rng.uniform(4200.0, 4800.0))
        song = chirp(size, pitch, pitch) * pulses
        period = sample_count(float(rng.uniform(0.45, 0.7)))
        for start in range(int(rng.integers(0, period)), out.shape[0], period):
            add_at(out, start, song, gain=0.025, pan=pan)


def _dawn_chorus(out: np.ndarray, rng: np.random.Generator, base: Noise) -> None:
    _birdsong(out, rng, base, per_second=3.0)


def _horn(out: np.ndarray, rng: np.random.Generator, base: Noise) -> None:
    _horns(out, rng, base, per_second=0.0)  # exactly one: _moments always gives at least one


def _horns(out: np.ndarray, rng: np.random.Generator, base: Noise, per_second: float = 0.2) -> None:
    for start in _moments(rng, out.shape[0], per_second):
        size = sample_count(float(rng.uniform(0.25, 0.6)))
        pitch = float(rng.uniform(330.0, 440.0))
        reedy = (1.0, 0.0, 0.33, 0.0, 0.2)
        horn = chirp(size, pitch, pitch, reedy) + chirp(size, pitch * 1.26, pitch * 1.26, reedy)
        horn *= decay(size, 8.0, attack_s=0.02)
        add_at(out, start, release(horn, 0.08), gain=0.02, pan=_pan(rng))


def _clinks(out: np.ndarray, rng: np.random.Generator, base: Noise) -> None:
    # Struck china rings at a few inharmonic modes, the higher ones dying first.
    size = sample_count(0.4)
    for start in _moments(rng, out.shape[0], 0.5):
        pitch = float(rng.uniform(1800.0, 3200.0))
        ring = np.zeros(size, dtype=np.float32)
        for ratio, weight, seconds in ((1.0, 1.0, 0.4), (2.32, 0.6, 0.25), (4.25, 0.4, 0.12)):
            ring += weight * chirp(size, pitch * ratio, pitch * ratio) * decay(size, seconds)
        add_at(out, start, release(ring, 0.01), gain=0.04, pan=_pan(rng))


def _sparkles(out: np.ndarray, rng: np.random.Generator, base: Noise) -> None:
    size = sample_count(0.6)
    for start in _moments(rng, out.shape[0], 1.0):
        pitch = float(rng.uniform(3000.0, 6000.0))
        tinkle = chirp(size, pitch, pitch) * decay(size, 0.6, attack_s=0.003)
        add_at(out, start, release(tinkle, 0.01), gain=0.03, pan=_pan(rng))


def _bubbles(out: np.ndarray, rng: np.random.Generator, base: Noise) -> None:
    _blips(out, rng, 4.0, (500.0, 1200.0), 0.08)


def _blips(
    out: np.ndarray, rng: np.random.Generator, per_second: float, pitch: tuple, gain: float
) -> None:
    # A bubble rings and rises in pitch as it shrinks.
    for start in _moments(rng, out.shape[0], per_second):
        size = sample_count(float(rng.uniform(0.02, 0.05)))
        low = float(rng.uniform(*pitch))
        blip = chirp(size, low, low * 2.2) * decay(size, size / AUDIO_RATE, attack_s=0.002)
        add_at(out, start, release(blip, 0.003), gain=gain, pan=_pan(rng))


def _moments(rng: np.random.Generator, n: int, per_second: float) -> list[int]:
    """Random start samples, about ``per_second`` of them a second, at least one."""
    count = max(1, int(rng.poisson(per_second * n / AUDIO_RATE)))
    latest = max(1, n - sample_count(0.5))
    return sorted(int(s) for s in rng.integers(0, latest, count))


def _pan(rng: np.random.Generator) -> float:
    return float(rng.uniform(-0.8, 0.8))


_WEATHER_LAYERS: dict[str, list[tuple[str, Layer]]] = {
    "rain": [("rain", _rain)],
    "snow": [("a soft wind", _soft_wind)],
    "stars": [("a faint shimmer", _sparkles)],
    "confetti": [("cheering", _cheering)],
    "bubbles": [("bubbles", _bubbles)],
    "fireflies": [("crickets", _crickets)],
    "wind": [("wind", _wind)],
}
