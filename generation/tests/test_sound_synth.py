"""The synthesised soundtrack layers: ambience for the place, a music bed for the mood, effects on
the renderer's events. Everything is measured from the samples a person would hear."""

from __future__ import annotations

import re

import numpy as np
import pytest
from scipy import signal

from generation.pipeline import scene_vocab
from generation.pipeline.audio.ambience import make_ambience
from generation.pipeline.audio.effects import THUNDER_DELAY_S, make_effects
from generation.pipeline.audio.music import make_music
from generation.pipeline.base import AUDIO_RATE, FPS, SoundEvent

DAY_WORDS = {
    "beach": ["surf", "gulls"],
    "city": ["city traffic", "distant horns"],
    "forest": ["rustling leaves", "birdsong"],
    "space": ["a low hum"],
    "mountains": ["wind"],
    "underwater": ["muffled bubbles"],
    "desert": ["wind"],
    "snow": ["a soft wind"],
    "stage": ["a crowd", "applause"],
    "kitchen": ["room tone", "clinking dishes", "a sizzle"],
    "room": ["room tone"],
    "meadow": ["a soft breeze", "birdsong"],
}
NIGHT_WORDS = {
    "beach": ["surf"],
    "city": ["quiet night traffic", "a distant horn"],
    "forest": ["rustling leaves", "crickets"],
    "meadow": ["a soft breeze", "crickets"],
}
WEATHER_WORDS = {
    "rain": "rain",
    "snow": "a soft wind",
    "stars": "a faint shimmer",
    "confetti": "cheering",
    "bubbles": "bubbles",
    "fireflies": "crickets",
    "wind": "wind",
}


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


def plan(**changes: object) -> dict:
    base = {"setting": "meadow", "time_of_day": "day", "weather": "none"}
    base.update({"mood": "happy", "energy": 0.5, "action": "run", "subjects": ["dog"]})
    base.update(changes)
    return base


def onset_s(samples: np.ndarray, around_s: float, window_s: float = 0.1) -> float:
    """When the sound near ``around_s`` starts: the first sample over a tenth of its peak."""
    level = np.abs(samples).max(axis=1)
    begin = int((around_s - window_s) * AUDIO_RATE)
    part = level[begin : begin + int(2 * window_s * AUDIO_RATE)]
    first = int(np.argmax(part > 0.1 * part.max()))
    return (begin + first) / AUDIO_RATE


def estimated_bpm(samples: np.ndarray) -> float:
    """Tempo from the audio alone: autocorrelation of the onset envelope (rises in the log
    loudness above 200 Hz, 21 ms windows every 10 ms; the bass is left out because a held low
    note ripples a short window's loudness), strongest lag between 50 and 180 bpm, halved when
    half of it is nearly as strong (a beat heard as every other beat)."""
    mono = signal.sosfilt(
        signal.butter(2, 200, "highpass", fs=AUDIO_RATE, output="sos"),
        samples.mean(axis=1).astype(np.float64),
    )
    window, hop = 1024, AUDIO_RATE // 100
    energy = np.concatenate([[0.0], np.cumsum(mono**2)])
    starts = np.arange(0, len(mono) - window, hop)
    loudness = np.log1p(1000 * np.sqrt((energy[starts + window] - energy[starts]) / window))
    onsets = np.clip(np.diff(loudness), 0, None)
    onsets -= onsets.mean()
    corr = np.correlate(onsets, onsets, "full")[len(onsets) - 1 :]
    low, high = 33, 120
    lag = float(low + int(np.argmax(corr[low:high])))
    half = int(lag / 2)
    if half >= low and corr[half : half + 2].max() >= 0.5 * corr[int(lag)]:
        lag /= 2
    return 6000 / lag


@pytest.mark.parametrize("setting", sorted(DAY_WORDS))
def test_it_makes_a_non_silent_ambience_with_the_right_words_for_every_setting(
    setting: str,
) -> None:
    samples, words = make_ambience(plan(setting=setting), 4.0, np.random.default_rng(1))

    assert words == DAY_WORDS[setting]
    assert rms(samples) > 0.005


def test_every_setting_the_renderer_knows_has_its_own_ambience() -> None:
    assert set(DAY_WORDS) == set(scene_vocab.SETTINGS)
    assert set(WEATHER_WORDS) == set(scene_vocab.WEATHER) - {"none"}


