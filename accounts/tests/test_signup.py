from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from conftest import PASSWORD, _years_ago


def _form(**overrides: str) -> dict[str, str]:
    data = {
        "username": "newperson",
        "email": "new@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "birthdate": _years_ago(25).isoformat(),
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_adult_signs_up_is_logged_in_and_lands_on_create(client: Client) -> None:
    response = client.post(reverse("accounts:signup"), _form())
    assert response.status_code == 302
    assert response["Location"] == reverse("generation:create")
    user = User.objects.get(username="newperson")
    assert not user.is_teen
    page = client.get(reverse("generation:create"))
    assert "@newperson" in page.content.decode()


@pytest.mark.django_db
def test_fifteen_year_old_gets_a_teen_account(client: Client) -> None:
    client.post(reverse("accounts:signup"), _form(birthdate=_years_ago(15).isoformat()))
    assert User.objects.get(username="newperson").is_teen


@pytest.mark.django_db
def test_under_thirteen_is_refused_with_a_reason_and_nothing_is_written(client: Client) -> None:
    response = client.post(reverse("accounts:signup"), _form(birthdate=_years_ago(12).isoformat()))
    assert response.status_code == 200
    assert "You must be at least 13 years old to use this app." in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_thirteenth_birthday_today_is_allowed(client: Client) -> None:
    today = timezone.localdate()
    birthday = today.replace(year=today.year - 13)
    client.post(reverse("accounts:signup"), _form(birthdate=birthday.isoformat()))
    assert User.objects.get(username="newperson").is_teen


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"birthdate": (timezone.localdate() + dt.timedelta(days=3)).isoformat()},
            "Your birthdate can&#x27;t be in the future.",
        ),
        ({"birthdate": "not-a-date"}, "Enter a valid date."),
        ({"birthdate": "0001-01-01"}, "Check your birthdate: it makes you older than 120."),
        ({"birthdate": _years_ago(121).isoformat()}, "it makes you older than 120."),
        ({"username": "no spaces!"}, "Use 3 to 30 letters, digits or underscores"),
        ({"email": "nope"}, "Enter a valid email address."),
        ({"password2": "something-else-7"}, "The two password fields didn"),
    ],
)
def test_bad_signup_shows_the_error_and_writes_nothing(
    client: Client, overrides: dict[str, str], message: str
) -> None:
    response = client.post(reverse("accounts:signup"), _form(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.exists()


def test_duplicate_username_is_refused_whatever_the_case(client: Client, alice: User) -> None:
    response = client.post(reverse("accounts:signup"), _form(username="ALICE"))
    assert "That username is taken. Try another one." in response.content.decode()
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_signup_without_csrf_token_is_refused() -> None:
    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post(reverse("accounts:signup"), _form())
    assert response.status_code == 403
    assert not User.objects.exists()


@pytest.mark.django_db
def test_signup_refuses_other_methods(client: Client) -> None:
    assert client.put(reverse("accounts:signup")).status_code == 405


def test_log_in_and_log_out(client: Client, alice: User) -> None:
    bad = client.post(reverse("accounts:login"), {"username": "alice", "password": "wrong"})
    assert "That username and password don't match." in bad.content.decode()
    response = client.post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert "@alice" in client.get("/").content.decode()
    client.post(reverse("accounts:logout"))
    assert "Log in" in client.get("/").content.decode()


@pytest.mark.django_db
def test_profile_of_unknown_person_is_404(client: Client) -> None:
    assert client.get("/@nobody/").status_code == 404


def test_own_empty_profile_invites_to_create(client: Client, alice: User) -> None:
    client.force_login(alice)
    body = client.get("/@alice/").content.decode()
    assert "You haven't published anything yet." in body


def test_add_moderator_gives_admin_access_through_the_group(client: Client, alice: User) -> None:
    call_command("add_moderator", "alice")
    alice.refresh_from_db()
    assert alice.is_staff and not alice.is_superuser
    assert alice.groups.filter(name="moderators").exists()
    client.force_login(alice)
    assert client.get("/admin/feed/post/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200
    # Moderators can look at people but not edit them.
    assert client.get(f"/admin/accounts/user/{alice.pk}/delete/").status_code == 403
