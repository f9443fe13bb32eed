"""Effects on the renderer's event timeline: thumps, thunder, splashes and confetti pops.

Each effect starts on the exact sample of its event (``frame / fps`` seconds; thunder a fixed
``THUNDER_DELAY_S`` after its lightning, as light outruns sound) with a click-sharp attack, so
what is heard lands on the frame where it is seen.
"""

from __future__ import annotations

import numpy as np

from generation.pipeline.audio.synth import (
    add_at,
    band,
    chirp,
    decay,
    finish,
    noise,
    release,
    sample_count,
    silence,
    times,
)
from generation.pipeline.base import AUDIO_RATE, SoundEvent

# Thunder heard 0.9 s after the flash: a storm about 300 m away, close enough to feel.
THUNDER_DELAY_S = 0.9
# More repeats than this read better as a count and a span than as a list of times.
_MAX_LISTED_TIMES = 4
# kind -> (one, many) words for the description.
_NAMES: dict[str, tuple[str, str]] = {
    "thump": ("a thump", "thumps"),
    "lightning": ("thunder", "thunder claps"),
    "splash": ("a splash", "splashes"),
    "pop": ("a confetti pop", "confetti pops"),
}


def make_effects(
    events: list[SoundEvent], fps: int, duration_s: float, rng: np.random.Generator
) -> tuple[np.ndarray, list[str]]:
    """Return (samples (N, 2) float32, descriptions like "a thump at 1.4 s") for the events."""
    n = sample_count(duration_s)
    out = silence(n)
    heard: dict[str, list[float]] = {}
    for event in sorted(events, key=lambda e: (e.frame, e.kind)):
        maker = _MAKERS.get(event.kind)
        if maker is None or fps <= 0:
            continue
        onset_s = event.frame / fps + (THUNDER_DELAY_S if event.kind == "lightning" else 0.0)
        start = int(round(onset_s * AUDIO_RATE))
        if not 0 <= start < n:
            continue
        gain = 0.25 + 0.75 * min(max(event.strength, 0.0), 1.0)
        pan = float(rng.uniform(-0.35, 0.35))
        add_at(out, start, maker(rng), gain=0.7 * gain, pan=pan)
        heard.setdefault(event.kind, []).append(onset_s)
    release(out, 0.02)
    return finish(out), [_describe(kind, onsets) for kind, onsets in heard.items()]


def _describe(kind: str, onsets: list[float]) -> str:
    one, many = _NAMES[kind]
    moments = sorted({round(t, 1) for t in onsets})
    if len(onsets) == 1 or (len(moments) == 1 and len(onsets) <= _MAX_LISTED_TIMES):
        word = one if len(onsets) == 1 else many
        return f"{word} at {moments[0]:.1f} s"
    if len(onsets) > _MAX_LISTED_TIMES:
        return f"{len(onsets)} {many} from {moments[0]:.1f} to {moments[-1]:.1f} s"
    listed = [f"{t:.1f}" for t in moments]
    return f"{many} at {', '.join(listed[:-1])} and {listed[-1]} s"


def _click(rng: np.random.Generator, seconds: float) -> np.ndarray:
    """A full-level noise burst from its first sample: the sharp edge an onset is heard at."""
    n = sample_count(seconds)
    return noise(rng, n, channels=1) * decay(n, seconds)


def _thump(rng: np.random.Generator) -> np.ndarray:
    n = sample_count(0.35)
    body = chirp(n, 110.0, 42.0, (1.0, 0.3)) * decay(n, 0.35)
    out = np.float32(0.8) * body
    thud = band(noise(rng, sample_count(0.06), channels=1), "lowpass", 900.0)
    out[: thud.shape[0]] += np.float32(1.6) * thud * decay(thud.shape[0], 0.06)
    out[: sample_count(0.004)] += np.float32(0.5) * _click(rng, 0.004)
    return release(out, 0.01)


def _thunder(rng: np.random.Generator) -> np.ndarray:
    n = sample_count(3.2)
    crack = band(noise(rng, sample_count(0.25), channels=1), "highpass", 400.0) * decay(
        sample_count(0.25), 0.25
    )
    t = times(n)
    # Rolls of the rumble: a few swells of the low noise at random moments.
    swell = np.zeros(n, dtype=np.float32)
    for centre in sorted(rng.uniform(0.2, 1.8, 3)):
        swell += np.exp(-(((t - np.float32(centre)) / np.float32(0.35)) ** 2))
    rumble = band(noise(rng, n, channels=1), "lowpass", 160.0, order=3)
    out = np.float32(3.0) * rumble * (swell * decay(n, 3.2))
    out[: crack.shape[0]] += np.float32(0.7) * crack
    out[: sample_count(0.003)] += np.float32(0.6) * _click(rng, 0.003)
    return release(out, 0.3)


def _splash(rng: np.random.Generator) -> np.ndarray:
    n = sample_count(0.8)
    burst_n = sample_count(0.35)
    out = np.zeros(n, dtype=np.float32)
    out[:burst_n] = band(noise(rng, burst_n, channels=1), "bandpass", (500.0, 4000.0)) * decay(
        burst_n, 0.35
    )
    out *= np.float32(1.8)
    out[: sample_count(0.003)] += np.float32(0.5) * _click(rng, 0.003)
    # The bubbly tail: small rising blips, as bubbles of air ring while they shrink.
    for at in np.sort(rng.uniform(0.08, 0.6, 7)):
        size = sample_count(float(rng.uniform(0.02, 0.05)))
        base = float(rng.uniform(350.0, 900.0))
        start = sample_count(float(at))
        blip = chirp(size, base, base * 1.8) * decay(size, size / AUDIO_RATE)
        out[start : start + size] += np.float32(0.18) * blip[: n - start]
    return release(out, 0.02)


def _pop(rng: np.random.Generator) -> np.ndarray:
    n = sample_count(0.06)
    out = np.float32(0.45) * chirp(n, 2400.0, 900.0) * decay(n, 0.05)
    snap = band(_click(rng, 0.006), "highpass", 1500.0)
    out[: snap.shape[0]] += np.float32(1.2) * snap
    out[:3] += np.float32([0.8, -0.5, 0.3])  # the first samples carry the edge of the pop
    return release(out, 0.005)


_MAKERS = {"thump": _thump, "lightning": _thunder, "splash": _splash, "pop": _pop}
