"""Check a GPU worker machine with tiny random-weights models of every family (no download).

On a CUDA machine it builds each tiny model (Wan T2V and I2V, LTX-Video, LTX-2, CogVideoX) and
renders a 1 s clip with it the way a video worker does: the same backend in bf16, with diffusers'
model CPU offload (SORA_LOW_VRAM) and, for LTX-2, also with its text encoder streamed from system
memory; the frames and any sound of the model's own are then mastered and encoded to H.264 + AAC
and read back. It renders nothing into the database or the queues. Then it caps this process's
GPU memory (``torch.cuda.set_per_process_memory_fraction``) between what a small and a full
render need, so the first try runs out of memory and the backend's retry renders smaller; and it
runs ``bench_worker`` for each family to print P2 and P3 on the GPU.

On a machine where torch sees no CUDA GPU it says so in one line, with "skipped", and exits 0,
so CI can call it anywhere. ``--device cpu`` runs the same checks on the CPU (the memory cap,
which only CUDA has, is left out), which is how its tests run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import torch
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from generation.pipeline import encode, tiny_models
from generation.pipeline.audio.soundtrack import add_sound
from generation.pipeline.base import VideoRequest
from generation.pipeline.diffusers_backend import (
    OOM_SIDE_SCALE,
    DiffusersBackend,
    RenderOptions,
    free_memory,
)
from generation.pipeline.tiny_models import KINDS

PROMPT = "a dog barks at the waves on a windy beach"
# The full render whose memory the cap sits under, and the retry's own scale (side x 0.75,
# half the frames) gives the smaller one.
OOM_MAX_SIDE = 256
OOM_MAX_FRAMES = 33
MIB = 2**20


class Command(BaseCommand):
    help = (
        "Render with tiny models of every family on the GPU, force one out-of-memory retry, P2/P3."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--device", default="cuda", help="cuda (default), cuda:1, or cpu.")
        parser.add_argument(
            "--kinds", default=",".join(KINDS), help=f"Tiny models to check: {', '.join(KINDS)}."
        )
        parser.add_argument(
            "--bench-jobs", type=int, default=12, help="Jobs per bench_worker run (0: no bench)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        device = options["device"]
        if device.startswith("cuda") and not torch.cuda.is_available():
            self.stdout.write("GPU check skipped: torch sees no CUDA GPU on this machine.")
            return
        kinds = self._kinds(options["kinds"])
        self._describe(device)
        failures: list[str] = []
        with tempfile.TemporaryDirectory(prefix="sora-gpu-check-") as tmp:
            folders = self._build(kinds, Path(tmp))
            for kind, folder in folders.items():
                for low_vram in self._placements(kind, device):
                    failures += self._check_render(kind, folder, device, low_vram, Path(tmp))
            if device.startswith("cuda"):
                failures += self._check_oom_retry(folders, device)
            else:
                self.stdout.write("Out-of-memory retry: not forced, only CUDA can cap memory.")
        for kind in kinds if options["bench_jobs"] else ():
            failures += self._bench(kind, device, options["bench_jobs"])
        if failures:
            raise CommandError(f"The GPU check failed: {'; '.join(failures)}")
        self.stdout.write(f"GPU check passed on {device}: {', '.join(kinds)}.")

    # --- setting up -----------------------------------------------------------------------------

    def _kinds(self, text: str) -> list[str]:
        kinds = [kind.strip() for kind in text.split(",") if kind.strip()]
        unknown = [kind for kind in kinds if kind not in KINDS]
        if unknown or not kinds:
            named = ", ".join(unknown) or repr(text)
            raise CommandError(f"Unknown --kinds {named}; choose from {', '.join(KINDS)}.")
        return kinds

    def _describe(self, device: str) -> None:
        if device.startswith("cuda"):
            index = torch.device(device).index or 0
            props = torch.cuda.get_device_properties(index)
            memory = f"{props.total_memory / 2**30:.1f} GiB"
            self.stdout.write(f"GPU: {props.name}, {memory}, torch {torch.__version__}")
        else:
            self.stdout.write(f"Device: {device}, torch {torch.__version__}")

    def _build(self, kinds: list[str], root: Path) -> dict[str, Path]:
        folders = {}
        for kind in kinds:
            started = time.perf_counter()
            folders[kind] = tiny_models.save_tiny_model(kind, root / kind)
            self.stdout.write(f"Built tiny {kind} in {time.perf_counter() - started:.1f} s")
        return folders

    def _placements(self, kind: str, device: str) -> list[bool]:
        """Each family with every part offloaded; LTX-2 also as it runs by default, with only
        its text encoder streamed. On the CPU there is nothing to offload."""
        if not device.startswith("cuda"):
            return [False]
        return [True, False] if kind == "ltx2" else [True]

    # --- renders --------------------------------------------------------------------------------

    def _check_render(
        self, kind: str, folder: Path, device: str, low_vram: bool, tmp: Path
    ) -> list[str]:
        options = RenderOptions(steps=2, max_side=64, max_frames=17, seconds=1.0)
        backend = DiffusersBackend(str(folder), device=device, low_vram=low_vram, options=options)
        label = f"{kind} ({_placement(backend)})"
        started = time.perf_counter()
        try:
            result = _render(backend)
            info = _encode(result, tmp / f"{kind}-{int(low_vram)}.mp4")
        except Exception as exc:  # the check reports every failure and goes on to the next
            self.stdout.write(f"  {label}: FAILED, {type(exc).__name__}: {exc}")
            return [f"{label} did not render"]
        problem = _problem(kind, info)
        audio = info["audio"]
        sound = f" + {audio['codec']} {audio['duration_s']:.2f} s" if audio else ""
        self.stdout.write(
            f"  {label}: {backend.pipeline_class}, {str(backend.dtype).removeprefix('torch.')}, "
            f"{time.perf_counter() - started:.1f} s; {info['codec']} {info['width']}x"
            f"{info['height']} {info['duration_s']:.2f} s{sound}"
            + (f"; {problem}" if problem else "")
        )
        return [f"{label}: {problem}"] if problem else []

    def _check_oom_retry(self, folders: dict[str, Path], device: str) -> list[str]:
        """Cap the GPU memory between a small and a full render's needs, so the first try runs
        out of memory and the backend's own retry renders at the smaller size."""
        kind = "ltx2" if "ltx2" in folders else next(iter(folders))
        full = RenderOptions(steps=2, max_side=OOM_MAX_SIDE, max_frames=OOM_MAX_FRAMES, seconds=1)
        small = RenderOptions(
            max_side=int(OOM_MAX_SIDE * OOM_SIDE_SCALE), max_frames=OOM_MAX_FRAMES // 2 + 1
        )
        backend = DiffusersBackend(str(folders[kind]), device=device, options=full)
        backend.load()
        index = torch.device(device).index or 0
        needs = {"full": _peak(backend, None, index), "small": _peak(backend, small, index)}
        if needs["full"] <= needs["small"] * 1.1:
            return [f"the out-of-memory check could not tell a full {kind} render from a small one"]
        cap = (needs["full"] + needs["small"]) // 2
        total = torch.cuda.get_device_properties(index).total_memory
        torch.cuda.set_per_process_memory_fraction(cap / total, index)
        try:
            result = _render(backend)
        except ValueError as exc:
            return [f"the out-of-memory retry failed: {exc}"]
        finally:
            torch.cuda.set_per_process_memory_fraction(1.0, index)
        retried = [note for note in result.notes if "ran out of memory" in note]
        self.stdout.write(
            f"Out-of-memory retry ({kind}): a full render needs {needs['full'] / MIB:.0f} MiB, "
            f"a small one {needs['small'] / MIB:.0f} MiB; capped at {cap / MIB:.0f} MiB. "
            + (retried[0] if retried else "The first try did not run out of memory.")
        )
        return [] if retried else ["the memory cap did not force an out-of-memory retry"]

    # --- P2 and P3 ------------------------------------------------------------------------------

    def _bench(self, kind: str, device: str, jobs: int) -> list[str]:
        # A process of its own: P2's first job must pay for importing diffusers, as a new
        # worker's does, and this process has imported it already.
        env = {**os.environ, "SORA_DEVICE": device, "SORA_VIDEO_MODEL": ""}
        command = [
            sys.executable, str(settings.BASE_DIR / "manage.py"), "bench_worker", "--kind", kind,
            "--jobs", str(jobs),
        ]  # fmt: skip
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        lines = [line for line in done.stdout.splitlines() if line.startswith(("P2", "P3"))]
        for line in lines:
            self.stdout.write(f"  {kind} {line}")
        if done.returncode != 0 or len(lines) != 2:
            reason = (done.stderr.strip().splitlines() or ["no output"])[-1]
            self.stdout.write(f"  {kind} bench_worker: FAILED, {reason}")
            return [f"bench_worker --kind {kind} failed"]
        return []


