"""Production: refuses to start without a secret key and allowed hosts; HTTPS only."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = False

# No defaults: a missing variable stops the process with ImproperlyConfigured naming it.
SECRET_KEY = env("DJANGO_SECRET_KEY")
if not SECRET_KEY.strip() or SECRET_KEY.startswith(("insecure-", "django-insecure-")):
    raise ImproperlyConfigured(
        "Set DJANGO_SECRET_KEY to a long random value, not empty and not a development key."
    )
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set DJANGO_ALLOWED_HOSTS to the site's host names.")

# Behind a TLS-terminating proxy that sets X-Forwarded-Proto. DJANGO_SECURE_SSL_REDIRECT=false
# only for a local stack with no proxy (docker-compose.yml on a developer's machine).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
