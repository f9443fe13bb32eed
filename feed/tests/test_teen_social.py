"""The teen rules reach direct messages and search: adults and teens can't message each other,
and a teen doesn't turn up in an adult stranger's search."""

from __future__ import annotations

from html import unescape

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.services.users import follow_create
from feed.models import Conversation, DirectMessage
from feed.tests.social_helpers import login

pytestmark = pytest.mark.django_db


def test_an_adult_stranger_gets_the_same_404_for_a_teens_thread_as_for_nobody(
    alice: User, teen: User
) -> None:
    client = login(alice)
    thread = reverse("feed:thread", args=[teen.username])
    nobody = client.get(reverse("feed:thread", args=["nobody_here"]))
    for response in (client.get(thread), client.post(thread, {"text": "hi there"})):
        assert response.status_code == nobody.status_code == 404
        assert teen.username not in response.content.decode()
    assert not DirectMessage.objects.exists() and not Conversation.objects.exists()


def test_an_adult_a_teen_follows_sees_why_they_cannot_message(alice: User, teen: User) -> None:
    follow_create(follower=teen, followee=alice)
    follow_create(follower=alice, followee=teen)
    response = login(alice).post(reverse("feed:thread", args=[teen.username]), {"text": "hi there"})
    assert response.status_code == 403
    assert f"@{teen.username} can't get messages from your account." in unescape(
        response.content.decode()
    )
    assert not DirectMessage.objects.exists() and not Conversation.objects.exists()


def test_a_teen_cannot_message_an_adult(alice: User, teen: User) -> None:
    response = login(teen).post(reverse("feed:thread", args=["alice"]), {"text": "hi"})
    assert response.status_code == 403
    assert "Teen accounts can only message other teen accounts." in unescape(
        response.content.decode()
    )
    assert not DirectMessage.objects.exists()


def test_a_teen_is_found_only_by_adults_they_follow_back(alice: User, teen: User) -> None:
    search = reverse("feed:search") + f"?q={teen.username}"
    assert f"@{teen.username}" not in login(alice).get(search).content.decode()
    follow_create(follower=alice, followee=teen)
    follow_create(follower=teen, followee=alice)
    assert f"@{teen.username}" in login(alice).get(search).content.decode()