@pytest.mark.parametrize("setting", sorted(NIGHT_WORDS))
def test_it_swaps_daytime_creatures_for_night_ones(setting: str) -> None:
    samples, words = make_ambience(
        plan(setting=setting, time_of_day="night"), 4.0, np.random.default_rng(1)
    )

    assert words == NIGHT_WORDS[setting]
    assert rms(samples) > 0.005


def test_birds_sing_a_busier_chorus_at_dawn() -> None:
    # In a meadow the birds are all there is above the breeze's band.
    day, day_words = make_ambience(plan(), 8.0, np.random.default_rng(4))
    dawn, dawn_words = make_ambience(plan(time_of_day="dawn"), 8.0, np.random.default_rng(4))
    _, forest_words = make_ambience(
        plan(setting="forest", time_of_day="dawn"), 4.0, np.random.default_rng(4)
    )

    assert day_words == ["a soft breeze", "birdsong"]
    assert dawn_words == ["a soft breeze", "a dawn chorus"]
    assert forest_words == ["rustling leaves", "a dawn chorus"]
    birds = signal.butter(4, (2400, 6500), "bandpass", fs=AUDIO_RATE, output="sos")
    assert rms(signal.sosfilt(birds, dawn, axis=0)) > 1.3 * rms(signal.sosfilt(birds, day, axis=0))


def test_the_city_quietens_at_night() -> None:
    day, _ = make_ambience(plan(setting="city"), 8.0, np.random.default_rng(4))
    night, _ = make_ambience(
        plan(setting="city", time_of_day="night"), 8.0, np.random.default_rng(4)
    )

    assert rms(night) < 0.7 * rms(day)


@pytest.mark.parametrize("weather", sorted(WEATHER_WORDS))
def test_it_adds_an_audible_layer_for_every_weather(weather: str) -> None:
    clear, clear_words = make_ambience(plan(setting="space"), 4.0, np.random.default_rng(5))
    wet, words = make_ambience(
        plan(setting="space", weather=weather), 4.0, np.random.default_rng(5)
    )

    assert words == [*clear_words, WEATHER_WORDS[weather]]
    assert rms(wet - clear) > 0.002


def test_it_names_a_sound_once_when_the_place_and_the_weather_share_it() -> None:
    _, words = make_ambience(
        plan(setting="forest", time_of_day="night", weather="fireflies"),
        4.0,
        np.random.default_rng(2),
    )

    assert words == ["rustling leaves", "crickets"]


def test_ambience_has_stereo_width() -> None:
    samples, _ = make_ambience(plan(setting="city", weather="rain"), 4.0, np.random.default_rng(3))

    left, right = samples[:, 0], samples[:, 1]
    assert abs(float(np.corrcoef(left, right)[0, 1])) < 0.5
    assert rms(left - right) > 0.2 * rms(samples)


def test_an_unknown_setting_sounds_like_a_meadow() -> None:
    _, words = make_ambience(plan(setting="castle"), 4.0, np.random.default_rng(1))

    assert words == DAY_WORDS["meadow"]


@pytest.mark.parametrize(
    "make",
    [
        lambda rng: make_ambience(plan(setting="beach", weather="rain"), 4.0, rng),
        lambda rng: make_music(plan(mood="energetic", energy=0.9), 4.0, rng),
        lambda rng: make_music(plan(mood="calm", energy=0.2), 4.0, rng),
        lambda rng: make_effects(
            [SoundEvent("thump", 10), SoundEvent("lightning", 20), SoundEvent("splash", 40)],
            FPS,
            4.0,
            rng,
        ),
    ],
    ids=["ambience", "driving music", "calm music", "effects"],
)
def test_the_same_seed_gives_identical_samples_and_two_seeds_differ(make: object) -> None:
    first, first_words = make(np.random.default_rng([7, 1]))
    again, again_words = make(np.random.default_rng([7, 1]))
    other, _ = make(np.random.default_rng([8, 1]))

    assert np.array_equal(first, again)
    assert first_words == again_words
    assert not np.array_equal(first, other)


