"""Scheduling sessions: creating one, changing or moving it (and telling the people on it),
cancelling it with a reason, confirming it when it is service-user-led, and putting a confirmed
session back to planned when a lead's certification is corrected."""

from collections import defaultdict
from datetime import datetime
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Length
from django.utils import timezone

from audit.services import audit_record
from core.dates import uk_local, uk_weekday
from notifications.services import notification_cancel_for, notification_queue
from people.models import Region, User
from sessions.audit_actions import SessionAction
from sessions.display import session_label, session_when, session_where
from sessions.models import CourseVersion, Room, TrainerAssignment, TrainingSession
from sessions.selectors import (
    BOOKED_STATUSES,
    HOLDING_STATUSES,
    LEADING_ROLES,
    assignment_clashes,
    session_is_service_user_led,
    session_room_clash,
)
from sessions.services._common import _people_locked, _session_context, _session_locked, _subject
from sessions.services.assignments import (
    INVITED_KIND,
    JOINING_LINK_KIND,
    TRAINER_REMINDER_KIND,
    _trainer_reminders_queue,
)
from sessions.services.registrations import (
    _places_taken,
    _waitlist_fill,
    registrations_on_joining_link_changed,
    registrations_on_session_cancelled,
    registrations_on_session_changed,
)
from trainers.models import Certification

# A room and a person are never booked twice at overlapping times (docs/domain.md, Sessions and
# scheduling, "Never double-booked"). Each check is made while holding row locks (the room, the
# people), so two coordinators saving at the same moment cannot both pass it. Locks are always
# taken in one order: the session's row, its room, the people's rows (by id), then assignments;
# never a session after a person.

SESSION_MOVED_KIND = "session_moved_trainer"
SESSION_CANCELLED_KIND = "session_cancelled_trainer"


def _session_code_new(starts_at: datetime) -> str:
    """The year's next code: S-2026-0001, S-2026-0002…"""
    prefix = f"S-{uk_local(starts_at).year}-"
    last = (
        TrainingSession.objects.filter(code__regex=rf"^{prefix}[0-9]+$")
        .annotate(length=Length("code"))
        .order_by("-length", "-code")
        .values_list("code", flat=True)
        .first()
    )
    number = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{number:04d}"


def _session_check(session: TrainingSession, *, timing_changed: bool, place_changed: bool) -> None:
    """Refuse what cannot be scheduled, naming the clash; checks the room and the people on the
    session only when the time or place changes."""
    errors = _session_detail_errors(session, timing_changed=timing_changed)
    if errors:
        raise ValidationError(dict(errors))
    if place_changed and session.room is not None and not session.is_online:
        errors["room"] += _session_room_clashes(session, session.room)
    if timing_changed and session.pk is not None:
        errors[NON_FIELD_ERRORS] += _session_people_clashes(session)
    clashes = {field: messages for field, messages in errors.items() if messages}
    if clashes:
        raise ValidationError(clashes)


def _session_detail_errors(
    session: TrainingSession, *, timing_changed: bool
) -> defaultdict[str, list[str]]:
    """What is wrong with the session's own details: version, times, places, region, room."""
    errors: defaultdict[str, list[str]] = defaultdict(list)
    version = session.course_version
    if version.status not in (CourseVersion.Status.PILOT, CourseVersion.Status.PUBLISHED):
        errors["course_version"].append(
            f"Version {version.number} of “{version.course}” is a "
            f"{version.get_status_display().lower()}: choose a pilot or published version."
        )
    if session.ends_at <= session.starts_at:
        errors["ends_at"].append(
            f"The session must end after it starts ({uk_local(session.starts_at):%H:%M})."
        )
    elif timing_changed and session.starts_at <= timezone.now():
        errors["starts_at"].append(
            f"{uk_weekday(session.starts_at)} at {uk_local(session.starts_at):%H:%M} has already "
            "passed: choose a date and time still to come."
        )
    if session.capacity < 1:
        errors["capacity"].append("A session needs at least 1 place.")
    if session.region_id is None and (session.is_online or session.room is not None):
        errors["region"].append("Choose the region the session is for.")
    if session.is_online:
        if not session.joining_link:
            errors["joining_link"].append("Enter the joining link for an online session.")
    elif session.room is None:
        errors["room"].append("Choose the room, or say that the session is online.")
    else:
        _session_room_fit(session, session.room, errors)
    return errors


