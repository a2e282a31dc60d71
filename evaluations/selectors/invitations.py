"""Invitations and responses: what a learner is asked, the link or short link that opens
it, and a session's response rate for its coordinator."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from core.dates import uk_day
from core.qr import qr_svg
from evaluations.models import EvaluationForm, Invitation, Question, Section
from sessions.models import Registration, TrainingSession

# How long a learner can give feedback after a session (emailed links and the short link).
FEEDBACK_OPEN_FOR = timedelta(days=30)
# Only attendees are invited and counted (docs/domain.md#evaluations).
ATTENDEE_STATUSES = (Registration.Status.ATTENDED, Registration.Status.PARTLY_ATTENDED)


@dataclass(frozen=True)
class SessionForms:
    """The published standard form and the course's published extra questions (if any), with
    their sections and questions in the order a learner answers them."""

    standard: EvaluationForm | None
    course: EvaluationForm | None
    sections: list[Section]

    @property
    def questions(self) -> list[Question]:
        return [question for section in self.sections for question in section.questions.all()]


def evaluation_forms_for_session(*, session: TrainingSession) -> SessionForms:
    """What a learner of this session is asked: the standard form, then the course's own."""
    forms = list(
        EvaluationForm.objects.filter(status=EvaluationForm.Status.PUBLISHED).filter(
            Q(course=None) | Q(course__versions=session.course_version_id)
        )
    )
    standard = next((form for form in forms if form.course_id is None), None)
    course = next((form for form in forms if form.course_id is not None), None)
    sections = sorted(
        Section.objects.filter(form__in=[form for form in (standard, course) if form])
        .select_related("form")
        .prefetch_related(Prefetch("questions", queryset=Question.objects.order_by("order", "pk"))),
        key=lambda section: (section.form.course_id is not None, section.order, section.pk),
    )
    return SessionForms(standard=standard, course=course, sections=sections)


def invitation_get_by_token(*, token: str) -> Invitation | None:
    """The invitation a learner's link is for, with its session; None for an unknown link and
    for the link of someone no longer marked as having attended."""
    return (
        Invitation.objects.select_related(
            "registration__session__course_version__course",
            "registration__session__room__venue",
        )
        .filter(token=token, registration__status__in=ATTENDEE_STATUSES)
        .first()
    )


def session_get_for_short_link(*, code: str) -> TrainingSession:
    """The session a feedback short link is for (its check-in code, in any case)."""
    return get_object_or_404(
        TrainingSession.objects.select_related("course_version__course", "room__venue"),
        check_in_code=code.strip().upper(),
    )


def feedback_short_link_closes(session: TrainingSession) -> datetime:
    """The short link takes feedback for as long as an emailed link would: 30 days after the
    session ends."""
    return session.ends_at + FEEDBACK_OPEN_FOR


def feedback_short_link_closed_reason(
    session: TrainingSession, *, now: datetime | None = None
) -> str:
    """Why the session's short link opens no form now, in words; empty while it is open."""
    now = now or timezone.now()
    if session.status == TrainingSession.Status.CANCELLED:
        return "This session was cancelled, so there is no feedback to give."
    if session.status != TrainingSession.Status.DELIVERED:
        return (
            "Feedback opens when the trainers have finished the session and marked it "
            "delivered. Please come back to this link later."
        )
    if now > feedback_short_link_closes(session):
        closes = timezone.localtime(feedback_short_link_closes(session))
        return f"Feedback for this session closed on {uk_day(closes)}."
    return ""


@dataclass(frozen=True)
class EvaluationOverview:
    invited: int
    responded: int
    not_responded: list[Invitation]
    chaseable: int
    short_url: str
    qr_svg: str

    @property
    def rate(self) -> int | None:
        """The response rate in whole per cent, halves rounded up; None before any invitation."""
        if not self.invited:
            return None
        return int((Decimal(100 * self.responded) / self.invited).quantize(0, ROUND_HALF_UP))


def session_evaluation_overview(*, session: TrainingSession) -> EvaluationOverview:
    """For a coordinator: how many attendees were invited and responded, and who has not (the
    invitations know who; the responses never do)."""
    invitations = Invitation.objects.filter(
        registration__session=session, registration__status__in=ATTENDEE_STATUSES
    )
    counts = invitations.aggregate(invited=Count("pk"), responded=Count("pk", filter=Q(used=True)))
    not_responded = list(
        invitations.filter(used=False)
        .select_related("registration__participant")
        .order_by("registration__participant__full_name", "pk")
    )
    now = timezone.now()
    url = settings.SITE_URL + reverse(
        "evaluations:respond-short-link", kwargs={"code": session.check_in_code}
    )
    return EvaluationOverview(
        invited=counts["invited"],
        responded=counts["responded"],
        not_responded=not_responded,
        chaseable=sum(1 for one in not_responded if not one.chased and one.expires_at > now),
        short_url=url.split("://", 1)[-1],
        qr_svg=qr_svg(url, title=f"QR code for giving feedback: {url}"),
    )
