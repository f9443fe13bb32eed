"""Measure what the soundtrack promises, in one run, from the MP4s a person would get:

- P1: an 8 s 9:16 clip through render, soundtrack, watermark and encode, against real time, and
  the soundtrack's share of the render time (the voice and the renderer warmed first);
- P9: the same pipeline for a 12 s clip against a 4 s one;
- loudness: integrated LUFS and true peak of 20 varied clips, read back from the decoded MP4;
- sync: where a blind onset detector hears each effect in the decoded mix, against the frame of
  the event that made it;
- speech: word error rate of 20 spoken lines as an English recogniser hears them, straight from
  the voice and cut out of the decoded MP4.

Each figure is printed beside its goal. ``--quick`` runs a small version of every part.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from django.core.management.base import BaseCommand, CommandParser

from generation import soundcheck
from generation.pipeline import encode
from generation.pipeline.audio import speech
from generation.pipeline.audio.effects import THUNDER_DELAY_S
from generation.pipeline.audio.soundtrack import add_sound
from generation.pipeline.audio.speech import plan_speech
from generation.pipeline.base import AUDIO_RATE, VideoRequest
from generation.pipeline.builtin import BuiltinBackend
from generation.pipeline.watermark import apply_watermark
from generation.worker import keep_freed_memory

TARGET_LUFS = -16.0
LUFS_TOLERANCE = 1.0
PEAK_LIMIT_DBTP = -1.0
SYNC_WINDOW_S = 0.15  # an onset this close to an event's time counts as that event's sound
SEED = 7

# (prompt, duration in seconds, sound choice): settings, weathers, moods, effects, spoken lines,
# emoji only and another language.
LOUDNESS_CLIPS: tuple[tuple[str, int, str], ...] = (
    ("a golden retriever running on the beach at sunset", 4, "on"),
    ("rain falling on a quiet city street at night", 4, "on"),
    ("a fox jumps through a snowy forest at dawn", 4, "on"),
    ("lightning and thunder over the mountains in a storm at night", 4, "on"),
    ("confetti falls on a happy dancer on stage", 4, "on"),
    ("a dolphin jumps and splashes into the sea", 4, "on"),
    ("a cat dances in the kitchen", 4, "no_music"),
    ("an astronaut floats in space among the stars, mysterious", 4, "on"),
    ("fireflies over a calm meadow at dusk, romantic", 4, "on"),
    ("a lonely robot waves in the desert, sad", 4, "on"),
    ("bubbles rise around a fish underwater", 4, "on"),
    ('a kid spins in the snow and says "this is the best day ever"', 4, "on"),
    ('a man walks in the city rain and says "I forgot my umbrella again"', 8, "on"),
    ("🐶🌧️⚡", 4, "on"),
    ('un perro corre en la playa y dice "qué día tan bonito"', 4, "on"),
    ("energetic dancers jump on stage with confetti", 4, "no_music"),
    ("a horse runs across the mountains under a dramatic sky with thunder", 8, "on"),
    ("a quiet forest at night", 4, "on"),
    ('a girl says "look at the waves" and a boy replies "let us swim"', 8, "on"),
    ("a bird flies over the desert at sunset", 4, "no_music"),
)
QUICK_LOUDNESS = (2, 13, 11)  # jumps, lightning, a spoken line

# Twenty everyday lines, 3 to 10 words, two per clip; half the clips have two speakers.
SPEECH_CLIPS: tuple[str, ...] = (
    'a woman in the kitchen says "the coffee is ready now" and then says "please bring two cups"',
    'a girl on the beach says "look at the big waves" and a boy replies "I want to swim today"',
    'a man in the city says "the bus is late again" and then says "I will walk to work"',
    'a grandmother says "dinner is at seven tonight" and a child answers "can we have pizza"',
    'a dog in the meadow says "I love running in the grass" and then says "throw the ball"',
    'a teacher says "open your books to page ten" and a student asks "can you say that again"',
    'a cat on the sofa says "wake me up later" and then says "I am very sleepy"',
    'a chef says "the soup needs more salt" and a waiter replies "the guests are hungry"',
    'a runner in the park says "one more lap to go" and then says "my legs feel great"',
    'a father says "put on your warm coat" and a daughter replies "it is snowing outside"',
)
QUICK_SPEECH = (1,)


@dataclass
class Clip:
    """One clip made the way a job makes it, with its decoded sound and how long each step took."""

    prompt: str
    request: Any
    result: Any
    path: Path
    seconds: dict[str, float] = field(default_factory=dict)
    audio: np.ndarray | None = None
    rate: int = 0


def _due_times(events: list[Any], fps: int, length_s: float) -> list[float]:
    """When each event's sound should start, in time order, without thunder due after the end."""
    due = (e.frame / fps + (THUNDER_DELAY_S if e.kind == "lightning" else 0.0) for e in events)
    return sorted(t for t in due if t < length_s)


