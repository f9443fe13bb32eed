from __future__ import annotations

import numpy as np
import pytest

from generation import soundcheck

RATE = 48_000


def _sine(freq: float, amplitude: float, seconds: float = 5.0, phase: float = 0.0) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return amplitude * np.sin(2 * np.pi * freq * t + phase)


def _click(rng: np.random.Generator, amplitude: float = 0.3) -> np.ndarray:
    length = int(0.004 * RATE)
    return rng.normal(0, amplitude, length) * np.exp(-np.arange(length) / (0.001 * RATE))


def _thump(amplitude: float = 0.5) -> np.ndarray:
    k = np.arange(int(0.3 * RATE))
    attack = np.minimum(1.0, k / (0.002 * RATE))
    return amplitude * np.sin(2 * np.pi * 70 * k / RATE) * np.exp(-k / (0.06 * RATE)) * attack


def _place(signal: np.ndarray, sound: np.ndarray, at_s: float) -> None:
    start = int(round(at_s * RATE))
    signal[start : start + len(sound)] += sound[: len(signal) - start]


def test_it_measures_a_minus_20_dbfs_1khz_sine_at_minus_23_lufs() -> None:
    # BS.1770 puts a full-scale 1 kHz sine at -3.01 LUFS, so 20 dB down is -23.01 LUFS.
    assert soundcheck.integrated_lufs(_sine(1000, 10 ** (-20 / 20)), RATE) == pytest.approx(
        -23.01, abs=0.1
    )
    assert soundcheck.integrated_lufs(_sine(1000, 1.0), RATE) == pytest.approx(-3.01, abs=0.1)


def test_it_adds_the_channels_of_a_stereo_signal_into_its_loudness() -> None:
    mono = _sine(1000, 0.1)
    stereo = np.stack([mono, mono], axis=1).astype(np.float32)
    assert soundcheck.integrated_lufs(stereo, RATE) == pytest.approx(-20.0, abs=0.1)


def test_it_finds_a_true_peak_between_samples_above_the_sample_peak() -> None:
    # A quarter-rate sine sampled 45 degrees off its crests: every sample is at 0.707, the wave
    # itself reaches 1.0 between them.
    signal = _sine(RATE / 4, 1.0, seconds=0.5, phase=np.pi / 4)
    sample_peak = 20 * np.log10(np.abs(signal).max())
    true_peak = soundcheck.true_peak_dbtp(np.stack([signal, signal], axis=1), RATE)
    assert sample_peak == pytest.approx(-3.01, abs=0.05)
    assert true_peak > sample_peak + 2.5
    assert true_peak == pytest.approx(0.0, abs=0.2)


def test_it_finds_clicks_in_noise_within_5_ms_without_being_told_where() -> None:
    rng = np.random.default_rng(11)
    signal = rng.normal(0, 0.01, 6 * RATE)
    times = np.sort(rng.uniform(0.2, 5.8, 8))
    times = times[np.diff(times, prepend=0.0) > 0.1]
    for at in times:
        _place(signal, _click(rng), at)

    found = soundcheck.onsets(np.stack([signal, signal], axis=1), RATE)

    assert len(found) == len(times)
    assert np.max(np.abs(np.array(found) - times)) < 0.005


def test_it_finds_low_thumps_under_music_and_noise_within_5_ms() -> None:
    rng = np.random.default_rng(5)
    t = np.arange(4 * RATE) / RATE
    music = 0.1 * np.sin(2 * np.pi * 220 * t) * (0.5 + 0.5 * np.sin(np.pi * t))
    signal = music + 0.05 * np.sin(2 * np.pi * 330 * t) + rng.normal(0, 0.02, len(t))
    times = [0.31, 0.9, 1.47, 2.2, 2.93, 3.5]
    for at in times:
        _place(signal, _thump(), at)

    found = soundcheck.detect_onsets(signal, RATE)

    for at in times:
        onset = soundcheck.nearest(found, at, window_s=0.15)
        assert onset is not None
        assert abs(onset.time_s - at) < 0.005


def test_it_finds_no_onsets_in_steady_noise_or_silence() -> None:
    rng = np.random.default_rng(2)
    assert soundcheck.onsets(rng.normal(0, 0.05, 3 * RATE), RATE) == []
    assert soundcheck.onsets(np.zeros((3 * RATE, 2), dtype=np.float32), RATE) == []


def test_it_scores_identical_transcripts_as_no_errors() -> None:
    assert soundcheck.word_error_rate("The dog runs home.", "the dog runs home") == 0.0


def test_it_scores_one_substitution_in_four_words_as_a_quarter() -> None:
    assert soundcheck.word_error_rate("the dog runs home", "the cat runs home") == 0.25


def test_it_counts_deletions_and_insertions_against_the_reference_length() -> None:
    assert soundcheck.word_error_rate("the dog runs home", "the dog home") == 0.25
    assert soundcheck.word_error_rate("the dog runs home", "oh the dog runs home now") == 0.5
    assert soundcheck.word_error_rate("the dog runs home", "") == 1.0


def test_it_reads_numbers_as_words_and_ignores_case_and_punctuation() -> None:
    assert (
        soundcheck.word_error_rate("I have 3 cats, not 21!", "i have three cats not twenty one")
        == 0.0
    )
    assert soundcheck.word_error_rate("I have 3 cats", "i have three cats") == 0.0
    assert soundcheck.word_error_rate("We're up-to-date", "were up to date") == 0.0
    assert soundcheck.number_words(1204) == "one thousand two hundred four"


def test_it_hears_words_in_the_bundled_voice() -> None:
    from hibari import Hibari

    voice = Hibari()
    speech = voice("Hello, the weather is lovely today.", seed=1)

    heard = soundcheck.recognise(speech, voice.sample_rate)

    assert heard.strip()
    assert soundcheck.word_error_rate("hello the weather is lovely today", heard) < 0.5
