"""Gaps left open earlier: invitations a trainer can no longer accept after
stepping back or leaving, sessions imports that would change a session with people on it, and a
changed joining link that must reach the people booked on an online session."""

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from notifications.models import Notification
from sessions.models import Registration, TrainerAssignment, TrainingSession
from sessions.services import (
    LEARNER_REMINDER_KIND,
    assignment_accept,
    assignment_decline,
    csv_import_run,
    session_update,
)
from tests.factories import (
    RegionFactory,
    RegistrationFactory,
    TrainerAssignmentFactory,
    TrainerFactory,
    TrainingSessionFactory,
)
from trainers.models import Trainer
from trainers.services import trainer_return, trainer_step_back

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
DAY = date(2026, 12, 14)
SESSIONS = "code,course,date,start,end,region,venue,phase,capacity,status"
OLD_LINK = "https://meet.example.org/old-room?pwd=first"
NEW_LINK = "https://meet.example.org/new-room?pwd=second"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LONDON)


@pytest.fixture
def region():
    return RegionFactory(name="Manchester")


@pytest.fixture
def session(region, coordinator) -> TrainingSession:
    return TrainingSessionFactory(
        code="S-2026-0001",
        course_version__course__title="Hearing voices",
        region=region,
        starts_at=at(DAY, 10),
        ends_at=at(DAY, 13),
        coordinator=coordinator,
    )


@pytest.fixture
def invitation(session, region) -> TrainerAssignment:
    trainer = TrainerFactory(certified=True, region=region, user__full_name="Taylor Trainer")
    return TrainerAssignmentFactory(session=session, user=trainer.user)


# Invitations sent before a trainer stepped back or left

STEPPED_BACK = "You are stepping back at the moment, so you cannot accept a session."
LEFT = "You have left the programme, so you cannot accept a session."


def test_an_invitation_sent_before_stepping_back_cannot_be_accepted_from_the_email(
    client, invitation
):
    trainer_step_back(trainer=invitation.user.trainer)

    response = client.post(reverse("sessions:invitation-accept", args=[invitation.token]))

    assert STEPPED_BACK in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == TrainerAssignment.Status.INVITED


def test_an_invitation_sent_before_stepping_back_cannot_be_accepted_from_my_sessions(
    client, invitation
):
    trainer_step_back(trainer=invitation.user.trainer)
    client.force_login(invitation.user)

    response = client.post(
        reverse("sessions:my-assignment-accept", args=[invitation.pk]), follow=True
    )

    assert STEPPED_BACK in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == TrainerAssignment.Status.INVITED


def test_an_invitation_cannot_be_accepted_by_a_trainer_who_has_left(client, invitation):
    Trainer.objects.filter(user=invitation.user).update(status=Trainer.Status.LEFT)

    response = client.post(reverse("sessions:invitation-accept", args=[invitation.token]))

    assert LEFT in response.content.decode()
    with pytest.raises(ValidationError, match=LEFT):
        assignment_accept(assignment=invitation)
    invitation.refresh_from_db()
    assert invitation.status == TrainerAssignment.Status.INVITED


def test_a_trainer_stepping_back_may_still_decline_and_may_accept_once_back(session, region):
    first = TrainerAssignmentFactory(session=session)
    second = TrainerAssignmentFactory(
        session=TrainingSessionFactory(region=region, starts_at=at(DAY + timedelta(days=1), 10)),
        user=first.user,
    )
    trainer = first.user.trainer
    trainer_step_back(trainer=trainer)

    assignment_decline(assignment=first)
    trainer_return(trainer=trainer)
    assignment_accept(assignment=second)

    assert TrainerAssignment.objects.get(pk=first.pk).status == "declined"
    assert TrainerAssignment.objects.get(pk=second.pk).status == "accepted"


# Sessions imports and the people on a session


def row(code="S-2026-0001", *, start="10:00", end="13:00", status="planned", capacity=12):
    return f"{code},Hearing voices,2026-12-14,{start},{end},Manchester,,pilot,{capacity},{status}"


def run_import(*rows: str):
    content = ("\r\n".join([SESSIONS, *rows]) + "\r\n").encode()
    return csv_import_run(kind="sessions", content=content, dry_run=False)


@pytest.fixture
def unplaced_session(region, coordinator) -> TrainingSession:
    """A session still to come with no room, as imports make them."""
    return TrainingSessionFactory(
        code="S-2026-0001",
        course_version__course__title="Hearing voices",
        region=region,
        room=None,
        starts_at=at(DAY, 10),
        ends_at=at(DAY, 13),
        coordinator=coordinator,
    )


