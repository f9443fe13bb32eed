"""Spoken lines: which quotes are speech, who says them, the checks at submit, and the voice."""

from __future__ import annotations

import socket
import urllib.request

import hibari.voices
import numpy as np
import pytest

from generation.pipeline.audio import speech
from generation.pipeline.audio.lines import check_lines, line_seconds, spoken_lines
from generation.pipeline.base import AUDIO_RATE
from generation.pipeline.scene import plan_scene

EVERYDAY_SENTENCES = [
    "Best day ever!",
    "Wow. Look at that. It is huge!",
    "I have 3 dogs and 2 cats.",
    "We made it to the top, finally!",
    "Come back here, you silly cat!",
    "Goodnight moon, goodnight stars.",
    "Why is the sky so blue today?",
    "I'm hungry. Are you hungry? Let's eat.",
    "Oh no, the ice cream is melting!",
    "Strawberries are delicious.",
]


def _median_pitch(samples: np.ndarray, rate: int = AUDIO_RATE) -> float:
    """Median fundamental frequency of the louder 50 ms frames, from the cepstrum's peak."""
    size = int(0.05 * rate)
    frames = [samples[i : i + size] for i in range(0, samples.size - size, size // 2)]
    loudest = max(float(np.sqrt(np.mean(frame**2))) for frame in frames)
    shortest, longest = rate // 400, rate // 70  # periods of 400 Hz and 70 Hz
    pitches = []
    for frame in frames:
        if np.sqrt(np.mean(frame**2)) < 0.2 * loudest:
            continue
        spectrum = np.log(np.abs(np.fft.rfft(frame * np.hanning(size), 8192)) + 1e-6)
        cepstrum = np.fft.irfft(spectrum)
        pitches.append(rate / (shortest + int(np.argmax(cepstrum[shortest:longest]))))
    return float(np.median(pitches))


# ---------------------------------------------------------------------------- which quotes


def test_it_reads_a_quote_after_says_as_a_line_of_the_subject_before_it() -> None:
    (line,) = spoken_lines('a dog says "best day ever" on the beach')

    assert (line.text, line.who, line.verb, line.speaker) == ("best day ever", "dog", "says", 0)
    assert 'a dog says "best day ever" on the beach'[slice(*line.span)] == '"best day ever"'


def test_it_leaves_a_bare_quote_to_be_the_caption() -> None:
    assert spoken_lines('"HAPPY BIRTHDAY" on a cake in the kitchen') == []
    assert spoken_lines('a robot holding a sign that says "Happy birthday"') == []


def test_it_reads_curly_guillemet_and_corner_quotes_and_a_colon() -> None:
    prompt = "a cat whispers: “hello there”, an owl asks «who?» and a fox sings 「la la」"

    lines = spoken_lines(prompt)

    assert [(line.text, line.who) for line in lines] == [
        ("hello there", "cat"),
        ("who?", "owl"),
        ("la la", "fox"),
    ]


def test_it_gives_two_speakers_two_voices_and_the_same_speaker_the_same_voice() -> None:
    prompt = 'a dog says "hi". The cat replies "hello". Then the dog shouts "race you!"'

    lines = spoken_lines(prompt)

    assert [(line.who, line.speaker) for line in lines] == [("dog", 0), ("cat", 1), ("dog", 0)]
    check_lines(prompt, 8)  # two voices, short lines: nothing to refuse


def test_a_line_without_a_named_speaker_goes_to_the_first_voice() -> None:
    (line,) = spoken_lines('sunset over the sea. says "hi"')

    assert (line.who, line.speaker) == ("", 0)


def test_it_refuses_lines_for_three_speakers_with_their_names() -> None:
    prompt = 'a dog says "hi", a cat says "hey" and an owl says "hoo"'

    with pytest.raises(ValueError) as error:
        check_lines(prompt, 12)

    assert str(error.value) == (
        "Only two voices can speak in one video; this prompt gives lines to three (dog, cat, owl)."
    )


def test_it_refuses_a_line_of_four_hundred_characters() -> None:
    long_line = ("we are going to the beach today " * 13)[:400].strip()

    with pytest.raises(ValueError) as error:
        check_lines(f'a dog says "{long_line}"', 12)

    message = str(error.value)
    assert message.startswith("The spoken line “we are going to the beach today we are going")
    assert message.endswith(f"is {len(long_line)} characters; keep each line under 200.")


def test_it_refuses_lines_that_cannot_fit_the_clip_and_says_how_long_they_need() -> None:
    prompt = (
        'a dog says "I cannot believe how wonderful this sunny afternoon at the beach has been." '
        'The cat replies "Me neither, let us come back tomorrow morning."'
    )

    with pytest.raises(ValueError) as error:
        check_lines(prompt, 4)

    message = str(error.value)
    assert message.startswith("The spoken lines need about ")
    assert message.endswith(
        " seconds, but a 4-second clip has room for 3.2; shorten them or choose a longer clip."
    )


def test_lines_that_fit_twelve_seconds_are_refused_for_four() -> None:
    prompt = 'a dog says "What a lovely morning for a long walk by the river with my friends."'

    check_lines(prompt, 12)
    with pytest.raises(ValueError, match="a 4-second clip has room for 3.2"):
        check_lines(prompt, 4)


def test_the_scene_neither_captions_nor_lists_a_spoken_line_but_keeps_a_bare_caption() -> None:
    spoken = plan_scene('a dog says "best zebra ever" on the beach')
    captioned = plan_scene('"HAPPY BIRTHDAY" a cat in the kitchen')

    assert spoken.caption == ""
    assert not {"says", "best", "zebra", "ever"} & set(spoken.not_drawn)
    assert (spoken.subjects[0], spoken.setting) == ("dog", "beach")
    assert captioned.caption == "HAPPY BIRTHDAY"


# ---------------------------------------------------------------------------- the voice


def test_it_speaks_with_the_network_cut_off_and_never_reaches_for_a_download(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("no network here")

    downloads: list[object] = []
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    monkeypatch.setattr(hibari.voices, "download", lambda *a, **k: downloads.append(a))
    speech._engine.cache_clear()

    plan = speech.plan_speech('a dog says "best day ever"', 4, seed=7)

    assert [cue.text for cue in plan.cues] == ["best day ever"]
    assert plan.cues[0].start_s == 0.5
    assert plan.cues[0].samples.dtype == np.float32
    assert np.abs(plan.cues[0].samples).max() > 0.05
    assert plan.voice == "hibari heart voice (Apache-2.0)"
    assert downloads == []


def test_the_same_seed_gives_the_same_samples_and_another_seed_differs() -> None:
    prompt = 'a dog says "hello there" and a cat replies "hi"'

    first = speech.plan_speech(prompt, 8, seed=3)
    again = speech.plan_speech(prompt, 8, seed=3)
    other = speech.plan_speech(prompt, 8, seed=4)

    assert len(first.cues) == 2
    for a, b in zip(first.cues, again.cues, strict=True):
        assert np.array_equal(a.samples, b.samples)
        assert (a.start_s, a.end_s) == (b.start_s, b.end_s)
    assert not np.array_equal(first.cues[0].samples, other.cues[0].samples)


def test_the_second_speaker_sounds_lower_at_the_same_pace() -> None:
    prompt = 'a dog says "What a lovely sunny day." The cat replies "What a lovely sunny day."'

    plan = speech.plan_speech(prompt, 12, seed=1)
    first, second = plan.cues

    assert (first.speaker, second.speaker) == (0, 1)
    ratio = _median_pitch(second.samples) / _median_pitch(first.samples)
    assert 0.65 < ratio < 0.85  # 0.75 asked: about five semitones down
    assert abs(second.samples.size - first.samples.size) < 0.05 * first.samples.size
    # No clicks: harmonics landing between the network's own ones once peaked at 3x.
    assert np.abs(second.samples).max() < 2 * np.abs(first.samples).max()
    assert second.start_s == pytest.approx(first.end_s + 0.3)


def test_a_japanese_line_and_an_emoji_line_are_left_out_with_a_sentence() -> None:
    prompt = 'a dog says 「こんにちは」 and a cat says "🎉🎉" and the dog says "yay"'

    plan = speech.plan_speech(prompt, 8, seed=0)

    assert [cue.text for cue in plan.cues] == ["yay"]
    assert plan.left_out == [
        "The line “こんにちは” was left out: the voice speaks English only.",
        "The line “🎉🎉” was left out: the voice speaks English only.",
    ]


def test_when_the_voice_cannot_load_every_line_is_left_out_without_an_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken() -> None:
        raise RuntimeError("onnxruntime could not read the model")

    monkeypatch.setattr(speech, "_engine", broken)

    plan = speech.plan_speech('a dog says "hi" and a cat says "hello"', 4, seed=0)

    assert plan.cues == []
    assert plan.voice == ""
    assert plan.left_out == [
        "The line “hi” was left out: the voice could not be loaded.",
        "The line “hello” was left out: the voice could not be loaded.",
    ]


def test_a_line_that_runs_past_the_clip_is_left_out_rather_than_cut() -> None:
    prompt = 'a dog says "hi" and a cat says "Look at all the beautiful stars above the sea."'

    plan = speech.plan_speech(prompt, 3, seed=0)

    assert [cue.text for cue in plan.cues] == ["hi"]
    assert plan.left_out == [
        "The line “Look at all the beautiful stars above the sea.” was left out: "
        "there was no room for it in a 3-second clip."
    ]


def test_the_estimate_is_at_least_as_long_as_the_spoken_line() -> None:
    for index, sentence in enumerate(EVERYDAY_SENTENCES):
        spoken = speech.speak(sentence, seed=index).size / AUDIO_RATE

        assert line_seconds(sentence) >= spoken, sentence
        assert line_seconds(sentence) < spoken * 1.6 + 0.3, sentence
