"""How a session is named in words, for emails, pages and refusals: its day and times in UK time
(`session_when`), its place (`session_where`) and the label a clash names it by
(`session_label`). Pure text formatting: nothing here reads or changes the database."""

from datetime import datetime

from django.utils import timezone

from core.dates import LONDON
from core.text import address_one_line
from sessions.models import TrainingSession


def _local(moment: datetime) -> datetime:
    return timezone.localtime(moment, LONDON)


def _long_day(moment: datetime) -> str:
    local = _local(moment)
    return f"{local:%A} {local.day} {local:%B %Y}"


def session_when(session: TrainingSession) -> str:
    """'Tuesday 8 December 2026, 10:00 to 13:00' (UK time)."""
    starts, ends = _local(session.starts_at), _local(session.ends_at)
    return f"{_long_day(session.starts_at)}, {starts:%H:%M} to {ends:%H:%M}"


def session_where(session: TrainingSession) -> str:
    if session.is_online or session.room is None:
        return "Online"
    venue = session.room.venue
    address = address_one_line(venue.address)
    return f"{session.room.name}, {venue.name}, {address}"


def session_label(session: TrainingSession) -> str:
    """How a clash names another session: “Hearing voices” 10:00–13:00 on Tuesday 8 December
    2026 (S-2026-0003)."""
    starts, ends = _local(session.starts_at), _local(session.ends_at)
    return (
        f"“{session.course_version.course}” {starts:%H:%M}–{ends:%H:%M} on "
        f"{_long_day(session.starts_at)} ({session.code})"
    )
