"""The one settings module of the portal.

Environments differ only by environment variables (see `.env.example`).
Every variable is parsed strictly: a malformed value raises
ImproperlyConfigured naming the variable, instead of silently becoming a
default (django-environ alone turns DEBUG=maybe into False).
Test-only speed-ups live in tests/conftest.py, not here.
"""

import re
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from jinhu.core.envparse import EnvReader

# ---------------------------------------------------------------------------
# Paths and environment
# ---------------------------------------------------------------------------
BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
env = EnvReader()

DEBUG = env.bool("DEBUG", default=False)

# ---------------------------------------------------------------------------
# Security
# ---------------------------------------------------------------------------
if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-do-not-deploy")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off (see .env.example).")

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# One switch for everything that assumes TLS at the edge (the intranet reverse
# proxy terminates it and overwrites X-Forwarded-Proto / X-Forwarded-For).
# On by default outside DEBUG; the test suite's live server turns it off.
SECURE_HTTPS = env.bool("SECURE_HTTPS", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = SECURE_HTTPS
# Devices (ZKTeco clocks, Hikvision terminals) speak plain HTTP on the LAN and
# cannot follow redirects; their endpoints and the health check are exempt.
SECURE_REDIRECT_EXEMPT = [r"^iclock/", r"^hik/", r"^healthz/$"]
SECURE_HSTS_SECONDS = 31536000 if SECURE_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HTTPS
SECURE_HSTS_PRELOAD = SECURE_HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SESSION_COOKIE_HTTPONLY = True
# Absolute session limit (hours since sign-in) and idle limit (minutes without a
# request); enforced by villages.middleware.AccountMiddleware.
JINHU_SESSION_MAX_HOURS = env.int("JINHU_SESSION_MAX_HOURS", default=8)
JINHU_IDLE_TIMEOUT_MINUTES = env.int("JINHU_IDLE_TIMEOUT_MINUTES", default=30)
SESSION_COOKIE_AGE = JINHU_SESSION_MAX_HOURS * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# ---------------------------------------------------------------------------
# Applications, middleware, templates
# ---------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "jinhu.apps.AuditlogInChinese",
    "jinhu.apps.AxesInChinese",
    "django_otp",
    "jinhu.apps.TOTPInChinese",
    "jinhu.apps.StaticInChinese",
    "csp",
    "django_htmx",
    "import_export",
    # Domain apps, ground floor first (imports only run down this list).
    "villages",
    "attendance",
    "collective_economy",
    "demonstration_belt",
    # Operations (backups, drills, heartbeats, the status page): reads the apps above.
    "operations",
    "notifications",
]

MIDDLEWARE = [
    # First: everything below sees the client's real address (and HTTPS only via our proxy).
    "jinhu.core.middleware.TrustedProxyMiddleware",
    # Request rates and latencies by view, device endpoints included (/metrics).
    "operations.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Device protocol endpoints stop here: none of what follows applies to a clock.
    "attendance.endpoints.middleware.DeviceEndpointsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle and absolute session limits, two-factor, forced password change.
    "villages.middleware.AccountMiddleware",
    "jinhu.core.middleware.BadParameterMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    # axes must be last: it turns a lockout into its own response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jinhu.urls"
WSGI_APPLICATION = "jinhu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # How numbers, money, dates and people read, on every page without a {% load %}.
            "builtins": ["villages.templatetags.formatting"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "villages.context_processors.portal",
                "demonstration_belt.context_processors.todo",
                "attendance.context_processors.holiday_banner",
                "notifications.context_processors.bell",
            ],
        },
    },
]

# ---------------------------------------------------------------------------
# Database
# ---------------------------------------------------------------------------
# Embedded default: SQLite under var/. Production and CI: postgres://...
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'jinhu.sqlite3'}")
}
# Persistent connections: closing after every request cost 48% of page
# throughput on this hardware (reference/performance.md).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # SQLite: a short busy timeout instead of instant "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ---------------------------------------------------------------------------
# Cache and Redis
# ---------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Redis is an accelerator: when it is unreachable the cache answers misses and
            # drops writes (pages render uncached, liveness goes to the database) instead
            # of failing the request (jinhu/core/cache.py).
            "BACKEND": "jinhu.core.cache.TolerantRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "jinhu",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# ---------------------------------------------------------------------------
