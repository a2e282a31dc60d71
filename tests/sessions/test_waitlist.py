"""Capacity is enforced: beyond it people join the waitlist, and when a place frees (a learner
cancels from their link, or a coordinator cancels them) the oldest person waiting gets it and is
told. Cancelling or moving a session tells its learners and moves their reminders."""

import threading
from datetime import UTC, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from people.models import ParticipantType
from sessions.models import Registration, TrainingSession
from sessions.services import (
    learner_reminder_due_at,
    registration_cancel,
    registration_public_submit,
    registrations_on_session_changed,
    session_cancel,
    session_update,
    waitlist_promote,
)
from tests.factories import RegistrationFactory, TrainingSessionFactory
from tests.locks import wait_until_it_waits_for_our_lock
from tests.sessions.registration_helpers import (
    body_and_html,
    emails_to,
    ics_of,
    ics_value,
    text,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def session() -> TrainingSession:
    return TrainingSessionFactory(course_version__course__title="Hearing Voices", capacity=2)


@pytest.fixture
def register(django_capture_on_commit_callbacks):
    """Register someone through the service, sending the emails queued after commit."""

    def register(session: TrainingSession, name: str) -> Registration:
        email = f"{name.lower()}@example.org"
        with django_capture_on_commit_callbacks(execute=True):
            result = registration_public_submit(
                session=session,
                full_name=name,
                email=email,
                participant_type=ParticipantType.STAFF,
            )
        return result.registration

    return register


def cancel_url(registration: Registration) -> str:
    return reverse("sessions:registration-self-cancel", kwargs={"token": registration.token})


def status_of(registration: Registration) -> str:
    registration.refresh_from_db()
    return registration.status


# Capacity and the waitlist


def test_people_beyond_capacity_join_the_waitlist_and_are_told_by_email(register, session):
    register(session, "Ada")
    register(session, "Ben")

    third = register(session, "Cy")

    assert third.status == Registration.Status.WAITLISTED
    (message,) = emails_to("cy@example.org")
    assert message.subject.startswith("You are on the waitlist for Hearing Voices")
    assert "you are on the waitlist (number 1)" in message.body
    # No calendar invitation and no reminder without a place.
    assert ics_of(message) == ""
    assert not Notification.objects.filter(
        kind="session_reminder_learner", related_id=third.pk
    ).exists()


def test_the_public_page_says_the_session_is_full_and_the_registration_goes_on_the_waitlist(
    client, session, django_capture_on_commit_callbacks
):
    RegistrationFactory.create_batch(2, session=session)
    url = reverse("sessions:register", kwargs={"token": session.registration_token})

    page = text(client.get(url))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {"full_name": "Cy", "email": "cy@example.org", "participant_type": "staff"},
            follow=True,
        )

    assert "This session is full." in page
    assert "We have emailed that address to say what happens next." in text(response)
    assert "you are on the waitlist (number 1)" in emails_to("cy@example.org")[0].body


def test_an_online_sessions_joining_link_is_not_sent_to_the_waitlist(register):
    online = TrainingSessionFactory(
        capacity=1, room=None, is_online=True, joining_link="https://meet.example.org/r-88"
    )
    register(online, "Ada")

    register(online, "Ben")

    assert "r-88" in emails_to("ada@example.org")[0].body
    assert "r-88" not in body_and_html(emails_to("ben@example.org")[0])


# Cancelling by the learner's own link


def test_the_cancel_link_asks_before_cancelling(client, register, session):
    registration = register(session, "Ada")

    page = text(client.get(cancel_url(registration)))

    assert "Do you want to cancel your place?" in page
    assert "Yes, cancel my place" in page
    assert status_of(registration) == Registration.Status.BOOKED


def test_a_learner_cancels_and_the_oldest_on_the_waitlist_is_promoted_and_emailed(
    client, register, session, django_capture_on_commit_callbacks
):
    ada = register(session, "Ada")
    register(session, "Ben")
    cy = register(session, "Cy")
    dee = register(session, "Dee")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(cancel_url(ada), follow=True)

    assert "Your registration is cancelled." in text(response)
    assert status_of(ada) == Registration.Status.CANCELLED
    assert status_of(cy) == Registration.Status.BOOKED
    assert status_of(dee) == Registration.Status.WAITLISTED
    (promoted,) = emails_to("cy@example.org")
    assert promoted.subject.startswith("A place is yours: Hearing Voices")
    assert ics_value(ics_of(promoted), "STATUS") == "CONFIRMED"
    assert Notification.objects.get(kind="waitlist_promoted").related == cy
    reminder = Notification.objects.get(kind="session_reminder_learner", related_id=cy.pk)
    assert reminder.status == Notification.Status.QUEUED
    assert emails_to("dee@example.org") == []


