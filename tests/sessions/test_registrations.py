"""Learners register through a session's public link (/register/<token>/) without an account;
coordinators add people at /schedule/<pk>/registrations/. Everyone gets a confirmation email with
a calendar file and a personal link to cancel; two days before, a reminder."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from notifications.services import notification_due_ids, notification_send
from people.models import Participant, ParticipantType, Role
from sessions.ics import calendar_document, session_event
from sessions.models import Registration, TrainingSession
from sessions.services import (
    learner_reminder_due_at,
    registration_add_existing,
    registration_add_new,
    registration_public_submit,
)
from tests.factories import (
    ParticipantFactory,
    RegistrationFactory,
    TeamFactory,
    TrainingSessionFactory,
    UserFactory,
    registrations_in_bulk,
)
from tests.sessions.registration_helpers import (
    body_and_html,
    emails_to,
    ics_event,
    ics_of,
    ics_value,
    text,
)

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def london(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=LONDON)


@pytest.fixture
def session() -> TrainingSession:
    return TrainingSessionFactory(
        course_version__course__title="Hearing Voices",
        room__name="Room 2",
        room__venue__name="Friends Meeting House",
        room__venue__address="6 Mount Street\nManchester",
        room__venue__accessibility="Step-free entrance and a hearing loop.",
        capacity=3,
    )


@pytest.fixture
def online() -> TrainingSession:
    return TrainingSessionFactory(
        course_version__course__title="Recovery Stories",
        room=None,
        is_online=True,
        joining_link="https://meet.example.org/secret-room-4471",
    )


def register_url(session: TrainingSession) -> str:
    return reverse("sessions:register", kwargs={"token": session.registration_token})


def list_url(session: TrainingSession) -> str:
    return reverse("sessions:registration-list", kwargs={"pk": session.pk})


def form_data(**changes) -> dict:
    data = {
        "full_name": "Priya Shah",
        "email": "Priya.Shah@example.org",
        "participant_type": ParticipantType.STAFF,
        "team": "",
    }
    return {**data, **changes}


@pytest.fixture
def post_register(client, django_capture_on_commit_callbacks):
    """Post the public form, sending what is queued after commit (the emails)."""

    def post(session: TrainingSession, data: dict, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(register_url(session), data, **kwargs)

    return post


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


# The public registration page


def test_the_public_page_shows_the_session_and_the_places_left_without_signing_in(client, session):
    RegistrationFactory(session=session)

    response = client.get(register_url(session))

    page = text(response)
    assert response.status_code == 200
    assert "Register for Hearing Voices" in page
    assert "Room 2, Friends Meeting House" in page
    assert "Step-free entrance and a hearing loop." in page
    assert "2 places left." in page
    assert 'name="email"' in page


def test_the_public_page_of_an_online_session_never_shows_its_joining_link(client, online):
    page = text(client.get(register_url(online)))

    assert "Online. The joining link is emailed to people with a place." in page
    assert "secret-room-4471" not in page


def test_an_unknown_registration_link_is_not_found(client):
    assert client.get(reverse("sessions:register", kwargs={"token": "nope"})).status_code == 404


def test_a_learner_registers_and_gets_a_place(post_register, session, client):
    response = post_register(session, form_data())

    assert response.status_code == 302
    assert response.url == reverse(
        "sessions:register-done", kwargs={"token": session.registration_token}
    )
    registration = Registration.objects.get(session=session)
    assert registration.status == Registration.Status.BOOKED
    assert registration.source == Registration.Source.PUBLIC
    assert registration.participant.email == "Priya.Shah@example.org"
    assert registration.participant.participant_type == ParticipantType.STAFF
    done = text(client.get(response.url))
    assert "We have emailed that address to say what happens next." in done


def test_a_bot_filling_the_hidden_field_reaches_the_same_page_and_nothing_is_kept(
    post_register, session
):
    response = post_register(session, form_data(website="http://spam.example"))

    assert response.status_code == 302
    assert response.url == reverse(
        "sessions:register-done", kwargs={"token": session.registration_token}
    )
    assert not Participant.objects.exists()
    assert mail.outbox == []


def test_a_registration_records_the_team_and_its_region(post_register, session):
    team = TeamFactory(name="Crisis Team")

    post_register(session, form_data(team=team.pk, participant_type=ParticipantType.SERVICE_USER))

    participant = Participant.objects.get()
    assert participant.team == team
    assert participant.region == team.region
    assert participant.participant_type == ParticipantType.SERVICE_USER


def test_the_confirmation_email_has_the_details_a_calendar_file_and_a_cancel_link(
    post_register, session, client
):
    post_register(session, form_data())

    (message,) = emails_to("Priya.Shah@example.org")
    registration = Registration.objects.get()
    body = body_and_html(message)
    assert message.subject.startswith("Your place on Hearing Voices")
    assert "Room 2, Friends Meeting House, 6 Mount Street, Manchester" in body
    assert "Step-free entrance and a hearing loop." in body
    cancel = "http://testserver" + reverse(
        "sessions:registration-self-cancel", kwargs={"token": registration.token}
    )
    assert cancel in message.body
    assert client.get(cancel).status_code == 200
    ics = ics_of(message)
    assert ics_value(ics, "SUMMARY") == "Hearing Voices"
    assert ics_value(ics, "DTSTART") == registration.session.starts_at.astimezone(UTC).strftime(
        "%Y%m%dT%H%M%SZ"
    )


def test_the_confirmation_is_one_logged_notification_about_the_registration(post_register, session):
    post_register(session, form_data())

    registration = Registration.objects.get()
    notification = Notification.objects.get(kind="registration_confirmed")
    assert notification.related == registration
    assert notification.status == Notification.Status.SENT
    assert notification.ics.startswith("BEGIN:VCALENDAR\r\n")
    # The personal link is made when the email is sent: no token in the log.
    assert registration.token not in str(notification.context)


def test_an_online_sessions_joining_link_goes_only_in_the_booked_persons_email(
    post_register, online
):
    post_register(online, form_data())

    (message,) = mail.outbox
    assert "Join online: https://meet.example.org/secret-room-4471" in message.body
    # Read from the session when the email is sent: never kept in the notification log.
    for notification in Notification.objects.all():
        assert "secret-room-4471" not in str(notification.context) + notification.ics
    assert "The joining link is in your email." in ics_event(ics_of(message))["DESCRIPTION"]


def test_the_same_email_in_another_case_is_the_same_person(post_register, session):
    other = TrainingSessionFactory()
    post_register(session, form_data(email="priya.shah@example.org"))

    post_register(other, form_data(email="PRIYA.SHAH@EXAMPLE.ORG", full_name="P. Shah"))

    participant = Participant.objects.get()
    assert participant.registrations.count() == 2
    # The record is kept as first made: the public form cannot rename someone.
    assert participant.full_name == "Priya Shah"


def test_registering_twice_changes_nothing_and_only_the_email_says_so(
    post_register, session, client
):
    post_register(session, form_data())
    mail.outbox.clear()

    response = post_register(session, form_data(email="PRIYA.shah@example.org"), follow=True)

    assert "We have emailed that address to say what happens next." in text(response)
    assert "already" not in text(response)
    assert Registration.objects.count() == 1
    (message,) = mail.outbox
    assert message.subject.startswith("You are already registered: Hearing Voices")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("full_name", "", "Enter your full name."),
        ("full_name", "x" * 201, "Keep the name to 200 characters."),
        ("email", "", "Enter your email address."),
        ("email", "priya@", "Enter an email address like name@example.org."),
        ("email", "not an email", "Enter an email address like name@example.org."),
        ("participant_type", "", "Choose staff, service user or other."),
        ("participant_type", "manager", "Choose staff, service user or other."),
        ("team", "999999", "Choose a team from the list, or none."),
    ],
)
def test_bad_input_is_refused_at_the_field_and_nothing_is_saved(
    post_register, session, field, value, message
):
    response = post_register(session, form_data(**{field: value}))

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Participant.objects.exists()
    assert not Registration.objects.exists()
    assert mail.outbox == []


def test_a_refused_form_keeps_what_was_typed(post_register, session):
    team = TeamFactory(name="Crisis Team")

    response = post_register(
        session,
        form_data(email="priya@", full_name="Priya Shah", participant_type="other", team=team.pk),
    )

    page = text(response)
    assert 'value="priya@"' in page
    assert 'value="Priya Shah"' in page
    assert re.search(r'name="participant_type" value="other"[^>]*checked', page)
    assert f'<option value="{team.pk}" selected>' in page


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"status": "cancelled"}, "This session has been cancelled"),
        ({"status": "delivered"}, "This session has already taken place"),
        (
            {"starts_at": timezone.now() - timedelta(minutes=5)},
            "This session has already started",
        ),
    ],
)
def test_a_closed_session_shows_why_and_refuses_registrations(
    client, post_register, change, reason
):
    starts_at = change.pop("starts_at", None)
    session = TrainingSessionFactory(**change)
    if starts_at:
        TrainingSession.objects.filter(pk=session.pk).update(
            starts_at=starts_at, ends_at=starts_at + timedelta(hours=3)
        )

    page = text(client.get(register_url(session)))
    response = post_register(session, form_data())

    assert reason in page
    assert 'name="email"' not in page
    assert reason in text(response)
    assert not Registration.objects.exists()
    assert not Participant.objects.exists()
    assert mail.outbox == []


def test_a_session_that_closes_while_the_form_is_open_refuses_the_registration(session):
    with (
        time_machine.travel(session.starts_at + timedelta(seconds=1)),
        pytest.raises(ValidationError, match="already started"),
    ):
        registration_public_submit(
            session=session,
            full_name="Late Person",
            email="late@example.org",
            participant_type="staff",
        )

    assert not Participant.objects.exists()


def test_the_service_refuses_a_bad_email_at_the_email_field(session):
    with pytest.raises(ValidationError) as refused:
        registration_public_submit(
            session=session, full_name="Priya", email="priya@@example", participant_type="staff"
        )

    assert "email" in refused.value.error_dict


# The learner's reminder


def test_the_reminder_is_due_at_9_uk_time_two_days_before_across_the_clock_change():
    before_change = TrainingSession(starts_at=london(2025, 10, 27, 10))
    after_change = TrainingSession(starts_at=london(2025, 10, 28, 10))

    # Saturday 25 October is still British Summer Time; Sunday 26 October is GMT again.
    assert learner_reminder_due_at(before_change) == datetime(2025, 10, 25, 8, 0, tzinfo=UTC)
    assert learner_reminder_due_at(after_change) == datetime(2025, 10, 26, 9, 0, tzinfo=UTC)


def test_booking_queues_the_reminder_with_a_calendar_file(post_register, session):
    post_register(session, form_data())

    reminder = Notification.objects.get(kind="session_reminder_learner")
    assert reminder.related == Registration.objects.get()
    assert reminder.status == Notification.Status.QUEUED
    assert reminder.due_at == learner_reminder_due_at(session)
    assert reminder.ics.startswith("BEGIN:VCALENDAR")


def test_the_reminder_is_sent_when_it_is_due_with_the_cancel_link(post_register, online):
    post_register(online, form_data())
    mail.outbox.clear()
    reminder = Notification.objects.get(kind="session_reminder_learner")

    with time_machine.travel(reminder.due_at + timedelta(minutes=1)):
        assert reminder.pk in notification_due_ids()
        notification_send(notification_id=reminder.pk)

    (message,) = mail.outbox
    registration = Registration.objects.get()
    assert message.subject.startswith("Reminder: Recovery Stories")
    assert registration.token in message.body
    assert "https://meet.example.org/secret-room-4471" in message.body
    assert ics_of(message)


def test_nobody_is_reminded_when_they_register_after_the_reminders_time(post_register):
    session = TrainingSessionFactory(starts_at=timezone.now() + timedelta(days=1))

    post_register(session, form_data())

    assert not Notification.objects.filter(kind="session_reminder_learner").exists()


# The calendar file


def test_the_calendar_file_uses_crlf_utc_times_and_a_stable_uid(session):
    registration = RegistrationFactory(session=session)
    lines = session_event(session, uid_suffix=f"registration-{registration.pk}")

    ics = calendar_document([lines])

    assert ics.endswith("END:VCALENDAR\r\n")
    assert "\n" not in ics.replace("\r\n", "")
    assert ics_value(ics, "METHOD") == "REQUEST"
    uid = f"session-{session.pk}-registration-{registration.pk}@testserver"
    assert ics_value(ics, "UID") == uid
    assert ics_value(ics, "DTSTART").endswith("Z")
    assert ics_value(ics, "STATUS") == "CONFIRMED"
    assert int(ics_value(ics, "SEQUENCE")) >= 0


def test_a_session_in_winter_and_in_summer_is_written_in_utc():
    winter, summer = TrainingSessionFactory(), TrainingSessionFactory()
    winter.starts_at, winter.ends_at = london(2025, 12, 2, 10), london(2025, 12, 2, 13)
    summer.starts_at, summer.ends_at = london(2025, 7, 2, 10), london(2025, 7, 2, 13)

    winter_ics = calendar_document([session_event(winter, uid_suffix="x")])
    summer_ics = calendar_document([session_event(summer, uid_suffix="x")])

    assert ics_value(winter_ics, "DTSTART") == "20251202T100000Z"
    assert ics_value(summer_ics, "DTSTART") == "20250702T090000Z"
    assert ics_value(summer_ics, "DTEND") == "20250702T120000Z"


def test_text_is_escaped_as_the_standard_says(session):
    location = "Room 2, Hall; back\\door\nfloor 1"

    ics = calendar_document([session_event(session, uid_suffix="x", location=location)])

    written = ics.replace("\r\n ", "")  # the line as written, unfolded
    assert "\r\nLOCATION:Room 2\\, Hall\\; back\\\\door\\nfloor 1\r\n" in written


def test_long_lines_are_folded_at_75_octets_without_splitting_a_character(session):
    description = "Café ☕ " * 40

    ics = calendar_document([session_event(session, uid_suffix="x", description=description)])

    lines = ics.split("\r\n")
    first = next(n for n, line in enumerate(lines) if line.startswith("DESCRIPTION:"))
    after = next(n for n in range(first + 1, len(lines)) if not lines[n].startswith(" "))
    parts = lines[first:after]
    assert all(len(part.encode()) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    joined = "".join(part[1:] if n else part for n, part in enumerate(parts))
    assert joined == "DESCRIPTION:" + description


# Coordinators: the registrations page


def test_a_coordinator_sees_who_is_registered_with_counts_and_the_public_link(
    coordinator_client, session
):
    RegistrationFactory(session=session, participant__full_name="Ada Booked")
    RegistrationFactory(session=session, participant__full_name="Ben Waiting", status="waitlisted")
    RegistrationFactory(session=session, participant__full_name="Cy Gone", status="cancelled")

    page = text(coordinator_client.get(list_url(session)))

    assert "Ada Booked" in page
    assert "Ben Waiting" in page
    assert "On the waitlist (number 1)" in page
    assert "Cy Gone" in page
    assert "<strong>1 of 3</strong>" in page
    assert "1 on the waitlist." in page
    assert f"http://testserver{register_url(session)}" in page


@pytest.mark.parametrize(
    ("who", "status"),
    [("trainer", 403), ("team_lead", 403), ("manager", 403), ("admin_user", 403)],
)
def test_only_coordinators_see_the_registrations_page(client, request, session, who, status):
    client.force_login(request.getfixturevalue(who))

    assert client.get(list_url(session)).status_code == status


def test_a_visitor_is_sent_to_sign_in_from_the_registrations_page(client, session):
    response = client.get(list_url(session))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_registrations_page_of_a_missing_session_is_not_found(coordinator_client):
    url = reverse("sessions:registration-list", kwargs={"pk": 999999})

    assert coordinator_client.get(url).status_code == 404


def test_a_coordinator_adds_someone_new_who_is_emailed(
    coordinator_client, coordinator, session, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(
            list_url(session), form_data(full_name="Sam New", email="sam@example.org"), follow=True
        )

    assert "Sam New is booked on this session." in text(response)
    registration = Registration.objects.get()
    assert registration.source == Registration.Source.COORDINATOR
    assert registration.participant.full_name == "Sam New"
    assert emails_to("sam@example.org")


def test_adding_someone_new_with_a_known_email_books_the_known_person(
    coordinator, session, django_capture_on_commit_callbacks
):
    known = ParticipantFactory(full_name="Known Person", email="known@example.org")

    result = registration_add_new(
        session=session,
        full_name="Another Name",
        email="KNOWN@example.org",
        participant_type="staff",
        by=coordinator,
    )

    assert result.registration.participant == known
    assert Participant.objects.count() == 1


def test_the_coordinators_add_form_refuses_a_bad_email_and_keeps_what_was_typed(
    coordinator_client, session
):
    response = coordinator_client.post(list_url(session), form_data(email="sam@", full_name="Sam"))

    assert response.status_code == 200
    assert (
        "Enter an email address like name@example.org."
        in response.context["form"].errors["email"][0]
    )
    assert 'value="sam@"' in text(response)
    assert not Registration.objects.exists()


def test_a_coordinator_finds_someone_known_and_books_them(
    coordinator_client, session, django_capture_on_commit_callbacks
):
    known = ParticipantFactory(full_name="Rosa Known", email="rosa@example.org")
    ParticipantFactory(full_name="Someone Else")

    page = text(coordinator_client.get(list_url(session), {"q": "rosa"}))
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(
            reverse("sessions:registration-add-existing", kwargs={"pk": session.pk}),
            {"participant": known.pk},
            follow=True,
        )

    assert "Rosa Known" in page
    assert "Someone Else" not in page
    assert "Rosa Known is booked on this session." in text(response)
    assert Registration.objects.get().participant == known
    assert emails_to("rosa@example.org")


def test_the_search_says_who_is_already_registered(coordinator_client, session):
    RegistrationFactory(session=session, participant__full_name="Rosa Known")

    page = text(coordinator_client.get(list_url(session), {"q": "Rosa"}))

    assert "Already registered" in page


def test_adding_someone_already_registered_says_so_and_sends_nothing(coordinator, session):
    registration = RegistrationFactory(session=session)

    result = registration_add_existing(
        session=session, participant=registration.participant, by=coordinator
    )

    assert result.already_registered
    assert Registration.objects.count() == 1
    assert not Notification.objects.exists()


def test_adding_an_unknown_person_id_says_so(coordinator_client, session):
    response = coordinator_client.post(
        reverse("sessions:registration-add-existing", kwargs={"pk": session.pk}),
        {"participant": 999999},
        follow=True,
    )

    assert "That person could not be found. Search again." in text(response)
    assert not Registration.objects.exists()


def test_a_closed_session_has_no_add_forms_or_cancel_buttons(coordinator_client):
    session = TrainingSessionFactory(status=TrainingSession.Status.CANCELLED)
    RegistrationFactory(session=session)

    page = text(coordinator_client.get(list_url(session)))

    assert "This session has been cancelled" in page
    assert "Add someone new" not in page
    assert ">Cancel<" not in page


def test_the_coordinators_cancel_of_another_sessions_registration_is_not_found(
    coordinator_client, session
):
    elsewhere = RegistrationFactory()
    url = reverse(
        "sessions:registration-cancel",
        kwargs={"pk": session.pk, "registration_pk": elsewhere.pk},
    )

    assert coordinator_client.post(url).status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.status == Registration.Status.BOOKED


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_registrations_page_runs_the_same_queries_for_few_or_many_people(
    coordinator_client, session, django_assert_max_num_queries
):
    url = list_url(session) + "?q=Bulk"
    registrations_in_bulk(session, 2)
    registrations_in_bulk(session, 1, status=Registration.Status.WAITLISTED)
    few = queries_for(coordinator_client, url)

    registrations_in_bulk(session, 120)
    registrations_in_bulk(session, 80, status=Registration.Status.WAITLISTED)

    with django_assert_max_num_queries(20):
        coordinator_client.get(url)
    assert queries_for(coordinator_client, url) == few


def test_the_public_page_runs_the_same_queries_for_few_or_many_teams_and_people(
    client, session, django_assert_max_num_queries
):
    url = register_url(session)
    TeamFactory()
    few = queries_for(client, url)

    TeamFactory.create_batch(30)
    registrations_in_bulk(session, 200)

    with django_assert_max_num_queries(8):
        client.get(url)
    assert queries_for(client, url) == few


def test_a_learners_pages_work_for_signed_in_people_too(client, session):
    client.force_login(UserFactory(roles=[Role.TRAINER]))

    assert client.get(register_url(session)).status_code == 200
