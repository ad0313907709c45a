"""Settings for Claim Tracker: one file, every deployment choice read from the environment."""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "")
    return [item.strip() for item in value.split(",") if item.strip()] or default


# A clone runs out of the box in development mode; production sets DEBUG=0.
DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "development-only-key-never-used-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "simple_history",
    "axes",
    "lib",
    "articles",
    "claims",
    "sources",
    "pages",
    "api",
    # The API's browsable docs: Swagger UI's script and styles from ninja's own static files.
    "ninja",
    # After articles, whose db_worker (it first recovers tasks left running) takes precedence.
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Cache-Control: private for signed-in pages, Vary: HX-Request on HTML (lib/middleware.py).
    "lib.middleware.CacheHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before the CSRF check, which reads the post: a post over the upload limit gets its page.
    "lib.oversize.PostTooLargeMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Before django-htmx: a history restore must look like a full-page request.
    "lib.middleware.HistoryRestoreMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "lib.middleware.QueryParametersMiddleware",
    "lib.middleware.MethodNotAllowedPageMiddleware",
    # Records who made each change in the audit trail.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Refuses sign-in attempts once an account or an address is locked out (django-axes).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# The common form widgets are drawn in Python, with Django's markup (lib/widgets.py).
FORM_RENDERER = "lib.widgets.WidgetsInPython"

# Empty DATABASE_URL: an SQLite file under the git-ignored data/ folder, so a clone just runs.
DATA_DIR = BASE_DIR / "data"
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=True)
    }
else:
    DATA_DIR.mkdir(exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "claimtracker.sqlite3",
            "OPTIONS": {
                # IMMEDIATE makes writers queue for the lock instead of failing mid-transaction.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: a locked-out account or address is refused before any password is hashed.
# Then Django's own users and permissions, read from the database on each request: a deactivated
# user or a revoked role counts at once, on every server, with nothing to keep in step.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "lib.auth.ModelBackendInOneQuery",
]
# Sign-in throttling: 5 failures lock the account, and separately the address, for 15 minutes.
# An administrator unlocks early with `manage.py axes_reset_username NAME` (or axes_reset_ip).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind N proxies, the client is the address the Nth proxy from the right saw; with none, only
# REMOTE_ADDR counts, so a forged X-Forwarded-For cannot dodge the address limit.
AXES_IPWARE_PROXY_COUNT = int(env_str("TRUSTED_PROXY_COUNT", "0")) or None
AXES_IPWARE_PROXY_ORDER = "right-most"
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)
# Sessions in the database (Django's default engine), not cached_db: one primary-key read per
# request, and a sign-out on one server is over on every other at once. With cached_db and a cache
# local to each process, another server could go on honouring a session that was ended.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files in production; plain files in development and tests.
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}

# Security headers. Django's own CSP: scripts only from our static files, carrying the nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    # The nonce admits the one <style> block that colours marks by the (editable) rating scale.
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # The proxy in front of gunicorn terminates TLS and says so in this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(env_str("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# The cache holds only short-lived figures: the dashboard's counts, the rating scale's bounds.
# Memory in each process by default; with more than one server, REDIS_URL makes it one shared
# cache, so every server shows the same counts (README: Deployment).
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The audit trail: a reason ("Returned to researcher: …") is kept whole, whatever its length.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# The largest article or page the site reads, pasted, uploaded or fetched. The article form's
# script checks it before sending; the server answers a larger post with the form and the limit.
DOCUMENT_MAX_BYTES = int(env_str("DOCUMENT_MAX_BYTES", str(5 * 1_048_576)))
# A pasted text is form data, not a file: a post may carry one whole text and the other fields.
DATA_UPLOAD_MAX_MEMORY_SIZE = DOCUMENT_MAX_BYTES + 64 * 1024

# The largest file of external fact-checks imported (the upload page and the command), and the
# size above which the page imports it in the background with a progress page.
FACT_CHECK_IMPORT_MAX_BYTES = int(env_str("FACT_CHECK_IMPORT_MAX_BYTES", str(5 * 1_048_576)))
FACT_CHECK_IMPORT_INLINE_MAX_BYTES = int(
    env_str("FACT_CHECK_IMPORT_INLINE_MAX_BYTES", str(256 * 1024))
)

# Requests per minute with one API token (api/auth.py), counted in the cache; past it, 429.
API_RATE_LIMIT = int(env_str("API_RATE_LIMIT", "600"))

# Slow jobs (fetching URLs) run in `manage.py db_worker`; tests run them inline.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
FETCH_TIMEOUT_SECONDS = float(env_str("FETCH_TIMEOUT_SECONDS", "10"))
# Hosts fetched even though they resolve to a private address (tests use a local server).
FETCH_ALLOWED_HOSTS = env_list("FETCH_ALLOWED_HOSTS", [])

# The organisation that signs published fact-checks (used by later ClaimReview output).
# make bench serves Django's stock admin changelist beside ours, to compare; never in production.
BENCHMARK_STOCK_ADMIN = env_bool("BENCHMARK_STOCK_ADMIN", False)

ORGANISATION_NAME = env_str("ORGANISATION_NAME", "Claim Tracker")
# The ClaimReview author's home page; leave empty to name the organisation only.
ORGANISATION_URL = env_str("ORGANISATION_URL", "")

# E-mail (notifications), through Django's mailers: printed to the console in development;
# production sends over SMTP, configured from the environment.
if DEBUG and not env_str("EMAIL_HOST"):
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env_str("EMAIL_HOST", "localhost"),
                "port": int(env_str("EMAIL_PORT", "25")),
                "username": env_str("EMAIL_HOST_USER"),
                "password": env_str("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS", False),
                "use_ssl": env_bool("EMAIL_USE_SSL", False),
                "timeout": 10,
            },
        }
    }
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Claim Tracker <claims@localhost>")
# Where the desk reaches the site: e-mails link to claims with it.
SITE_URL = env_str("SITE_URL", "http://localhost:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# Claim matching (claims.matching): wordllama's tokenizer is copied here from its wheel once, so
# the model loads with downloads off. Any writable directory; the data directory by default.
MATCHING_MODEL_DIR = Path(env_str("MATCHING_MODEL_DIR", str(BASE_DIR / "data" / "wordllama")))