def _window(due: list[float], i: int) -> float:
    """How far from ``due[i]`` an onset may be and still count as its sound.

    At most ``SYNC_WINDOW_S``, and never past halfway to the next or previous event, so two hits
    a few frames apart can't both claim the louder one's onset.
    """
    gaps = [abs(due[j] - due[i]) / 2 for j in (i - 1, i + 1) if 0 <= j < len(due)]
    return min([SYNC_WINDOW_S, *(g for g in gaps if g > 0)])


class Command(BaseCommand):
    help = "Measure the soundtrack's speed, loudness, effect sync and spoken-line clarity."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quick", action="store_true", help="A small run of every part.")

    def handle(self, *args: Any, quick: bool, **options: Any) -> None:
        self.verbosity = options["verbosity"]
        self.backend = BuiltinBackend()
        with tempfile.TemporaryDirectory(prefix="sora-bench-audio-") as tmp:
            self.folder = Path(tmp)
            self._warm()
            self._speed(quick)
            clips = self._loudness(quick)
            self._sync(clips)
            self._speech(quick)

    # --- One clip, as a job makes it ------------------------------------------------------------

    def _make(self, prompt: str, duration_s: int, sound: str = "on") -> Clip:
        request = VideoRequest(
            prompt=prompt, seed=SEED, duration_s=duration_s, aspect="9:16",
            creator_handle="bench", sound=sound,
        )  # fmt: skip
        path = self.folder / f"clip-{len(list(self.folder.iterdir()))}.mp4"
        t0 = time.perf_counter()
        result = self.backend.generate(
            request, on_progress=lambda *a: None, should_cancel=lambda: False
        )
        t1 = time.perf_counter()
        add_sound(request, result)
        t2 = time.perf_counter()
        frames = apply_watermark(result.frames, handle="bench", fps=result.fps)
        t3 = time.perf_counter()
        encode.encode_mp4(frames, result.fps, path, audio=result.audio)
        t4 = time.perf_counter()
        clip = Clip(prompt, request, result, path)
        clip.seconds = {"render": t1 - t0, "sound": t2 - t1, "watermark": t3 - t2}
        clip.seconds.update(encode=t4 - t3, total=t4 - t0)
        if result.audio is not None:
            clip.audio, clip.rate = encode.decode_audio(path)
        return clip

    def _warm(self) -> None:
        t0 = time.perf_counter()
        keep_freed_memory()  # as a video worker does at start-up
        speech.warm()
        t1 = time.perf_counter()
        self._make('a dog says "warm up"', 4)
        t2 = time.perf_counter()
        self.stdout.write(
            f"warm-up (not timed below): voice loaded in {t1 - t0:.2f} s, "
            f"a first 4 s clip made in {t2 - t1:.2f} s"
        )

    # --- P1 and P9 ------------------------------------------------------------------------------

    def _speed(self, quick: bool) -> None:
        prompt = 'a dog jumps on the beach in the rain and says "best day ever"'
        duration = 4 if quick else 8
        clip = self._make(prompt, duration)
        s = clip.seconds
        share = s["sound"] / s["render"]
        self.stdout.write(
            f"P1 {duration} s 9:16 clip: render {s['render']:.2f} s, "
            f"soundtrack {s['sound']:.2f} s, "
            f"watermark {s['watermark']:.2f} s, encode with AAC {s['encode']:.2f} s, "
            f"total {s['total']:.2f} s = {duration / s['total']:.2f}x real time (goal >= 4x)"
        )
        self.stdout.write(
            f"P1 soundtrack / render: {100 * share:.1f}% (goal <= 10%; {s['sound']:.2f} s for "
            f"ambience, music, effects, one spoken line and captions)"
        )
        long, short = (8, 4) if quick else (12, 4)
        times = {d: self._make(prompt, d).seconds["total"] for d in (short, long) if d != duration}
        times.setdefault(duration, s["total"])
        self.stdout.write(
            f"P9 full pipeline {long} s / {short} s wall time: {times[long]:.2f} s / "
            f"{times[short]:.2f} s = {times[long] / times[short]:.2f}x (goal <= 3.2x)"
        )

    # --- Loudness -------------------------------------------------------------------------------

    def _loudness(self, quick: bool) -> list[Clip]:
        chosen = [LOUDNESS_CLIPS[i] for i in QUICK_LOUDNESS] if quick else LOUDNESS_CLIPS
        clips: list[Clip] = []
        for prompt, duration, sound in chosen:
            clip = self._make(prompt, duration, sound)
            clips.append(clip)
            if clip.audio is None:
                self.stdout.write(f"  no audio stream: {prompt}")
                continue
            lufs = soundcheck.integrated_lufs(clip.audio, clip.rate)
            peak = soundcheck.true_peak_dbtp(clip.audio, clip.rate)
            clip.seconds.update(lufs=lufs, peak=peak)
            self.stdout.write(f"  {lufs:6.2f} LUFS {peak:6.2f} dBTP  {sound:8s} {prompt}")
        heard = [c for c in clips if c.audio is not None]
        worst = max((abs(c.seconds["lufs"] - TARGET_LUFS) for c in heard), default=float("nan"))
        peak = max((c.seconds["peak"] for c in heard), default=float("nan"))
        passing = sum(
            abs(c.seconds["lufs"] - TARGET_LUFS) <= LUFS_TOLERANCE
            and c.seconds["peak"] <= PEAK_LIMIT_DBTP
            for c in heard
        )
        self.stdout.write(
            f"loudness: worst deviation from {TARGET_LUFS:.0f} LUFS {worst:.2f} LU "
            f"(goal <= {LUFS_TOLERANCE:.0f}); max true peak {peak:.2f} dBTP "
            f"(goal <= {PEAK_LIMIT_DBTP:.0f}); clips passing both {passing}/{len(clips)}"
        )
        self._silent()
        return clips

    def _silent(self) -> None:
        clip = self._make("a fox jumps through a snowy forest at dawn", 4, "off")
        stream = encode.probe_mp4(clip.path).get("audio")
        self.stdout.write(
            f"sound off: audio streams in the MP4: {0 if stream is None else 1} (goal 0)"
        )

    # --- Sync -----------------------------------------------------------------------------------

    def _sync(self, clips: Iterable[Clip]) -> None:
        offsets: list[float] = []
        expected = 0
        fps = 24
        heard_s = 0.0
        onset_count = 0
        for clip in clips:
            if clip.audio is None or not clip.result.events:
                continue
            fps = clip.result.fps
            found = soundcheck.detect_onsets(clip.audio, clip.rate)
            onset_count += len(found)
            heard_s += clip.audio.shape[0] / clip.rate
            due = _due_times(clip.result.events, fps, clip.audio.shape[0] / clip.rate)
            for i, at in enumerate(due):
                expected += 1
                onset = soundcheck.nearest(found, at, _window(due, i))
                if onset is not None:
                    offsets.append(onset.time_s - at)
                if self.verbosity >= 2:
                    heard = "not heard" if onset is None else f"{offsets[-1] * 1000:+.1f} ms"
                    self.stdout.write(f"  effect due at {at:.3f} s: {heard}  {clip.prompt}")
        if not offsets:
            self.stdout.write(f"sync: effects heard 0/{expected}; no offsets to measure")
            return
        worst = max(offsets, key=abs)
        self.stdout.write(
            f"sync: effects heard {len(offsets)}/{expected} within ±{SYNC_WINDOW_S * 1000:.0f} ms "
            "(or half the gap to the next event); "
            f"largest offset {worst * 1000:+.1f} ms = {abs(worst) * fps:.2f} frames "
            f"(goal <= 1 frame = {1000 / fps:.0f} ms); median |offset| "
            f"{statistics.median(abs(o) for o in offsets) * 1000:.1f} ms; onsets found in these "
            f"mixes, effects or not: {onset_count / heard_s:.1f} a second"
        )

    # --- Speech ---------------------------------------------------------------------------------

    def _speech(self, quick: bool) -> None:
        prompts = [SPEECH_CLIPS[i] for i in QUICK_SPEECH] if quick else SPEECH_CLIPS
        raw: list[float] = []
        mixed: list[float] = []
        pitched: list[tuple[float, float]] = []
        left_out = 0
        for prompt in prompts:
            duration = 8
            plan = plan_speech(prompt, duration, SEED)
            left_out += len(plan.left_out)
            clip = self._make(prompt, duration)
            for cue in plan.cues:
                raw_wer = soundcheck.word_error_rate(
                    cue.text, soundcheck.recognise(cue.samples, AUDIO_RATE)
                )
                cut = clip.audio[int(cue.start_s * clip.rate) : int(cue.end_s * clip.rate)]
                heard = soundcheck.recognise(cut, clip.rate)
                mixed_wer = soundcheck.word_error_rate(cue.text, heard)
                raw.append(raw_wer)
                mixed.append(mixed_wer)
                if cue.speaker == 1:
                    pitched.append((raw_wer, mixed_wer))
                self.stdout.write(
                    f"  WER raw {raw_wer:4.0%} mixed {mixed_wer:4.0%}  "
                    f"voice {cue.speaker + 1}  {cue.text!r} heard {heard!r}"
                )
        self._speech_summary(raw, mixed, pitched, left_out)

    def _speech_summary(
        self,
        raw: list[float],
        mixed: list[float],
        pitched: list[tuple[float, float]],
        left_out: int,
    ) -> None:
        if not raw:
            self.stdout.write(f"speech: lines spoken 0, left out {left_out}; nothing to measure")
            return
        raw_mean, mixed_mean = statistics.fmean(raw), statistics.fmean(mixed)
        self.stdout.write(
            f"speech: {len(raw)} lines spoken ({left_out} left out); mean WER raw voice "
            f"{100 * raw_mean:.1f}%, in the final mix {100 * mixed_mean:.1f}% (goal <= 20%); "
            f"mix minus raw {100 * (mixed_mean - raw_mean):+.1f} points (goal <= +5)"
        )
        if pitched:
            self.stdout.write(
                f"speech, second voice (pitched) only: {len(pitched)} lines, mean WER raw "
                f"{100 * statistics.fmean(r for r, _ in pitched):.1f}%, mixed "
                f"{100 * statistics.fmean(m for _, m in pitched):.1f}%"
            )