def _session_room_fit(
    session: TrainingSession, room: Room, errors: defaultdict[str, list[str]]
) -> None:
    if session.capacity > room.capacity:
        errors["capacity"].append(
            f"{room.name} at {room.venue.name} holds {room.capacity}: choose "
            f"{room.capacity} places or fewer, or a bigger room."
        )
    if session.region_id is not None and session.region_id != room.venue.region_id:
        errors["region"].append(
            f"{room.venue.name} is in {room.venue.region}, not {session.region}: choose "
            f"{room.venue.region} or a room in {session.region}."
        )


def _session_room_clashes(session: TrainingSession, room: Room) -> list[str]:
    """The room's booking at an overlapping time, once the room's row is locked."""
    Room.objects.select_for_update().filter(pk=room.pk).first()
    clash = session_room_clash(
        room=room,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        exclude_pk=session.pk,
    )
    if clash is None:
        return []
    return [f"{room.name} at {room.venue.name} is already booked for {session_label(clash)}."]


def _session_people_clashes(session: TrainingSession) -> list[str]:
    """The people on the session who are on another one at an overlapping time, once their
    rows are locked."""
    people = list(
        session.assignments.filter(status__in=HOLDING_STATUSES).values_list("user_id", flat=True)
    )
    _people_locked(people)
    return [
        f"{booked.user} is already on {session_label(booked.session)}."
        for booked in assignment_clashes(
            user_ids=people,
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            exclude_session_pk=session.pk,
        )
    ]


def _session_place(
    *, region: Region | None, room: Room | None, is_online: bool, joining_link: str
) -> dict:
    joining_link = joining_link.strip() if is_online else ""
    room = None if is_online else room
    if region is None and room is not None:
        region = room.venue.region
    return {"region": region, "room": room, "is_online": is_online, "joining_link": joining_link}


def _code_free(code: str, *, exclude_pk: int | None = None) -> None:
    sessions = TrainingSession.objects.filter(code__iexact=code)
    if exclude_pk is not None:
        sessions = sessions.exclude(pk=exclude_pk)
    if sessions.exists():
        raise ValidationError({"code": f"{code} is already the code of another session."})


@transaction.atomic
def session_create(
    *,
    course_version: CourseVersion,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    by: User,
    region: Region | None = None,
    room: Room | None = None,
    is_online: bool = False,
    joining_link: str = "",
    phase: str = TrainingSession.Phase.PILOT,
    coordinator: User | None = None,
    code: str = "",
) -> TrainingSession:
    """Schedule a session, refusing clashes; a code like S-2026-0001 is made when none is
    given, and the coordinator is the person scheduling unless someone else is named."""
    code = code.strip()
    place = _session_place(region=region, room=room, is_online=is_online, joining_link=joining_link)
    session = TrainingSession(
        course_version=course_version,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        phase=phase,
        coordinator=coordinator or by,
        **place,
    )
    _session_check(session, timing_changed=True, place_changed=True)
    if code:
        _code_free(code)
    for _attempt in range(5):
        session.code = code or _session_code_new(starts_at)
        try:
            with transaction.atomic():
                session.save()
            break
        except IntegrityError:
            # Someone else took the same code a moment ago: a given code is refused, a made
            # one is made again.
            if code:
                raise ValidationError(
                    {"code": f"{code} is already the code of another session."}
                ) from None
    else:
        raise ValidationError("The session could not be given a code. Try again.")
    audit_record(
        action=SessionAction.SESSION_SCHEDULED,
        actor=by,
        obj=session,
        changes={"session": session.code, "when": session_when(session)},
    )
    return session


