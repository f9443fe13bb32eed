"""Settings for a worker that holds a tiny test model as the catalogue engine ``tiny-wan``.

A real model gets its queue from the catalogue when settings load; a test's model gets a one-entry
catalogue and the matching ``video-tiny-wan`` queue here, and names its engine with
SORA_VIDEO_ENGINE since its folder was not installed by ``models pull``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings

TINY = "video-tiny-wan"
CATALOGUE = """[[model]]
name = "tiny-wan"
title = "Tiny Wan (test model)"
repo = "test-org/tiny-wan-diffusers"
revision = "main"
revision_note = "a model built by the test, never pulled"
revision_source = "the test"
family = "wan"
pipeline = "WanPipeline"
tasks = ["t2v"]
download_note = "built locally"
licence = "Apache-2.0"
licence_url = "https://example.org/apache"
commercial_use = true
allow_patterns = ["model_index.json", "*/*"]
"""


def tiny_engine_settings(tmp_path: Path) -> dict[str, Any]:
    """Overrides that make the folder in SORA_VIDEO_MODEL the engine ``video-tiny-wan``."""
    catalogue = tmp_path / "tiny-catalogue.toml"
    catalogue.write_text(CATALOGUE)
    return {
        "SORA_MODEL_CATALOGUE": str(catalogue),
        "SORA_VIDEO_ENGINE": "tiny-wan",
        "RQ_QUEUES": {**settings.RQ_QUEUES, TINY: settings.RQ_QUEUES["video"]},
    }
