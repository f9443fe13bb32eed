"""Wind is drawn as what it blows, things and animals rest on the furniture they are on, a group
word counts what follows it, and a word for a few things together draws all of them.

Plans are checked for what a viewer would look for; small renders show it is on screen.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import torch

from generation.pipeline.base import VideoRequest
from generation.pipeline.builtin import Scene, build_scene, render_batch
from generation.pipeline.builtin_palette import make_grade
from generation.pipeline.builtin_particles import WEATHER_FIELDS, build_fields
from generation.pipeline.builtin_subjects import Subject
from generation.pipeline.scene import ScenePlan, Thing, plan_scene


@dataclasses.dataclass(frozen=True)
class SmallRequest(VideoRequest):
    @property
    def size(self) -> tuple[int, int]:
        return (96, 160)


def icons(plan: ScenePlan) -> dict[str, Thing]:
    return {thing.icon: thing for thing in plan.things}


def scene_of(prompt: str) -> Scene:
    return build_scene(plan_scene(prompt), SmallRequest(prompt=prompt, seed=5, duration_s=1, fps=8))


def render(scene: Scene) -> np.ndarray:
    frames = np.empty((scene.num_frames, scene.height, scene.width, 3), dtype=np.uint8)
    with torch.inference_mode():
        render_batch(scene, 0, scene.num_frames, torch.from_numpy(frames))
    return frames


def one(scene: Scene, kind: str) -> Subject:
    (found,) = [subject for subject in scene.subjects if subject.kind == kind]
    return found


def test_windy_weather_is_wind_not_a_wind_chime() -> None:
    plan = plan_scene("a boy flying a kite on a windy hill")
    assert plan.weather == "wind"
    assert "wind-chime" not in icons(plan)
    assert ("windy", "wind weather") in plan.drawn
    assert icons(plan)["kite"].relation == "aloft"  # the kite still flies on its string
    for prompt in ("leaves blowing in a strong breeze", "a gusty day at the pier"):
        assert plan_scene(prompt).weather == "wind"


def test_wind_streaks_gusts_sideways_and_carries_leaves_along() -> None:
    plan = plan_scene("a girl walking in the park on a windy day")
    fields = build_fields(
        plan,
        make_grade(plan, np.random.default_rng(1)),
        np.random.default_rng(1),
        (160, 96),
        (8, 8),
    )
    assert len(fields) == len(WEATHER_FIELDS["wind"]) == 2
    for field in fields:  # both blow the same way, faster across than down
        assert bool((field.velocity[:, 0] > 0).all())
        assert float(field.velocity[:, 0].abs().mean()) > 3 * float(
            field.velocity[:, 1].abs().mean()
        )
    calm = render(scene_of("a girl walking in the park on a sunny day")).astype(np.int16)
    windy = render(scene_of("a girl walking in the park on a windy day")).astype(np.int16)
    sky = slice(0, calm.shape[1] // 3)
    assert np.abs(windy[:, sky] - calm[:, sky]).max() > 40


def test_an_animal_resting_on_furniture_is_on_top_of_it() -> None:
    plan = plan_scene("a cat sleeping on a couch")
    couch = icons(plan)["couch-and-lamp"]
    assert (couch.role, couch.relation, couch.actor) == ("furniture", "seat", 0)
    scene = scene_of("a cat sleeping on a couch")
    cat, sofa = one(scene, "cat"), one(scene, "couch-and-lamp")
    assert float(np.max(cat.ground)) < float(np.min(sofa.ground)) - 0.02  # up on it
    assert float(np.abs(cat.x - sofa.x).max()) < 0.05  # and over it, all clip long
    perched = icons(plan_scene("a bird perched on a fence"))["shape-fence"]
    assert (perched.relation, perched.actor) == ("seat", 0)


def test_every_one_of_a_plural_sits_on_the_bench() -> None:
    plan = plan_scene("two kids sitting on a bench eating ice cream")
    assert plan.subjects == ("person", "person")
    assert icons(plan)["shape-bench"].relation == "seat"
    scene = scene_of("two kids sitting on a bench eating ice cream")
    bench = one(scene, "shape-bench")
    people = [s for s in scene.subjects if s.kind == "person"]
    assert len(people) == 2
    for person in people:
        assert float(np.max(person.ground)) < float(np.min(bench.ground))
        assert float(np.abs(person.x - bench.x).max()) < 0.1


def test_a_thing_on_furniture_stands_on_it_and_is_not_anyones_seat() -> None:
    for prompt, thing, furniture in (
        ("a vase on a table", "amphora", "shape-table"),
        ("a book on a shelf", "books", "shape-shelf"),
    ):
        plan = plan_scene(prompt)
        found = icons(plan)
        assert plan.things.index(found[furniture]) == found[thing].on
        assert found[furniture].relation == ""


def test_someone_beside_furniture_is_not_put_on_it() -> None:
    plan = plan_scene("a dog sleeping next to a bed")
    assert icons(plan)["bed"].relation == ""


def test_a_school_of_fish_is_many_fish_underwater_and_no_school() -> None:
    plan = plan_scene("a school of fish")
    assert plan.subjects == ("fish", "fish", "fish")
    assert plan.setting == "underwater"
    assert "school" not in icons(plan)
    assert ("school", "count") in plan.drawn
    birds = plan_scene("a flock of birds over the lake")
    assert birds.subjects == ("bird",) * 3
    assert "flock" not in {t.word for t in birds.things}


def test_homework_is_a_desk_with_books_and_a_pencil_not_a_school() -> None:
    plan = plan_scene("a boy doing homework")
    found = icons(plan)
    assert "school" not in found
    desk = plan.things.index(found["shape-desk"])
    assert found["books"].on == desk and found["pencil"].on == desk
    (what,) = [what for word, what in plan.drawn if word == "homework"]
    assert what == "desk shape, books pictogram, pencil pictogram"


def test_fish_a_prompt_opens_with_are_underwater_but_a_bears_salmon_is_not() -> None:
    assert plan_scene("two goldfish").setting == "underwater"
    assert plan_scene("a bear catching a salmon").setting != "underwater"


def test_the_sky_a_prompt_names_is_the_sky_it_paints() -> None:
    plan = plan_scene("a rocket launching into the night sky")
    assert ("night sky", "night sky") in plan.drawn
    assert "sky" not in plan.not_drawn


def test_a_verb_after_a_size_word_is_a_thing_and_a_two_word_tag_names_its_pictogram() -> None:
    surf = plan_scene("a surfer riding a huge wave")
    assert "water-wave" in icons(surf)
    assert "wave" not in surf.not_drawn
    bins = plan_scene("a man carrying a trash can")
    assert icons(bins)["wastebasket"].word == "trash can"
    assert "can" not in bins.not_drawn


def test_strumming_holds_a_guitar_and_hail_falls_like_snow() -> None:
    plan = plan_scene("a kid strumming a ukulele")
    guitar = icons(plan)["guitar"]
    assert (guitar.word, guitar.relation, guitar.actor) == ("ukulele", "hold", 0)
    assert plan_scene("hail falling on a parked car").weather == "snow"
