"""Settings for the self-hosted Sora site, read from the environment (README lists each one)."""

from __future__ import annotations

import secrets
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from generation.model_catalogue import CatalogueError, load_catalogue

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("SORA_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()


def _secret(name: str, default: str | None = None) -> str | None:
    """Read NAME, or the contents of the file named by NAME_FILE (for container secrets)."""
    file_path = env.str(f"{name}_FILE", default="")
    if file_path:
        try:
            return Path(file_path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE points at {file_path!r}: {exc}") from exc
    return env.str(name, default=default)


def _secret_key() -> str:
    """Use SECRET_KEY when set; otherwise generate one once and keep it under var/."""
    key = _secret("SECRET_KEY")
    if key:
        return key
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _bool(name: str, default: bool) -> bool:
    raw = env.str(name, default="1" if default else "0").strip().lower()
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def _int(name: str, default: int, minimum: int = 0, maximum: int | None = None) -> int:
    raw = env.str(name, default=str(default))
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}.")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name} must be at most {maximum}, not {value}.")
    return value


SECRET_KEY = _secret_key()
DEBUG = _bool("DEBUG", False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- HTTPS (README, "Production") --------------------------------------------------------------
# Behind a reverse proxy that ends TLS, Django sees plain http unless it trusts the proxy's
# X-Forwarded-Proto. Trust it only when the proxy sets that header itself on every request,
# or a client could claim https.
if _bool("SORA_TRUSTED_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Limits per address count the visitor's, not the proxy's (sora_site/proxy.py).
    RATELIMIT_IP_META_KEY = "sora_site.proxy.client_ip"
USE_X_FORWARDED_HOST = _bool("SORA_USE_X_FORWARDED_HOST", False)
SORA_HTTPS = _bool("SORA_HTTPS", False)
SECURE_SSL_REDIRECT = SORA_HTTPS
SESSION_COOKIE_SECURE = SORA_HTTPS
CSRF_COOKIE_SECURE = SORA_HTTPS
SECURE_HSTS_SECONDS = _int("SORA_HSTS_SECONDS", 365 * 24 * 3600) if SORA_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = _bool("SORA_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = _bool("SORA_HSTS_PRELOAD", False)
# Covering every subdomain, or asking browsers to preload the domain, binds hosts beyond this
# site: the domain's owner opts in with the two variables above, and the deploy check doesn't
# ask for it on every install.
SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021"]
SITE_NAME = env.str("SORA_SITE_NAME", default="Sora")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # the widget templates, for the form renderer below
    "django_htmx",
    "django_rq",
    "template_partials",
    "accounts",
    "generation",
    "feed",
    "cameo",
    "safety",
]

# Every form field draws through templates/field.html: ``{{ form.prompt.as_field_group }}``.
FORM_RENDERER = "sora_site.form_renderer.SiteFormRenderer"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "safety.middleware.SuspendedAccountMiddleware",
    "sora_site.text.ControlCharacterMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "sora_site.urls"
WSGI_APPLICATION = "sora_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sora_site.context_processors.site",
            ],
            "builtins": ["sora_site.template_urls"],
        },
    },
    {
        # Only for feed cards (``feed.cards``): the busiest loop renders several times faster.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend, with each statement's %s marks turned into ? once (sora_site/sqlite).
    DATABASES["default"]["ENGINE"] = "sora_site.sqlite"
    # WAL lets the web server read while a worker writes progress.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
# Keep each web process's connection between requests: opening one (and, on SQLite, setting
# its pragmas and functions) took over a millisecond, more than most pages' queries together.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("SORA_DB_CONN_MAX_AGE", default=600)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "feed:index"
LOGOUT_REDIRECT_URL = "feed:index"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static files and media -------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("SORA_MEDIA_ROOT", default=str(VAR_DIR / "media")))

SORA_STORAGE = env.str("SORA_STORAGE", default="filesystem")
# Seconds a signed S3 URL works: drafts, cameo media and anything else not public stay short;
# a published video's URLs last long enough to watch a feed page through. SigV4 allows 7 days.
SORA_S3_DRAFT_URL_EXPIRY = _int("SORA_S3_DRAFT_URL_EXPIRY", 300, minimum=30, maximum=604_800)
SORA_S3_PUBLISHED_URL_EXPIRY = _int(
    "SORA_S3_PUBLISHED_URL_EXPIRY", 3600, minimum=30, maximum=604_800
)
if SORA_STORAGE == "filesystem":
    _media_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": MEDIA_URL},
    }
