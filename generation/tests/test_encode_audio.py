"""Sound in the MP4: one AAC stream as long as the picture, in sync, interleaved, repeatable."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from generation.pipeline.base import AUDIO_RATE, AudioTrack, RenderCancelled
from generation.pipeline.encode import decode_audio, encode_mp4, probe_mp4


def _frames(seconds: float, fps: int = 24) -> np.ndarray:
    count = round(seconds * fps)
    frames = np.zeros((count, 64, 64, 3), np.uint8)
    frames[:, :, :, 1] = (np.arange(count) * 3 % 255)[:, None, None]  # something to encode
    return frames


def _tone(seconds: float, rate: int = AUDIO_RATE, channels: int = 2) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    wave = (0.3 * np.sin(2 * np.pi * 440 * t) * (1 + 0.3 * np.sin(2 * np.pi * 3 * t))).astype(
        np.float32
    )
    return wave if channels == 1 else np.stack([wave, 0.8 * wave], axis=1)


def _click_at(seconds: float, length_s: float) -> np.ndarray:
    samples = np.zeros((round(length_s * AUDIO_RATE), 2), np.float32)
    start = round(seconds * AUDIO_RATE)
    samples[start : start + 48] = 0.8  # a 1 ms burst
    return samples


@pytest.mark.parametrize("seconds", [4, 8, 12])
def test_it_adds_one_aac_stream_as_long_as_the_video(tmp_path: Path, seconds: int) -> None:
    path = tmp_path / "clip.mp4"

    encode_mp4(_frames(seconds), 24, path, audio=AudioTrack(_tone(seconds), AUDIO_RATE, "test"))

    info = probe_mp4(path)
    assert info["audio_streams"] == 1
    audio = info["audio"]
    assert (audio["codec"], audio["sample_rate"], audio["channels"]) == ("aac", 48_000, 2)
    assert info["duration_s"] == pytest.approx(seconds, abs=0.05)
    assert audio["duration_s"] == pytest.approx(info["duration_s"], abs=0.05)
    assert audio["bit_rate"] == pytest.approx(128_000, rel=0.1)
    samples, rate = decode_audio(path)
    assert rate == 48_000
    assert samples.shape[1] == 2
    assert samples.shape[0] / rate == pytest.approx(seconds, abs=0.05)


def test_it_writes_no_audio_stream_for_a_silent_video(tmp_path: Path) -> None:
    path = tmp_path / "silent.mp4"

    encode_mp4(_frames(4), 24, path)

    info = probe_mp4(path)
    assert info["audio"] is None
    assert info["audio_streams"] == 0
    with pytest.raises(ValueError, match="no sound"):
        decode_audio(path)


def test_it_keeps_sound_in_sync_with_the_picture(tmp_path: Path) -> None:
    # AAC starts each stream with 1024 priming samples; the MP4's edit list must hide them, or
    # every sound would land 21 ms late.
    path = tmp_path / "click.mp4"
    track = AudioTrack(_click_at(1.0, 4.0), AUDIO_RATE, "test")

    encode_mp4(_frames(4), 24, path, audio=track)

    samples, rate = decode_audio(path)
    loudest = int(np.argmax(np.abs(samples[:, 0])))
    assert abs(loudest / rate - 1.0) < 0.002


def test_it_conforms_24_khz_mono_to_48_khz_stereo_as_long_as_the_clip(tmp_path: Path) -> None:
    short = tmp_path / "short.mp4"
    long = tmp_path / "long.mp4"

    encode_mp4(_frames(4), 24, short, audio=AudioTrack(_tone(3.0, 24_000, 1), 24_000, "model"))
    encode_mp4(_frames(4), 24, long, audio=AudioTrack(_tone(5.5, 24_000, 1), 24_000, "model"))

    for path in (short, long):
        info = probe_mp4(path)
        assert (info["audio"]["sample_rate"], info["audio"]["channels"]) == (48_000, 2)
        assert info["audio"]["duration_s"] == pytest.approx(4.0, abs=0.05)
    samples, _ = decode_audio(short)
    assert np.allclose(samples[:, 0], samples[:, 1], atol=1e-3)  # mono on both sides
    assert np.sqrt(np.mean(samples[: 2 * AUDIO_RATE, 0] ** 2)) > 0.1  # the tone is there
    assert np.abs(samples[round(3.2 * AUDIO_RATE) :]).max() < 0.01  # then the padding


def test_the_same_input_gives_the_same_decoded_sound(tmp_path: Path) -> None:
    track = AudioTrack(_tone(4), AUDIO_RATE, "test")
    encode_mp4(_frames(4), 24, tmp_path / "one.mp4", audio=track)
    encode_mp4(_frames(4), 24, tmp_path / "two.mp4", audio=track)

    first, _ = decode_audio(tmp_path / "one.mp4")
    second, _ = decode_audio(tmp_path / "two.mp4")

    assert np.array_equal(first, second)
    assert (tmp_path / "one.mp4").read_bytes() == (tmp_path / "two.mp4").read_bytes()


def test_it_interleaves_sound_and_picture_so_playback_can_start_early(tmp_path: Path) -> None:
    path = tmp_path / "long.mp4"
    encode_mp4(_frames(12), 24, path, audio=AudioTrack(_tone(12), AUDIO_RATE, "test"))

    with av.open(str(path)) as box:
        packets = [
            (packet.pos, packet.stream.type, float(packet.dts * packet.time_base))
            for packet in box.demux()
            if packet.size
        ]
    packets.sort()
    # Read front to back, the file never runs more than half a second ahead in one stream of
    # where it is in the other: a player holding the first megabytes can play both.
    latest = {"audio": -1.0, "video": -1.0}
    for _, kind, time_s in packets:
        latest[kind] = max(latest[kind], time_s)
        other = latest["video" if kind == "audio" else "audio"]
        if other >= 0:
            assert time_s - other < 0.5
    assert latest["audio"] > 11.9 and latest["video"] > 11.9
    data = path.read_bytes()
    assert data.index(b"moov") < data.index(b"mdat")  # still faststart


def test_cancelling_an_encode_with_sound_removes_the_partial_file(tmp_path: Path) -> None:
    path = tmp_path / "cancelled.mp4"
    calls: list[int] = []

    def cancel_on_third_check() -> bool:
        calls.append(1)
        return len(calls) >= 3

    with pytest.raises(RenderCancelled):
        encode_mp4(
            _frames(8),
            24,
            path,
            should_cancel=cancel_on_third_check,
            audio=AudioTrack(_tone(8), AUDIO_RATE, "test"),
        )

    assert not path.exists()


def test_it_refuses_sound_it_cannot_read_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "bad.mp4"
    track = AudioTrack(np.zeros((10, 2, 2), np.float32), AUDIO_RATE, "test")

    with pytest.raises(ValueError, match="Audio must be shaped"):
        encode_mp4(_frames(1), 24, path, audio=track)

    assert not path.exists()
