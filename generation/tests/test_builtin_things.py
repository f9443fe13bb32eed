"""Pictogram things in the built-in renderer: what the prompt names is on screen, doing it.

Each test renders a tiny clip (96x160) and reads pixels. A sprite's pixels are found by drawing
the frame with only that sprite and with none, and keeping what changed.
"""

from __future__ import annotations

import dataclasses
import logging

import numpy as np
import pytest
import torch

from generation.pipeline import builtin_thing_looks as looks
from generation.pipeline import builtin_things
from generation.pipeline.base import VideoRequest
from generation.pipeline.builtin import Scene, build_scene, render_batch
from generation.pipeline.builtin_subjects import Subject
from generation.pipeline.scene import ScenePlan, Thing

FPS = 12


@dataclasses.dataclass(frozen=True)
class SmallRequest(VideoRequest):
    """A request for a 96x160 clip, small enough to render many times in a test."""

    width: int = 96
    height: int = 160

    @property
    def size(self) -> tuple[int, int]:
        return (self.width, self.height)


def plan_of(*things: Thing, **scene: object) -> ScenePlan:
    base: dict[str, object] = {
        "setting": "meadow",
        "subjects": ("person",),
        "colors": ("",),
        "action": "walk",
        "camera": "static",
    }
    return ScenePlan(**{**base, **scene, "things": things})  # type: ignore[arg-type]


def scene_of(plan: ScenePlan, seconds: int = 2, seed: int = 5) -> Scene:
    request = SmallRequest(prompt="things", seed=seed, duration_s=seconds, fps=FPS)
    return build_scene(plan, request)


def render(scene: Scene) -> np.ndarray:
    frames = np.empty((scene.num_frames, scene.height, scene.width, 3), dtype=np.uint8)
    with torch.inference_mode():
        render_batch(scene, 0, scene.num_frames, torch.from_numpy(frames))
    return frames


def pixels_of(scene: Scene, *subjects: Subject) -> np.ndarray:
    """(T, H, W) bool: where these sprites (without their shadows) change the picture."""
    alone = [dataclasses.replace(subject, shadow=None) for subject in subjects]
    drawn = render(dataclasses.replace(scene, subjects=alone)).astype(np.int16)
    empty = render(dataclasses.replace(scene, subjects=[]))
    return np.abs(drawn - empty).max(axis=-1) > 24


def one(scene: Scene, kind: str) -> Subject:
    (found,) = [subject for subject in scene.subjects if subject.kind == kind]
    return found


def centre_col(mask: np.ndarray) -> float:
    return float(np.nonzero(mask)[1].mean())


def rows(mask: np.ndarray) -> tuple[int, int]:
    ys = np.nonzero(mask)[0]
    return int(ys.min()), int(ys.max())


def cols(mask: np.ndarray) -> tuple[int, int]:
    xs = np.nonzero(mask)[1]
    return int(xs.min()), int(xs.max())


def test_a_held_prop_moves_with_the_runner_at_hand_height() -> None:
    plan = plan_of(Thing("teddy-bear", "teddy", "prop", 1, "hold", 0), action="run")
    scene = scene_of(plan)
    runner, bear = one(scene, "person"), one(scene, "teddy-bear")
    person_px, bear_px = pixels_of(scene, runner), pixels_of(scene, bear)

    travel = centre_col(bear_px[-1]) - centre_col(bear_px[0])
    assert abs(travel) > 20  # the runner crossed a good part of the frame, and the bear too
    gaps = [centre_col(bear_px[f]) - centre_col(person_px[f]) for f in range(scene.num_frames)]
    assert max(gaps) - min(gaps) < 5  # it stays at the same side of the runner all along
    for frame in range(scene.num_frames):
        top, bottom = rows(person_px[frame])
        bear_top, bear_bottom = rows(bear_px[frame])
        assert top < (bear_top + bear_bottom) / 2 < bottom  # in the hand, not on the ground


