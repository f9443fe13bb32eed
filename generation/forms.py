from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from cameo.selectors import MAX_CAMEOS_PER_VIDEO, cameos_usable_by
from generation import engines
from generation.models import SOUND_LABELS
from generation.pipeline.base import ASPECT_SIZES, DURATIONS, MAX_SEED, Sound
from generation.source_image import (
    ACCEPT,
    CONSENT_LABEL,
    NOT_A_PICTURE,
    SourceImage,
    source_image_read,
)
from generation.validators import PROMPT_MAX, clean_prompt


class CreateForm(forms.Form):
    prompt = forms.CharField(
        widget=forms.Textarea(
            attrs={
                "rows": 4,
                "maxlength": PROMPT_MAX,
            }
        ),
        strip=False,
        help_text="For example: a corgi running on the beach at sunset, slow zoom in.",
        error_messages={"required": "Write a prompt describing the video you want."},
    )
    duration_s = forms.TypedChoiceField(
        label="Duration",
        choices=[(d, f"{d} seconds") for d in DURATIONS],
        coerce=int,
        initial=4,
        error_messages={"invalid_choice": "Choose a duration of 4, 8 or 12 seconds."},
    )
    aspect = forms.ChoiceField(
        choices=[("9:16", "9:16 portrait"), ("16:9", "16:9 landscape"), ("1:1", "1:1 square")],
        initial="9:16",
        error_messages={"invalid_choice": "Choose an aspect of 9:16, 16:9 or 1:1."},
    )
    seed = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=MAX_SEED,
        help_text="Optional. The same prompt and seed give the same video.",
        error_messages={
            "invalid": "The seed must be a whole number, or leave it empty for a random one.",
            "min_value": "The seed can't be negative.",
            "max_value": f"The seed can be at most {MAX_SEED}.",
        },
    )

    sound = forms.ChoiceField(
        label="Sound",
        # Not required: a form posted without it (an older page, a script) gets sound on.
        required=False,
        choices=[(value, SOUND_LABELS[value]) for value in Sound.CHOICES],
        initial=Sound.ON,
        widget=forms.RadioSelect,
        help_text="Quoted lines after says/asks/whispers are spoken: a dog says “best day ever”.",
        error_messages={"invalid_choice": "Choose the sound: Sound on, No music or Silent."},
    )

    cameo_ids = forms.TypedMultipleChoiceField(
        label="Cameos",
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text="People who let you put them in videos. You can also write @handle in a prompt.",
        error_messages={
            "invalid_choice": "One of the cameos you picked isn't available to you any more. "
            "Pick again."
        },
    )

    engine = forms.ChoiceField(
        label="Engine",
        # Not required: a form posted without it (an older page, a script) gets the built-in one.
        required=False,
        initial=engines.BUILTIN_QUEUE,
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": "That engine isn't one this site offers. Choose one of the engines "
            "listed."
        },
    )

    remix_of_id = forms.IntegerField(required=False, widget=forms.HiddenInput)

    # Last in the form: a picture over the size limit stops the upload where it starts, and the
    # fields before it still arrive (generation.views.create).
    source_image = forms.FileField(
        label="Start from your own picture",
        required=False,
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
        error_messages={"empty": NOT_A_PICTURE, "invalid": NOT_A_PICTURE},
        help_text="Optional. A JPEG, PNG or WebP picture, up to 10 MB and 4,096 pixels on a "
        "side, becomes the first frame.",
    )
    source_consent = forms.BooleanField(label=CONSENT_LABEL, required=False)

    def __init__(
        self,
        *args: object,
        user: object = None,
        menu: engines.EngineMenu | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        # Every engine the site knows is a valid choice, live or not: a job for an engine with no
        # worker waits for one. The menu says which can be picked now, for the page.
        self.menu = menu or engines.engine_menu()
        self.fields["engine"].choices = [(c.queue, c.title) for c in self.menu.choices]
        # clean_prompt reports every control character, NUL included, with one message.
        self.fields["prompt"].validators = []
        self.cameos = cameos_usable_by(user=user) if user is not None else []
        self.fields["cameo_ids"].choices = [(c.pk, c.display_name) for c in self.cameos]

    def clean_cameo_ids(self) -> list[int]:
        picked = self.cleaned_data["cameo_ids"]
        if len(picked) > MAX_CAMEOS_PER_VIDEO:
            raise forms.ValidationError(
                f"A video can have at most {MAX_CAMEOS_PER_VIDEO} cameos; untick some."
            )
        return picked

    def clean_prompt(self) -> str:
        return clean_prompt(self.cleaned_data["prompt"])

    def clean_source_image(self) -> SourceImage | None:
        upload = self.cleaned_data.get("source_image")
        return source_image_read(upload) if upload else None

    def clean_sound(self) -> str:
        return self.cleaned_data["sound"] or Sound.ON

    def clean_engine(self) -> str:
        return self.cleaned_data["engine"] or engines.BUILTIN_QUEUE

    def clean_aspect(self) -> str:
        aspect = self.cleaned_data["aspect"]
        if aspect not in ASPECT_SIZES:
            raise forms.ValidationError("Choose an aspect of 9:16, 16:9 or 1:1.")
        return aspect


class VerifyForm(forms.Form):
    video = forms.FileField(
        label="Video file",
        help_text="An MP4, MOV or WebM file, up to 50 MB.",
        error_messages={"required": "Choose a video file to check."},
    )

    def clean_video(self) -> object:
        video = self.cleaned_data["video"]
        limit = settings.SORA_VERIFY_MAX_BYTES
        if video.size > limit:
            raise forms.ValidationError(
                f"That file is {filesizeformat(video.size)}; the limit is "
                f"{filesizeformat(limit)}. Upload a shorter or smaller copy."
            )
        return video
