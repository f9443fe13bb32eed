"""Face detection, 5-point landmarks, 128-d embeddings and a rough head pose, with dlib.

The models are the ``.dat`` files that the ``face-recognition-models`` package ships: dlib's HOG
frontal detector (built into dlib), ``shape_predictor_5_face_landmarks.dat`` and
``dlib_face_recognition_resnet_model_v1.dat``. Nothing is downloaded at run time.

dlib and the model files load inside functions, once per process, so a view can import this
module's constants without paying for them.

Head pose from five points
--------------------------
dlib's 5-point model gives, in this order: the outer and inner corner of the eye on the image's
right, the outer and inner corner of the eye on the image's left, and the base of the nose. Both
pose numbers are measured in the eye-aligned frame (so a tilted head, "roll", changes neither) and
divided by the inter-ocular distance (so the face's size in the frame changes neither). They are
scores, not degrees:

``yaw``
    How far the nose base sits from the midpoint of the eyes, along the eye line. The nose sticks
    out of the face, so when the head turns the nose swings further than the eyes do. Positive
    means the person turned to THEIR left. In an unmirrored recording (what a camera, and the
    browser's MediaRecorder, records: the person's left hand is on the image's right) their left
    turn moves the nose towards the image's right. A mirrored selfie preview shows it moving to
    the screen's left, so a mirrored file needs the sign flipped (``liveness.verify_clip`` has a
    ``mirrored`` switch). For a head about as deep as the average one the score is roughly
    ``0.3 * tan(angle)``: 0.1 is about 18 degrees, 0.2 about 35. On a 2.5-D warp of the astronaut
    photo (see cameo/synthetic.py) it read 0.09, 0.18, 0.25 and 0.33 at 10, 20, 30 and 40
    degrees; the warp exaggerates the nose a little.

``pitch``
    How far the nose base sits below the eye line, subtracted from the average of 90 frontal
    faces in scikit-image's ``lfw_subset`` (0.745 inter-ocular distances, standard deviation
    0.100), so that 0 is "typical frontal" and positive means looking UP (the nose base rises
    towards the eye line). People differ by about 0.1 here, more than a small nod, so compare a
    clip's frames with each other rather than with zero. On the warped astronaut it rose by 0.07,
    0.13 and 0.22 at 10, 15 and 25 degrees up. Looking DOWN barely shows: the nose base sits in
    front of the eye corners, so tipping the head down first pushes it a little lower and then
    back up (-0.06 at 15 degrees, back to 0 by 25 on the warp). A turned head also reads as
    "down", because the eyes look closer together while the nose drop stays.
"""

from __future__ import annotations

import importlib.util
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import dlib
import numpy as np
from PIL import Image

if TYPE_CHECKING:
    from collections.abc import Sequence

# dlib's own bound on its 128-d embeddings: pairs closer than this are the same person (99.38% on
# LFW). cameo.liveness uses this value too; its docstring has what it was checked against.
SAME_PERSON_DISTANCE = 0.6

# Mean nose-base drop below the eye line, in inter-ocular distances, over the 90 faces of
# skimage.data.lfw_subset() that the HOG detector finds when the 25x25 crops are upscaled to 150.
NEUTRAL_NOSE_DROP = 0.745

EMBEDDING_SIZE = 128
LANDMARK_BOX = 256  # faces are enlarged to this width for the landmarks; see _landmarks
_MODEL_PACKAGE = "face_recognition_models"
_PREDICTOR_FILE = "shape_predictor_5_face_landmarks.dat"
_EMBEDDER_FILE = "dlib_face_recognition_resnet_model_v1.dat"

Box = tuple[int, int, int, int]


class FaceModelsMissingError(RuntimeError):
    """The model files are not installed; a deployment problem, not a user's."""


@dataclass(frozen=True, eq=False)
class Face:
    """One face in one image.

    ``box`` is (left, top, right, bottom) in pixels. ``landmarks5`` is a (5, 2) float32 array of
    (x, y) pixels in dlib's order (see the module docstring). ``embedding`` is dlib's 128-d
    float32 descriptor, or None when ``find_faces(..., embed=False)``; it is not unit length.
    ``yaw`` and ``pitch`` are the scores described in the module docstring. ``score`` is the HOG
    detector's confidence (above 0 for a detection; 1 and up for a clear frontal face).
    """

    box: Box
    landmarks5: np.ndarray
    embedding: np.ndarray | None
    yaw: float
    pitch: float
    score: float

    def scaled(self, factor: float) -> Face:
        """The same face in a copy of the image resized by ``factor``."""
        box = tuple(round(v * factor) for v in self.box)
        return replace(self, box=box, landmarks5=(self.landmarks5 * factor).astype(np.float32))


