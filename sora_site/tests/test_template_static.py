"""``{% static %}`` remembers its answers (sora_site.template_static) and gives Django's own."""

from __future__ import annotations

from django.template import engines
from django.templatetags.static import static
from django.test import override_settings

from sora_site.template_static import RememberedStaticNode

LINKS = "{% load static %}{% static 'css/app.css' %} {% static 'js/app.js' as app %}{{ app }}"


def _render() -> str:
    return engines["django"].from_string(LINKS).render({})


def test_static_links_are_django_s_own_and_come_from_the_remembering_tag() -> None:
    template = engines["django"].from_string(LINKS)
    nodes = template.template.nodelist.get_nodes_by_type(RememberedStaticNode)
    assert len(nodes) == 2
    assert _render() == f"{static('css/app.css')} {static('js/app.js')}"
    assert _render() == _render()


def test_a_changed_static_url_is_seen_at_once() -> None:
    before = _render()
    with override_settings(STATIC_URL="/assets/"):
        assert _render() == "/assets/css/app.css /assets/js/app.js"
    assert _render() == before
