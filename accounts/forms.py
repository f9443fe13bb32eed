from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm
from django.utils import timezone

from accounts.models import CameoPermission, TeenSettings, User, default_timezone
from safety.middleware import suspended_message


class SignupForm(BaseUserCreationForm):
    birthdate = forms.DateField(
        label="Birthdate",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="You must be 13 or older. People aged 13 to 17 get a teen account.",
    )

    # Filled in by static/js/accounts.js from the browser; checked by ``user_signup``.
    timezone = forms.CharField(
        label="Time zone",
        required=False,
        max_length=64,
        initial=default_timezone,
        widget=forms.TextInput(attrs={"data-detect-timezone": "", "autocomplete": "off"}),
        help_text="Taken from your device. Days and teen quiet hours follow it.",
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
        super().confirm_login_allowed(user)
        if user.is_suspended:
            self.suspended = True
            raise forms.ValidationError(suspended_message(user.suspended_until), code="suspended")


class ProfileForm(forms.Form):
    """The profile's text. Its length and wording are checked by ``profile_update``, which
    words each refusal, so the field itself accepts anything."""

    bio = forms.CharField(
        required=False,
        label="Bio",
        help_text="Up to 300 characters, shown on your profile to everyone.",
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 300}),
    )


TIME_ERROR = "Write quiet hours as a time on the 24-hour clock, such as 22:00."


def _quiet_time(label: str) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        input_formats=["%H:%M", "%H:%M:%S"],
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"required": TIME_ERROR, "invalid": TIME_ERROR},
    )


def _reach(label: str, what: str) -> forms.TypedChoiceField:
    """Who may comment on or remix a teen's videos. Left out of a form, it stays as it is."""
    error = f"Choose who may {what} the videos from the list."
    return forms.TypedChoiceField(
        label=label,
        choices=TeenSettings.Reach.choices,
        required=False,
        empty_value=None,
        help_text="People the teen follows, not people who follow the teen.",
        error_messages={"invalid_choice": error},
    )


class TeenSettingsForm(forms.Form):
    """A teen's settings, as the parent sets them or the teen tightens them. Ranges and what
    each side may change are the services' to check, so each refusal reads the same."""

    daily_limit_minutes = forms.IntegerField(
        label="Daily limit (minutes)",
        widget=forms.NumberInput(attrs={"min": 1, "max": 720, "step": 1}),
        error_messages={
            "required": "Write the daily limit as a whole number of minutes, such as 60.",
            "invalid": "Write the daily limit as a whole number of minutes, such as 60.",
        },
    )
    quiet_start = _quiet_time("Quiet hours start")
    quiet_end = _quiet_time("Quiet hours end")
    personalised = forms.BooleanField(
        required=False,
        label="Personalised feed (For you, shaped by interests and instructions)",
        help_text="Off: the feed shows Latest and Following only.",
    )
    dms_enabled = forms.BooleanField(required=False, label="Direct messages with other teens")
    cameo_cap = forms.ChoiceField(
        label="Who may use the cameo, at most",
        choices=CameoPermission.choices,
        help_text="Adults can never use a teen's cameo.",
        error_messages={
            "required": "Choose who may use the cameo from the list.",
            "invalid_choice": "Choose who may use the cameo from the list.",
        },
    )
    comments_from = _reach("Who may comment on the videos", "comment on")
    remixes_from = _reach("Who may remix the videos", "remix")
    videos_seen_by = forms.TypedChoiceField(
        label="Who can see the videos",
        choices=[
            (
                TeenSettings.Audience.FOLLOWING,
                "People the teen follows, and other teens (recommended)",
            ),
            (TeenSettings.Audience.EVERYONE, "Everyone, including adults the teen doesn't follow"),
        ],
        required=False,
        empty_value=None,
        help_text="Someone who follows the teen sees the videos only once the teen follows back.",
        error_messages={"invalid_choice": "Choose who can see the videos from the list."},
    )


class VideoAudienceForm(forms.Form):
    """Who can see the videos of someone who had a teen account, chosen by them at 18."""

    videos_seen_by = forms.ChoiceField(
        label="Who can see your videos",
        choices=[
            (TeenSettings.Audience.FOLLOWING, "People you follow, and teens"),
            (TeenSettings.Audience.EVERYONE, "Everyone"),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose who can see your videos from the list.",
            "invalid_choice": "Choose who can see your videos from the list.",
        },
    )


class LinkCodeForm(forms.Form):
    code = forms.CharField(
        label="Your parent's link code",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "ABCD-EFGH"}),
        error_messages={
            "required": "Type the 8-character code your parent gave you.",
            "max_length": "A link code has 8 characters; check it with your parent.",
        },
    )


class ExtensionForm(forms.Form):
    minutes = forms.TypedChoiceField(
        label="How much more time",
        coerce=int,
        choices=[(15, "15 minutes"), (30, "30 minutes"), (60, "60 minutes")],
        error_messages={
            "required": "Ask for 15, 30 or 60 more minutes.",
            "invalid_choice": "Ask for 15, 30 or 60 more minutes.",
        },
    )


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Type your password to confirm that you want to delete."},
    )