class _Models(NamedTuple):
    detector: Any
    predictor: Any
    embedder: Any


def model_dir() -> Path:
    """The ``models/`` folder inside the installed face-recognition-models package.

    The package's own ``__init__`` needs pkg_resources, which new setuptools no longer ships, so
    find the folder through the import system without importing the package.
    """
    spec = importlib.util.find_spec(_MODEL_PACKAGE)
    places: list[str] = []
    if spec is not None:
        places = list(spec.submodule_search_locations or [])
        if spec.origin:
            places.append(str(Path(spec.origin).parent))
    for place in places:
        folder = Path(place) / "models"
        if (folder / _PREDICTOR_FILE).is_file() and (folder / _EMBEDDER_FILE).is_file():
            return folder
    raise FaceModelsMissingError(
        "The face models are not installed; run `pip install face-recognition-models`."
    )


_per_thread = threading.local()


def _models() -> _Models:
    """This thread's models. dlib's detector and face network keep working state while they
    run, so two threads never share them (the post-render scan looks at frames on several
    threads); each thread loads them once."""
    models = getattr(_per_thread, "models", None)
    if models is None:
        models = _per_thread.models = _load_models()
    return models


def _load_models() -> _Models:
    folder = model_dir()
    return _Models(
        detector=dlib.get_frontal_face_detector(),
        predictor=dlib.shape_predictor(str(folder / _PREDICTOR_FILE)),
        embedder=dlib.face_recognition_model_v1(str(folder / _EMBEDDER_FILE)),
    )


def _as_rgb(image_rgb: np.ndarray) -> np.ndarray:
    image = np.asarray(image_rgb)
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"Expected an H x W x 3 RGB image, got shape {image.shape}.")
    # dlib wants a C-contiguous uint8 buffer; slices and flips are neither.
    return np.ascontiguousarray(image, dtype=np.uint8)


def head_pose(landmarks5: np.ndarray) -> tuple[float, float]:
    """(yaw, pitch) scores from dlib's five points; see the module docstring for their meaning."""
    points = np.asarray(landmarks5, dtype=np.float64)
    image_right_eye = points[0:2].mean(axis=0)
    image_left_eye = points[2:4].mean(axis=0)
    axis = image_right_eye - image_left_eye
    iod = float(np.hypot(*axis))
    if iod < 1e-6:
        return 0.0, 0.0
    along = axis / iod
    down = np.array([-along[1], along[0]])  # the eye line's normal, pointing chin-wards
    nose = points[4] - points[0:4].mean(axis=0)
    yaw = float(nose @ along) / iod
    drop = float(nose @ down) / iod
    return yaw, NEUTRAL_NOSE_DROP - drop


def eye_width_log_ratio(landmarks5: np.ndarray) -> float:
    """log(width of the image-left eye / width of the image-right eye).

    A real head turned to its left (positive yaw) shows its left eye, on the image's right, more
    edge-on, so this goes positive with yaw; a flat photo tilted or sheared does not do that.
    """
    points = np.asarray(landmarks5, dtype=np.float64)
    image_right = float(np.hypot(*(points[0] - points[1])))
    image_left = float(np.hypot(*(points[2] - points[3])))
    if image_right < 1e-6 or image_left < 1e-6:
        return 0.0
    return float(np.log(image_left / image_right))


def _shape(face: Face) -> Any:
    rect = dlib.rectangle(*(int(v) for v in face.box))
    parts = dlib.points()
    for x, y in face.landmarks5:
        parts.append(dlib.point(round(float(x)), round(float(y))))
    return dlib.full_object_detection(rect, parts)


def embed_face(image_rgb: np.ndarray, face: Face) -> np.ndarray:
    """dlib's 128-d descriptor (float32) for a face found in this same image."""
    descriptor = _models().embedder.compute_face_descriptor(_as_rgb(image_rgb), _shape(face))
    return np.asarray(descriptor, dtype=np.float32)