def test_a_ridden_board_is_under_the_surfing_dogs_feet() -> None:
    plan = plan_of(
        Thing("shape-surfboard", "surfboard", "mount", 1, "ride", 0),
        setting="beach",
        subjects=("dog",),
        action="run",
    )
    scene = scene_of(plan)
    dog, board = one(scene, "dog"), one(scene, "shape-surfboard")
    dog_px, board_px = pixels_of(scene, dog), pixels_of(scene, board)

    assert dog.shadow is None  # on the water, nothing casts a shadow
    for frame in range(scene.num_frames):
        board_top, board_bottom = rows(board_px[frame])
        _, feet = rows(dog_px[frame])
        assert board_top - 2 <= feet <= board_bottom  # the feet touch the board
        left, right = cols(dog_px[frame])
        assert left < centre_col(board_px[frame]) < right
        # The board rides the surf line of the beach, not the sand in front of it.
        assert abs(board_bottom - builtin_things.SEA_LINE * scene.height) < 6


def test_a_knocked_cup_falls_from_the_table_top_to_the_floor_with_a_thump() -> None:
    plan = plan_of(
        Thing("shape-table", "table", "furniture"),
        Thing("hot-beverage", "cup", "prop", 1, "knock", 0, 0),
        setting="kitchen",
        subjects=("cat",),
    )
    scene = scene_of(plan)
    cup_px = pixels_of(scene, one(scene, "hot-beverage"))
    table_px = pixels_of(scene, one(scene, "shape-table"))
    thumps = [event for event in scene.events if event.kind == "thump"]

    table_top, table_bottom = rows(table_px[0])
    assert abs(rows(cup_px[0])[1] - table_top) <= 2  # it starts standing on the table
    floor = rows(cup_px[-1])[1]
    assert floor > table_bottom - 3  # and ends on the floor
    (thump,) = thumps
    assert 0.3 < thump.strength <= 1.0
    bottoms = [rows(cup_px[frame])[1] for frame in range(scene.num_frames)]
    assert bottoms[thump.frame] >= floor - 1  # the thump is heard when it reaches the floor
    assert bottoms[thump.frame - 2] < floor - 4  # and not before, while it is still falling
    assert all(bottom == floor for bottom in bottoms[thump.frame :])


def test_two_chess_players_have_the_board_between_them() -> None:
    plan = plan_of(
        Thing("astronaut", "astronauts", "actor", 2),
        Thing("chess-pawn", "chess", "prop", 1, "between", 0),
        subjects=(),
        colors=(),
        camera="pan",
    )
    scene = scene_of(plan)
    first, second = [s for s in scene.subjects if s.kind == "astronaut"]
    pawn = one(scene, "chess-pawn")
    a_px, b_px, pawn_px = pixels_of(scene, first), pixels_of(scene, second), pixels_of(scene, pawn)

    for frame in range(scene.num_frames):
        a, b = centre_col(a_px[frame]), centre_col(b_px[frame])
        assert min(a, b) + 5 < centre_col(pawn_px[frame]) < max(a, b) - 5
    # They sit at their game: nobody walks off while the camera holds still.
    assert abs(centre_col(a_px[-1]) - centre_col(a_px[0])) < 2
    assert abs(centre_col(pawn_px[-1]) - centre_col(pawn_px[0])) < 2


def test_an_actor_counted_twice_is_two_separate_sprites() -> None:
    plan = plan_of(Thing("cow", "cows", "actor", 2), subjects=(), colors=())
    scene = scene_of(plan, seconds=1)
    cows = [subject for subject in scene.subjects if subject.kind == "cow"]
    both = pixels_of(scene, *cows)[0]

    assert len(cows) == 2
    across = both.any(axis=0)
    starts = np.flatnonzero(across[1:] & ~across[:-1])
    assert len(starts) + int(across[0]) == 2  # two runs of columns with a gap between


