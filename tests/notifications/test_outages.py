"""Email survives outages: the broker down (the request still answers and the sweep sends the
message later), the mail server down (retries back off over hours, state in the database), a mail
server that never answers (a timeout, no open transaction, other mail goes on), and a database
connection dropped after the server took a message (marked sent once, with a stable Message-ID).

The broker, SMTP server, worker and database are real; the ones about PostgreSQL or a worker skip
without it, saying so."""

import logging
import re
import threading
import time
from datetime import timedelta

import psycopg
import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from config.settings import base as base_settings
from notifications import services
from notifications.models import Notification
from notifications.services import notification_queue, notification_send
from notifications.tasks import send_due_notifications, send_notification
from people.models import ParticipantType
from sessions.models import Registration
from tests.factories import TrainingSessionFactory
from tests.notifications.conftest import (
    Inbox,
    StallingInbox,
    free_port,
    needs_postgresql,
    smtp_controller,
    start_worker,
    use_smtp,
    wait_for,
)


def queue(recipient_email: str = "learner@example.org", **overrides) -> Notification:
    arguments = {
        "kind": "password_reset",
        "recipient_email": recipient_email,
        "subject": "Reset your Coproduce password",
        "template": "tests/email/hello",
    }
    return notification_queue(**{**arguments, **overrides})


def record(recipient_email: str) -> Notification:
    """A due message in the log, not yet handed to anyone (as after a lost hand-off)."""
    return Notification.objects.create(
        key=f"outage-{recipient_email}",
        kind="password_reset",
        recipient_email=recipient_email,
        subject="Hello",
        template="tests/email/hello",
        due_at=timezone.now(),
    )


@pytest.fixture(autouse=True)
def _test_templates(settings, tmp_path):
    folder = tmp_path / "tests" / "email"
    folder.mkdir(parents=True)
    (folder / "hello.txt").write_text("Hello, this is {{ notification.kind }}.")
    (folder / "hello.html").write_text("<p>Hello</p>")
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [*engine["DIRS"], tmp_path]}]


# 9. Broker down is not a 500


@pytest.mark.django_db
def test_handing_a_task_to_a_stopped_broker_fails_fast_and_quietly(celery_on, redis_server, caplog):
    from core.handoff import task_hand_off

    redis_server.stop()

    started = time.monotonic()
    with caplog.at_level(logging.WARNING):
        handed = task_hand_off(send_notification, 12345)

    assert handed is False
    assert time.monotonic() - started < 5
    assert "send_notification" in caplog.text
    assert "redis://" not in caplog.text


@pytest.mark.django_db
def test_handing_a_task_to_a_broker_that_accepts_but_never_answers_gives_up_quickly(
    celery_on, redis_server
):
    # A Redis that hangs (paused, swapping, a network black hole) after a connection was made:
    # without a socket timeout the publish waited for ever and the request with it.
    import os
    import signal

    from core.handoff import task_hand_off

    assert task_hand_off(send_notification, 12345) is True  # a pooled connection is open
    os.kill(redis_server.process.pid, signal.SIGSTOP)
    try:
        outcome: list[bool] = []
        started = time.monotonic()
        sender = threading.Thread(
            target=lambda: outcome.append(task_hand_off(send_notification, 1)), daemon=True
        )
        sender.start()
        sender.join(timeout=15)
        took = time.monotonic() - started
    finally:
        os.kill(redis_server.process.pid, signal.SIGCONT)

    assert not sender.is_alive(), "the hand-off was still waiting on the broker after 15 s"
    assert outcome == [False]
    assert took < 10


def broker_queue_length(redis_server) -> int:
    import redis

    with redis.Redis.from_url(redis_server.url) as client:
        return client.llen("celery")


@pytest.mark.django_db
def test_the_sweep_does_not_hand_over_again_what_is_already_waiting_in_the_broker(
    celery_on, redis_server
):
    # No worker is taking anything (busy or slow): each minute's sweep used to publish every due
    # row once more, so the broker's queue grew by the whole backlog each minute without bound.
    waiting = [record(f"learner{n}@example.org") for n in range(3)]
    start = timezone.now()

    with time_machine.travel(start + timedelta(seconds=1), tick=False):
        assert send_due_notifications() == 3
    for minutes in (1, 2, 3):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert send_due_notifications() == 0

    assert broker_queue_length(redis_server) == 3
    # A hand-off the broker lost (Redis restarted empty) is made again after a few minutes.
    with time_machine.travel(start + services.HAND_OFF_GRACE + timedelta(minutes=1), tick=False):
        assert send_due_notifications() == 3
    assert {n.status for n in waiting} == {Notification.Status.QUEUED}


