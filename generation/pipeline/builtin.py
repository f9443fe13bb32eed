"""The built-in CPU renderer: a prompt becomes a small animated vector scene in a few seconds.

``plan_scene`` reads the prompt; everything fixed for the clip (sky, layer colours, sprite pose
sheets, particle layouts, camera path, caption) is prepared once by ``build_scene``; frames are
then drawn in batches of ``BATCH_FRAMES`` with whole-tensor operations, so the per-frame Python
work is a few small loops over subjects.

The same timeline that moves the pixels lists the clip's sound events (landings, splashes,
lightning, confetti pops) at the frames they are drawn, for the soundtrack to follow.
"""

from __future__ import annotations

import math
import textwrap
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
from PIL import Image, ImageDraw, ImageFont

from generation.pipeline.base import (
    CameoImage,
    CancelCheck,
    ProgressCallback,
    RenderCancelled,
    SoundEvent,
    VideoRequest,
    VideoResult,
)
from generation.pipeline.builtin_layers import (
    SUBJECT_DEPTH,
    PreparedLayer,
    covered_from,
    draw_layers,
    layer_bands,
    prepare_layers,
)
from generation.pipeline.builtin_palette import Grade, make_grade
from generation.pipeline.builtin_particles import (
    Field,
    Splashes,
    build_fields,
    build_splashes,
    draw_fields,
    draw_splashes,
)
from generation.pipeline.builtin_places import (
    Places,
    build_places,
    draw_ground_places,
    draw_sky_places,
)
from generation.pipeline.builtin_plate import Plate, build_plate, draw_plate, plate_light
from generation.pipeline.builtin_sky import paint_sky
from generation.pipeline.builtin_subjects import (
    Landing,
    Subject,
    build_subjects,
    draw_subjects,
    landings,
    pan_speed,
    plan_motion,
)
from generation.pipeline.builtin_things import build_things
from generation.pipeline.cameo_looks import CameoLook, cameo_looks_record, read_instructions
from generation.pipeline.scene import ScenePlan, plan_scene
from generation.pipeline.scene import warm as warm_planner

RENDERER_VERSION = "builtin-v1"
BATCH_FRAMES = 8
FACE_SIZE = (104, 128)  # (width, height) a cameo face is resampled to once
FACE_CROP = 0.86  # share of the centred crop kept; cameo pictures are head-and-shoulders


@dataclass
class Scene:
    """Everything about a clip that does not change from frame to frame."""

    plan: ScenePlan
    width: int
    height: int
    fps: int
    num_frames: int
    sky: torch.Tensor  # (3, H + margins, W + drift)
    sky_offsets: np.ndarray  # (T, 2) int: x, y of each frame's window into ``sky``
    back: list[PreparedLayer]
    front: list[PreparedLayer]
    subjects: list[Subject]
    far_fields: list[Field]
    near_fields: list[Field]
    camera: dict[str, np.ndarray]  # per frame: t, pan, orbit, zoom, shake_x, shake_y
    light: torch.Tensor  # (1, H, W): vignette and brightness, times 255
    flash: np.ndarray  # (T,) extra brightness (lightning)
    caption: tuple[torch.Tensor, int, int] | None  # premultiplied RGBA (4, h, w), top, left
    screen: dict[str, torch.Tensor] = field(default_factory=dict)  # sx (W,), sy (H,)
    splashes: Splashes | None = None  # drawn where subjects land in water
    events: list[SoundEvent] = field(default_factory=list)  # sorted by frame
    places: Places | None = None  # crowds, traffic, signs, reflections, scenery and sky things
    plate: Plate | None = None  # the person's own picture, covering the painted backdrop


