"""A real gunicorn, started with config/gunicorn.py as the image and compose start it, writes
no token or check-in code to its access log. Runs on PostgreSQL (the server process needs the
test database; CI uses PostgreSQL)."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.log_secrets import secrets_in

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(settings.BASE_DIR)
NO_DIGIT = "abcdefghijklmnopqrstuvwxyzABCDEF"
CODE = "ABCDEFGH"
CODE_WITH_DIGITS = "ABCD2345"
RESET = ("MTIz", "cf1x2k-9b8e7d6c5b4a39281706f5e4d3c2b1a0")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, **headers) -> int:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (our own server)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def gunicorn(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("GUNICORN TEST NOT RUN: needs a PostgreSQL DATABASE_URL (CI sets one).")
    db = connection.settings_dict
    port = _free_port()
    access_log = tmp_path / "access.log"
    error_log = tmp_path / "error.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "WEB_CONCURRENCY": "1",
    }
    server = subprocess.Popen(  # noqa: S603 (our own command line)
        # The console script, as the image runs it (not `python -m`, which puts the code on
        # sys.path by itself).
        [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi", "-c", "config/gunicorn.py",
         "--bind", f"127.0.0.1:{port}", "--access-logfile", str(access_log),
         "--error-logfile", str(error_log)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            _get(base + "/accounts/sign-in/")
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                log = error_log.read_text() if error_log.exists() else ""
                pytest.fail(f"gunicorn did not start:\n{log[-3000:]}")
            time.sleep(0.3)
    yield base, access_log
    server.terminate()
    server.wait(timeout=30)


def _access_log(access_log: Path, lines: int) -> str:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        text = access_log.read_text()
        if text.count("\n") >= lines:
            return text
        time.sleep(0.1)
    return access_log.read_text()


def test_the_access_log_carries_no_token_or_check_in_code(gunicorn):
    base, access_log = gunicorn
    paths = [
        f"/evaluate/{NO_DIGIT}/",
        f"/evaluate/{NO_DIGIT}/certificate.pdf",
        f"/calendar/{NO_DIGIT}.ics",
        f"/invitations/{NO_DIGIT}/accept/",
        f"/registrations/{NO_DIGIT}/cancel/",
        f"/register/{NO_DIGIT}/",
        f"/c/{CODE}/",
        f"/c/{CODE_WITH_DIGITS}/",
        f"/evaluate/s/{CODE}/",
        f"/accounts/password-reset/{RESET[0]}/{RESET[1]}/",
        f"/accounts/sign-in/?next=/invitations/{NO_DIGIT}/decline/",
        f"/accounts/sign-in/?next=%2Fevaluate%2F{NO_DIGIT}%2Fthanks%2F",
        f"/schedule/?token={NO_DIGIT}",
    ]

    statuses = [_get(base + path, Referer=f"{base}/register/{NO_DIGIT}/") for path in paths]
    log = _access_log(access_log, len(paths) + 1)

    assert all(status < 500 for status in statuses), statuses
    assert log.count("<secret>") >= len(paths)
    for secret in (NO_DIGIT, CODE, CODE_WITH_DIGITS, RESET[0], RESET[1]):
        assert secret not in log, log
    assert secrets_in(log) == []
    # The lines still say what was asked for, and how it went.
    assert '"GET /evaluate/<secret>/ HTTP/1.1" 404' in log
    assert '"GET /c/<secret>/ HTTP/1.1" 404' in log


def test_the_access_log_still_names_ordinary_paths(gunicorn):
    base, access_log = gunicorn

    _get(base + "/join/?page=2")
    log = _access_log(access_log, 2)

    assert '"GET /join/?page=2 HTTP/1.1" 200' in log


def test_the_image_and_compose_start_gunicorn_with_the_config_file():
    dockerfile = (ROOT / "Dockerfile").read_text()
    compose = (ROOT / "docker-compose.yml").read_text()

    assert "config/gunicorn.py" in dockerfile
    assert "config/gunicorn.py" in compose
    assert "--access-logfile" not in dockerfile + compose  # set in the config file, once
