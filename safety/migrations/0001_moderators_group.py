"""Create the ``moderators`` group. Moderators work in Django admin as staff in this group, not
as superusers."""

from __future__ import annotations

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODERATOR_PERMISSIONS = {
    ("accounts", "user"): ("view",),
    ("generation", "generationjob"): ("view",),
    ("feed", "post"): ("view", "change", "delete"),
    ("feed", "like"): ("view",),
}


def create_group(apps, schema_editor):  # noqa: ANN001, ANN201
    # Permissions are normally created after all migrations run; make them now so the group
    # can hold them on a fresh database.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    group, _ = group_model.objects.get_or_create(name="moderators")
    for (app_label, model), actions in MODERATOR_PERMISSIONS.items():
        codenames = [f"{action}_{model}" for action in actions]
        group.permissions.add(
            *permission_model.objects.filter(
                content_type__app_label=app_label, codename__in=codenames
            )
        )


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