def test_an_import_may_not_move_a_session_still_to_come_that_has_learners_on_it(
    unplaced_session,
):
    RegistrationFactory(session=unplaced_session)

    result = run_import(row(start="14:00", end="17:00"))

    assert not result.applied
    [error] = result.errors
    assert (error.row, error.column) == (2, "start")
    assert "S-2026-0001 is still to come and has people on it (1 learner)" in error.message
    unplaced_session.refresh_from_db()
    assert unplaced_session.starts_at == at(DAY, 10)


def test_an_import_may_not_cancel_a_session_still_to_come_that_has_a_trainer_on_it(
    unplaced_session,
):
    TrainerAssignmentFactory(session=unplaced_session, status="accepted")

    result = run_import(row(status="cancelled"))

    [error] = result.errors
    assert (error.row, error.column) == (2, "status")
    assert "(1 trainer)" in error.message
    unplaced_session.refresh_from_db()
    assert unplaced_session.status == TrainingSession.Status.PLANNED


def test_an_import_may_still_change_a_session_still_to_come_that_nobody_is_on(
    unplaced_session,
):
    RegistrationFactory(session=unplaced_session, status=Registration.Status.CANCELLED)
    TrainerAssignmentFactory(session=unplaced_session, status="declined")

    result = run_import(row(start="14:00", end="17:00", status="cancelled"))

    assert result.applied, result.errors
    unplaced_session.refresh_from_db()
    assert unplaced_session.starts_at == at(DAY, 14)
    assert unplaced_session.status == TrainingSession.Status.CANCELLED


def test_an_import_may_change_what_does_not_affect_the_people_on_a_session(unplaced_session):
    RegistrationFactory(session=unplaced_session)

    result = run_import(row().replace(",pilot,", ",regional,"))

    assert result.applied, result.errors
    unplaced_session.refresh_from_db()
    assert unplaced_session.phase == TrainingSession.Phase.REGIONAL
    assert not Notification.objects.exists()


# A changed joining link


def online(session: TrainingSession, link: str = OLD_LINK) -> TrainingSession:
    session.is_online, session.room, session.joining_link = True, None, link
    session.save()
    return session


def update(session: TrainingSession, by, **changes) -> TrainingSession:
    values: dict[str, Any] = {
        "course_version": session.course_version,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "capacity": session.capacity,
        "region": session.region,
        "room": session.room,
        "is_online": session.is_online,
        "joining_link": session.joining_link,
        "phase": session.phase,
        "coordinator": session.coordinator,
        "code": session.code,
    }
    return session_update(session=session, by=by, **(values | changes))


def test_a_new_joining_link_is_emailed_once_to_exactly_the_people_booked_on_the_session(
    session, coordinator, django_capture_on_commit_callbacks
):
    online(session)
    booked = [RegistrationFactory(session=session) for _ in range(2)]
    RegistrationFactory(session=session, status=Registration.Status.WAITLISTED)
    RegistrationFactory(session=session, status=Registration.Status.CANCELLED)
    accepted = TrainerAssignmentFactory(session=session, status="accepted")
    TrainerAssignmentFactory(session=session, status="invited")
    TrainerAssignmentFactory(session=session, status="declined")

    with django_capture_on_commit_callbacks(execute=True):
        update(session, coordinator, joining_link=NEW_LINK)

    told = sorted(message.to[0] for message in mail.outbox)
    assert told == sorted(
        [*(registration.participant.email for registration in booked), accepted.user.email]
    )
    for message in mail.outbox:
        assert "joining link" in message.subject.lower()
        assert NEW_LINK in message.body
        assert OLD_LINK not in message.body
    for notification in Notification.objects.all():
        assert "pwd=" not in str(notification.context)
        assert "pwd=" not in notification.ics


def test_saving_an_online_session_with_the_same_joining_link_sends_nothing(
    session, coordinator, django_capture_on_commit_callbacks
):
    online(session)
    RegistrationFactory(session=session)
    TrainerAssignmentFactory(session=session, status="accepted")

    with django_capture_on_commit_callbacks(execute=True):
        update(session, coordinator, joining_link=OLD_LINK)
        update(session, coordinator, capacity=20)

    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_a_session_moved_with_a_new_link_sends_one_message_each_with_the_new_link(
    session, coordinator, django_capture_on_commit_callbacks
):
    online(session)
    registration = RegistrationFactory(session=session)
    accepted = TrainerAssignmentFactory(session=session, status="accepted")

    with django_capture_on_commit_callbacks(execute=True):
        update(
            session,
            coordinator,
            starts_at=at(DAY, 14),
            ends_at=at(DAY, 17),
            joining_link=NEW_LINK,
        )

    by_person = {message.to[0]: message for message in mail.outbox}
    assert len(mail.outbox) == len(by_person) == 2
    assert NEW_LINK in by_person[registration.participant.email].body
    assert NEW_LINK in by_person[accepted.user.email].body
    assert Notification.objects.filter(kind=LEARNER_REMINDER_KIND).exists()
