"""A page that isn't there, or isn't shared with this person, is the site's own page: the same
words whether it never existed or is closed to them, with a way back into the app."""

from __future__ import annotations

from django.test import Client

from accounts.models import User
from accounts.services.blocks import block_create


def test_a_missing_page_is_the_sites_page_with_a_way_back(client: Client, alice: User) -> None:
    client.force_login(alice)
    response = client.get("/@nobody_here/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "This page isn't here" in page
    assert 'href="/"' in page and "Go to your feed" in page
    assert "The requested resource was not found" not in page


def test_a_blocked_person_sees_the_same_page_as_for_an_account_that_never_existed(
    client: Client, alice: User, bob: User
) -> None:
    block_create(blocker=alice, blocked=bob)
    client.force_login(bob)
    closed = client.get(f"/@{alice.username}/")
    missing = client.get("/@nobody_here/")
    assert closed.status_code == missing.status_code == 404
    assert closed.content == missing.content
    assert alice.username not in closed.content.decode()


def test_a_visitor_who_is_not_signed_in_gets_the_page_too(client: Client, db: None) -> None:
    response = client.get("/p/999999/")
    assert response.status_code == 404
    assert "This page isn't here" in response.content.decode()
