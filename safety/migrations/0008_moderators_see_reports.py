"""Moderators may read and work reports, and read the public-figure list."""

from __future__ import annotations

from django.db import migrations

from safety.migrations._permissions import grant_to_moderators, revoke_from_moderators

PERMISSIONS = {
    # View only: reports change through admin actions that call the services (see 0016).
    ("safety", "report"): ("view",),
    ("safety", "publicfigure"): ("view",),
}


def forwards(apps, schema_editor):  # noqa: ANN001, ANN201
    grant_to_moderators(apps, PERMISSIONS)


def backwards(apps, schema_editor):  # noqa: ANN001, ANN201
    revoke_from_moderators(apps, PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("safety", "0007_reports")]
    operations = [migrations.RunPython(forwards, backwards)]
