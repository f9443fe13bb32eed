from __future__ import annotations

import django.db.models.functions.datetime
from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.models import F


def served_when_seen(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Rows written before "seen" meant watched were served at ``seen_at``; they stay seen, so
    nobody's feed suddenly repeats what it already sent them."""
    SeenPost = apps.get_model("feed", "SeenPost")
    SeenPost.objects.update(served_at=F("seen_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("feed", "0005_wellbeing_checkins_and_goals"),
    ]

    operations = [
        migrations.AddField(
            model_name="seenpost",
            name="served_at",
            field=models.DateTimeField(db_default=django.db.models.functions.datetime.Now()),
        ),
        migrations.RunPython(served_when_seen, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="seenpost",
            name="seen_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
