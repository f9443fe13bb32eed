"""Synthetic selfie clips for tests, benchmarks, the demo data and the browser tests.

There are no recordings of real people in this project. Two sources of faces stand in:

* ``astronaut_selfie()``: ``skimage.data.astronaut()`` (a public-domain NASA portrait) cropped
  to a 480 x 480 selfie; the tests measured cameo.liveness's thresholds on it.
* ``gan_face(seed)``: a face drawn by the DCGAN that the ``gan-face-generate`` package ships
  (trained on DigiFace1M, itself rendered from 3-D models: nobody real), 64 x 64 upscaled.

A head turn is faked with a 2.5-D warp (``Head.turned``): the face is painted on an ellipsoid
with a nose bump, placed from the face's own dlib landmarks, which is rotated and projected, so
the nose swings further than the eyes and the far eye narrows, as on a real head.
``turning_frames`` strings such turns into a clip that follows a liveness challenge;
``write_clip`` encodes it as a phone (H.264 MP4) or Chrome (VP8 WebM) would, and ``write_y4m``
writes the raw YUV4MPEG2 file that Chromium plays as a fake webcam
(``--use-file-for-fake-video-capture``).

numpy, PIL, scikit-image and PyAV load at import time; torch on the first GAN face (``_generator``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from fractions import Fraction
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

import av
import numpy as np
from PIL import Image, ImageFilter
from skimage import data

from cameo import faces

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence


FPS = 10
LEFT_RIGHT_UP = ("left", "right", "up")
SELFIE_SIZE = 480

# Turn left 35 degrees, right 35, then look up 25. (The warp loses the astronaut's face past 35
# to her right.) challenge_keys(LEFT_RIGHT_UP) gives exactly these.
LEFT_RIGHT_UP_KEYS = [
    (0.0, 0, 0), (0.6, 0, 0), (1.0, 35, 0), (1.8, 35, 0), (2.6, -35, 0), (3.4, -35, 0),
    (3.8, 0, 0), (4.2, 0, 0), (4.6, 0, 25), (5.4, 0, 25), (5.8, 0, 0), (6.0, 0, 0),
]  # fmt: skip

# GAN faces whose turning clips pass verify_clip for all 8 challenges new_challenge makes, and
# which dlib tells apart. Of seeds 0-499, liveness finds one face in 367 and one facing the
# camera (|yaw| <= 0.05) in 129; 7 of those held up turned 30 degrees each way and 25 up, and
# their clips passed every challenge. These 3 are 0.66-0.70 from each other (the 7 lay 0.48-0.74
# apart: blurred 64-pixel faces from one rendered data set look alike to dlib). The farthest
# frame from a clip's medoid was 0.52, 0.46 and 0.48 (dlib's bound is 0.6); parallax 0.22 and up.
GAN_SEEDS = (41, 83, 182)
# The warp smears a GAN face more than the astronaut's: at 35 degrees some clips drifted past
# dlib's 0.6 from their own medoid; at 30 the turn still reads 0.16 and up.
GAN_YAW_DEG = 30

_MOVE_S = 0.4  # from straight ahead to a pose, or back
_HOLD_S = 0.8  # a pose held; liveness counts one held for MIN_EVENT_S
_REST_S = 0.4  # straight ahead between a pose and the next vertical one
_START_S = 0.6
_END_S = 0.2


# --- Faces ------------------------------------------------------------------------------------


@functools.cache
def astronaut_selfie() -> np.ndarray:
    """The astronaut cropped to a 480 x 480 selfie (read-only: it is cached)."""
    crop = data.astronaut()[10:310, 80:380]
    size = (SELFIE_SIZE, SELFIE_SIZE)
    return _frozen(np.asarray(Image.fromarray(crop).resize(size, Image.Resampling.BICUBIC)))


_LATENT = 100  # the DCGAN's input: 100 normal numbers


@functools.cache
def _generator() -> Callable[[int], np.ndarray]:
    """The package's DCGAN generator with its shipped weights, on the CPU: seed in, 64 x 64 RGB
    face out, the same pixels for the same seed.

    torch loads here, on the first face, so ``seed_demo`` on a site whose demo people exist
    starts without it. ``gan_face_generate.models`` needs only torch; the package's
    ``inference`` module would pull in torchvision and matplotlib, which are not installed.
    """
    import torch
    from gan_face_generate.models import Generator

    net = Generator(ngpu=0, nc=3, nz=_LATENT, ngf=64)
    weights = files("gan_face_generate") / "weights.tar"
    with weights.open("rb") as file:
        checkpoint = torch.load(file, map_location="cpu", weights_only=True)
    net.load_state_dict(checkpoint["netG_state_dict"])
    net.eval()

    def face(seed: int) -> np.ndarray:
        latent = torch.randn(1, _LATENT, 1, 1, generator=torch.Generator().manual_seed(seed))
        with torch.inference_mode():
            image = net(latent)[0]
        pixels = (image.permute(1, 2, 0).numpy() + 1) * 127.5
        return np.clip(pixels, 0, 255).round().astype(np.uint8)

    return face


@functools.cache
def gan_face_64(seed: int) -> np.ndarray:
    """The GAN's own 64 x 64 RGB face for ``seed``: the same pixels for the same seed."""
    return _frozen(_generator()(seed))


