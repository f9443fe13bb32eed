"""Static file URLs are remembered (sora_site.static_storage) and are the hashed names Django
itself gives."""

from __future__ import annotations

from pathlib import Path

from django.core.management import call_command
from django.test import override_settings
from whitenoise.storage import CompressedManifestStaticFilesStorage

from sora_site.static_storage import StaticFilesStorage

STORAGE = "sora_site.static_storage.StaticFilesStorage"


def test_urls_are_the_hashed_names_and_are_kept(tmp_path: Path) -> None:
    with override_settings(STATIC_ROOT=tmp_path, STORAGES={"staticfiles": {"BACKEND": STORAGE}}):
        call_command("collectstatic", interactive=False, verbosity=0)
        ours = StaticFilesStorage()
        theirs = CompressedManifestStaticFilesStorage()
        url = ours.url("css/app.css")
        assert url == theirs.url("css/app.css")
        assert url.startswith("/static/css/app.") and url.endswith(".css")
        assert url != "/static/css/app.css"  # the hashed name
        assert ours._urls[("css/app.css", False, False)] == url
        assert ours.url("css/app.css") is url


def test_collectstatic_forgets_what_it_kept(tmp_path: Path) -> None:
    with override_settings(STATIC_ROOT=tmp_path, STORAGES={"staticfiles": {"BACKEND": STORAGE}}):
        storage = StaticFilesStorage()
        storage._urls[("css/app.css", False, False)] = "/static/old.css"
        list(storage.post_process({}, dry_run=False))
        assert storage._urls == {}
