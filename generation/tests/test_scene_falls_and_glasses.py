"""Things that fall, a glass of something, and prompts about things rather than anyone.

"a lemon dropping into a glass of water with a splash" used to draw a dog knocking a glass off
a table in the rain: "water" and "splash" were read as rain, "glass" as a material, and the
falling lemon's verb was given to the stand-in dog.
"""

from __future__ import annotations

import numpy as np

from generation.pipeline.scene import Thing, plan_scene
from generation.tests.test_builtin_things import one, pixels_of, plan_of, rows, scene_of

LEMON = "a lemon dropping into a glass of water with a splash"


def test_a_lemon_drops_into_a_glass_of_water_and_nothing_else_is_made_up() -> None:
    plan = plan_scene(LEMON)
    icons = [thing.icon for thing in plan.things]
    lemon = plan.things[icons.index("lemon")]
    assert lemon.motion == "fall"
    assert plan.things[lemon.on].icon == "tumbler-glass"  # it lands in the glass
    assert "sweat-droplets" not in icons  # the splash is the landing's, not a prop beside it
    assert dict(plan.drawn)["splash"] == "splash as the lemon lands"
    assert plan.subjects == ()  # no stand-in dog walking past
    assert plan.weather == "none"  # water in a glass is not rain
    assert "shape-table" not in icons  # nothing is knocked off anything
    drawn = dict(plan.drawn)
    assert drawn["dropping"] == "lemon pictogram falling"
    assert drawn["glass of water"] == "tumbler glass pictogram"
    assert plan.not_drawn == ()


def test_a_glass_of_milk_is_the_milk_glass_and_a_glass_vase_is_still_a_vase() -> None:
    assert [t.icon for t in plan_scene("a glass of milk on the kitchen table").things][:1] == [
        "glass-of-milk"
    ]
    vase = plan_scene("a glass vase on a table")
    assert "tumbler-glass" not in [t.icon for t in vase.things]


def test_a_runaway_shopping_cart_is_one_cart_with_no_wedding_and_no_stand_in() -> None:
    plan = plan_scene("a supermarket aisle with a runaway shopping cart")
    icons = [thing.icon for thing in plan.things]
    assert icons.count("shopping-cart") == 1
    assert "wedding" not in icons
    assert "aisle" in plan.not_drawn  # said, not drawn as something else
    assert plan.subjects == ()


def test_a_stand_in_keeps_its_place_when_a_verb_gives_it_something_to_do() -> None:
    plan = plan_scene("scissors cutting a ribbon at a grand opening")
    assert plan.subjects  # someone holds the scissors
    assert any(thing.relation and thing.actor >= 0 for thing in plan.things)


def test_turquoise_water_at_the_beach_is_the_sea_not_rain_or_a_water_pistol() -> None:
    plan = plan_scene("a tropical island with palm trees and turquoise water")
    assert plan.setting == "beach"
    assert plan.weather == "none"
    icons = [thing.icon for thing in plan.things]
    assert "water-pistol" not in icons and "tropical-drink" not in icons
    assert dict(plan.drawn)["turquoise water"] == "beach scene"


def test_the_falling_lemon_comes_from_above_and_lands_in_the_glass_with_a_splash() -> None:
    plan = plan_of(
        Thing("tumbler-glass", "glass of water", "prop"),
        Thing("lemon", "lemon", "prop", on=0, motion="fall"),
        subjects=(),
        colors=(),
    )
    scene = scene_of(plan, seconds=3)
    glass_px = pixels_of(scene, one(scene, "tumbler-glass"))
    lemon_px = pixels_of(scene, one(scene, "lemon"))
    splashes = [event for event in scene.events if event.kind == "splash"]

    assert not lemon_px[0].any()  # above the frame when the clip begins
    glass_top, glass_bottom = rows(glass_px[-1])
    lemon_top, lemon_bottom = rows(lemon_px[-1])
    assert glass_top <= (lemon_top + lemon_bottom) / 2 <= glass_bottom  # in the glass at the end
    (splash,) = splashes
    seen = [frame for frame in range(scene.num_frames) if lemon_px[frame].any()]
    assert seen[0] < splash.frame  # seen falling before it lands
    bottoms = [rows(lemon_px[frame])[1] for frame in seen]
    assert np.all(np.diff(bottoms) >= 0)  # only ever downwards


def test_a_rooms_wall_slides_by_as_the_camera_follows_a_walker() -> None:
    def travel(setting: str) -> int:
        scene = scene_of(plan_of(setting=setting, camera="pan", room=("hallway",)), seconds=3)
        offsets = scene.sky_offsets[:, 0]
        return int(offsets.max() - offsets.min())

    # Outdoors the far sky hardly moves; a hallway's doors pass by the walker.
    assert travel("room") > max(8, 10 * travel("meadow"))


def test_a_bowl_of_ramen_is_the_ramen_and_the_still_life_is_moved_in_on() -> None:
    plan = plan_scene("a bowl of steaming ramen with chopsticks")
    icons = [thing.icon for thing in plan.things]
    assert icons.count("steaming-bowl") == 1 and "bowl-with-spoon" not in icons
    assert dict(plan.drawn)["bowl of steaming ramen"] == "steaming bowl pictogram"
    assert plan.cast() == () and plan.camera == "zoom in"  # no pan across an empty field


def test_left_open_by_the_front_door_draws_no_hand_sign_and_no_book() -> None:
    icons = [t.icon for t in plan_scene("an umbrella left open by the front door").things]
    assert icons == ["umbrella", "door"]
