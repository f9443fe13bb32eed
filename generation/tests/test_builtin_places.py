"""Busy streets, neon signs, wet reflections, scenery and sky things in the built-in renderer.

Every check renders small frames and looks at their pixels: what a person would see.
"""

from __future__ import annotations

import logging
from dataclasses import replace

import numpy as np
import pytest
import torch

from generation.pipeline import builtin, builtin_places
from generation.pipeline.base import VideoRequest
from generation.pipeline.scene import ScenePlan, Thing

WIDTH, HEIGHT = 180, 320


class SmallRequest(VideoRequest):
    """A request rendered at a small size, so each test draws in a fraction of a second."""

    @property
    def size(self) -> tuple[int, int]:
        return (WIDTH, HEIGHT)


def city(**changes: object) -> ScenePlan:
    """A still city street with a bird overhead (nothing of the plan's own on the ground)."""
    values: dict[str, object] = {
        "setting": "city",
        "time_of_day": "day",
        "palette": "natural",
        "weather": "none",
        "subjects": ("bird",),
        "colors": ("",),
        "action": "fly",
        "camera": "static",
        "energy": 0.3,
    }
    values.update(changes)
    return ScenePlan(**values)  # type: ignore[arg-type]


def build(plan: ScenePlan, seed: int = 3) -> builtin.Scene:
    return builtin.build_scene(plan, SmallRequest(prompt="a street", seed=seed))


def render(scene: builtin.Scene, frames: tuple[int, ...] = (0, 24, 48)) -> np.ndarray:
    out = np.empty((len(frames), scene.height, scene.width, 3), dtype=np.uint8)
    with torch.inference_mode():
        for i, frame in enumerate(frames):
            builtin.render_batch(scene, frame, frame + 1, torch.from_numpy(out[i : i + 1]))
    return out.astype(np.float32)


def row(world_y: float) -> int:
    """Screen row of a world height (frame heights from the top) with a still camera."""
    return round(world_y * HEIGHT)


def changed_columns(a: np.ndarray, b: np.ndarray, rows: slice) -> np.ndarray:
    """Per column: does any pixel in ``rows`` differ clearly between the two frames?"""
    return (np.abs(a[rows] - b[rows]).max(axis=2) > 24).any(axis=0)


def runs(columns: np.ndarray) -> int:
    """How many separate stretches of True the column mask holds."""
    padded = np.concatenate([[False], columns, [False]])
    return int(np.count_nonzero(padded[1:] & ~padded[:-1]))


def luminance(frame: np.ndarray) -> np.ndarray:
    return frame @ np.array([0.299, 0.587, 0.114], dtype=np.float32)


def test_a_plain_scene_adds_nothing() -> None:
    scene = build(city())
    assert scene.places is None


def test_a_busy_city_fills_the_far_street_with_walkers_and_traffic() -> None:
    quiet, busy = build(city()), build(city(busy=True))
    assert busy.places is not None and busy.places.crowd and busy.places.road is not None
    still, crowd = render(quiet), render(busy)
    band = slice(row(0.62), row(0.8))
    # Heads, bus roofs: many separate sprites over the far road, across most of the width.
    heads = changed_columns(still[0], crowd[0], slice(row(0.63), row(0.705)))
    assert runs(heads) >= 3 and heads.mean() > 0.3
    # They move: the busy street changes from frame to frame, the quiet one barely does.
    moved = changed_columns(crowd[0], crowd[2], band).mean()
    assert moved > 0.3
    assert moved > 5 * changed_columns(still[0], still[2], band).mean()
    # Smaller than the subjects and kept out of the sky.
    sky = slice(0, row(0.45))
    assert np.array_equal(still[:, sky], crowd[:, sky])


def test_busy_outside_a_city_is_a_crowd_without_traffic() -> None:
    plan = city(setting="beach", busy=True)
    scene = build(plan)
    assert scene.places is not None
    assert scene.places.crowd and scene.places.road is None and not scene.places.back
    quiet = render(build(city(setting="beach")), (0,))[0]
    crowd = render(scene, (0,))[0]
    assert runs(changed_columns(quiet, crowd, slice(row(0.66), row(0.8)))) >= 3