@pytest.mark.parametrize("seed", range(4))
def test_calm_music_is_slow_and_energetic_music_drives(seed: int) -> None:
    calm, calm_words = make_music(plan(mood="calm", energy=0.25), 8.0, np.random.default_rng(seed))
    fast, fast_words = make_music(
        plan(mood="energetic", energy=0.9), 8.0, np.random.default_rng(seed)
    )

    assert 58 <= estimated_bpm(calm) <= 82
    assert 118 <= estimated_bpm(fast) <= 142
    assert re.fullmatch(r"soft piano at \d+ bpm in [A-G][♭♯]? major", calm_words)
    assert re.fullmatch(
        r"driving synth and drums at \d+ bpm in [A-G][♭♯]? (major|minor)", fast_words
    )


@pytest.mark.parametrize(
    ("mood", "energy", "low", "high", "words"),
    [
        ("happy", 0.6, 98, 117, r"marimba and plucks at \d+ bpm in \S+ major"),
        ("dramatic", 0.8, 118, 136, r"dramatic strings and drums at \d+ bpm in \S+ minor"),
        ("sad", 0.15, 58, 74, r"soft piano at \d+ bpm in \S+ minor"),
    ],
)
def test_each_mood_plays_at_its_own_tempo_and_mode(
    mood: str, energy: float, low: int, high: int, words: str
) -> None:
    for seed in range(3):
        samples, phrase = make_music(
            plan(mood=mood, energy=energy), 8.0, np.random.default_rng(seed)
        )

        assert low <= estimated_bpm(samples) <= high
        assert re.fullmatch(words, phrase)


def test_the_music_tempo_in_words_is_the_tempo_heard() -> None:
    samples, phrase = make_music(plan(mood="happy", energy=0.4), 8.0, np.random.default_rng(11))

    said = int(re.search(r"at (\d+) bpm", phrase).group(1))
    assert abs(estimated_bpm(samples) - said) <= 3


def test_music_fades_in_and_out_without_a_click() -> None:
    samples, _ = make_music(plan(mood="energetic", energy=1.0), 8.0, np.random.default_rng(4))

    assert np.abs(samples[:48]).max() < 0.01
    assert np.abs(samples[-48:]).max() < 0.001
    assert rms(samples[AUDIO_RATE : 2 * AUDIO_RATE]) > 0.03


@pytest.mark.parametrize("mood", ["calm", "sad", "romantic", "mysterious"])
def test_slow_music_has_no_clicks(mood: str) -> None:
    # Its tones stop below 4 kHz, so anything above 12 kHz would be a note starting or ending
    # on a jump.
    highpass = signal.butter(4, 12000, "highpass", fs=AUDIO_RATE, output="sos")
    for seed in range(3):
        samples, _ = make_music(plan(mood=mood, energy=0.5), 8.0, np.random.default_rng(seed))

        clicks = np.abs(signal.sosfilt(highpass, samples, axis=0)).max()
        assert 20 * np.log10(clicks / np.abs(samples).max()) < -50


NOTE_NAMES = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
SCALES = {"major": {0, 2, 4, 5, 7, 9, 11}, "minor": {0, 2, 3, 5, 7, 8, 10}}


