"""Django settings, all derived from :mod:`freedomcities.web.config`'s table.

Nothing here needs editing for a deployment: set the environment variables
listed in ``docs/web.md`` instead.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

import dj_database_url
from huey import RedisHuey, SqliteHuey

from freedomcities.web.config import data_dir, offered_languages, secret_key, setting
from freedomcities.web.jurisdictions.data import state_by_postal

WEB_DIR = Path(__file__).resolve().parent
PROJECT_DIR = WEB_DIR.parents[1]
DATA_DIR = data_dir()

SECRET_KEY = secret_key()
DEBUG = setting("FREEDOMCITIES_DEBUG") == "1"
ALLOWED_HOSTS = [h.strip() for h in setting("FREEDOMCITIES_ALLOWED_HOSTS").split(",") if h.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "huey.contrib.djhuey",
    "ninja",
    "freedomcities.web.accounts",
    "freedomcities.web.jurisdictions",
    "freedomcities.web.scorecards",
    "freedomcities.web.campaign",
    "freedomcities.web.events",
    "freedomcities.web.pagecache",
]

MIDDLEWARE = [
    "freedomcities.web.security.UploadLimitMiddleware",  # first: before anything reads a body
    "django.middleware.security.SecurityMiddleware",
    "freedomcities.web.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "freedomcities.web.languages.SavedLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "freedomcities.web.urls"
WSGI_APPLICATION = "freedomcities.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [WEB_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "freedomcities.web.accounts.context.role",
                "freedomcities.web.jurisdictions.context.home_state_context",
                "freedomcities.web.pagecache.pages.placeholder_token",  # after csrf
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        setting("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'freedomcities.sqlite3'}",
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Waiting on a busy SQLite file beats failing: the web app and the worker share it.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    # Connections are kept (60 s, as for PostgreSQL): opening one per request cost a cached
    # page more than serving it (bench/web.py: 3.6 ms of CPU per agency page, 1.3 ms kept).
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en"
LOCALE_PATHS = [WEB_DIR / "locale"]
TRANSLATIONS = [("es", "Español")]
"""Languages the interface is being translated into (strings are marked for all of them)."""
LANGUAGES = offered_languages(LOCALE_PATHS[0], TRANSLATIONS)
# Dates, times and numbers per language (freedomcities/web/formats/), over Django's own.
FORMAT_MODULE_PATH = ["freedomcities.web.formats"]
USE_I18N = True
TIME_ZONE = "America/Phoenix"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"  # filled only by `freedomcities manage collectstatic`
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [
    WEB_DIR / "static",
    ("vendor", PROJECT_DIR / "node_modules" / "htmx.org" / "dist"),
]
# The app serves its own static files straight from the package; no collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

MEDIA_ROOT = DATA_DIR / "uploads"
MAX_UPLOAD_MB = int(setting("FREEDOMCITIES_MAX_UPLOAD_MB"))
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
JUDGE_PATH = setting("FREEDOMCITIES_JUDGE")  # empty: the judge shipped with the rules
OCR = setting("FREEDOMCITIES_OCR")  # the OCR engine of uploads' scanned pages
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "freedomcities.web.security.LimitedUploadHandler",  # stops a body past the limit
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]


def _email_settings(url: str) -> dict[str, object]:
    """Django e-mail settings from an smtp:// URL, or the console backend when empty."""
    if not url:
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    parsed = urlparse(url)
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parsed.hostname or "localhost",
        "EMAIL_PORT": parsed.port or 587,
        "EMAIL_HOST_USER": unquote(parsed.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
        "EMAIL_USE_TLS": parsed.port != 465,
        "EMAIL_USE_SSL": parsed.port == 465,
    }


globals().update(_email_settings(setting("FREEDOMCITIES_EMAIL_URL")))
DEFAULT_FROM_EMAIL = setting("FREEDOMCITIES_FROM_EMAIL")
SITE_URL = setting("FREEDOMCITIES_SITE_URL").rstrip("/")
HOME_STATE = state_by_postal(setting("FREEDOMCITIES_HOME_STATE")).state  # UnknownState lists all
EVENTS_RATE_LIMIT = int(setting("FREEDOMCITIES_EVENTS_RATE_LIMIT"))


def _queue(url: str) -> SqliteHuey | RedisHuey:
    """The background queue: SQLite in the data folder, or Redis for several machines."""
    if url.startswith("redis://"):
        return RedisHuey("freedomcities", url=url)
    return SqliteHuey("freedomcities", filename=str(DATA_DIR / "queue.sqlite3"))


HUEY = _queue(setting("FREEDOMCITIES_QUEUE_URL"))

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
"""No inline scripts and no inline styles: htmx's indicator styles are in app.css (its own
``<style>`` is switched off in base.html), the comparison's are a stylesheet."""
LOGIN_FAILURE_LIMIT = int(setting("FREEDOMCITIES_LOGIN_FAILURES"))
LOGIN_FAILURE_WINDOW = 60
TRUSTED_PROXIES = int(setting("FREEDOMCITIES_TRUSTED_PROXIES"))

HTTPS_ONLY = setting("FREEDOMCITIES_HTTPS") == "1"
if HTTPS_ONLY:
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers check over plain HTTP
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(setting("FREEDOMCITIES_HSTS_SECONDS"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
_proxy_header = setting("FREEDOMCITIES_PROXY_TLS_HEADER").strip()
if _proxy_header:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_header.upper().replace("-", "_"), "https")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"freedomcities": {"handlers": ["console"], "level": "INFO"}},
}
