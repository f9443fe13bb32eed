"""The soundtrack a person hears: loudness and peaks from the decoded file, ducking, effects
that stay audible, the sentence on the job page, and what each sound choice gives."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from generation.pipeline.audio.master import integrated_loudness, loudness_normalise
from generation.pipeline.audio.mix import (
    FROM_MODEL,
    MUSIC_DUCK_DB,
    duck_gain,
    make_soundtrack,
    soundtrack_summary,
)
from generation.pipeline.audio.soundtrack import SILENT, add_sound
from generation.pipeline.audio.speech import Cue, SpeechPlan, plan_speech
from generation.pipeline.base import (
    AUDIO_RATE,
    AudioTrack,
    SoundEvent,
    VideoRequest,
    VideoResult,
)
from generation.pipeline.encode import decode_audio, encode_mp4
from generation.pipeline.scene import plan_scene
from generation.soundcheck import integrated_lufs, true_peak_dbtp

QUIET = "a calm meadow at dawn"
STORM = "a dramatic storm over the city at night, rain and lightning"
SPOKEN = 'a cat on the beach says "what a lovely day for a swim"'


def _request(prompt: str, sound: str = "on", seconds: int = 4, seed: int = 5) -> VideoRequest:
    return VideoRequest(prompt=prompt, seed=seed, duration_s=seconds, sound=sound)


def _result(request: VideoRequest, *, plan: dict | None = None) -> VideoResult:
    frames = np.full((request.num_frames, 96, 64, 3), 40, np.uint8)
    if plan is None:
        plan = plan_scene(request.prompt).as_dict()
    return VideoResult(frames=frames, fps=request.fps, backend="builtin", plan=plan)


def _decoded(track: AudioTrack, seconds: float, tmp_path: Path) -> np.ndarray:
    path = tmp_path / "clip.mp4"
    encode_mp4(np.zeros((round(seconds * 24), 32, 32, 3), np.uint8), 24, path, audio=track)
    samples, rate = decode_audio(path)
    assert rate == AUDIO_RATE
    return samples


def _rms_db(samples: np.ndarray) -> float:
    return 10 * np.log10(np.mean(np.square(samples, dtype=np.float64)) + 1e-12)


def _thunder_events() -> list[SoundEvent]:
    landings = [SoundEvent("thump", frame, 1.0) for frame in (10, 40, 70)]
    return [*landings, SoundEvent("lightning", 30, 1.0), SoundEvent("lightning", 50, 1.0)]


@pytest.mark.parametrize(
    ("prompt", "events"),
    [(QUIET, []), (STORM, "thunder"), (SPOKEN, [SoundEvent("splash", 60, 0.8)])],
    ids=["quiet", "storm", "speech"],
)
def test_the_decoded_file_is_at_minus_16_lufs_and_under_minus_1_dbtp(
    tmp_path: Path, prompt: str, events: list[SoundEvent] | str
) -> None:
    request = _request(prompt)
    plan = plan_scene(prompt).as_dict()
    speech = plan_speech(prompt, request.duration_s, request.seed)
    timeline = _thunder_events() if events == "thunder" else events

    track = make_soundtrack(request, plan, timeline, speech)
    samples = _decoded(track, request.duration_s, tmp_path)

    assert integrated_lufs(samples, AUDIO_RATE) == pytest.approx(-16.0, abs=1.0)
    assert true_peak_dbtp(samples, AUDIO_RATE) <= -1.0
    if prompt == SPOKEN:
        assert track.details["lines"] == 1


def test_the_same_request_gives_the_same_samples() -> None:
    request = _request(STORM, seed=11)
    plan = plan_scene(STORM).as_dict()

    first = make_soundtrack(request, plan, _thunder_events(), SpeechPlan())
    second = make_soundtrack(request, plan, _thunder_events(), SpeechPlan())
    other_seed = make_soundtrack(_request(STORM, seed=12), plan, _thunder_events(), SpeechPlan())

    assert np.array_equal(first.samples, second.samples)
    assert not np.array_equal(first.samples, other_seed.samples)
    assert first.samples.shape == (4 * AUDIO_RATE, 2) and first.samples.dtype == np.float32


def test_the_music_dips_under_a_spoken_line_and_comes_back() -> None:
    n = 4 * AUDIO_RATE
    cue = Cue("hello", 0, 1.0, 2.0, np.zeros(AUDIO_RATE, np.float32))

    gain = duck_gain([cue], n)

    in_db = 20 * np.log10(gain)
    assert in_db[round(1.0 * AUDIO_RATE) : round(2.0 * AUDIO_RATE)] == pytest.approx(MUSIC_DUCK_DB)
    assert in_db[: round(0.9 * AUDIO_RATE)].max() == 0.0  # untouched until 80 ms before
    assert in_db[round(2.31 * AUDIO_RATE) :].min() == 0.0  # back 300 ms after the line
    assert np.abs(np.diff(in_db)).max() < 0.01  # a smooth ramp, no step to click


def test_the_mix_is_quieter_around_a_line_than_without_it() -> None:
    # The line itself is silent here, so what is left under it is the ducked music and ambience.
    request = _request(QUIET)
    plan = plan_scene(QUIET).as_dict()
    cue = Cue("hush", 0, 1.5, 2.5, np.zeros(AUDIO_RATE, np.float32))
    hole = slice(round(1.6 * AUDIO_RATE), round(2.4 * AUDIO_RATE))
    rest = slice(round(3.0 * AUDIO_RATE), round(3.8 * AUDIO_RATE))

    plain = make_soundtrack(request, plan, [], SpeechPlan()).samples
    ducked = make_soundtrack(request, plan, [], SpeechPlan(cues=[cue], voice="v")).samples

    dip = (_rms_db(ducked[hole]) - _rms_db(ducked[rest])) - (
        _rms_db(plain[hole]) - _rms_db(plain[rest])
    )
    assert dip < -5.0


def test_a_spoken_line_sits_well_over_the_music_under_it() -> None:
    request = _request(SPOKEN)
    plan = plan_scene(SPOKEN).as_dict()
    speech = plan_speech(SPOKEN, request.duration_s, request.seed)
    cue = speech.cues[0]
    hush = replace(cue, samples=np.zeros_like(cue.samples))
    during = slice(round(cue.start_s * AUDIO_RATE), round(cue.end_s * AUDIO_RATE))
    after = slice(round((cue.end_s + 0.4) * AUDIO_RATE), 4 * AUDIO_RATE)

    spoken = make_soundtrack(request, plan, [], speech).samples
    beds = make_soundtrack(request, plan, [], SpeechPlan(cues=[hush], voice="v")).samples

    # Both mixes carry the same beds; after the line they differ only by the mastering gain.
    scale = np.sqrt(np.mean(spoken[after] ** 2) / np.mean(beds[after] ** 2))
    voice = spoken[during] - beds[during] * scale
    assert _rms_db(voice) - _rms_db(beds[during] * scale) > 12.0


def test_an_effect_stands_out_of_the_beds_under_it() -> None:
    request = _request(STORM)
    plan = plan_scene(STORM).as_dict()
    onset = 60 / 24  # frame 60 at 24 fps lands at 2.5 s
    window = slice(round(onset * AUDIO_RATE), round((onset + 0.05) * AUDIO_RATE))

    beds = make_soundtrack(request, plan, [], SpeechPlan()).samples
    for kind, rise in (("thump", 5.0), ("splash", 3.0)):
        track = make_soundtrack(request, plan, [SoundEvent(kind, 60, 0.6)], SpeechPlan())

        assert _rms_db(track.samples[window]) - _rms_db(beds[window]) > rise
        assert track.details["effects"] == [f"a {kind} at 2.5 s"]
    # The beds do not dip before the hit: the effects have their own limiter.
    before = slice(round((onset - 0.3) * AUDIO_RATE), round((onset - 0.01) * AUDIO_RATE))
    assert _rms_db(track.samples[before]) == pytest.approx(_rms_db(beds[before]), abs=0.5)


def test_the_summary_names_each_part_in_a_sentence() -> None:
    details = {
        "ambience": ["rain"],
        "music": "soft piano at 70 bpm",
        "effects": ["a thump at 1.4 s"],
        "lines": 1,
    }

    assert (
        soundtrack_summary(details)
        == "Rain, soft piano at 70 bpm, a thump at 1.4 s, one spoken line."
    )
    details |= {"music": None, "effects": [], "lines": 2}
    assert soundtrack_summary(details) == "Rain, no music, two spoken lines."


def test_loudness_normalising_copes_with_silence_and_very_short_sound() -> None:
    silence = loudness_normalise(np.zeros((AUDIO_RATE, 2), np.float32))
    blip = np.sin(np.arange(2400) / 5.0).astype(np.float32)[:, None].repeat(2, axis=1) * 0.01

    louder = loudness_normalise(blip)

    assert not silence.any()
    assert integrated_loudness(louder) == pytest.approx(-16.0, abs=0.5)
    assert true_peak_dbtp(louder, AUDIO_RATE) <= -1.0


def test_the_limiter_turns_a_loud_burst_down_without_clipping_it() -> None:
    t = np.arange(2 * AUDIO_RATE) / AUDIO_RATE
    tone = 0.05 * np.sin(2 * np.pi * 220 * t)
    tone[AUDIO_RATE : AUDIO_RATE + 4800] *= 19  # 100 ms at +25 dB
    samples = np.stack([tone, tone], axis=1).astype(np.float32)

    out = loudness_normalise(samples, peak_dbtp=-1.0)

    assert true_peak_dbtp(out, AUDIO_RATE) <= -1.0
    # Mid-burst the gain is steady, so the sine keeps its shape instead of being squared off.
    ratio = (
        out[AUDIO_RATE + 1200 : AUDIO_RATE + 3600, 0]
        / samples[AUDIO_RATE + 1200 : AUDIO_RATE + 3600, 0]
    )
    steady = ratio[np.abs(samples[AUDIO_RATE + 1200 : AUDIO_RATE + 3600, 0]) > 0.1]
    assert steady.std() / steady.mean() < 0.01


def test_it_makes_no_sound_when_the_person_chose_silent() -> None:
    request = _request(SPOKEN, sound="off")
    result = _result(request)
    before = result.frames.copy()

    add_sound(request, result)

    assert result.audio is None
    assert result.plan["soundtrack"] == SILENT
    assert np.array_equal(result.frames, before)  # no subtitles either
    assert result.notes == []


def test_it_leaves_the_music_out_when_asked() -> None:
    request = _request(QUIET, sound="no_music")
    result = _result(request)

    add_sound(request, result)

    assert result.audio is not None and result.audio.details["music"] is None
    assert "no music" in result.plan["soundtrack"]
    assert result.plan["sound"]["ambience"]  # the meadow is still heard


def test_it_speaks_a_line_and_shows_its_subtitle() -> None:
    request = _request(SPOKEN)
    result = _result(request)
    before = result.frames.copy()

    add_sound(request, result)

    assert result.plan["soundtrack"].endswith("one spoken line.")
    assert result.plan["sound"]["voice"]
    assert result.audio.samples.shape == (4 * AUDIO_RATE, 2)
    changed = np.flatnonzero((result.frames != before).any(axis=(1, 2, 3)))
    assert changed.size and changed[0] >= 12  # the subtitle appears with the line, at 0.5 s


def test_it_keeps_the_models_own_sound_and_conforms_it() -> None:
    request = _request(SPOKEN)
    result = _result(request, plan={"engine": "ltx-2"})
    t = np.arange(3 * 24_000) / 24_000
    model_sound = (0.2 * np.sin(2 * np.pi * 300 * t)).astype(np.float32)  # 3 s, 24 kHz, mono
    result.audio = AudioTrack(model_sound, 24_000, "LTX-2")
    before = result.frames.copy()

    add_sound(request, result)

    track = result.audio
    assert (track.sample_rate, track.samples.shape, track.source) == (48_000, (192_000, 2), "LTX-2")
    assert result.plan["soundtrack"] == FROM_MODEL
    assert result.plan["sound"]["lines"] == 0
    assert np.array_equal(result.frames, before)  # no subtitles for lines it did not speak
    # The model's tone is what is heard: nothing was laid over it, the fourth second is padding.
    spectrum = np.abs(np.fft.rfft(track.samples[: 2 * AUDIO_RATE, 0]))
    assert np.argmax(spectrum) / 2 == pytest.approx(300, abs=1)
    assert np.abs(track.samples[round(3.1 * AUDIO_RATE) :]).max() < 1e-3
    assert integrated_loudness(track.samples[: 3 * AUDIO_RATE]) == pytest.approx(-16.0, abs=1.0)


def test_it_reads_the_scene_from_the_prompt_when_the_backend_gave_no_plan() -> None:
    request = _request("waves on a beach in the rain")
    result = _result(request, plan={"engine": "diffusers"})

    add_sound(request, result)

    assert {"surf", "rain"} <= set(result.plan["sound"]["ambience"])
    assert result.plan["soundtrack"].startswith("Surf")


def test_a_line_the_voice_cannot_say_is_explained_on_the_job_page() -> None:
    request = _request('a dog says "你好世界"')
    result = _result(request)

    add_sound(request, result)

    assert any("was left out: the voice speaks English only" in note for note in result.notes)
    assert result.plan["sound"]["lines"] == 0
    assert result.audio is not None  # the rest of the soundtrack is still there
