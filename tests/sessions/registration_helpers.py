"""Small helpers shared by the registrations, waitlist, attendance, delivery report, costs and
session pack tests."""

from django.core import mail

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


def ics_unfolded(ics: str) -> list[str]:
    """The content lines of a calendar file, with folded lines joined again."""
    return ics.replace("\r\n ", "").split("\r\n")


def ics_value(ics: str, name: str) -> str:
    """The value of the first line called `name` (a line without parameters)."""
    for line in ics_unfolded(ics):
        if line.startswith(f"{name}:"):
            return line.split(":", 1)[1]
    raise AssertionError(f"{name} not in the calendar file")


def body_and_html(message) -> str:
    html = "".join(content for content, _ in getattr(message, "alternatives", []))
    return message.body + html
