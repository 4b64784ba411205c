"""Settings for the Sakai paperless dashboard.

Everything that differs between a laptop and the city's server comes from the
environment (see .env.example). The defaults are the embedded ones used by
`make run` and the tests: SQLite, Celery in process, e-mail written to files.
Production refuses to start without a secret key or with debug on by accident.
"""

import ipaddress
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off (see .env.example)."
        )
    SECRET_KEY = "local-debug-only-not-a-secret"  # noqa: S105 - DEBUG only
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
if DEBUG and not set(ALLOWED_HOSTS) <= LOCAL_HOSTS:
    # Debug pages leak settings and code: never on a host other people can reach.
    raise ImproperlyConfigured(
        "DJANGO_DEBUG must be off when DJANGO_ALLOWED_HOSTS names a server (production)."
    )
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# Behind a reverse proxy that ends TLS: its X-Forwarded-Proto says whether the request
# was HTTPS. Only then is that header believed; otherwise a client could set it.
BEHIND_PROXY = env.bool("DJANGO_BEHIND_PROXY", default=False)
# The proxies whose X-Forwarded-For names the client (addresses or networks); the
# sign-in lockout reads the header only from them (paperless.access.client_address).
TRUSTED_PROXIES = env.list("DJANGO_TRUSTED_PROXIES", default=[])


def _check_proxies(entries: list[str]) -> None:
    for entry in entries:
        try:
            ipaddress.ip_network(entry.strip(), strict=False)
        except ValueError as error:
            raise ImproperlyConfigured(
                f"DJANGO_TRUSTED_PROXIES: not an address or network: {entry!r}"
            ) from error


_check_proxies(TRUSTED_PROXIES)
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    "simple_history",
    "django_celery_beat",
    "axes",
    "csp",
    "paperless",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "paperless.middleware.PrivateNoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sakai_dx.urls"
WSGI_APPLICATION = "sakai_dx.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
# Keep a connection for a minute instead of opening one per request; a connection that
# broke meanwhile (database restart) is replaced before the request uses it.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Wait for a writer instead of failing at once when two uploads meet.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Caches: Redis in production, local memory otherwise (`check --deploy` warns about
# local memory without debug: each gunicorn worker would keep its own cache).
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Authentication: Django's validators, lockout after repeated failures (django-axes) of
# one user name from one address: failures elsewhere or for other names never lock it.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "paperless.access.permissions.AdministratorRoleBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "paperless:home"
LOGOUT_REDIRECT_URL = "login"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "paperless.access.client_address.client_address"
AXES_USERNAME_CALLABLE = "paperless.access.client_address.login_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# The change history is evidence: the admin shows it but never reverts it.
SIMPLE_HISTORY_REVERT_DISABLED = True

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "paperless.staticfinders.PlotlyFinder",
]
# Hashed names and long cache lifetimes need `collectstatic`; debug and tests skip it.
STATIC_MANIFEST = env.bool("DJANGO_STATIC_MANIFEST", default=not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_MAX_AGE = 365 * 24 * 60 * 60 if STATIC_MANIFEST else 0

# Uploaded originals live outside every web-served folder; see paperless.models.PrivateStorage.
UPLOAD_ROOT = Path(env.str("UPLOAD_ROOT", default=str(VAR_DIR / "uploads")))
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_MB", default=10) * 1024 * 1024
UPLOAD_MAX_ROWS = env.int("UPLOAD_MAX_ROWS", default=200_000)
UPLOAD_MAX_COLUMNS = env.int("UPLOAD_MAX_COLUMNS", default=200)
UPLOAD_MAX_SECONDS = env.int("UPLOAD_MAX_SECONDS", default=60)
UPLOAD_MAX_UNCOMPRESSED_BYTES = env.int("UPLOAD_MAX_UNCOMPRESSED_MB", default=200) * 1024 * 1024
# Grid cells a reader allocates (rows × columns up to the farthest value) and the extra
# memory the reading child process may take.
UPLOAD_MAX_CELLS = env.int("UPLOAD_MAX_CELLS", default=5_000_000)
UPLOAD_MAX_MEMORY_BYTES = env.int("UPLOAD_MAX_MEMORY_MB", default=1024) * 1024 * 1024
# An upload is checked and committed by Celery tasks; one nobody confirms expires.
UPLOAD_EXPIRE_HOURS = env.int("UPLOAD_EXPIRE_HOURS", default=24)
UPLOAD_MAX_CHECKING_PER_USER = env.int("UPLOAD_MAX_CHECKING_PER_USER", default=2)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# The size limit first: an upload past UPLOAD_MAX_BYTES (declared or received) stops there.
FILE_UPLOAD_HANDLERS = [
    "paperless.upload_limit.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# E-mail: SMTP from EMAIL_URL in production; files under var/mail/ otherwise.
EMAIL_URL = env.str("EMAIL_URL", default="")
if EMAIL_URL:
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="paperless@city.sakai.example")
EMAIL_TIMEOUT = 30

# Celery: Redis broker in production; without one, tasks run in process.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# Paperless domain settings (see the README for sources of the factors).
PAPERLESS_UPLOAD_DEADLINE_DAY = env.int("PAPERLESS_UPLOAD_DEADLINE_DAY", default=10)
PAPERLESS_SHEETS_PER_TREE = env.float("PAPERLESS_SHEETS_PER_TREE", default=8333)
PAPERLESS_CO2_G_PER_SHEET = env.float("PAPERLESS_CO2_G_PER_SHEET", default=12.7)
PAPERLESS_YEN_PER_SHEET = env.float("PAPERLESS_YEN_PER_SHEET", default=2.5)
# Computed dashboard figures are cached; any change of data starts a new cache entry.
PAPERLESS_DASHBOARD_CACHE_SECONDS = env.int("PAPERLESS_DASHBOARD_CACHE_SECONDS", default=600)
PAPERLESS_DEMO_MAIL_DOMAIN = "city.sakai.example"
# Meter readings: a reading on this day of the month or later closes its own month, one
# before it the month before; a counter's monthly usage above the limit is a warning
# (0 turns the check off).
PAPERLESS_METER_CLOSE_DAY = env.int("PAPERLESS_METER_CLOSE_DAY", default=11)
PAPERLESS_METER_MONTHLY_LIMIT = env.int("PAPERLESS_METER_MONTHLY_LIMIT", default=200_000)

# Security headers. HTTPS settings follow DJANGO_SECURE (on whenever debug is off).
SECURE = env.bool("DJANGO_SECURE", default=not DEBUG)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = SECURE and env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31_536_000) if SECURE else 0
# HSTS for every subdomain, or on the browsers' preload list, binds sites this
# application does not own (a city's shared domain): only when asked for.
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE and env.bool(
    "DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=False
)
SECURE_HSTS_PRELOAD = SECURE and env.bool("DJANGO_HSTS_PRELOAD", default=False)
# Django's deploy checks ask for both; leaving them off is the decision above.
SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021"]
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # plotly.js sets style attributes on the elements it draws.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # django-axes logs every start and login at INFO; failures still show as warnings.
    "loggers": {"axes": {"level": "WARNING"}},
}
