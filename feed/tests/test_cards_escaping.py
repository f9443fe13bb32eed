"""The feed cards print their values without Jinja's autoescape (templates/jinja2/feed/cards.html
escapes by hand, for speed): what a person typed must still come out as text, never markup."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.test import Client

from accounts.models import User
from feed.cards import FeedCard, render_cards
from feed.services.posts import post_publish

CARDS = settings.BASE_DIR / "templates" / "jinja2" / "feed" / "cards.html"
# Values the cards build from numbers and fixed links: ids, counts, the link makers in
# feed.cards (ids, or a quoted username), reversed URLs and the two words of aria-pressed.
SAFE_BY_CONSTRUCTION = {
    "post.pk",
    "post.like_count",
    "post.comment_count",
    "post.post_url",
    "post.like_url",
    "post.see_less_url",
    "post.profile_url",
    "next_url",
    "goals_url",
    "login_url",
    "'true' if post.liked else 'false'",
}
HOSTILE = "<script>alert(\"x\")</script> & 'quotes' <b>bold</b>"


def test_every_value_the_cards_print_is_escaped_or_built_from_numbers_and_links() -> None:
    printed = [m.strip() for m in re.findall(r"{{(.*?)}}", CARDS.read_text(), flags=re.S)]
    assert printed, "the cards print nothing?"
    unescaped = [v for v in printed if not v.endswith("|e") and v not in SAFE_BY_CONSTRUCTION]
    assert unescaped == [], f"print these with |e, or build them from numbers: {unescaped}"


def _card(**values: Any) -> FeedCard:
    fields: dict[str, Any] = {
        "pk": 7, "author_id": 1, "username": "ann", "caption": "", "text": "a dog",
        "like_count": 2, "comment_count": 3, "prompt": "a dog", "aspect": "9:16",
        "aspect_class": "aspect-916", "video_url": "/media/v.mp4", "poster_url": "/media/p.jpg",
        "liked": False, "post_url": "/p/7/", "profile_url": "/@ann/", "see_less_url": "/p/7/less/",
        "like_url": "/p/7/like/",
    }  # fmt: skip
    return FeedCard(**(fields | values))


def test_text_reasons_and_signed_media_links_are_escaped_in_the_html() -> None:
    card = _card(
        username=HOSTILE,
        text=HOSTILE,
        aspect_class='aspect-916" onclick="x',
        video_url='https://bucket.example/v.mp4?X-Amz-Date=1&X-Amz-Signature="><script>',
        poster_url="https://bucket.example/p.jpg?a=1&b=2",
        why=[HOSTILE],
    )
    html = str(render_cards([card], signed_in=True, next_url="/?scroll=1"))
    assert "<script>" not in html and "<b>" not in html and 'onclick="x' not in html
    assert html.count("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#39;quotes&#39;") == 3
    assert 'src="https://bucket.example/v.mp4?X-Amz-Date=1&amp;X-Amz-Signature=&#34;&gt;' in html
    assert 'poster="https://bucket.example/p.jpg?a=1&amp;b=2"' in html


def test_a_caption_with_markup_shows_as_text_on_the_feed(
    client: Client, alice: User, rendered: Any
) -> None:
    job = rendered(alice)
    post_publish(user=alice, job_id=job.pk, caption="<img src=x onerror=alert(1)> me & you")
    page = client.get("/").content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt; me &amp; you" in page
    assert "<img src=x" not in page
