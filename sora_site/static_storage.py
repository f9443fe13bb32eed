"""Static files as whitenoise stores them (hashed names, compressed copies), with each file's
URL remembered.

Every page links its stylesheet, scripts and icon through ``{% static %}``, and with hashed
names each link asks the storage to split, unquote, look up and join a path: about 25 µs a link
inside a request, and the feed page has eight. A file's URL depends only on its name and the
manifest, which a process reads once, so each answer is kept. ``collectstatic`` clears them when
it writes a new manifest. Settings point STORAGES["staticfiles"] here by default
(``SORA_STATICFILES_BACKEND`` names another).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from whitenoise.storage import CompressedManifestStaticFilesStorage

# Names a process links are the site's own few dozen files; a template that builds names from
# data can't grow this without bound.
MOST_KEPT = 4096


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._urls: dict[tuple[str, bool, bool], str] = {}

    def url(self, name: str, force: bool = False) -> str:
        # DEBUG is in the key: with it on, Django links the unhashed name.
        key = (name, force, settings.DEBUG)
        found = self._urls.get(key)
        if found is None:
            found = super().url(name, force)
            if len(self._urls) >= MOST_KEPT:
                self._urls.clear()
            self._urls[key] = found
        return found

    def post_process(self, *args: Any, **kwargs: Any) -> Any:
        self._urls.clear()
        yield from super().post_process(*args, **kwargs)
        self._urls.clear()