def bass_notes(samples: np.ndarray) -> list[int]:
    """Pitch class of the strongest tone between 60 and 130 Hz in each half second."""
    mono = samples.mean(axis=1)
    size = AUDIO_RATE // 2
    freqs = np.fft.rfftfreq(size, 1 / AUDIO_RATE)
    band = (freqs >= 60) & (freqs <= 130)
    notes = []
    for start in range(0, len(mono) - size, size // 2):
        spectrum = np.abs(np.fft.rfft(mono[start : start + size] * np.hanning(size)))
        peak = freqs[band][int(np.argmax(spectrum[band]))]
        notes.append(round(69 + 12 * np.log2(peak / 440)) % 12)
    return notes


@pytest.mark.parametrize("mood", ["calm", "sad"])
def test_the_bass_moves_through_chords_of_the_key_it_names(mood: str) -> None:
    for seed in range(3):
        samples, phrase = make_music(plan(mood=mood), 8.0, np.random.default_rng(seed))

        name, mode = re.search(r"in ([A-G])([♭♯]?) (major|minor)$", phrase).group(1, 3)
        accidental = re.search(r"in [A-G]([♭♯]?) ", phrase).group(1)
        tonic = (NOTE_NAMES[name] + {"♭": -1, "♯": 1, "": 0}[accidental]) % 12
        heard = {(note - tonic) % 12 for note in bass_notes(samples)}
        assert heard <= SCALES[mode]
        assert 0 in heard  # every progression comes home to the tonic
        assert len(heard) >= 3


def test_two_clips_get_different_music() -> None:
    phrases = {
        make_music(plan(mood="calm"), 4.0, np.random.default_rng(seed))[1] for seed in range(6)
    }

    assert len(phrases) > 1


@pytest.mark.parametrize("kind", ["thump", "splash", "pop"])
def test_an_effect_starts_on_its_frame_within_a_millisecond(kind: str) -> None:
    samples, words = make_effects([SoundEvent(kind, 33)], FPS, 4.0, np.random.default_rng(9))

    assert abs(onset_s(samples, 33 / FPS) - 33 / FPS) <= 0.001
    assert len(words) == 1 and words[0].endswith("at 1.4 s")


def test_thunder_is_heard_its_delay_after_the_lightning() -> None:
    samples, words = make_effects([SoundEvent("lightning", 24)], FPS, 4.0, np.random.default_rng(9))

    assert 0.6 <= THUNDER_DELAY_S <= 1.2
    assert np.abs(samples[: int((1.0 + THUNDER_DELAY_S) * AUDIO_RATE) - 1]).max() == 0
    assert abs(onset_s(samples, 1.0 + THUNDER_DELAY_S) - (1.0 + THUNDER_DELAY_S)) <= 0.001
    assert words == [f"thunder at {1.0 + THUNDER_DELAY_S:.1f} s"]
    assert rms(samples[int(2.2 * AUDIO_RATE) : int(3.0 * AUDIO_RATE)]) > 0.01  # the rumble


def test_a_stronger_event_sounds_louder() -> None:
    soft, _ = make_effects([SoundEvent("thump", 12, 0.1)], FPS, 2.0, np.random.default_rng(1))
    hard, _ = make_effects([SoundEvent("thump", 12, 1.0)], FPS, 2.0, np.random.default_rng(1))

    assert np.abs(hard).max() > 2 * np.abs(soft).max()


def test_effects_are_described_once_each_with_repeats_grouped() -> None:
    events = [SoundEvent("thump", frame) for frame in (12, 24, 36)]
    events += [SoundEvent("splash", 48), SoundEvent("pop", 60), SoundEvent("pop", 61)]
    events += [SoundEvent("pop", frame) for frame in range(96, 180, 12)]

    _, words = make_effects(events, FPS, 8.0, np.random.default_rng(1))

    assert words == [
        "thumps at 0.5, 1.0 and 1.5 s",
        "a splash at 2.0 s",
        "9 confetti pops from 2.5 to 7.0 s",
    ]


def test_an_event_after_the_clip_ends_is_neither_heard_nor_described() -> None:
    events = [SoundEvent("lightning", 80), SoundEvent("thump", 200), SoundEvent("whoosh", 10)]

    samples, words = make_effects(events, FPS, 4.0, np.random.default_rng(1))

    assert words == []
    assert np.abs(samples).max() == 0


@pytest.mark.parametrize("duration_s", [4.0, 8.0, 12.0, 2.5])
def test_every_layer_is_finite_float32_stereo_within_full_scale(duration_s: float) -> None:
    crowded = [SoundEvent(kind, frame) for frame in range(0, 240, 6) for kind in ("thump", "pop")]
    crowded += [SoundEvent("lightning", frame) for frame in range(0, 240, 20)]
    outputs = [
        make_ambience(
            plan(setting="stage", weather="confetti"), duration_s, np.random.default_rng(1)
        ),
        make_music(plan(mood="energetic", energy=1.0), duration_s, np.random.default_rng(1)),
        make_effects(crowded, FPS, duration_s, np.random.default_rng(1)),
    ]

    for samples, _ in outputs:
        assert samples.dtype == np.float32
        assert samples.shape == (round(duration_s * AUDIO_RATE), 2)
        assert np.isfinite(samples).all()
        assert np.abs(samples).max() <= 1.0
        assert rms(samples) > 0.001


def test_layers_sit_at_their_relative_levels() -> None:
    ambience, _ = make_ambience(plan(setting="city"), 8.0, np.random.default_rng(1))
    music, _ = make_music(plan(mood="happy"), 8.0, np.random.default_rng(1))
    effects, _ = make_effects([SoundEvent("thump", 48)], FPS, 8.0, np.random.default_rng(1))

    assert rms(ambience) < rms(music)
    assert np.abs(effects).max() > np.abs(music[AUDIO_RATE:]).max() * 0.5
