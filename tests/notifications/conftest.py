import asyncio
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope
from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted"


class StallingInbox(Inbox):
    """Holds the message to one address (answers nothing for `hold` seconds); takes the rest."""

    def __init__(self, *, stall_for: str, hold: float) -> None:
        super().__init__()
        self.stall_for, self.hold = stall_for, hold
        self.stalling = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        if self.stall_for in envelope.rcpt_tos:
            self.stalling.set()
            await asyncio.sleep(self.hold)
        return await super().handle_DATA(server, session, envelope)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class InboxController(Controller):
    """An SMTP server whose handler is at `.inbox`."""

    inbox: Inbox


def smtp_controller(handler, port: int | None = None) -> InboxController:
    controller = InboxController(handler, hostname="127.0.0.1", port=port or free_port())
    controller.start()
    controller.inbox = handler
    return controller


@pytest.fixture
def smtp_server():
    """A real SMTP server on this machine; `.inbox.envelopes` holds what it received."""
    controller = smtp_controller(Inbox())
    yield controller
    controller.stop()


def use_smtp(settings, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False


@pytest.fixture
def smtp_settings(settings, smtp_server):
    use_smtp(settings, smtp_server.port)
    return smtp_server


@pytest.fixture
def silent_server():
    """A TCP server that accepts connections and never says a word (a stuck mail server)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join(timeout=5)
    for sock in accepted:
        sock.close()
    listener.close()


class RedisServer:
    """A redis-server of the test's own, which the test may stop and start again."""

    def __init__(self, port: int, folder: Path) -> None:
        self.port, self.folder = port, folder
        self.process: subprocess.Popen[bytes] | None = None
        self.url = f"redis://127.0.0.1:{port}/0"

    def start(self) -> None:
        program = shutil.which("redis-server")
        if program is None:
            raise RuntimeError("redis-server is not on the PATH")
        self.process = subprocess.Popen(  # noqa: S603 (our own command line)
            [program, "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def redis_server(tmp_path):
    """A private Redis (never the shared one), running; `.stop()` and `.start()` it at will."""
    if not shutil.which("redis-server"):
        pytest.skip("BROKER TEST NOT RUN: needs redis-server on the PATH (CI has it).")
    server = RedisServer(free_port(), tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def celery_on(redis_server):
    """Celery in this process publishes to the private Redis instead of running tasks inline."""
    from config.celery_app import app

    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}

    def reset_pools() -> None:
        # Celery's private pools, which its types leave out.
        app._pool = None  # type: ignore[attr-defined]
        app.amqp._producer_pool = None  # type: ignore[attr-defined]

    app.conf.broker_url = redis_server.url
    app.conf.task_always_eager = False
    reset_pools()
    yield app
    app.conf.update(saved)
    reset_pools()


def needs_postgresql(what: str) -> None:
    if connection.vendor != "postgresql":
        pytest.skip(f"{what} NOT RUN: needs a PostgreSQL DATABASE_URL (CI sets it).")


def start_worker(*, broker_url: str, smtp_port: int, log: Path, queue: str | None = None):
    """A real Celery worker process on the test database, the broker and the SMTP server."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": broker_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
    }
    queues = ["-Q", queue] if queue else []
    with log.open("w") as output:
        return subprocess.Popen(  # noqa: S603 (our own command line)
            [sys.executable, "-m", "celery", "-A", "config", "worker", *queues,
             "-P", "threads", "-c", "2", "--without-gossip", "--without-mingle",
             "--without-heartbeat", "--loglevel=INFO"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip


def wait_for(condition, *, timeout: float, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    tail = f" Worker log:\n{log.read_text()[-3000:]}" if log else ""
    pytest.fail(f"Timed out waiting for {what}.{tail}")
