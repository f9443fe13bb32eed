"""A music bed that follows the scene's mood and energy: chords, a melody, and for lively moods
bass and drums, all synthesised (additive and modal tones, filtered-noise drums).

Calm, sad and romantic moods play slowly (60-80 bpm) on soft piano or a pad, sad and mysterious
ones in minor; happy ones play marimba and plucks at 100-115 bpm in major; energetic and dramatic
ones drive at 120-140 bpm with synth bass and drums. The rng picks the key, the progression and
the melody, so two clips differ while the same rng gives the same samples.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

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
    times,
)
from generation.pipeline.base import AUDIO_RATE

MUSIC_RMS = 0.08  # a moderate bed: under the effects and speech once mixed
_SCALES = {"major": (0, 2, 4, 5, 7, 9, 11), "minor": (0, 2, 3, 5, 7, 8, 10)}
# Scale degrees from 0: I-V-vi-IV, I-vi-IV-V, I-IV-vi-V, IV-I-V-vi; i-VI-III-VII, i-VII-VI-VII,
# i-iv-VI-v, i-VI-iv-v.
_PROGRESSIONS = {
    "major": ((0, 4, 5, 3), (0, 5, 3, 4), (0, 3, 5, 4), (3, 0, 4, 5)),
    "minor": ((0, 5, 2, 6), (0, 6, 5, 6), (0, 3, 5, 4), (0, 5, 3, 4)),
}
_KEYS = {
    "major": ("C", "D♭", "D", "E♭", "E", "F", "F♯", "G", "A♭", "A", "B♭", "B"),
    "minor": ("C", "C♯", "D", "E♭", "E", "F", "F♯", "G", "G♯", "A", "B♭", "B"),
}


@dataclass(frozen=True)
class _Style:
    words: str
    chords: str  # instrument for the chords
    melody: str  # instrument for the tune
    bpm: tuple[int, int]
    mode: str  # "major", "minor" or "either"
    groove: str  # "slow" (melody on the beat), "bounce" (arpeggios) or "drive" (bass and drums)


_STYLES = {
    "calm": _Style("soft piano", "piano", "piano", (60, 80), "major", "slow"),
    "sad": _Style("soft piano", "piano", "piano", (60, 72), "minor", "slow"),
    "romantic": _Style("a warm pad and piano", "pad", "piano", (66, 80), "major", "slow"),
    "mysterious": _Style("a dark pad and bells", "pad", "bell", (60, 76), "minor", "slow"),
    "happy": _Style("marimba and plucks", "marimba", "pluck", (100, 115), "major", "bounce"),
    "energetic": _Style("driving synth and drums", "synth", "lead", (120, 140), "either", "drive"),
    "dramatic": _Style(
        "dramatic strings and drums", "strings", "lead", (120, 134), "minor", "drive"
    ),
}


@dataclass(frozen=True)
class _Song:
    style: _Style
    bpm: int
    tonic: int  # MIDI note of the key's tonic, in the octave from C3
    mode: str
    progression: tuple[int, ...]

    @property
    def beat(self) -> int:
        return int(round(60.0 / self.bpm * AUDIO_RATE))

    @property
    def chord_beats(self) -> int:
        # Slow songs change chord every two beats, so a short clip still hears the progression.
        return 2 if self.bpm < 90 else 4

    def note(self, degree: int, low: int) -> int:
        """MIDI note of a scale degree, moved by octaves into [low, low + 12)."""
        scale = _SCALES[self.mode]
        midi = self.tonic + 12 * (degree // 7) + scale[degree % 7]
        return low + (midi - low) % 12

    def describe(self) -> str:
        key = _KEYS[self.mode][self.tonic % 12]
        return f"{self.style.words} at {self.bpm} bpm in {key} {self.mode}"


def make_music(plan: dict, duration_s: float, rng: np.random.Generator) -> tuple[np.ndarray, str]:
    """Return (samples (N, 2) float32, a phrase like "soft piano at 70 bpm in D major")."""
    song = _compose(plan, rng)
    n = sample_count(duration_s)
    out = silence(n)
    if n == 0:
        return out, song.describe()
    _play_chords(out, song, rng)
    _play_melody(out, song, rng)
    if song.style.groove == "drive":
        _play_drums(out, song, rng)
    at_rms(out, MUSIC_RMS)
    fade_ends(out, 0.1, min(1.0, duration_s / 4))
    return finish(out), song.describe()


def _compose(plan: dict, rng: np.random.Generator) -> _Song:
    style = _STYLES.get(str(plan.get("mood", "happy")), _STYLES["happy"])
    energy = min(max(float(plan.get("energy", 0.5)), 0.0), 1.0)
    low, high = style.bpm
    bpm = int(np.clip(round(low + energy * (high - low) + rng.integers(-3, 4)), low, high))
    mode = style.mode if style.mode != "either" else ("minor", "major")[int(rng.integers(2))]
    progressions = _PROGRESSIONS[mode]
    progression = progressions[int(rng.integers(len(progressions)))]
    return _Song(style, bpm, 48 + int(rng.integers(12)), mode, progression)


def _chord_starts(out: np.ndarray, song: _Song) -> list[tuple[int, int]]:
    """(start sample, scale degree) of each chord in the clip."""
    span = song.beat * song.chord_beats
    count = math.ceil(out.shape[0] / span)
    return [(i * span, song.progression[i % len(song.progression)]) for i in range(count)]


def _play_chords(out: np.ndarray, song: _Song, rng: np.random.Generator) -> None:
    span = song.beat * song.chord_beats
    style = song.style
    for start, degree in _chord_starts(out, song):
        notes = [song.note(degree + step, 53) for step in (0, 2, 4)]
        bass = song.note(degree, 36)
        if style.groove == "bounce":
            _arpeggio(out, song, start, notes, rng)
            for beat in (0, 2):
                _play(out, "pluck", bass, start + beat * song.beat, 2 * song.beat, 0.8, 0.0)
            continue
        if style.chords == "synth":
            for at in (0, song.beat * 3 // 2):
                for i, midi in enumerate(notes):
                    _play(out, "synth", midi, start + at, song.beat, 0.35, 0.3 * (i - 1))
        else:
            strum = sample_count(0.012) if style.chords == "piano" else 0
            # Sustained chords hold on through the next chord's swell, so the bed never dips.
            hold = span + (0 if style.chords == "piano" else _VOICE_ATTACK[style.chords])
            # Under drums they stay back, so the beat carries the drive.
            level = 0.15 if style.groove == "drive" else 0.25 if style.chords == "pad" else 0.45
            for i, midi in enumerate(notes):
                gain = level * float(rng.uniform(0.85, 1.0))
                _play(out, style.chords, midi, start + i * strum, hold, gain, 0.3 * (i - 1))
            if style.groove != "drive":
                _play(out, style.chords, bass, start, hold, 0.6 * level / 0.45, 0.0)
        if style.groove == "drive":
            for eighth in range(2 * song.chord_beats):
                accent = 1.0 if eighth % 2 == 0 else 0.55
                at = start + eighth * song.beat // 2
                _play(out, "bass", bass, at, song.beat // 2, accent, 0.0)


def _arpeggio(
    out: np.ndarray, song: _Song, start: int, notes: list[int], rng: np.random.Generator
) -> None:
    order = (0, 1, 2, 1) if rng.random() < 0.5 else (0, 2, 1, 2)
    for eighth in range(2 * song.chord_beats):
        midi = notes[order[eighth % 4]]
        at = start + eighth * song.beat // 2
        _play(out, "marimba", midi, at, song.beat, 0.5 if eighth % 2 else 0.6, 0.25)


def _play_melody(out: np.ndarray, song: _Song, rng: np.random.Generator) -> None:
    # A walk on the scale: chord tones where the chord changes, steps between, a few rests.
    beats = math.ceil(out.shape[0] / song.beat)
    chords = dict(_chord_starts(out, song))
    degree = 7 + int(rng.choice((0, 2, 4)))
    for index in range(beats):
        start = index * song.beat
        if start in chords:
            degree = 7 + chords[start] + int(rng.choice((0, 2, 4)))
        elif rng.random() < 0.25:
            continue
        else:
            degree = int(np.clip(degree + rng.choice((-2, -1, 1, 2)), 5, 14))
        midi = song.note(degree, 67)
        gain = (0.6 if start in chords else 0.5) * float(rng.uniform(0.85, 1.0))
        _play(out, song.style.melody, midi, start, song.beat, gain, 0.15)


def _play_drums(out: np.ndarray, song: _Song, rng: np.random.Generator) -> None:
    kit = {name: maker(rng) for name, maker in _DRUMS.items()}
    four_on_floor = song.style.chords == "synth"
    for index in range(math.ceil(out.shape[0] / song.beat)):
        start = index * song.beat
        if four_on_floor or index % 2 == 0:
            add_at(out, start, kit["kick"], gain=1.0)
        if index % 2 == 1:
            add_at(out, start, kit["snare"], gain=0.6, pan=-0.05)
        add_at(out, start, kit["hat"], gain=0.25, pan=0.3)
        add_at(out, start + song.beat // 2, kit["hat"], gain=0.18, pan=0.3)


def _play(
    out: np.ndarray, instrument: str, midi: int, start: int, length: int, gain: float, pan: float
) -> None:
    """Add one note, cut after ``length`` samples with a short release where the buffer is
    longer, so no note ends on a click."""
    buf = _note(instrument, midi)
    if length < buf.shape[0]:
        buf = release(buf[: length + sample_count(0.04)].copy(), 0.04)
    add_at(out, start, buf, gain=gain, pan=pan)


# Instruments: (overtone weights, overtone frequency ratios, seconds to fade, attack s, length s)
_VOICES: dict[str, tuple[tuple[float, ...], tuple[float, ...], float, float, float]] = {
    "piano": ((1.0, 0.45, 0.25, 0.12), (1.0, 2.001, 3.003, 4.006), 2.4, 0.003, 2.6),
    "pad": ((1.0, 0.4, 0.3), (1.0, 1.003, 2.0), 60.0, 0.25, 2.6),
    "bell": ((1.0, 0.5, 0.25), (1.0, 2.76, 5.4), 1.8, 0.002, 1.8),
    "marimba": ((1.0, 0.25), (1.0, 3.93), 0.45, 0.002, 0.5),
    "pluck": ((1.0, 0.5, 0.33, 0.25), (1.0, 2.0, 3.0, 4.0), 0.5, 0.002, 0.6),
    "synth": ((1.0, 0.5, 0.33, 0.25, 0.2), (1.0, 2.0, 3.0, 4.0, 5.0), 0.6, 0.004, 0.6),
    "strings": ((1.0, 0.5, 0.33, 0.25), (1.0, 2.0, 3.0, 4.0), 60.0, 0.08, 2.2),
    "bass": ((1.0, 0.5, 0.33), (1.0, 2.0, 3.0), 0.35, 0.003, 0.4),
    "lead": ((1.0, 0.33, 0.2), (1.0, 3.0, 5.0), 0.8, 0.004, 0.8),
}


_VOICE_ATTACK = {name: sample_count(voice[3]) for name, voice in _VOICES.items()}


@lru_cache(maxsize=512)
def _note(instrument: str, midi: int) -> np.ndarray:
    """One note of an instrument, made once per process: higher overtones fade faster (the k-th
    fades as the fundamental's envelope to the k-th power, a multiply instead of an exp)."""
    weights, ratios, fade_s, attack_s, length_s = _VOICES[instrument]
    freq = 440.0 * 2 ** ((midi - 69) / 12)
    n = sample_count(length_s)
    phase = times(n) * np.float32(2 * np.pi * freq)
    envelope = decay(n, fade_s * min(max((220.0 / freq) ** 0.4, 0.5), 1.6))
    fading = np.ones(n, dtype=np.float32)
    buf = np.zeros(n, dtype=np.float32)
    for weight, ratio in zip(weights, ratios, strict=True):
        fading *= envelope
        if ratio * freq < AUDIO_RATE / 2.2:
            buf += np.float32(weight) * np.sin(phase * np.float32(ratio)) * fading
    attack = sample_count(attack_s)
    buf[:attack] *= np.linspace(0.0, 1.0, attack, endpoint=False, dtype=np.float32)
    release(buf, min(0.3, length_s / 3))
    buf.flags.writeable = False
    return buf


def _kick(rng: np.random.Generator) -> np.ndarray:
    n = sample_count(0.3)
    out = chirp(n, 150.0, 45.0) * decay(n, 0.3)
    out[: sample_count(0.003)] += 0.4 * noise(rng, sample_count(0.003), channels=1)
    return release(out, 0.01)


def _snare(rng: np.random.Generator) -> np.ndarray:
    n = sample_count(0.2)
    rattle = band(noise(rng, n, channels=1), "bandpass", (1000.0, 8000.0)) * decay(n, 0.18)
    body = chirp(n, 190.0, 170.0) * decay(n, 0.1)
    return release(1.5 * rattle + 0.5 * body, 0.01)


def _hat(rng: np.random.Generator) -> np.ndarray:
    n = sample_count(0.05)
    return release(band(noise(rng, n, channels=1), "highpass", 7000.0) * decay(n, 0.05), 0.005)


_DRUMS = {"kick": _kick, "snare": _snare, "hat": _hat}
