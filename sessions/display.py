"""How a session is named in words, for emails, pages and refusals: its day and times in UK time
(`session_when`), its place (`session_where`) and the label a clash names it by
(`session_label`). Pure text formatting: nothing here reads or changes the database."""

from core.dates import uk_local, uk_weekday
from core.text import address_one_line
from sessions.models import TrainingSession


def session_when(session: TrainingSession) -> str:
    """'Tuesday 8 December 2026, 10:00 to 13:00' (UK time)."""
    starts, ends = uk_local(session.starts_at), uk_local(session.ends_at)
    return f"{uk_weekday(session.starts_at)}, {starts:%H:%M} to {ends:%H:%M}"


def session_where(session: TrainingSession) -> str:
    if session.is_online or session.room is None:
        return "Online"
    venue = session.room.venue
    address = address_one_line(venue.address)
    return f"{session.room.name}, {venue.name}, {address}"


def session_label(session: TrainingSession) -> str:
    """How a clash names another session: “Hearing voices” 10:00–13:00 on Tuesday 8 December
    2026 (S-2026-0003)."""
    starts, ends = uk_local(session.starts_at), uk_local(session.ends_at)
    return (
        f"“{session.course_version.course}” {starts:%H:%M}–{ends:%H:%M} on "
        f"{uk_weekday(session.starts_at)} ({session.code})"
    )
