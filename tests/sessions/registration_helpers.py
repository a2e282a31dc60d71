"""Small helpers shared by the registrations, waitlist, attendance, delivery report, costs and
session pack tests."""

from django.core import mail
from icalendar import Calendar, Event

from sessions.models import TrainerAssignment, TrainingSession
from tests.factories import TrainerAssignmentFactory


def text(response) -> str:
    return response.content.decode()


def on_team(session: TrainingSession, user, role: str = TrainerAssignment.Role.LEAD):
    """`user` accepted `role` on `session`."""
    return TrainerAssignmentFactory(
        session=session, user=user, role=role, status=TrainerAssignment.Status.ACCEPTED
    )


def emails_to(address: str) -> list:
    return [message for message in mail.outbox if message.to == [address]]


def ics_of(message) -> str:
    """The calendar file attached to an email ("" if none)."""
    for name, content, mimetype in message.attachments:
        if name.endswith(".ics"):
            assert mimetype.startswith("text/calendar")
            return content
    return ""


def ics_event(ics: str) -> Event:
    """The one event of a calendar file, parsed (its TEXT values unescaped)."""
    (event,) = Calendar.from_ical(ics).events
    return event


def ics_value(ics: str, name: str) -> str:
    """The value of property `name` as the file writes it (20251202T100000Z, text escaped):
    the calendar's own, else its event's."""
    calendar = Calendar.from_ical(ics)
    for component in (calendar, *calendar.events):
        if name in component:
            value = component[name].to_ical()
            return value.decode() if isinstance(value, bytes) else value
    raise AssertionError(f"{name} not in the calendar file")


def body_and_html(message) -> str:
    html = "".join(content for content, _ in getattr(message, "alternatives", []))
    return message.body + html
