"""Moderators read strikes, appeals, report messages and watched words, and may add watched
words. They act on all of these through admin actions, which need no change permission."""

from __future__ import annotations

from django.db import migrations

from safety.migrations._permissions import grant_to_moderators, revoke_from_moderators

PERMISSIONS = {
    ("safety", "strike"): ("view",),
    ("safety", "appeal"): ("view",),
    ("safety", "reportmessage"): ("view",),
    ("safety", "watchedword"): ("view", "add"),
}


def forwards(apps, schema_editor):  # noqa: ANN001, ANN201
    grant_to_moderators(apps, PERMISSIONS)


def backwards(apps, schema_editor):  # noqa: ANN001, ANN201
    revoke_from_moderators(apps, PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("safety", "0012_console_strikes_appeals_watched_words")]
    operations = [migrations.RunPython(forwards, backwards)]
