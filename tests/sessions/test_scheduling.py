"""Coordinators schedule, change, move, confirm and cancel sessions at /schedule/. Times are typed
in UK time and stored in UTC; clashes are refused with a message naming them."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from notifications.models import Notification
from notifications.services import notification_queue
from people.models import Role
from sessions.audit_actions import SessionAction
from sessions.models import CourseVersion, TrainingSession
from sessions.services import (
    TRAINER_REMINDER_KIND,
    assignment_accept,
    scheduling,
    session_cancel,
    session_confirm,
    session_create,
    session_update,
)
from tests.factories import (
    CertificationFactory,
    CourseVersionFactory,
    RegionFactory,
    RoomFactory,
    TrainerAssignmentFactory,
    TrainerFactory,
    TrainingSessionFactory,
    UserFactory,
    training_sessions_in_bulk,
)

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
# Tuesday 1 December 2026, 10:00 in London (GMT).
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
CREATE = reverse("sessions:session-create")
SCHEDULE = reverse("sessions:schedule")


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def room():
    return RoomFactory(name="Garden Room", venue__name="Hope Centre", capacity=20)


@pytest.fixture
def version():
    return CourseVersionFactory(course__title="Hearing voices")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


DAY = date(2026, 12, 14)


def schedule(by, version, place, **changes) -> TrainingSession:
    arguments = {
        "course_version": version,
        "starts_at": at(DAY, 10),
        "ends_at": at(DAY, 13),
        "capacity": 12,
        "room": place,
        "phase": TrainingSession.Phase.REGIONAL,
        "by": by,
    }
    return session_create(**{**arguments, **changes})


def form_data(version, room, **changes) -> dict:
    data = {
        "code": "",
        "course_version": version.pk,
        "date": "2026-12-14",
        "start_time": "10:00",
        "end_time": "13:00",
        "where": "venue",
        "room": room.pk,
        "joining_link": "",
        "region": "",
        "phase": "regional",
        "capacity": "12",
        "coordinator": "",
    }
    return {**data, **changes}


def messages_of(error: ValidationError) -> str:
    return " ".join(error.messages)


# Scheduling through the service


def test_a_session_is_scheduled_in_uk_time_with_a_code_made_for_it(coordinator, version, room):
    session = schedule(coordinator, version, room)

    assert session.code == "S-2026-0001"
    assert session.starts_at == datetime(2026, 12, 14, 10, 0, tzinfo=UTC)
    assert session.status == TrainingSession.Status.PLANNED
    assert session.region == room.venue.region
    assert session.coordinator == coordinator


def test_codes_count_up_within_a_year_and_start_again_in_the_next(coordinator, version, room):
    first = schedule(coordinator, version, room)
    second = schedule(coordinator, version, room, starts_at=at(DAY, 14), ends_at=at(DAY, 16))
    next_year = schedule(
        coordinator,
        version,
        room,
        starts_at=at(date(2027, 1, 5), 10),
        ends_at=at(date(2027, 1, 5), 12),
    )

    assert [first.code, second.code, next_year.code] == [
        "S-2026-0001",
        "S-2026-0002",
        "S-2027-0001",
    ]


def test_the_next_code_follows_the_highest_number_even_past_9999(coordinator, version, room):
    TrainingSessionFactory(code="S-2026-9999")
    TrainingSessionFactory(code="S-2026-10000")
    TrainingSessionFactory(code="S-2026-ABC")

    assert schedule(coordinator, version, room).code == "S-2026-10001"


def test_a_code_given_by_the_coordinator_is_kept_and_must_be_unique(coordinator, version, room):
    assert schedule(coordinator, version, room, code=" HV-1 ").code == "HV-1"

    with pytest.raises(ValidationError) as refused:
        schedule(
            coordinator, version, room, code="hv-1", starts_at=at(DAY, 14), ends_at=at(DAY, 16)
        )

    assert refused.value.message_dict["code"] == ["hv-1 is already the code of another session."]


def test_another_coordinator_can_be_named(coordinator, version, room):
    colleague = UserFactory(roles=[Role.COORDINATOR])

    assert schedule(coordinator, version, room, coordinator=colleague).coordinator == colleague


def test_an_online_session_needs_a_joining_link_and_no_room(coordinator, version, room):
    region = RegionFactory(name="London")
    with pytest.raises(ValidationError) as refused:
        schedule(coordinator, version, None, is_online=True, region=region)
    assert refused.value.message_dict["joining_link"] == [
        "Enter the joining link for an online session."
    ]

    session = schedule(
        coordinator,
        version,
        room,
        is_online=True,
        region=region,
        joining_link="https://meet.example.org/x",
    )

    assert session.room is None
    assert session.joining_link == "https://meet.example.org/x"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"ends_at": at(DAY, 10)},
            "ends_at",
            "The session must end after it starts (10:00).",
        ),
        (
            {"ends_at": at(DAY, 9)},
            "ends_at",
            "The session must end after it starts (10:00).",
        ),
        (
            {"starts_at": at(date(2026, 11, 30), 10), "ends_at": at(date(2026, 11, 30), 13)},
            "starts_at",
            "Monday 30 November 2026 at 10:00 has already passed",
        ),
        (
            {"starts_at": at(date(2026, 12, 1), 9), "ends_at": at(date(2026, 12, 1), 13)},
            "starts_at",
            "Tuesday 1 December 2026 at 09:00 has already passed",
        ),
        ({"capacity": 0}, "capacity", "A session needs at least 1 place."),
        ({"capacity": 21}, "capacity", "Garden Room at Hope Centre holds 20"),
        ({"room": None}, "room", "Choose the room, or say that the session is online."),
    ],
)
def test_what_cannot_be_scheduled_is_refused_and_nothing_is_saved(
    coordinator, version, room, changes, field, message
):
    with pytest.raises(ValidationError) as refused:
        schedule(coordinator, version, room, **changes)

    assert message in " ".join(refused.value.message_dict[field])
    assert not TrainingSession.objects.exists()
    assert not AuditEvent.objects.filter(action=SessionAction.SESSION_SCHEDULED).exists()


@pytest.mark.parametrize("status", [CourseVersion.Status.DRAFT])
def test_only_a_pilot_or_published_version_can_be_scheduled(coordinator, room, status):
    draft = CourseVersionFactory(course__title="Recovery", status=status)

    with pytest.raises(ValidationError) as refused:
        schedule(coordinator, draft, room)

    assert refused.value.message_dict["course_version"] == [
        "Version 1 of “Recovery” is a draft: choose a pilot or published version."
    ]


def test_a_pilot_version_can_be_scheduled(coordinator, room):
    pilot = CourseVersionFactory(status=CourseVersion.Status.PILOT)

    assert schedule(coordinator, pilot, room).course_version == pilot


def test_a_room_in_another_region_is_refused(coordinator, version, room):
    elsewhere = RegionFactory(name="Manchester")

    with pytest.raises(ValidationError) as refused:
        schedule(coordinator, version, room, region=elsewhere)

    assert f"Hope Centre is in {room.venue.region}, not Manchester" in messages_of(refused.value)


def test_a_double_booked_room_is_refused_naming_the_other_session(coordinator, version, room):
    schedule(coordinator, version, room)

    with pytest.raises(ValidationError) as refused:
        schedule(coordinator, version, room, starts_at=at(DAY, 12), ends_at=at(DAY, 15))

    assert refused.value.message_dict["room"] == [
        "Garden Room at Hope Centre is already booked for “Hearing voices” 10:00–13:00 on "
        "Monday 14 December 2026 (S-2026-0001)."
    ]
    assert TrainingSession.objects.count() == 1


def test_a_room_is_free_when_one_session_ends_as_the_next_starts(coordinator, version, room):
    schedule(coordinator, version, room)

    schedule(coordinator, version, room, starts_at=at(DAY, 13), ends_at=at(DAY, 15))

    assert TrainingSession.objects.count() == 2


@pytest.mark.parametrize(
    "status", [TrainingSession.Status.CANCELLED, TrainingSession.Status.DELIVERED]
)
def test_a_cancelled_or_delivered_session_does_not_hold_the_room(
    coordinator, version, room, status
):
    TrainingSessionFactory(
        room=room, region=room.venue.region, starts_at=at(DAY, 10), status=status
    )

    schedule(coordinator, version, room)

    assert TrainingSession.objects.count() == 2


def test_scheduling_is_recorded_in_the_audit_trail(coordinator, version, room):
    session = schedule(coordinator, version, room)

    event = AuditEvent.objects.get(action=SessionAction.SESSION_SCHEDULED)
    assert event.actor == coordinator
    assert event.object_id == str(session.pk)
    assert event.changes["session"] == "S-2026-0001"


# Changing and moving


def update(session, by, **changes) -> TrainingSession:
    arguments = {
        "course_version": session.course_version,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "capacity": session.capacity,
        "room": session.room,
        "region": session.region,
        "is_online": session.is_online,
        "joining_link": session.joining_link,
        "phase": session.phase,
        "coordinator": session.coordinator,
        "code": session.code,
        "by": by,
    }
    return session_update(session=session, **{**arguments, **changes})


def test_a_session_moves_to_a_new_time(coordinator, version, room):
    session = schedule(coordinator, version, room)

    update(session, coordinator, starts_at=at(DAY, 14), ends_at=at(DAY, 16, 30))

    session.refresh_from_db()
    assert session.starts_at == datetime(2026, 12, 14, 14, 0, tzinfo=UTC)
    event = AuditEvent.objects.get(action=SessionAction.SESSION_CHANGED)
    assert event.changes["when"] == [
        "Monday 14 December 2026, 10:00 to 13:00",
        "Monday 14 December 2026, 14:00 to 16:30",
    ]


def test_a_session_cannot_be_moved_into_the_past(coordinator, version, room):
    session = schedule(coordinator, version, room)

    with pytest.raises(ValidationError) as refused:
        update(
            session,
            coordinator,
            starts_at=at(date(2026, 11, 20), 10),
            ends_at=at(date(2026, 11, 20), 12),
        )

    assert "has already passed" in messages_of(refused.value)
    session.refresh_from_db()
    assert session.starts_at == at(DAY, 10)


def test_a_session_under_way_can_still_have_its_places_changed(coordinator, version, room):
    session = TrainingSessionFactory(
        room=room, region=room.venue.region, starts_at=NOW - timedelta(hours=1), capacity=10
    )

    update(session, coordinator, capacity=15)

    session.refresh_from_db()
    assert session.capacity == 15


def test_moving_into_a_booked_room_is_refused(coordinator, version, room):
    schedule(coordinator, version, room)
    other_room = RoomFactory(venue=room.venue, name="Blue Room")
    session = schedule(coordinator, version, other_room)

    with pytest.raises(ValidationError) as refused:
        update(session, coordinator, room=room)

    assert "Garden Room at Hope Centre is already booked for" in messages_of(refused.value)


def test_moving_a_session_refuses_to_double_book_a_trainer_on_it(coordinator, version, room):
    session = schedule(coordinator, version, room)
    trainer = TrainerFactory(certified=True, user__full_name="Taylor Trainer")
    TrainerAssignmentFactory(session=session, user=trainer.user, status="accepted")
    other = TrainingSessionFactory(
        code="S-2026-0099",
        course_version__course__title="Recovery stories",
        starts_at=at(date(2026, 12, 15), 10),
    )
    TrainerAssignmentFactory(session=other, user=trainer.user, status="invited")

    with pytest.raises(ValidationError) as refused:
        update(
            session,
            coordinator,
            starts_at=at(date(2026, 12, 15), 11),
            ends_at=at(date(2026, 12, 15), 14),
        )

    assert refused.value.messages == [
        "Taylor Trainer is already on “Recovery stories” 10:00–13:00 on Tuesday 15 December "
        "2026 (S-2026-0099)."
    ]


def test_a_declined_trainer_does_not_stop_a_move(coordinator, version, room):
    session = schedule(coordinator, version, room)
    trainer = TrainerFactory(certified=True)
    TrainerAssignmentFactory(session=session, user=trainer.user, status="declined")
    TrainerAssignmentFactory(user=trainer.user, session__starts_at=at(date(2026, 12, 15), 10))

    update(
        session,
        coordinator,
        starts_at=at(date(2026, 12, 15), 11),
        ends_at=at(date(2026, 12, 15), 14),
    )


def test_a_move_re_times_the_trainers_reminders_and_tells_them(
    coordinator, version, room, django_capture_on_commit_callbacks
):
    session = schedule(coordinator, version, room)
    assignment = TrainerAssignmentFactory(session=session)
    assignment_accept(assignment=assignment)

    with django_capture_on_commit_callbacks(execute=True):
        update(
            session,
            coordinator,
            starts_at=at(date(2026, 12, 21), 10),
            ends_at=at(date(2026, 12, 21), 13),
        )

    queued = Notification.objects.filter(
        kind=TRAINER_REMINDER_KIND, status=Notification.Status.QUEUED
    ).order_by("due_at")
    assert [n.due_at for n in queued] == [at(date(2026, 12, 14), 9), at(date(2026, 12, 20), 9)]
    assert (
        Notification.objects.filter(
            kind=TRAINER_REMINDER_KIND, status=Notification.Status.CANCELLED
        ).count()
        == 2
    )
    [moved] = [m for m in mail.outbox if m.subject.startswith("Changed:")]
    assert moved.to == [assignment.user.email]
    assert "Monday 21 December 2026, 10:00 to 13:00" in moved.body
    assert "It was Monday 14 December 2026, 10:00 to 13:00" in moved.body


def test_changing_only_the_places_does_not_tell_the_trainers(coordinator, version, room):
    session = schedule(coordinator, version, room)
    TrainerAssignmentFactory(session=session)

    update(session, coordinator, capacity=15)

    assert not Notification.objects.filter(kind="session_moved_trainer").exists()


def test_the_learners_side_hears_of_a_move(coordinator, version, room, monkeypatch):
    heard = []
    monkeypatch.setattr(scheduling, "registrations_on_session_changed", heard.append)
    session = schedule(coordinator, version, room)

    update(session, coordinator, starts_at=at(DAY, 11), ends_at=at(DAY, 14))

    assert heard == [session]


def test_a_confirmed_session_moved_past_its_leads_certification_is_planned_again(
    coordinator, version, room
):
    session = schedule(coordinator, version, room)
    trainer = TrainerFactory(status="active")
    CertificationFactory(trainer=trainer, expires_on=date(2026, 12, 20))
    TrainerAssignmentFactory(session=session, user=trainer.user, status="accepted")
    session_confirm(session=session, by=coordinator)

    update(
        session,
        coordinator,
        starts_at=at(date(2026, 12, 22), 10),
        ends_at=at(date(2026, 12, 22), 13),
    )

    session.refresh_from_db()
    assert session.status == TrainingSession.Status.PLANNED


def test_a_confirmed_session_can_be_moved_and_stays_confirmed(coordinator, version, room):
    session = schedule(coordinator, version, room)
    TrainerAssignmentFactory(session=session, status="accepted")
    session_confirm(session=session, by=coordinator)

    update(session, coordinator, starts_at=at(DAY, 14), ends_at=at(DAY, 16))

    session.refresh_from_db()
    assert session.status == TrainingSession.Status.CONFIRMED


def test_a_cancelled_session_cannot_be_changed(coordinator, version, room):
    session = schedule(coordinator, version, room)
    session_cancel(session=session, reason="Room flooded", by=coordinator)

    with pytest.raises(ValidationError) as refused:
        update(session, coordinator, capacity=5)

    assert refused.value.messages == ["This session is cancelled, so it cannot be changed."]


# Cancelling


def test_a_cancelled_session_tells_its_trainers_why_and_cancels_their_reminders(
    coordinator, version, room, django_capture_on_commit_callbacks
):
    session = schedule(coordinator, version, room)
    accepted = TrainerAssignmentFactory(session=session)
    assignment_accept(assignment=accepted)
    invited = TrainerAssignmentFactory(session=session, role="co_trainer")
    TrainerAssignmentFactory(session=session, role="co_trainer", status="declined")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        session_cancel(session=session, reason="The venue is closed for repairs", by=coordinator)

    session.refresh_from_db()
    assert session.status == TrainingSession.Status.CANCELLED
    assert not Notification.objects.filter(
        kind=TRAINER_REMINDER_KIND, status=Notification.Status.QUEUED
    ).exists()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([accepted.user.email, invited.user.email])
    assert all("The venue is closed for repairs" in m.body for m in mail.outbox)
    event = AuditEvent.objects.get(action=SessionAction.SESSION_CANCELLED)
    assert event.changes["reason"] == "The venue is closed for repairs"


def test_cancelling_cancels_every_reminder_queued_about_the_session(coordinator, version, room):
    session = schedule(coordinator, version, room)
    reminder = notification_queue(
        kind="session_check_coordinator",
        recipient_email=coordinator.email,
        subject="Check",
        template="x",
        related=session,
        due_at=at(date(2026, 12, 7), 9),
    )

    session_cancel(session=session, reason="No trainers", by=coordinator)

    reminder.refresh_from_db()
    assert reminder.status == Notification.Status.CANCELLED


def test_the_learners_side_hears_of_a_cancellation(coordinator, version, room, monkeypatch):
    heard = []
    monkeypatch.setattr(
        scheduling,
        "registrations_on_session_cancelled",
        lambda s: heard.append((s.pk, s.status)),
    )
    session = schedule(coordinator, version, room)

    session_cancel(session=session, reason="Snow", by=coordinator)

    assert heard == [(session.pk, "cancelled")]


def test_a_cancellation_needs_a_reason(coordinator, version, room):
    session = schedule(coordinator, version, room)

    with pytest.raises(ValidationError) as refused:
        session_cancel(session=session, reason="  ", by=coordinator)

    assert "Say why the session is cancelled" in messages_of(refused.value)
    session.refresh_from_db()
    assert session.status == TrainingSession.Status.PLANNED


def test_a_session_is_cancelled_only_once(coordinator, version, room):
    session = schedule(coordinator, version, room)
    session_cancel(session=session, reason="Snow", by=coordinator)

    with pytest.raises(ValidationError) as refused:
        session_cancel(session=session, reason="Snow again", by=coordinator)

    assert refused.value.messages == ["This session is cancelled, so it cannot be cancelled."]


def test_a_cancelled_session_frees_its_room(coordinator, version, room):
    session = schedule(coordinator, version, room)
    session_cancel(session=session, reason="Snow", by=coordinator)

    schedule(coordinator, version, room)

    assert TrainingSession.objects.count() == 2


# The pages: scheduling


@pytest.mark.parametrize(
    ("role", "expected"),
    [("trainer", 403), ("team_lead", 403), ("manager", 403), ("admin_user", 403)],
)
def test_only_coordinators_schedule_sessions(client, request, role, expected):
    client.force_login(request.getfixturevalue(role))

    assert client.get(CREATE).status_code == expected
    assert client.get(SCHEDULE).status_code == expected


def test_visitors_are_sent_to_sign_in(client):
    response = client.get(CREATE)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_form_offers_only_pilot_and_published_versions_and_defaults_to_me(
    client, coordinator, version
):
    CourseVersionFactory(course__title="Not ready", status=CourseVersion.Status.DRAFT)
    client.force_login(coordinator)

    response = client.get(CREATE)

    page = response.content.decode()
    assert "Hearing voices (version 1, published)" in page
    assert "Not ready" not in page
    assert response.context["form"]["coordinator"].value() == coordinator.pk


def test_the_calendar_can_fill_in_the_date(client, coordinator):
    client.force_login(coordinator)

    response = client.get(CREATE + "?date=2026-12-18")

    assert 'value="2026-12-18"' in response.content.decode()


def test_a_coordinator_schedules_a_session_from_the_form(client, coordinator, version, room):
    client.force_login(coordinator)

    response = client.post(CREATE, form_data(version, room, coordinator=coordinator.pk))

    session = TrainingSession.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("sessions:session-detail", args=[session.pk])
    assert session.starts_at == datetime(2026, 12, 14, 10, 0, tzinfo=UTC)
    assert session.ends_at == datetime(2026, 12, 14, 13, 0, tzinfo=UTC)
    assert session.phase == TrainingSession.Phase.REGIONAL
    assert session.capacity == 12


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [
        ("2027-03-27", 10),  # the Saturday before the clocks go forward: GMT
        ("2027-03-29", 9),  # the Monday after: BST, an hour ahead of UTC
        ("2027-10-30", 9),  # the Saturday before the clocks go back: BST
        ("2027-11-01", 10),  # the Monday after: GMT again
    ],
)
def test_times_are_typed_in_uk_time_either_side_of_the_clock_changes(
    client, coordinator, version, room, day, utc_hour
):
    client.force_login(coordinator)

    client.post(CREATE, form_data(version, room, date=day, coordinator=coordinator.pk))

    session = TrainingSession.objects.get()
    assert session.starts_at.astimezone(UTC).hour == utc_hour
    edit = client.get(reverse("sessions:session-edit", args=[session.pk]))
    assert 'value="10:00"' in edit.content.decode()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"date": ""}, "date", "Enter the date of the session."),
        ({"date": "31/02/2026"}, "date", "Enter a real date, like 14/12/2026."),
        ({"start_time": "25:00"}, "start_time", "Enter a time, like 10:00."),
        ({"end_time": ""}, "end_time", "Enter the time the session ends."),
        ({"end_time": "09:00"}, "end_time", "The session must end after it starts (10:00)."),
        ({"end_time": "10:00"}, "end_time", "The session must end after it starts (10:00)."),
        ({"date": "2026-11-30"}, "date", "has already passed"),
        ({"capacity": "0"}, "capacity", "A session needs at least 1 place."),
        ({"capacity": "twelve"}, "capacity", "Enter a whole number, like 12."),
        ({"capacity": "25"}, "capacity", "Garden Room at Hope Centre holds 20"),
        ({"room": ""}, "room", "Choose the room, or say that the session is online."),
        ({"where": "online", "room": ""}, "joining_link", "Enter the joining link"),
        (
            {"where": "online", "joining_link": "not a link"},
            "joining_link",
            "Enter a full web address",
        ),
        ({"where": "moon"}, "where", "Choose at a venue or online."),
        ({"course_version": ""}, "course_version", "Choose the course."),
        ({"coordinator": "999999"}, "coordinator", "Choose one of the coordinators listed."),
        ({"code": "x" * 41}, "code", "Keep the code to 40 characters or fewer."),
    ],
)
def test_bad_input_is_refused_at_the_field_and_nothing_is_saved(
    client, coordinator, version, room, changes, field, message
):
    client.force_login(coordinator)

    data = form_data(version, room, coordinator=coordinator.pk) | changes

    response = client.post(CREATE, data)

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not TrainingSession.objects.exists()


def test_a_clash_is_shown_at_the_room_and_what_was_typed_is_kept(
    client, coordinator, version, room
):
    TrainingSessionFactory(
        code="S-2026-0042",
        room=room,
        region=room.venue.region,
        course_version__course__title="Recovery stories",
        starts_at=at(DAY, 9),
    )
    client.force_login(coordinator)

    response = client.post(
        CREATE, form_data(version, room, coordinator=coordinator.pk, capacity="17", code="MINE-1")
    )

    page = response.content.decode()
    assert response.context["form"].errors["room"] == [
        "Garden Room at Hope Centre is already booked for “Recovery stories” 09:00–12:00 on "
        "Monday 14 December 2026 (S-2026-0042)."
    ]
    assert 'value="17"' in page
    assert 'value="MINE-1"' in page
    assert 'value="2026-12-14"' in page
    assert TrainingSession.objects.count() == 1


def test_the_edit_form_shows_the_session_and_moves_it(client, coordinator, version, room):
    session = schedule(coordinator, version, room)
    client.force_login(coordinator)
    url = reverse("sessions:session-edit", args=[session.pk])

    page = client.get(url).content.decode()
    response = client.post(
        url,
        form_data(
            version,
            room,
            coordinator=coordinator.pk,
            code=session.code,
            start_time="11:00",
            end_time="14:00",
        ),
    )

    assert 'value="S-2026-0001"' in page
    assert 'value="2026-12-14"' in page
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.starts_at == datetime(2026, 12, 14, 11, 0, tzinfo=UTC)


def test_a_trainer_double_booked_by_a_move_is_named_above_the_form(
    client, coordinator, version, room
):
    session = schedule(coordinator, version, room)
    trainer = TrainerFactory(certified=True, user__full_name="Taylor Trainer")
    TrainerAssignmentFactory(session=session, user=trainer.user, status="accepted")
    TrainerAssignmentFactory(
        user=trainer.user,
        session__code="S-2026-0099",
        session__course_version__course__title="Recovery stories",
        session__starts_at=at(DAY, 14),
    )
    client.force_login(coordinator)

    response = client.post(
        reverse("sessions:session-edit", args=[session.pk]),
        form_data(version, room, coordinator=coordinator.pk, start_time="13:30", end_time="15:00"),
    )

    assert response.context["form"].non_field_errors() == [
        "Taylor Trainer is already on “Recovery stories” 14:00–17:00 on Monday 14 December "
        "2026 (S-2026-0099)."
    ]
    assert "Taylor Trainer is already on" in response.content.decode()
    session.refresh_from_db()
    assert session.starts_at == at(DAY, 10)


def test_a_cancelled_session_has_no_edit_form(client, coordinator, version, room):
    session = schedule(coordinator, version, room)
    session_cancel(session=session, reason="Snow", by=coordinator)
    client.force_login(coordinator)

    response = client.get(reverse("sessions:session-edit", args=[session.pk]))

    assert response.status_code == 302
    assert response.url == reverse("sessions:session-detail", args=[session.pk])


def test_a_coordinator_cancels_a_session_with_a_reason(client, coordinator, version, room):
    session = schedule(coordinator, version, room)
    client.force_login(coordinator)
    url = reverse("sessions:session-cancel", args=[session.pk])

    empty = client.post(url, {"reason": ""})
    response = client.post(url, {"reason": "Trainer unwell"})

    assert "Say why the session is cancelled" in " ".join(empty.context["form"].errors["reason"])
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == TrainingSession.Status.CANCELLED


def test_the_session_page_offers_change_confirm_and_cancel(client, coordinator, version, room):
    session = schedule(coordinator, version, room)
    client.force_login(coordinator)

    page = client.get(reverse("sessions:session-detail", args=[session.pk])).content.decode()

    assert "Hearing voices, Monday 14 December 2026" in page
    assert reverse("sessions:session-edit", args=[session.pk]) in page
    assert reverse("sessions:session-confirm", args=[session.pk]) in page
    assert reverse("sessions:session-cancel", args=[session.pk]) in page
    assert "Garden Room, Hope Centre (holds 20)" in page


def test_the_confirm_button_explains_a_refusal(client, coordinator, version, room):
    session = schedule(coordinator, version, room)
    client.force_login(coordinator)

    response = client.post(reverse("sessions:session-confirm", args=[session.pk]), follow=True)

    assert "Sessions are service-user-led" in response.content.decode()
    session.refresh_from_db()
    assert session.status == TrainingSession.Status.PLANNED


# The schedule list


def test_the_schedule_starts_today_unless_asked_for_the_past(client, coordinator):
    TrainingSessionFactory(code="PAST-1", starts_at=NOW - timedelta(days=3))
    TrainingSessionFactory(code="TODAY-1", starts_at=at(date(2026, 12, 1), 14))
    TrainingSessionFactory(code="NEXT-1")
    client.force_login(coordinator)

    default = client.get(SCHEDULE).content.decode()
    everything = client.get(SCHEDULE + "?date_from=").content.decode()

    assert "PAST-1" not in default
    assert "TODAY-1" in default
    assert "NEXT-1" in default
    assert "PAST-1" in everything


def test_the_schedule_filters_by_dates_region_course_status_and_phase(client, coordinator):
    manchester = RegionFactory(name="Manchester")
    wanted = TrainingSessionFactory(
        code="WANTED",
        region=manchester,
        phase="national",
        status="confirmed",
        starts_at=at(date(2026, 12, 10), 10),
    )
    TrainingSessionFactory(
        code="OTHER-REGION",
        phase="national",
        status="confirmed",
        course_version=wanted.course_version,
        starts_at=at(date(2026, 12, 10), 10),
    )
    TrainingSessionFactory(
        code="OTHER-COURSE",
        region=manchester,
        phase="national",
        status="confirmed",
        starts_at=at(date(2026, 12, 10), 14),
    )
    TrainingSessionFactory(
        code="OTHER-STATUS",
        region=manchester,
        phase="national",
        course_version=wanted.course_version,
        starts_at=at(date(2026, 12, 10), 14),
    )
    TrainingSessionFactory(
        code="OTHER-PHASE",
        region=manchester,
        status="confirmed",
        course_version=wanted.course_version,
        starts_at=at(date(2026, 12, 11), 10),
    )
    TrainingSessionFactory(
        code="TOO-LATE",
        region=manchester,
        phase="national",
        status="confirmed",
        course_version=wanted.course_version,
        starts_at=at(date(2026, 12, 21), 10),
    )
    client.force_login(coordinator)

    response = client.get(
        SCHEDULE,
        {
            "date_from": "2026-12-10",
            "date_to": "2026-12-20",
            "region": manchester.pk,
            "course": wanted.course_version.course_id,
            "status": "confirmed",
            "phase": "national",
        },
    )

    assert [s.code for s in response.context["sessions"]] == ["WANTED"]


def test_the_date_range_means_uk_days(client, coordinator):
    # 00:30 on 1 July in London is 23:30 on 30 June in UTC.
    TrainingSessionFactory(code="JULY-1", starts_at=datetime(2027, 6, 30, 23, 30, tzinfo=UTC))
    client.force_login(coordinator)

    june = client.get(SCHEDULE, {"date_from": "2027-06-01", "date_to": "2027-06-30"})
    july = client.get(SCHEDULE, {"date_from": "2027-07-01", "date_to": "2027-07-31"})

    assert list(june.context["sessions"]) == []
    assert [s.code for s in july.context["sessions"]] == ["JULY-1"]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"date_from": "yesterday"}, "date_from", "Enter a real date"),
        ({"date_from": "2026-12-10", "date_to": "2026-12-01"}, "date_to", "must not be before"),
        ({"region": "999999"}, "region", "Choose one of the regions listed."),
        ({"status": "lost"}, "status", "Choose one of the statuses listed."),
    ],
)
def test_a_bad_filter_is_shown_instead_of_an_unfiltered_list(
    client, coordinator, data, field, message
):
    TrainingSessionFactory()
    client.force_login(coordinator)

    response = client.get(SCHEDULE, data)

    assert message in " ".join(response.context["form"].errors[field])
    assert list(response.context["sessions"]) == []
    assert "Correct the filter to see sessions." in response.content.decode()


def test_the_schedule_shows_places_booked_and_accepted_service_user_trainers(client, coordinator):
    session = TrainingSessionFactory(code="ONE")
    TrainerAssignmentFactory(session=session, status="accepted")
    TrainerAssignmentFactory(session=session, role="shadowing", status="accepted")
    client.force_login(coordinator)

    row = client.get(SCHEDULE).context["sessions"][0]

    assert row.leading_count == 1
    assert row.booked_count == 0


def test_the_schedule_runs_the_same_queries_for_10_or_10000_sessions(
    client, coordinator, django_assert_max_num_queries
):
    first = at(date(2026, 12, 2), 9)
    training_sessions_in_bulk(10, first_starts_at=first)
    client.force_login(coordinator)
    client.get(SCHEDULE)  # the session and the user are read once, before counting

    with CaptureQueriesContext(connection) as few:
        client.get(SCHEDULE)
    training_sessions_in_bulk(9990, first_starts_at=first + timedelta(days=3000))
    with django_assert_max_num_queries(len(few)), CaptureQueriesContext(connection) as many:
        response = client.get(SCHEDULE, {"page": "3"})

    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 10000
    assert len(many) == len(few)
