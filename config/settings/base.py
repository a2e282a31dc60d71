"""Settings shared by every run mode.

With no environment set this is the embedded default: SQLite, Celery tasks run inline, email
printed to the console, local-memory cache. DATABASE_URL, REDIS_URL and EMAIL_URL switch to the
full stack (PostgreSQL, Redis as broker and cache, SMTP).
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

# An embedded checkout is a developer's machine; production.py turns all of this off.
DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env(
    "DJANGO_SECRET_KEY", default="insecure-embedded-development-key-not-for-production"
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
# Absolute links in emails and the origin the PDF renderer resolves relative URLs against.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "core",
    "audit",
    "people",
    "notifications",
    "trainers",
    "sessions",
    "evaluations",
    "expenses",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the body: an oversized upload is refused from its Content-Length.
    "core.middleware.RequestSizeLimitMiddleware",
    # A NUL byte in the path (404) or in a parameter or cookie (400) never reaches PostgreSQL.
    "core.middleware.RefuseNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "audit.middleware.AuditPermissionDeniedMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "people.middleware.SessionLimitsMiddleware",
    "people.middleware.SecondFactorMiddleware",
    "people.middleware.NoStoreMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, so it sees the outcome of authentication.
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "people.navigation.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
# A Redis that is away or stuck costs a request two seconds, not a hang: the rate limits then
# fail safe (core.ratelimit).
REDIS_CACHE_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 2}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": REDIS_CACHE_OPTIONS,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out account before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# Sign-in lockout: a username + address pair is locked after 5 failures for 30 minutes, and
# unknown usernames are locked the same way, so a lockout says nothing about which accounts exist.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The lock lifts 30 minutes after it began, however often someone keeps trying meanwhile.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
# The real client address behind TLS proxies: how many proxies in front of the app append to
# X-Forwarded-For (0 = none, X-Forwarded-For is ignored). Every limit keyed on the client address,
# the sign-in lockout and the audit trail read it through core.clientaddress.client_address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "core.clientaddress.client_address"
# Public registrations taken from one network address an hour (sessions.views.RegisterView):
# raise it if many learners register from one shared address (a trust's single outgoing one).
PUBLIC_REGISTRATIONS_PER_ADDRESS_PER_HOUR = env.int(
    "PUBLIC_REGISTRATIONS_PER_ADDRESS_PER_HOUR", default=20
)

# Sign-in lasts at most 12 hours, and ends after 30 minutes without activity
# (people.middleware.SessionLimitsMiddleware).
SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=12)
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Second factor (django-otp): required for coordinators, managers and admins.
OTP_TOTP_ISSUER = "Coproduce"
# people/admin.py replaces django-otp's device admin with a read-only one; this hides the key and
# the QR code in django-otp's own admin too, should it ever be registered again.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Emailed codes are time-based too, in 10-minute steps, so no code is ever stored to be sent.
EMAIL_CODE_STEP_SECONDS = 600

# No inline scripts or styles anywhere; everything comes from the app's own static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# One uploaded file at most 10 MB (core.uploads); one request at most 25 MB, so several receipts
# fit in one claim but a 50 MB upload is refused before it is read (core.middleware).
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_REQUEST_BYTES = 25 * 1024 * 1024

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Bootstrap and htmx come from npm (package-lock.json) and are served by the app, never a CDN.
STATICFILES_DIRS: list[Path | tuple[str, Path]] = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist" / "js"),
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist" / "css"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Coproduce <noreply@coproduce.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Seconds any one SMTP step (connect, each command, the message) may take before the attempt
# fails and the message waits for its next try; a send claims its row for NOTIFICATION_LEASE.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)

# Without a broker, tasks run inline (after the surrounding transaction commits).
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
# With the broker away a request hands a task over in about a second and answers anyway: the
# row stays queued in the database and beat's sweep hands it over again (core.handoff).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# socket_timeout too: a broker that keeps the connection but stops answering (paused, a network
# black hole) otherwise holds a publish, and the request making it, for ever.
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 2}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
# The worker keeps Django's LOGGING (its console handler redacts secrets, core.logging) instead
# of replacing the root logger's handlers with Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "send-due-notifications": {
        "task": "notifications.tasks.send_due_notifications",
        "schedule": 60.0,
    },
    # The recruitment privacy statement promises deletion 12 months after an application closes.
    "purge-closed-applications": {
        "task": "trainers.tasks.purge_closed_applications",
        "schedule": crontab(hour=3, minute=15),
    },
    # Learners who have not given feedback get one reminder 3 days after their invitation.
    "send-evaluation-chasers": {
        "task": "evaluations.tasks.send_evaluation_chasers",
        "schedule": crontab(minute=5),
    },
    # Claims unpaid 10 working days after submission are flagged to coordinators, once.
    "flag-overdue-claims": {
        "task": "expenses.tasks.flag_overdue_claims",
        "schedule": crontab(hour=8, minute=0),
    },
    # Yearly statements whose hand-off to the worker was lost (the broker was away) go again.
    "hand-off-waiting-statements": {
        "task": "expenses.tasks.hand_off_waiting_statements",
        "schedule": 120.0,
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"redact_secrets": {"()": "core.logging.RedactSecretsFilter"}},
    # The filter on the handler too, so every logger that names a URL (axes, celery, a library)
    # is redacted, not only the request loggers.
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_secrets"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # PDF rendering narrates every step at INFO.
    "loggers": {
        # Takes away Django's own handlers on "django" (a console in DEBUG, mail to ADMINS),
        # which print and mail paths unredacted; its records reach the console above instead.
        "django": {},
        # Request logs name the path, and some paths carry a token (feeds, links in emails).
        "django.request": {"filters": ["redact_secrets"]},
        "django.server": {"filters": ["redact_secrets"], "propagate": True},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
