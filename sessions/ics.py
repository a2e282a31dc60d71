"""Calendar files (RFC 5545) for training sessions: the .ics attached to learners' emails, and
the events of the trainers' and coordinators' calendar feeds.

Written with the icalendar library, which escapes text, folds lines at 75 octets without
splitting a UTF-8 character and ends them in CRLF. A session is one VEVENT, every time in UTC.

    ics = calendar_document([session_event(session, uid_suffix=f"registration-{pk}")])
"""

from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress

from core.text import address_one_line

PRODID = "-//Coproduce//Training sessions//EN"


def _domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "coproduce"


def _name(value: str) -> str:
    """A person's name as a CN parameter: on one line, and with single quotes for double ones
    (which a parameter cannot hold; the library's ^' escape is not read by every calendar)."""
    return " ".join(str(value).replace('"', "'").split())


def session_location(session) -> str:
    """Where a session happens, in one line: room, venue and address, or "Online"."""
    if session.is_online:
        return "Online"
    if session.room_id is None:  # an imported past session may have no room on record
        return ""
    room = session.room
    venue = room.venue
    address = address_one_line(venue.address)
    return ", ".join(part for part in (room.name, venue.name, address) if part)


def session_sequence(session) -> int:
    """The session's version for calendars: seconds from its creation to its last change, so a
    moved or cancelled session's file is newer than every file sent before."""
    changed = getattr(session, "updated_at", None) or session.created_at
    return max(0, int((changed - session.created_at).total_seconds()))


def session_event(
    session,
    *,
    uid_suffix: str,
    summary: str = "",
    description: str = "",
    location: str = "",
    cancelled: bool = False,
    sequence: int | None = None,
    attendee: tuple[str, str] | None = None,
    stamp: datetime | None = None,
) -> Event:
    """One VEVENT for a session.

    `uid_suffix` keeps one event per person or purpose ("registration-12", "feed"): the UID is
    the same each time, so a later file updates the event rather than adding another. Without a
    `sequence` it is session_sequence() (one more for a cancellation), so a calendar takes the
    newest times. `attendee` is (name, email).
    `session` needs course_version.course and room.venue loaded (or online)."""
    if sequence is None:
        sequence = session_sequence(session) + (1 if cancelled else 0)
    event = Event()
    event.add("uid", f"session-{session.pk}-{uid_suffix}@{_domain()}")
    event.add("dtstamp", (stamp or timezone.now()).astimezone(UTC))
    event.add("dtstart", session.starts_at.astimezone(UTC))
    event.add("dtend", session.ends_at.astimezone(UTC))
    event.add("sequence", sequence)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("summary", summary or str(session.course_version.course))
    event.add("location", location or session_location(session))
    if description:
        event.add("description", description)
    organiser_name, organiser_email = parseaddr(settings.DEFAULT_FROM_EMAIL)
    if organiser_email:
        event.add(
            "organizer", vCalAddress.new(organiser_email, cn=_name(organiser_name or "Coproduce"))
        )
    if attendee is not None:
        name, email = attendee
        event.add(
            "attendee",
            vCalAddress.new(
                email,
                cn=_name(name or email),
                role="REQ-PARTICIPANT",
                partstat="ACCEPTED",
                rsvp=False,
            ),
        )
    event.add("transp", "OPAQUE")
    return event


def calendar_document(
    events: Iterable[Event], *, method: str | None = "REQUEST", name: str = ""
) -> str:
    """A whole VCALENDAR. `method` is REQUEST for an invitation sent by email (the notifications
    app attaches it as method=REQUEST) and None for a subscribed feed."""
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", PRODID)
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        # X-WR-CALNAME alone: the library's calendar_name writes RFC 7986's NAME as well.
        calendar.add("x-wr-calname", name)
    for event in events:
        calendar.add_component(event)
    return calendar.to_ical().decode()
