"""The register (/schedule/<pk>/register/): the session's delivery team or a coordinator marks
each booked person attended, partly or did not attend from a phone, from the start until a week
after the end. Self check-in (/c/<code>/): learners mark themselves attended with the email they
registered with, from half an hour before the start to the end."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from people.models import Role
from sessions.audit_actions import SessionAction
from sessions.models import Registration, TrainerAssignment, TrainingSession
from sessions.services import attendance_check_in, attendance_record
from tests.factories import (
    RegistrationFactory,
    TrainerAssignmentFactory,
    TrainingSessionFactory,
    UserFactory,
    registrations_in_bulk,
)
from tests.sessions.registration_helpers import on_team, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def session() -> TrainingSession:
    return TrainingSessionFactory(course_version__course__title="Hearing Voices", capacity=10)


@pytest.fixture
def lead(session, trainer):
    on_team(session, trainer)
    return trainer


@pytest.fixture
def people(session) -> dict[str, Registration]:
    return {
        "ada": RegistrationFactory(session=session, participant__full_name="Ada Booked"),
        "ben": RegistrationFactory(session=session, participant__full_name="Ben Booked"),
        "cy": RegistrationFactory(session=session, participant__full_name="Cy Booked"),
        "wait": RegistrationFactory(
            session=session, status="waitlisted", participant__full_name="Wes Waiting"
        ),
        "gone": RegistrationFactory(
            session=session, status="cancelled", participant__full_name="Gil Gone"
        ),
    }


def register_url(session: TrainingSession) -> str:
    return reverse("sessions:attendance", kwargs={"pk": session.pk})


def during(session: TrainingSession, after=timedelta(minutes=10)):
    return time_machine.travel(session.starts_at + after, tick=False)


def status_of(registration: Registration) -> str:
    registration.refresh_from_db()
    return registration.status


# The register page


def test_the_register_lists_people_with_a_place_and_not_the_waitlist_or_cancellations(
    client, session, lead, people
):
    with during(session):
        client.force_login(lead)
        page = text(client.get(register_url(session)))

    assert "Ada Booked" in page
    assert "Cy Booked" in page
    assert "Wes Waiting" not in page
    assert "Gil Gone" not in page


def test_each_person_has_three_big_labelled_choices(client, session, lead, people):
    with during(session):
        client.force_login(lead)
        page = text(client.get(register_url(session)))

    ada = people["ada"].pk
    for value, label in [
        ("attended", "Attended"),
        ("partly_attended", "Partly"),
        ("no_show", "Did not attend"),
    ]:
        found = re.search(
            rf'<input type="radio" class="btn-check" name="mark_{ada}" id="(id_mark_{ada}_\d)" '
            rf'value="{value}">\s*<label class="btn btn-lg [^"]+" for="\1">{label}</label>',
            page,
        )
        assert found, value
    assert '<legend class="h5 mb-2">Ada Booked' in page


def test_the_register_is_saved_in_one_go_and_unmarked_people_stay_booked(
    client, session, lead, people
):
    ada, ben, cy = people["ada"], people["ben"], people["cy"]
    with during(session):
        client.force_login(lead)
        response = client.post(
            register_url(session),
            {f"mark_{ada.pk}": "attended", f"mark_{ben.pk}": "partly_attended"},
            follow=True,
        )

    assert "Attendance saved: 1 attended, 1 partly, 0 did not attend, 1 not marked yet." in text(
        response
    )
    assert status_of(ada) == Registration.Status.ATTENDED
    assert status_of(ben) == Registration.Status.PARTLY_ATTENDED
    assert status_of(cy) == Registration.Status.BOOKED


def test_a_saved_mark_shows_as_chosen_and_can_be_changed(client, session, lead, people):
    ada = people["ada"]
    with during(session):
        client.force_login(lead)
        client.post(register_url(session), {f"mark_{ada.pk}": "no_show"})
        page = text(client.get(register_url(session)))
        client.post(register_url(session), {f"mark_{ada.pk}": "attended"})

    assert re.search(rf'name="mark_{ada.pk}" id="[^"]+" value="no_show" checked', page)
    assert status_of(ada) == Registration.Status.ATTENDED


def test_every_register_save_is_audited_without_names(client, session, lead, people):
    ada = people["ada"]
    with during(session):
        client.force_login(lead)
        client.post(register_url(session), {f"mark_{ada.pk}": "attended"})

    event = AuditEvent.objects.get(action=SessionAction.ATTENDANCE_RECORDED)
    assert event.actor == lead
    assert event.object_id == str(session.pk)
    assert event.changes["attended"] == 1
    assert event.changes["not_marked"] == 2
    assert event.changes[f"registration {ada.pk}"] == ["booked", "attended"]
    assert "Ada" not in str(event.changes)


def test_a_mark_that_is_not_one_of_the_three_is_refused_and_nothing_is_saved(
    client, session, lead, people
):
    ada, ben = people["ada"], people["ben"]
    with during(session):
        client.force_login(lead)
        response = client.post(
            register_url(session), {f"mark_{ada.pk}": "attended", f"mark_{ben.pk}": "booked"}
        )

    assert response.status_code == 200
    assert "Choose attended, partly or did not attend." in text(response)
    assert status_of(ada) == Registration.Status.BOOKED
    assert not AuditEvent.objects.filter(action=SessionAction.ATTENDANCE_RECORDED).exists()


def test_the_service_refuses_someone_not_on_this_register(session, lead, people):
    elsewhere = RegistrationFactory()
    with during(session), pytest.raises(ValidationError, match="no longer booked"):
        attendance_record(
            session=session,
            marks={people["ada"].pk: "attended", elsewhere.pk: "attended"},
            by=lead,
        )

    assert status_of(people["ada"]) == Registration.Status.BOOKED
    assert status_of(elsewhere) == Registration.Status.BOOKED


def test_the_service_refuses_a_waitlisted_person(session, lead, people):
    with during(session), pytest.raises(ValidationError):
        attendance_record(session=session, marks={people["wait"].pk: "attended"}, by=lead)

    assert status_of(people["wait"]) == Registration.Status.WAITLISTED


@pytest.mark.parametrize(
    ("after", "opens"),
    [
        (timedelta(seconds=-1), False),
        (timedelta(0), True),
        (timedelta(hours=3) + timedelta(days=7) - timedelta(minutes=1), True),
        (timedelta(hours=3) + timedelta(days=7, minutes=1), False),
    ],
)
def test_the_register_is_open_from_the_start_until_a_week_after_the_end(
    client, session, lead, people, after, opens
):
    ada = people["ada"]
    with during(session, after):
        client.force_login(lead)
        page = text(client.get(register_url(session)))
        client.post(register_url(session), {f"mark_{ada.pk}": "attended"})

    assert (status_of(ada) == Registration.Status.ATTENDED) is opens
    assert ("Save the register" in page) is opens


def test_before_the_start_the_register_says_when_it_opens(client, session, lead, people):
    with during(session, -timedelta(hours=1)):
        client.force_login(lead)
        page = text(client.get(register_url(session)))

    assert "The register opens when the session starts, at 10:00 on" in page


def test_a_cancelled_sessions_register_cannot_be_saved(client, session, lead, people):
    TrainingSession.objects.filter(pk=session.pk).update(status="cancelled")
    ada = people["ada"]
    with during(session):
        client.force_login(lead)
        response = client.post(register_url(session), {f"mark_{ada.pk}": "attended"})

    assert "This session was cancelled" in text(response)
    assert status_of(ada) == Registration.Status.BOOKED


def test_a_session_with_nobody_booked_says_so(client, session, lead):
    with during(session):
        client.force_login(lead)
        page = text(client.get(register_url(session)))

    assert "Nobody has a place on this session" in page


# Who may use the register


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (TrainerAssignment.Role.LEAD, 200),
        (TrainerAssignment.Role.CO_TRAINER, 200),
        (TrainerAssignment.Role.STAFF, 200),
        (TrainerAssignment.Role.SHADOWING, 404),
    ],
)
def test_the_delivery_team_uses_the_register_but_not_trainees_shadowing(
    client, session, trainer, role, status
):
    on_team(session, trainer, role)
    with during(session):
        client.force_login(trainer)
        assert client.get(register_url(session)).status_code == status


def test_a_trainer_invited_but_not_yet_accepted_gets_not_found(client, session, trainer):
    TrainerAssignmentFactory(session=session, user=trainer)
    client.force_login(trainer)

    assert client.get(register_url(session)).status_code == 404


def test_another_sessions_trainer_gets_not_found_and_saves_nothing(
    client, session, other_trainer, people
):
    on_team(TrainingSessionFactory(), other_trainer)
    ada = people["ada"]
    with during(session):
        client.force_login(other_trainer)
        assert client.get(register_url(session)).status_code == 404
        assert client.post(register_url(session), {f"mark_{ada.pk}": "attended"}).status_code == 404

    assert status_of(ada) == Registration.Status.BOOKED


@pytest.mark.parametrize(
    ("who", "status"),
    [("coordinator", 200), ("team_lead", 403), ("manager", 403), ("admin_user", 403)],
)
def test_coordinators_use_any_register_and_other_roles_are_refused(
    client, request, session, who, status
):
    with during(session):
        client.force_login(request.getfixturevalue(who))
        assert client.get(register_url(session)).status_code == status


def test_a_visitor_is_sent_to_sign_in_from_the_register(client, session):
    response = client.get(register_url(session))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_register_runs_the_same_queries_for_few_or_many_people(
    client, session, lead, django_assert_max_num_queries
):
    registrations_in_bulk(session, 2)
    with during(session):
        client.force_login(lead)
        few = queries_for(client, register_url(session))
        registrations_in_bulk(session, 150)
        with django_assert_max_num_queries(15):
            client.get(register_url(session))
        assert queries_for(client, register_url(session)) == few


# The check-in display


def test_the_check_in_display_shows_a_qr_code_the_short_link_and_the_code(client, session, lead):
    client.force_login(lead)

    page = text(client.get(reverse("sessions:checkin-display", kwargs={"pk": session.pk})))

    short = f"testserver/c/{session.check_in_code}/"
    assert short in page
    assert f"<strong>{session.check_in_code}</strong>" in page
    assert f'<svg role="img" aria-label="QR code for checking in: http://{short}"' in page
    assert "<script" not in page.split("<main", 1)[1]


def test_the_check_in_display_is_not_for_other_trainers(client, session, other_trainer):
    client.force_login(other_trainer)

    url = reverse("sessions:checkin-display", kwargs={"pk": session.pk})
    assert client.get(url).status_code == 404


# Self check-in


def check_in_url(session: TrainingSession, code: str | None = None) -> str:
    return reverse("sessions:checkin", kwargs={"code": code or session.check_in_code})


def test_a_learner_checks_in_with_their_email_during_the_session(client, session, people):
    ada = people["ada"]
    with during(session):
        page = text(client.get(check_in_url(session)))
        response = client.post(
            check_in_url(session), {"email": ada.participant.email.upper()}, follow=True
        )

    assert "The email address you registered with" in page
    assert "You are checked in. Welcome" in text(response)
    assert status_of(ada) == Registration.Status.ATTENDED


def test_the_check_in_code_works_in_lower_case(client, session):
    assert client.get(check_in_url(session, session.check_in_code.lower())).status_code == 200


def test_an_unknown_check_in_code_is_not_found(client):
    assert client.get(reverse("sessions:checkin", kwargs={"code": "NOPE2345"})).status_code == 404


@pytest.mark.parametrize(
    ("after", "allowed"),
    [
        (-timedelta(minutes=31), False),
        (-timedelta(minutes=30), True),
        (timedelta(hours=3), True),
        (timedelta(hours=3, seconds=1), False),
    ],
)
def test_check_in_is_open_from_half_an_hour_before_the_start_to_the_end(
    client, session, people, after, allowed
):
    ada = people["ada"]
    with during(session, after):
        page = text(client.get(check_in_url(session)))
        client.post(check_in_url(session), {"email": ada.participant.email})

    assert (status_of(ada) == Registration.Status.ATTENDED) is allowed
    assert ('name="email"' in page) is allowed


def test_outside_the_window_the_page_says_when_check_in_opens_or_that_it_closed(client, session):
    with during(session, -timedelta(hours=2)):
        early = text(client.get(check_in_url(session)))
    with during(session, timedelta(hours=4)):
        late = text(client.get(check_in_url(session)))

    assert "Check-in opens at 09:30 on" in early
    assert "Check-in has closed because the session has ended." in late


@pytest.mark.parametrize("who", ["unknown", "wait", "gone"])
def test_an_email_without_a_place_gets_the_same_message_whoever_it_is(client, session, people, who):
    email = "nobody@example.org" if who == "unknown" else people[who].participant.email
    with during(session):
        response = client.post(check_in_url(session), {"email": email})

    assert response.status_code == 200
    assert "We could not find a place on this session booked with that email address." in text(
        response
    )
    assert 'value="' + email + '"' in text(response)
    assert not Registration.objects.filter(status="attended").exists()


def test_a_bad_email_is_refused_at_the_field(client, session):
    with during(session):
        response = client.post(check_in_url(session), {"email": "ada@"})

    assert (
        "Enter an email address like name@example.org."
        in response.context["form"].errors["email"][0]
    )


def test_checking_in_keeps_a_partly_mark_the_trainer_gave(session, people):
    ada = people["ada"]
    Registration.objects.filter(pk=ada.pk).update(status="partly_attended")

    with during(session):
        attendance_check_in(session=session, email=ada.participant.email)

    assert status_of(ada) == Registration.Status.PARTLY_ATTENDED


def test_a_cancelled_session_takes_no_check_ins(client, session, people):
    TrainingSession.objects.filter(pk=session.pk).update(status="cancelled")
    session.refresh_from_db()

    with during(session), pytest.raises(ValidationError, match="cancelled"):
        attendance_check_in(session=session, email=people["ada"].participant.email)


def test_too_many_wrong_tries_from_one_address_pause_check_in(client, session, people):
    with during(session):
        for n in range(20):
            client.post(check_in_url(session), {"email": f"guess{n}@example.org"})
        response = client.post(check_in_url(session), {"email": people["ada"].participant.email})

    assert "There have been too many tries from here." in text(response)
    assert status_of(people["ada"]) == Registration.Status.BOOKED


def test_check_in_works_for_a_signed_in_person_too(client, session, people):
    with during(session):
        client.force_login(UserFactory(roles=[Role.TEAM_LEAD]))
        client.post(check_in_url(session), {"email": people["ben"].participant.email})

    assert status_of(people["ben"]) == Registration.Status.ATTENDED