class BuiltinBackend:
    """Renders on the CPU with torch; needs no model files, so it always works."""

    name = "builtin"

    def load(self) -> None:
        """Warm the text model and the planner's word vectors, so the first job isn't slower."""
        warm_planner()

    def generate(
        self,
        request: VideoRequest,
        *,
        on_progress: ProgressCallback,
        should_cancel: CancelCheck,
    ) -> VideoResult:
        request.check_inputs()
        faces = [_face_tensor(cameo) for cameo in request.cameos]
        on_progress(0.0, "planning scene")  # the first prompt in a worker loads MiniLM
        plan = plan_scene(request.creator_prompt or request.prompt)
        looks = [read_instructions(cameo.instructions) for cameo in request.cameos]
        scene = build_scene(plan, request, faces, looks)
        frames = np.empty((scene.num_frames, scene.height, scene.width, 3), dtype=np.uint8)
        out = torch.from_numpy(frames)
        buffers = _buffers(scene, BATCH_FRAMES)
        with torch.inference_mode():
            for start in range(0, scene.num_frames, BATCH_FRAMES):
                if should_cancel():
                    raise RenderCancelled("The render was cancelled.")
                stop = min(start + BATCH_FRAMES, scene.num_frames)
                render_batch(scene, start, stop, out[start:stop], buffers)
                on_progress(stop / scene.num_frames, "rendering frames")
        record, told = cameo_looks_record(request.cameos, looks)
        notes = [f"cameo: {cameo.name}" for cameo in request.cameos] + told
        return VideoResult(
            frames=frames,
            fps=request.fps,
            backend=self.name,
            model_hash=RENDERER_VERSION,
            plan=plan.as_dict() | record,
            notes=notes,
            events=list(scene.events),
        )


def scene_rng(request: VideoRequest) -> np.random.Generator:
    """The seed drives the layout; the prompt's checksum keeps two prompts apart on one seed."""
    return np.random.default_rng([request.seed, zlib.crc32(request.prompt.encode("utf-8"))])


def build_scene(
    plan: ScenePlan,
    request: VideoRequest,
    faces: list[torch.Tensor] | None = None,
    looks: Sequence[CameoLook] = (),
) -> Scene:
    width, height = request.size
    rng = scene_rng(request)
    grade = make_grade(plan, rng)
    camera = _camera(plan, request, rng)
    motion = plan_motion(plan, rng, width / height)
    camera["pan"] = pan_speed(plan, motion) * camera["t"]
    max_px = float((1 + (camera["zoom"].max() - 1) * SUBJECT_DEPTH) * height)
    layers = prepare_layers(plan, grade, rng, height)
    fields = build_fields(plan, grade, rng, (height, width), (request.fps, request.num_frames))
    subjects = build_subjects(
        plan, grade, rng, motion, (camera["t"], request.duration_s, max_px), faces or [], looks
    )
    sky, offsets = _sky(plan, grade, rng, camera, (width, height))
    flash, strikes = _lightning(plan, rng, camera["t"])
    timing = (camera["t"], request.duration_s, max_px)
    staged = build_things(plan, grade, rng, motion, timing, subjects)  # may seat subjects
    landed = landings(subjects, plan) + staged.falls
    scene = Scene(
        plan=plan,
        width=width,
        height=height,
        fps=request.fps,
        num_frames=request.num_frames,
        sky=sky,
        sky_offsets=offsets,
        back=[layer for layer in layers if layer.spec.depth <= SUBJECT_DEPTH],
        front=[layer for layer in layers if layer.spec.depth > SUBJECT_DEPTH],
        subjects=staged.subjects,
        far_fields=[f for f in fields if f.depth < 0.2],
        near_fields=[f for f in fields if f.depth >= 0.2],
        camera=camera,
        light=_light_map(grade, (width, height)),
        flash=flash,
        caption=_caption(plan.caption, (width, height)),
        splashes=build_splashes(landed, grade, rng, request.fps),
        events=_sound_events(plan, landed, strikes, fields),
    )
    scene.places = build_places(plan, grade, rng, layers, camera, (width, height)) or None
    scene.screen = {
        "sx": (torch.arange(width, dtype=torch.float32) + 0.5 - width / 2) / height,
        "sy": (torch.arange(height, dtype=torch.float32) + 0.5) / height,
    }
    if (plate := build_plate(request)) is not None:
        scene.plate, scene.front, scene.light = plate, [], plate_light((width, height))
    return scene


Buffers = tuple[torch.Tensor, torch.Tensor, torch.Tensor]


def _buffers(scene: Scene, batch: int) -> Buffers:
    """Canvas, mask scratch and uint8 staging, allocated once per clip.

    A fresh 40 MB tensor per batch costs more in page faults than drawing into it. Zeros, not
    empty: rows a nearer layer fully covers are never cleared, and lerp with weight 1 returns
    exactly the layer colour only when what was there is finite.
    """
    canvas = torch.zeros((batch, 3, scene.height, scene.width), dtype=torch.float32)
    scratch = torch.zeros((batch, 1, scene.height, scene.width), dtype=torch.float32)
    staging = torch.zeros((batch, 3, scene.height, scene.width), dtype=torch.uint8)
    return canvas, scratch, staging


