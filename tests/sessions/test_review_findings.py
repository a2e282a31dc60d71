"""Rules that broke at the seams between the sessions app's sections (found in review)."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from sessions.models import Registration, TrainerAssignment, TrainingSession
from sessions.services import (
    assignment_withdraw,
    csv_import_run,
    session_confirm,
    session_update,
)
from tests.factories import (
    CertificationFactory,
    CourseVersionFactory,
    RegistrationFactory,
    RoomFactory,
    TrainerAssignmentFactory,
    TrainerFactory,
    TrainingSessionFactory,
)
from trainers.services import certification_expiry_update

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
DAY = date(2026, 12, 14)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


@pytest.fixture
def session(coordinator) -> TrainingSession:
    return TrainingSessionFactory(
        starts_at=at(DAY, 10),
        ends_at=at(DAY, 13),
        capacity=3,
        room__capacity=20,
        coordinator=coordinator,
    )


def update(session, by, **changes) -> TrainingSession:
    arguments = {
        "course_version": session.course_version,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "capacity": session.capacity,
        "room": session.room,
        "region": session.region,
        "phase": session.phase,
        "coordinator": session.coordinator,
        "code": session.code,
    }
    return session_update(session=session, by=by, **{**arguments, **changes})


def test_places_cannot_be_lowered_below_the_people_already_booked(session, coordinator):
    RegistrationFactory.create_batch(3, session=session)

    with pytest.raises(ValidationError) as refused:
        update(session, coordinator, capacity=2)

    assert "capacity" in refused.value.error_dict
    session.refresh_from_db()
    assert session.capacity == 3


def test_more_places_from_the_edit_form_promote_the_waitlist_oldest_first(
    session, coordinator, django_capture_on_commit_callbacks
):
    RegistrationFactory.create_batch(3, session=session)
    first = RegistrationFactory(session=session, status="waitlisted")
    second = RegistrationFactory(session=session, status="waitlisted")

    with django_capture_on_commit_callbacks(execute=True):
        update(session, coordinator, capacity=4)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Registration.Status.BOOKED
    assert second.status == Registration.Status.WAITLISTED


def test_nobody_can_step_off_or_be_taken_off_a_session_that_has_started(session, coordinator):
    assignment = TrainerAssignmentFactory(session=session, status="accepted")
    session_confirm(session=session, by=coordinator)

    with time_machine.travel(at(DAY, 11), tick=False), pytest.raises(ValidationError):
        assignment_withdraw(assignment=assignment, by=assignment.user)

    session.refresh_from_db()
    assignment.refresh_from_db()
    assert session.status == TrainingSession.Status.CONFIRMED
    assert assignment.status == TrainerAssignment.Status.ACCEPTED


def test_a_time_the_clocks_skip_in_march_is_refused_at_the_field_as_the_import_refuses_it(
    client, coordinator
):
    room = RoomFactory(capacity=20)
    version = CourseVersionFactory()
    client.force_login(coordinator)
    # The clocks go from 01:00 to 02:00 on Sunday 28 March 2027: 01:30 never happens.
    data = {
        "code": "",
        "course_version": version.pk,
        "date": "2027-03-28",
        "start_time": "01:30",
        "end_time": "04:00",
        "where": "venue",
        "room": room.pk,
        "joining_link": "",
        "region": "",
        "phase": "regional",
        "capacity": "12",
        "coordinator": coordinator.pk,
    }

    response = client.post(reverse("sessions:session-create"), data)

    assert response.status_code == 200
    assert "does not exist in the UK" in " ".join(response.context["form"].errors["start_time"])
    assert 'value="01:30"' in response.content.decode()
    assert not TrainingSession.objects.exists()


def test_a_confirmed_session_goes_back_to_planned_when_its_leads_certification_is_cut_short(
    session, coordinator
):
    trainer = TrainerFactory(status="active")
    certification = CertificationFactory(trainer=trainer)
    TrainerAssignmentFactory(session=session, user=trainer.user, status="accepted")
    session_confirm(session=session, by=coordinator)

    certification_expiry_update(
        certification=certification, expires_on=DAY - timedelta(days=1), by=coordinator
    )

    session.refresh_from_db()
    assert session.status == TrainingSession.Status.PLANNED


def test_a_lead_whose_certification_still_covers_the_day_keeps_the_session_confirmed(
    session, coordinator
):
    trainer = TrainerFactory(status="active")
    certification = CertificationFactory(trainer=trainer)
    TrainerAssignmentFactory(session=session, user=trainer.user, status="accepted")
    session_confirm(session=session, by=coordinator)

    certification_expiry_update(
        certification=certification, expires_on=DAY + timedelta(days=1), by=coordinator
    )

    session.refresh_from_db()
    assert session.status == TrainingSession.Status.CONFIRMED


SESSIONS_CSV = "code,course,date,start,end,region,venue,phase,capacity,status"


def _import_sessions(*rows: str):
    content = ("\r\n".join([SESSIONS_CSV, *rows]) + "\r\n").encode()
    return csv_import_run(kind="sessions", content=content, dry_run=False)


def test_an_imported_session_still_to_come_never_double_books_a_room(session):
    venue = session.room.venue
    where = f"{venue.region.name},{venue.name}"
    before = TrainingSession.objects.count()

    result = _import_sessions(f"I-1,Hearing Voices,2026-12-14,11:00,12:00,{where},pilot,5,planned")

    assert [(error.row, error.column) for error in result.errors] == [(2, "venue")]
    assert session.code in result.errors[0].message
    assert TrainingSession.objects.count() == before


def test_two_sessions_still_to_come_in_one_file_never_share_a_room(session):
    venue = session.room.venue
    where = f"{venue.region.name},{venue.name}"

    result = _import_sessions(
        f"I-1,Hearing Voices,2026-12-15,10:00,12:00,{where},pilot,5,planned",
        f"I-2,Hearing Voices,2026-12-15,11:00,13:00,{where},pilot,5,planned",
    )

    assert [(error.row, error.column) for error in result.errors] == [(3, "venue")]
    assert "I-1" in result.errors[0].message


def test_past_sessions_are_still_imported_as_they_were(session):
    venue = session.room.venue
    where = f"{venue.region.name},{venue.name}"

    result = _import_sessions(
        f"H-1,Hearing Voices,2026-06-01,10:00,12:00,{where},pilot,5,confirmed",
        f"H-2,Hearing Voices,2026-06-01,10:00,12:00,{where},pilot,5,delivered",
    )

    assert result.applied, result.errors


def test_a_certified_lead_who_has_left_does_not_make_a_session_service_user_led(
    session, coordinator
):
    trainer = TrainerFactory(status="left")
    CertificationFactory(trainer=trainer)
    TrainerAssignmentFactory(session=session, user=trainer.user, status="accepted")

    with pytest.raises(ValidationError):
        session_confirm(session=session, by=coordinator)

    session.refresh_from_db()
    assert session.status == TrainingSession.Status.PLANNED


def test_the_database_refuses_a_course_title_that_differs_only_in_case():
    from django.db import IntegrityError, transaction

    from sessions.models import Course

    Course.objects.create(title="Hearing Voices")

    with pytest.raises(IntegrityError), transaction.atomic():
        Course.objects.create(title="hearing voices")
