"""Moderators lose the direct change and delete rights on posts and reports that earlier releases
gave them. They read those rows in admin and act through admin actions, which call the services
(takedown, dismiss, suspend...) and write the moderation log. Fresh databases never had them:
0001 and 0008 now grant view only."""

from __future__ import annotations

from django.db import migrations

from safety.migrations._permissions import revoke_from_moderators

# Not named PERMISSIONS: conftest rebuilds the group from those lists, and these are taken away.
REVOKED = {
    ("feed", "post"): ("add", "change", "delete"),
    ("safety", "report"): ("add", "change", "delete"),
}


def forwards(apps, schema_editor):  # noqa: ANN001, ANN201
    revoke_from_moderators(apps, REVOKED)


class Migration(migrations.Migration):
    dependencies = [("safety", "0015_moderation_action_age_gate")]
    # Going back does not hand the raw edits back: nothing a moderator did depended on them.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
