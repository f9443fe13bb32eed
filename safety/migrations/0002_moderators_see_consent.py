"""Moderators may read cameos, grants, uses and the consent log (never edit face data)."""

from __future__ import annotations

from django.db import migrations

from safety.migrations._permissions import grant_to_moderators, revoke_from_moderators

PERMISSIONS = {
    ("cameo", "cameo"): ("view",),
    ("cameo", "cameogrant"): ("view",),
    ("cameo", "cameouse"): ("view",),
    ("cameo", "consentevent"): ("view",),
    ("accounts", "follow"): ("view",),
    ("accounts", "block"): ("view",),
}


def forwards(apps, schema_editor):  # noqa: ANN001, ANN201
    grant_to_moderators(apps, PERMISSIONS)


def backwards(apps, schema_editor):  # noqa: ANN001, ANN201
    revoke_from_moderators(apps, PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("safety", "0001_moderators_group"),
        ("cameo", "0002_cameouse"),
        ("accounts", "0002_follows_and_blocks"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