# Celery
# ---------------------------------------------------------------------------
# With no broker configured (the embedded default) tasks run eagerly in the
# web process, so that a newcomer needs no services at all.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
# In eager mode a failing task must not fail the request that queued it (a device
# whose upload is stored is answered OK; the work stays queued in the database).
# The test suite turns propagation on, to see every error.
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
# Every task is safe to run twice, so late acks are fine. A worker killed mid-task
# loses nothing either way: a parse commits its claim with its rows, and the work a
# task would do is recorded in the database before it is queued, where
# attendance.ingest_sweep finds it within a minute (beat, and at every connection of
# a worker to the broker): tests/devices/test_faults.py.
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 300
CELERY_TASK_TIME_LIMIT = 360
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Queueing from a web request must not hang on a broker that is down: a short
# connection timeout and one quick retry, then the send is skipped (jinhu/core/queue.py).
CELERY_BROKER_CONNECTION_TIMEOUT = 1.0
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
# Tasks (and their keyword arguments) a worker queues every time it connects to the
# broker (start, and Redis back after an outage): the sweep that parses and judges
# whatever waited meanwhile, however recent.
JINHU_WORKER_CONNECT_TASKS = {"attendance.ingest_sweep": {"grace_seconds": 0}}
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_ENABLE_UTC = True


def _beat_schedule() -> dict:
    from jinhu.schedules import BEAT_SCHEDULE

    return BEAT_SCHEDULE


CELERY_BEAT_SCHEDULE = _beat_schedule()
# Beat writes its heartbeat as it ticks (the status page and /metrics read it).
CELERY_BEAT_SCHEDULER = "operations.beat:HeartbeatScheduler"

# ---------------------------------------------------------------------------
# Authentication, roles, login throttling, audit
# ---------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Three of lower case, upper case, digits, symbols (villages/passwords.py).
    {"NAME": "villages.passwords.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
]
LOGIN_URL = "login"

# Two-factor sign-in (django-otp; villages.services.accounts): required for sub-district staff
# and administrators, optional for the others. Turn off only for a closed demo.
JINHU_TWO_FACTOR_REQUIRED = env.bool("JINHU_TWO_FACTOR_REQUIRED", default=True)
OTP_TOTP_ISSUER = "锦湖街道党建平台"
OTP_TOTP_THROTTLE_FACTOR = 1  # 1 s, 2 s, 4 s, … after consecutive wrong codes
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.5  # hours
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Failures are counted per (user name, address); past JINHU_LOGIN_USER_FAILURE_LIMIT
# failures from any addresses the user name alone is locked (villages.lockout).
AXES_LOCKOUT_PARAMETERS = "villages.lockout.lockout_parameters"
JINHU_LOGIN_USER_FAILURE_LIMIT = env.int("JINHU_LOGIN_USER_FAILURE_LIMIT", default=20)
# The address is REMOTE_ADDR as TrustedProxyMiddleware leaves it, never a header.
AXES_CLIENT_IP_CALLABLE = "jinhu.core.middleware.client_address"

# Reverse proxies whose X-Forwarded-For is believed (addresses or networks). Empty:
# the portal is served directly and every forwarding header is ignored.
JINHU_TRUSTED_PROXIES = env.list("JINHU_TRUSTED_PROXIES", default=[])
try:
    from jinhu.core.proxies import networks as _networks

    _networks(JINHU_TRUSTED_PROXIES)
except ValueError as exc:
    raise ImproperlyConfigured(f"JINHU_TRUSTED_PROXIES: {exc}") from None

AUDITLOG_STORE_JSON_CHANGES = True
AUDITLOG_INCLUDE_ALL_MODELS = False
# The change history (操作日志) is kept this many days (never fewer than 180: 等保 2.0
# asks for six months of audit records); pruned weekly (villages.services.audit.prune).
JINHU_AUDIT_KEEP_DAYS = env.int("JINHU_AUDIT_KEEP_DAYS", default=365)
if JINHU_AUDIT_KEEP_DAYS < 180:
    raise ImproperlyConfigured("JINHU_AUDIT_KEEP_DAYS must be at least 180 (days).")