@functools.cache
def gan_face(seed: int, size: int = SELFIE_SIZE, *, width: int | None = None) -> np.ndarray:
    """A synthetic selfie: the GAN's face for ``seed`` upscaled (Lanczos) into a frame ``size``
    high and ``width`` (default ``size``) wide. Read-only: it is cached.

    The GAN draws the face edge to edge; a selfie has room around the head, which the warp
    needs to turn it, so the border pixels are first stretched outwards (a plain backdrop, with
    nothing dlib could take for a second face) and blurred.
    """
    small = gan_face_64(seed)
    border = small.shape[0] // 4
    padded = np.pad(small, ((border, border), (border, border), (0, 0)), mode="edge")
    square = np.asarray(Image.fromarray(padded).resize((size, size), Image.Resampling.LANCZOS))
    inner = round(size * border / padded.shape[0])
    side = max(0, (width or size) - size)
    framed = np.pad(square, ((0, 0), (side // 2, side - side // 2), (0, 0)), mode="edge")
    return _frozen(_soft_border(framed, inner, inner + side // 2))


def _soft_border(image: np.ndarray, top: int, left: int) -> np.ndarray:
    """Blur the stretched-edge streaks outside the face's rectangle, leaving the face sharp."""
    blurred = np.asarray(
        Image.fromarray(image).filter(ImageFilter.GaussianBlur(image.shape[0] / 60))
    )
    out = blurred.copy()
    out[top:-top, left:-left] = image[top:-top, left:-left]
    return out


def _frozen(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


# --- The 2.5-D head ---------------------------------------------------------------------------


@dataclass(eq=False)
class Head:
    """A frontal face frame and the ellipsoid-plus-nose model that ``turned`` rotates.

    The model is placed from the face's dlib landmarks: centred on the nose, its height set by
    the inter-ocular distance (``iod``), so any face that dlib finds frontal can be turned.
    """

    frame: np.ndarray
    cx: float  # the rotation axis, through the nose base
    cy: float  # the middle of the head, a little below the eyes
    nose_y: float
    iod: float
    _cache: dict[tuple[float, float], np.ndarray] = field(
        default_factory=dict, init=False, repr=False
    )

    @classmethod
    def of(cls, frame: np.ndarray) -> Head:
        """The head of the most confident face dlib finds; ValueError when there is none."""
        found = faces.find_faces(frame, embed=False)
        if not found:
            raise ValueError("dlib finds no face in that frame to build a head on.")
        points = found[0].landmarks5.astype(np.float64)
        iod = float(np.hypot(*(points[0:2].mean(0) - points[2:4].mean(0))))
        eye_y = float(points[:4, 1].mean())
        return cls(
            frame=frame,
            cx=float(points[4, 0]),
            cy=eye_y + 0.3 * iod,
            nose_y=(eye_y + float(points[4, 1])) / 2,
            iod=iod,
        )

    @functools.cached_property
    def depth(self) -> np.ndarray:
        """Depth towards the camera, in pixels: a head-sized ellipsoid plus a nose."""
        y, x = np.mgrid[0 : self.frame.shape[0], 0 : self.frame.shape[1]].astype(np.float64)
        iod = self.iod
        inside = 1 - ((x - self.cx) / (1.25 * iod)) ** 2 - ((y - self.cy) / (1.9 * iod)) ** 2
        head = 1.1 * iod * np.sqrt(np.clip(inside, 0, None))
        nose_x = ((x - self.cx) / (0.16 * iod)) ** 2
        nose_y = ((y - self.nose_y) / (0.45 * iod)) ** 2
        return head + 0.55 * iod * np.exp(-(nose_x + nose_y) / 2)

    @property
    def eye_y(self) -> float:
        return self.cy - 0.3 * self.iod

    def turned(self, yaw_deg: float, pitch_deg: float = 0.0) -> np.ndarray:
        """The frame with the head turned to ITS left by ``yaw_deg`` and up by ``pitch_deg``.

        Its left is the image's right: an unmirrored recording, as MediaRecorder makes. Each pose
        is computed once per head (read-only frames).
        """
        key = (float(yaw_deg), float(pitch_deg))
        if key not in self._cache:
            self._cache[key] = _frozen(self._warp(*key))
        return self._cache[key]

    def _warp(self, yaw_deg: float, pitch_deg: float) -> np.ndarray:
        out = self.frame
        if yaw_deg:
            out = _rotate_rows(out, self.depth, np.radians(yaw_deg), self.cx)
        if pitch_deg:
            # Looking up lifts what sticks out: rotate the columns, "towards row 0" positive.
            columns = out.transpose(1, 0, 2)
            out = _rotate_rows(columns, self.depth.T, -np.radians(pitch_deg), self.cy)
            out = out.transpose(1, 0, 2)
        return np.array(out)  # a copy: turned() freezes it, and the caller's frame stays as it was


def _rotate_rows(image: np.ndarray, depth: np.ndarray, angle: float, centre: float) -> np.ndarray:
    """Rotate each row's surface about a vertical axis at ``centre`` and project it flat."""
    xs = np.arange(image.shape[1], dtype=np.float64)
    out = np.empty_like(image)
    for row in range(image.shape[0]):
        moved = centre + (xs - centre) * np.cos(angle) + depth[row] * np.sin(angle)
        # Where the surface folds behind itself, the nearer part hides the rest.
        source = np.interp(xs, np.maximum.accumulate(moved), xs)
        for channel in range(3):
            out[row, :, channel] = np.interp(source, xs, image[row, :, channel])
    return out


@functools.cache
def astronaut_head() -> Head:
    return Head.of(astronaut_selfie())


@functools.cache
def gan_head(seed: int, size: int = SELFIE_SIZE, *, width: int | None = None) -> Head:
    return Head.of(gan_face(seed, size, width=width))


def turned(face: Head | np.ndarray, yaw_deg: float, pitch_deg: float = 0.0) -> np.ndarray:
    """``face`` (a Head, or a frontal frame to build one on) turned; see ``Head.turned``."""
    head = face if isinstance(face, Head) else Head.of(face)
    return head.turned(yaw_deg, pitch_deg)


# --- Flat photos, for the attacks ---------------------------------------------------------------


def moved(frame: np.ndarray, dx: float, dy: float, zoom: float) -> np.ndarray:
    """The whole picture shifted and zoomed, as a photo held to the camera wobbles."""
    h, w = frame.shape[:2]
    coefficients = (
        1 / zoom,
        0,
        w / 2 - (w / 2 + dx) / zoom,
        0,
        1 / zoom,
        h / 2 - (h / 2 + dy) / zoom,
    )
    image = Image.fromarray(frame).transform((w, h), Image.Transform.AFFINE, coefficients)
    return np.asarray(image)


def sheared(shear: float, squeeze: float, head: Head | None = None) -> np.ndarray:
    """A flat photo of the face sheared sideways and squashed vertically about the eye line,
    which shifts the nose against the eyes just as a turn or nod would, without any depth."""
    head = head or astronaut_head()
    eye_y = head.eye_y
    # PIL maps output (x, y) to input (a x + b y + c, d x + e y + f).
    coefficients = (
        1,
        -shear / squeeze,
        shear / squeeze * eye_y,
        0,
        1 / squeeze,
        eye_y * (1 - 1 / squeeze),
    )
    image = Image.fromarray(head.frame).transform(
        head.frame.shape[1::-1], Image.Transform.AFFINE, coefficients
    )
    return np.asarray(image)


# --- Clips --------------------------------------------------------------------------------------

Key = tuple[float, float, float]  # (seconds, yaw degrees, pitch degrees)


def _pose(step: str, yaw_deg: float, pitch_deg: float) -> tuple[float, float]:
    return {
        "left": (yaw_deg, 0.0),
        "right": (-yaw_deg, 0.0),
        "up": (0.0, pitch_deg),
        "down": (0.0, -pitch_deg),
    }[step]


def challenge_keys(
    challenge: Sequence[str], *, yaw_deg: float = 35, pitch_deg: float = 25
) -> list[Key]:
    """Keyframes that follow ``challenge`` at a steady, human pace.

    Straight ahead, then each pose held for a moment; one turn goes straight on to the
    opposite turn, anything else comes back to straight ahead and rests there first.
    """
    keys: list[Key] = [(0.0, 0, 0), (_START_S, 0, 0)]
    previous = None
    for step in challenge:
        t = keys[-1][0]
        yaw, pitch = _pose(step, yaw_deg, pitch_deg)
        turn_to_turn = previous in ("left", "right") and step in ("left", "right")
        if previous is not None and not turn_to_turn:
            keys += [(t + _MOVE_S, 0, 0), (t + _MOVE_S + _REST_S, 0, 0)]
            t += _MOVE_S + _REST_S
        move = 2 * _MOVE_S if turn_to_turn else _MOVE_S
        keys += [(t + move, yaw, pitch), (t + move + _HOLD_S, yaw, pitch)]
        previous = step
    t = keys[-1][0]
    keys += [(t + _MOVE_S, 0, 0), (t + _MOVE_S + _END_S, 0, 0)]
    return [(round(t, 6), y, p) for t, y, p in keys]


def timeline(keys: Sequence[Key], seconds: float, fps: float = FPS) -> list[tuple[float, float]]:
    """(yaw, pitch) for each frame at ``fps``, interpolating (time, yaw, pitch) keyframes and
    staying at the last one after it."""
    times = np.arange(round(seconds * fps)) / fps
    key_t, key_yaw, key_pitch = (np.array(k, dtype=np.float64) for k in zip(*keys, strict=True))
    yaws = np.interp(times, key_t, key_yaw)
    pitches = np.interp(times, key_t, key_pitch)
    # Round to 5 degrees so each head warps a pose once however many frames show it.
    return [(round(y / 5) * 5, round(p / 5) * 5) for y, p in zip(yaws, pitches, strict=True)]


def turning_frames(
    challenge: Sequence[str] = LEFT_RIGHT_UP,
    *,
    head: Head | None = None,
    seconds: float | None = None,
    fps: float = FPS,
    yaw_deg: float = 35,
    pitch_deg: float = 25,
) -> list[np.ndarray]:
    """Frames of ``head`` (the astronaut by default) following ``challenge``.

    ``seconds`` defaults to the time the moves take (6 s for left, right, up); a longer clip
    ends looking straight ahead.
    """
    head = head or astronaut_head()
    keys = challenge_keys(challenge, yaw_deg=yaw_deg, pitch_deg=pitch_deg)
    poses = timeline(keys, keys[-1][0] if seconds is None else seconds, fps)
    return [head.turned(yaw, pitch) for yaw, pitch in poses]


def write_clip(
    frames: Sequence[np.ndarray], path: str | Path, fps: float = FPS, codec: str = "libx264"
) -> Path:
    """An H.264 MP4, as a phone or ffmpeg would make it (or VP8 in WebM with ``"libvpx"``, as
    Chrome's MediaRecorder does). The container follows ``path``'s suffix."""
    path = Path(path)
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream(codec, rate=Fraction(fps).limit_denominator(1001))
        stream.width, stream.height = frames[0].shape[1], frames[0].shape[0]
        stream.pix_fmt = "yuv420p"
        if codec == "libx264":
            stream.options = {"preset": "ultrafast", "crf": "23"}
        elif codec == "libvpx":
            # Real-time VP8 at 2.5 Mbit/s, as Chrome's MediaRecorder records; libvpx's own
            # defaults take ~20 s for 8 s of 640 x 480 and keep only ~100 kbit/s of it.
            stream.bit_rate = 2_500_000
            stream.options = {"deadline": "realtime", "cpu-used": "8"}
        for frame in frames:
            container.mux(stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")))
        container.mux(stream.encode(None))
    return path


def write_y4m(frames: Sequence[np.ndarray], path: str | Path, fps: float = FPS) -> Path:
    """The frames as an uncompressed YUV4MPEG2 file (4:2:0, BT.601 limited range).

    Chromium plays it as its webcam, looping, at the header's frame rate, with
    ``--use-fake-ui-for-media-stream --use-fake-device-for-media-stream
    --use-file-for-fake-video-capture=PATH`` (PATH must end in ``.y4m``), so a browser test can
    record a real clip through getUserMedia and MediaRecorder::

        write_y4m(gan_turning_frames(seed, challenge, width=640), tmp_path / "camera.y4m")

    Chromium's parser takes the header tags written here (W, H, F, I, A and C420jpeg). Width
    and height must be even, since 4:2:0 halves both for the colour planes.
    """
    height, width = frames[0].shape[:2]
    if width % 2 or height % 2:
        raise ValueError(f"4:2:0 needs an even width and height, got {width} x {height}.")
    rate = Fraction(fps).limit_denominator(1001)
    header = f"YUV4MPEG2 W{width} H{height} F{rate.numerator}:{rate.denominator} Ip A1:1 C420jpeg\n"
    path = Path(path)
    with path.open("wb") as out:
        out.write(header.encode("ascii"))
        for frame in frames:
            rgb = av.VideoFrame.from_ndarray(np.ascontiguousarray(frame), format="rgb24")
            # yuv420p's ndarray is the three planes back to back, as a y4m frame stores them.
            planes = rgb.reformat(format="yuv420p").to_ndarray()
            out.write(b"FRAME\n" + planes.tobytes())
    return path


def gan_turning_frames(
    seed: int,
    challenge: Sequence[str] = LEFT_RIGHT_UP,
    *,
    seconds: float | None = None,
    width: int | None = None,
) -> list[np.ndarray]:
    """Frames of GAN face ``seed`` (480 high, ``width`` wide) following ``challenge``."""
    head = gan_head(seed, width=width)
    return turning_frames(challenge, head=head, seconds=seconds, yaw_deg=GAN_YAW_DEG)