def detect_boxes(image_rgb: np.ndarray, *, upsample: int = 1) -> list[tuple[Box, float]]:
    """(box, score) for every face the HOG detector finds, most confident first.

    The detector finds faces of about 80 pixels and up; each ``upsample`` doubles the image first
    (finding faces half as big) at about four times the cost: ~10 ms for a 320 x 427 frame with
    ``upsample=0`` on one core of this machine, ~40 ms with 1.
    """
    rects, scores, _ = _models().detector.run(_as_rgb(image_rgb), upsample, 0.0)
    found = [
        ((r.left(), r.top(), r.right(), r.bottom()), float(s))
        for r, s in zip(rects, scores, strict=True)
    ]
    return sorted(found, key=lambda pair: -pair[1])


def _landmarks(image: np.ndarray, box: Box) -> np.ndarray:
    """dlib's five points for the face in ``box``, to a fraction of a pixel.

    The predictor returns whole pixels; on a face 100 pixels wide an eye is ~20 pixels, so one
    pixel is 5% of its width, which drowns the far-eye narrowing that liveness looks for. Running
    it on the face enlarged to LANDMARK_BOX pixels gives points ~2.5 times finer, for ~1 ms.
    """
    left, top, right, bottom = box
    scale = LANDMARK_BOX / max(right - left, 1)
    if scale <= 1:
        shape = _models().predictor(image, dlib.rectangle(*box))
        return np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float32)
    margin = (right - left) // 2
    x0, y0 = max(0, left - margin), max(0, top - margin)
    x1, y1 = min(image.shape[1], right + margin), min(image.shape[0], bottom + margin)
    size = (round((x1 - x0) * scale), round((y1 - y0) * scale))
    region = Image.fromarray(image[y0:y1, x0:x1]).resize(size, Image.Resampling.BILINEAR)
    rect = dlib.rectangle(
        *(round(v * scale) for v in (left - x0, top - y0, right - x0, bottom - y0))
    )
    shape = _models().predictor(np.asarray(region), rect)
    points = np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float64)
    # PIL's resize lines up pixel centres: big pixel i covers small pixel (i + 0.5) / scale - 0.5.
    return ((points + 0.5) / scale - 0.5 + (x0, y0)).astype(np.float32)


def face_at(image_rgb: np.ndarray, box: Box, *, embed: bool = True, score: float = 0.0) -> Face:
    """The Face in ``box`` of this image: landmarks, pose and (unless ``embed=False``) embedding.

    For a box found on a resized copy of the image, scale the box to this image first; the
    landmarks and embedding are then as sharp as this image allows.
    """
    image = _as_rgb(image_rgb)
    box = tuple(int(v) for v in box)
    points = _landmarks(image, box)
    yaw, pitch = head_pose(points)
    face = Face(box, points, None, yaw, pitch, score)
    return replace(face, embedding=embed_face(image, face)) if embed else face


def find_faces(image_rgb: np.ndarray, *, upsample: int = 1, embed: bool = True) -> list[Face]:
    """Every face in the image, most confident first (see ``detect_boxes`` and ``face_at``).

    ``embed=False`` skips the 128-d descriptor, which costs ~70 ms a face.
    """
    image = _as_rgb(image_rgb)
    found = detect_boxes(image, upsample=upsample)
    return [face_at(image, box, embed=embed, score=score) for box, score in found]


def face_distance(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray) -> float:
    """Euclidean distance between two embeddings; under SAME_PERSON_DISTANCE means same person."""
    return float(np.linalg.norm(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)))


def face_crop(
    image_rgb: np.ndarray, face: Face, size: int = 256, *, padding: float = 0.6
) -> np.ndarray:
    """A ``size`` x ``size`` uint8 crop, rotated so the eyes are level, with room around the face.

    ``padding`` is dlib's: 0.25 is the tight crop the embedder sees; 0.6 keeps the hair and chin,
    which suits reference pictures and thumbnails.
    """
    chip = dlib.get_face_chip(_as_rgb(image_rgb), _shape(face), size=size, padding=padding)
    return np.asarray(chip, dtype=np.uint8)
