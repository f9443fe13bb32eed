from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm
from django.utils import timezone

from accounts.models import User


class SignupForm(BaseUserCreationForm):
    birthdate = forms.DateField(
        label="Birthdate",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="You must be 13 or older. People aged 13 to 17 get a teen account.",
    )

    class Meta:
        model = User
        fields = ("username", "email", "birthdate")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True

    def clean_birthdate(self) -> dt.date:
        birthdate: dt.date = self.cleaned_data["birthdate"]
        if birthdate > timezone.localdate():
            raise forms.ValidationError("Your birthdate can't be in the future.")
        return birthdate

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("That username is taken. Try another one.")
        return username


class LoginForm(AuthenticationForm):
    """Django's login form; a suspended account reads until when, instead of logging in."""

    suspended = False

    def confirm_login_allowed(self, user: User) -> None:
        from safety.middleware import suspended_message

        super().confirm_login_allowed(user)
        if user.is_suspended:
            self.suspended = True
            raise forms.ValidationError(suspended_message(user.suspended_until), code="suspended")
