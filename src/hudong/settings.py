"""Hudong settings, read from the environment so one build runs anywhere.

Development defaults (SQLite under ``var/``, an obviously insecure secret key) are only
accepted when ``HUDONG_ENV=development``; anything else must be configured explicitly.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("HUDONG_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    """Read a yes/no variable the way operators write it."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


HUDONG_ENV = os.environ.get("HUDONG_ENV", "production")
DEVELOPMENT = HUDONG_ENV in {"development", "test"}
DEBUG = env_bool("DEBUG", False)

_INSECURE_KEY = "insecure-development-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEVELOPMENT:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY, or HUDONG_ENV=development for a local run."
        )
    SECRET_KEY = _INSECURE_KEY
elif SECRET_KEY == _INSECURE_KEY and not DEVELOPMENT:
    raise ImproperlyConfigured("The development SECRET_KEY may not be used outside development.")

HOST = os.environ.get("HOST", "127.0.0.1")
PORT = int(os.environ.get("PORT", "8000"))
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks_db",
    "hudong.core",
    "hudong.customers",
    "hudong.commerce",
    "hudong.interactions",
    "hudong.interactions.channels.email",
    "hudong.interactions.channels.sms",
    "hudong.interactions.channels.webhooks",
    "hudong.interactions.channels.telephony",
    "hudong.interactions.channels.webchat",
    "hudong.interactions.inbox",
    "hudong.service",
    "hudong.insights",
    "hudong.web",
    "hudong.api",
    "hudong.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "hudong.api.middleware.ApiProblemMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "hudong.core.middleware.ActorMiddleware",
    "hudong.web.errors.DomainErrorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "hudong.urls"
ASGI_APPLICATION = "hudong.asgi.application"
WSGI_APPLICATION = "hudong.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hudong.web.context.navigation",
            ],
        },
    },
]


def _database() -> dict:
    """SQLite by default (WAL, IMMEDIATE transactions, foreign keys); any URL otherwise. A
    SQLite URL gets the same settings as the default file: WAL, IMMEDIATE, full sync."""
    url = os.environ.get("DATABASE_URL", "")
    if url:
        config = dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
        if config["ENGINE"] != "django.db.backends.sqlite3":
            return config
        name = config["NAME"]
    else:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        name = VAR_DIR / "hudong.sqlite3"
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": name,
        # Keep connections open between requests: opening one costs more than a screen pop.
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=FULL;"
                "PRAGMA foreign_keys=ON;"
                "PRAGMA busy_timeout=20000;"
            ),
        },
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["hudong.core.lockout.LockoutModelBackend"]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"
# Lock an account after this many failures inside the window, for the window.
HUDONG_LOCKOUT_FAILURES = int(os.environ.get("HUDONG_LOCKOUT_FAILURES", "5"))
HUDONG_LOCKOUT_MINUTES = int(os.environ.get("HUDONG_LOCKOUT_MINUTES", "15"))

# Identity resolution: pairs at or above AUTO merge by themselves; between REVIEW and AUTO they
# wait for a person in the review queue.
HUDONG_MATCH_AUTO = float(os.environ.get("HUDONG_MATCH_AUTO", "0.99"))
HUDONG_MATCH_REVIEW = float(os.environ.get("HUDONG_MATCH_REVIEW", "0.8"))
# Data quality: a fact not verified for this many days is stale (a drip question may set its own).
HUDONG_STALE_AFTER_DAYS = int(os.environ.get("HUDONG_STALE_AFTER_DAYS", "365"))

# Interactions: where a customer first met on a channel is placed until someone knows better;
# how long an open conversation stays the one a new contact continues; contact-policy defaults.
HUDONG_DEFAULT_REGION = os.environ.get("HUDONG_DEFAULT_REGION", "")
HUDONG_THREAD_CONTINUE_DAYS = int(os.environ.get("HUDONG_THREAD_CONTINUE_DAYS", "14"))
HUDONG_QUIET_HOURS = os.environ.get("HUDONG_QUIET_HOURS", "21:00-08:00")
HUDONG_MARKETING_PER_WEEK = int(os.environ.get("HUDONG_MARKETING_PER_WEEK", "2"))
# Value tiers until the insights engine computes them: order total of the last 12 months (CNY)
# at or above A is tier A, at or above B tier B, else C; and the channels each tier is served on,
# best first (personal contact for the top, self-service for the bottom).
HUDONG_TIER_A = os.environ.get("HUDONG_TIER_A", "5000")
HUDONG_TIER_B = os.environ.get("HUDONG_TIER_B", "1000")
HUDONG_TIER_CHANNELS = {
    "A": ["phone", "face", "email", "webchat"],
    "B": ["email", "webchat", "phone", "sms"],
    "C": ["sms", "webform", "email", "webchat"],
}

