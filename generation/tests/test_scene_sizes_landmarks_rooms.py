"""Size words draw things bigger or smaller, one named building stands alone as a landmark (a
lighthouse is drawn, a haunted house is the derelict one with its ghost), and furniture that
only stands indoors puts the scene in a room, whose own window is the one the prompt names.

Plans are checked for what a viewer would look for; small renders show it is on screen.
"""

from __future__ import annotations

import numpy as np

from generation.pipeline import builtin_thing_looks as looks
from generation.pipeline.scene import plan_scene
from generation.tests.test_scene_outside_and_implied import frames_of

LIGHTHOUSE_RED = np.array([216, 68, 58])


def _things(prompt: str) -> dict[str, object]:
    return {thing.icon: thing for thing in plan_scene(prompt).things}


def test_size_words_scale_the_thing_they_come_before() -> None:
    things = _things("a tiny elephant and a giant cupcake in a park")
    assert things["elephant"].scale < 1 < things["cupcake"].scale
    assert _things("a huge red umbrella on the beach")["umbrella"].scale > 1
    assert _things("an elephant and a cupcake in a park")["cupcake"].scale == 1.0


def test_a_giant_small_thing_is_drawn_big_and_a_tiny_big_one_small() -> None:
    giant_cupcake = looks.extent("cupcake") * looks.size_factor("cupcake", 1.7)
    tiny_elephant = looks.extent("elephant") * looks.size_factor("elephant", 0.6)
    assert giant_cupcake >= looks.GIANT_AT_LEAST  # as big as a large animal, not 0.3 of a person
    assert tiny_elephant <= looks.TINY_AT_MOST < looks.extent("elephant")
    assert looks.size_factor("cupcake", 1.0) == 1.0


def test_a_lighthouse_is_drawn_where_the_prompt_names_one() -> None:
    plan = plan_scene("a huge wave crashing on a lighthouse")
    assert plan.setting == "beach"
    assert _things("a huge wave crashing on a lighthouse")["shape-lighthouse"].role == "scenery"
    assert dict(plan.drawn)["lighthouse"].startswith("lighthouse shape")
    sheet = looks.shape_sheet("shape-lighthouse", 40).pixels[0]
    assert float(sheet[3].mean()) > 0.3  # a solid tower, not an empty sheet

    def red_share(frames: np.ndarray) -> float:
        return float((np.abs(frames.astype(np.int16) - LIGHTHOUSE_RED).sum(axis=-1) < 60).mean())

    # The tower's red bands: a share of the small frame more than the same beach without it.
    prompt = "a lighthouse on the beach"
    with_it, without = frames_of(prompt), frames_of(prompt, without_things=True)
    assert red_share(with_it) > red_share(without) + 0.002


def test_a_haunted_house_is_the_derelict_one_with_one_ghost() -> None:
    roles = {t.icon: t.role for t in plan_scene("a haunted house on a hill at night").things}
    assert roles == {"derelict-house": "scenery", "ghost": "actor"}
    named = plan_scene("a haunted house with a scary ghost at night")
    assert [t.icon for t in named.things].count("ghost") == 1
    assert named.not_drawn == ()


def test_furniture_that_stands_indoors_puts_the_scene_in_a_room() -> None:
    plan = plan_scene("a cat sleeping on a couch by the window")
    assert plan.setting == "room" and plan.room == ("living room",)
    assert ("window", "the room's window") in plan.drawn
    assert "window" not in {t.icon for t in plan.things}  # no second window on the floor
    assert plan_scene("a dog asleep on the bed").room == ("bedroom",)
    # A place the prompt names still wins, and outdoors a window is a window pictogram.
    assert plan_scene("a couch on the beach at sunset").setting == "beach"
    assert "window" in {t.icon for t in plan_scene("a bird at the window of a house").things}