def _placement(backend: Any) -> str:
    if backend.low_vram:
        return "every part offloaded"
    if backend.device.startswith("cuda") and backend.family.low_memory:
        return "text encoder streamed"
    return f"all on {backend.device}"


def _render(backend: Any, options: Any = None) -> Any:
    request = VideoRequest(prompt=PROMPT, seed=1, aspect="1:1", duration_s=4)
    return backend.generate(
        request, on_progress=lambda *_: None, should_cancel=lambda: False, options=options
    )


def _encode(result: Any, path: Path) -> dict[str, Any]:
    """Master the sound (the model's own, or the mixer's) and encode, as a worker does."""
    add_sound(VideoRequest(prompt=PROMPT, seed=1, aspect="1:1", duration_s=4), result)
    encode.encode_mp4(result.frames, result.fps, path, audio=result.audio)
    return encode.probe_mp4(path)


def _problem(kind: str, info: dict[str, Any]) -> str:
    if info["codec"] != "h264":
        return f"the video is {info['codec']}, not h264"
    audio = info["audio"]
    if audio is None or audio["codec"] != "aac":
        return "the video has no AAC sound"
    if kind == "ltx2" and abs(audio["duration_s"] - info["duration_s"]) > 0.1:
        return (
            f"its sound lasts {audio['duration_s']:.2f} s, the picture {info['duration_s']:.2f} s"
        )
    return ""


def _peak(backend: Any, options: Any, index: int) -> int:
    """The most GPU memory one render of ``backend`` held, in bytes."""
    free_memory()
    torch.cuda.reset_peak_memory_stats(index)
    _render(backend, options)
    peak = torch.cuda.max_memory_reserved(index)
    free_memory()
    return peak
