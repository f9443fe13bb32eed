"""The soundtrack step of a render: the built-in soundtrack, the model's own sound, or none.

Loads the mixer (scipy, pyloudnorm) and the voice (onnxruntime), so only the render worker and
the audio tools import it; the web process reads ``audio.lines`` at submit time and never this.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from generation.pipeline.audio.captions import burn_captions
from generation.pipeline.audio.mix import SILENT_DETAILS, make_soundtrack, master_model_sound
from generation.pipeline.audio.speech import plan_speech
from generation.pipeline.base import AUDIO_RATE, Sound
from generation.pipeline.scene import plan_scene

if TYPE_CHECKING:
    from generation.pipeline.base import VideoRequest, VideoResult

SILENT = "Silent: no sound was made."


def add_sound(request: VideoRequest, result: VideoResult) -> None:
    """Give ``result`` its sound: the built-in soundtrack, the model's own, or none.

    Sets ``result.audio`` (None when the person chose silent), burns the subtitles of spoken
    lines into ``result.frames``, records ``plan["soundtrack"]`` (a sentence) and
    ``plan["sound"]`` (what went into it), and adds a sentence to ``result.notes`` for each line
    that could not be spoken. A backend's own sound is kept, only conformed to the clip and set
    to the same loudness: no built-in layer or voice goes over it.
    """
    if request.sound == Sound.OFF:
        result.audio = None
        result.plan["soundtrack"] = SILENT
        result.plan["sound"] = dict(SILENT_DETAILS)
        return
    duration_s = result.frames.shape[0] / result.fps
    if result.audio is not None:
        result.audio = master_model_sound(result.audio, round(duration_s * AUDIO_RATE))
    else:
        plan = result.plan if "setting" in result.plan else plan_scene(request.prompt).as_dict()
        speech = plan_speech(request.prompt, duration_s, request.seed)
        burn_captions(result.frames, speech.cues, result.fps)
        result.audio = make_soundtrack(
            request, plan, result.events, speech, duration_s=duration_s, fps=result.fps
        )
        result.notes.extend(speech.left_out)
    result.plan["soundtrack"] = result.audio.summary
    result.plan["sound"] = dict(result.audio.details)
