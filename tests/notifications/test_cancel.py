"""Pending reminders are cancelled when what they are about moves or goes away
(`notification_cancel_for`), and a cancelled reminder asked for again is queued again."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from notifications.models import Notification
from notifications.services import notification_cancel_for, notification_queue
from tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db


def queue(related, *, kind="reminder", due_in=timedelta(days=3), **overrides) -> Notification:
    arguments = {
        "kind": kind,
        "recipient_email": "learner@example.org",
        "subject": "A reminder",
        "template": "trainers/email/certification_renewal",
        "related": related,
        "due_at": timezone.now() + due_in,
    }
    return notification_queue(**(arguments | overrides))


def test_it_cancels_the_queued_messages_of_that_kind_about_that_object():
    participant = ParticipantFactory()
    first = queue(participant)
    second = queue(participant, due_in=timedelta(days=5))

    cancelled = notification_cancel_for(related=participant, kind="reminder")

    assert cancelled == 2
    for notification in (first, second):
        notification.refresh_from_db()
        assert notification.status == Notification.Status.CANCELLED


def test_it_leaves_other_kinds_and_other_objects_alone():
    participant, other = ParticipantFactory(), ParticipantFactory()
    other_kind = queue(participant, kind="chaser")
    other_object = queue(other)

    notification_cancel_for(related=participant, kind="reminder")

    for notification in (other_kind, other_object):
        notification.refresh_from_db()
        assert notification.status == Notification.Status.QUEUED


def test_with_kind_none_it_cancels_every_queued_kind_about_that_object_only():
    participant, other = ParticipantFactory(), ParticipantFactory()
    reminder, chaser = queue(participant), queue(participant, kind="chaser")
    sent = queue(participant, kind="confirmation")
    Notification.objects.filter(pk=sent.pk).update(status=Notification.Status.SENT)
    other_object = queue(other)

    assert notification_cancel_for(related=participant, kind=None) == 2

    statuses = {
        n.pk: n.status
        for n in Notification.objects.filter(
            pk__in=[reminder.pk, chaser.pk, sent.pk, other_object.pk]
        )
    }
    assert statuses == {
        reminder.pk: Notification.Status.CANCELLED,
        chaser.pk: Notification.Status.CANCELLED,
        sent.pk: Notification.Status.SENT,
        other_object.pk: Notification.Status.QUEUED,
    }


@pytest.mark.parametrize("status", [Notification.Status.SENT, Notification.Status.FAILED])
def test_a_message_already_sent_or_failed_keeps_its_status(status):
    participant = ParticipantFactory()
    notification = queue(participant)
    Notification.objects.filter(pk=notification.pk).update(status=status)

    assert notification_cancel_for(related=participant, kind="reminder") == 0

    notification.refresh_from_db()
    assert notification.status == status


def test_a_cancelled_message_asked_for_again_is_queued_again_once():
    participant = ParticipantFactory()
    due = timezone.now() + timedelta(days=3)
    first = queue(participant, due_at=due, subject="First wording")
    notification_cancel_for(related=participant, kind="reminder")

    again = queue(participant, due_at=due, subject="New wording")
    once_more = queue(participant, due_at=due, subject="Newer wording")

    assert again.pk == first.pk == once_more.pk
    again.refresh_from_db()
    assert again.status == Notification.Status.QUEUED
    assert again.subject == "New wording"


def test_a_cancelled_message_that_is_due_and_queued_again_is_sent_after_commit(
    django_capture_on_commit_callbacks,
):
    participant = ParticipantFactory(email="learner@example.org")
    due = timezone.now()
    queue(participant, due_at=due)
    notification_cancel_for(related=participant, kind="reminder")

    with django_capture_on_commit_callbacks(execute=True):
        queue(participant, due_at=due)

    assert len(mail.outbox) == 1
    assert Notification.objects.get().status == Notification.Status.SENT


def test_the_kind_must_be_given_even_to_cancel_every_kind():
    participant = ParticipantFactory()
    reminder = queue(participant)

    with pytest.raises(TypeError):
        notification_cancel_for(related=participant)

    reminder.refresh_from_db()
    assert reminder.status == Notification.Status.QUEUED