@transaction.atomic
def session_update(
    *,
    session: TrainingSession,
    course_version: CourseVersion,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    by: User,
    region: Region | None = None,
    room: Room | None = None,
    is_online: bool = False,
    joining_link: str = "",
    phase: str = TrainingSession.Phase.PILOT,
    coordinator: User | None = None,
    code: str = "",
) -> TrainingSession:
    """Change a session or move it (new times or room). A move is checked for clashes again,
    re-times the trainers' reminders and tells the people on it; a confirmed session that is no
    longer service-user-led on its new date goes back to planned."""
    session = _session_locked(session)
    if session.status not in BOOKED_STATUSES:
        raise ValidationError(
            f"This session is {session.get_status_display().lower()}, so it cannot be changed."
        )
    before = _session_summary(session)
    old = (session.starts_at, session.ends_at, session.room_id, session.is_online)
    place = _session_place(region=region, room=room, is_online=is_online, joining_link=joining_link)
    code = code.strip() or session.code
    session.course_version = course_version
    session.starts_at, session.ends_at = starts_at, ends_at
    session.capacity, session.phase = capacity, phase
    session.coordinator = coordinator or session.coordinator or by
    for name, value in place.items():
        setattr(session, name, value)
    timing_changed = (starts_at, ends_at) != old[:2]
    place_changed = timing_changed or (session.room_id, session.is_online) != old[2:]
    _session_check(session, timing_changed=timing_changed, place_changed=place_changed)
    _session_capacity_fits_places_taken(session)
    if code != before["session"]:
        _code_free(code, exclude_pk=session.pk)
    session.code = code
    after = _session_summary(session)
    changes: dict[str, object] = {
        key: (before[key], after[key]) for key in before if before[key] != after[key]
    }
    if "joining_link" in changes:
        # A joining link can carry a meeting's passcode: only the fact of the change is kept.
        changes["joining_link"] = "changed"
    if not changes:
        return session
    if (
        timing_changed
        and session.status == TrainingSession.Status.CONFIRMED
        and not session_is_service_user_led(session=session)
    ):
        session.status = TrainingSession.Status.PLANNED
        changes["status"] = (TrainingSession.Status.CONFIRMED, TrainingSession.Status.PLANNED)
    session.save()
    if place_changed or before["where"] != after["where"]:
        # The messages about a move carry the joining link too.
        _session_moved(session, was=before["when"], was_where=before["where"])
    elif "joining_link" in changes and session.is_online and session.starts_at > timezone.now():
        _joining_link_changed(session)
    if session.capacity > before["capacity"]:
        # New places go to the people waiting, oldest first, as when someone cancels.
        _waitlist_fill(session)
    audit_record(action=SessionAction.SESSION_CHANGED, actor=by, obj=session, changes=changes)
    return session


def _session_summary(session: TrainingSession) -> dict[str, Any]:
    """What the audit trail records of a session before and after a change; the move's
    messages and new places read it too."""
    return {
        "when": session_when(session),
        "where": session_where(session),
        "course_version": str(session.course_version),
        "capacity": session.capacity,
        "region": str(session.region),
        "phase": session.get_phase_display(),
        "coordinator": str(session.coordinator or ""),
        "session": session.code,
        "joining_link": session.joining_link,
    }


def _session_capacity_fits_places_taken(session: TrainingSession) -> None:
    taken = _places_taken(session)
    if session.capacity < taken:
        raise ValidationError(
            {
                "capacity": f"{taken} {'person has' if taken == 1 else 'people have'} a place "
                f"already: choose {taken} places or more, or cancel registrations first."
            }
        )


def _session_moved(session: TrainingSession, *, was: str, was_where: str) -> None:
    assignments = session.assignments.filter(status__in=HOLDING_STATUSES).select_related(
        "user__trainer"
    )
    for assignment in assignments:
        assignment.session = session
        if assignment.status == TrainerAssignment.Status.ACCEPTED:
            notification_cancel_for(related=assignment, kind=TRAINER_REMINDER_KIND)
            _trainer_reminders_queue(assignment)
        notification_queue(
            kind=SESSION_MOVED_KIND,
            recipient_email=assignment.user.email,
            recipient_user=assignment.user,
            related=assignment,
            subject=_subject(
                f"Changed: {session.course_version.course} is now {session_when(session)}"
            ),
            template="sessions/email/session_moved_trainer",
            context=_session_context(session)
            | {"was": was, "was_where": was_where, "status": assignment.status},
        )
    registrations_on_session_changed(session)


def _joining_link_changed(session: TrainingSession) -> None:
    """Send the new joining link to the people on the session: its accepted trainers and
    co-facilitators here, its booked learners through the registration services. The link is read
    when each email is sent, never stored in the notification log."""
    assignments = session.assignments.filter(
        status=TrainerAssignment.Status.ACCEPTED
    ).select_related("user")
    for assignment in assignments:
        assignment.session = session
        # A link changed twice before the first email went: one email, with the newest link.
        notification_cancel_for(related=assignment, kind=JOINING_LINK_KIND)
        notification_queue(
            kind=JOINING_LINK_KIND,
            recipient_email=assignment.user.email,
            recipient_user=assignment.user,
            related=assignment,
            subject=_subject(
                f"New joining link: {session.course_version.course}, {session_when(session)}"
            ),
            template="sessions/email/joining_link_changed_trainer",
            context=_session_context(session),
        )
    registrations_on_joining_link_changed(session)