def render_batch(
    scene: Scene,
    start: int,
    stop: int,
    out: torch.Tensor,
    buffers: Buffers | None = None,
) -> None:
    """Draw frames ``start:stop`` into ``out`` (uint8, (B, H, W, 3))."""
    batch = stop - start
    canvas, scratch, buffers_u8 = buffers or _buffers(scene, batch)
    buffers_u8 = buffers_u8[:batch]
    canvas, scratch = canvas[:batch], scratch[:batch]
    view = _view(scene, start, stop)
    back, front = layer_bands(scene.back, view), layer_bands(scene.front, view)
    sky_rows = min(covered_from(back), scene.height)  # rows below are painted over anyway
    for b in range(batch):
        ox, oy = scene.sky_offsets[start + b]
        canvas[b, :, :sky_rows].copy_(scene.sky[:, oy : oy + sky_rows, ox : ox + scene.width])
    draw_fields(canvas, scene.far_fields, view)
    if scene.places is not None:
        draw_sky_places(canvas, scene.places, view, slice(start, stop))
    draw_layers(canvas, back, scratch)
    if scene.places is not None:
        draw_ground_places(canvas, scene.places, view, slice(start, stop))
    draw_plate(canvas, scene.plate, slice(start, stop))
    draw_subjects(canvas, scene.subjects, view, slice(start, stop))
    if scene.splashes is not None:
        draw_splashes(canvas, scene.splashes, view)
    draw_layers(canvas, front, scratch)
    draw_fields(canvas, scene.near_fields, view)
    if scene.caption is not None:
        _draw_caption(canvas, scene.caption, view["t"])
    _finish(canvas, scene, start, out, buffers_u8)


def _view(scene: Scene, start: int, stop: int) -> dict[str, torch.Tensor]:
    view = {key: torch.from_numpy(values[start:stop]) for key, values in scene.camera.items()}
    view.update(scene.screen)
    view["height"] = torch.tensor(scene.height)
    view["width"] = torch.tensor(scene.width)
    return view


def _finish(
    canvas: torch.Tensor, scene: Scene, start: int, out: torch.Tensor, staging: torch.Tensor
) -> None:
    """Light, clamp, and interleave into uint8 HWC.

    Converting planar float to uint8 first and interleaving bytes with ``stack`` is about a
    third faster than one permuting float-to-uint8 copy.
    """
    canvas.mul_(scene.light)
    for b in range(canvas.shape[0]):
        flash = float(scene.flash[start + b])
        if flash > 0.0:
            canvas[b].mul_(1 + flash).add_(flash * 60)
    canvas.clamp_(0, 255)
    staging.copy_(canvas)
    torch.stack((staging[:, 0], staging[:, 1], staging[:, 2]), dim=-1, out=out)


# ---------------------------------------------------------------------------- camera


def _ease(u: np.ndarray) -> np.ndarray:
    return u * u * (3 - 2 * u)


