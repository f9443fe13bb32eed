"""Say in words how a video is made: which engine, and how it read the prompt.

The job page, Create and drafts show these sentences instead of the raw plan a backend
records, so a person never reads a Python list or an empty value.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from generation.pipeline.base import Sound

# The README section an operator follows to connect a generative model.
MODEL_DOCS_ANCHOR = "README.md#installing-a-real-model"

_TIMES = {"dawn": "at dawn", "day": "by day", "sunset": "at sunset", "night": "at night"}
_COUNTS = {1: "a", 2: "two", 3: "three"}
_PLURALS = {"person": "people", "fish": "fish", "butterfly": "butterflies"}
_ACTIONS = {
    "walk": "walking", "run": "running", "jump": "jumping", "dance": "dancing",
    "spin": "spinning", "fly": "flying", "float": "floating", "wave": "waving",
}  # fmt: skip
_IN_THE_AIR = {"snow": "falling snow"}


@dataclass(frozen=True)
class Engine:
    """What makes (or made) a video, for a line on Create and the job page."""

    generative: bool
    name: str
    sentence: str


BUILTIN = Engine(
    generative=False,
    name="the built-in renderer",
    sentence=(
        "Made by the built-in renderer: it draws your prompt with stock shapes and pictograms. "
        "It is not a generative model."
    ),
)


def _generative(name: str) -> Engine:
    return Engine(
        generative=True,
        name=name,
        sentence=f"Made by the generative video model {name}, running on this site's GPU worker.",
    )


def configured_engine() -> Engine:
    """The engine new videos are made with, from the render workers' configuration."""
    if not settings.SORA_VIDEO_MODEL:
        return BUILTIN
    return _generative(Path(settings.SORA_VIDEO_MODEL).expanduser().name)


def job_engine(*, backend: str, plan: dict[str, Any]) -> Engine:
    """The engine that made a finished job, or the configured one while it waits."""
    if backend == "builtin":
        return BUILTIN
    if backend == "diffusers":
        family = plan.get("family")
        name = str(plan.get("model_pipeline") or "")
        if name and family:
            name = f"{name} ({family} family)"
        return _generative(name or configured_engine().name)
    return configured_engine()


def plan_sentences(plan: dict[str, Any]) -> list[str]:
    """How the engine read the prompt, one short sentence each; empty parts are left out."""
    if not plan:
        return []
    if "model_pipeline" in plan or "pipeline" in plan:
        lines = _model_sentences(plan)
    else:
        lines = _scene_sentences(plan)
    cameo_prompt = plan.get("prompt with cameo instructions")
    if cameo_prompt:
        lines.append(
            f"With the instructions of the cameos in it, the prompt read: “{cameo_prompt}”."
        )
    return lines


def not_drawn(plan: dict[str, Any]) -> list[str]:
    """The words of the prompt the built-in renderer could not draw."""
    return [str(word) for word in plan.get("not_drawn") or [] if str(word).strip()]


