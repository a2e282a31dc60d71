"""Documents: a session's report (/schedule/<pk>/report.pdf), certificates of attendance for a
learner (/evaluate/<token>/certificate.pdf) and for a whole session in a zip
(/schedule/<pk>/certificates.zip). Most tests read the HTML a document is made from; a few
render real PDFs, which is slow."""

import io
import re
import zipfile
from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from evaluations.models import Answer, FreeTextRelease
from evaluations.pdf import (
    CERTIFICATE_TEMPLATE,
    SESSION_REPORT_TEMPLATE,
    certificate_context,
    certificate_filename,
    session_report_context,
)
from evaluations.selectors import document_session_report
from sessions.models import Registration, TrainingSession
from tests.evaluations.response_helpers import invitation_for
from tests.factories import (
    CourseFactory,
    CourseVersionFactory,
    ParticipantFactory,
    RegistrationFactory,
    TrainerAssignmentFactory,
    TrainingSessionFactory,
    responses_for,
    standard_form,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def session() -> TrainingSession:
    version = CourseVersionFactory(course=CourseFactory(title="Recovery Together"))
    session = TrainingSessionFactory(
        status=TrainingSession.Status.DELIVERED, course_version=version
    )
    for name, status in [
        ("Ann Jones", Registration.Status.ATTENDED),
        ("Bob Price", Registration.Status.PARTLY_ATTENDED),
        ("Cara Noshow", Registration.Status.NO_SHOW),
    ]:
        RegistrationFactory(
            session=session, participant=ParticipantFactory(full_name=name), status=status
        )
    standard_form()
    return session


def report_html(session, *, with_names: bool = True) -> str:
    report = document_session_report(session=session, with_names=with_names)
    html = render_to_string(SESSION_REPORT_TEMPLATE, session_report_context(report))
    return re.sub(r"\s+", " ", html)


def report_url(session) -> str:
    return reverse("evaluations:document-session-report", kwargs={"pk": session.pk})


def zip_url(session) -> str:
    return reverse("evaluations:document-certificates-zip", kwargs={"pk": session.pk})


def certificate_url(token: str) -> str:
    return reverse("evaluations:document-certificate", kwargs={"token": token})


def reflections(session, n: int) -> None:
    responses_for(session, n, answers={"more_of": "More role play please"})


# --- The session report ---


def test_the_report_shows_the_course_attendance_and_who_attended(session):
    html = report_html(session)

    assert "Recovery Together" in html
    assert '<th scope="row">Attended</th><td class="number">1</td>' in html
    assert '<th scope="row">Did not attend</th><td class="number">1</td>' in html
    assert "Ann Jones" in html
    assert "Bob Price (part of the session)" in html
    assert "Cara Noshow" not in html


def test_the_trainers_report_leaves_out_the_attendees_names(session):
    html = report_html(session, with_names=False)

    assert "Ann Jones" not in html
    assert "Bob Price" not in html
    assert '<th scope="row">Attended</th><td class="number">1</td>' in html


def test_the_report_has_the_results_pages_charts_with_their_data_tables(session):
    responses_for(session, 5, ratings={"confidence_before": 2, "confidence_after": 4})

    html = report_html(session)

    assert "<svg" in html
    assert 'id="chart-confidence_before' in html
    assert "a change of +2.0 on the 1 to 5 scale" in html
    assert "<caption>Answers to" in html


def test_the_report_shows_reflections_once_released_with_five_responses(session, coordinator):
    reflections(session, 5)
    FreeTextRelease.objects.create(session=session, released_by=coordinator)

    assert "More role play please" in report_html(session)


def test_the_report_leaves_out_reflections_not_released(session):
    reflections(session, 5)

    html = report_html(session)

    assert "More role play please" not in html
    assert "Comments are shown once a coordinator has released them" in html


def test_the_report_leaves_out_reflections_from_fewer_than_five_responses(session, coordinator):
    reflections(session, 4)
    FreeTextRelease.objects.create(session=session, released_by=coordinator)

    assert "More role play please" not in report_html(session)


def test_the_report_leaves_out_a_hidden_reflection(session, coordinator):
    reflections(session, 5)
    FreeTextRelease.objects.create(session=session, released_by=coordinator)
    responses_for(session, 1, answers={"more_of": "Something unkind"})
    Answer.objects.filter(text="Something unkind").update(
        hidden_at=timezone.now(), hidden_by=coordinator, hidden_reason="Unkind"
    )

    html = report_html(session)

    assert "More role play please" in html
    assert "Something unkind" not in html


def test_the_report_has_a_heading_for_action_plans_saying_there_are_none(session):
    assert "<h2>Action plans</h2> <p>No action plans yet.</p>" in report_html(session)


def test_a_coordinator_downloads_a_real_pdf_of_the_report(client, coordinator, session):
    client.force_login(coordinator)

    response = client.get(report_url(session))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("who", "with_names"), [("coordinator", True), ("manager", True), ("trainer", False)]
)
def test_who_downloads_the_report_decides_whether_it_names_attendees(
    client, request, session, monkeypatch, who, with_names
):
    user = request.getfixturevalue(who)
    TrainerAssignmentFactory(
        session=session, user=request.getfixturevalue("trainer"), status="accepted"
    )
    asked = {}

    def fake_render(given, *, with_names):
        asked["with_names"] = with_names
        return b"%PDF-fake"

    monkeypatch.setattr("evaluations.views.documents.render_session_report_pdf", fake_render)
    client.force_login(user)

    response = client.get(report_url(session))

    assert response.status_code == 200
    assert asked == {"with_names": with_names}


