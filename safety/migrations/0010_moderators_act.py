"""Moderators may act (each action writes a ModerationAction) and read the log."""

from __future__ import annotations

from django.db import migrations

from safety.migrations._permissions import grant_to_moderators, revoke_from_moderators

PERMISSIONS = {("safety", "moderationaction"): ("view", "add")}


def forwards(apps, schema_editor):  # noqa: ANN001, ANN201
    grant_to_moderators(apps, PERMISSIONS)


def backwards(apps, schema_editor):  # noqa: ANN001, ANN201
    revoke_from_moderators(apps, PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("safety", "0009_moderation_actions")]
    operations = [migrations.RunPython(forwards, backwards)]
