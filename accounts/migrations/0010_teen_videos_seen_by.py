"""Who can see a teen's videos. Existing teens start at "People the teen follows"; people who
had already turned 18 keep the public videos they had, since nothing asked them to choose."""

from __future__ import annotations

from typing import Any

from django.db import migrations, models


def keep_adults_public(apps: Any, schema_editor: Any) -> None:
    TeenSettings = apps.get_model("accounts", "TeenSettings")
    TeenSettings.objects.filter(user__is_teen=False).update(videos_seen_by="everyone")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0009_age_gate_refusal"),
    ]

    operations = [
        migrations.AddField(
            model_name="teensettings",
            name="videos_seen_by",
            field=models.CharField(
                choices=[
                    ("following", "People the teen follows, and other teens"),
                    ("everyone", "Everyone"),
                ],
                default="following",
                max_length=10,
            ),
        ),
        migrations.RunPython(keep_adults_public, migrations.RunPython.noop),
    ]
