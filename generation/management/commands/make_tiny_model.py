from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from generation.pipeline.tiny_models import KINDS, folder_size, save_tiny_model


class Command(BaseCommand):
    help = (
        "Write a tiny random-weights diffusers video model (a real Wan, LTX-Video, LTX-2 with "
        "sound, or CogVideoX pipeline class, a few MB at most) to PATH, for trying "
        "SORA_VIDEO_MODEL without a download. Its videos (and LTX-2's sound) are noise."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="Folder to write; it must be new or empty.")
        parser.add_argument("--kind", choices=KINDS, default="wan-t2v")

    def handle(self, *args: Any, path: str, kind: str, **options: Any) -> None:
        folder = Path(path).expanduser()
        # save_pretrained overwrites files in place: never let a typo clobber a real model.
        if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
            raise CommandError(f"{folder} already exists and is not empty; choose a new folder.")
        save_tiny_model(kind, folder)
        size = folder_size(folder)
        self.stdout.write(
            f"Wrote a tiny {kind} model to {folder} ({size / 1024:.0f} KiB on disk). "
            f"Try it with SORA_VIDEO_MODEL={folder} ./manage.py generation_check"
        )
