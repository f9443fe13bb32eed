"""Create the ``moderators`` group. Moderators work in Django admin as staff in this group, not
as superusers."""

from __future__ import annotations

from django.db import migrations

from safety.migrations._permissions import grant_to_moderators

MODERATOR_PERMISSIONS = {
    ("accounts", "user"): ("view",),
    ("generation", "generationjob"): ("view",),
    # View only: posts change through admin actions that call the services (see 0016).
    ("feed", "post"): ("view",),
    ("feed", "like"): ("view",),
}


def create_group(apps, schema_editor):  # noqa: ANN001, ANN201
    grant_to_moderators(apps, MODERATOR_PERMISSIONS)


def remove_group(apps, schema_editor):  # noqa: ANN001, ANN201
    apps.get_model("auth", "Group").objects.filter(name="moderators").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("accounts", "0001_initial"),
        ("generation", "0001_initial"),
        ("feed", "0002_initial"),
    ]
    operations = [migrations.RunPython(create_group, remove_group)]
