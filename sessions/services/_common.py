"""What several of the sessions services share: a line of text tidied, an email subject cut to
length, the plain values of an email about a session, and the row locks on a session and on
people, which every service takes in one order (the session's row, its room, the people's rows by
id, then the assignments; see docs/domain.md, Sessions and scheduling, "Lock order")."""

from collections.abc import Iterable

from django.utils.text import Truncator

from people.models import User
from sessions.display import session_when, session_where
from sessions.models import TrainingSession


def _subject(text: str) -> str:
    # Course titles run to 200 characters, and so may a subject.
    return Truncator(text).chars(200)


def _session_context(session: TrainingSession) -> dict:
    """Plain values for an email about a session (the joining link is read when it is sent)."""
    return {
        "course": str(session.course_version.course),
        "when": session_when(session),
        "where": session_where(session),
        "session_code": session.code,
        "session_pk": session.pk,
    }


def _session_locked(session: TrainingSession) -> TrainingSession:
    return (
        TrainingSession.objects.select_for_update(of=("self",))
        .select_related("course_version__course", "region", "room__venue__region", "coordinator")
        .get(pk=session.pk)
    )


def _people_locked(user_ids: Iterable[int]) -> None:
    # Locking the people's rows, always in the same order, makes every booking of the same
    # person wait for the one before it, so a double-booking check cannot race another.
    list(
        User.objects.select_for_update()
        .filter(pk__in=sorted(set(user_ids)))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