@transaction.atomic
def session_cancel(*, session: TrainingSession, reason: str, by: User) -> TrainingSession:
    """Cancel a planned or confirmed session: its pending reminders are cancelled and the people
    invited to or on it are told why, and its learners that it is cancelled."""
    session = _session_locked(session)
    if session.status not in BOOKED_STATUSES:
        raise ValidationError(
            f"This session is {session.get_status_display().lower()}, so it cannot be cancelled."
        )
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": "Say why the session is cancelled: the trainers on it are told."}
        )
    before = session.status
    session.status = TrainingSession.Status.CANCELLED
    session.save(update_fields=["status", "updated_at"])
    # Everything still queued about the session itself (reminders of any kind) is cancelled
    # first, so the messages about the cancellation queued below go out.
    notification_cancel_for(related=session, kind=None)
    assignments = session.assignments.filter(status__in=HOLDING_STATUSES).select_related("user")
    for assignment in assignments:
        notification_cancel_for(related=assignment, kind=TRAINER_REMINDER_KIND)
        notification_cancel_for(related=assignment, kind=INVITED_KIND)
        notification_queue(
            kind=SESSION_CANCELLED_KIND,
            recipient_email=assignment.user.email,
            recipient_user=assignment.user,
            related=assignment,
            subject=_subject(
                f"Cancelled: {session.course_version.course}, {session_when(session)}"
            ),
            template="sessions/email/session_cancelled_trainer",
            context=_session_context(session) | {"reason": reason},
        )
    registrations_on_session_cancelled(session)
    audit_record(
        action=SessionAction.SESSION_CANCELLED,
        actor=by,
        obj=session,
        changes={"status": (before, session.status), "reason": reason},
    )
    return session


@transaction.atomic
def session_confirm(*, session: TrainingSession, by: User) -> TrainingSession:
    """Confirm a planned session; only a service-user-led one can be (docs/domain.md,
    Sessions and scheduling)."""
    session = _session_locked(session)
    if session.status == TrainingSession.Status.CONFIRMED:
        return session
    if session.status != TrainingSession.Status.PLANNED:
        raise ValidationError(
            f"This session is {session.get_status_display().lower()}, so it cannot be confirmed."
        )
    if session.starts_at <= timezone.now():
        raise ValidationError("This session has already started, so it cannot be confirmed.")
    if not session_is_service_user_led(session=session):
        raise ValidationError(
            "Sessions are service-user-led: a session can be confirmed only when a service-user "
            "trainer whose Train the Trainer certification is valid on "
            f"{uk_weekday(session.starts_at)} has accepted as lead trainer or co-trainer. "
            "Nobody like that has accepted yet."
        )
    session.status = TrainingSession.Status.CONFIRMED
    session.save(update_fields=["status", "updated_at"])
    audit_record(
        action=SessionAction.SESSION_CONFIRMED,
        actor=by,
        obj=session,
        changes={"status": (TrainingSession.Status.PLANNED, TrainingSession.Status.CONFIRMED)},
    )
    return session


def sessions_on_certification_changed(certification: Certification, by: User) -> None:
    """A lead's certification was corrected: confirmed sessions still to come that are no longer
    service-user-led go back to planned (docs/domain.md, Sessions and scheduling). For
    certification_expiry_update to call inside its transaction."""
    leading = TrainerAssignment.objects.filter(
        user__trainer=certification.trainer_id,
        status=TrainerAssignment.Status.ACCEPTED,
        role__in=LEADING_ROLES,
    ).values("session_id")
    sessions = TrainingSession.objects.select_for_update(of=("self",)).filter(
        pk__in=leading, status=TrainingSession.Status.CONFIRMED, starts_at__gt=timezone.now()
    )
    for session in sessions:
        if session_is_service_user_led(session=session):
            continue
        session.status = TrainingSession.Status.PLANNED
        session.save(update_fields=["status", "updated_at"])
        audit_record(
            action=SessionAction.SESSION_CHANGED,
            actor=by,
            obj=session,
            changes={"status": (TrainingSession.Status.CONFIRMED, TrainingSession.Status.PLANNED)},
        )