def _camera(
    plan: ScenePlan, request: VideoRequest, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Per-frame camera values; ``pan`` is filled in once the subjects' pace is known."""
    count = request.num_frames
    t = np.arange(count, dtype=np.float64) / request.fps
    u = t / request.duration_s
    e = plan.energy
    zoom = np.ones(count)
    orbit = np.zeros(count)
    shake = 0.0
    if plan.camera == "zoom in":
        zoom = 1 + (0.18 + 0.22 * e) * _ease(u)
    elif plan.camera == "zoom out":
        zoom = 1 + (0.18 + 0.22 * e) * (1 - _ease(u))
    elif plan.camera == "orbit":
        orbit = (0.18 + 0.12 * e) * np.sin(2 * np.pi * 0.7 * u + rng.uniform(-0.5, 0.5))
        zoom = 1.06 + 0.04 * np.cos(2 * np.pi * u)
    elif plan.camera == "shake":
        shake = 0.004 + 0.01 * e
    shake_x, shake_y = (
        shake * _wobble(rng, t, (2.5, 4.0)) + shake * 0.5 * _wobble(rng, t, (7.0, 11.0))
        for _ in range(2)
    )
    values = {"t": t, "pan": np.zeros(count), "orbit": orbit, "zoom": zoom}
    values |= {"shake_x": shake_x, "shake_y": shake_y}
    return {key: np.ascontiguousarray(v, dtype=np.float32) for key, v in values.items()}


def _wobble(rng: np.random.Generator, t: np.ndarray, band: tuple[float, float]) -> np.ndarray:
    freq = rng.uniform(*band, size=2)
    phase = rng.uniform(0, 2 * np.pi, size=2)
    return 0.6 * np.sin(2 * np.pi * freq[0] * t + phase[0]) + 0.4 * np.sin(
        2 * np.pi * freq[1] * t + phase[1]
    )


# How fast the backdrop slides as the camera pans, as a share of the walkers' own plane:
# the sky hardly moves, a room's wall just behind them almost keeps up.
SKY_DRIFT_DEPTH = 0.04
WALL_DEPTH = 0.7
WALLED_SETTINGS = frozenset({"room", "kitchen"})


def _sky(
    plan: ScenePlan,
    grade: Grade,
    rng: np.random.Generator,
    camera: dict[str, np.ndarray],
    size: tuple[int, int],
) -> tuple[torch.Tensor, np.ndarray]:
    """Paint the backdrop wide and tall enough for cloud drift, slow pan and shake. A room's
    wall is near, not a far sky: it slides by as the camera follows someone down a hallway."""
    width, height = size
    depth = WALL_DEPTH if plan.setting in WALLED_SETTINGS else SKY_DRIFT_DEPTH
    drift = camera["t"] * height * 0.006 + camera["pan"] * height * depth
    x = np.floor(drift - drift.min()).astype(np.int64)
    margin = int(math.ceil(np.abs(camera["shake_y"]).max() * height)) + 1
    y = np.round(margin + camera["shake_y"] * height).astype(np.int64)
    sky_size = (height + 2 * margin + 1, width + int(x.max()) + 1)
    sky = paint_sky(plan, grade, rng, sky_size, width / height)
    return sky, np.stack([x, y], axis=-1)


def _light_map(grade: Grade, size: tuple[int, int]) -> torch.Tensor:
    width, height = size
    xs = torch.linspace(-1, 1, width).view(1, 1, width)
    ys = torch.linspace(-1, 1, height).view(1, height, 1)
    r2 = (xs**2 + ys**2) / 2
    return ((1 - grade.vignette * r2**1.3) * 255).contiguous()


def _lightning(
    plan: ScenePlan, rng: np.random.Generator, t: np.ndarray
) -> tuple[np.ndarray, list[int]]:
    """Per-frame flash brightness, and the frame each flash starts (where its thunder is timed)."""
    flash = np.zeros_like(t)
    stormy = plan.storm or plan.mood == "dramatic" or plan.energy >= 0.7
    if plan.weather != "rain" or not stormy:
        return flash, []
    starts = []
    for start in rng.uniform(0.5, max(1.0, t[-1] - 0.5), size=2):
        after = t - start
        flash += np.where(after >= 0, 0.55 * np.exp(-np.clip(after, 0, None) / 0.12), 0.0)
        starts.append(int(np.argmax(after >= 0)))
    return flash.astype(np.float32), sorted(set(starts))


def _sound_events(
    plan: ScenePlan, landed: list[Landing], strikes: list[int], fields: list[Field]
) -> list[SoundEvent]:
    """What makes a sound, at the frame it is drawn: landings, lightning and confetti pops."""
    events = [
        SoundEvent("splash" if landing.in_water else "thump", landing.frame, landing.strength)
        for landing in landed
    ]
    events += [
        SoundEvent("lightning", frame, round(0.6 + 0.4 * plan.energy, 3)) for frame in strikes
    ]
    pop = round(0.5 + 0.5 * plan.energy, 3)
    events += [SoundEvent("pop", frame, pop) for f in fields for frame in f.pops]
    return sorted(events, key=lambda event: (event.frame, event.kind))


# ---------------------------------------------------------------------------- caption


def _caption(text: str, size: tuple[int, int]) -> tuple[torch.Tensor, int, int] | None:
    """Render the caption once with PIL as premultiplied RGBA, placed in the lower third."""
    width, height = size
    font = _caption_font(max(14, round(min(width, height) * 0.065)))
    text = " ".join(_drawable(text, font).split())
    if not text:
        return None
    lines = _wrap(text, font, width * 0.82)
    ascent, descent = font.getmetrics()
    line_h = ascent + descent + 4
    box_w = int(max(font.getlength(line) for line in lines)) + 36
    box_h = line_h * len(lines) + 20
    image = Image.new("RGBA", (box_w, box_h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, box_w - 1, box_h - 1), radius=box_h // 3, fill=(10, 10, 20, 120))
    for i, line in enumerate(lines):
        x = (box_w - font.getlength(line)) / 2
        draw.text(
            (x, 10 + i * line_h),
            line,
            font=font,
            fill=(255, 255, 255, 255),
            stroke_width=2,
            stroke_fill=(20, 20, 30, 255),
        )
    rgba = torch.from_numpy(np.asarray(image, dtype=np.float32) / 255).permute(2, 0, 1)
    premultiplied = torch.cat([rgba[:3] * rgba[3:], rgba[3:]]).contiguous()
    top = min(int(height * 0.78), height - box_h - 4)
    return premultiplied, max(top, 0), max((width - box_w) // 2, 0)


CAPTION_FONTS = ("DejaVuSans-Bold.ttf", "DejaVuSans.ttf")


def _caption_font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu when the system has it (it covers Cyrillic and Greek), else Pillow's own font."""
    for name in CAPTION_FONTS:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def _drawable(text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont) -> str:
    """Drop characters the font would draw as empty boxes (CJK, emoji in a Latin font)."""
    missing = bytes(font.getmask("\U0010fffd"))
    return "".join(c for c in text if c.isspace() or bytes(font.getmask(c)) != missing)


def _wrap(
    text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, max_width: float
) -> list[str]:
    for chars in range(max(len(text), 1), 4, -1):
        lines = textwrap.wrap(text, chars) or [text]
        if len(lines) <= 3 and all(font.getlength(line) <= max_width for line in lines):
            return lines
    return textwrap.wrap(text, 12)[:3] or [text]


def _draw_caption(
    canvas: torch.Tensor, caption: tuple[torch.Tensor, int, int], t: torch.Tensor
) -> None:
    pixels, top, left = caption
    _, _, height, width = canvas.shape
    h = min(pixels.shape[1], height - top)
    w = min(pixels.shape[2], width - left)
    fade = ((t - 0.25) / 0.5).clamp(0, 1).view(-1, 1, 1, 1)
    src = pixels[:, :h, :w].unsqueeze(0) * fade
    region = canvas[:, :, top : top + h, left : left + w]
    region.mul_(1 - src[:, 3:4]).add_(src[:, :3])


# ---------------------------------------------------------------------------- cameos


def _face_tensor(cameo: CameoImage) -> torch.Tensor:
    """A cameo picture as a (1, 3, h, w) float face, centre-cropped to the head's oval."""
    image = np.asarray(cameo.image)
    if image.ndim == 2:
        image = np.stack([image] * 3, axis=-1)
    if image.ndim != 3 or image.shape[2] not in (3, 4) or min(image.shape[:2]) < 8:
        raise ValueError(f"The picture for cameo {cameo.name!r} is not a usable RGB image.")
    picture = Image.fromarray(np.ascontiguousarray(image[:, :, :3]).astype(np.uint8))
    target = FACE_SIZE[0] / FACE_SIZE[1]
    w, h = picture.size
    crop_w, crop_h = (h * target, h) if w / h > target else (w, w / target)
    # The oval inside the crop should hold the face, not the photo's background corners.
    crop_w, crop_h = crop_w * FACE_CROP, crop_h * FACE_CROP
    left, top = (w - crop_w) / 2, (h - crop_h) / 2
    picture = picture.crop((round(left), round(top), round(left + crop_w), round(top + crop_h)))
    picture = picture.resize(FACE_SIZE, Image.Resampling.LANCZOS)
    array = np.asarray(picture, dtype=np.float32) / 255
    return torch.from_numpy(array).permute(2, 0, 1).unsqueeze(0).contiguous()


def render_preview(
    prompt: str, seed: int = 0, aspect: str = "9:16", cameos: tuple[CameoImage, ...] = ()
) -> np.ndarray:
    """Every 12th frame of a 4 s clip; handy in a shell and in tests."""
    request = VideoRequest(prompt=prompt, seed=seed, aspect=aspect, cameos=cameos)
    faces = [_face_tensor(cameo) for cameo in cameos]
    looks = [read_instructions(cameo.instructions) for cameo in cameos]
    scene = build_scene(plan_scene(prompt), request, faces, looks)
    picks = list(range(0, scene.num_frames, 12))
    frames = np.empty((len(picks), scene.height, scene.width, 3), dtype=np.uint8)
    buffers = _buffers(scene, 1)
    with torch.inference_mode():
        for i, index in enumerate(picks):
            render_batch(scene, index, index + 1, torch.from_numpy(frames[i : i + 1]), buffers)
    return frames
