"""Registrations and the waitlist: registering through the public link or by a coordinator,
cancelling, promoting from the waitlist, the learners' emails and reminders, and telling the
learners when their session is cancelled, moved or given a new joining link."""

from datetime import datetime, time, timedelta
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.dates import LONDON, uk_day
from core.text import one_line
from core.textsafe import text_without_links
from core.tokens import new_token
from notifications.services import notification_cancel_for, notification_queue
from people.models import Participant, ParticipantType, Team, User
from people.services import participant_get_or_create
from sessions.display import session_when, session_where
from sessions.ics import calendar_document, session_event
from sessions.models import Registration, TrainingSession
from sessions.selectors import (
    PLACE_TAKING,
    registration_cancel_refused_reason,
    registration_closed_reason,
    waitlist_positions,
)
from sessions.services._common import _session_locked

# Learners are reminded two days before their session, at 09:00 UK time (LONDON).
LEARNER_REMINDER_DAYS_BEFORE = 2
LEARNER_REMINDER_AT = time(9, 0)
LEARNER_REMINDER_KIND = "session_reminder_learner"


class RegistrationResult(NamedTuple):
    """A registration, and whether the person was already registered (nothing new was made)."""

    registration: Registration
    already_registered: bool = False


def _session_day(session: TrainingSession) -> str:
    return uk_day(session.starts_at)


def _learner_context(registration: Registration) -> dict:
    # Plain words only: the cancel link and an online session's joining link are made when the
    # email is sent, from the registration, so neither is stored in the notification log.
    session = registration.session
    room = None if session.is_online else session.room
    return {
        # Typed by a visitor on the public form: printed with no link a mail client could make.
        "learner_name": text_without_links(registration.participant.full_name, default="there"),
        "course": str(session.course_version.course),
        "when": session_when(session),
        "place": session_where(session),
        "is_online": room is None,
        "accessibility": room.venue.accessibility if room is not None else "",
    }


def _learner_ics(registration: Registration, *, cancelled: bool = False) -> str:
    session = registration.session
    participant = registration.participant
    description = f"{session.course_version.course}: a Coproduce training session."
    if cancelled:
        description += " Cancelled."
    else:
        # The joining link is in the email itself, read when it is sent: a link with a passcode
        # is never kept in the notification log, where this file is stored.
        if session.is_online:
            description += " The joining link is in your email."
        description += " To cancel your place, use the link in your email."
    event = session_event(
        session,
        uid_suffix=f"registration-{registration.pk}",
        description=description,
        cancelled=cancelled,
        attendee=(text_without_links(participant.full_name), participant.email),
    )
    return calendar_document([event])


def _learner_email_queue(
    registration: Registration,
    *,
    kind: str,
    subject: str,
    template: str,
    context: dict | None = None,
    ics: str = "",
    due_at: datetime | None = None,
):
    return notification_queue(
        kind=kind,
        recipient_email=registration.participant.email,
        related=registration,
        subject=subject,
        template=template,
        context=_learner_context(registration) | (context or {}),
        ics=ics,
        due_at=due_at,
    )


def learner_reminder_due_at(session: TrainingSession) -> datetime:
    """When learners are reminded: two days before the session's day, at 09:00 UK time."""
    day = timezone.localtime(session.starts_at, LONDON).date()
    return datetime.combine(
        day - timedelta(days=LEARNER_REMINDER_DAYS_BEFORE),
        LEARNER_REMINDER_AT,
        tzinfo=LONDON,
    )


def _learner_reminder_queue(registration: Registration):
    due_at = learner_reminder_due_at(registration.session)
    # Registered after the reminder's time: the confirmation has just told them everything.
    if due_at <= timezone.now():
        return None
    course = registration.session.course_version.course
    return _learner_email_queue(
        registration,
        kind=LEARNER_REMINDER_KIND,
        subject=f"Reminder: {course} on {_session_day(registration.session)}",
        template="sessions/email/registration_reminder",
        ics=_learner_ics(registration),
        due_at=due_at,
    )


def _booking_confirmation_queue(registration: Registration) -> None:
    session = registration.session
    course = session.course_version.course
    if registration.status == Registration.Status.BOOKED:
        _learner_email_queue(
            registration,
            kind="registration_confirmed",
            subject=f"Your place on {course}, {_session_day(session)}",
            template="sessions/email/registration_confirmed",
            ics=_learner_ics(registration),
        )
        _learner_reminder_queue(registration)
    else:
        _learner_email_queue(
            registration,
            kind="registration_waitlisted",
            subject=f"You are on the waitlist for {course}, {_session_day(session)}",
            template="sessions/email/registration_waitlisted",
            context={"position": waitlist_positions(session=session).get(registration.pk)},
        )


def _places_taken(session: TrainingSession) -> int:
    return Registration.objects.filter(session=session, status__in=PLACE_TAKING).count()


