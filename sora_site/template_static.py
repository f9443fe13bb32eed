"""``{% static %}`` with its answers remembered: the site's ``static`` template library.

Every page links its stylesheet, scripts and icon through ``{% static %}``, and with hashed file
names each link asks the storage to split, unquote, look up and join a path (in a page's
request, about 25 µs a link; the feed page has eight). A link depends only on the path and the
static files settings, and a process reads the manifest of hashed names once, so the same answer
is kept for the same path, as ``sora_site.template_urls`` does for ``{% url %}``. Settings
changed under tests clear it. Templates ``{% load static %}`` as usual: settings.TEMPLATES maps
that name here. Django's other static tags are unchanged.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import Library
from django.templatetags import static as django_static

register = Library()
register.tags.update(django_static.register.tags)
register.filters.update(django_static.register.filters)


@lru_cache(maxsize=1024)
def _static_url(path: str) -> str:
    return django_static.StaticNode.handle_simple(path)


class RememberedStaticNode(django_static.StaticNode):
    @classmethod
    def handle_simple(cls, path: str) -> str:
        return _static_url(path) if isinstance(path, str) else super().handle_simple(path)


@register.tag("static")
def do_static(parser: Any, token: Any) -> RememberedStaticNode:
    return RememberedStaticNode.handle_token(parser, token)


@receiver(setting_changed)
def _forget(*, setting: str, **_: Any) -> None:
    if setting in ("STATIC_URL", "STORAGES", "STATICFILES_STORAGE", "INSTALLED_APPS"):
        _static_url.cache_clear()
