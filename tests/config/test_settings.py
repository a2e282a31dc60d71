"""The run modes (docs/operations.md#run-modes), checked by loading the settings in a fresh
Python process.

Each check runs in a subprocess with its own environment, so the settings of this test process
are never touched. The subprocess starts from this process's environment minus everything that
selects a run mode (DATABASE_URL, REDIS_URL, EMAIL_URL, DJANGO_*), and ignores the project's
.env file (a developer's docker compose .env must not decide the outcome).
"""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]

RUN_MODE_VARIABLES = ("DATABASE_URL", "REDIS_URL", "EMAIL_URL")

PRINT_SETTINGS = """
import json
import django
from django.conf import settings

django.setup()
from config.celery_app import app

print(json.dumps({
    "database_engine": settings.DATABASES["default"]["ENGINE"],
    "cache_backend": settings.CACHES["default"]["BACKEND"],
    "cache_location": settings.CACHES["default"].get("LOCATION"),
    "email_backend": settings.EMAIL_BACKEND,
    "email_host": settings.EMAIL_HOST,
    "email_port": settings.EMAIL_PORT,
    "celery_always_eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "celery_broker_url": settings.CELERY_BROKER_URL,
    "celery_app_always_eager": app.conf.task_always_eager,
    "celery_app_broker_url": app.conf.broker_url,
    "debug": settings.DEBUG,
}))
"""

CHECK_DEPLOY = """
import runpy
import sys

sys.argv = ["manage.py", "check", "--deploy", "--fail-level", "WARNING"]
runpy.run_path("manage.py", run_name="__main__")
"""

FULL_STACK = {
    "DATABASE_URL": "postgres://coproduce:secret@db.internal:5432/coproduce",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "EMAIL_URL": "smtp://mail.internal:1025",
}


def production_secrets() -> dict[str, str]:
    return {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "coproduce.example.org",
    }


def run_python(code: str, **environment: str) -> subprocess.CompletedProcess:
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in RUN_MODE_VARIABLES and not name.startswith("DJANGO_")
    }
    env.update(environment)
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def load_settings(module: str, **environment: str) -> dict:
    result = run_python(PRINT_SETTINGS, DJANGO_SETTINGS_MODULE=module, **environment)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_refuses_to_start_without_a_secret_key():
    result = run_python(
        "import django; django.setup()",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_ALLOWED_HOSTS="coproduce.example.org",
    )

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    "secret_key",
    ["", "   ", "insecure-embedded-development-key-not-for-production"],
    ids=["empty", "blank", "the embedded development key"],
)
def test_production_refuses_an_empty_or_development_secret_key(secret_key):
    result = run_python(
        "import django; django.setup()",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=secret_key,
        DJANGO_ALLOWED_HOSTS="coproduce.example.org",
    )

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_python(
        "import django; django.setup()",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
    )

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr


def test_production_refuses_an_empty_allowed_hosts_list():
    result = run_python(
        "import django; django.setup()",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="",
    )

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr


def test_production_passes_the_deployment_checklist_with_no_warnings():
    result = run_python(
        CHECK_DEPLOY,
        DJANGO_SETTINGS_MODULE="config.settings.production",
        **production_secrets(),
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout + result.stderr


def test_production_turns_debug_off_even_when_the_environment_asks_for_it():
    settings = load_settings(
        "config.settings.production", DJANGO_DEBUG="true", **production_secrets()
    )

    assert settings["debug"] is False


def test_the_embedded_default_needs_no_environment_at_all():
    settings = load_settings("config.settings.base")

    assert settings["database_engine"] == "django.db.backends.sqlite3"
    assert settings["celery_always_eager"] is True
    assert settings["celery_app_always_eager"] is True
    assert settings["celery_broker_url"] == "memory://"
    assert settings["email_backend"] == "django.core.mail.backends.console.EmailBackend"
    assert settings["cache_backend"] == "django.core.cache.backends.locmem.LocMemCache"


@pytest.mark.parametrize(
    ("module", "needs_secrets"),
    [("config.settings.base", False), ("config.settings.production", True)],
    ids=["base", "production"],
)
def test_the_full_stack_uses_postgresql_redis_and_smtp_when_their_urls_are_set(
    module, needs_secrets
):
    environment = dict(FULL_STACK)
    if needs_secrets:
        environment.update(production_secrets())

    settings = load_settings(module, **environment)

    assert settings["database_engine"] == "django.db.backends.postgresql"
    assert settings["cache_backend"] == "django.core.cache.backends.redis.RedisCache"
    assert settings["cache_location"] == FULL_STACK["REDIS_URL"]
    assert settings["celery_always_eager"] is False
    assert settings["celery_app_always_eager"] is False
    assert settings["celery_broker_url"] == FULL_STACK["REDIS_URL"]
    assert settings["celery_app_broker_url"] == FULL_STACK["REDIS_URL"]
    assert settings["email_backend"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (settings["email_host"], settings["email_port"]) == ("mail.internal", 1025)


def test_env_example_lists_every_variable_the_settings_read():
    read = set()
    for path in (PROJECT_ROOT / "config" / "settings").glob("*.py"):
        read |= set(
            re.findall(r"\benv(?:\.\w+)?\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']", path.read_text())
        )
    listed = set(
        re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", (PROJECT_ROOT / ".env.example").read_text(), re.M)
    )

    assert read, "found no env(...) calls; the pattern above needs updating"
    assert read - listed == set()
