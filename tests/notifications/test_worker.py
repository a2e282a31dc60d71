"""A real Celery worker, fed through Redis, sends a queued notification once even when the
task is delivered twice. Runs when REDIS_URL is set and the tests use PostgreSQL (CI)."""

import os
import re
import uuid

import pytest
from django.db import connection
from django.utils import timezone

from config.celery_app import app as celery_app
from notifications.models import Notification
from notifications.tasks import send_notification
from tests.factories import UserFactory
from tests.notifications.conftest import start_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker_setup(smtp_server, tmp_path):
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url or connection.vendor != "postgresql":
        pytest.skip(
            "WORKER TEST NOT RUN: needs REDIS_URL and a PostgreSQL DATABASE_URL (CI sets both)."
        )
    queue_name = f"test-{uuid.uuid4().hex}"
    log = tmp_path / "worker.log"
    worker = start_worker(
        broker_url=redis_url, smtp_port=smtp_server.port, log=log, queue=queue_name
    )
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield queue_name, log
    celery_app.conf.task_always_eager = eager
    worker.terminate()
    worker.wait(timeout=30)


def test_a_task_delivered_twice_sends_the_email_exactly_once(worker_setup, smtp_server):
    queue_name, log = worker_setup
    person = UserFactory(email="learner@example.org")
    # Recorded directly: the service would already hand it to the default queue on commit.
    notification = Notification.objects.create(
        key="worker-test",
        kind="password_reset",
        recipient_email=person.email,
        recipient_user=person,
        subject="Reset your Coproduce password",
        template="people/email/password_reset",
        due_at=timezone.now(),
    )

    for _ in range(2):
        send_notification.apply_async(args=[notification.pk], queue=queue_name)

    wait_for(
        lambda: log.read_text().count("succeeded in") >= 2,
        timeout=90,
        what="the worker to finish both deliveries",
        log=log,
    )
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert notification.attempts == 1
    assert [e.rcpt_tos for e in smtp_server.inbox.envelopes] == [["learner@example.org"]]
    # The worker logs through Django's LOGGING, whose console handler redacts secrets
    # (core.logging), not through handlers of Celery's own.
    task_lines = [line for line in log.read_text().splitlines() if "succeeded in" in line]
    assert task_lines
    assert all(re.match(r"\d{4}-\d\d-\d\d [\d:,]+ INFO celery\.", line) for line in task_lines)
