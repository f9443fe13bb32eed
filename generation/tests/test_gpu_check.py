"""``manage.py gpu_check``: skipped in one line where torch sees no CUDA GPU, so CI can call it;
with ``--device cpu`` the same renders, sound checks and P2/P3 bench as on a GPU."""

from __future__ import annotations

import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

pytest.importorskip("diffusers", reason="diffusers is not installed")

import torch  # noqa: E402

needs_no_cuda = pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")


@needs_no_cuda
def test_without_cuda_it_says_so_in_one_line_and_exits_0() -> None:
    done = subprocess.run(
        [sys.executable, str(settings.BASE_DIR / "manage.py"), "gpu_check"],
        capture_output=True, text=True, check=False, cwd=settings.BASE_DIR,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == "GPU check skipped: torch sees no CUDA GPU on this machine.\n"


@needs_no_cuda
def test_without_cuda_it_builds_and_renders_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    from generation.pipeline import tiny_models

    built: list[str] = []
    monkeypatch.setattr(tiny_models, "save_tiny_model", lambda kind, path: built.append(kind))
    out = StringIO()
    call_command("gpu_check", "--device", "cuda:0", stdout=out)
    assert out.getvalue() == "GPU check skipped: torch sees no CUDA GPU on this machine.\n"
    assert built == []


def test_an_unknown_kind_is_refused_with_the_kinds_there_are() -> None:
    with pytest.raises(CommandError) as refused:
        call_command("gpu_check", "--device", "cpu", "--kinds", "ltx3")
    assert str(refused.value) == (
        "Unknown --kinds ltx3; choose from wan-t2v, wan-i2v, ltx, ltx2, cogvideox."
    )


@pytest.mark.slow
def test_on_the_cpu_it_renders_ltx2_with_its_sound_and_prints_p2_and_p3() -> None:
    out = StringIO()
    call_command("gpu_check", "--device", "cpu", "--kinds", "ltx2", "--bench-jobs", "6", stdout=out)
    lines = out.getvalue().splitlines()
    (render,) = [line for line in lines if line.startswith("  ltx2 (all on cpu): ")]
    assert "LTX2Pipeline, float32" in render
    assert render.endswith("h264 640x640 1.00 s + aac 1.00 s")
    assert "Out-of-memory retry: not forced, only CUDA can cap memory." in lines
    assert any(line.startswith("  ltx2 P2 = job 2 / job 1 = ") for line in lines)
    assert any(line.startswith("  ltx2 P3 = RSS after 6 jobs / after 5 = ") for line in lines)
    assert lines[-1] == "GPU check passed on cpu: ltx2."