def _waitlist_fill(session: TrainingSession) -> list[Registration]:
    """Give free places to the waitlist, oldest first, and tell them. `session` must be locked."""
    if registration_closed_reason(session):
        return []
    free = session.capacity - _places_taken(session)
    if free <= 0:
        return []
    promoted = list(
        Registration.objects.filter(session=session, status=Registration.Status.WAITLISTED)
        .select_related("participant")
        .order_by("created_at", "pk")[:free]
    )
    now = timezone.now()
    for registration in promoted:
        registration.session = session
        registration.status = Registration.Status.BOOKED
        registration.status_changed_at = now
    Registration.objects.bulk_update(promoted, ["status", "status_changed_at"])
    for registration in promoted:
        _learner_email_queue(
            registration,
            kind="waitlist_promoted",
            subject=f"A place is yours: {session.course_version.course}, {_session_day(session)}",
            template="sessions/email/registration_promoted",
            ics=_learner_ics(registration),
        )
        _learner_reminder_queue(registration)
    return promoted


@transaction.atomic
def waitlist_promote(*, session: TrainingSession) -> list[Registration]:
    """Give any free places to people on the waitlist, oldest first, and email them (for
    instance after the session's capacity went up)."""
    return _waitlist_fill(_session_locked(session))


def _registration_make(
    *, session: TrainingSession, participant: Participant, source: str
) -> RegistrationResult:
    # Held until commit: the count of places below cannot change under us.
    session = _session_locked(session)
    reason = registration_closed_reason(session)
    if reason:
        raise ValidationError(reason)
    existing = Registration.objects.filter(session=session, participant=participant).first()
    if existing is not None and existing.status != Registration.Status.CANCELLED:
        existing.session, existing.participant = session, participant
        return RegistrationResult(existing, already_registered=True)
    # Anyone already waiting gets a free place before a newcomer does.
    _waitlist_fill(session)
    status = (
        Registration.Status.BOOKED
        if _places_taken(session) < session.capacity
        else Registration.Status.WAITLISTED
    )
    now = timezone.now()
    if existing is not None:
        # Registering again after cancelling: back of the queue, with a new personal link.
        registration = existing
        registration.status, registration.source = status, source
        registration.created_at = registration.status_changed_at = now
        registration.token = new_token()
        registration.save(
            update_fields=["status", "source", "created_at", "status_changed_at", "token"]
        )
    else:
        registration = Registration.objects.create(
            session=session,
            participant=participant,
            status=status,
            source=source,
            created_at=now,
            status_changed_at=now,
        )
    registration.session, registration.participant = session, participant
    _booking_confirmation_queue(registration)
    return RegistrationResult(registration)


def _participant_for(
    *, full_name: str, email: str, participant_type: str, team: Team | None
) -> Participant:
    full_name, email = one_line(full_name), email.strip()
    errors = {}
    if not full_name:
        errors["full_name"] = "Enter a name."
    elif len(full_name) > 200:
        errors["full_name"] = "Keep the name to 200 characters."
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = "Enter an email address like name@example.org."
    if participant_type not in ParticipantType.values:
        errors["participant_type"] = "Choose staff, service user or other."
    if errors:
        raise ValidationError(errors)
    try:
        participant, _ = participant_get_or_create(
            email=email, full_name=full_name, participant_type=participant_type, team=team
        )
    except IntegrityError:
        # The same person registered at the same moment elsewhere: theirs is the one record.
        participant = Participant.objects.get(email__iexact=email)
    return participant


@transaction.atomic
def registration_public_submit(
    *,
    session: TrainingSession,
    full_name: str,
    email: str,
    participant_type: str,
    team: Team | None = None,
) -> RegistrationResult:
    """Register someone through the session's public link: a place if there is one, else the
    waitlist, with an email either way. Someone already registered is emailed to say so, and
    nothing changes. People are one participant per email, whatever its case."""
    reason = registration_closed_reason(session)
    if reason:
        raise ValidationError(reason)
    participant = _participant_for(
        full_name=full_name, email=email, participant_type=participant_type, team=team
    )
    result = _registration_make(
        session=session, participant=participant, source=Registration.Source.PUBLIC
    )
    if result.already_registered:
        # The page answers the same whatever the address's state; only its owner learns it.
        _already_registered_queue(result.registration)
    return result


def _already_registered_queue(registration: Registration) -> None:
    session = registration.session
    waiting = registration.status == Registration.Status.WAITLISTED
    _learner_email_queue(
        registration,
        kind="registration_already",
        subject=f"You are already registered: {session.course_version.course}, "
        f"{_session_day(session)}",
        template="sessions/email/registration_already",
        context={
            "waiting": waiting,
            "position": waitlist_positions(session=session).get(registration.pk)
            if waiting
            else None,
        },
    )


@transaction.atomic
def registration_add_existing(
    *, session: TrainingSession, participant: Participant, by: User
) -> RegistrationResult:
    """A coordinator books someone already known onto a session (or the waitlist if full)."""
    return _registration_make(
        session=session, participant=participant, source=Registration.Source.COORDINATOR
    )