def test_walkers_carry_umbrellas_in_the_rain() -> None:
    dry = build(city(busy=True)).places
    wet = build(city(busy=True, weather="rain")).places
    assert dry is not None and wet is not None
    # An umbrella over the head makes the walker's sheet taller than its body.
    assert all(g.sheet.pixels.shape[2] < g.sheet.px_per_unit * 1.1 for g in dry.crowd)
    assert any(g.sheet.pixels.shape[2] > g.sheet.px_per_unit * 1.15 for g in wet.crowd)


def test_reflections_mirror_the_band_above_the_ground_line() -> None:
    night = city(time_of_day="night")
    wet_scene = build(replace(night, reflections=True))
    assert wet_scene.places is not None and wet_scene.places.mirror is not None
    line = row(wet_scene.places.mirror.line)
    depth = 40

    def mirror_match(plan: ScenePlan) -> float:
        frame = luminance(render(build(plan), (0,))[0])
        above = frame[line - depth : line][::-1]
        below = frame[line : line + depth]
        return float(np.corrcoef(above.ravel(), below.ravel())[0, 1])

    wet = mirror_match(replace(night, reflections=True))
    dry = mirror_match(night)
    assert wet > 0.35
    assert wet > dry + 0.25


def test_reflections_ripple_in_the_rain() -> None:
    plan = city(time_of_day="night", weather="rain", reflections=True)
    scene = build(plan)
    assert scene.places is not None and scene.places.mirror is not None
    scene.near_fields, scene.far_fields = [], []  # the ripple, not the falling rain
    frames = render(scene, (0, 5))
    line = row(scene.places.mirror.line)
    ground = slice(line + 4, line + 60)
    assert np.abs(frames[0][ground] - frames[1][ground]).max() > 20


def test_a_city_at_night_has_glowing_neon_signs_on_its_buildings() -> None:
    scene = build(city(time_of_day="night"))
    assert scene.places is not None and scene.places.back
    lit = render(scene, (0,))[0]
    scene.places = None
    dark = render(scene, (0,))[0]
    fronts = slice(row(0.4), row(0.72))

    def neon(frame: np.ndarray) -> int:
        top, low = frame.max(axis=2), frame.min(axis=2)
        saturated = (top > 150) & (top - low > 0.55 * top)
        return int(np.count_nonzero(saturated))

    assert neon(lit[fronts]) > 400
    assert neon(lit[fronts]) > 4 * neon(dark[fronts]) + 100


def test_neon_signs_stay_in_the_city_at_night() -> None:
    assert build(city(setting="meadow", time_of_day="night")).places is None
    assert build(city()).places is None  # a city by day
    assert builtin_places.wants_signs(city(palette="neon"))


def test_a_scenery_thing_repeats_along_the_background() -> None:
    plan = city(setting="meadow")
    house = Thing(icon="house", word="houses", role="scenery")
    bare = render(build(plan), (0,))[0]
    dressed = render(build(city(setting="meadow", things=(house,))), (0,))[0]
    added = changed_columns(bare, dressed, slice(row(0.5), row(0.8)))
    assert runs(added) >= 3
    sky = slice(0, row(0.45))
    assert np.array_equal(bare[sky], dressed[sky])


def test_one_named_building_stands_alone_and_taller_than_a_street_of_them() -> None:
    bare = render(build(city(setting="meadow")), (0,))[0]

    def dressed(word: str) -> np.ndarray:
        house = Thing(icon="house", word=word, role="scenery")
        return render(build(city(setting="meadow", things=(house,))), (0,))[0]

    def rows_reached(frame: np.ndarray) -> int:
        return int((np.abs(frame.astype(int) - bare.astype(int)).sum(axis=(1, 2)) > 0).sum())

    street, one = dressed("houses"), dressed("house")
    ground = slice(row(0.3), row(0.8))
    # One house (and at most a part of the next), where "houses" make a street.
    assert (
        runs(changed_columns(bare, one, ground)) <= 2 < runs(changed_columns(bare, street, ground))
    )
    assert rows_reached(one) > rows_reached(street)


