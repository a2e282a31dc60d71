"""When a session is marked delivered, each attendee gets a personal feedback link by email
(expiring after 30 days); attendance corrected later is invited too. Coordinators see the
response rate and who has not responded at /schedule/<pk>/evaluation/, and each non-respondent
gets one reminder: from the coordinator's button or automatically 3 days later, never both."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evaluations.models import Invitation
from evaluations.services import (
    CHASER_KIND,
    INVITATION_KIND,
    invitation_ensure,
    invitations_chase,
    invitations_on_session_delivered,
)
from evaluations.tasks import send_evaluation_chasers
from notifications.models import Notification
from sessions.models import Registration, TrainingSession
from sessions.services import attendance_record, delivery_report_submit
from tests.evaluations.response_helpers import delivered_session, invitation_for
from tests.factories import (
    ParticipantFactory,
    RegistrationFactory,
    TrainingSessionFactory,
    registrations_in_bulk,
    standard_form,
)
from tests.sessions.registration_helpers import body_and_html, emails_to, on_team, text

pytestmark = pytest.mark.django_db

Status = Registration.Status


def book(session, name: str, status: str) -> Registration:
    email = f"{name.lower()}@example.org"
    return RegistrationFactory(
        session=session, status=status, participant=ParticipantFactory(full_name=name, email=email)
    )


@pytest.fixture
def session(trainer) -> TrainingSession:
    session = TrainingSessionFactory(
        course_version__course__title="Hearing Voices", status=TrainingSession.Status.CONFIRMED
    )
    on_team(session, trainer)
    standard_form()
    return session


@pytest.fixture
def everyone(session) -> dict[str, Registration]:
    return {
        status: book(session, name, status)
        for name, status in [
            ("Ada", Status.ATTENDED),
            ("Ben", Status.PARTLY_ATTENDED),
            ("Cy", Status.NO_SHOW),
            ("Di", Status.CANCELLED),
            ("Ed", Status.BOOKED),
            ("Flo", Status.WAITLISTED),
        ]
    }


def deliver(session, trainer, capture):
    with (
        time_machine.travel(session.ends_at + timedelta(hours=1), tick=False),
        capture(execute=True),
    ):
        delivery_report_submit(
            session=session, by=trainer, delivered_as_planned=True, attendee_count=2
        )


def link_in(message) -> str:
    found = re.search(r"https?://\S+/evaluate/[\w-]+/", message.body)
    assert found, message.body
    return found[0]


# --- Invitations ---


def test_filing_the_delivery_report_invites_only_those_who_attended(
    session, everyone, trainer, django_capture_on_commit_callbacks
):
    deliver(session, trainer, django_capture_on_commit_callbacks)

    invited = set(Invitation.objects.values_list("registration__status", flat=True))
    assert invited == {Status.ATTENDED, Status.PARTLY_ATTENDED}
    assert sorted(m.to[0] for m in mail.outbox if "feedback" in m.subject) == [
        "ada@example.org",
        "ben@example.org",
    ]


def test_the_invitation_email_carries_the_learners_own_link(
    client, session, everyone, trainer, django_capture_on_commit_callbacks
):
    deliver(session, trainer, django_capture_on_commit_callbacks)

    (message,) = emails_to("ada@example.org")
    invitation = everyone[Status.ATTENDED].evaluation_invitation
    assert message.subject.startswith("Your feedback on Hearing Voices")
    assert f"/evaluate/{invitation.token}/" in body_and_html(message)
    assert "anonymous" in message.body
    assert client.get(link_in(message)).status_code == 200


def test_the_link_is_made_when_sent_and_never_kept_in_the_notification_log(
    session, everyone, trainer, django_capture_on_commit_callbacks
):
    deliver(session, trainer, django_capture_on_commit_callbacks)

    invitation = everyone[Status.ATTENDED].evaluation_invitation
    notification = Notification.objects.get(kind=INVITATION_KIND, related_id=invitation.pk)
    assert invitation.token not in str(notification.context) + notification.subject


def test_a_link_expires_30_days_after_the_invitation(session, everyone, trainer):
    with time_machine.travel(session.ends_at + timedelta(hours=1), tick=False):
        delivery_report_submit(
            session=session, by=trainer, delivered_as_planned=True, attendee_count=2
        )
        now = timezone.now()

    invitation = everyone[Status.ATTENDED].evaluation_invitation
    assert invitation.expires_at == now + timedelta(days=30)


def test_running_the_hook_again_invites_nobody_twice(
    session, everyone, trainer, django_capture_on_commit_callbacks
):
    deliver(session, trainer, django_capture_on_commit_callbacks)

    assert invitations_on_session_delivered(session) == 0
    ada = Registration.objects.get(pk=everyone[Status.ATTENDED].pk)
    assert invitation_ensure(registration=ada) == ada.evaluation_invitation
    assert Invitation.objects.count() == 2
    assert Notification.objects.filter(kind=INVITATION_KIND).count() == 2


def test_nobody_is_invited_before_the_session_is_delivered(session, everyone):
    assert invitation_ensure(registration=everyone[Status.ATTENDED]) is None
    assert invitations_on_session_delivered(session) == 0
    assert not Invitation.objects.exists()


def test_attendance_corrected_after_delivery_invites_that_learner(
    session, everyone, trainer, coordinator, django_capture_on_commit_callbacks
):
    deliver(session, trainer, django_capture_on_commit_callbacks)
    cy = everyone[Status.NO_SHOW]
    mail.outbox.clear()

    with (
        time_machine.travel(session.ends_at + timedelta(days=2), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        attendance_record(session=session, marks={cy.pk: Status.ATTENDED}, by=coordinator)

    assert Invitation.objects.filter(registration=cy).exists()
    assert [m.to for m in mail.outbox] == [["cy@example.org"]]


def test_a_learner_marked_absent_after_all_is_no_longer_counted(client, coordinator):
    invitation = invitation_for()
    Registration.objects.filter(pk=invitation.registration_id).update(status=Status.NO_SHOW)
    client.force_login(coordinator)

    page = text(client.get(session_url(invitation.registration.session)))

    assert "Nobody has been invited" in page


# --- The coordinator's page ---


def session_url(session) -> str:
    return reverse("evaluations:session-evaluation", kwargs={"pk": session.pk})


def chase_url(session) -> str:
    return reverse("evaluations:session-evaluation-chase", kwargs={"pk": session.pk})


@pytest.fixture
def three_invited():
    session = delivered_session(course_version__course__title="Hearing Voices")
    invitations = [
        invitation_for(session, participant=ParticipantFactory(full_name=name))
        for name in ("Ada Answered", "Ben Answered", "Cy Silent")
    ]
    Invitation.objects.filter(pk__in=[i.pk for i in invitations[:2]]).update(used=True)
    return session, invitations


def test_the_coordinator_sees_the_response_rate_and_who_has_not_responded(
    client, coordinator, three_invited
):
    session, _ = three_invited
    client.force_login(coordinator)

    page = text(client.get(session_url(session)))

    assert "2 of 3 (67%)" in page
    assert "Cy Silent" in page
    assert "Ada Answered" not in page
    assert "Ben Answered" not in page
    assert "/evaluate/s/" in page
    assert "<svg" in page


def test_the_page_runs_the_same_queries_for_few_and_many_invitations(
    client, coordinator, django_assert_max_num_queries
):
    standard_form()
    client.force_login(coordinator)
    counts = []
    for size in (2, 40):
        session = delivered_session()
        registrations_in_bulk(session, size, status=Status.ATTENDED)
        invitations_on_session_delivered(session)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(session_url(session)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(counts[1]):
        client.get(session_url(session))


def test_the_coordinator_sends_one_reminder_to_those_who_have_not_responded(
    client, coordinator, three_invited, django_capture_on_commit_callbacks
):
    session, invitations = three_invited
    client.force_login(coordinator)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(chase_url(session), follow=True)

    assert "Reminder sent to 1 person" in text(response)
    assert [m.to for m in mail.outbox] == [[invitations[2].registration.participant.email]]
    assert mail.outbox[0].subject.startswith("Reminder: your feedback on Hearing Voices")
    assert f"/evaluate/{invitations[2].token}/" in mail.outbox[0].body
    assert list(Invitation.objects.filter(chased=True)) == [invitations[2]]


def test_a_second_reminder_is_refused(
    client, coordinator, three_invited, django_capture_on_commit_callbacks
):
    session, _ = three_invited
    client.force_login(coordinator)
    client.post(chase_url(session))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(chase_url(session), follow=True)

    assert "Nobody can be sent a reminder" in text(response)
    assert mail.outbox == []
    assert Notification.objects.filter(kind=CHASER_KIND).count() == 1


def test_the_service_refuses_a_reminder_when_everyone_has_responded(coordinator):
    invitation = invitation_for()
    Invitation.objects.filter(pk=invitation.pk).update(used=True)

    with pytest.raises(ValidationError, match="Nobody can be sent a reminder"):
        invitations_chase(session=invitation.registration.session, by=coordinator)


def test_the_reminder_goes_automatically_3_days_after_the_invitation(
    django_capture_on_commit_callbacks,
):
    waiting, answered = invitation_for(), invitation_for()
    Invitation.objects.filter(pk=answered.pk).update(used=True)
    mail.outbox.clear()

    with time_machine.travel(waiting.created_at + timedelta(days=2, hours=23)):
        assert send_evaluation_chasers() == 0
    with time_machine.travel(waiting.created_at + timedelta(days=3, minutes=1)):
        with django_capture_on_commit_callbacks(execute=True):
            assert send_evaluation_chasers() == 1
        assert send_evaluation_chasers() == 0

    assert [m.to for m in mail.outbox] == [[waiting.registration.participant.email]]


def test_no_automatic_reminder_for_an_expired_link():
    invitation = invitation_for()

    with time_machine.travel(invitation.expires_at + timedelta(minutes=1)):
        assert send_evaluation_chasers() == 0


def test_the_button_and_the_automatic_reminder_never_both_send(coordinator):
    early, late = invitation_for(), invitation_for()

    invitations_chase(session=early.registration.session, by=coordinator)
    with time_machine.travel(early.created_at + timedelta(days=4)):
        assert send_evaluation_chasers() == 1  # only the other session's learner
        with pytest.raises(ValidationError):
            invitations_chase(session=late.registration.session, by=coordinator)

    assert Notification.objects.filter(kind=CHASER_KIND).count() == 2


@pytest.mark.parametrize("who", ["trainer", "other_trainer", "team_lead", "manager", "admin_user"])
def test_only_coordinators_see_the_page_and_send_reminders(client, request, who, three_invited):
    session, _ = three_invited
    on_team(session, request.getfixturevalue("trainer"))
    client.force_login(request.getfixturevalue(who))

    assert client.get(session_url(session)).status_code == 403
    assert client.post(chase_url(session)).status_code == 403
    assert not Invitation.objects.filter(chased=True).exists()


def test_a_visitor_is_sent_to_sign_in(client, three_invited):
    session, _ = three_invited

    assert client.get(session_url(session)).url.startswith(reverse("login"))
    assert client.post(chase_url(session)).url.startswith(reverse("login"))


def test_an_unknown_session_is_not_found(client, coordinator):
    client.force_login(coordinator)

    response = client.get(reverse("evaluations:session-evaluation", kwargs={"pk": 999999}))

    assert response.status_code == 404