@transaction.atomic
def registration_add_new(
    *,
    session: TrainingSession,
    full_name: str,
    email: str,
    participant_type: str,
    team: Team | None = None,
    by: User,
) -> RegistrationResult:
    """A coordinator books someone by name and email; someone already known by that email is
    booked as they are recorded."""
    reason = registration_closed_reason(session)
    if reason:
        raise ValidationError(reason)
    participant = _participant_for(
        full_name=full_name, email=email, participant_type=participant_type, team=team
    )
    return _registration_make(
        session=session, participant=participant, source=Registration.Source.COORDINATOR
    )


@transaction.atomic
def registration_cancel(
    *, registration: Registration, by: User | None = None
) -> Registration | None:
    """Cancel a booking (or leave the waitlist) and promote the first person on the waitlist, if
    a place freed. `by` is the coordinator, or None when the learner cancels from their link.
    Returns the person promoted, if any."""
    # Registrations, cancellations and promotions on one session queue behind its row lock, so
    # two people can never both take the last place.
    session = _session_locked(registration.session)
    registration = Registration.objects.select_related("participant").get(pk=registration.pk)
    registration.session = session
    reason = registration_cancel_refused_reason(registration)
    if reason:
        raise ValidationError(reason)
    was_booked = registration.status == Registration.Status.BOOKED
    registration.status = Registration.Status.CANCELLED
    registration.status_changed_at = timezone.now()
    registration.save(update_fields=["status", "status_changed_at"])
    notification_cancel_for(related=registration, kind=LEARNER_REMINDER_KIND)
    _learner_email_queue(
        registration,
        kind="registration_cancelled",
        subject=f"Cancelled: {session.course_version.course}, {_session_day(session)}",
        template="sessions/email/registration_cancelled",
        context={"by_coordinator": by is not None, "was_booked": was_booked},
        ics=_learner_ics(registration, cancelled=True) if was_booked else "",
    )
    promoted = _waitlist_fill(session) if was_booked else []
    return promoted[0] if promoted else None


def _session_for_learner_emails(session: TrainingSession) -> tuple[TrainingSession, list]:
    session = TrainingSession.objects.select_related("course_version__course", "room__venue").get(
        pk=session.pk
    )
    registrations = list(
        Registration.objects.filter(
            session=session,
            status__in=[Registration.Status.BOOKED, Registration.Status.WAITLISTED],
        )
        .select_related("participant")
        .order_by("created_at", "pk")
    )
    for registration in registrations:
        registration.session = session
    return session, registrations


def registrations_on_session_cancelled(session: TrainingSession) -> int:
    """Stop the learners' pending reminders and tell everyone booked or waiting that the session
    is cancelled (their calendar event is cancelled too). For session_cancel to call inside its
    transaction; the emails go after commit. Returns how many people are told."""
    session, registrations = _session_for_learner_emails(session)
    for registration in registrations:
        booked = registration.status == Registration.Status.BOOKED
        notification_cancel_for(related=registration, kind=LEARNER_REMINDER_KIND)
        _learner_email_queue(
            registration,
            kind="session_cancelled_learner",
            subject=f"Session cancelled: {session.course_version.course}, {_session_day(session)}",
            template="sessions/email/registration_session_cancelled",
            context={"was_booked": booked},
            ics=_learner_ics(registration, cancelled=True) if booked else "",
        )
    return len(registrations)


JOINING_LINK_LEARNER_KIND = "joining_link_changed_learner"


def registrations_on_joining_link_changed(session: TrainingSession) -> int:
    """Email the learners booked on an online session its new joining link (read when the email
    is sent). For session_update to call inside its transaction. Returns how many are told."""
    session, registrations = _session_for_learner_emails(session)
    booked = [r for r in registrations if r.status == Registration.Status.BOOKED]
    for registration in booked:
        notification_cancel_for(related=registration, kind=JOINING_LINK_LEARNER_KIND)
        _learner_email_queue(
            registration,
            kind=JOINING_LINK_LEARNER_KIND,
            subject=f"New joining link: {session.course_version.course}, {_session_day(session)}",
            template="sessions/email/registration_joining_link_changed",
        )
    return len(booked)


def registrations_on_session_changed(session: TrainingSession) -> int:
    """After a session moved or changed place: move the learners' pending reminders and tell
    everyone booked or waiting (booked people get the updated calendar event). For the
    scheduling services to call inside their transaction. Returns how many people are told."""
    session, registrations = _session_for_learner_emails(session)
    for registration in registrations:
        booked = registration.status == Registration.Status.BOOKED
        if booked:
            notification_cancel_for(related=registration, kind=LEARNER_REMINDER_KIND)
            _learner_reminder_queue(registration)
        _learner_email_queue(
            registration,
            kind="session_changed_learner",
            subject=f"Change to {session.course_version.course}: now {_session_day(session)}",
            template="sessions/email/registration_session_changed",
            context={"was_booked": booked},
            ics=_learner_ics(registration) if booked else "",
        )
    return len(registrations)
