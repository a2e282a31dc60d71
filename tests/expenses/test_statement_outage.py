"""A yearly statement asked for while the broker is down: the request still answers, the
statement stays queued, and beat's sweep hands it to a worker once the broker is back. The
broker is a real, private Redis (tests/notifications/conftest.py); without redis-server these
skip, saying so."""

from datetime import UTC, datetime, timedelta

import pytest
import redis
import time_machine
from django.conf import settings
from django.urls import reverse

from expenses.models import Statement
from expenses.services import STATEMENT_HAND_OFF_GRACE
from expenses.tasks import hand_off_waiting_statements, prepare_statement
from tests.notifications.conftest import celery_on, redis_server  # noqa: F401  (fixtures)
from tests.trainers.factories import TrainerFactory

pytestmark = pytest.mark.django_db

START = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


@pytest.fixture
def trainer():
    trainer = TrainerFactory(status="active")
    trainer.created_at = START - timedelta(days=800)
    trainer.save(update_fields=["created_at"])
    return trainer


def waiting_in_the_broker(redis_server) -> int:  # noqa: F811
    with redis.Redis.from_url(redis_server.url) as client:
        return client.llen("celery")


def sweep_at(moment: datetime) -> int:
    with time_machine.travel(moment, tick=False):
        return hand_off_waiting_statements()


def test_asking_while_the_broker_is_down_answers_and_the_sweep_hands_it_over_later(
    client,
    trainer,
    celery_on,  # noqa: F811
    redis_server,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    client.force_login(trainer.user)
    redis_server.stop()

    with time_machine.travel(START, tick=False), django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("expenses:statement-request", kwargs={"pk": trainer.pk, "year": 2026})
        )

    assert response.status_code == 302
    statement = Statement.objects.get()
    assert (statement.status, statement.handed_off_at) == (Statement.Status.QUEUED, None)
    # Still down a few minutes on: the sweep hands nothing over, and loses nothing.
    assert sweep_at(START + STATEMENT_HAND_OFF_GRACE + timedelta(seconds=1)) == 0
    statement.refresh_from_db()
    assert (statement.status, statement.handed_off_at) == (Statement.Status.QUEUED, None)

    redis_server.start()
    assert sweep_at(START + STATEMENT_HAND_OFF_GRACE + timedelta(minutes=2)) == 1
    assert waiting_in_the_broker(redis_server) == 1
    # Already waiting in the broker: the next sweeps leave it there.
    assert sweep_at(START + STATEMENT_HAND_OFF_GRACE + timedelta(minutes=4)) == 0
    assert waiting_in_the_broker(redis_server) == 1

    prepare_statement(statement.pk)  # the worker takes it
    statement.refresh_from_db()
    assert statement.status == Statement.Status.READY
    assert sweep_at(START + STATEMENT_HAND_OFF_GRACE * 3) == 0


def test_the_sweep_leaves_a_statement_just_asked_for_to_its_own_hand_off(
    trainer,
    celery_on,  # noqa: F811
    redis_server,  # noqa: F811
):
    Statement.objects.create(
        trainer=trainer, start_year=2026, requested_by=trainer.user, requested_at=START
    )

    assert sweep_at(START + timedelta(minutes=1)) == 0
    assert waiting_in_the_broker(redis_server) == 0
    assert sweep_at(START + STATEMENT_HAND_OFF_GRACE + timedelta(seconds=1)) == 1


def test_beat_runs_the_sweep_every_few_minutes():
    entry = settings.CELERY_BEAT_SCHEDULE["hand-off-waiting-statements"]

    assert entry["task"] == hand_off_waiting_statements.name
    assert entry["schedule"] <= timedelta(minutes=5).total_seconds()
