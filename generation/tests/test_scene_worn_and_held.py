"""What the prompt's person wears and holds: "a man in a suit running late for the bus, coffee
in hand" used to draw a man in a kitchen with a heart (the card suit), an OK hand sign and a
coffee cup lying on the floor."""

from __future__ import annotations

import numpy as np

from generation.pipeline.cameo_looks import Wearable, prompt_look
from generation.pipeline.scene import plan_scene
from generation.tests.test_builtin_things import one, pixels_of, render, scene_of

LATE = "a man in a suit running late for the bus, coffee in hand"


def test_the_late_man_wears_his_suit_holds_his_coffee_and_runs_in_town() -> None:
    plan = plan_scene(LATE)
    icons = [thing.icon for thing in plan.things]
    assert plan.setting == "city"  # a bus runs through a town; coffee is no kitchen
    assert plan.worn == ("suit",)
    assert "heart-suit" not in icons and "ok-hand" not in icons
    (coffee,) = [thing for thing in plan.things if thing.icon == "hot-beverage"]
    assert (coffee.relation, coffee.actor) == ("hold", 0)  # in the man's hand
    drawn = dict(plan.drawn)
    assert drawn["suit"] == "suit, worn"
    assert drawn["hand"] == "holding hot beverage pictogram"


def test_a_garment_needs_someone_wearing_it() -> None:
    assert plan_scene("a girl wearing a red hat walking her dog").worn == ("red hat",)
    # "wearing" is hers: no pictogram of someone else in a turban joins the scene
    icons = [thing.icon for thing in plan_scene("a girl wearing a red hat").things]
    assert not any(icon.startswith("person") for icon in icons)
    # a suit of cards, a tie game, a cap on a bottle: no one is named as wearing them
    assert plan_scene("a cat playing with a hat on the floor").worn == ()


def test_a_garment_with_no_colour_named_is_still_drawn() -> None:
    (hat,) = prompt_look(("hat",)).items
    assert isinstance(hat, Wearable) and hat.slot == "head" and hat.color
    (coat,) = prompt_look(("black coat",)).items
    assert isinstance(coat, Wearable) and coat.color == "#262428"


def test_the_suit_is_drawn_on_the_man() -> None:
    plan = plan_scene("a man in a red suit walking")
    bare = plan_scene("a man walking")
    dressed = scene_of(plan)
    plain = scene_of(bare)
    red = np.array([0.85, 0.25, 0.25])

    def redness(scene_px: np.ndarray, frame: np.ndarray) -> float:
        rgb = frame[scene_px].astype(float) / 255
        return float(np.mean(np.linalg.norm(rgb - red, axis=1) < 0.3))

    dressed_px = pixels_of(dressed, one(dressed, "person"))[0]
    plain_px = pixels_of(plain, one(plain, "person"))[0]
    assert redness(dressed_px, render(dressed)[0]) > 0.2
    assert redness(plain_px, render(plain)[0]) < redness(dressed_px, render(dressed)[0]) / 2
