"""A house named as what the video is about is seen from outside, weather named for a room stays
outside its window, a surfer with no place named surfs at the beach, and a knight rides.

Plans are checked for what a viewer would look for; small renders show it is on screen.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import torch

from generation.pipeline.base import VideoRequest
from generation.pipeline.builtin import build_scene, render_batch
from generation.pipeline.builtin_palette import make_grade
from generation.pipeline.builtin_particles import build_fields
from generation.pipeline.scene import plan_scene


@dataclasses.dataclass(frozen=True)
class SmallRequest(VideoRequest):
    @property
    def size(self) -> tuple[int, int]:
        return (96, 160)


def frames_of(prompt: str, *, without_things: bool = False) -> np.ndarray:
    """The prompt's small clip; ``without_things`` draws the same plan, seed and people with
    none of its pictogram things."""
    request = SmallRequest(prompt=prompt, seed=5, duration_s=1, fps=8)
    plan = plan_scene(prompt)
    if without_things:
        plan = dataclasses.replace(plan, things=())
    scene = build_scene(plan, request)
    frames = np.empty((scene.num_frames, scene.height, scene.width, 3), dtype=np.uint8)
    with torch.inference_mode():
        render_batch(scene, 0, scene.num_frames, torch.from_numpy(frames))
    return frames


def test_a_haunted_house_at_night_is_the_building_outside_with_its_ghost_drifting() -> None:
    plan = plan_scene("a haunted house with a scary ghost at night")
    assert plan.setting != "room"
    assert plan.time_of_day == "night"
    roles = {thing.icon: thing.role for thing in plan.things}
    assert roles["derelict-house"] == "scenery"  # the haunted one, standing alone
    assert roles["ghost"] == "actor"  # the ghost is who the video is about, not a stray dog
    assert "dog" not in plan.subjects
    assert plan.not_drawn == ()


def test_a_house_is_a_room_once_the_prompt_goes_inside_it() -> None:
    for prompt in ("a cat inside the house", "a family at home in the house"):
        assert plan_scene(prompt).setting == "room", prompt
    for prompt in ("an old house on a hill", "a girl walking to her house", "a castle at dawn"):
        assert plan_scene(prompt).setting != "room", prompt


def test_wind_named_for_a_room_is_heard_outside_and_nothing_blows_across_the_wall() -> None:
    plan = plan_scene("a cozy living room on a windy evening")
    assert plan.setting == "room"
    assert plan.weather == "wind"  # the soundtrack still plays the wind
    assert ("windy", "wind, heard outside the window") in plan.drawn
    rng = np.random.default_rng(1)
    assert build_fields(plan, make_grade(plan, rng), rng, (160, 96)) == []
    outdoors = plan_scene("a girl walking in the park on a windy day")
    assert build_fields(outdoors, make_grade(outdoors, rng), rng, (160, 96)) != []


def test_rain_and_snow_named_for_a_kitchen_leave_the_kitchen_dry_and_say_so() -> None:
    kitchens = (("a kitchen on a rainy night", "rainy"), ("baking in a snowy kitchen", ""))
    for prompt, word in kitchens:
        plan = plan_scene(prompt)
        assert plan.setting == "kitchen", prompt
        rng = np.random.default_rng(2)
        assert build_fields(plan, make_grade(plan, rng), rng, (160, 96)) == [], prompt
        if word:
            assert dict(plan.drawn)[word].startswith("rain, heard outside the window")
    frames = frames_of("a kitchen on a rainy night")
    assert frames.shape == (8, 160, 96, 3) and frames.std() > 10  # the kitchen itself is drawn


def test_a_surfer_with_no_place_named_surfs_at_the_beach() -> None:
    assert plan_scene("a surfer riding a huge wave").setting == "beach"
    assert plan_scene("a snowboarder doing a jump").setting == "snow"
    assert plan_scene("an astronaut floating").setting == "space"
    # A place the prompt names wins.
    assert plan_scene("a surfer walking through a city street").setting == "city"


def test_a_knight_riding_a_horse_is_a_rider_on_the_horse() -> None:
    plan = plan_scene("a knight riding a horse")
    assert plan.subjects == ("person",)
    (horse,) = [thing for thing in plan.things if thing.icon == "horse"]
    assert horse.relation == "ride"
    assert "knight" not in plan.not_drawn
