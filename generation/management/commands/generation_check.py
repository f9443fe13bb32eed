"""Check the video backend this machine is configured for, the way a worker would use it.

Prints the backend, device, model folder, pipeline class and model hash, then renders a short
1:1 test clip and prints how long it took. A folder that is missing, not a diffusers model or of
an unsupported class stops it with one sentence on stderr and a non-zero exit.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from generation import pipeline
from generation.pipeline.base import DURATIONS, VideoRequest
from generation.pipeline.families import RenderOptions

CHECK_PROMPT = "a paper boat drifting across a pond at sunset, slow pan right"
CHECK_SEED = 1


class Command(BaseCommand):
    help = "Load the configured video backend and render a 1 s test clip, timing both."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--steps", type=int, default=None, help="Denoising steps (default: the model's)."
        )
        parser.add_argument(
            "--max-side",
            type=int,
            default=None,
            help="Longest side the model renders, in pixels (default: the model's own size).",
        )
        parser.add_argument("--seconds", type=float, default=1.0, help="Seconds to render.")

    def handle(self, *args: Any, **options: Any) -> None:
        self.verbosity = int(options.get("verbosity", 1))
        if settings.SORA_VIDEO_MODEL:
            self._check_diffusers(options)
        else:
            self._check_builtin()

    def _line(self, label: str, value: object) -> None:
        self.stdout.write(f"{label + ':':<13}{value}")

    # --- diffusers -------------------------------------------------------------------------------

    def _check_diffusers(self, options: dict[str, Any]) -> None:
        if not 0 < options["seconds"] <= max(DURATIONS):
            raise CommandError(f"--seconds must be more than 0 and at most {max(DURATIONS)}.")

        render = RenderOptions(
            steps=options["steps"], max_side=options["max_side"], seconds=options["seconds"]
        )
        try:
            backend = pipeline.make_backend()
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self._line("Backend", backend.name)
        self._line("Device", f"{backend.device} ({str(backend.dtype).removeprefix('torch.')})")
        self._line("Model path", backend.folder)
        self._line("Pipeline", backend.pipeline_class)
        self._line("Model hash", backend.model_hash)
        started = time.perf_counter()
        try:
            backend.load()
        except ValueError as exc:
            cause = exc.__cause__
            if cause is None:
                raise CommandError(str(exc)) from exc
            # The operator, unlike a person whose job failed, needs the library's own words.
            reason = str(cause).strip().splitlines()[0] if str(cause).strip() else "no details"
            raise CommandError(
                f"The video model in {backend.folder} could not be loaded "
                f"({type(cause).__name__}: {reason[:300]})."
            ) from exc
        self._line("Loaded in", f"{time.perf_counter() - started:.2f} s")
        # VideoRequest allows only whole clips; RenderOptions.seconds renders part of one.
        duration = min(d for d in DURATIONS if d >= options["seconds"])
        request = VideoRequest(
            prompt=CHECK_PROMPT, seed=CHECK_SEED, duration_s=duration, aspect="1:1"
        )
        started = time.perf_counter()
        try:
            result = backend.generate(
                request, on_progress=self._progress, should_cancel=lambda: False, options=render
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self._report(result, time.perf_counter() - started, request.size)

    def _progress(self, fraction: float, stage: str) -> None:
        if self.verbosity >= 2:
            self.stdout.write(f"  {fraction:4.0%}  {stage}")

    def _report(self, result: Any, seconds: float, size: tuple[int, int]) -> None:
        count, height, width = result.frames.shape[:3]
        if (width, height) != size or result.frames.dtype.name != "uint8":
            raise CommandError(
                f"The backend returned {width}x{height} {result.frames.dtype} frames instead of "
                f"{size[0]}x{size[1]} uint8; the video pipeline is broken."
            )
        plan = result.plan
        rendered = plan.get("rendered_size")
        model = (
            f" (the model rendered {rendered[0]}x{rendered[1]}, {plan['rendered_frames']} frames, "
            f"{plan['steps']} steps)"
            if rendered
            else ""
        )
        self._line(
            "Rendered",
            f"{count / result.fps:g} s at {width}x{height}, {count} frames at {result.fps} fps"
            f"{model} in {seconds:.2f} s",
        )
        for note in result.notes:
            self._line("Note", note)

    # --- built-in --------------------------------------------------------------------------------

    def _check_builtin(self) -> None:
        try:
            backend = pipeline.make_backend()
        except ImportError as exc:
            raise CommandError(
                "The built-in renderer is missing from this build (generation/pipeline/builtin.py "
                "cannot be imported), so there is nothing to render with. Reinstall the app, or "
                "set SORA_VIDEO_MODEL to a diffusers model folder."
            ) from exc

        self._line("Backend", backend.name)
        self._line("Device", "cpu")
        self._line("Model path", "(none: the built-in renderer needs no model files)")
        self._line("Pipeline", type(backend).__name__)
        # The built-in renderer always renders the whole clip, so it renders the shortest one.
        request = VideoRequest(prompt=CHECK_PROMPT, seed=CHECK_SEED, duration_s=4, aspect="1:1")
        started = time.perf_counter()
        result = backend.generate(request, on_progress=self._progress, should_cancel=lambda: False)
        elapsed = time.perf_counter() - started
        self._line("Model hash", result.model_hash)
        self._report(result, elapsed, request.size)
