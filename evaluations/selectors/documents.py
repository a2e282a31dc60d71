"""Documents: what a session's report shows, and who attended."""

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from evaluations.selectors.invitations import ATTENDEE_STATUSES
from evaluations.selectors.results import Results, results_summary
from sessions.models import Registration, TrainingSession

# The session report and the certificates of attendance. The report reads results_summary
# through a reader with no role, so its comments and reflections follow the trainers' rule
# whoever downloads it: only from a session whose comments were released and that has at least
# 5 responses, and never a hidden comment.


class _DocumentReader:
    """Who a document is written for: nobody in particular, so no role widens what it shows."""

    def has_role(self, *roles) -> bool:
        return False


@dataclass
class SessionReport:
    session: TrainingSession
    results: Results
    attendance: list[tuple[str, int]]
    attendees: list[Registration] | None  # None: names left out


def document_attendees(*, session: TrainingSession) -> QuerySet[Registration]:
    """The people who attended all or part of `session`, by name."""
    return (
        Registration.objects.filter(session=session, status__in=ATTENDEE_STATUSES)
        .select_related("participant", "session__course_version__course")
        .order_by("participant__full_name", "pk")
    )


def document_session_report(*, session: TrainingSession, with_names: bool) -> SessionReport:
    """What a session's report shows: attendance by status (and who attended, when
    `with_names`), and the evaluation summary under the trainers' rule for comments."""
    counts = dict(
        Registration.objects.filter(session=session)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    attendance = [(label, counts.get(value, 0)) for value, label in Registration.Status.choices]
    results = results_summary(
        sessions=TrainingSession.objects.filter(pk=session.pk),
        user=_DocumentReader(),
        session=session,
    )
    attendees = list(document_attendees(session=session)) if with_names else None
    return SessionReport(
        session=session, results=results, attendance=attendance, attendees=attendees
    )