def test_a_scenery_count_sets_how_many_fit_in_the_frame() -> None:
    plan = city(setting="meadow")
    trees = Thing(icon="deciduous-tree", word="trees", role="scenery", count=4)
    bare = render(build(plan), (0,))[0]
    dressed = render(build(city(setting="meadow", things=(trees,))), (0,))[0]
    trunks = slice(row(0.69), row(0.72))
    assert runs(changed_columns(bare, dressed, trunks)) >= 4


def test_a_sky_thing_is_up_in_the_sky_and_a_plane_crosses_it() -> None:
    plane = Thing(icon="airplane", word="aeroplane", role="sky")
    bare = render(build(city()), (0, 90))
    flown = render(build(city(things=(plane,))), (0, 90))
    changed = np.abs(bare - flown).max(axis=3) > 24  # (frame, row, column)
    rows = np.flatnonzero(changed[0].any(axis=1))
    assert len(rows) and rows.max() < row(0.5)
    # It has moved across the frame between the first and the last frames.
    first = np.flatnonzero(changed[0].any(axis=0)).mean()
    last = np.flatnonzero(changed[1].any(axis=0)).mean()
    assert abs(last - first) > WIDTH * 0.3


def test_sky_count_draws_that_many_copies() -> None:
    clouds = Thing(icon="sun", word="suns", role="sky", count=2)
    bare = render(build(city()), (0,))[0]
    shown = render(build(city(things=(clouds,))), (0,))[0]
    assert runs(changed_columns(bare, shown, slice(0, row(0.5)))) == 2


def test_the_same_seed_draws_the_same_frames() -> None:
    plan = city(
        time_of_day="night",
        weather="rain",
        busy=True,
        reflections=True,
        things=(
            Thing(icon="red-paper-lantern", word="lanterns", role="scenery", count=3),
            Thing(icon="airplane", word="plane", role="sky"),
        ),
    )
    first, again = render(build(plan, seed=5)), render(build(plan, seed=5))
    assert np.array_equal(first, again)
    assert not np.array_equal(first, render(build(plan, seed=6)))


@pytest.mark.parametrize("role", ["scenery", "sky"])
def test_a_bad_icon_is_skipped_and_logged(role: str, caplog: pytest.LogCaptureFixture) -> None:
    bad = Thing(icon="no-such-pictogram", word="gizmo", role=role)
    with caplog.at_level(logging.WARNING, logger="generation.pipeline.builtin_places"):
        scene = build(city(busy=True, things=(bad,)))
    assert "gizmo" in caplog.text and "no-such-pictogram" in caplog.text
    assert scene.places is not None
    assert scene.places.sky == [] or role != "sky"
    # The clip still renders, exactly as if the thing had never been asked for.
    assert np.array_equal(render(scene), render(build(city(busy=True))))


@pytest.mark.parametrize("camera", ["pan", "zoom in", "orbit", "shake"])
def test_every_camera_move_carries_the_place_with_it(camera: str) -> None:
    plan = city(time_of_day="night", weather="rain", busy=True, reflections=True, camera=camera)
    scene = build(plan)
    dressed = render(scene, (0, 60))
    scene.places = None
    bare = render(scene, (0, 60))
    for before, after in zip(bare, dressed, strict=True):
        street = changed_columns(before, after, slice(row(0.62), row(0.8)))
        assert street.mean() > 0.5  # walkers, traffic and signs in every frame


def test_one_named_building_is_drawn_once_in_a_panning_clip() -> None:
    def copies(word: str) -> int:
        cabin = Thing(icon="hut", word=word, role="scenery")
        plan = city(
            setting="forest", things=(cabin,), subjects=("person",), action="walk", camera="pan"
        )
        scene = build(plan)
        assert scene.places is not None
        (group,) = scene.places.back
        return int(group.u.shape[0])

    # One cabin for the whole clip, however far the camera pans; cabins line the way.
    assert copies("cabin") == 1 < copies("cabins")
