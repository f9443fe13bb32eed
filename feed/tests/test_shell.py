"""The phone shell: the tab bar on every page, the Inbox and Settings pages, the Profile tab's
address, the feed card's Remix and Share, the favicon, and icons drawn as SVG, not emoji."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.urls import reverse

from accounts.models import Notification, User
from accounts.services.blocks import block_create
from feed.services.social import dm_send
from feed.tests.social_helpers import login, published

EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf\u2764\u2665]")


def _tabbar(html: str) -> str:
    return html.split('<nav class="tabbar" aria-label="Main">', 1)[1].split("</nav>", 1)[0]


@pytest.mark.parametrize(
    "path",
    ["/create/", "/inbox/", "/accounts/me/", "/accounts/settings/"],
    ids=["create", "inbox", "profile", "settings"],
)
def test_it_sends_a_signed_out_visitor_from_a_tab_to_log_in_and_back(
    client: Any, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={path}"


def test_it_shows_the_four_tabs_to_a_signed_out_visitor_with_profile_asking_them_to_log_in(
    client: Any, db: None
) -> None:
    tabs = _tabbar(client.get(reverse("accounts:login")).content.decode())
    assert re.findall(r"<span>(\w+)</span>", tabs) == ["Feed", "Create", "Inbox", "Profile"]
    assert 'href="/accounts/me/"' in tabs and "badge" not in tabs


def test_it_takes_a_signed_in_person_from_me_to_their_profile(alice: User) -> None:
    response = login(alice).get("/accounts/me/")
    assert (response.status_code, response["Location"]) == (302, "/@alice/")


def test_it_shows_the_unread_count_on_the_inbox_tab_and_marks_the_current_tab(
    alice: User, bob: User
) -> None:
    dm_send(sender=bob, recipient_username="alice", text="Loved your boat video!")
    page = login(alice).get("/create/").content.decode()
    tabs = _tabbar(page)
    assert '<span class="badge" data-testid="unread">1</span>' in tabs
    assert 'aria-label="Inbox, 1 unread"' in tabs
    assert re.search(r'href="/create/" class="tab" aria-current="page"', tabs)
    assert 'href="/@alice/" class="tab">' in tabs


def test_the_inbox_shows_the_latest_conversations_and_notifications(
    alice: User, bob: User, charlie: User
) -> None:
    dm_send(sender=bob, recipient_username="alice", text="Loved your boat video!")
    dm_send(sender=charlie, recipient_username="alice", text="Can I use your cameo?")
    post = published(alice)
    login(bob).post(reverse("feed:like", args=[post.pk]))
    response = login(alice).get("/inbox/")
    page = unescape(response.content.decode())
    assert response.status_code == 200
    messages = page.split('data-testid="inbox-messages"')[1].split("</section>")[0]
    assert messages.index("@charlie") < messages.index("@bob")
    assert "Can I use your cameo?" in messages and "Loved your boat video!" in messages
    assert 'aria-label="2 unread"' in messages  # two conversations, one unread message each
    assert 'href="/messages/"' in messages
    notes = page.split('data-testid="inbox-notifications"')[1].split("</section>")[0]
    assert "@bob liked your video." in notes and "@bob sent you a message." in notes
    assert 'href="/accounts/notifications/"' in notes and "Mark all as read" in notes
    # Looking at the Inbox reads nothing: the messages stay unread until their thread is opened.
    assert Notification.objects.filter(recipient=alice, read_at__isnull=True).count() == 3


def test_an_empty_inbox_says_what_to_do(alice: User) -> None:
    page = unescape(login(alice).get("/inbox/").content.decode())
    assert "No messages yet. Open someone's profile and choose Message" in page
    assert "No notifications yet." in page and "Mark all as read" not in page


def test_the_inbox_refuses_a_post(alice: User) -> None:
    assert login(alice).post("/inbox/").status_code == 405


def test_settings_lists_every_account_page_and_log_out(alice: User) -> None:
    page = login(alice).get("/accounts/settings/").content.decode()
    for name in (
        "generation:drafts", "cameo:home", "safety:reports", "accounts:family", "accounts:data",
        "feed:controls", "accounts:profile_edit", "verify",
    ):  # fmt: skip
        assert f'href="{reverse(name)}"' in page, name
    assert f'action="{reverse("accounts:logout")}"' in page and ">Log out</button>" in page
    assert reverse("accounts:teen") not in page


def test_a_teen_finds_teen_settings_in_settings_and_on_their_profile(teen: User) -> None:
    client = login(teen)
    for path in ("/accounts/settings/", f"/@{teen.username}/"):
        page = client.get(path).content.decode()
        assert f'href="{reverse("accounts:teen")}"' in page, path
        assert f'href="{reverse("accounts:family")}"' not in page, path


def test_the_owners_profile_links_to_their_account_pages_and_others_do_not_see_them(
    alice: User, bob: User
) -> None:
    own = login(alice).get("/@alice/").content.decode()
    links = own.split('data-testid="owner-links"')[1].split("</nav>")[0]
    for name in ("generation:drafts", "cameo:home", "safety:reports", "accounts:settings"):
        assert f'href="{reverse(name)}"' in links, name
    assert 'data-testid="owner-links"' not in login(bob).get("/@alice/").content.decode()


def test_the_feed_card_remix_opens_create_with_the_originals_prompt_and_seed(
    alice: User, bob: User
) -> None:
    post = published(alice, prompt="a paper boat on a rainy street")
    feed = login(bob).get("/").content.decode()
    assert f'href="/p/{post.pk}/remix/" class="remix-link"' in feed
    response = login(bob).get(f"/p/{post.pk}/remix/", follow=True)
    page = unescape(response.content.decode())
    assert response.redirect_chain[0][0] == (
        f"/create/?prompt=a+paper+boat+on+a+rainy+street&seed={post.job.seed}&remix_of_id={post.pk}"
    )
    assert "a paper boat on a rainy street</textarea>" in page
    assert f'value="{post.job.seed}"' in page and "Remixing a video" in page


def test_remixing_a_video_you_may_not_see_is_not_found(alice: User, bob: User) -> None:
    post = published(alice)
    block_create(blocker=alice, blocked=bob)
    assert login(bob).get(f"/p/{post.pk}/remix/").status_code == 404
    assert login(bob).get("/p/999999/remix/").status_code == 404


def test_the_feed_card_offers_share_and_sound_and_draws_its_icons_as_svg(
    client: Any, alice: User
) -> None:
    post = published(alice)
    feed = client.get("/").content.decode()
    assert f'href="/p/{post.pk}/#share" class="share-link" data-share="/p/{post.pk}/"' in feed
    assert 'class="mute" aria-pressed="true" aria-label="Mute"' in feed
    assert '<use href="#i-heart"/>' in feed and '<symbol id="i-heart"' in feed
    assert f'<article class="feed-item" data-post="{post.pk}"' in feed


def test_no_page_draws_an_icon_with_an_emoji(alice: User, bob: User) -> None:
    post = published(alice)
    dm_send(sender=bob, recipient_username="alice", text="hello")
    client = login(alice)
    for path in ("/", f"/p/{post.pk}/", "/@alice/", "/inbox/", "/accounts/settings/", "/create/"):
        page = client.get(path).content.decode()
        assert not EMOJI.findall(page), (path, EMOJI.findall(page))


def test_every_page_links_the_svg_favicon_and_favicon_ico_points_to_it(
    client: Any, db: None
) -> None:
    page = client.get(reverse("accounts:login")).content.decode()
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page)
    assert icon and "img/favicon" in icon.group(1)
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == icon.group(1)
