"""Shared by the migrations that give the moderators group its permissions."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.management import create_permissions


def _ensure_permissions(apps: Any) -> None:
    # Permissions are normally created after all migrations run; make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def _permissions(apps: Any, wanted: dict[tuple[str, str], tuple[str, ...]]) -> list[Any]:
    permission_model = apps.get_model("auth", "Permission")
    found = []
    for (app_label, model), actions in wanted.items():
        codenames = [f"{action}_{model}" for action in actions]
        found += permission_model.objects.filter(
            content_type__app_label=app_label, codename__in=codenames
        )
    return found


def grant_to_moderators(apps: Any, wanted: dict[tuple[str, str], tuple[str, ...]]) -> None:
    _ensure_permissions(apps)
    group, _ = apps.get_model("auth", "Group").objects.get_or_create(name="moderators")
    group.permissions.add(*_permissions(apps, wanted))


def revoke_from_moderators(apps: Any, wanted: dict[tuple[str, str], tuple[str, ...]]) -> None:
    group = apps.get_model("auth", "Group").objects.filter(name="moderators").first()
    if group is not None:
        group.permissions.remove(*_permissions(apps, wanted))
