from __future__ import annotations

import io
import re

from django.core.management import call_command

NUMBER = r"[-+]?\d+(?:\.\d+)?"


def test_it_prints_every_sound_figure_with_its_goal_in_a_quick_run() -> None:
    out = io.StringIO()

    call_command("bench_audio", "--quick", stdout=out)

    text = out.getvalue()
    assert re.search(rf"P1 4 s 9:16 clip: .*= {NUMBER}x real time \(goal >= 4x\)", text)
    assert re.search(rf"P1 soundtrack / render: {NUMBER}% \(goal <= 10%", text)
    assert re.search(rf"P9 full pipeline 8 s / 4 s wall time: .*= {NUMBER}x \(goal <= 3.2x\)", text)
    loudness = re.search(
        rf"loudness: worst deviation from -16 LUFS ({NUMBER}) LU .*"
        rf"max true peak ({NUMBER}) dBTP .*clips passing both (\d+)/3",
        text,
    )
    assert loudness
    assert re.search(r"sound off: audio streams in the MP4: 0 \(goal 0\)", text)
    sync = re.search(
        rf"sync: effects heard (\d+)/(\d+) within ±150 ms \(or half the gap to the next event\); "
        rf"largest offset {NUMBER} ms = "
        rf"{NUMBER} frames \(goal <= 1 frame = 42 ms\)",
        text,
    )
    assert sync
    assert int(sync.group(2)) >= 1
    speech = re.search(
        rf"speech: (\d+) lines spoken \(0 left out\); mean WER raw voice ({NUMBER})%, "
        rf"in the final mix ({NUMBER})% \(goal <= 20%\); mix minus raw {NUMBER} points",
        text,
    )
    assert speech
    assert speech.group(1) == "2"
    assert re.search(
        rf"speech, second voice \(pitched\) only: 1 lines, mean WER raw {NUMBER}%", text
    )
