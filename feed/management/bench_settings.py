"""Settings for the gunicorn that ``bench_feed`` starts: the site's own settings, with one bare
view added to its URLs so both pages are served by the same server, middleware and database."""

from __future__ import annotations

from sora_site.settings import *  # noqa: F403

ROOT_URLCONF = "feed.management.bench_urls"