def test_the_cancelled_learner_is_emailed_their_calendar_event_cancelled_and_not_reminded(
    client, register, session, django_capture_on_commit_callbacks
):
    ada = register(session, "Ada")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(cancel_url(ada))

    (message,) = emails_to("ada@example.org")
    ics = ics_of(message)
    assert ics_value(ics, "STATUS") == "CANCELLED"
    assert ics_value(ics, "UID") == f"session-{session.pk}-registration-{ada.pk}@testserver"
    reminder = Notification.objects.get(kind="session_reminder_learner", related_id=ada.pk)
    assert reminder.status == Notification.Status.CANCELLED


def test_the_waitlist_is_promoted_oldest_first_whatever_the_order_of_ids(session):
    RegistrationFactory(session=session)
    leaving = RegistrationFactory(session=session)
    now = timezone.now()
    newer = RegistrationFactory(session=session, status="waitlisted", created_at=now)
    older = RegistrationFactory(
        session=session, status="waitlisted", created_at=now - timedelta(hours=1)
    )

    promoted = registration_cancel(registration=leaving)

    assert promoted == older
    assert status_of(older) == Registration.Status.BOOKED
    assert status_of(newer) == Registration.Status.WAITLISTED


def test_leaving_the_waitlist_promotes_nobody(session):
    RegistrationFactory.create_batch(2, session=session)
    first = RegistrationFactory(session=session, status="waitlisted")
    second = RegistrationFactory(session=session, status="waitlisted")

    assert registration_cancel(registration=first) is None

    assert status_of(second) == Registration.Status.WAITLISTED


def test_a_cancelled_registrations_link_says_so_and_offers_to_register_again(client, session):
    registration = RegistrationFactory(session=session, status="cancelled")

    page = text(client.get(cancel_url(registration)))
    response = client.post(cancel_url(registration), follow=True)

    assert "Your registration is cancelled." in page
    assert reverse("sessions:register", kwargs={"token": session.registration_token}) in page
    assert "This registration is already cancelled." in text(response)


def test_a_place_cannot_be_cancelled_once_the_session_has_started(client):
    session = TrainingSessionFactory()
    registration = RegistrationFactory(session=session)
    TrainingSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(minutes=1)
    )

    page = text(client.get(cancel_url(registration)))
    client.post(cancel_url(registration))

    assert "The session has already started" in page
    assert "Yes, cancel my place" not in page
    assert status_of(registration) == Registration.Status.BOOKED


def test_the_cancel_page_is_never_kept_by_browsers_or_indexed(client, session):
    response = client.get(cancel_url(RegistrationFactory(session=session)))

    assert response["Cache-Control"] == "no-store"
    assert response["X-Robots-Tag"] == "noindex"


def test_an_unknown_cancel_link_is_not_found(client):
    url = reverse("sessions:registration-self-cancel", kwargs={"token": "not-a-token"})

    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


# Cancelling by a coordinator


def test_a_coordinator_cancels_someone_and_the_waitlist_moves_up(
    client, coordinator, session, django_capture_on_commit_callbacks
):
    leaving = RegistrationFactory(session=session, participant__full_name="Ada Leaving")
    RegistrationFactory(session=session)
    waiting = RegistrationFactory(
        session=session, status="waitlisted", participant__full_name="Ben Waiting"
    )
    client.force_login(coordinator)
    url = reverse(
        "sessions:registration-cancel", kwargs={"pk": session.pk, "registration_pk": leaving.pk}
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)

    page = text(response)
    assert "Ada Leaving&#x27;s registration is cancelled" in page
    assert "Ben Waiting was next on the waitlist, now has the place" in page
    assert status_of(waiting) == Registration.Status.BOOKED
    told = emails_to(leaving.participant.email)[0]
    assert "A coordinator has cancelled your place" in told.body


def test_only_coordinators_cancel_from_the_registrations_page(client, trainer, session):
    registration = RegistrationFactory(session=session)
    client.force_login(trainer)
    url = reverse(
        "sessions:registration-cancel",
        kwargs={"pk": session.pk, "registration_pk": registration.pk},
    )

    assert client.post(url).status_code == 403
    assert status_of(registration) == Registration.Status.BOOKED


def test_attendance_already_marked_cannot_be_cancelled(coordinator):
    registration = RegistrationFactory(status="attended")

    with pytest.raises(ValidationError, match="Attendance is already recorded"):
        registration_cancel(registration=registration, by=coordinator)


# Coming back, and places freed by more capacity


def test_registering_again_after_cancelling_goes_to_the_back_of_the_queue(register, session):
    ada = register(session, "Ada")
    old_token = ada.token
    registration_cancel(registration=ada)
    register(session, "Ben")
    register(session, "Cy")

    again = register(session, "Ada")

    assert again.pk == ada.pk
    assert again.status == Registration.Status.WAITLISTED
    assert again.token != old_token


def test_people_waiting_get_free_places_before_newcomers(register, session):
    RegistrationFactory.create_batch(2, session=session)
    waiting = RegistrationFactory(session=session, status="waitlisted")
    TrainingSession.objects.filter(pk=session.pk).update(capacity=3)

    newcomer = register(session, "Newcomer")

    assert status_of(waiting) == Registration.Status.BOOKED
    assert newcomer.status == Registration.Status.WAITLISTED


