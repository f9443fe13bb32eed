from __future__ import annotations

from django.apps import AppConfig


class CameoConfig(AppConfig):
    name = "cameo"
    verbose_name = "Cameos"