elif SORA_STORAGE == "s3":
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("SORA_S3_BUCKET"),
            "endpoint_url": env.str("SORA_S3_ENDPOINT_URL", default=None),
            # SigV4 needs a region; without both, botocore signs us-east-1 URLs with SigV2.
            "region_name": env.str("SORA_S3_REGION", default="us-east-1"),
            "signature_version": "s3v4",
            # A signed URL lives this long unless the caller asks for longer: only published
            # videos do (sora_site.storage.published_media_url).
            "querystring_expire": SORA_S3_DRAFT_URL_EXPIRY,
            "access_key": _secret("SORA_S3_ACCESS_KEY_ID", default=None),
            "secret_key": _secret("SORA_S3_SECRET_ACCESS_KEY", default=None),
            "custom_domain": env.str("SORA_S3_CUSTOM_DOMAIN", default=None),
            "querystring_auth": _bool("SORA_S3_SIGNED_URLS", True),
            "file_overwrite": False,
        },
    }
else:
    raise ImproperlyConfigured(f"SORA_STORAGE must be 'filesystem' or 's3', not {SORA_STORAGE!r}.")

STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": env.str(
            "SORA_STATICFILES_BACKEND",
            default="sora_site.static_storage.StaticFilesStorage",
        )
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_MANIFEST_STRICT = False

# --- Queue --------------------------------------------------------------------------------------
VALKEY_SOCKET = VAR_DIR / "valkey.sock"
REDIS_URL = env.str("REDIS_URL", default=f"unix://{VALKEY_SOCKET}?db=0")
SORA_JOB_TIMEOUT = _int("SORA_JOB_TIMEOUT", 900, minimum=10)
# A healthy Valkey accepts a connection in well under a millisecond. Without a bound, enqueueing
# to a down or unreachable one waits for the kernel's TCP timeout (minutes) while a person's
# request hangs; with it, the enqueue fails fast and the caller says the queue is away.
_CONNECT_TIMEOUT = 0.25


def _with_connect_timeout(url: str) -> str:
    """``url`` with ``socket_connect_timeout`` in its query (django-rq builds its connection from
    the URL alone), unless it sets one already."""
    if "socket_connect_timeout=" in url:
        return url
    return f"{url}{'&' if '?' in url else '?'}socket_connect_timeout={_CONNECT_TIMEOUT}"


RQ_URL = _with_connect_timeout(REDIS_URL)
RQ_QUEUES = {
    "video": {"URL": RQ_URL, "DEFAULT_TIMEOUT": SORA_JOB_TIMEOUT},
    "default": {"URL": RQ_URL, "DEFAULT_TIMEOUT": 300},
}
RQ = {"COMMIT_MODE": "on_db_commit"}

# The cache lives in the same Valkey/Redis, so every web process shares one count per limit.
# While it is away, pages still work (sora_site/cache.py): reads are misses, sessions come from
# the database, and rate limits count in each process's memory ("limits-local"). The timeouts
# keep a dead or frozen server from holding a page: a healthy one answers in well under 1 ms.
_CACHE_OPTIONS = {"socket_connect_timeout": _CONNECT_TIMEOUT, "socket_timeout": 0.5}
CACHES = {
    "default": {
        "BACKEND": "sora_site.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": _CACHE_OPTIONS,
    },
    "limits": {
        "BACKEND": "sora_site.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {**_CACHE_OPTIONS, "FALLBACK": "limits-local"},
    },
    "limits-local": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "sora-limits",
        "OPTIONS": {"MAX_ENTRIES": 50_000},
    },
}
RATELIMIT_USE_CACHE = "limits"
# A rate is "<count>/<period>" with s, m, h or d; see safety/limits.py for what each counts.
SORA_RATE_LIMITS = {
    "signup-ip": env.str("SORA_RATE_SIGNUP", default="10/h"),
    "login-ip": env.str("SORA_RATE_LOGIN_IP", default="30/10m"),
    "login-account": env.str("SORA_RATE_LOGIN_ACCOUNT", default="8/10m"),
    "cameo-ask": env.str("SORA_RATE_CAMEO_ASK", default="20/h"),
    "cameo-record": env.str("SORA_RATE_CAMEO_RECORD", default="12/h"),
    "report": env.str("SORA_RATE_REPORT", default="20/h"),
    "comment": env.str("SORA_RATE_COMMENT", default="30/10m"),
    "dm": env.str("SORA_RATE_DM", default="60/10m"),
    "report-message": env.str("SORA_RATE_REPORT_MESSAGE", default="20/h"),
    "appeal": env.str("SORA_RATE_APPEAL", default="10/d"),
    "search": env.str("SORA_RATE_SEARCH", default="60/m"),
}

# --- Strikes and appeals (Mastodon's rules are the model) ---------------------------------------
SORA_STRIKES_TO_SUSPEND = _int("SORA_STRIKES_TO_SUSPEND", 3, minimum=1)
SORA_STRIKE_SUSPEND_DAYS = _int("SORA_STRIKE_SUSPEND_DAYS", 7, minimum=1)
# A strike stops counting after this many days; an appeal must come within SORA_APPEAL_DAYS.
SORA_STRIKE_ACTIVE_DAYS = _int("SORA_STRIKE_ACTIVE_DAYS", 90, minimum=1)
SORA_APPEAL_DAYS = _int("SORA_APPEAL_DAYS", 20, minimum=1)


