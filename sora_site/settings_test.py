"""Test settings: an embedded Valkey and media in a temporary folder, fast password hashing.

The environment variables are set before the main settings load, so a worker subprocess started
by a test (``manage.py rqworker --burst``) inherits the same queue and media folder.
"""

from __future__ import annotations

import atexit
import os
import tempfile
from pathlib import Path

_tmp = Path(tempfile.mkdtemp(prefix="sora-test-"))
os.environ.setdefault("SORA_MEDIA_ROOT", str(_tmp / "media"))
os.environ.setdefault("SORA_VAR_DIR", str(_tmp / "var"))

if not os.environ.get("REDIS_URL"):
    from sora_site import valkey

    _socket = _tmp / "valkey.sock"
    _server = valkey.start(_socket)
    atexit.register(_server.terminate)
    os.environ["REDIS_URL"] = valkey.url_for(_socket)

from sora_site.settings import *  # noqa: E402,F403
from sora_site.settings import DATABASES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
if DATABASES["default"]["ENGINE"] == "sora_site.sqlite":
    # A file, not :memory:, so a worker subprocess and the live server see the same rows.
    DATABASES["default"]["TEST"] = {"NAME": str(_tmp / "test-db.sqlite3")}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - whitenoise warns when it is missing
