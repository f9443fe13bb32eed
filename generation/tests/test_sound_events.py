"""The built-in renderer lists what makes a sound at the frame it is drawn.

Landings, splashes, lightning and confetti pops come from the same arrays that move the pixels,
so each test checks an event against the picture: the sprite's feet, the frame's brightness,
the confetti pixels, the splash's droplets.

Run alone with ``pytest generation/tests/test_sound_events.py -p no:django --noconftest``.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from generation.pipeline.base import SoundEvent, VideoRequest
from generation.pipeline.builtin import BuiltinBackend, Scene, _buffers, build_scene, render_batch
from generation.pipeline.builtin_subjects import MAX_LANDINGS
from generation.pipeline.scene import plan_scene

MEADOW_JUMP = "a dog jumping in a meadow"
BEACH_JUMP = "a dog jumping on the beach"
STORM = "a dramatic thunderstorm with heavy rain over the city"
CONFETTI = "a party with confetti on stage"
CALM_WALK = "a calm walk in the forest"


def scene_for(prompt: str, seed: int = 7, duration_s: int = 4) -> Scene:
    request = VideoRequest(prompt=prompt, seed=seed, duration_s=duration_s)
    return build_scene(plan_scene(prompt), request)


def all_frames(scene: Scene) -> np.ndarray:
    """Every frame of the clip, drawn in batches the way ``generate`` draws them."""
    frames = np.empty((scene.num_frames, scene.height, scene.width, 3), dtype=np.uint8)
    buffers = _buffers(scene, 8)
    with torch.inference_mode():
        for start in range(0, scene.num_frames, 8):
            stop = min(start + 8, scene.num_frames)
            render_batch(scene, start, stop, torch.from_numpy(frames[start:stop]), buffers)
    return frames


def one_frame(scene: Scene, index: int) -> np.ndarray:
    frame = np.empty((1, scene.height, scene.width, 3), dtype=np.uint8)
    with torch.inference_mode():
        render_batch(scene, index, index + 1, torch.from_numpy(frame))
    return frame[0]


def box_max(mask: np.ndarray, side: int) -> int:
    """The most ``True`` pixels any ``side`` x ``side`` square of ``mask`` holds."""
    total = np.pad(mask.astype(np.int64).cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    sums = total[side:, side:] - total[:-side, side:] - total[side:, :-side] + total[:-side, :-side]
    return int(sums.max())


def frames_of(events: list[SoundEvent], kind: str) -> list[int]:
    return [event.frame for event in events if event.kind == kind]


def _ignore(fraction: float, stage: str) -> None:
    del fraction, stage


def _never() -> bool:
    return False


def test_it_thumps_on_the_frames_where_a_jumping_dog_touches_the_ground() -> None:
    scene = scene_for(MEADOW_JUMP)
    thumps = frames_of(scene.events, "thump")
    (dog,) = scene.subjects
    # Screen pixels between the feet and the ground line (the camera's zoom scales world units).
    zoom = 1 + (scene.camera["zoom"] - 1) * 0.85
    lift_px = (dog.ground - dog.y) * zoom * scene.height
    up = lift_px > 1.0
    touchdowns = [f for f in range(1, scene.num_frames) if up[f - 1] and not up[f]]

    assert {event.kind for event in scene.events} == {"thump"}
    assert len(thumps) >= 3
    assert thumps == touchdowns
    for frame in thumps:
        assert lift_px[frame] <= 1.0  # the feet are on the ground at the thump
        assert lift_px[frame - 3] > 3.0  # and were in the air a few frames before
    assert all(0.0 < event.strength <= 1.0 for event in scene.events)


def test_the_video_result_carries_the_events_sorted_by_frame() -> None:
    request = VideoRequest(prompt=MEADOW_JUMP, seed=7)
    result = BuiltinBackend().generate(request, on_progress=_ignore, should_cancel=_never)

    assert result.events == scene_for(MEADOW_JUMP).events
    assert [event.frame for event in result.events] == sorted(e.frame for e in result.events)
    assert all(0 < event.frame < result.frames.shape[0] for event in result.events)


def test_it_strikes_lightning_on_the_frames_where_a_storm_lights_up() -> None:
    scene = scene_for(STORM)
    brightness = all_frames(scene).astype(np.float32).mean(axis=(1, 2, 3))
    jumps = np.diff(brightness)
    brightens = [f + 1 for f in np.flatnonzero(jumps > 8.0)]
    strikes = frames_of(scene.events, "lightning")

    assert strikes, "a dramatic storm has lightning"
    assert strikes == brightens
    assert all(jumps[f - 1] > 20.0 for f in strikes)


@pytest.mark.parametrize(
    "prompt",
    [
        "lightning and thunder over the mountains in a storm at night",
        "a thunderstorm over the city",
        "thunder over a quiet farm",
    ],
)
def test_a_prompt_that_names_a_storm_or_lightning_gets_lightning_whatever_its_mood(
    prompt: str,
) -> None:
    assert frames_of(scene_for(prompt).events, "lightning")


def test_plain_rain_without_a_storm_stays_calm() -> None:
    assert frames_of(scene_for("a calm rainy afternoon in the park").events, "lightning") == []


def test_a_calm_clear_scene_has_no_lightning() -> None:
    assert frames_of(scene_for("a sunny day in a meadow, calm").events, "lightning") == []


def test_it_pops_on_the_frames_where_a_new_cloud_of_confetti_appears() -> None:
    scene = scene_for(CONFETTI)
    with_confetti = all_frames(scene)
    without = all_frames(dataclasses.replace(scene, near_fields=[], far_fields=[]))
    confetti = np.abs(with_confetti.astype(np.int16) - without).max(axis=-1) > 24
    counts = confetti.sum(axis=(1, 2))
    pops = frames_of(scene.events, "pop")
    appears = [f + 1 for f in np.flatnonzero(np.diff(counts) > 1000)]

    assert 2 <= len(pops) <= 4
    assert pops == appears
    assert counts[: pops[0]].sum() == 0  # nothing before the first burst
    side = round(0.2 * scene.height)
    for frame in pops:
        # The new pieces start together at one point: nearly all the confetti that was not
        # there a frame before fits in one square a fifth of the frame's height across.
        fresh = confetti[frame] & ~confetti[frame - 1]
        assert box_max(fresh, side) > 0.8 * (counts[frame] - counts[frame - 1])


def test_longer_clips_get_more_confetti_bursts() -> None:
    short = frames_of(scene_for(CONFETTI, duration_s=4).events, "pop")
    long = frames_of(scene_for(CONFETTI, duration_s=12).events, "pop")

    assert len(short) == 2
    assert len(long) == 4
    assert long[-1] <= 12 * 24 - 24  # the last burst has time to be seen


def test_a_jump_on_the_beach_lands_in_the_surf_with_a_visible_splash() -> None:
    scene = scene_for(BEACH_JUMP)
    splashes = frames_of(scene.events, "splash")
    dry = dataclasses.replace(scene, splashes=None)
    (dog,) = scene.subjects

    assert {event.kind for event in scene.events} == {"splash"}
    assert len(splashes) >= 3
    for frame in splashes:
        assert dog.y[frame] == dog.ground[frame]
        # Three frames on, droplets and a ring of foam show around the feet.
        wet = one_frame(scene, frame + 3).astype(np.int16)
        changed = np.abs(wet - one_frame(dry, frame + 3)).max(axis=-1) > 30
        rows, cols = np.nonzero(changed)
        assert len(rows) > 150
        feet_row = dog.ground[frame] * scene.height
        assert abs(np.median(rows) - feet_row) < 0.08 * scene.height
        assert wet[changed].mean() > 150  # white foam on blue water
    # Half a second after a landing the splash has gone again.
    later = splashes[0] + 12
    assert not (np.abs(one_frame(scene, later).astype(np.int16) - one_frame(dry, later)) > 0).any()


def test_a_jump_on_dry_ground_draws_no_splash() -> None:
    scene = scene_for(MEADOW_JUMP)

    assert scene.splashes is None
    assert frames_of(scene.events, "splash") == []


def test_a_calm_walk_makes_no_landing_sounds() -> None:
    scene = scene_for(CALM_WALK)

    assert frames_of(scene.events, "thump") == []
    assert frames_of(scene.events, "splash") == []


def test_a_crowd_jumping_for_a_long_clip_is_capped_and_keeps_going_to_the_end() -> None:
    scene = scene_for("three kids jumping in a meadow, energetic", duration_s=12)
    thumps = frames_of(scene.events, "thump")

    assert len(scene.subjects) == 3
    assert len(thumps) == MAX_LANDINGS
    assert thumps[-1] > 12 * 24 - 48  # the last second still has landings


@pytest.mark.parametrize("prompt", [MEADOW_JUMP, BEACH_JUMP, STORM, CONFETTI])
def test_the_same_request_gives_the_same_events(prompt: str) -> None:
    first = scene_for(prompt, seed=11).events

    assert first
    assert scene_for(prompt, seed=11).events == first
    assert [event.frame for event in first] == sorted(event.frame for event in first)
