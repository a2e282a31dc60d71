"""After a session its lead or co-trainer files the delivery report at /schedule/<pk>/report/:
delivered as planned?, what was different, how many learners, what went well, what to change,
and optionally a private wellbeing debrief. Filing marks the session delivered; one report per
session; the debrief is for the trainer and their supporter only."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from people.models import Role
from sessions.audit_actions import SessionAction
from sessions.models import DeliveryReport, TrainerAssignment, TrainingSession
from sessions.services import delivery_report_submit
from tests.factories import RegistrationFactory, TrainerFactory, TrainingSessionFactory, UserFactory
from tests.sessions.registration_helpers import on_team, text
from trainers.models import WellbeingCheckIn

pytestmark = pytest.mark.django_db

PRIVATE_NOTES = "PRIVATE-DEBRIEF-7731: telling my story today was hard."


@pytest.fixture
def session() -> TrainingSession:
    return TrainingSessionFactory(
        course_version__course__title="Hearing Voices", status=TrainingSession.Status.CONFIRMED
    )


@pytest.fixture
def supporter(db):
    return UserFactory(
        email="supporter@example.org", full_name="Sam Supporter", roles=[Role.COORDINATOR]
    )


@pytest.fixture
def lead(session, trainer, supporter):
    TrainerFactory(user=trainer, supporter=supporter)
    on_team(session, trainer)
    return trainer


def report_url(session: TrainingSession) -> str:
    return reverse("sessions:delivery-report", kwargs={"pk": session.pk})


def after(session: TrainingSession, delta=timedelta(hours=1)):
    return time_machine.travel(session.ends_at + delta, tick=False)


def form_data(**changes) -> dict:
    data = {
        "delivered_as_planned": "yes",
        "changes_on_the_day": "",
        "attendee_count": "9",
        "went_well": "The story circle.",
        "to_change": "A longer break.",
        "debrief_feeling": "",
        "debrief_notes": "",
    }
    return {**data, **changes}


@pytest.fixture
def post_report(client, django_capture_on_commit_callbacks):
    def post(session, who, data, **kwargs):
        with after(session):
            client.force_login(who)
            with django_capture_on_commit_callbacks(execute=True):
                return client.post(report_url(session), data, **kwargs)

    return post


def test_the_lead_files_the_report_and_the_session_is_delivered(post_report, session, lead):
    response = post_report(session, lead, form_data(), follow=True)

    assert "Your report is filed and the session is marked as delivered." in text(response)
    report = DeliveryReport.objects.get(session=session)
    assert report.delivered_as_planned is True
    assert report.attendee_count == 9
    assert report.went_well == "The story circle."
    assert report.to_change == "A longer break."
    assert report.submitted_by == lead
    assert report.debrief is None
    session.refresh_from_db()
    assert session.status == TrainingSession.Status.DELIVERED


def test_filing_is_audited_with_the_status_change(post_report, session, lead):
    post_report(session, lead, form_data())

    event = AuditEvent.objects.get(action=SessionAction.DELIVERY_REPORT_FILED)
    assert event.actor == lead
    assert event.changes["status"] == ["confirmed", "delivered"]
    assert event.changes["attendee_count"] == 9


def test_a_co_trainer_can_file_the_report(post_report, session, other_trainer):
    on_team(session, other_trainer, TrainerAssignment.Role.CO_TRAINER)

    post_report(session, other_trainer, form_data())

    assert DeliveryReport.objects.get().submitted_by == other_trainer


def test_the_number_of_learners_starts_from_the_register(client, session, lead):
    RegistrationFactory.create_batch(3, session=session, status="attended")
    RegistrationFactory(session=session, status="partly_attended")
    RegistrationFactory(session=session, status="no_show")

    with after(session):
        client.force_login(lead)
        response = client.get(report_url(session))

    assert response.context["form"].initial["attendee_count"] == 4


def test_the_report_can_be_filed_only_once_the_session_has_ended(client, session, lead):
    with time_machine.travel(session.ends_at - timedelta(minutes=1), tick=False):
        client.force_login(lead)
        page = text(client.get(report_url(session)))
        client.post(report_url(session), form_data())

    assert "The report can be filed once the session has ended, at 13:00 on" in page
    assert "File the report" not in page
    assert not DeliveryReport.objects.exists()


def test_a_second_report_is_refused(post_report, session, lead, other_trainer):
    on_team(session, other_trainer, TrainerAssignment.Role.CO_TRAINER)
    post_report(session, lead, form_data(went_well="First"))

    response = post_report(session, other_trainer, form_data(went_well="Second"), follow=True)

    assert "A delivery report for this session was already filed by" in text(response)
    assert DeliveryReport.objects.get().went_well == "First"


def test_the_service_refuses_a_second_report_too(session, lead):
    with after(session):
        delivery_report_submit(
            session=session, by=lead, delivered_as_planned=True, attendee_count=3
        )
        with pytest.raises(ValidationError, match="already filed"):
            delivery_report_submit(
                session=session, by=lead, delivered_as_planned=True, attendee_count=4
            )


def test_a_cancelled_session_has_no_report(session, lead):
    TrainingSession.objects.filter(pk=session.pk).update(status="cancelled")

    with after(session), pytest.raises(ValidationError, match="cancelled"):
        delivery_report_submit(
            session=session, by=lead, delivered_as_planned=True, attendee_count=3
        )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"delivered_as_planned": ""}, "delivered_as_planned", "Say whether the session was"),
        (
            {"delivered_as_planned": "no", "changes_on_the_day": "  "},
            "changes_on_the_day",
            "Say what was different from the plan.",
        ),
        ({"attendee_count": ""}, "attendee_count", "Enter the number of learners."),
        ({"attendee_count": "-1"}, "attendee_count", "Enter the number of learners: 0 or more."),
        ({"attendee_count": "lots"}, "attendee_count", "Enter a whole number, like 12."),
        (
            {"debrief_notes": "I am tired"},
            "debrief_feeling",
            "Choose how you are feeling, or leave the debrief empty.",
        ),
        (
            {"wants_debrief": "on"},
            "debrief_feeling",
            "Choose how you are feeling, or leave the debrief empty.",
        ),
        ({"debrief_feeling": "9"}, "debrief_feeling", "Select a valid choice."),
    ],
)
def test_bad_input_is_refused_at_the_field_and_nothing_is_saved(
    post_report, session, lead, changes, field, message
):
    response = post_report(session, lead, form_data(**changes))

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not DeliveryReport.objects.exists()
    assert not WellbeingCheckIn.objects.exists()
    session.refresh_from_db()
    assert session.status == TrainingSession.Status.CONFIRMED


def test_a_refused_report_keeps_what_was_typed(post_report, session, lead):
    response = post_report(
        session, lead, form_data(attendee_count="-1", went_well="Kept words", debrief_notes="Mine")
    )

    page = text(response)
    assert "Kept words" in page
    assert 'value="-1"' in page
    assert re.search(r">\s*Mine</textarea>", page)


# The private debrief


def test_a_debrief_is_saved_as_the_trainers_private_check_in_after_delivering(
    post_report, session, lead
):
    post_report(
        session,
        lead,
        form_data(debrief_feeling=WellbeingCheckIn.Feeling.LOW, debrief_notes=PRIVATE_NOTES),
    )

    report = DeliveryReport.objects.get()
    check_in = WellbeingCheckIn.objects.get()
    assert report.debrief == check_in
    assert check_in.trainer.user == lead
    assert check_in.moment == WellbeingCheckIn.Moment.AFTER
    assert check_in.feeling == WellbeingCheckIn.Feeling.LOW
    assert check_in.notes == PRIVATE_NOTES


def test_asking_for_a_debrief_emails_the_supporter_without_the_notes(post_report, session, lead):
    post_report(
        session,
        lead,
        form_data(debrief_feeling="2", debrief_notes=PRIVATE_NOTES, wants_debrief="on"),
    )

    (message,) = mail.outbox
    assert message.to == ["supporter@example.org"]
    assert "PRIVATE-DEBRIEF-7731" not in message.body


def test_the_coordinator_sees_the_report_but_nothing_of_the_debrief(
    client, post_report, session, lead, coordinator
):
    # Followed, so the trainer's own "saved privately" message is shown to them, not kept.
    post_report(
        session,
        lead,
        form_data(debrief_feeling="2", debrief_notes=PRIVATE_NOTES, wants_debrief="on"),
        follow=True,
    )

    with after(session):
        client.force_login(coordinator)
        page = text(client.get(report_url(session)))

    assert "The story circle." in page
    assert "PRIVATE-DEBRIEF-7731" not in page
    assert "debrief" not in page.lower().split("<main", 1)[1]
    assert reverse(
        "trainers:checkin-detail", kwargs={"pk": WellbeingCheckIn.objects.get().pk}
    ) not in (page)


def test_the_trainer_who_filed_it_is_shown_the_way_to_their_own_check_in(
    client, post_report, session, lead
):
    post_report(session, lead, form_data(debrief_feeling="4"))

    with after(session):
        client.force_login(lead)
        page = text(client.get(report_url(session)))

    check_in = WellbeingCheckIn.objects.get()
    assert reverse("trainers:checkin-detail", kwargs={"pk": check_in.pk}) in page


def test_the_audit_trail_says_nothing_about_the_debrief(post_report, session, lead):
    post_report(session, lead, form_data(debrief_feeling="1", debrief_notes=PRIVATE_NOTES))

    event = AuditEvent.objects.get(action=SessionAction.DELIVERY_REPORT_FILED)
    assert "debrief" not in str(event.changes).lower()
    assert "PRIVATE" not in str(event.changes)


def test_someone_without_a_trainer_profile_gets_no_debrief_section(client, session, other_trainer):
    on_team(session, other_trainer, TrainerAssignment.Role.CO_TRAINER)

    with after(session):
        client.force_login(other_trainer)
        response = client.get(report_url(session))

    assert "debrief_feeling" not in response.context["form"].fields
    assert "Private wellbeing debrief" not in text(response)


def test_the_service_refuses_a_debrief_from_someone_without_a_trainer_profile(
    session, other_trainer
):
    on_team(session, other_trainer, TrainerAssignment.Role.CO_TRAINER)

    with after(session), pytest.raises(ValidationError) as refused:
        delivery_report_submit(
            session=session,
            by=other_trainer,
            delivered_as_planned=True,
            attendee_count=3,
            debrief_feeling=3,
        )

    assert "debrief_feeling" in refused.value.error_dict
    assert not DeliveryReport.objects.exists()


# Who may file or read it


def test_a_coordinator_reads_the_page_but_cannot_file(client, session, coordinator):
    with after(session):
        client.force_login(coordinator)
        page = text(client.get(report_url(session)))
        client.post(report_url(session), form_data())

    assert "Only the session&#x27;s lead trainer or co-trainer can file" in page
    assert not DeliveryReport.objects.exists()


@pytest.mark.parametrize("role", [TrainerAssignment.Role.STAFF, TrainerAssignment.Role.SHADOWING])
def test_staff_co_facilitators_and_trainees_do_not_file_the_report(
    client, session, other_trainer, role
):
    on_team(session, other_trainer, role)

    with after(session):
        client.force_login(other_trainer)
        assert client.get(report_url(session)).status_code == 404
        assert client.post(report_url(session), form_data()).status_code == 404

    assert not DeliveryReport.objects.exists()


def test_another_trainer_gets_not_found(client, session, other_trainer):
    with after(session):
        client.force_login(other_trainer)
        assert client.get(report_url(session)).status_code == 404


@pytest.mark.parametrize("who", ["team_lead", "manager", "admin_user"])
def test_other_roles_are_refused(client, request, session, who):
    client.force_login(request.getfixturevalue(who))

    assert client.get(report_url(session)).status_code == 403


def test_a_visitor_is_sent_to_sign_in(client, session):
    response = client.get(report_url(session))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