def _scene_sentences(plan: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    setting = " ".join(p for p in (plan.get("setting"), _TIMES.get(plan.get("time_of_day"))) if p)
    if setting:
        lines.append(f"Setting: {setting}.")
    subjects = _subjects(plan.get("subjects") or [], plan.get("colors") or [])
    if subjects:
        lines.append(f"Subjects: {subjects}.")
    things = _things(plan.get("things") or [], plan)
    if things:
        lines.append(f"Also drawn: {things}.")
    if plan.get("busy"):
        lines.append("Busy: passers-by and traffic in the background.")
    if plan.get("reflections"):
        lines.append("Wet ground reflects the lights.")
    action = _ACTIONS.get(plan.get("action", ""))
    if action:
        lines.append(f"Action: {action}.")
    weather = plan.get("weather")
    if weather and weather != "none":
        lines.append(f"In the air: {_IN_THE_AIR.get(weather, weather)}.")
    camera = _camera(plan.get("camera"), plan.get("energy"))
    if camera:
        lines.append(f"Camera: {camera}.")
    if plan.get("mood"):
        lines.append(f"Mood: {plan['mood']}.")
    if plan.get("palette") and plan["palette"] != "natural":
        lines.append(f"Colours: {plan['palette']}.")
    if plan.get("caption"):
        lines.append(f"Caption on screen: “{plan['caption']}”.")
    read_as = plan.get("interpreted") or {}
    if read_as:
        pairs = ", ".join(f"“{word}” as {concept}" for word, concept in read_as.items())
        lines.append(f"Read by meaning: {pairs}.")
    return lines


_RELATIONS = {
    "hold": "held by {}", "ride": "ridden by {}", "between": "between {} and the next player",
    "eat": "eaten by {}", "throw": "thrown by {}", "kick": "kicked by {}",
    "knock": "knocked over by {}", "chase": "chasing {}", "hug": "hugging {}",
    "near": "beside {}", "push": "pushed by {}", "aloft": "flown on a string by {}",
    "seat": "with {} on it",
}  # fmt: skip


def _things(things: list[dict[str, Any]], plan: dict[str, Any]) -> str:
    """ "two astronauts, a surfboard ridden by the dog, a hot beverage knocked over by the cat"."""
    cast = list(plan.get("subjects") or []) + [
        str(t.get("icon", "")) for t in things if t.get("role") == "actor"
    ]
    parts: list[str] = []
    for thing in things:
        name = _thing_name(str(thing.get("icon", "")))
        count = int(thing.get("count") or 1)
        text = f"{_COUNTS.get(count, str(count))} {name if count == 1 else name + 's'}"
        if text.startswith("a ") and name[:1] in "aeiou":
            text = "an" + text[1:]
        on = int(thing.get("on", -1))
        if 0 <= on < len(things):
            where = "off" if thing.get("relation") == "knock" else "on"
            text += f" {where} the " + _thing_name(str(things[on].get("icon", "")))
        actor = int(thing.get("actor", -1))
        kind = str(thing.get("relation") or "")
        if kind and 0 <= actor < len(cast):
            who = _thing_name(cast[actor])
            pair = [t for t in things if t.get("role") == "actor" and t.get("icon") == cast[actor]]
            if kind == "between" and pair and int(pair[0].get("count") or 1) >= 2:
                text += f" between the two {who}s"
            elif kind in _RELATIONS:  # a plan stored by another release may name others
                text += " " + _RELATIONS[kind].format("the " + who).replace(
                    "knocked over", "knocked"
                )
        parts.append(text)
    return ", ".join(parts)


def _thing_name(icon: str) -> str:
    return icon.removeprefix("shape-").replace("-", " ")


def _subjects(subjects: Iterable[str], colors: Iterable[str]) -> str:
    """ "a dog", "two red balloons and a cat": runs of the same subject and colour are counted."""
    names = [str(s) for s in subjects]
    paints = [str(c) for c in colors] + [""] * len(names)
    groups: list[list[Any]] = []
    for subject, color in zip(names, paints[: len(names)], strict=True):
        if groups and groups[-1][0] == subject and groups[-1][1] == color:
            groups[-1][2] += 1
        else:
            groups.append([subject, color, 1])
    phrases = [_subject_phrase(subject, color, count) for subject, color, count in groups]
    if len(phrases) <= 1:
        return "".join(phrases)
    return ", ".join(phrases[:-1]) + " and " + phrases[-1]


def _subject_phrase(subject: str, color: str, count: int) -> str:
    noun = subject if count == 1 else _PLURALS.get(subject, subject + "s")
    words = " ".join(w for w in (color, noun) if w)
    article = _COUNTS.get(count, str(count))
    if article == "a" and words[:1] in "aeiou":
        article = "an"
    return f"{article} {words}"


def _camera(camera: str | None, energy: object) -> str:
    if not camera:
        return ""
    if camera == "static":
        return "still"
    pace = energy if isinstance(energy, int | float) else 0.5
    if pace < 0.4:
        return f"slow {camera}"
    if pace > 0.75:
        return f"fast {camera}"
    return camera


def _model_sentences(plan: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    mode = plan.get("mode")
    if mode:
        cameo, starts_from = plan.get("cameo"), plan.get("starts_from")
        start = ""
        if starts_from == "picture":
            start = ", starting from your picture"
        elif cameo:
            start = f", starting from the cameo of {cameo}"
        lines.append(f"Mode: {mode}{start}.")
    steps, guidance = plan.get("steps"), plan.get("guidance")
    if steps:
        lines.append(f"Steps: {steps}{f', guidance {guidance}' if guidance else ''}.")
    size, frames = plan.get("rendered_size") or [], plan.get("rendered_frames")
    if len(size) == 2 and frames:
        lines.append(f"The model drew {frames} frames at {size[0]} × {size[1]}.")
    out, out_frames = plan.get("output_size") or [], plan.get("output_frames")
    if len(out) == 2 and out_frames:
        fps = plan.get("fps")
        rate = f" at {fps} frames a second" if fps else ""
        lines.append(f"The video has {out_frames} frames at {out[0]} × {out[1]}{rate}.")
    device = plan.get("device")
    if device:
        dtype = plan.get("dtype")
        lines.append(f"Device: {device}{f' in {dtype}' if dtype else ''}.")
    return lines


def soundtrack_sentence(*, sound: str, plan: dict[str, Any]) -> str:
    """What the video sounds like, for the job page; empty until the soundtrack is made."""
    if sound == Sound.OFF:
        return "Sound: Silent. This video has no sound, as you chose."
    made = str(plan.get("soundtrack") or "").strip()
    return f"Sound: {made}" if made else ""
