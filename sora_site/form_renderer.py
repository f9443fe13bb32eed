"""How forms draw their fields: every field's label, control, help and errors come from one
template, ``templates/field.html``, through Django's ``BoundField.as_field_group``."""

from __future__ import annotations

from django.forms.renderers import TemplatesSetting


class SiteFormRenderer(TemplatesSetting):
    """Django's form renderer over the site's own template engine (so ``templates/`` is found),
    drawing ``{{ form.x.as_field_group }}`` with the site's field template."""

    field_template_name = "field.html"