def _fraction(name: str, default: float) -> float:
    raw = env.str(name, default=str(default))
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {raw!r}.") from None
    if not 0 < value <= 1:
        raise ImproperlyConfigured(f"{name} must be above 0 and at most 1, not {raw!r}.")
    return value


# A sampled frame whose NudeNet score for an exposed sexual body part reaches this holds the
# video for review (safety/nudity.py explains the default).
SORA_NUDITY_THRESHOLD = _fraction("SORA_NUDITY_THRESHOLD", 0.5)

# --- Feed ---------------------------------------------------------------------------------------
# A 15-minute extension of the daily budget, at most this many times a day (adults only).
SORA_BUDGET_EXTENSION_MINUTES = _int("SORA_BUDGET_EXTENSION_MINUTES", 15, minimum=1)
SORA_BUDGET_EXTENSIONS = _int("SORA_BUDGET_EXTENSIONS", 2, minimum=0)

# --- Generation ---------------------------------------------------------------------------------
SORA_DAILY_GENERATIONS = _int("SORA_DAILY_GENERATIONS", 30, minimum=1)
SORA_MAX_ATTEMPTS = _int("SORA_MAX_ATTEMPTS", 3, minimum=1)
# A running job whose worker has not touched its row for this long counts as stuck.
SORA_STALE_AFTER = _int("SORA_STALE_AFTER", 120, minimum=5)
# Each render encodes into its own folder here; a worker sweeps the folders of dead renders.
SORA_WORK_DIR = Path(env.str("SORA_WORK_DIR", default=str(VAR_DIR / "work")))
SORA_VIDEO_MODEL = env.str("SORA_VIDEO_MODEL", default="")
# `manage.py models pull` installs models here; SORA_MODEL_CATALOGUE swaps the shipped catalogue
# (generation/model_catalogue.toml) for another file.
SORA_MODELS_DIR = Path(env.str("SORA_MODELS_DIR", default=str(VAR_DIR / "models")))
SORA_MODEL_CATALOGUE = env.str("SORA_MODEL_CATALOGUE", default="")
# A worker whose SORA_VIDEO_MODEL folder was not installed by `models pull` names its catalogue
# entry here, so it knows which engine's queue to serve (generation.engines).
SORA_VIDEO_ENGINE = env.str("SORA_VIDEO_ENGINE", default="")


def _model_queues() -> dict[str, dict[str, object]]:
    """One RQ queue per catalogue model, "video-<name>", served only by workers holding it."""
    try:
        models = load_catalogue(
            Path(SORA_MODEL_CATALOGUE).expanduser() if SORA_MODEL_CATALOGUE else None
        )
    except CatalogueError as exc:
        raise ImproperlyConfigured(f"SORA_MODEL_CATALOGUE: {exc}") from None
    return {f"video-{name}": dict(RQ_QUEUES["video"]) for name in models}


RQ_QUEUES.update(_model_queues())
SORA_DEVICE = env.str("SORA_DEVICE", default="auto")
SORA_LOW_VRAM = _bool("SORA_LOW_VRAM", False)


def _optional_number(name: str, kind: type) -> int | float | None:
    raw = env.str(name, default="").strip()
    if not raw:
        return None
    try:
        value = kind(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {raw!r}.") from None
    if value <= 0:
        raise ImproperlyConfigured(f"{name} must be above zero, not {raw!r}.")
    return value


# Overrides of the model family's defaults (empty keeps them); smaller is faster and lighter.
SORA_MODEL_STEPS = _optional_number("SORA_MODEL_STEPS", int)
SORA_MODEL_GUIDANCE = _optional_number("SORA_MODEL_GUIDANCE", float)
SORA_MODEL_MAX_SIDE = _optional_number("SORA_MODEL_MAX_SIDE", int)
SORA_MODEL_MAX_FRAMES = _optional_number("SORA_MODEL_MAX_FRAMES", int)

# --- Provenance ---------------------------------------------------------------------------------
# The public address written into every video's signed manifest.
SORA_SITE_URL = env.str("SORA_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
SORA_SIGNING_CERT = env.str("SORA_SIGNING_CERT", default="")
SORA_SIGNING_KEY = env.str("SORA_SIGNING_KEY", default="")
SORA_SIGNING_TRUST_ANCHORS = env.str("SORA_SIGNING_TRUST_ANCHORS", default="")
if bool(SORA_SIGNING_CERT) != bool(SORA_SIGNING_KEY):
    raise ImproperlyConfigured("Set both SORA_SIGNING_CERT and SORA_SIGNING_KEY, or neither.")
SORA_VERIFY_MAX_BYTES = _int("SORA_VERIFY_MAX_BYTES", 50 * 1024 * 1024, minimum=1024)

# Sessions are read from Valkey and written through to the database: every signed-in page reads
# one, and the cache answers faster than a database round trip.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