@pytest.mark.django_db
def test_a_row_a_worker_has_tried_is_handed_over_again_for_its_next_try(celery_on, redis_server):
    notification = record("learner@example.org")
    assert send_due_notifications() == 1
    # The worker takes it and the mail server is away: the next try is a minute later.
    Notification.objects.filter(pk=notification.pk).update(
        attempts=1, next_attempt_at=timezone.now() + timedelta(minutes=1), handed_off_at=None
    )
    with time_machine.travel(timezone.now() + timedelta(minutes=1, seconds=5), tick=False):
        assert send_due_notifications() == 1


def test_a_hand_off_the_broker_refused_is_made_again_by_the_next_sweep(db, celery_on, redis_server):
    notification = record("learner@example.org")
    redis_server.stop()
    assert send_due_notifications() == 0
    redis_server.start()
    notification.refresh_from_db()
    assert notification.handed_off_at is None
    assert send_due_notifications() == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_registration_while_redis_is_down_answers_normally_and_the_email_goes_once_it_is_back(
    client, celery_on, redis_server, smtp_server, tmp_path, settings
):
    needs_postgresql("BROKER OUTAGE TEST")
    # Redis is the cache too in the full stack: the request meets it stopped on both counts.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_server.url,
        }
    }
    session = TrainingSessionFactory(capacity=5)
    redis_server.stop()

    response = client.post(
        reverse("sessions:register", kwargs={"token": session.registration_token}),
        {
            "full_name": "Priya Shah",
            "email": "priya.shah@example.org",
            "participant_type": ParticipantType.STAFF,
            "team": "",
        },
    )

    assert response.status_code == 302
    assert Registration.objects.filter(
        session=session, participant__email__iexact="priya.shah@example.org"
    ).exists()
    confirmation = Notification.objects.get(
        recipient_email="priya.shah@example.org", due_at__lte=timezone.now()
    )
    assert confirmation.status == Notification.Status.QUEUED
    assert smtp_server.inbox.envelopes == []

    redis_server.start()
    log = tmp_path / "worker.log"
    worker = start_worker(broker_url=redis_server.url, smtp_port=smtp_server.port, log=log)
    try:
        # Beat's sweep, twice, as it would run each minute: the message goes, once.
        assert send_due_notifications() >= 1
        wait_for(lambda: smtp_server.inbox.envelopes, timeout=90, what="the confirmation", log=log)
        send_due_notifications()
        time.sleep(3)
    finally:
        worker.terminate()
        worker.wait(timeout=30)

    confirmation.refresh_from_db()
    assert confirmation.status == Notification.Status.SENT
    assert [e.rcpt_tos for e in smtp_server.inbox.envelopes] == [["priya.shah@example.org"]]


# 10. An SMTP outage loses nothing


def test_the_retry_schedule_backs_off_over_about_two_days():
    assert services.RETRY_DELAYS[0] == timedelta(minutes=1)
    assert list(services.RETRY_DELAYS) == sorted(services.RETRY_DELAYS)
    assert timedelta(hours=40) < sum(services.RETRY_DELAYS, timedelta()) < timedelta(hours=56)


