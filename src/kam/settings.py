"""Django settings, all read from KAM_* environment variables (see kam.config)."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from kam import config

CONFIG = config.load(os.environ)
BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = CONFIG.data_dir

SECRET_KEY = CONFIG.secret_key
DEBUG = CONFIG.debug
ALLOWED_HOSTS = CONFIG.allowed_hosts
CSRF_TRUSTED_ORIGINS = CONFIG.csrf_trusted_origins

INSTALLED_APPS = [
    "kam.core.admin_site.KamAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_countries",
    "ninja",
    "kam.core",
    "kam.users",
    "kam.accounts",
    "kam.ledger",
    "kam.relationships",
    "kam.planning",
    "kam.plans",
    "kam.priorities",
    "kam.selection",
    "kam.risk",
    "kam.tactics",
    "kam.demo",
    "kam.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kam.core.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "kam.api.etags.VersionETagMiddleware",
]

ROOT_URLCONF = "kam.urls"
WSGI_APPLICATION = "kam.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": CONFIG.database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "users.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "accounts:dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("zh-hant", _("Traditional Chinese")),
    ("id", _("Indonesian")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
FORMAT_MODULE_PATH = ["kam.formats"]
TIME_ZONE = CONFIG.time_zone
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# Serve straight from the packages' static folders: kam is pip-installed and run without a
# collectstatic step, and the asset set is small.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

CELERY_BROKER_URL = CONFIG.broker_url
CELERY_TASK_ALWAYS_EAGER = not CONFIG.broker_url
# A running job writes a heartbeat several times within this many seconds; one whose
# heartbeat is older, or whose process has gone, is failed (kam.core.jobs.jobs_sweep).
JOB_HEARTBEAT_TIMEOUT = CONFIG.job_heartbeat_timeout
# `celery -A kam worker -B` (or a separate `celery -A kam beat`) runs the sweep.
CELERY_BEAT_SCHEDULE = {
    "kam-jobs-sweep": {"task": "kam.jobs_sweep", "schedule": JOB_HEARTBEAT_TIMEOUT},
}
# kam/celery.py adds the weekly "my week" digest (a crontab, which would load Celery here).
CELERY_TIMEZONE = TIME_ZONE

# E-mail (the weekly digest): SMTP when KAM_EMAIL_HOST is set, else written to the console.
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if CONFIG.email_host
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = CONFIG.email_host or "localhost"
EMAIL_PORT = CONFIG.email_port
EMAIL_HOST_USER = CONFIG.email_host_user
EMAIL_HOST_PASSWORD = CONFIG.email_host_password
EMAIL_USE_TLS = CONFIG.email_use_tls
DEFAULT_FROM_EMAIL = CONFIG.email_from
KAM_SITE_URL = CONFIG.site_url

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": CONFIG.log_level},
}

# STATIC_ROOT only exists after `kam collectstatic` (production); until then WhiteNoise serves
# from the finders and its warning about the missing folder is noise.
warnings.filterwarnings("ignore", message="No directory at: ")

# --- Login protection and HTTPS hardening (issue 9, items 4 and 5) -------------------------
# Kept in one block so that other changes to this file merge around it.
from datetime import timedelta  # noqa: E402

INSTALLED_APPS += ["axes", "csp"]
# axes' middleware turns a lockout into the login page with the reason; its documentation
# asks for it last. CSP only adds a header to each response.
MIDDLEWARE.insert(
    MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1,
    "csp.middleware.CSPMiddleware",
)
MIDDLEWARE.append("axes.middleware.AxesMiddleware")

AUTHENTICATION_BACKENDS = [
    "kam.users.lockout.LoginThrottleBackend",  # first: refuses a locked-out login early
    "django.contrib.auth.backends.ModelBackend",
    "kam.users.lockout.LeadUnlocksLogins",
]
KAM_PROXY_COUNT = CONFIG.proxy_count
AXES_FAILURE_LIMIT = CONFIG.login_failure_limit
AXES_COOLOFF_TIME = timedelta(minutes=CONFIG.login_cooloff_minutes)
# Either one counts: guessing many passwords for one name from many addresses, or many
# names from one address, are both stopped.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# A success must not clear the count: it would clear every failure from that address, so
# someone with a login of their own could guess another user's password without end.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "kam.users.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "kam.users.lockout.client_address"
# Registered on kam's admin site by kam.users.admin, with an "unlock" action.
AXES_ENABLE_ADMIN = False
# Failures and lockouts are still logged as warnings; this only drops a banner at start-up
# that would land in the output of every `kam` command.
AXES_VERBOSE = False

if CONFIG.https:
    # kam sits behind a proxy that ends TLS and sets X-Forwarded-Proto (it must overwrite a
    # value sent by the client).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = CONFIG.hsts_seconds
    SECURE_HSTS_INCLUDE_SUBDOMAINS = CONFIG.hsts_include_subdomains
    SECURE_HSTS_PRELOAD = CONFIG.hsts_preload

# Scripts only from kam's own files: no inline script, no eval. Inline styles are allowed:
# the bars and heat-map cells set a width or shade in a style attribute, and Django's admin
# and the API docs (Swagger UI) add style elements; a style runs no script, and img-src and
# connect-src keep it from sending anything elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# --- end of login protection and HTTPS hardening ------------------------------------------

# --- Uploaded files (plan attachments, issue 11 item 6) -----------------------------------
# Django's storage API: the data directory by default; a deployment may set STORAGES to any
# backend Django supports (S3 through django-storages, ...). Files are served only through
# kam's own views, which check who sees the account: there is no MEDIA_URL route.
MEDIA_ROOT = CONFIG.files_dir
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
KAM_ATTACHMENT_MAX_BYTES = CONFIG.attachment_max_mb * 1024 * 1024
# --- end of uploaded files -----------------------------------------------------------------