def test_more_capacity_promotes_the_waitlist_and_tells_them(
    session, django_capture_on_commit_callbacks
):
    RegistrationFactory.create_batch(2, session=session)
    first = RegistrationFactory(session=session, status="waitlisted")
    second = RegistrationFactory(session=session, status="waitlisted")
    third = RegistrationFactory(session=session, status="waitlisted")
    TrainingSession.objects.filter(pk=session.pk).update(capacity=4)

    with django_capture_on_commit_callbacks(execute=True):
        promoted = waitlist_promote(session=session)

    assert promoted == [first, second]
    assert status_of(third) == Registration.Status.WAITLISTED
    assert emails_to(first.participant.email)
    assert emails_to(second.participant.email)


# Two people after the last place at once


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs row locks (SQLite locks the whole file)"
)
def test_two_people_registering_for_the_last_place_at_once_cannot_both_get_it():
    session = TrainingSessionFactory(capacity=1)
    outcome = {}

    def second_person():
        try:
            outcome["ben"] = registration_public_submit(
                session=session, full_name="Ben", email="ben@example.org", participant_type="staff"
            ).registration.status
        finally:
            connection.close()

    with transaction.atomic():
        registration_public_submit(
            session=session, full_name="Ada", email="ada@example.org", participant_type="staff"
        )
        other = threading.Thread(target=second_person)
        other.start()
        wait_until_it_waits_for_our_lock(other)
        # Ben's registration waits for the session's row lock, held until Ada's commits.
        assert other.is_alive()
    other.join(timeout=10)

    assert outcome["ben"] == Registration.Status.WAITLISTED
    assert Registration.objects.filter(status="booked").count() == 1


# When the session itself is cancelled or moved


def test_cancelling_the_session_tells_booked_and_waiting_learners_and_stops_reminders(
    register, coordinator, session, django_capture_on_commit_callbacks
):
    ada = register(session, "Ada")
    register(session, "Ben")
    cy = register(session, "Cy")
    gone = register(session, "Gone")
    registration_cancel(registration=gone)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        session_cancel(session=session, reason="The lead trainer is unwell.", by=coordinator)

    booked = emails_to("ada@example.org")[0]
    waiting = emails_to("cy@example.org")[0]
    assert booked.subject.startswith("Session cancelled: Hearing Voices")
    assert ics_value(ics_of(booked), "STATUS") == "CANCELLED"
    assert ics_of(waiting) == ""
    assert emails_to("gone@example.org") == []
    # The reason was written for the trainers: learners are not told it.
    assert "unwell" not in body_and_html(booked)
    reminder = Notification.objects.get(kind="session_reminder_learner", related_id=ada.pk)
    assert reminder.status == Notification.Status.CANCELLED
    assert not Notification.objects.filter(
        kind="session_reminder_learner", related_id=cy.pk
    ).exists()


def test_a_cancelled_sessions_calendar_file_is_newer_than_the_confirmation(
    register, coordinator, session, django_capture_on_commit_callbacks
):
    register(session, "Ada")
    confirmation = ics_of(emails_to("ada@example.org")[0])

    with django_capture_on_commit_callbacks(execute=True):
        session_cancel(session=session, reason="Room flooded", by=coordinator)

    cancelled = ics_of(emails_to("ada@example.org")[-1])
    assert int(ics_value(cancelled, "SEQUENCE")) > int(ics_value(confirmation, "SEQUENCE"))


def test_moving_the_session_moves_the_reminders_and_tells_the_learners(
    register, coordinator, session, django_capture_on_commit_callbacks
):
    ada = register(session, "Ada")
    register(session, "Ben")
    cy = register(session, "Cy")
    mail.outbox.clear()
    later = session.starts_at + timedelta(days=7)

    with django_capture_on_commit_callbacks(execute=True):
        session_update(
            session=session,
            course_version=session.course_version,
            starts_at=later,
            ends_at=later + timedelta(hours=3),
            capacity=session.capacity,
            by=coordinator,
            region=session.region,
            room=session.room,
        )

    session.refresh_from_db()
    reminders = Notification.objects.filter(kind="session_reminder_learner", related_id=ada.pk)
    assert reminders.get(status=Notification.Status.QUEUED).due_at == learner_reminder_due_at(
        session
    )
    assert reminders.filter(status=Notification.Status.CANCELLED).count() == 1
    moved = emails_to("ada@example.org")[0]
    assert moved.subject.startswith("Change to Hearing Voices")
    assert ics_value(ics_of(moved), "DTSTART") == later.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    assert "You are still on the waitlist." in emails_to("cy@example.org")[0].body
    assert cy.status == Registration.Status.WAITLISTED


def test_the_changed_hook_leaves_cancelled_registrations_alone(session):
    RegistrationFactory(session=session, status="cancelled")

    assert registrations_on_session_changed(session) == 0
