"""A starter list of protected public figures; operators edit it in admin."""

from __future__ import annotations

from django.db import migrations


def seed(apps, schema_editor) -> None:  # noqa: ANN001
    from safety.moderation import STARTER_PUBLIC_FIGURES

    PublicFigure = apps.get_model("safety", "PublicFigure")
    for person in STARTER_PUBLIC_FIGURES:
        PublicFigure.objects.get_or_create(
            name=person.name,
            defaults={"aliases": "\n".join(person.aliases), "note": "Starter list"},
        )


def unseed(apps, schema_editor) -> None:  # noqa: ANN001
    apps.get_model("safety", "PublicFigure").objects.filter(note="Starter list").delete()


class Migration(migrations.Migration):
    dependencies = [("safety", "0005_public_figures")]
    operations = [migrations.RunPython(seed, unseed)]