def test_a_hugger_comes_to_the_other_by_mid_clip_and_stays_close() -> None:
    plan = plan_of(
        Thing("penguin", "penguin", "actor"),
        Thing("polar-bear", "bear", "actor", 1, "hug", 0),
        subjects=(),
        colors=(),
    )
    scene = scene_of(plan)
    bear_px = pixels_of(scene, one(scene, "polar-bear"))
    penguin_px = pixels_of(scene, one(scene, "penguin"))

    def gap(frame: int) -> int:
        (a0, a1), (b0, b1) = cols(bear_px[frame]), cols(penguin_px[frame])
        return max(a0, b0) - min(a1, b1)  # > 0: empty columns between them

    assert gap(0) > 0
    mid = scene.num_frames // 2
    assert all(gap(frame) < 0 for frame in range(mid, scene.num_frames))  # side by side


def test_a_thrown_frisbee_flies_up_and_splashes_down_in_the_sea() -> None:
    plan = plan_of(Thing("flying-disc", "frisbee", "prop", 1, "throw", 0), setting="beach")
    scene = scene_of(plan)
    disc = one(scene, "flying-disc")
    (splash,) = [event for event in scene.events if event.kind == "splash"]

    release = round(builtin_things.THROW_AT * (scene.num_frames - 1))
    assert disc.y[release + 3] < disc.y[release] - 0.05  # up in the air after the throw
    assert disc.angle[release + 3] != 0  # spinning
    assert disc.y[splash.frame] == pytest.approx(builtin_things.SEA_LINE, abs=1e-3)


def test_the_same_request_and_seed_give_the_same_frames() -> None:
    plan = plan_of(
        Thing("shape-table", "table", "furniture"),
        Thing("hot-beverage", "cup", "prop", 1, "knock", 0, 0),
        Thing("dog", "dog", "actor", 2, "chase", 0),
        action="run",
    )
    first = render(scene_of(plan, seconds=1))

    assert np.array_equal(first, render(scene_of(plan, seconds=1)))
    assert not np.array_equal(first, render(scene_of(plan, seconds=1, seed=6)))


