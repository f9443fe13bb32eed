"""The post-render scan looks at two sampled frames at a time (``SCAN_THREADS``): it must find
exactly what one frame after another finds, and record it in frame order."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PIL import Image

from cameo import faces, synthetic
from safety.likeness import FaceCheck
from safety.services import scan


def _frames_with_a_face_moving() -> np.ndarray:
    """4 s at 24 fps: a grey field with a real (synthetic) face crossing it."""
    face = np.asarray(
        Image.fromarray(synthetic.gan_face(synthetic.GAN_SEEDS[0])).resize((160, 160))
    )
    frames = np.full((96, 480, 400, 3), 90, dtype=np.uint8)
    for i in range(96):
        x = 20 + i * 2
        frames[i, 150:310, x : x + 160] = face
    return frames


@pytest.mark.skipif(scan.SCAN_THREADS < 2, reason="one core: the scan looks at one frame at a time")
def test_two_frames_at_a_time_find_what_one_at_a_time_finds() -> None:
    frames = _frames_with_a_face_moving()
    together = FaceCheck()
    scanned, _ = scan.scan_frames(frames, 24, [together])
    one_by_one = FaceCheck()
    for index in scan.sample_indices(len(frames), 24):
        one_by_one.observe(index, np.ascontiguousarray(frames[index]))
    assert scanned == 4 and [s.frame for s in together.sightings] == [12, 36, 60, 84]
    assert [s.box for s in together.sightings] == [s.box for s in one_by_one.sightings]
    assert np.allclose(together.embeddings(), one_by_one.embeddings(), atol=1e-5)


def test_each_thread_has_its_own_face_models() -> None:
    here = faces._models()
    assert faces._models() is here
    elsewhere: list[object] = []
    thread = threading.Thread(target=lambda: elsewhere.append(faces._models()))
    thread.start()
    thread.join()
    assert elsewhere and elsewhere[0] is not here
