"""A person records their cameo in Chromium: camera, the steps one at a time, the verdict.

Chromium's fake camera plays a Y4M file, so the clip MediaRecorder films is a real recording of
a head (the public-domain astronaut photo, turned in 3-D) following the steps on screen.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from accounts.models import User
from cameo.models import Cameo, CameoReference
from cameo.synthetic import LEFT_RIGHT_UP, astronaut_head, timeline, write_y4m
from conftest import log_in, start_worker
from sora_site.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FPS = 15
# The camera file: straight ahead, then the three poses at a brisk pace, then straight ahead for
# long enough that the recorder's ~9 s window holds all three whenever it starts in the first
# second after the camera opens.
_POSES = {"left": (35, 0), "right": (-35, 0), "up": (0, 25)}


def _camera_keys(steps: tuple[str, ...]) -> list[tuple[float, float, float]]:
    keys = [(0.0, 0.0, 0.0), (1.5, 0.0, 0.0)]
    for step in steps:
        t = keys[-1][0]
        yaw, pitch = _POSES[step]
        keys += [(t + 0.3, yaw, pitch), (t + 1.1, yaw, pitch), (t + 1.4, 0, 0), (t + 1.8, 0, 0)]
    return keys


@pytest.fixture(scope="module")
def camera_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    head = astronaut_head()
    poses = timeline(_camera_keys(LEFT_RIGHT_UP), 18.0, FPS)
    frames = [head.turned(yaw, pitch) for yaw, pitch in poses]
    return write_y4m(frames, tmp_path_factory.mktemp("camera") / "me.y4m", FPS)


@pytest.fixture
def page(camera_file: Path) -> Iterator[Any]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    camera = [
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={camera_file}",
    ]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS + camera)
        context = browser.new_context(viewport={"width": 420, "height": 860})
        context.grant_permissions(["camera"])
        context.set_default_timeout(20_000)
        yield context.new_page()
        browser.close()


@pytest.fixture
def default_worker() -> Iterator[None]:
    worker = start_worker("default", burst=False)
    yield
    worker.terminate()
    try:
        worker.wait(timeout=15)
    except Exception:
        worker.kill()


def _steps_on_screen(page: Any) -> tuple[str, ...]:
    return tuple(page.get_attribute("[data-testid=steps]", "data-steps").split(","))


def test_record_a_cameo_with_the_camera_and_see_it_verified(
    live_server: Any, page: Any, alice: User, default_worker: None
) -> None:
    log_in(page, live_server.url, alice)
    page.goto(f"{live_server.url}/cameo/")
    # The steps are random; ask for new ones until they are the ones the camera file performs.
    for _ in range(40):
        if _steps_on_screen(page) == LEFT_RIGHT_UP:
            break
        page.click("button:has-text('Give me different steps')")
        page.wait_for_load_state()
    assert _steps_on_screen(page) == LEFT_RIGHT_UP
    assert "Turn your head left" in page.inner_text("[data-testid=steps]")

    page.fill("#id_display_name", "Alice")
    page.click("button:has-text('Start camera')")
    page.wait_for_function(
        "() => { const v = document.querySelector('[data-testid=camera]');"
        " return v && v.readyState >= 2 && v.videoWidth > 0; }"
    )
    page.click("[data-action=record]")
    cue = page.locator("[data-testid=cue]")
    cue.filter(has_text="Turn your head left").wait_for()
    cue.filter(has_text="Look up").wait_for()
    page.wait_for_url(f"{live_server.url}/cameo/", timeout=30_000)
    status = page.locator("[data-testid=attempt-status]")
    status.filter(has_text="Verified.").wait_for(timeout=60_000)

    cameo = Cameo.objects.get(owner=alice)
    assert cameo.state == "verified" and cameo.display_name == "Alice"
    assert CameoReference.objects.filter(cameo=cameo).count() >= 3
    page.click("text=Show my cameo")
    assert page.locator("[data-testid=my-cameo]").is_visible()
    assert "Videos with me (0)" in page.inner_text("[data-testid=my-cameo]")
