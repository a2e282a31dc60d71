"""Calendar files (RFC 5545) for training sessions: the .ics attached to learners' emails, and
the events of the trainers' and coordinators' calendar feeds.

A small builder of our own rather than a dependency: a session is one VEVENT, and what matters is
done here with care: text escaping, CRLF line endings, lines folded at 75 octets without
splitting a UTF-8 character, and every time in UTC.

    ics = calendar_document([session_event(session, uid_suffix=f"registration-{pk}")])
"""

from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

PRODID = "-//Coproduce//Training sessions//EN"
CRLF = "\r\n"
LINE_OCTETS = 75


def escape_text(value: str) -> str:
    """A TEXT value: backslash, semicolon and comma escaped, newlines as \\n (RFC 5545 3.3.11)."""
    value = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _param(value: str) -> str:
    """A parameter value (a CN): double quotes are not allowed at all; quote it when it holds
    a colon, semicolon or comma (RFC 5545 3.1)."""
    value = " ".join(str(value).replace('"', "'").split())
    return f'"{value}"' if any(c in value for c in ":;,") else value


def fold(line: str) -> str:
    """One content line folded into lines of at most 75 octets, each continuation starting
    with a space; a multi-byte character is never split."""
    parts: list[str] = []
    current, size = "", 0
    limit = LINE_OCTETS
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            parts.append(current)
            # The leading space of a continuation line counts towards its 75 octets.
            current, size, limit = " ", 1, LINE_OCTETS
        current += char
        size += width
    parts.append(current)
    return CRLF.join(parts)


def utc(moment: datetime) -> str:
    """A date-time in UTC form: 20251014T090000Z."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "coproduce"


def session_location(session) -> str:
    """Where a session happens, in one line: room, venue and address, or "Online"."""
    if session.is_online:
        return "Online"
    if session.room_id is None:  # an imported past session may have no room on record
        return ""
    room = session.room
    venue = room.venue
    address = ", ".join(line.strip() for line in venue.address.splitlines() if line.strip())
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
) -> list[str]:
    """The content lines of one VEVENT for a session (unfolded; calendar_document folds them).

    `uid_suffix` keeps one event per person or purpose ("registration-12", "feed"): the UID is
    the same each time, so a later file updates the event rather than adding another. Without a
    `sequence` it is session_sequence() (one more for a cancellation), so a calendar takes the
    newest times. `attendee` is (name, email).
    `session` needs course_version.course and room.venue loaded (or online)."""
    stamp = stamp or timezone.now()
    if sequence is None:
        sequence = session_sequence(session) + (1 if cancelled else 0)
    organiser_name, organiser_email = parseaddr(settings.DEFAULT_FROM_EMAIL)
    lines = [
        "BEGIN:VEVENT",
        f"UID:session-{session.pk}-{uid_suffix}@{_domain()}",
        f"DTSTAMP:{utc(stamp)}",
        f"DTSTART:{utc(session.starts_at)}",
        f"DTEND:{utc(session.ends_at)}",
        f"SEQUENCE:{sequence}",
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
        f"SUMMARY:{escape_text(summary or str(session.course_version.course))}",
        f"LOCATION:{escape_text(location or session_location(session))}",
    ]
    if description:
        lines.append(f"DESCRIPTION:{escape_text(description)}")
    if organiser_email:
        lines.append(
            f"ORGANIZER;CN={_param(organiser_name or 'Coproduce')}:mailto:{organiser_email}"
        )
    if attendee is not None:
        name, email = attendee
        lines.append(
            f"ATTENDEE;CN={_param(name or email)};ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;"
            f"RSVP=FALSE:mailto:{email}"
        )
    lines.append("TRANSP:OPAQUE")
    lines.append("END:VEVENT")
    return lines


def calendar_document(
    events: Iterable[list[str]], *, method: str | None = "REQUEST", name: str = ""
) -> str:
    """A whole VCALENDAR: folded lines, each ending in CRLF. `method` is REQUEST for an
    invitation sent by email (the notifications app attaches it as method=REQUEST) and None for
    a subscribed feed."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    if method:
        lines.append(f"METHOD:{method}")
    if name:
        lines.append(f"X-WR-CALNAME:{escape_text(name)}")
    for event in events:
        lines.extend(event)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)
