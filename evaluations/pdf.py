"""The evaluations app's documents, rendered through core's one PDF helper: a session's report
for coordinators (and, without learners' names, its trainers) and certificates of attendance."""

import io
import zipfile

from django.utils import timezone
from django.utils.text import slugify

from core.pdf import render_pdf
from evaluations.selectors import (
    ATTENDEE_STATUSES,
    SessionReport,
    document_attendees,
    document_session_report,
)
from sessions.models import Registration, TrainingSession

# --- Documents ---

PROGRAMME_NAME = "Coproduce"
SESSION_REPORT_TEMPLATE = "evaluations/pdf/session_report.html"
CERTIFICATE_TEMPLATE = "evaluations/pdf/certificate.html"


def session_report_context(report: SessionReport) -> dict:
    """What the session report shows; pass the report from selectors.document_session_report."""
    session = report.session
    return {
        "report": report,
        "session": session,
        "course": session.course_version.course,
        "results": report.results,
        "programme": PROGRAMME_NAME,
        "printed_at": timezone.localtime(),
    }


def render_session_report_pdf(session: TrainingSession, *, with_names: bool = True) -> bytes:
    """A session's report: attendance (with the attendees' names unless `with_names` is False,
    as for its trainers), every question's chart and table, the change in confidence, the
    reflections when they may be read, and a place for the action plans."""
    report = document_session_report(session=session, with_names=with_names)
    return render_pdf(SESSION_REPORT_TEMPLATE, session_report_context(report))


def certificate_context(registration: Registration) -> dict:
    """What a certificate says. Only for someone who attended all or part of the session."""
    if registration.status not in ATTENDEE_STATUSES:
        raise ValueError("Certificates are only for people who attended.")
    session = registration.session
    return {
        "registration": registration,
        "name": registration.participant.full_name,
        "course": session.course_version.course,
        "session": session,
        "attended_part": registration.status == Registration.Status.PARTLY_ATTENDED,
        "programme": PROGRAMME_NAME,
    }


def render_certificate_pdf(registration: Registration) -> bytes:
    """A learner's certificate of attendance: their name, the course, the date, whether they
    attended all or part of it, and the programme."""
    return render_pdf(CERTIFICATE_TEMPLATE, certificate_context(registration))


def certificate_filename(name: str, taken: set[str]) -> str:
    """A safe file name from a learner's name, e.g. "certificate-ann-jones.pdf", made unique
    among `taken` (which it updates)."""
    stem = f"certificate-{slugify(name) or 'learner'}"
    filename, number = f"{stem}.pdf", 1
    while filename in taken:
        number += 1
        filename = f"{stem}-{number}.pdf"
    taken.add(filename)
    return filename


def certificates_zip(session: TrainingSession) -> bytes:
    """Every attendee's certificate in one zip, one PDF each. Rendered in the request: a session
    has at most its capacity of attendees. (Move to Celery if that ever takes too long.)"""
    buffer = io.BytesIO()
    taken: set[str] = set()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for registration in document_attendees(session=session):
            filename = certificate_filename(registration.participant.full_name, taken)
            archive.writestr(filename, render_certificate_pdf(registration))
    return buffer.getvalue()
