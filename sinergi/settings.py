"""Sinergi settings: every value comes from the environment (see .env.example)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

from sinergi.lib.env import ConfigError, env_bool, env_int, env_list, env_str
from sinergi.lib.storage import make_private

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("SINERGI_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
DEMO_MODE = env_bool("SINERGI_DEMO", False)
_DEMO_SECRET = "demo-only-secret-key-not-for-production-0123456789abcdef"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not (DEBUG or DEMO_MODE):
        raise ConfigError("SECRET_KEY is required unless DEBUG=1 or SINERGI_DEMO=1")
    SECRET_KEY = _DEMO_SECRET
# Key for NIK encryption and lookup hashes; separate from SECRET_KEY so that
# rotating sessions never makes stored NIKs unreadable.
FIELD_ENCRYPTION_KEY = env_str("FIELD_ENCRYPTION_KEY")
if not FIELD_ENCRYPTION_KEY:
    if not (DEBUG or DEMO_MODE):
        raise ConfigError("FIELD_ENCRYPTION_KEY is required unless DEBUG=1 or SINERGI_DEMO=1")
    FIELD_ENCRYPTION_KEY = "demo-only-field-key"
# Key that seals backups (manage.py backup); a different key from the NIK key, kept
# elsewhere: whoever steals a backup and the server's NIK key still reads nothing.
BACKUP_ENCRYPTION_KEY = env_str("BACKUP_ENCRYPTION_KEY")
if not BACKUP_ENCRYPTION_KEY and (DEBUG or DEMO_MODE):
    BACKUP_ENCRYPTION_KEY = "demo-only-backup-key"
# Scheduled backups (a periodic job of the consumer): off unless BACKUP_DIR is set.
BACKUP_DIR = env_str("BACKUP_DIR")
BACKUP_HOUR = env_int("BACKUP_HOUR", 19, minimum=0)  # UTC, as huey schedules: 02:00 WIB
if BACKUP_HOUR > 23:
    raise ConfigError(f"BACKUP_HOUR must be an hour from 0 to 23, got {BACKUP_HOUR}")
BACKUP_KEEP = env_int("BACKUP_KEEP", 7, minimum=1)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "huey.contrib.djhuey",
    "ninja",  # serves Swagger UI from its own static files, never a CDN
    "sinergi.lib",
    "sinergi.audit",
    "sinergi.regions",
    "sinergi.accounts",
    "sinergi.registry",
    "sinergi.assessments",
    "sinergi.collect",
    "sinergi.analytics",
    "sinergi.privacy",
    "sinergi.partners",
    "sinergi.newsroom",
    "sinergi.portal",
    "sinergi.opendata",
    "sinergi.information",
    "sinergi.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "sinergi.lib.middleware.RejectNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "sinergi.urls"
WSGI_APPLICATION = "sinergi.wsgi.application"

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
                "django.template.context_processors.i18n",
                "sinergi.accounts.context_processors.access",
            ],
        },
    },
]

# var/ holds the database, the job queue and uploads with clear NIKs: its owner only.
VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
make_private(VAR_DIR)
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'sinergi.sqlite3'}"),
        # A web process serves one request at a time and keeps its connection: connecting
        # (PostgreSQL starts a backend; SQLite registers Django's SQL functions) costs more
        # than most requests. Checked before reuse, so a restarted server is no error.
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 600, minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers proceed during a write; IMMEDIATE avoids lock upgrades
        # failing under concurrent writers.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed logins are counted per (username, client address), per client address and per
# username (see sinergi/accounts/lockout.py); a client the user logged in from recently is
# only held to the first, so nobody elsewhere can keep her out.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_CLIENT_FAILURE_LIMIT = env_int("LOGIN_CLIENT_FAILURE_LIMIT", 30, minimum=1)
LOGIN_USERNAME_FAILURE_LIMIT = env_int("LOGIN_USERNAME_FAILURE_LIMIT", 20, minimum=1)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1)
LOGIN_KNOWN_CLIENT_DAYS = env_int("LOGIN_KNOWN_CLIENT_DAYS", 30, minimum=0)
# How many reverse proxies in front append to X-Forwarded-For (0: the header is ignored and
# the client address is the connection's).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 30, minimum=1)
# A session ends SESSION_HOURS after the login (not sliding: no write per request).
SESSION_COOKIE_AGE = env_int("SESSION_HOURS", 12, minimum=1) * 3600

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Jakarta")
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
]
# Uploaded and generated files: a folder under var/ by default; an S3-compatible bucket when
# MEDIA_S3_BUCKET is set, so that several web servers and job consumers share them.
MEDIA_S3_BUCKET = env_str("MEDIA_S3_BUCKET")
STORAGES: dict[str, dict[str, Any]] = {
    "default": (
        {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": MEDIA_S3_BUCKET,
                "endpoint_url": env_str("MEDIA_S3_ENDPOINT_URL") or None,
                "region_name": env_str("MEDIA_S3_REGION") or None,
                "access_key": env_str("MEDIA_S3_ACCESS_KEY_ID") or None,
                "secret_key": env_str("MEDIA_S3_SECRET_ACCESS_KEY") or None,
                "location": env_str("MEDIA_S3_PREFIX"),
                # Private objects, reached only through the app (signed URLs if ever linked);
                # a name is never reused, so one upload cannot replace another.
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
            },
        }
        if MEDIA_S3_BUCKET
        else {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            # Uploaded sheets hold clear NIKs: readable by the service's user only.
            "OPTIONS": {"file_permissions_mode": 0o600, "directory_permissions_mode": 0o700},
        }
    ),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"

# A registration refused because the NIK is an actor's outside the user's scope tells her
# that NIK is registered: each is audited, and after this many in 24 hours the user may
# register nobody until the oldest falls out of the window.
NIK_CONFLICT_DAILY_LIMIT = env_int("NIK_CONFLICT_DAILY_LIMIT", 20, minimum=1)

# Uploads: the view enforces IMPORT_MAX_BYTES; Django's own limits keep
# oversized bodies from being read into memory.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# OpenRosa submissions from phones: the whole request (XML plus photos), the XML itself, and
# each attached file. The first is announced to clients (X-OpenRosa-Accept-Content-Length).
OPENROSA_MAX_BYTES = env_int("OPENROSA_MAX_BYTES", 10 * 1024 * 1024, minimum=64 * 1024)
OPENROSA_MAX_XML_BYTES = env_int("OPENROSA_MAX_XML_BYTES", 512 * 1024, minimum=4 * 1024)
OPENROSA_MAX_FILE_BYTES = env_int("OPENROSA_MAX_FILE_BYTES", 5 * 1024 * 1024, minimum=4 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# What an upload may hold before anything parses it (lib.uploads), and what the process
# that parses it may take.
UPLOAD_ZIP_MAX_MEMBERS = env_int("UPLOAD_ZIP_MAX_MEMBERS", 1000, minimum=10)
UPLOAD_UNPACKED_MAX_BYTES = env_int("UPLOAD_UNPACKED_MAX_BYTES", 320 * 1024 * 1024, minimum=1024)
UPLOAD_UNPACKED_TOTAL_BYTES = env_int(
    "UPLOAD_UNPACKED_TOTAL_BYTES", 400 * 1024 * 1024, minimum=1024
)
UPLOAD_ZIP_MAX_RATIO = env_int("UPLOAD_ZIP_MAX_RATIO", 200, minimum=10)
UPLOAD_SHEET_MAX_ROWS = env_int("UPLOAD_SHEET_MAX_ROWS", 1_000_000, minimum=1)
UPLOAD_SHEET_MAX_COLUMNS = env_int("UPLOAD_SHEET_MAX_COLUMNS", 1000, minimum=1)
UPLOAD_SHEET_MAX_CELLS = env_int("UPLOAD_SHEET_MAX_CELLS", 5_000_000, minimum=1)
UPLOAD_PARSE_MEMORY_MB = env_int("UPLOAD_PARSE_MEMORY_MB", 1024, minimum=64)
UPLOAD_PARSE_SECONDS = env_int("UPLOAD_PARSE_SECONDS", 600, minimum=1)

# Retention (UU PDP: data is deleted at the end of its period); 0 keeps for ever. Applied
# daily by sinergi.privacy.tasks and by `manage.py apply_retention`.
RETENTION_IMPORT_FILE_DAYS = env_int("RETENTION_IMPORT_FILE_DAYS", 30, minimum=0)
RETENTION_INACTIVE_ACTOR_YEARS = env_int("RETENTION_INACTIVE_ACTOR_YEARS", 5, minimum=0)
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 1826, minimum=0)

# Partners: a referral sent and not answered for this many days is flagged overdue.
REFERRAL_ANSWER_DAYS = env_int("REFERRAL_ANSWER_DAYS", 14, minimum=1)

# Public figures about people: a count from 1 to PUBLIC_COUNT_THRESHOLD - 1 is never published
# (it reads "<5"), and other cells are hidden where they would let it be worked out.
PUBLIC_COUNT_THRESHOLD = env_int("PUBLIC_COUNT_THRESHOLD", 5, minimum=2)
# Webhook targets on loopback or private addresses are refused unless their host is listed
# (the demo lists 127.0.0.1 so that a receiver can be tried on the same machine); plain HTTP
# is accepted only for listed hosts.
WEBHOOK_ALLOWED_HOSTS = env_list("WEBHOOK_ALLOWED_HOSTS", ["127.0.0.1"] if DEMO_MODE else [])
# A webhook is disabled after this many failed deliveries in a row (each after its retries).
WEBHOOK_DISABLE_AFTER = env_int("WEBHOOK_DISABLE_AFTER", 5, minimum=1)
WEBHOOK_ATTEMPTS = env_int("WEBHOOK_ATTEMPTS", 6, minimum=5)
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1)

# Security: strict by default; HTTPS-only cookies and HSTS unless DEBUG.
SECURE_HTTPS = env_bool("SECURE_HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", SECURE_HTTPS)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if SECURE_HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HTTPS
SECURE_HSTS_PRELOAD = SECURE_HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY") else None
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# "shared" is seen by every web process on the machine (Redis when set, else files under
# var/): what one gunicorn worker learnt, the others need not compute again.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "shared": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env_str("REDIS_URL")}
        if env_str("REDIS_URL")
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    ),
}

HUEY = {
    "huey_class": "huey.RedisHuey" if env_str("REDIS_URL") else "huey.SqliteHuey",
    "name": "sinergi",
    "immediate": env_bool("HUEY_IMMEDIATE", False),
    **(
        {"url": env_str("REDIS_URL")}
        if env_str("REDIS_URL")
        else {"filename": str(VAR_DIR / "huey.sqlite3")}
    ),
}

# A running job whose heartbeat is older than this is taken for dead (its consumer was
# killed): it is queued again, up to JOB_MAX_ATTEMPTS runs in all, then failed.
JOB_STALE_SECONDS = env_int("JOB_STALE_SECONDS", 300, minimum=30)
JOB_MAX_ATTEMPTS = env_int("JOB_MAX_ATTEMPTS", 3, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint logs every layout step of a PDF report at INFO.
    "loggers": {"weasyprint": {"level": "WARNING"}},
}

REGION_DATA_DIR = Path(
    env_str("REGION_DATA_DIR", str(BASE_DIR / "node_modules" / "idn-area-data" / "data"))
)
FORMAT_MODULE_PATH = ["sinergi.formats"]
