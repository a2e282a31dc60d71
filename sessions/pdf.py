"""The sessions app's documents, rendered through core's one PDF helper."""

from django.utils import timezone

from core.pdf import render_pdf
from sessions.models import CourseVersion
from sessions.selectors import SessionPack

# --- Courses and venues ---

HANDBOOK_TEMPLATE = "sessions/pdf/handbook.html"


def handbook_context(version: CourseVersion) -> dict:
    """What the handbook shows; pass a version from selectors.course_version_get."""
    return {
        "version": version,
        "course": version.course,
        "outcomes": version.outcomes.all(),
        "printed_on": timezone.localdate(),
    }


def render_handbook_pdf(version: CourseVersion) -> bytes:
    """A course version's training handbook: cover, aims, outcomes with their activities,
    support guidance and the trainer role description."""
    return render_pdf(HANDBOOK_TEMPLATE, handbook_context(version))


# --- Registrations and attendance ---

SESSION_PACK_TEMPLATE = "sessions/pdf/pack_session.html"
# Rows left empty on the sign-in sheet for people who came without a place.
SESSION_PACK_BLANK_ROWS = 5


def session_pack_context(pack: SessionPack) -> dict:
    """What the session pack shows; pass the pack from selectors.session_pack_get."""
    session = pack.session
    return {
        "pack": pack,
        "session": session,
        "version": session.course_version,
        "course": session.course_version.course,
        "session_minutes": int((session.ends_at - session.starts_at).total_seconds() // 60),
        "printed_at": timezone.localtime(),
        "blank_rows": range(SESSION_PACK_BLANK_ROWS),
    }


def render_session_pack_pdf(pack: SessionPack) -> bytes:
    """A session's pack for its trainers: the plan (times, place, trainers, the version's outcomes
    with their activities and durations) and a sign-in sheet of the people with a place."""
    return render_pdf(SESSION_PACK_TEMPLATE, session_pack_context(pack))