# Service recovery and the satisfaction survey (see docs/service/recovery.md): the most one
# recovery action may cost (CNY); a CSAT score at or below the low mark alerts the supervisors
# and (unless turned off) reopens the case; how long a survey link stays valid.
HUDONG_RECOVERY_MAX_COST = os.environ.get("HUDONG_RECOVERY_MAX_COST", "100000")
HUDONG_CSAT_LOW_SCORE = int(os.environ.get("HUDONG_CSAT_LOW_SCORE", "2"))
HUDONG_CSAT_REOPEN_ON_LOW = env_bool("HUDONG_CSAT_REOPEN_ON_LOW", True)
HUDONG_CSAT_LINK_DAYS = int(os.environ.get("HUDONG_CSAT_LINK_DAYS", "30"))

# The public complaint form (see docs/service/complaints.md): complaints an hour from one
# address and a day for one phone or email, the seconds a person needs at least to fill it in,
# customer messages an hour through one status link, how long a status link stays valid.
HUDONG_COMPLAINTS_PER_IP_HOUR = int(os.environ.get("HUDONG_COMPLAINTS_PER_IP_HOUR", "5"))
HUDONG_COMPLAINTS_PER_IDENTIFIER_DAY = int(
    os.environ.get("HUDONG_COMPLAINTS_PER_IDENTIFIER_DAY", "3")
)
HUDONG_COMPLAINTS_MIN_FILL_SECONDS = int(os.environ.get("HUDONG_COMPLAINTS_MIN_FILL_SECONDS", "3"))
HUDONG_COMPLAINTS_MESSAGES_PER_HOUR = int(
    os.environ.get("HUDONG_COMPLAINTS_MESSAGES_PER_HOUR", "10")
)
HUDONG_COMPLAINTS_STATUS_DAYS = int(os.environ.get("HUDONG_COMPLAINTS_STATUS_DAYS", "365"))

# Channels. Each channel reads its own finer limits (see docs/interactions/); what a deployment
# must set is here, from the environment.
# Outgoing mail: the company's SMTP relay. Without EMAIL_HOST, mail is written to the log.
if os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": int(os.environ.get("EMAIL_PORT", "587")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": os.environ.get("EMAIL_USE_TLS", "1") == "1",
                "use_ssl": os.environ.get("EMAIL_USE_SSL", "0") == "1",
                "timeout": 30,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "service@localhost")
# Where providers and customers reach this installation (links in mail, SMS callbacks).
HUDONG_PUBLIC_URL = os.environ.get("HUDONG_PUBLIC_URL", "")
HUDONG_EMAIL_FROM = os.environ.get("HUDONG_EMAIL_FROM", "")
HUDONG_EMAIL_DOMAINS = os.environ.get("HUDONG_EMAIL_DOMAINS", "")
# SMS gateway (Twilio's Messaging protocol; see docs/interactions/sms.md).
HUDONG_SMS_BASE_URL = os.environ.get("HUDONG_SMS_BASE_URL", "https://api.twilio.com")
HUDONG_SMS_ACCOUNT_SID = os.environ.get("HUDONG_SMS_ACCOUNT_SID", "")
HUDONG_SMS_AUTH_TOKEN = os.environ.get("HUDONG_SMS_AUTH_TOKEN", "")
HUDONG_SMS_FROM = os.environ.get("HUDONG_SMS_FROM", "")
HUDONG_SMS_PREVIOUS_AUTH_TOKENS = os.environ.get("HUDONG_SMS_PREVIOUS_AUTH_TOKENS", "")
# The telephony switch's shared secret(s) for signed CTI events, comma-separated.
HUDONG_CTI_SECRET = os.environ.get("HUDONG_CTI_SECRET", "")
# Sites allowed to embed the web chat widget (scheme://host[:port], comma-separated).
HUDONG_CHAT_ORIGINS = os.environ.get("HUDONG_CHAT_ORIGINS", "")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "src" / "hudong" / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the app and npm folders when nothing was collected (tests, first run).
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEVELOPMENT and not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

TASKS = {
    "default": {
        "BACKEND": os.environ.get("HUDONG_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "hudong": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
        "django_tasks_db": {"handlers": ["console"], "level": "INFO"},
    },
}