# ---------------------------------------------------------------------------
# Content security policy (django-csp 4): everything from our own origin,
# scripts additionally by per-request nonce; no inline styles.
# ---------------------------------------------------------------------------
from csp.constants import NONCE, NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# ---------------------------------------------------------------------------
# Language and time
# ---------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文"))]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

# ---------------------------------------------------------------------------
# Static and media files
# ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Media (evidence, photos) is stored outside the web root and served only
# through views that check the user's scope.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# ---------------------------------------------------------------------------
# Logging: one line per event to stderr; the process manager collects it.
# ---------------------------------------------------------------------------
# Device tokens never reach a log line: every handler redacts /hik/events/<token>/
# (jinhu/core/redact.py), and Django's own request loggers go through these handlers.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_tokens": {"()": "jinhu.core.redact.RedactTokens"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_tokens"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # (Django's defaults would print these once more, unredacted, under DEBUG.)
        "django": {"handlers": [], "propagate": True},
        "django.server": {"handlers": ["console"], "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},  # its start-up banner on every command
        "celery.app.trace": {"level": "WARNING"},  # a line per task: too much in eager mode
    },
}

# ---------------------------------------------------------------------------
# Portal knobs (prefix JINHU_)
# ---------------------------------------------------------------------------
JINHU_SITE_NAME = env.str("JINHU_SITE_NAME", default="锦湖街道党建示范带与坐班值班监管平台")
# Devices: keep the pictures Hikvision terminals attach (by content hash, size-capped)?
JINHU_DEVICE_KEEP_PICTURES = env.bool("JINHU_DEVICE_KEEP_PICTURES", default=True)
# Largest device request body accepted, in bytes (ZKTeco uploads, Hikvision events).
JINHU_DEVICE_MAX_BODY = env.int("JINHU_DEVICE_MAX_BODY", default=4 * 1024 * 1024)
# Requests per minute one device may make (per web process) before getting 429.
JINHU_DEVICE_RATE_LIMIT = env.int("JINHU_DEVICE_RATE_LIMIT", default=600)
# Refused device requests (unknown serial numbers or tokens, unapproved devices) per
# minute and source address (per web process); beyond it nothing is written.
JINHU_DEVICE_REFUSED_RATE_LIMIT = env.int("JINHU_DEVICE_REFUSED_RATE_LIMIT", default=30)
# Bytes of a refused request's body that are kept (with its headers and size).
JINHU_DEVICE_REFUSED_KEEP = env.int("JINHU_DEVICE_REFUSED_KEEP", default=4096)
# Unknown clocks recorded for approval at most at once, and days they wait before expiring.
JINHU_DEVICE_PENDING_MAX = env.int("JINHU_DEVICE_PENDING_MAX", default=50)
JINHU_DEVICE_PENDING_DAYS = env.int("JINHU_DEVICE_PENDING_DAYS", default=14)
# Day of the following month by which a village's monthly progress report is due.
JINHU_REPORT_DUE_DAY = env.int("JINHU_REPORT_DUE_DAY", default=5)
# Base URL printed on posters and QR codes (the public roster pages).
JINHU_PUBLIC_BASE_URL = env.str("JINHU_PUBLIC_BASE_URL", default="http://127.0.0.1:8000")

# ---------------------------------------------------------------------------
# Operations: retention, backups, metrics (docs/operations.md)
# ---------------------------------------------------------------------------
# Raw device requests older than this many whole months are archived to files and
# deleted (nightly); the archive folder keeps one gzip file per device and month.
JINHU_DEVICE_REQUEST_KEEP_MONTHS = env.int("JINHU_DEVICE_REQUEST_KEEP_MONTHS", default=13)
if JINHU_DEVICE_REQUEST_KEEP_MONTHS < 1:
    raise ImproperlyConfigured("JINHU_DEVICE_REQUEST_KEEP_MONTHS must be at least 1 (month).")
