from __future__ import annotations

from django import forms

from safety.models import Report
from safety.services.reports import REPORT_MESSAGE_LIMIT, REPORT_NOTE_LIMIT


class ReportForm(forms.Form):
    """A report of a video or a profile. No reason is chosen for the reporter: a default would
    file every careless report under it (likeness misuse, at the top of the list)."""

    reason = forms.ChoiceField(
        choices=Report.Reason.choices,
        widget=forms.RadioSelect,
        label="Why are you reporting this?",
        error_messages={
            "required": "Choose why you're reporting this, then send the report again.",
            "invalid_choice": "Choose a reason from the list.",
        },
    )
    note = forms.CharField(
        required=False,
        max_length=REPORT_NOTE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": REPORT_NOTE_LIMIT}),
        label="Anything moderators should know (optional)",
        error_messages={"max_length": f"Keep the note to {REPORT_NOTE_LIMIT:,} characters."},
    )


class ReportMessageForm(forms.Form):
    """A message on a report's thread; ``report_message_create`` checks it and words refusals."""

    text = forms.CharField(
        required=False,
        label="Write to the moderators",
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": REPORT_MESSAGE_LIMIT}),
    )