@pytest.mark.django_db
def test_a_mail_server_down_for_a_minute_loses_none_of_twenty_confirmations(settings):
    port = free_port()  # nothing listens there until the server comes back
    use_smtp(settings, port)
    settings.EMAIL_TIMEOUT = 5
    start = timezone.now()
    with time_machine.travel(start, tick=True):
        # The request's hand-off runs inline as in the embedded mode, and fails each time.
        addresses = [f"learner{n}@example.org" for n in range(20)]
        for address in addresses:
            notification_send(notification_id=queue(address).pk)
        assert send_due_notifications() == 0  # none due again before a minute has passed
    with time_machine.travel(start + timedelta(seconds=61), tick=True):
        assert send_due_notifications() == 20  # tried again, still down

    assert set(Notification.objects.values_list("status", flat=True)) == {"queued"}
    assert set(Notification.objects.values_list("attempts", flat=True)) == {2}

    server = smtp_controller(Inbox(), port=port)  # back, on the same port
    try:
        with time_machine.travel(start + timedelta(minutes=2), tick=True):
            assert send_due_notifications() == 0  # the next try is 5 minutes after the last
        with time_machine.travel(start + timedelta(minutes=7), tick=True):
            assert send_due_notifications() == 20
            assert send_due_notifications() == 0
    finally:
        server.stop()

    assert sorted(rcpt for e in server.inbox.envelopes for rcpt in e.rcpt_tos) == sorted(addresses)
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db
def test_after_the_last_retry_it_is_failed_and_a_resend_queues_it_again(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    notification = queue()
    start = timezone.now()
    moment = start
    for delay in [timedelta(), *services.RETRY_DELAYS]:
        moment += delay + timedelta(seconds=1)
        with time_machine.travel(moment):
            notification_send(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED
    assert notification.attempts == len(services.RETRY_DELAYS) + 1
    assert "ConnectionRefusedError" in notification.last_error

    services.notification_resend(notification=notification, by=None)

    notification.refresh_from_db()
    assert notification.status == Notification.Status.QUEUED
    assert notification.attempts == 0


class RefusingInbox(Inbox):
    """Refuses one recipient with the given reply (a 5xx for good, a 4xx for now)."""

    def __init__(self, *, refuse: str, reply: str) -> None:
        super().__init__()
        self.refuse, self.reply = refuse, reply

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self.refuse:
            return self.reply
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.mark.django_db
def test_a_recipient_the_server_refuses_for_good_fails_at_once_with_the_reason(settings):
    # A 5xx for the address (no such mailbox) does not change in two days of retries: the
    # message is failed at once and the coordinator sees why on the failed-email page.
    server = smtp_controller(
        RefusingInbox(refuse="gone@example.org", reply="550 5.1.1 No such user here")
    )
    use_smtp(settings, server.port)
    try:
        notification = queue("gone@example.org")
        notification_send(notification_id=notification.pk)
        notification.refresh_from_db()
    finally:
        server.stop()

    assert notification.status == Notification.Status.FAILED
    assert notification.attempts == 1
    assert notification.next_attempt_at is None
    assert "550" in notification.last_error
    assert "No such user" in notification.last_error


@pytest.mark.django_db
def test_a_recipient_the_server_refuses_for_now_is_tried_again_later(settings):
    server = smtp_controller(
        RefusingInbox(refuse="busy@example.org", reply="450 4.2.1 Mailbox busy, try later")
    )
    use_smtp(settings, server.port)
    try:
        notification = queue("busy@example.org")
        notification_send(notification_id=notification.pk)
        notification.refresh_from_db()
    finally:
        server.stop()

    assert notification.status == Notification.Status.QUEUED
    assert notification.next_attempt_at > timezone.now()
    assert "450" in notification.last_error


# 11. A stuck mail server stalls nothing


def test_an_smtp_timeout_is_set_by_default():
    assert base_settings.EMAIL_TIMEOUT == 20


@pytest.mark.django_db
def test_a_mail_server_that_never_answers_times_out_and_the_row_waits_for_a_retry(
    settings, silent_server
):
    use_smtp(settings, silent_server)
    settings.EMAIL_TIMEOUT = 2
    notification = queue()

    started = time.monotonic()
    notification_send(notification_id=notification.pk)

    assert time.monotonic() - started < 2 * 2 + 1
    notification.refresh_from_db()
    assert notification.status == Notification.Status.QUEUED
    assert notification.attempts == 1
    assert "timed out" in notification.last_error.lower()
    assert notification.next_attempt_at > timezone.now()


def open_transactions() -> list:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, query FROM pg_stat_activity WHERE datname = current_database()"
            " AND state LIKE 'idle in transaction%%' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchall()


@pytest.mark.django_db(transaction=True)
def test_one_stuck_message_holds_no_transaction_and_other_mail_goes_out_meanwhile(settings):
    needs_postgresql("STUCK SMTP TEST")
    handler = StallingInbox(stall_for="stuck@example.org", hold=15)
    server = smtp_controller(handler)
    use_smtp(settings, server.port)
    settings.EMAIL_TIMEOUT = 4
    stuck = record("stuck@example.org")
    other = record("other@example.org")

    def send_stuck() -> None:
        try:
            notification_send(notification_id=stuck.pk)
        finally:
            connection.close()

    try:
        sender = threading.Thread(target=send_stuck)
        sender.start()
        assert handler.stalling.wait(timeout=10)

        assert open_transactions() == []
        notification_send(notification_id=other.pk)
        assert sender.is_alive()  # the stuck one is still waiting on the server
        assert [e.rcpt_tos for e in handler.envelopes] == [["other@example.org"]]

        sender.join(timeout=4 * 2 + 2)
        assert not sender.is_alive()
    finally:
        server.stop()

    stuck.refresh_from_db()
    other.refresh_from_db()
    assert other.status == Notification.Status.SENT
    assert stuck.status == Notification.Status.QUEUED
    assert stuck.next_attempt_at > timezone.now()


# 12. Duplicates when the database drops


@pytest.mark.django_db
def test_the_message_id_is_stable_across_two_sends_of_the_same_row(settings):
    settings.DEFAULT_FROM_EMAIL = "Coproduce <noreply@coproduce.example.org>"
    notification = queue()
    notification_send(notification_id=notification.pk)
    Notification.objects.filter(pk=notification.pk).update(status=Notification.Status.QUEUED)
    notification_send(notification_id=notification.pk)

    first, second = (m.message()["Message-ID"] for m in mail.outbox)
    assert first == second
    assert (
        first == f"<notification-{notification.pk}-{notification.key[:16]}@coproduce.example.org>"
    )


class DroppingInbox(Inbox):
    """Accepts the message, then cuts the sender's database connection (as a network drop)."""

    def __init__(self, *, dsn: str, pid: int) -> None:
        super().__init__()
        self.dsn, self.pid = dsn, pid

    async def handle_DATA(self, server, session, envelope):
        answer = await super().handle_DATA(server, session, envelope)
        with psycopg.connect(self.dsn, autocommit=True) as other:
            other.execute("SELECT pg_terminate_backend(%s)", [self.pid])
        return answer


@pytest.mark.django_db(transaction=True)
def test_a_database_connection_dropped_after_the_server_took_the_message_still_sends_it_once(
    settings,
):
    needs_postgresql("DROPPED CONNECTION TEST")
    notification = record("learner@example.org")
    db = connection.settings_dict
    dsn = f"host={db['HOST']} port={db['PORT']} user={db['USER']} dbname={db['NAME']}"
    connection.ensure_connection()
    handler = DroppingInbox(dsn=dsn, pid=connection.connection.info.backend_pid)
    server = smtp_controller(handler)
    use_smtp(settings, server.port)
    try:
        notification_send(notification_id=notification.pk)
        connection.close()
        with time_machine.travel(timezone.now() + timedelta(days=3)):
            send_due_notifications()
    finally:
        server.stop()

    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert len(handler.envelopes) == 1
    assert re.search(rb"Message-ID: <notification-\d+-", handler.envelopes[0].content)


@pytest.mark.django_db
def test_a_fault_of_ours_is_recorded_by_its_kind_without_the_text_that_may_quote_a_token(
    settings, tmp_path
):
    # The failed-email page shows last_error to coordinators; an exception's own text can quote
    # what the template was rendering (here a link's token), so only its kind is kept.
    (tmp_path / "tests" / "email" / "broken.txt").write_text(
        "{% url 'evaluations:respond' token='Secret-Token-With-No-Digit!' %}"
    )
    (tmp_path / "tests" / "email" / "broken.html").write_text("<p>Hello</p>")
    notification = queue(template="tests/email/broken")

    with pytest.raises(NoReverseMatch):
        notification_send(notification_id=notification.pk)
    notification.refresh_from_db()

    assert notification.status == Notification.Status.QUEUED
    assert notification.attempts == 1
    assert notification.last_error.startswith("NoReverseMatch")
    assert "Secret-Token" not in notification.last_error