JINHU_ARCHIVE_DIR = env.path("JINHU_ARCHIVE_DIR", default=VAR_DIR / "archive")
# Backups: where they go, and how many daily, weekly (Sunday's) and monthly (the 1st's)
# copies are kept.
JINHU_BACKUP_DIR = env.path("JINHU_BACKUP_DIR", default=VAR_DIR / "backups")
JINHU_BACKUP_KEEP_DAILY = env.int("JINHU_BACKUP_KEEP_DAILY", default=7)
JINHU_BACKUP_KEEP_WEEKLY = env.int("JINHU_BACKUP_KEEP_WEEKLY", default=5)
JINHU_BACKUP_KEEP_MONTHLY = env.int("JINHU_BACKUP_KEEP_MONTHLY", default=12)
# A backup older than this many hours is a red item on the status page.
JINHU_BACKUP_MAX_AGE_HOURS = env.int("JINHU_BACKUP_MAX_AGE_HOURS", default=26)
# The Prometheus endpoint (/metrics): the networks that may scrape it, and a bearer
# token for a scraper outside them. With neither set, nobody may.
JINHU_METRICS_ALLOWED = env.list("JINHU_METRICS_ALLOWED", default=["127.0.0.1/32", "::1/128"])
JINHU_METRICS_TOKEN = env.str("JINHU_METRICS_TOKEN", default="")
try:
    _networks(JINHU_METRICS_ALLOWED)
except ValueError as exc:
    raise ImproperlyConfigured(f"JINHU_METRICS_ALLOWED: {exc}") from None

# ---------------------------------------------------------------------------
# Notifications (docs/notifications.md)
# ---------------------------------------------------------------------------
# Outgoing e-mail (notification channels, mails to ADMINS): an EMAIL_URL such as
# smtp+tls://user:password@mail.example.gov.cn:587 ; the embedded default prints mails.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="jinhu-portal@localhost")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
ADMINS = [("", address) for address in env.list("JINHU_ADMIN_EMAILS", default=[])]
# The group-robot APIs (an intranet relay may stand in for them). Channels keep only the
# robot's token or key, never a URL, so that nobody can point the portal elsewhere.
JINHU_DINGTALK_API = env.str("JINHU_DINGTALK_API", default="https://oapi.dingtalk.com")
JINHU_WECOM_API = env.str("JINHU_WECOM_API", default="https://qyapi.weixin.qq.com")
# No outgoing message in these hours (Asia/Shanghai, "HH:MM-HH:MM", may cross midnight;
# empty for none): what falls due is sent when they end. In-app notices are not held.
JINHU_NOTIFY_QUIET_HOURS = env.str("JINHU_NOTIFY_QUIET_HOURS", default="21:30-07:30")
# When the daily digest goes out (Asia/Shanghai).
JINHU_NOTIFY_DIGEST_AT = env.str("JINHU_NOTIFY_DIGEST_AT", default="08:30")
_CLOCK = r"(?:[01]?\d|2[0-3]):[0-5]\d"
if not re.fullmatch(rf"(?:{_CLOCK}-{_CLOCK})?", JINHU_NOTIFY_QUIET_HOURS.strip()):
    raise ImproperlyConfigured(
        f"JINHU_NOTIFY_QUIET_HOURS={JINHU_NOTIFY_QUIET_HOURS!r} is not valid: expected HH:MM-HH:MM "
        "(for example 21:30-07:30), or empty for none."
    )
if not re.fullmatch(_CLOCK, JINHU_NOTIFY_DIGEST_AT.strip()):
    raise ImproperlyConfigured(
        f"JINHU_NOTIFY_DIGEST_AT={JINHU_NOTIFY_DIGEST_AT!r} is not valid: expected HH:MM."
    )
# A failed delivery is retried this many times in all (waiting 1, 2, 4, … minutes, at most
# an hour); a channel failing this many times in a row, over at least this many hours (a
# platform down for a while is not a broken channel), is switched off and staff told.
JINHU_NOTIFY_MAX_ATTEMPTS = env.int("JINHU_NOTIFY_MAX_ATTEMPTS", default=6)
JINHU_NOTIFY_DISABLE_AFTER = env.int("JINHU_NOTIFY_DISABLE_AFTER", default=10)
JINHU_NOTIFY_DISABLE_HOURS = env.int("JINHU_NOTIFY_DISABLE_HOURS", default=6)
# After downtime the rules look back at most this many days for what they missed.
JINHU_NOTIFY_CATCH_UP_DAYS = env.int("JINHU_NOTIFY_CATCH_UP_DAYS", default=31)
