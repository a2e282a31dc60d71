"""The session pack PDF (/schedule/<pk>/pack.pdf) for the session's delivery team and
coordinators: the plan (times, place, trainers, the course version's outcomes and activities with
their durations) and a sign-in sheet of the people with a place."""

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sessions.models import TrainerAssignment, TrainingSession
from sessions.pdf import SESSION_PACK_TEMPLATE, render_session_pack_pdf, session_pack_context
from sessions.selectors import registration_session_get, session_pack_get
from tests.factories import (
    ActivityFactory,
    CourseVersionFactory,
    LearningOutcomeFactory,
    RegistrationFactory,
    TeamFactory,
    TrainingSessionFactory,
    UserFactory,
    registrations_in_bulk,
)
from tests.sessions.registration_helpers import on_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def session() -> TrainingSession:
    version = CourseVersionFactory(
        course__title="Hearing Voices",
        aims="Understand voice-hearing from the inside.",
        support_guidance="Every trainer gets a debrief within two days.",
        outcome=None,
    )
    first = LearningOutcomeFactory(
        version=version, text="Describe what hearing voices can be like.", activity=None, order=1
    )
    ActivityFactory(
        outcome=first,
        title="Distracting voices exercise",
        duration_minutes=25,
        materials="Headphones and a recording.",
        instructions="Pairs talk while one listens to the recording.",
        trainer_notes="Offer to stop at any time.",
    )
    second = LearningOutcomeFactory(
        version=version, text="Respond with curiosity.", activity=None, order=2
    )
    ActivityFactory(outcome=second, title="Role play", duration_minutes=50)
    session = TrainingSessionFactory(
        course_version=version,
        room__name="Room 2",
        room__venue__name="Friends Meeting House",
        room__venue__address="6 Mount Street\nManchester",
    )
    on_team(session, UserFactory(full_name="Tasha Trainer"))
    on_team(session, UserFactory(full_name="Stan Staff"), TrainerAssignment.Role.STAFF)
    return session


def pack_html(session: TrainingSession) -> str:
    pack = session_pack_get(session=registration_session_get(pk=session.pk))
    return render_to_string(SESSION_PACK_TEMPLATE, session_pack_context(pack))


def pack_url(session: TrainingSession) -> str:
    return reverse("sessions:session-pack", kwargs={"pk": session.pk})


def test_the_pack_is_a_real_pdf(session):
    pdf = render_session_pack_pdf(session_pack_get(session=registration_session_get(pk=session.pk)))

    assert pdf.startswith(b"%PDF-")


def test_the_plan_has_the_times_place_trainers_and_outcomes_with_their_activities(session):
    html = pack_html(session)

    assert "Session pack: Hearing Voices" in html
    assert "10:00 to 13:00 (UK time), 180 minutes" in html
    assert "Room 2, Friends Meeting House, 6 Mount Street<br>Manchester" in html
    assert "Tasha Trainer (lead trainer)" in html
    assert "Stan Staff (staff co-facilitator)" in html
    assert "Understand voice-hearing from the inside." in html
    assert html.index("Outcome 1: Describe what hearing voices") < html.index(
        "Outcome 2: Respond with curiosity."
    )
    assert "Distracting voices exercise" in html
    assert "(25 minutes)" in html
    assert "Headphones and a recording." in html
    assert "Offer to stop at any time." in html
    assert "add up to 75 minutes" in html
    assert "Every trainer gets a debrief within two days." in html


def test_an_online_sessions_pack_gives_the_joining_link_to_the_team(session):
    TrainingSession.objects.filter(pk=session.pk).update(
        room=None, is_online=True, joining_link="https://meet.example.org/r-5"
    )

    assert "Online: https://meet.example.org/r-5" in pack_html(session)


def test_the_sign_in_sheet_lists_people_with_a_place_by_name_without_emails(session):
    team = TeamFactory(name="Crisis Team")
    RegistrationFactory(
        session=session, participant__full_name="Zoe Booked", participant__team=team
    )
    RegistrationFactory(session=session, participant__full_name="Adam Attended", status="attended")
    RegistrationFactory(session=session, participant__full_name="Wes Waiting", status="waitlisted")
    RegistrationFactory(session=session, participant__full_name="Gil Gone", status="cancelled")

    sheet = pack_html(session).split("Sign-in sheet", 1)[1]

    assert sheet.index("Adam Attended") < sheet.index("Zoe Booked")
    assert "Crisis Team" in sheet
    assert "Wes Waiting" not in sheet
    assert "Gil Gone" not in sheet
    assert "@example.org" not in sheet
    assert "People with a place: 2" in sheet
    assert sheet.count('<tr><td class="number"></td>') == 5


def test_the_lead_and_a_coordinator_download_the_pack(client, session, trainer, coordinator):
    on_team(session, trainer, TrainerAssignment.Role.CO_TRAINER)
    for person in (trainer, coordinator):
        client.force_login(person)

        response = client.get(pack_url(session))

        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert (
            response["Content-Disposition"]
            == f'inline; filename="session-pack-{session.code.lower()}.pdf"'
        )
        assert response.content.startswith(b"%PDF-")


def test_another_trainer_gets_not_found(client, session, other_trainer):
    client.force_login(other_trainer)

    assert client.get(pack_url(session)).status_code == 404


@pytest.mark.parametrize("who", ["team_lead", "manager", "admin_user"])
def test_other_roles_are_refused(client, request, session, who):
    client.force_login(request.getfixturevalue(who))

    assert client.get(pack_url(session)).status_code == 403


def test_a_visitor_is_sent_to_sign_in(client, session):
    response = client.get(pack_url(session))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_pack_reads_the_same_number_of_queries_for_few_or_many_learners(session):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            pack_html(session)
        return len(captured)

    registrations_in_bulk(session, 2)
    few = queries()
    registrations_in_bulk(session, 200)

    assert queries() == few
