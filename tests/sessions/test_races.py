"""Races between coordinators and trainers on one session, with real concurrent transactions on
PostgreSQL: every service that locks a session and the people or assignments
on it takes the session row first, so two of them can queue but never deadlock."""

import contextlib
import threading
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from notifications.models import Notification
from sessions.models import TrainerAssignment, TrainingSession
from sessions.services import (
    TRAINER_REMINDER_KIND,
    _common,
    assignment_accept,
    assignment_withdraw,
    assignments,
    delivery,
    registrations,
    scheduling,
    session_cancel,
    session_confirm,
    session_update,
)
from tests.factories import RegionFactory, TrainerAssignmentFactory, TrainerFactory
from tests.factories import TrainingSessionFactory as SessionFactory
from tests.locks import wait_until_it_waits_for_our_lock

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="RACE TESTS SKIPPED: they need PostgreSQL's row locks and deadlock detection "
        "(SQLite locks the whole file). Set DATABASE_URL to a PostgreSQL database.",
    ),
]

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
DAY = date(2026, 12, 14)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LONDON)


def _in_a_thread(call, outcome: dict, name: str) -> threading.Thread:
    def run():
        try:
            call()
            outcome[name] = "done"
        except ValidationError as error:
            outcome[name] = " ".join(error.messages)
        except Exception as error:  # a deadlock is what these tests look for
            outcome[name] = f"{type(error).__name__}: {error}"
        finally:
            connection.close()

    thread = threading.Thread(target=run, name=name)
    thread.start()
    return thread


@pytest.fixture
def paused_after_first_lock(monkeypatch):
    """Each thread, once it holds its first lock (a session's row or people's rows), waits for
    the other to hold its own first lock too: the moment a deadlock needs. When the other
    cannot get there because it queues behind the first lock, the wait gives up after two
    seconds and the thread goes on."""
    barrier = threading.Barrier(2, timeout=2)
    first_taken: set[str] = set()

    def pausing(real):
        def locked(*args, **kwargs):
            result = real(*args, **kwargs)
            name = threading.current_thread().name
            if name not in first_taken and name != "MainThread":
                first_taken.add(name)
                with contextlib.suppress(threading.BrokenBarrierError):
                    barrier.wait()
            return result

        return locked

    # Patched in every module that looks them up, so each service pauses as it did before.
    for module in (scheduling, assignments, registrations, delivery):
        monkeypatch.setattr(module, "_session_locked", pausing(_common._session_locked))
    for module in (scheduling, assignments):
        monkeypatch.setattr(module, "_people_locked", pausing(_common._people_locked))
    return barrier


def test_withdrawing_a_trainer_while_the_session_moves_neither_deadlocks_nor_loses_either(
    coordinator, paused_after_first_lock
):
    region = RegionFactory()
    session = SessionFactory(region=region, starts_at=at(DAY, 10), coordinator=coordinator)
    trainer = TrainerFactory(certified=True, region=region)
    assignment = TrainerAssignmentFactory(session=session, user=trainer.user, status="accepted")
    outcome: dict[str, str] = {}

    def move():
        session_update(
            session=session,
            course_version=session.course_version,
            starts_at=at(DAY, 14),
            ends_at=at(DAY, 17),
            capacity=session.capacity,
            region=region,
            room=session.room,
            by=coordinator,
        )

    threads = [
        _in_a_thread(
            lambda: assignment_withdraw(assignment=assignment, by=coordinator), outcome, "withdraw"
        ),
        _in_a_thread(move, outcome, "move"),
    ]
    for thread in threads:
        thread.join(timeout=30)

    assert outcome == {"withdraw": "done", "move": "done"}
    assignment.refresh_from_db()
    session.refresh_from_db()
    assert assignment.status == TrainerAssignment.Status.WITHDRAWN
    assert session.starts_at == at(DAY, 14)


def test_a_trainer_stepping_off_while_the_session_moves_neither_deadlocks_nor_loses_either(
    coordinator, paused_after_first_lock
):
    region = RegionFactory()
    session = SessionFactory(region=region, starts_at=at(DAY, 10), coordinator=coordinator)
    trainer = TrainerFactory(certified=True, region=region)
    assignment = TrainerAssignmentFactory(session=session, user=trainer.user, status="accepted")
    outcome: dict[str, str] = {}

    def move():
        session_update(
            session=session,
            course_version=session.course_version,
            starts_at=at(DAY + timedelta(days=1), 10),
            ends_at=at(DAY + timedelta(days=1), 13),
            capacity=session.capacity,
            region=region,
            room=session.room,
            by=coordinator,
        )

    threads = [
        _in_a_thread(move, outcome, "move"),
        _in_a_thread(
            lambda: assignment_withdraw(assignment=assignment, by=trainer.user), outcome, "step"
        ),
    ]
    for thread in threads:
        thread.join(timeout=30)

    assert outcome == {"move": "done", "step": "done"}


def test_an_invitation_accepted_while_the_session_is_cancelled_is_refused(coordinator):
    region = RegionFactory()
    session = SessionFactory(region=region, starts_at=at(DAY, 10), coordinator=coordinator)
    trainer = TrainerFactory(certified=True, region=region)
    invitation = TrainerAssignmentFactory(session=session, user=trainer.user)
    outcome: dict[str, str] = {}

    with transaction.atomic():
        session_cancel(session=session, reason="The venue flooded.", by=coordinator)
        accepting = _in_a_thread(
            lambda: assignment_accept(assignment=invitation), outcome, "accept"
        )
        wait_until_it_waits_for_our_lock(accepting)
        # The acceptance waits for the lock on the session, held until the cancellation commits.
        assert accepting.is_alive()
    accepting.join(timeout=10)

    assert outcome["accept"] == "This session is cancelled, so there is nothing to answer."
    invitation.refresh_from_db()
    session.refresh_from_db()
    assert session.status == TrainingSession.Status.CANCELLED
    assert invitation.status == TrainerAssignment.Status.INVITED
    assert not Notification.objects.filter(
        kind=TRAINER_REMINDER_KIND, status=Notification.Status.QUEUED
    ).exists()
    with pytest.raises(ValidationError, match="cancelled, so it cannot be confirmed"):
        session_confirm(session=session, by=coordinator)


def test_cancelling_while_an_invitation_is_being_accepted_leaves_no_reminder_behind(coordinator):
    region = RegionFactory()
    session = SessionFactory(region=region, starts_at=at(DAY, 10), coordinator=coordinator)
    trainer = TrainerFactory(certified=True, region=region)
    invitation = TrainerAssignmentFactory(session=session, user=trainer.user)
    outcome: dict[str, str] = {}

    with transaction.atomic():
        assignment_accept(assignment=invitation)
        cancelling = _in_a_thread(
            lambda: session_cancel(session=session, reason="The venue flooded.", by=coordinator),
            outcome,
            "cancel",
        )
        wait_until_it_waits_for_our_lock(cancelling)
        assert cancelling.is_alive()
    cancelling.join(timeout=10)

    assert outcome["cancel"] == "done"
    # The cancellation saw the acceptance, so the reminders it queued were cancelled with it.
    assert not Notification.objects.filter(
        kind=TRAINER_REMINDER_KIND, status=Notification.Status.QUEUED
    ).exists()
    assert Notification.objects.filter(
        kind="session_cancelled_trainer", recipient_email=trainer.user.email
    ).exists()
