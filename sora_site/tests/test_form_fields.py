"""Every form field draws through the site's one field template, errors included."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.forms import SignupForm


def test_a_field_group_is_the_site_field_with_its_label_help_and_errors() -> None:
    form = SignupForm(data={"username": "", "password1": "x", "password2": "y"})
    assert not form.is_valid()
    html = str(form["username"].as_field_group())
    assert html.startswith('<div class="field has-error">')
    assert '<label for="id_username">' in html
    assert '<p class="field-error" role="alert">' in html
    assert str(SignupForm()["username"].as_field_group()).startswith('<div class="field">')


@pytest.mark.django_db
def test_the_signup_page_shows_the_sentence_under_the_field_and_writes_nothing(
    client: Client, django_user_model: type
) -> None:
    response = client.post(
        "/accounts/signup/",
        {"username": "", "email": "x@example.com", "password1": "a", "password2": "b"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="field has-error"' in page
    assert 'class="field-error" role="alert">This field is required.</p>' in page
    assert django_user_model.objects.count() == 0
