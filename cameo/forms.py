from __future__ import annotations

from django import forms

from cameo.models import Cameo
from cameo.services.consent import MAX_GRANT_DAYS, TEXT_LIMIT
from sora_site.text import refuse_control_characters


class RecordForm(forms.Form):
    display_name = forms.CharField(
        label="Name on your cameo",
        max_length=60,
        help_text="What people see when they pick your cameo, such as your first name.",
        error_messages={
            "required": "Give your cameo a name people will see, such as your first name.",
            "max_length": "Keep the cameo's name to 60 characters or fewer.",
        },
    )
    clip = forms.FileField(
        label="Or upload a clip",
        help_text="MP4, WebM or MOV, 3 to 15 seconds, up to 25 MB, following the steps above.",
        error_messages={
            "required": "Record a clip with the camera, or choose a video file to upload.",
            "empty": "That file is empty; record the clip again.",
        },
    )
    mirrored = forms.BooleanField(
        required=False,
        label="My camera app saved the video mirrored (left and right swapped)",
    )

    def clean_display_name(self) -> str:
        name = self.cleaned_data["display_name"]
        refuse_control_characters(name)
        return name


class SettingsForm(forms.ModelForm):
    class Meta:
        model = Cameo
        fields = [
            "display_name",
            "permission",
            "approve_each_video",
            "protect_likeness",
            "instructions",
            "restrictions",
        ]
        labels = {
            "display_name": "Name on your cameo",
            "permission": "Who may put you in videos",
            "approve_each_video": "I approve each video before it can be published",
            "protect_likeness": "Protect my likeness: hold any video that shows my face "
            "without my consent",
            "instructions": "Instructions for every video with me",
            "restrictions": "Never put me in",
        }
        help_texts = {
            "instructions": "For example: always in my red jacket.",
            "restrictions": "For example: no politics, nothing romantic. Prompts that "
            "conflict are refused, quoting your words.",
        }
        widgets = {
            "permission": forms.RadioSelect,
            "instructions": forms.Textarea(attrs={"rows": 2, "maxlength": TEXT_LIMIT}),
            "restrictions": forms.Textarea(attrs={"rows": 2, "maxlength": TEXT_LIMIT}),
        }


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("decline", "Decline")],
        error_messages={"invalid_choice": "Choose approve or decline."},
    )
    days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_GRANT_DAYS,
        label="For how many days (empty: until I revoke it)",
        error_messages={
            "min_value": "Choose at least 1 day, or leave it empty for no end date.",
            "max_value": f"Choose at most {MAX_GRANT_DAYS} days, or leave it empty.",
            "invalid": "Write the number of days as a whole number.",
        },
    )
