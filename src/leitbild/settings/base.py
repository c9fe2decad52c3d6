"""Settings, read from the environment.

Production is the default: ``DEBUG`` is off unless set, and the security settings
below only relax when it is on. ``make demo`` and the tests set what they need.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PACKAGE_DIR.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")
DATA_DIR = Path(os.environ.get("LEITBILD_DATA_DIR", BASE_DIR / "var")).resolve()

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment (at least 50 random characters), "
            "or set DEBUG=1 for local development."
        )
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")

INSTALLED_APPS = [
    # Django's admin with our own site: its login is throttled (see core/admin_site.py).
    "leitbild.core.admin_apps.LeitbildAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "leitbild.core",
    "leitbild.audit",
    "leitbild.concept",
    "leitbild.actors",
    "leitbild.participation",
    "leitbild.monitoring",
    "leitbild.implementation",
    "leitbild.publishing",
    "leitbild.workspace",
    "leitbild.privacy",
    "leitbild.demo",
    "leitbild.api",
    "leitbild.ops",
    "django_tasks_db",
]

MIDDLEWARE = [
    # First: a request id for every log line; the visitor's address behind a proxy; and
    # /healthz answered before host checks and the HTTPS redirect (load balancers probe
    # by IP over HTTP). See leitbild/ops/middleware.py.
    "leitbild.ops.middleware.RequestIdMiddleware",
    "leitbild.ops.middleware.ForwardedClientMiddleware",
    "leitbild.ops.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "leitbild.core.middleware.InterfaceLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "leitbild.core.middleware.ContentLanguageMiddleware",
    "leitbild.api.middleware.JsonMethodNotAllowedMiddleware",
]

ROOT_URLCONF = "leitbild.urls"
WSGI_APPLICATION = "leitbild.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "leitbild.core.context_processors.languages",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'leitbild.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        # A kept connection is checked before a request reuses it, so that after a
        # database restart each worker reconnects instead of failing once.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database host that does not answer at all: give up (503) instead of hanging
    # until the web worker is killed.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", int(os.environ.get("DB_CONNECT_TIMEOUT", "5"))
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several writers (web, task worker, CLI) share one file: wait instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATA_DIR.mkdir(parents=True, exist_ok=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Two logins: the site's (/konto/anmelden/, every account) and the admin's (staff only).
# Failed attempts are counted per client address and per
# username (RATE_LIMITS "login-address", "login-username"); over either limit the
# backend refuses before checking the password, and the login page answers 429.
AUTHENTICATION_BACKENDS = ["leitbild.core.auth.ThrottledModelBackend"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Interface languages: German by default, English available.
LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

# Content languages: the concept's texts are written in German (the source) and can
# carry translations into any of these. "de-easy" is easy-to-read German (Leichte
# Sprache); its HTML language tag stays "de". Direction matters for Arabic, Persian …
# ``name_local`` is the language's own name, shown in the content-language switcher.
# A city adds a language here (no migration needed); see docs/operations.md.
CONTENT_SOURCE_LANGUAGE = "de"
CONTENT_LANGUAGES = {
    "de": {"name": _("German"), "name_local": "Deutsch", "html_lang": "de", "dir": "ltr"},
    "de-easy": {
        "name": _("Easy-to-read German"),
        "name_local": "Leichte Sprache",
        "html_lang": "de",
        "dir": "ltr",
    },
    "en": {"name": _("English"), "name_local": "English", "html_lang": "en", "dir": "ltr"},
    "ar": {"name": _("Arabic"), "name_local": "العربية", "html_lang": "ar", "dir": "rtl"},
    "fa": {"name": _("Persian"), "name_local": "فارسی", "html_lang": "fa", "dir": "rtl"},
    "tr": {"name": _("Turkish"), "name_local": "Türkçe", "html_lang": "tr", "dir": "ltr"},
    "ru": {"name": _("Russian"), "name_local": "Русский", "html_lang": "ru", "dir": "ltr"},
    "uk": {"name": _("Ukrainian"), "name_local": "Українська", "html_lang": "uk", "dir": "ltr"},
    "pl": {"name": _("Polish"), "name_local": "Polski", "html_lang": "pl", "dir": "ltr"},
}
# A content language chosen with ?lang= is remembered in this cookie, so that it stays
# while the visitor moves from page to page.
CONTENT_LANGUAGE_COOKIE_NAME = "leitbild_content_language"

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
# Never served: uploaded register extracts (while processed) and their aggregates.
PRIVATE_ROOT = DATA_DIR / "private"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

LOGIN_URL = "account:login"
# After logging in without a page to return to: the workspace (staff and organisation members).
LOGIN_REDIRECT_URL = "workspace:dashboard"
LOGOUT_REDIRECT_URL = "concept:home"
# The link to set a new password works once and for this long.
PASSWORD_RESET_TIMEOUT = 3 * 3600

# Security. Scripts and styles only from our own origin; no inline script anywhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
# Lax, not Strict: a visitor following the link in our confirmation e-mail arrives from
# another site and must still carry their session (cross-site POSTs stay cookie-less).
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Reverse proxies whose X-Forwarded-For names the visitor (addresses or networks, "*" for
# any peer). The same variable tells gunicorn whom to trust with X-Forwarded-Proto.
FORWARDED_ALLOW_IPS = env_list("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Background work (e-mails, exports) goes through Django's task framework. The
# database backend needs no extra service: run `leitbild db_worker` next to the web
# server (`make demo` does). Tests run tasks in-process.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# E-mail: printed to the console in development; SMTP settings from the environment.
EMAIL_BACKEND_PATH = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
MAILERS = {"default": {"BACKEND": EMAIL_BACKEND_PATH}}
if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": os.environ.get("EMAIL_HOST", "localhost"),
        "port": int(os.environ.get("EMAIL_PORT", "25")),
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS"),
        "timeout": 30,
    }
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "leitbild <noreply@localhost>")
# Absolute links in e-mails and calendar feeds, e.g. https://leitbild.stadt-muenster.de
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000" if DEBUG else "").rstrip("/")

# Participation: anti-spam and moderation.
RATE_LIMITS = {
    # action: (requests, seconds) per client address
    "contribution": (10, 3600),
    "registration": (20, 3600),
    "report": (20, 3600),
    "ballot": (10, 3600),
    "api-registration": (30, 3600),
    # Staff writes through the API, per user (see api/auth.py).
    "api-staff-write": (1000, 3600),
    "privacy-request": (5, 3600),
    "password-reset": (5, 3600),
    # The buttons behind the links we e-mail: confirm a contribution or vote, cancel a
    # registration, erase one's data. The links carry long random tokens; the limit
    # stops anyone from trying them by the thousand.
    "email-link": (30, 3600),
    # Failed staff logins in 15 minutes. Per address higher than per username: a city
    # office reaches us through one address, and one person's typos must not lock out
    # their colleagues.
    "login-address": (20, 900),
    "login-username": (5, 900),
}
# Privacy (see docs/operations.md): who is responsible, shown on /datenschutz/; how long a
# link to one's data works; when registrations are anonymised after their event.
PRIVACY_CONTROLLER = os.environ.get("PRIVACY_CONTROLLER", "")
PRIVACY_CONTACT = os.environ.get("PRIVACY_CONTACT", "")
PRIVACY_OFFICER = os.environ.get("PRIVACY_OFFICER", "")
PRIVACY_REQUEST_HOURS = int(os.environ.get("PRIVACY_REQUEST_HOURS", "48"))
REGISTRATION_RETENTION_DAYS = int(os.environ.get("REGISTRATION_RETENTION_DAYS", "90"))
AUTO_HIDE_REPORTS = int(os.environ.get("AUTO_HIDE_REPORTS", "3"))
# Who-took-part statistics: counts below STATS_MIN_COUNT are shown only as "fewer than";
# with fewer than STATS_MIN_TOTAL people no breakdown is shown at all.
STATS_MIN_COUNT = 5
STATS_MIN_TOTAL = 10
# NRW requires a valid integration concept: the staff dashboard warns this many months
# before the adopted edition expires.
LEITBILD_EXPIRY_WARNING_MONTHS = int(os.environ.get("LEITBILD_EXPIRY_WARNING_MONTHS", "12"))

# LOG_FORMAT=json: one JSON object per line (time, level, logger, message, request id,
# exception) for a log collector; the default stays plain text for people.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text").strip().lower()
if LOG_FORMAT not in {"text", "json"}:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"LOG_FORMAT must be 'text' or 'json', not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "leitbild.ops.logging.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"}
        | ({"formatter": "json"} if LOG_FORMAT == "json" else {})
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint reports every layout step at INFO; its warnings still show.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}},
}

# /healthz reports the task queue as "stale" (status "degraded", still HTTP 200) when a
# task has waited longer than this: the worker is down or cannot keep up.
HEALTH_TASK_STALE_SECONDS = int(os.environ.get("HEALTH_TASK_STALE_SECONDS", "900"))
# A register run or monitoring report marked running whose worker has written no progress
# for this long is taken for dead (the task framework does not notice a killed worker):
# `leitbild abandon_stalled_jobs` (every 15 minutes under `serve --production`) marks it
# failed and deletes a register run's uploaded microdata.
JOB_STALL_MINUTES = int(os.environ.get("JOB_STALL_MINUTES", "60"))

# Register-derived monitoring (issue 5): counts below REGISTER_MIN_COUNT are not published
# (with secondary suppression), nor shares of fewer than REGISTER_MIN_DENOMINATOR residents.
REGISTER_MIN_COUNT = int(os.environ.get("REGISTER_MIN_COUNT", "3"))
REGISTER_MIN_DENOMINATOR = int(os.environ.get("REGISTER_MIN_DENOMINATOR", "30"))
REGISTER_UPLOAD_MAX_BYTES = int(os.environ.get("REGISTER_UPLOAD_MAX_BYTES", str(4 * 1024**3)))

# Uploads (staff only; no public form takes files). Each is refused above its limit and
# checked by its content, not its name (core/uploads.py).
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", str(10 * 1024**2)))
OBSERVATIONS_UPLOAD_MAX_BYTES = int(
    os.environ.get("OBSERVATIONS_UPLOAD_MAX_BYTES", str(20 * 1024**2))
)
BOUNDARIES_UPLOAD_MAX_BYTES = int(os.environ.get("BOUNDARIES_UPLOAD_MAX_BYTES", str(20 * 1024**2)))
# Request bodies without files (forms, JSON) are small; files above the second limit
# are streamed to a temporary file instead of memory. Django's defaults, stated here so
# that nobody raises them by accident: a larger body is refused with 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
