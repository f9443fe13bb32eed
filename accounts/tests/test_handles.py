"""A profile's address finds its person by handle, as written or in another case."""

from __future__ import annotations

from django.test import Client

from accounts.models import User


def test_a_profile_opens_from_its_handle_as_stored_and_in_another_case(
    alice: User, charlie: User, client: Client
) -> None:
    client.force_login(charlie)
    for handle in (alice.username, alice.username.upper()):
        response = client.get(f"/@{handle}/")
        assert response.status_code == 200
        assert f"@{alice.username}" in response.content.decode()


def test_a_deactivated_persons_profile_is_not_found_in_any_case(
    alice: User, charlie: User, client: Client
) -> None:
    User.objects.filter(pk=alice.pk).update(is_active=False)
    client.force_login(charlie)
    assert client.get(f"/@{alice.username}/").status_code == 404
    assert client.get(f"/@{alice.username.upper()}/").status_code == 404
