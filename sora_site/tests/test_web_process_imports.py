"""A web process starts without the render stack: the heavy libraries load only in the workers.

The web server imports every URLconf and view at start. Torch, diffusers, the audio mixer and
the detectors belong to the render and scan workers, which import them when they first render;
a web process that loaded them would start seconds slower and hold hundreds of MB it never
uses. This runs a fresh interpreter, as gunicorn's workers do, and lists what got loaded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORKER_ONLY = (
    "torch", "diffusers", "transformers", "sentence_transformers", "scipy", "pyloudnorm", "av",
    "sklearn", "nudenet", "onnxruntime", "hibari", "pocketsphinx", "boto3", "skimage",
    "generation.services.render", "generation.pipeline.audio.soundtrack",
    "generation.pipeline.encode", "generation.pipeline.builtin",
)  # fmt: skip
PROBE = """
import json, sys
from django.core.wsgi import get_wsgi_application
get_wsgi_application()
from django.urls import get_resolver
def walk(patterns):
    for p in patterns:
        walk(getattr(p, "url_patterns", []))
walk(get_resolver().url_patterns)
wanted = set(sys.argv[1:])
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in wanted or m in wanted)))
"""


def _loaded_at_start(names: tuple[str, ...]) -> list[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "sora_site.settings_test"}
    out = subprocess.run(
        [sys.executable, "-c", PROBE, *names], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=120, check=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_web_process_loads_every_page_without_the_render_stack() -> None:
    loaded = _loaded_at_start(WORKER_ONLY)
    assert loaded == [], f"a web process imported worker-only modules at start: {loaded}"


def test_the_probe_sees_what_a_web_process_does_load() -> None:
    # The same probe finds what the pages really use, so an empty list above means something.
    loaded = _loaded_at_start(("django", "feed.views", "generation.services.request"))
    assert "feed.views" in loaded
    assert "generation.services.request" in loaded
