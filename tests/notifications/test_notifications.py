from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from notifications.models import Notification
from notifications.services import notification_key, notification_queue, notification_send
from notifications.tasks import send_due_notifications
from tests.factories import ParticipantFactory
from tests.notifications.conftest import free_port

ICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Coproduce//test//EN\r\nEND:VCALENDAR\r\n"


def queue(**overrides) -> Notification:
    arguments = {
        "kind": "password_reset",
        "recipient_email": overrides.pop("recipient_email", "learner@example.org"),
        "subject": "Reset your Coproduce password",
        "template": "tests/email/hello",
        "context": {"name": "Sam"},
    }
    return notification_queue(**{**arguments, **overrides})


@pytest.fixture(autouse=True)
def _test_templates(settings, tmp_path):
    folder = tmp_path / "tests" / "email"
    folder.mkdir(parents=True)
    (folder / "hello.txt").write_text("Hello {{ name }}, this is {{ notification.kind }}.")
    (folder / "hello.html").write_text("<p>Hello <b>{{ name }}</b></p>")
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [*engine["DIRS"], tmp_path]}]


def test_a_due_notification_is_sent_after_commit_as_text_and_html(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notification = queue()
        assert mail.outbox == []

    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert notification.attempts == 1
    assert notification.sent_at is not None
    message = mail.outbox[0]
    assert message.to == ["learner@example.org"]
    assert message.body == "Hello Sam, this is password_reset."
    assert message.alternatives[0][0] == "<p>Hello <b>Sam</b></p>"


def test_a_calendar_invite_travels_as_an_ics_attachment(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        queue(ics=ICS)

    name, content, mimetype = mail.outbox[0].attachments[0]
    assert name == "invite.ics"
    assert content == ICS
    assert mimetype.startswith("text/calendar")


def test_queuing_the_same_message_twice_records_and_sends_it_once(
    db, django_capture_on_commit_callbacks
):
    due = timezone.now()
    participant = ParticipantFactory()
    with django_capture_on_commit_callbacks(execute=True):
        first = queue(related=participant, due_at=due)
        second = queue(related=participant, due_at=due)

    assert first.pk == second.pk
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1


def test_sending_twice_sends_once(db):
    notification = queue()

    first = notification_send(notification_id=notification.pk)
    second = notification_send(notification_id=notification.pk)

    assert first is not None
    assert second is None
    assert len(mail.outbox) == 1


def test_a_cancelled_notification_is_not_sent(db):
    notification = queue()
    Notification.objects.filter(pk=notification.pk).update(status=Notification.Status.CANCELLED)

    assert notification_send(notification_id=notification.pk) is None
    assert mail.outbox == []


def test_a_future_notification_waits_for_its_time_and_then_beat_sends_it(
    db, django_capture_on_commit_callbacks
):
    due = timezone.now() + timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        notification = queue(due_at=due)
    assert notification_send(notification_id=notification.pk) is None
    assert send_due_notifications() == 0

    with time_machine.travel(due + timedelta(minutes=1)):
        assert send_due_notifications() == 1

    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    "change",
    [
        {"kind": "other_kind"},
        {"recipient_email": "someone.else@example.org"},
        {"due_at": timezone.now() + timedelta(hours=1)},
    ],
)
def test_the_key_changes_with_kind_recipient_and_due_time(change):
    base = {
        "kind": "reminder",
        "related": None,
        "recipient_email": "a@example.org",
        "due_at": timezone.now(),
    }

    assert notification_key(**base) != notification_key(**{**base, **change})


def test_the_key_ignores_the_case_of_the_email_address():
    due = timezone.now()

    assert notification_key(
        kind="k", related=None, recipient_email="A@Example.org", due_at=due
    ) == notification_key(kind="k", related=None, recipient_email="a@example.org", due_at=due)


def test_the_key_changes_with_the_related_object(db):
    due = timezone.now()
    one, two = ParticipantFactory(), ParticipantFactory()

    assert notification_key(
        kind="k", related=one, recipient_email="a@example.org", due_at=due
    ) != notification_key(kind="k", related=two, recipient_email="a@example.org", due_at=due)


def test_it_delivers_through_a_real_smtp_server(db, smtp_settings):
    notification = queue(ics=ICS)

    notification_send(notification_id=notification.pk)

    envelope = smtp_settings.inbox.envelopes[0]
    assert envelope.rcpt_tos == ["learner@example.org"]
    assert b"text/calendar" in envelope.content


def test_a_mail_server_that_is_away_leaves_it_queued_for_a_retry_a_minute_later(db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    notification = queue()

    notification_send(notification_id=notification.pk)

    notification.refresh_from_db()
    assert notification.status == Notification.Status.QUEUED
    assert notification.attempts == 1
    assert "ConnectionRefusedError" in notification.last_error
    assert notification.claimed_until is None
    wait = notification.next_attempt_at - notification.last_attempt_at
    assert timedelta(minutes=1) <= wait < timedelta(minutes=1, seconds=5)
    assert notification_send(notification_id=notification.pk) is None  # not before its time


def test_a_booking_on_a_course_with_a_200_character_title_answers_and_is_confirmed(
    client, db, django_capture_on_commit_callbacks
):
    # Course titles run to 200 characters; "Your place on <title>, <day>" is longer than the log's
    # subject column, and PostgreSQL refused the row: the public registration answered 500.
    from django.urls import reverse

    from people.models import ParticipantType
    from tests.factories import TrainingSessionFactory

    session = TrainingSessionFactory(capacity=5)
    course = session.course_version.course
    course.title = "Recovery " + "x" * 191
    course.save()

    with django_capture_on_commit_callbacks(execute=True):
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
    notifications = Notification.objects.filter(recipient_email="priya.shah@example.org")
    assert all(len(n.subject) <= 200 for n in notifications)
    confirmation = notifications.get(subject__startswith="Your place on Recovery xxx")
    assert confirmation.status == Notification.Status.SENT


def test_a_line_break_in_a_subject_becomes_a_space_and_the_message_goes(
    db, django_capture_on_commit_callbacks
):
    # A name or title carrying a line break (a crafted form or a spreadsheet cell) made every
    # send of the message fail with BadHeaderError, retried for two days.
    with django_capture_on_commit_callbacks(execute=True):
        notification = queue(subject="Your place on Recovery\r\nBcc: someone@example.org")

    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert mail.outbox[0].subject == "Your place on Recovery Bcc: someone@example.org"
