"""H.264 + AAC MP4 and poster JPEG output through PyAV (never OpenCV).

The MP4 is yuv420p, which every browser plays, and "faststart" (the moov index is moved in
front of the media data) so the ``<video>`` tag can start before the whole file has arrived.
Sound, when there is any, is AAC-LC at 48 kHz stereo in the same file, its packets interleaved
with the picture's in time order; a silent video has no audio stream at all.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
from PIL import Image

from generation.pipeline.audio.master import conform_audio
from generation.pipeline.base import AUDIO_RATE, AudioTrack, RenderCancelled

# Measured on 2 CPU cores, 8 s 480x854 clips from the built-in renderer, crf 23:
#   beach scene:      ultrafast 0.31 s / 938 KB, superfast 0.48 s / 521 KB, veryfast 0.53 s / 197 KB
#   rain + confetti:  ultrafast 0.44 s / 2.5 MB, superfast 0.67 s / 1.8 MB, veryfast 0.93 s / 1.0 MB
# veryfast makes files two to five times smaller than ultrafast at the same look (PSNR within
# 1.5 dB) and still leaves an 8 s clip well inside the 2 s render+encode budget.
# Skipping the inter partitions search (p8x8 and smaller) then cut the encoder's CPU time by a
# fifth (1.26 -> 1.00 CPU-seconds for the P1 clip) for files 3% bigger (635 -> 652 KB).
PRESET = "veryfast"
X264_PARAMS = "bframes=0:partitions=i8x8,i4x4"
CRF = 23
PROGRESS_EVERY = 24  # frames between progress callbacks
AUDIO_CODEC = "aac"  # FFmpeg's native AAC-LC encoder
AUDIO_BIT_RATE = 128_000
AAC_FRAME = 1024  # samples per AAC frame


def encode_mp4(
    frames: np.ndarray,
    fps: int,
    path: str | Path,
    *,
    on_progress: Callable[[float, str], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
    metadata: dict[str, str] | None = None,
    audio: AudioTrack | None = None,
) -> None:
    """Write ``frames`` (uint8, (T, H, W, 3), RGB, even H and W) as an H.264 MP4 at ``path``.

    With ``audio``, the track is conformed to 48 kHz stereo exactly as long as the frames and
    added as AAC. Raises ``RenderCancelled`` if ``should_cancel()`` turns true; the partial file
    is removed.
    """
    _check_frames(frames, fps)
    path = Path(path)
    sound = None
    if audio is not None:
        length = round(frames.shape[0] * AUDIO_RATE / fps)
        sound = conform_audio(audio.samples, audio.sample_rate, length)
    try:
        _write(frames, fps, path, on_progress, should_cancel, metadata or {}, sound)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _check_frames(frames: np.ndarray, fps: int) -> None:
    if frames.ndim != 4 or frames.shape[3] != 3 or frames.dtype != np.uint8:
        raise ValueError("Frames must be a uint8 array shaped (frames, height, width, 3).")
    if frames.shape[0] == 0:
        raise ValueError("There are no frames to encode.")
    if frames.shape[1] % 2 or frames.shape[2] % 2:
        raise ValueError("Frame width and height must be even for yuv420p H.264.")
    if not 1 <= fps <= 120:
        raise ValueError("The frame rate must be between 1 and 120 frames per second.")


def _write(
    frames: np.ndarray,
    fps: int,
    path: Path,
    on_progress: Callable[[float, str], None] | None,
    should_cancel: Callable[[], bool] | None,
    metadata: dict[str, str],
    sound: np.ndarray | None,
) -> None:
    total, height, width = frames.shape[:3]
    with av.open(str(path), mode="w", format="mp4", options={"movflags": "+faststart"}) as box:
        box.metadata.update(metadata)
        stream = box.add_stream("libx264", rate=fps)
        stream.width, stream.height = width, height
        stream.pix_fmt = "yuv420p"
        stream.time_base = Fraction(1, fps)
        # No B-frames: with them x264's lookahead gave different bytes for identical frames from
        # one run to the next, and the same prompt and seed must give the same video. The files
        # are about a fifth bigger and encode slightly faster.
        stream.options = {"preset": PRESET, "crf": str(CRF), "x264-params": X264_PARAMS}
        # Frame threads pipeline the encoder across cores while this thread converts RGB.
        stream.codec_context.thread_type = "FRAME"
        audio = _AudioWriter(box, sound) if sound is not None else None
        for index in range(total):
            if should_cancel is not None and index % PROGRESS_EVERY == 0 and should_cancel():
                raise RenderCancelled("The encode was cancelled.")
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(frames[index]), format="rgb24")
            frame.pts = index
            box.mux(stream.encode(frame))
            if audio is not None:
                # Sound up to the end of this frame goes in beside it, so a player that has the
                # first seconds of the file has the first seconds of both.
                audio.write_until(round((index + 1) * AUDIO_RATE / fps))
            if on_progress is not None and (index + 1) % PROGRESS_EVERY == 0:
                on_progress((index + 1) / total, "encoding video")
        box.mux(stream.encode(None))
        if audio is not None:
            audio.finish()
    if on_progress is not None:
        on_progress(1.0, "encoding video")


class _AudioWriter:
    """Feeds conformed (N, 2) float32 samples to an AAC stream in whole frames, in time order."""

    def __init__(self, box: av.container.OutputContainer, samples: np.ndarray) -> None:
        self.box = box
        self.planar = np.ascontiguousarray(samples.T)  # fltp: one row per channel
        self.sent = 0
        self.stream = box.add_stream(AUDIO_CODEC, rate=AUDIO_RATE)
        self.stream.layout = "stereo"
        self.stream.format = "fltp"
        self.stream.bit_rate = AUDIO_BIT_RATE
        self.stream.time_base = Fraction(1, AUDIO_RATE)

    def write_until(self, end: int) -> None:
        """Encode every whole AAC frame that starts before sample ``end``."""
        total = self.planar.shape[1]
        while self.sent < min(end, total) and (self.sent + AAC_FRAME <= end or end >= total):
            chunk = np.ascontiguousarray(self.planar[:, self.sent : self.sent + AAC_FRAME])
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
            frame.sample_rate = AUDIO_RATE
            frame.time_base = Fraction(1, AUDIO_RATE)
            frame.pts = self.sent
            self.box.mux(self.stream.encode(frame))
            self.sent += chunk.shape[1]

    def finish(self) -> None:
        self.write_until(self.planar.shape[1])
        self.box.mux(self.stream.encode(None))


def poster_jpeg(frame: np.ndarray, quality: int = 85) -> bytes:
    """One RGB frame as JPEG bytes for the poster image."""
    if frame.ndim != 3 or frame.shape[2] != 3:
        raise ValueError("A poster frame must be shaped (height, width, 3).")
    buffer = io.BytesIO()
    image = Image.fromarray(np.ascontiguousarray(frame, dtype=np.uint8), mode="RGB")
    image.save(buffer, format="JPEG", quality=quality, optimize=True, progressive=True)
    return buffer.getvalue()


def probe_mp4(path: str | Path) -> dict[str, Any]:
    """Codec, pixel format, size, frame count and duration of an MP4's first video stream.

    ``"audio"`` describes its AAC stream (codec, sample rate, channels, duration, bit rate), or is
    None when the video is silent.
    """
    with av.open(str(path)) as box:
        stream = box.streams.video[0]
        audio = _probe_audio(box)
        frames = stream.frames or sum(1 for _ in box.demux(stream) if _.size)
        duration = float(stream.duration * stream.time_base) if stream.duration else 0.0
        return {
            "codec": stream.codec_context.name,
            "pix_fmt": stream.codec_context.pix_fmt,
            "width": stream.codec_context.width,
            "height": stream.codec_context.height,
            "frames": int(frames),
            "duration_s": duration,
            "fps": float(stream.average_rate) if stream.average_rate else 0.0,
            "metadata": dict(box.metadata),
            "audio": audio,
            "audio_streams": len(box.streams.audio),
        }


def _probe_audio(box: av.container.InputContainer) -> dict[str, Any] | None:
    if not box.streams.audio:
        return None
    stream = box.streams.audio[0]
    # The stream's duration is what the MP4's edit list keeps: AAC's priming samples before the
    # start and the padding in the last frame are not counted.
    duration = float(stream.duration * stream.time_base) if stream.duration else 0.0
    return {
        "codec": stream.codec_context.name,
        "sample_rate": stream.codec_context.sample_rate,
        "channels": stream.codec_context.channels,
        "duration_s": duration,
        "bit_rate": stream.codec_context.bit_rate or stream.bit_rate,
    }


def decode_audio(path: str | Path) -> tuple[np.ndarray, int]:
    """The MP4's sound as (samples, 2) float32 and its sample rate, cut to the stream's duration.

    Raises ``ValueError`` when the video has no sound.
    """
    with av.open(str(path)) as box:
        if not box.streams.audio:
            raise ValueError("This video has no sound.")
        stream = box.streams.audio[0]
        rate = stream.codec_context.sample_rate
        planes = [frame.to_ndarray() for frame in box.decode(stream)]
        length = round(stream.duration * stream.time_base * rate) if stream.duration else None
    samples = np.concatenate(planes, axis=1) if planes else np.zeros((2, 0), np.float32)
    if samples.shape[0] == 1:
        samples = np.repeat(samples, 2, axis=0)
    return np.ascontiguousarray(samples[:2, :length].T, dtype=np.float32), rate
