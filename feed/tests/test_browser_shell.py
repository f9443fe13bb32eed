"""In Chromium, on a 390×844 phone and a 1280×800 desktop: the phone shell (top bar, tab bar, one
video per screen, nothing wider than the screen), the player (tap, sound, double tap, keys) and
forms that show they are working at once.

Set SORA_SHOTS to a folder to keep a screenshot of each page looked at.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from accounts.models import User
from conftest import PASSWORD, log_in
from feed.models import Like, Post
from feed.tests.feed_helpers import ReusedRenderFactory, publish_like
from generation.models import GenerationJob

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fresh_pool"),
]
ITEMS = "article.feed-item"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
# Elements whose right edge passes the screen's, ignoring what a scrolling or clipping box hides.
OVERFLOW = """(width) => {
  const clipped = (el) => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const style = getComputedStyle(p);
      const edge = p.getBoundingClientRect().right;
      if (style.overflowX !== 'visible' && edge <= width + 0.5) { return true; }
    }
    return false;
  };
  const wide = [...document.querySelectorAll('body *')].filter((el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.right > width + 0.5 && !clipped(el);
  }).map((el) => `${el.tagName}.${el.className} ${el.getBoundingClientRect().right}`);
  return {scrollWidth: document.documentElement.scrollWidth, wide: wide.slice(0, 5)};
}"""


@pytest.fixture
def open_page(browser: Any) -> Callable[..., Any]:
    def _open(viewport: dict[str, int] = PHONE) -> Any:
        context = browser.new_context(viewport=viewport, has_touch=False)
        context.set_default_timeout(20_000)
        return context.new_page()

    return _open


def _shot(page: Any, name: str) -> None:
    folder = os.environ.get("SORA_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"))


def _playing(page: Any, index: int = 0) -> None:
    page.wait_for_function(
        f"() => {{ const v = document.querySelectorAll('{ITEMS} video')[{index}];"
        " return v && !v.paused && v.currentTime > 0.2; }"
    )


def _video(page: Any, expression: str, index: int = 0) -> Any:
    return page.evaluate(f"() => document.querySelectorAll('{ITEMS} video')[{index}].{expression}")


_CLIP: dict[str, bytes] = {}


@pytest.fixture
def template_job(alice: User, rendered: Any) -> GenerationJob:
    """A finished draft with a real video: rendered once for this module (it takes a while on a
    small machine), then stood in from the same bytes for each later test."""
    if not _CLIP:
        job = rendered(alice, "a golden retriever running on the beach at sunset")
        _CLIP.update(video=job.video.read(), poster=job.poster.read())
        return job
    video = default_storage.save("videos/shell.mp4", ContentFile(_CLIP["video"]))
    poster = default_storage.save("posters/shell.jpg", ContentFile(_CLIP["poster"]))
    return ReusedRenderFactory(creator=alice, video=video, poster=poster)


@pytest.fixture
def feed_posts(alice: User, template_job: GenerationJob) -> list[Post]:
    return [publish_like(template_job, alice, f"a kite over a hill, take {i}") for i in range(3)]


def test_on_a_phone_the_bars_are_slim_and_a_video_with_its_buttons_fits_the_screen(
    live_server: Any, open_page: Any, bob: User, feed_posts: list[Post]
) -> None:
    page = open_page()
    log_in(page, live_server.url, bob, then="/accounts/settings/")
    page.goto(f"{live_server.url}/")
    _playing(page)
    _shot(page, "phone-feed")
    bars = page.evaluate(
        "() => ['.topbar', '.tabbar'].map(s => document.querySelector(s).getBoundingClientRect())"
        ".map(b => ({top: b.top, bottom: b.bottom, height: b.height}))"
    )
    top, tabs = bars
    assert top["height"] + tabs["height"] <= 120, bars
    assert top["top"] == 0 and tabs["bottom"] == PHONE["height"]
    item = page.locator(ITEMS).first
    for part in ("video", ".author", ".caption", ".like", ".comments-link", ".share-link",
                 ".remix-link", ".mute", ".why summary"):  # fmt: skip
        box = item.locator(part).bounding_box()
        assert box is not None, part
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (part, box)
        assert box["y"] >= top["bottom"] - 0.5, (part, box, top)
        assert box["y"] + box["height"] <= tabs["top"] + 0.5, (part, box, tabs)
    # The steering control and today's time sit over the feed, and open over it.
    page.click("#steer-panel summary")
    page.locator("[data-testid=mood-slider]").wait_for(state="visible")
    _shot(page, "phone-feed-steer")
    slider = page.locator("[data-testid=mood-slider]").bounding_box()
    assert slider["y"] + slider["height"] <= tabs["top"] and slider["x"] >= 0


def test_on_a_phone_no_main_page_is_wider_than_the_screen(
    live_server: Any,
    open_page: Any,
    alice: User,
    bob: User,
    feed_posts: list[Post],
    template_job: GenerationJob,
) -> None:
    base = live_server.url
    post = feed_posts[0]
    signed_out = open_page()
    for name, path in (("signup", "/accounts/signup/"), ("login", "/accounts/login/")):
        signed_out.goto(base + path)
        _shot(signed_out, f"phone-{name}")
        found = signed_out.evaluate(OVERFLOW, PHONE["width"])
        assert found["scrollWidth"] <= PHONE["width"] and not found["wide"], (path, found)

    page = open_page()
    log_in(page, base, alice, then="/accounts/settings/")
    pages = {
        "feed": "/",
        "create": "/create/",
        "drafts": reverse("generation:drafts"),
        "job": reverse("generation:job", args=[template_job.pk]),
        "post": reverse("feed:post", args=[post.pk]),
        "profile": "/@alice/",
        "cameo": reverse("cameo:home"),
        "inbox": "/inbox/",
        "notifications": reverse("accounts:notifications"),
        "messages": reverse("feed:messages"),
        "controls": reverse("feed:controls"),
        "settings": "/accounts/settings/",
    }
    for name, path in pages.items():
        page.goto(base + path)
        _shot(page, f"phone-{name}")
        found = page.evaluate(OVERFLOW, PHONE["width"])
        assert found["scrollWidth"] <= PHONE["width"] and not found["wide"], (path, found)

    # The report form, opened under someone else's video.
    reporter = open_page()
    log_in(reporter, base, bob, then="/accounts/settings/")
    reporter.goto(base + reverse("feed:post", args=[post.pk]))
    reporter.click("[data-testid=report] summary")
    reporter.locator("[data-testid=report] button[type=submit]").scroll_into_view_if_needed()
    _shot(reporter, "phone-report")
    found = reporter.evaluate(OVERFLOW, PHONE["width"])
    assert found["scrollWidth"] <= PHONE["width"] and not found["wide"], found


def test_on_a_phone_creates_duration_and_aspect_show_their_whole_choice(
    live_server: Any, open_page: Any, alice: User
) -> None:
    page = open_page({"width": 360, "height": 740})
    log_in(page, live_server.url, alice, then="/create/")
    for field in ("#id_duration_s", "#id_aspect"):
        fits = page.evaluate(
            """(sel) => { const s = document.querySelector(sel);
              const c = document.createElement('canvas').getContext('2d');
              c.font = getComputedStyle(s).font;
              const text = c.measureText(s.options[s.selectedIndex].text).width;
              const style = getComputedStyle(s);
              const pad = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
              const right = s.getBoundingClientRect().right;
              return {text, room: s.clientWidth - pad, right}; }""",
            field,
        )
        assert fits["text"] <= fits["room"] and fits["right"] <= 360, (field, fits)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360


def test_a_tab_tapped_while_signed_out_asks_to_log_in_then_opens_that_tab(
    live_server: Any, open_page: Any, bob: User
) -> None:
    page = open_page()
    page.goto(f"{live_server.url}/accounts/signup/")
    page.click("nav.tabbar a:has-text('Inbox')")
    page.wait_for_url(f"{live_server.url}/accounts/login/?next=/inbox/")
    page.fill("#id_username", bob.username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/inbox/")
    assert page.locator("nav.tabbar a[aria-current=page]").inner_text() == "Inbox"
    page.click("nav.tabbar a:has-text('Profile')")
    page.wait_for_url(f"{live_server.url}/@bob/")
    page.click("[data-testid=owner-links] a:has-text('Settings')")
    page.wait_for_url(f"{live_server.url}/accounts/settings/")
    page.click("form.logout button")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("nav.guest a:has-text('Log in')").is_visible()


def test_a_tap_pauses_the_video_with_a_play_sign_and_a_second_tap_plays_it(
    live_server: Any, open_page: Any, bob: User, feed_posts: list[Post]
) -> None:
    page = open_page()
    log_in(page, live_server.url, bob, then="/accounts/settings/")
    page.goto(f"{live_server.url}/")
    _playing(page)
    item = page.locator(ITEMS).first
    assert not item.locator(".play-state").evaluate("e => getComputedStyle(e).opacity === '1'")
    item.locator("video").click()
    page.wait_for_function(f"() => document.querySelector('{ITEMS} video').paused")
    stopped_at = _video(page, "currentTime")
    page.wait_for_timeout(600)
    assert _video(page, "currentTime") == stopped_at
    page.wait_for_function(
        f"() => getComputedStyle(document.querySelector('{ITEMS} .play-state')).opacity === '1'"
    )
    _shot(page, "phone-feed-paused")
    item.locator("video").click()
    page.wait_for_function(
        f"() => document.querySelector('{ITEMS} video').currentTime > {stopped_at + 0.3}"
    )
    assert not _video(page, "paused")
    # The progress bar follows the video.
    scale = item.locator(".progress span").evaluate("e => e.style.transform")
    assert scale.startswith("scaleX(") and float(scale[7:-1]) > 0


def test_the_sound_button_sets_muted_and_is_remembered_after_a_reload(
    live_server: Any, open_page: Any, bob: User, feed_posts: list[Post]
) -> None:
    page = open_page()
    log_in(page, live_server.url, bob, then="/accounts/settings/")
    page.goto(f"{live_server.url}/")
    _playing(page)
    assert _video(page, "muted") is True
    page.locator(ITEMS).first.locator(".mute").click()
    assert _video(page, "muted") is False
    assert page.locator(ITEMS).first.locator(".mute").get_attribute("aria-pressed") == "false"
    page.reload()
    _playing(page)
    assert _video(page, "muted") is False
    assert page.evaluate("() => sessionStorage.getItem('sora.sound')") == "on"
    page.locator(ITEMS).first.locator(".mute").click()
    assert _video(page, "muted") is True
    page.reload()
    _playing(page)
    assert _video(page, "muted") is True


def test_a_double_tap_likes_the_video_once(
    live_server: Any, open_page: Any, bob: User, feed_posts: list[Post]
) -> None:
    page = open_page()
    log_in(page, live_server.url, bob, then="/accounts/settings/")
    page.goto(f"{live_server.url}/")
    _playing(page)
    item = page.locator(ITEMS).first
    item.locator("video").dblclick()
    item.locator(".like.liked").wait_for()
    post_id = int(item.get_attribute("data-post"))
    assert Like.objects.filter(user=bob, post_id=post_id).count() == 1
    assert item.locator(".like span").inner_text() == "1"
    page.wait_for_timeout(400)
    assert not _video(page, "paused")  # a double tap is a like, not a pause
    item.locator("video").dblclick()  # a second double tap doesn't un-like
    page.wait_for_timeout(600)
    assert Like.objects.filter(user=bob, post_id=post_id).count() == 1


def test_on_a_desktop_space_pauses_and_the_arrows_move_between_videos(
    live_server: Any, open_page: Any, bob: User, feed_posts: list[Post]
) -> None:
    page = open_page(DESKTOP)
    log_in(page, live_server.url, bob, then="/accounts/settings/")
    page.goto(f"{live_server.url}/")
    _playing(page)
    _shot(page, "desktop-feed")
    column = page.locator("main.feed").bounding_box()
    assert abs(column["x"] + column["width"] / 2 - DESKTOP["width"] / 2) <= 1
    video = page.locator(ITEMS).first.locator("video").bounding_box()
    assert video["width"] == column["width"]  # the 9:16 video fills the column: no side bars
    page.keyboard.press("Space")
    page.wait_for_function(f"() => document.querySelector('{ITEMS} video').paused")
    page.keyboard.press("Space")
    _playing(page)
    page.keyboard.press("ArrowDown")
    _playing(page, 1)
    page.wait_for_function(f"() => document.querySelectorAll('{ITEMS} video')[0].paused")
    # The second video comes to rest just below the top bar.
    page.wait_for_function(
        f"() => Math.abs(document.querySelectorAll('{ITEMS}')[1].getBoundingClientRect().y"
        " - document.querySelector('.topbar').getBoundingClientRect().height) <= 1"
    )
    page.keyboard.press("ArrowUp")
    _playing(page, 0)
    page.wait_for_function(f"() => document.querySelectorAll('{ITEMS} video')[1].paused")


def test_generate_shows_a_spinner_at_once_and_a_second_tap_sends_nothing(
    live_server: Any, open_page: Any, alice: User
) -> None:
    page = open_page()
    log_in(page, live_server.url, alice, then="/create/")
    # Right after the submit (before the next page arrives), the page notes what the button
    # looks like and whether a second submit would go out.
    page.evaluate(
        """() => window.addEventListener('submit', (event) => window.setTimeout(() => {
          const form = event.target, button = form.querySelector('button[type=submit]');
          const again = new Event('submit', {bubbles: true, cancelable: true});
          form.dispatchEvent(again);
          sessionStorage.setItem('seen', JSON.stringify({disabled: button.disabled,
            busy: button.classList.contains('busy'), againStopped: again.defaultPrevented}));
        }, 0))"""
    )
    page.fill("#id_prompt", "a lighthouse in a storm at night")
    page.click("form[data-busy] button[type=submit]")
    page.wait_for_url(f"{live_server.url}/create/jobs/**")
    seen = page.evaluate("() => JSON.parse(sessionStorage.getItem('seen'))")
    assert seen == {"disabled": True, "busy": True, "againStopped": True}
    _shot(page, "phone-job-after-generate")
    assert GenerationJob.objects.filter(creator=alice).count() == 1