@pytest.mark.parametrize(
    ("who", "status"),
    [("other_trainer", 404), ("team_lead", 403), ("admin_user", 403)],
)
def test_others_cannot_download_the_report(client, request, session, trainer, who, status):
    TrainerAssignmentFactory(session=session, user=trainer, status="accepted")
    client.force_login(request.getfixturevalue(who))

    assert client.get(report_url(session)).status_code == status


def test_a_visitor_is_sent_to_sign_in_for_the_report(client, session):
    response = client.get(report_url(session))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- Certificates ---


def test_a_certificate_names_the_learner_course_date_and_programme(session):
    registration = session.registrations.get(participant__full_name="Ann Jones")

    html = render_to_string(CERTIFICATE_TEMPLATE, certificate_context(registration))

    assert "Ann Jones" in html
    assert "Recovery Together" in html
    assert session.starts_at.strftime("%Y") in html
    assert "Coproduce" in html
    assert "attended part of" not in html


def test_a_certificate_says_part_of_for_someone_who_partly_attended(session):
    registration = session.registrations.get(participant__full_name="Bob Price")

    html = render_to_string(CERTIFICATE_TEMPLATE, certificate_context(registration))

    assert "attended part of" in html


def test_there_is_no_certificate_for_a_no_show(session):
    registration = session.registrations.get(participant__full_name="Cara Noshow")

    with pytest.raises(ValueError, match="only for people who attended"):
        certificate_context(registration)


def test_certificate_names_are_safe_and_never_repeat():
    taken: set[str] = set()

    names = [certificate_filename(n, taken) for n in ["Ann Jones", "Ann Jones", "../Zoë Ó", "Ø"]]

    assert names == [
        "certificate-ann-jones.pdf",
        "certificate-ann-jones-2.pdf",
        "certificate-zoe-o.pdf",
        "certificate-learner.pdf",
    ]


def test_a_learner_downloads_their_certificate_with_a_used_link(client):
    invitation = invitation_for()
    invitation.used = True
    invitation.save()

    response = client.get(certificate_url(invitation.token))

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert response["Cache-Control"] == "no-store"


def test_the_thank_you_page_links_to_the_certificate(client):
    invitation = invitation_for()
    invitation.used = True
    invitation.save()

    response = client.get(reverse("evaluations:respond-thanks", kwargs={"token": invitation.token}))

    assert certificate_url(invitation.token) in response.content.decode()


def test_an_unknown_link_gets_no_certificate(client):
    assert client.get(certificate_url("no-such-link")).status_code == 404


def test_a_no_shows_link_gets_no_certificate(client):
    invitation = invitation_for()
    invitation.registration.status = Registration.Status.NO_SHOW
    invitation.registration.save()

    assert client.get(certificate_url(invitation.token)).status_code == 404


def test_an_expired_unused_link_gets_no_certificate(client):
    invitation = invitation_for()
    invitation.expires_at = timezone.now() - timedelta(minutes=1)
    invitation.save()

    assert client.get(certificate_url(invitation.token)).status_code == 410


def test_the_zip_has_one_certificate_per_attendee_and_none_for_no_shows(
    client, coordinator, session
):
    RegistrationFactory(
        session=session,
        participant=ParticipantFactory(full_name="Ann Jones"),
        status=Registration.Status.ATTENDED,
    )
    client.force_login(coordinator)

    response = client.get(zip_url(session))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == [
        "certificate-ann-jones-2.pdf",
        "certificate-ann-jones.pdf",
        "certificate-bob-price.pdf",
    ]
    assert all(archive.read(name).startswith(b"%PDF") for name in archive.namelist())


@pytest.mark.parametrize(
    ("who", "status"),
    [("trainer", 403), ("manager", 403), ("team_lead", 403), ("admin_user", 403)],
)
def test_only_coordinators_download_the_zip(client, request, session, who, status):
    client.force_login(request.getfixturevalue(who))

    assert client.get(zip_url(session)).status_code == status


def test_the_zip_of_a_missing_session_is_a_404(client, coordinator):
    client.force_login(coordinator)

    assert (
        client.get(
            reverse("evaluations:document-certificates-zip", kwargs={"pk": 999999})
        ).status_code
        == 404
    )


def test_downloading_the_named_report_and_the_zip_is_audited_as_an_export(
    client, coordinator, session
):
    from audit.actions import ExportAction
    from audit.models import AuditEvent

    client.force_login(coordinator)

    client.get(report_url(session))
    client.get(zip_url(session))

    files = [e.changes["file"] for e in AuditEvent.objects.filter(action=ExportAction.EXPORT)]
    assert sorted(files) == sorted(
        [f"session-report-{session.code.lower()}.pdf", f"certificates-{session.code.lower()}.zip"]
    )