def test_a_pictogram_that_cannot_be_drawn_is_left_out_and_the_rest_still_renders(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bear = Thing("teddy-bear", "teddy", "prop", 1, "hold", 0)
    broken = Thing("no-such-icon", "gizmo", "prop", 1, "near", 0)
    with caplog.at_level(logging.WARNING, logger="generation.pipeline.builtin_things"):
        scene = scene_of(plan_of(bear, broken), seconds=1)

    assert [s.kind for s in scene.subjects if s.kind != "person"] == ["teddy-bear"]
    assert "no pictogram named 'no-such-icon'" in caplog.text
    assert np.array_equal(render(scene), render(scene_of(plan_of(bear), seconds=1)))


@pytest.mark.parametrize("shape", sorted(looks.SHAPES))
def test_every_shape_the_set_lacks_is_drawn_standing_on_its_base(shape: str) -> None:
    sheet = looks.shape_sheet(shape, 96)
    alpha = sheet.pixels[0, 3].numpy()
    drawn_rows = np.flatnonzero(alpha.max(axis=1) > 0.5)
    assert alpha.max() > 0.99
    assert drawn_rows[-1] + 1 == pytest.approx(sheet.anchor[1], abs=1.5)  # feet at the bottom


# --- actions done on the spot -------------------------------------------------------------------


def box(mask: np.ndarray) -> tuple[int, int]:
    """(height, width) in pixels of what a mask covers."""
    top, bottom = rows(mask)
    left, right = cols(mask)
    return bottom - top + 1, right - left + 1


def test_a_sleeping_person_lies_down_and_stays_where_they_are() -> None:
    scene = scene_of(plan_of(action="sleep"))
    sleeper = pixels_of(scene, one(scene, "person"))

    start_h, start_w = box(sleeper[0])
    end_h, end_w = box(sleeper[-1])
    assert start_h > start_w  # standing at first
    assert end_w > end_h  # lying flat by the end
    # On the same ground: the body's line lies along it, half its thickness below the feet.
    assert abs(rows(sleeper[-1])[1] - rows(sleeper[0])[1]) <= 0.5 * end_h + 1


def test_a_resting_actor_keeps_its_place_while_a_walking_one_crosses_the_frame() -> None:
    cow = Thing("cow", "cow", "actor")
    rest = scene_of(plan_of(cow, subjects=(), colors=(), action="rest"))
    walk = scene_of(plan_of(cow, subjects=(), colors=(), action="walk"))
    rest_px, walk_px = pixels_of(rest, one(rest, "cow")), pixels_of(walk, one(walk, "cow"))

    assert abs(centre_col(rest_px[-1]) - centre_col(rest_px[0])) < 3
    assert abs(centre_col(walk_px[-1]) - centre_col(walk_px[0])) > 6


def test_a_grazing_cow_dips_its_head_again_and_again_with_its_feet_on_the_ground() -> None:
    cow = Thing("cow", "cows", "actor")
    scene = scene_of(plan_of(cow, subjects=(), colors=(), action="peck"), seconds=3)
    grazer = pixels_of(scene, one(scene, "cow"))
    tops = [rows(grazer[f])[0] for f in range(scene.num_frames)]
    bottoms = [rows(grazer[f])[1] for f in range(scene.num_frames)]

    assert max(tops) - min(tops) >= 3  # the head goes down and comes up
    dips = sum(1 for a, b in zip(tops, tops[1:], strict=False) if b > a)
    assert dips >= 2  # more than once in the clip
    assert max(bottoms) - min(bottoms) < max(tops) - min(tops)  # the head moves, not the hooves


def test_a_melting_ice_cream_sinks_flat_and_a_blooming_flower_grows() -> None:
    melting = plan_of(Thing("ice-cream", "ice cream", "prop", motion="shrink"), subjects=())
    blooming = plan_of(Thing("sunflower", "sunflower", "prop", motion="grow"), subjects=())
    melt_scene, bloom_scene = scene_of(melting), scene_of(blooming)
    melt = pixels_of(melt_scene, one(melt_scene, "ice-cream"))
    bloom = pixels_of(bloom_scene, one(bloom_scene, "sunflower"))

    assert box(melt[-1])[0] < 0.65 * box(melt[0])[0]  # much lower by the end
    assert box(melt[-1])[1] >= box(melt[0])[1]  # and spread, not narrower
    assert abs(rows(melt[-1])[1] - rows(melt[0])[1]) <= 2  # still sitting on the ground
    assert box(bloom[-1])[0] > 1.5 * box(bloom[0])[0]


def test_a_prop_with_its_own_motion_is_drawn_larger_and_the_camera_holds_still() -> None:
    # Beside someone walking, so the plain candle is not a still life (which is drawn large).
    plain = scene_of(plan_of(Thing("candle", "candle", "prop"), camera="pan"))
    shaking = plan_of(Thing("candle", "candle", "prop", motion="shiver"), subjects=(), camera="pan")
    shaking_scene = scene_of(shaking)

    plain_h = box(pixels_of(plain, one(plain, "candle"))[0])[0]
    candle = pixels_of(shaking_scene, one(shaking_scene, "candle"))
    assert box(candle[0])[0] > 1.8 * plain_h
    assert abs(centre_col(candle[-1]) - centre_col(candle[0])) < 3


def test_a_stretching_giraffe_reaches_up_and_settles_back() -> None:
    giraffe = Thing("giraffe", "giraffe", "actor")
    scene = scene_of(plan_of(giraffe, subjects=(), colors=(), action="stretch"), seconds=3)
    reacher = pixels_of(scene, one(scene, "giraffe"))
    heights = [box(reacher[f])[0] for f in range(scene.num_frames)]

    assert max(heights) >= 1.1 * min(heights)
    assert heights.index(max(heights)) not in (0, scene.num_frames - 1)  # up, then down again
