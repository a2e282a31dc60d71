from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator

from audit.models import Action
from audit.services import audit_record
from core.textsafe import text_without_links
from notifications.models import Notification
from notifications.services import notification_cancel_for, notification_queue
from people.models import Participant, ParticipantType, Region, Team, User
from people.services import participant_get_or_create
from sessions.ics import calendar_document, session_event
from sessions.imports import KINDS as IMPORT_KINDS
from sessions.imports import ImportResult, RowError, import_check
from sessions.models import (
    Activity,
    CalendarFeed,
    Course,
    CourseVersion,
    DeliveryReport,
    LearningOutcome,
    Registration,
    Room,
    SessionCost,
    TrainerAssignment,
    TrainingSession,
    Venue,
    new_token,
)
from sessions.selectors import (
    ATTENDANCE_MARKS,
    BOOKED_STATUSES,
    HOLDING_STATUSES,
    LEADING_ROLES,
    LONDON,
    PLACE_TAKING,
    ROLE_INVOLVEMENT,
    RegistrationCounts,
    assignment_clashes,
    attendance_closed_reason,
    check_in_closed_reason,
    course_version_problems,
    course_version_with_handbook,
    delivery_report_refused_reason,
    registration_cancel_refused_reason,
    registration_closed_reason,
    registration_counts,
    session_bookings,
    session_is_service_user_led,
    session_room_clash,
    waitlist_positions,
)
from trainers.models import Certification, RoleDescription, Trainer, WellbeingCheckIn
from trainers.services import checkin_record

# --- Courses and venues ---

# A single activity longer than a training day is a typing mistake, not a plan.
ACTIVITY_LONGEST_MINUTES = 480


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _course_title_free(title: str, *, exclude_pk: int | None = None) -> None:
    # Titles are unique whatever their case: "Hearing voices" and "Hearing Voices" are one course.
    clash = Course.objects.filter(title__iexact=title).exclude(pk=exclude_pk).first()
    if clash is not None:
        raise ValidationError({"title": f"There is already a course called “{clash.title}”."})


@transaction.atomic
def course_create(*, title: str, aims: str = "") -> CourseVersion:
    """Create a course with its first version, a draft to fill in."""
    title = _one_line(title)
    if not title:
        raise ValidationError({"title": "Give the course a title."})
    _course_title_free(title)
    try:
        with transaction.atomic():
            course = Course.objects.create(title=title)
    except IntegrityError as error:  # the same title saved by someone else a moment ago
        raise ValidationError({"title": f"There is already a course called “{title}”."}) from error
    return CourseVersion.objects.create(course=course, number=1, aims=aims.strip())


def _course_version_locked(version: CourseVersion) -> CourseVersion:
    return (
        CourseVersion.objects.select_for_update(of=("self",))
        .select_related("course")
        .get(pk=version.pk)
    )


def _course_version_draft(version: CourseVersion) -> CourseVersion:
    """The version, locked, if it may still be changed; a refusal saying why if not."""
    version = _course_version_locked(version)
    if version.status != CourseVersion.Status.DRAFT:
        raise ValidationError(
            f"Version {version.number} of “{version.course}” is "
            f"{version.get_status_display().lower()}, so it cannot be changed. "
            "Start a new version from it instead."
        )
    return version


@transaction.atomic
def course_version_update(
    *,
    version: CourseVersion,
    aims: str,
    support_guidance: str = "",
    role_description: RoleDescription | None = None,
    co_designers: Iterable[Trainer] = (),
) -> CourseVersion:
    """Change a draft's aims, support guidance, role description and co-designers."""
    version = _course_version_draft(version)
    if role_description is not None and role_description.status not in (
        RoleDescription.Status.PUBLISHED,
        RoleDescription.Status.RETIRED,
    ):
        raise ValidationError(
            {"role_description": "Choose a role description that has been published."}
        )
    version.aims = aims.strip()
    version.support_guidance = support_guidance.strip()
    version.role_description = role_description
    version.save(update_fields=["aims", "support_guidance", "role_description"])
    version.co_designers.set(co_designers)
    return version


def _outcome_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Say what learners will be able to do."})
    return text


@transaction.atomic
def outcome_add(*, version: CourseVersion, text: str) -> LearningOutcome:
    """Add a learning outcome at the end of a draft version."""
    version = _course_version_draft(version)
    text = _outcome_text(text)
    last = version.outcomes.aggregate(last=Max("order"))["last"] or 0
    return LearningOutcome.objects.create(version=version, text=text, order=last + 1)


@transaction.atomic
def outcome_update(*, outcome: LearningOutcome, text: str) -> LearningOutcome:
    """Change the wording of a draft version's learning outcome."""
    _course_version_draft(outcome.version)
    outcome.text = _outcome_text(text)
    outcome.save(update_fields=["text"])
    return outcome


@transaction.atomic
def outcome_remove(*, outcome: LearningOutcome) -> None:
    """Remove a learning outcome, and its activities, from a draft version."""
    _course_version_draft(outcome.version)
    outcome.delete()


def _renumber(items: list, moved_pk: int, up: bool) -> None:
    """Swap an item with its neighbour and number the list afresh from 1, so earlier gaps or
    ties cannot make the order ambiguous."""
    index = next(i for i, item in enumerate(items) if item.pk == moved_pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
    for number, item in enumerate(items, start=1):
        item.order = number


@transaction.atomic
def outcome_move(*, outcome: LearningOutcome, up: bool) -> None:
    """Move a learning outcome one place earlier (up) or later in its draft version."""
    version = _course_version_draft(outcome.version)
    outcomes = list(version.outcomes.order_by("order", "pk"))
    _renumber(outcomes, outcome.pk, up)
    LearningOutcome.objects.bulk_update(outcomes, ["order"])


def _activity_fields(
    *, title: str, duration_minutes: int, materials: str, instructions: str, trainer_notes: str
) -> dict:
    title = _one_line(title)
    errors = {}
    if not title:
        errors["title"] = "Give the activity a title."
    if not 1 <= duration_minutes <= ACTIVITY_LONGEST_MINUTES:
        errors["duration_minutes"] = (
            f"Enter a duration from 1 to {ACTIVITY_LONGEST_MINUTES} minutes."
        )
    if errors:
        raise ValidationError(errors)
    return {
        "title": title,
        "duration_minutes": duration_minutes,
        "materials": materials.strip(),
        "instructions": instructions.strip(),
        "trainer_notes": trainer_notes.strip(),
    }


@transaction.atomic
def activity_add(
    *,
    outcome: LearningOutcome,
    title: str,
    duration_minutes: int,
    materials: str = "",
    instructions: str = "",
    trainer_notes: str = "",
) -> Activity:
    """Add an activity at the end of a learning outcome's choices, in a draft version."""
    _course_version_draft(outcome.version)
    fields = _activity_fields(
        title=title,
        duration_minutes=duration_minutes,
        materials=materials,
        instructions=instructions,
        trainer_notes=trainer_notes,
    )
    last = outcome.activities.aggregate(last=Max("order"))["last"] or 0
    return Activity.objects.create(outcome=outcome, order=last + 1, **fields)


@transaction.atomic
def activity_update(
    *,
    activity: Activity,
    title: str,
    duration_minutes: int,
    materials: str = "",
    instructions: str = "",
    trainer_notes: str = "",
) -> Activity:
    """Change an activity of a draft version."""
    _course_version_draft(activity.outcome.version)
    fields = _activity_fields(
        title=title,
        duration_minutes=duration_minutes,
        materials=materials,
        instructions=instructions,
        trainer_notes=trainer_notes,
    )
    for name, value in fields.items():
        setattr(activity, name, value)
    activity.save(update_fields=list(fields))
    return activity


@transaction.atomic
def activity_remove(*, activity: Activity) -> None:
    """Remove an activity from a draft version."""
    _course_version_draft(activity.outcome.version)
    activity.delete()


@transaction.atomic
def activity_move(*, activity: Activity, up: bool) -> None:
    """Move an activity one place earlier (up) or later among its outcome's choices."""
    _course_version_draft(activity.outcome.version)
    activities = list(
        Activity.objects.filter(outcome_id=activity.outcome_id).order_by("order", "pk")
    )
    _renumber(activities, activity.pk, up)
    Activity.objects.bulk_update(activities, ["order"])


def _course_version_ready(version: CourseVersion, *, to: str) -> None:
    loaded = course_version_with_handbook().get(pk=version.pk)
    problems = course_version_problems(loaded)
    if problems:
        raise ValidationError(
            [f"Version {version.number} of “{version.course}” cannot {to} yet."] + problems
        )


@transaction.atomic
def course_version_pilot(*, version: CourseVersion, by: User) -> CourseVersion:
    """Move a draft to pilot, so it can be delivered to try it out; it is never changed again."""
    version = _course_version_locked(version)
    if version.status != CourseVersion.Status.DRAFT:
        raise ValidationError(
            f"Version {version.number} of “{version.course}” is already "
            f"{version.get_status_display().lower()}. Only a draft can go to pilot."
        )
    _course_version_ready(version, to="go to pilot")
    version.status = CourseVersion.Status.PILOT
    version.save(update_fields=["status"])
    audit_record(
        action=Action.COURSE_VERSION_PILOTED,
        actor=by,
        obj=version,
        changes={"status": (CourseVersion.Status.DRAFT, CourseVersion.Status.PILOT)},
    )
    return version


@transaction.atomic
def course_version_publish(*, version: CourseVersion, by: User) -> CourseVersion:
    """Publish a draft or pilot version. Sessions already scheduled keep their own version."""
    version = _course_version_locked(version)
    if version.status == CourseVersion.Status.PUBLISHED:
        raise ValidationError(
            f"Version {version.number} of “{version.course}” is already published."
        )
    _course_version_ready(version, to="be published")
    before = version.status
    version.status = CourseVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.save(update_fields=["status", "published_at"])
    audit_record(
        action=Action.COURSE_VERSION_PUBLISHED,
        actor=by,
        obj=version,
        changes={"status": (before, CourseVersion.Status.PUBLISHED)},
    )
    return version


@transaction.atomic
def course_version_copy(*, version: CourseVersion) -> CourseVersion:
    """Start the course's next version as a draft copied from a pilot or published version:
    aims, guidance, role description, co-designers, outcomes and activities. The source stays
    as it is."""
    # The course is locked so two people starting a new version at once cannot both get one.
    course = Course.objects.select_for_update().get(pk=version.course_id)
    source = course_version_with_handbook().get(pk=version.pk)
    if source.status == CourseVersion.Status.DRAFT:
        raise ValidationError(
            f"Version {source.number} of “{course}” is a draft: change it instead of copying it."
        )
    draft = course.versions.filter(status=CourseVersion.Status.DRAFT).first()
    if draft is not None:
        raise ValidationError(
            f"“{course}” already has a draft, version {draft.number}. Change that one, or "
            "publish it before starting another."
        )
    last = course.versions.aggregate(last=Max("number"))["last"] or 0
    copy = CourseVersion.objects.create(
        course=course,
        number=last + 1,
        aims=source.aims,
        support_guidance=source.support_guidance,
        role_description=source.role_description,
    )
    copy.co_designers.set(source.co_designers.all())
    activities = []
    for outcome in source.outcomes.all():
        new_outcome = LearningOutcome.objects.create(
            version=copy, text=outcome.text, order=outcome.order
        )
        activities += [
            Activity(
                outcome=new_outcome,
                title=activity.title,
                duration_minutes=activity.duration_minutes,
                materials=activity.materials,
                instructions=activity.instructions,
                trainer_notes=activity.trainer_notes,
                order=activity.order,
            )
            for activity in outcome.activities.all()
        ]
    Activity.objects.bulk_create(activities)
    return copy


def _venue_fields(*, name: str, address: str, region: Region, accessibility: str) -> dict:
    name = _one_line(name)
    address = address.strip()
    errors = {}
    if not name:
        errors["name"] = "Give the venue a name."
    if not address:
        errors["address"] = "Enter the venue's address."
    if errors:
        raise ValidationError(errors)
    return {
        "name": name,
        "address": address,
        "region": region,
        "accessibility": accessibility.strip(),
    }


def _venue_name_free(name: str, region: Region, *, exclude_pk: int | None = None) -> None:
    clash = Venue.objects.filter(region=region, name__iexact=name).exclude(pk=exclude_pk).first()
    if clash is not None:
        raise ValidationError(
            {"name": f"There is already a venue called “{clash.name}” in {region}."}
        )


@transaction.atomic
def venue_create(*, name: str, address: str, region: Region, accessibility: str = "") -> Venue:
    """Add a venue; its rooms are added next."""
    fields = _venue_fields(name=name, address=address, region=region, accessibility=accessibility)
    _venue_name_free(fields["name"], region)
    return Venue.objects.create(**fields)


@transaction.atomic
def venue_update(
    *, venue: Venue, name: str, address: str, region: Region, accessibility: str = ""
) -> Venue:
    """Change a venue's name, address, region or accessibility information."""
    venue = Venue.objects.select_for_update().get(pk=venue.pk)
    fields = _venue_fields(name=name, address=address, region=region, accessibility=accessibility)
    _venue_name_free(fields["name"], region, exclude_pk=venue.pk)
    for field, value in fields.items():
        setattr(venue, field, value)
    venue.save(update_fields=list(fields))
    return venue


def _room_fields(*, name: str, capacity: int, hire_cost: Decimal) -> dict:
    name = _one_line(name)
    errors = {}
    if not name:
        errors["name"] = "Give the room a name."
    if capacity < 1:
        errors["capacity"] = "A room holds at least 1 person."
    if hire_cost < 0:
        errors["hire_cost"] = "The hire cost cannot be less than £0."
    if errors:
        raise ValidationError(errors)
    return {"name": name, "capacity": capacity, "hire_cost": hire_cost}


def _room_name_free(name: str, venue: Venue, *, exclude_pk: int | None = None) -> None:
    clash = Room.objects.filter(venue=venue, name__iexact=name).exclude(pk=exclude_pk).first()
    if clash is not None:
        raise ValidationError({"name": f"{venue} already has a room called “{clash.name}”."})


@transaction.atomic
def room_add(*, venue: Venue, name: str, capacity: int, hire_cost: Decimal) -> Room:
    """Add a room to a venue."""
    venue = Venue.objects.select_for_update().get(pk=venue.pk)
    fields = _room_fields(name=name, capacity=capacity, hire_cost=hire_cost)
    _room_name_free(fields["name"], venue)
    return Room.objects.create(venue=venue, **fields)


@transaction.atomic
def room_update(*, room: Room, name: str, capacity: int, hire_cost: Decimal) -> Room:
    """Change a room. It cannot shrink below a session still to come that is booked in it."""
    room = Room.objects.select_for_update().select_related("venue").get(pk=room.pk)
    fields = _room_fields(name=name, capacity=capacity, hire_cost=hire_cost)
    _room_name_free(fields["name"], room.venue, exclude_pk=room.pk)
    too_big = (
        room.sessions.filter(
            starts_at__gte=timezone.now(),
            capacity__gt=fields["capacity"],
            status__in=[TrainingSession.Status.PLANNED, TrainingSession.Status.CONFIRMED],
        )
        .select_related("course_version__course")
        .order_by("starts_at")
        .first()
    )
    if too_big is not None:
        raise ValidationError(
            {
                "capacity": f"{too_big} is booked in this room for {too_big.capacity} people. "
                "Move that session or lower its capacity first."
            }
        )
    for field, value in fields.items():
        setattr(room, field, value)
    room.save(update_fields=list(fields))
    return room


@transaction.atomic
def room_remove(*, room: Room) -> None:
    """Remove a room that no session has ever been booked in."""
    room = Room.objects.select_for_update().select_related("venue").get(pk=room.pk)
    booked = room.sessions.count()
    if booked:
        raise ValidationError(
            f"{room.name} at {room.venue} has {booked} session{'s' if booked != 1 else ''} booked "
            "in it, past or to come, so it cannot be removed. Sessions keep the room they were "
            "held in."
        )
    room.delete()


# --- Scheduling and trainers ---
# A room and a person are never booked twice at overlapping times (DESIGN.md §4). Each check is
# made while holding row locks (the room, the people), so two coordinators saving at the same
# moment cannot both pass it. Locks are always taken in one order: the session's row, its room,
# the people's rows (by id), then assignments; never a session after a person.

INVITED_KIND = "assignment_invited"
# What the coordinator is told, one kind each, so one message never stands for another.
ACCEPTED_KIND = "assignment_accepted"
DECLINED_KIND = "assignment_declined"
STEPPED_OFF_KIND = "assignment_stepped_off"
WITHDRAWN_KIND = "assignment_withdrawn"
TRAINER_REMINDER_KIND = "session_reminder_trainer"
SESSION_MOVED_KIND = "session_moved_trainer"
SESSION_CANCELLED_KIND = "session_cancelled_trainer"
JOINING_LINK_KIND = "joining_link_changed_trainer"
TRAINER_LEFT_KIND = "assignment_trainer_left"
# Trainer reminders go at 09:00 UK time, the trainer's own lead time (7 days unless they chose
# otherwise) and 1 day before the session.
TRAINER_REMINDER_AT = time(9, 0)
TRAINER_REMINDER_DAYS = (7, 1)

# Other parts of the app register here what must also happen, inside the same transaction, when
# a session is cancelled (its learners told, their reminders cancelled) or moved (their
# reminders re-timed). During the call `session.cancellation_reason` holds the reason given.
SESSION_CANCELLED: list[Callable[[TrainingSession], None]] = []
SESSION_MOVED: list[Callable[[TrainingSession], None]] = []
# ... and when only an online session's joining link changed (its learners get the new link).
SESSION_LINK_CHANGED: list[Callable[[TrainingSession], None]] = []
# ... and when a session becomes delivered, or its attendance is corrected after that (so the
# hooks must be safe to run more than once).
SESSION_DELIVERED: list[Callable[[TrainingSession], None]] = []


def _subject(text: str) -> str:
    # Course titles run to 200 characters, and so may a subject.
    return Truncator(text).chars(200)


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
    address = ", ".join(line.strip() for line in venue.address.splitlines() if line.strip())
    return f"{session.room.name}, {venue.name}, {address}"


def session_label(session: TrainingSession) -> str:
    """How a clash names another session: “Hearing voices” 10:00–13:00 on Tuesday 8 December
    2026 (S-2026-0003)."""
    starts, ends = _local(session.starts_at), _local(session.ends_at)
    return (
        f"“{session.course_version.course}” {starts:%H:%M}–{ends:%H:%M} on "
        f"{_long_day(session.starts_at)} ({session.code})"
    )


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


def _session_code_new(starts_at: datetime) -> str:
    """The year's next code: S-2026-0001, S-2026-0002…"""
    prefix = f"S-{_local(starts_at).year}-"
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
    errors: dict[str, list[str]] = defaultdict(list)
    version = session.course_version
    if version.status not in (CourseVersion.Status.PILOT, CourseVersion.Status.PUBLISHED):
        errors["course_version"].append(
            f"Version {version.number} of “{version.course}” is a "
            f"{version.get_status_display().lower()}: choose a pilot or published version."
        )
    if session.ends_at <= session.starts_at:
        errors["ends_at"].append(
            f"The session must end after it starts ({_local(session.starts_at):%H:%M})."
        )
    elif timing_changed and session.starts_at <= timezone.now():
        errors["starts_at"].append(
            f"{_long_day(session.starts_at)} at {_local(session.starts_at):%H:%M} has already "
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
        room = session.room
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
    if errors:
        raise ValidationError(dict(errors))
    if place_changed and session.room is not None and not session.is_online:
        Room.objects.select_for_update().filter(pk=session.room_id).first()
        clash = session_room_clash(
            room=session.room,
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            exclude_pk=session.pk,
        )
        if clash is not None:
            errors["room"].append(
                f"{session.room.name} at {session.room.venue.name} is already booked for "
                f"{session_label(clash)}."
            )
    if timing_changed and session.pk is not None:
        people = list(
            session.assignments.filter(status__in=HOLDING_STATUSES).values_list(
                "user_id", flat=True
            )
        )
        _people_locked(people)
        for clash in assignment_clashes(
            user_ids=people,
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            exclude_session_pk=session.pk,
        ):
            errors[NON_FIELD_ERRORS].append(
                f"{clash.user} is already on {session_label(clash.session)}."
            )
    if errors:
        raise ValidationError(dict(errors))


def _session_place(
    *, region: Region | None, room: Room | None, is_online: bool, joining_link: str
) -> dict:
    joining_link = joining_link.strip() if is_online else ""
    room = None if is_online else room
    if region is None and room is not None:
        region = room.venue.region
    return {"region": region, "room": room, "is_online": is_online, "joining_link": joining_link}


def _code_free(code: str, *, exclude_pk: int | None = None) -> None:
    if TrainingSession.objects.filter(code__iexact=code).exclude(pk=exclude_pk).exists():
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
        action=Action.SESSION_SCHEDULED,
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
    before = {
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
    taken = _places_taken(session)
    if session.capacity < taken:
        raise ValidationError(
            {
                "capacity": f"{taken} {'person has' if taken == 1 else 'people have'} a place "
                f"already: choose {taken} places or more, or cancel registrations first."
            }
        )
    if code != before["session"]:
        _code_free(code, exclude_pk=session.pk)
    session.code = code
    after = {
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
    changes = {key: (before[key], after[key]) for key in before if before[key] != after[key]}
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
    audit_record(action=Action.SESSION_CHANGED, actor=by, obj=session, changes=changes)
    return session


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
    for hook in SESSION_MOVED:
        hook(session)


def _joining_link_changed(session: TrainingSession) -> None:
    """Send the new joining link to the people on the session: its accepted trainers and
    co-facilitators here, its booked learners through SESSION_LINK_CHANGED. The link is read
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
    for hook in SESSION_LINK_CHANGED:
        hook(session)


@transaction.atomic
def session_cancel(*, session: TrainingSession, reason: str, by: User) -> TrainingSession:
    """Cancel a planned or confirmed session: its pending reminders are cancelled and the people
    invited to or on it are told why; registered hooks tell the learners."""
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
    queued_kinds = (
        Notification.objects.filter(
            related_type=ContentType.objects.get_for_model(TrainingSession),
            related_id=session.pk,
            status=Notification.Status.QUEUED,
        )
        .values_list("kind", flat=True)
        .distinct()
    )
    for kind in list(queued_kinds):
        notification_cancel_for(related=session, kind=kind)
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
    session.cancellation_reason = reason
    for hook in SESSION_CANCELLED:
        hook(session)
    audit_record(
        action=Action.SESSION_CANCELLED,
        actor=by,
        obj=session,
        changes={"status": (before, session.status), "reason": reason},
    )
    return session


@transaction.atomic
def session_confirm(*, session: TrainingSession, by: User) -> TrainingSession:
    """Confirm a planned session; only a service-user-led one can be (DESIGN.md §4)."""
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
            f"{_long_day(session.starts_at)} has accepted as lead trainer or co-trainer. "
            "Nobody like that has accepted yet."
        )
    session.status = TrainingSession.Status.CONFIRMED
    session.save(update_fields=["status", "updated_at"])
    audit_record(
        action=Action.SESSION_CONFIRMED,
        actor=by,
        obj=session,
        changes={"status": (TrainingSession.Status.PLANNED, TrainingSession.Status.CONFIRMED)},
    )
    return session


def sessions_on_certification_changed(certification: Certification, by: User) -> None:
    """A lead's certification was corrected: confirmed sessions still to come that are no longer
    service-user-led go back to planned (DESIGN.md §4). For certification_expiry_update to call
    inside its transaction."""
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
            action=Action.SESSION_CHANGED,
            actor=by,
            obj=session,
            changes={"status": (TrainingSession.Status.CONFIRMED, TrainingSession.Status.PLANNED)},
        )


def _month_name(moment: datetime) -> str:
    return f"{_local(moment):%B %Y}"


def _invitation_limits(
    *, session: TrainingSession, user: User, trainer: Trainer | None, role: str
) -> list[str]:
    """Refuses what is never allowed; returns what only an override with a reason allows
    (going beyond the trainer's own monthly limit or involvement preferences)."""
    name = user.full_name or user.email
    if not user.is_active:
        raise ValidationError({"user": f"{name}’s account is switched off."})
    if trainer is None:
        if role != TrainerAssignment.Role.STAFF:
            raise ValidationError(
                {
                    "role": f"{name} is not a service-user trainer: invite them as a staff "
                    "co-facilitator."
                }
            )
        return []
    if role == TrainerAssignment.Role.STAFF:
        raise ValidationError(
            {
                "role": f"{name} is a service-user trainer: invite them as lead, co-trainer "
                "or shadowing."
            }
        )
    if trainer.status == Trainer.Status.STEPPING_BACK:
        # Coordinators are told only that the trainer is unavailable (DESIGN.md §4).
        raise ValidationError({"user": f"{name} is unavailable at the moment."})
    if trainer.status == Trainer.Status.LEFT:
        raise ValidationError({"user": f"{name} has left the programme."})
    day = _local(session.starts_at).date()
    certified = Certification.objects.filter(
        trainer=trainer, certified_on__lte=day, expires_on__gt=day
    ).exists()
    if role in LEADING_ROLES and not (certified and trainer.status == Trainer.Status.ACTIVE):
        raise ValidationError(
            {
                "role": f"{name} does not have a Train the Trainer certification valid on "
                f"{_long_day(session.starts_at)}, so they can only be invited to shadow."
            }
        )
    beyond = []
    booked = session_bookings(session.starts_at, session.ends_at).this_month.get(trainer.pk, 0)
    if booked >= trainer.max_sessions_per_month:
        beyond.append(
            f"{name} already has {booked} session{'' if booked == 1 else 's'} in "
            f"{_month_name(session.starts_at)}, and {trainer.max_sessions_per_month} a month "
            "is the most they asked for."
        )
    wanted = ROLE_INVOLVEMENT[role]
    if wanted not in (trainer.involvement or []):
        beyond.append(f"{name} has not said they would like to “{wanted.label.lower()}”.")
    return beyond


@transaction.atomic
def assignment_invite(
    *,
    session: TrainingSession,
    user: User,
    role: str,
    by: User,
    override_reason: str = "",
) -> TrainerAssignment:
    """Invite a person to a session in a role and email them Accept and Decline links. Going
    beyond a trainer's own monthly limit or involvement preferences needs a reason, which is
    recorded with who gave it; a double booking, a trainer who is unavailable or has left, and
    an uncertified lead or co-trainer are never allowed."""
    session = _session_locked(session)
    _people_locked([user.pk])
    if role not in TrainerAssignment.Role.values:
        raise ValidationError({"role": "Choose one of the roles listed."})
    if session.status not in BOOKED_STATUSES:
        raise ValidationError(
            f"This session is {session.get_status_display().lower()}: nobody can be invited."
        )
    if session.starts_at <= timezone.now():
        raise ValidationError("This session has already started: nobody can be invited.")
    name = user.full_name or user.email
    existing = TrainerAssignment.objects.filter(session=session, user=user).first()
    if existing is not None and existing.status in HOLDING_STATUSES:
        raise ValidationError(
            {
                "user": f"{name} is already {existing.get_status_display().lower()} "
                f"({existing.get_role_display().lower()}) on this session."
            }
        )
    trainer = (
        Trainer.objects.filter(user=user)
        .only("pk", "status", "involvement", "max_sessions_per_month", "user_id")
        .first()
    )
    beyond = _invitation_limits(session=session, user=user, trainer=trainer, role=role)
    clashes = assignment_clashes(
        user_ids=[user.pk],
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        exclude_session_pk=session.pk,
    )
    if clashes:
        raise ValidationError(
            {"user": f"{name} is already on {session_label(clashes[0].session)}."}
        )
    override_reason = override_reason.strip()
    if beyond and not override_reason:
        raise ValidationError(
            {
                "override_reason": [
                    *beyond,
                    "To invite them anyway, give your reason: it is recorded with your name.",
                ]
            }
        )
    assignment = existing or TrainerAssignment(session=session, user=user)
    assignment.role = role
    assignment.status = TrainerAssignment.Status.INVITED
    # A new token for a new invitation: the links in an earlier email stop working.
    assignment.token = new_token()
    assignment.invited_at = timezone.now()
    assignment.responded_at = None
    assignment.override_reason = override_reason if beyond else ""
    assignment.overridden_by = by if beyond else None
    assignment.save()
    audit_record(
        action=Action.ASSIGNMENT_INVITED,
        actor=by,
        obj=assignment,
        changes={"person": name, "role": assignment.get_role_display(), "session": session.code},
    )
    if beyond:
        audit_record(
            action=Action.ASSIGNMENT_OVERRIDDEN,
            actor=by,
            obj=assignment,
            changes={"beyond": beyond, "override_reason": override_reason},
        )
    notification_queue(
        kind=INVITED_KIND,
        recipient_email=user.email,
        recipient_user=user,
        related=assignment,
        subject=_subject(
            f"Will you join {session.course_version.course} on {_long_day(session.starts_at)}?"
        ),
        template="sessions/email/assignment_invited",
        context=_session_context(session) | {"role": assignment.get_role_display()},
        due_at=assignment.invited_at,
    )
    return assignment


def _assignment_locked(assignment: TrainerAssignment) -> TrainerAssignment:
    """The assignment with its session, both locked until commit. Every service that locks a
    session and the people or assignments on it takes the locks in one order: the session's
    row, then the people's rows, then the assignments. Two services taking them in different
    orders (a trainer withdrawn while the session moves) deadlock under contention. Holding the
    session's row also means an answer cannot race the session being cancelled or moved."""
    session = _session_locked(TrainingSession(pk=assignment.session_id))
    _people_locked([assignment.user_id])
    locked = (
        TrainerAssignment.objects.select_for_update(of=("self",))
        .select_related("user__trainer")
        .get(pk=assignment.pk, session=session)
    )
    locked.session = session
    return locked


def _assignment_answerable(assignment: TrainerAssignment) -> None:
    session = assignment.session
    if assignment.status != TrainerAssignment.Status.INVITED:
        raise ValidationError(assignment_answered_already(assignment))
    if session.status not in BOOKED_STATUSES:
        raise ValidationError(
            f"This session is {session.get_status_display().lower()}, so there is nothing to "
            "answer."
        )
    if session.starts_at <= timezone.now():
        raise ValidationError("This session has already started, so there is nothing to answer.")


ACCEPT_REFUSED = {
    Trainer.Status.STEPPING_BACK: "You are stepping back at the moment, so you cannot accept a "
    "session. When you are ready, choose “I'm ready to come back” on My profile and accept it "
    "then, or decline it now.",
    Trainer.Status.LEFT: "You have left the programme, so you cannot accept a session. If you "
    "would like to come back, talk to a coordinator.",
}


def assignment_answered_already(assignment: TrainerAssignment) -> str:
    """What a person is told when an invitation can no longer be answered."""
    when = (
        f" on {_long_day(assignment.responded_at)}" if assignment.responded_at is not None else ""
    )
    return {
        TrainerAssignment.Status.ACCEPTED: f"You accepted this invitation{when}.",
        TrainerAssignment.Status.DECLINED: f"You declined this invitation{when}.",
        TrainerAssignment.Status.WITHDRAWN: "This invitation no longer stands: you are not on "
        "this session.",
    }.get(assignment.status, "This invitation is still open.")


def _tell_coordinator(assignment: TrainerAssignment, *, what: str, kind: str) -> None:
    coordinator = assignment.session.coordinator
    if coordinator is None or not coordinator.is_active:
        return
    session = assignment.session
    notification_queue(
        kind=kind,
        recipient_email=coordinator.email,
        recipient_user=coordinator,
        related=assignment,
        subject=_subject(
            f"{assignment.user} {what}: {session.course_version.course}, "
            f"{_long_day(session.starts_at)}"
        ),
        template="sessions/email/assignment_answered",
        context=_session_context(session)
        | {
            "person": str(assignment.user),
            "what": what,
            "role": assignment.get_role_display(),
        },
    )


@transaction.atomic
def assignment_accept(*, assignment: TrainerAssignment) -> TrainerAssignment:
    """The invited person says yes: checked for double-booking again (under a lock on the
    person), then their reminders are queued and the coordinator is told."""
    assignment = _assignment_locked(assignment)
    _assignment_answerable(assignment)
    # An invitation sent before the trainer stepped back or left must not put them on a session.
    trainer = getattr(assignment.user, "trainer", None)
    if trainer is not None and trainer.status in ACCEPT_REFUSED:
        raise ValidationError(ACCEPT_REFUSED[trainer.status])
    session = assignment.session
    clashes = assignment_clashes(
        user_ids=[assignment.user_id],
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        exclude_session_pk=session.pk,
    )
    if clashes:
        raise ValidationError(
            f"You are already on {session_label(clashes[0].session)}, at the same time. "
            "Ask the coordinator if you would like to swap."
        )
    assignment.status = TrainerAssignment.Status.ACCEPTED
    assignment.responded_at = timezone.now()
    assignment.save(update_fields=["status", "responded_at"])
    _trainer_reminders_queue(assignment)
    _tell_coordinator(assignment, what="accepted", kind=ACCEPTED_KIND)
    audit_record(
        action=Action.ASSIGNMENT_ANSWERED,
        actor=assignment.user,
        obj=assignment,
        changes={"status": (TrainerAssignment.Status.INVITED, assignment.status)},
    )
    return assignment


@transaction.atomic
def assignment_decline(*, assignment: TrainerAssignment) -> TrainerAssignment:
    """The invited person says no (no reason asked); the coordinator is told."""
    assignment = _assignment_locked(assignment)
    _assignment_answerable(assignment)
    assignment.status = TrainerAssignment.Status.DECLINED
    assignment.responded_at = timezone.now()
    assignment.save(update_fields=["status", "responded_at"])
    _tell_coordinator(assignment, what="declined", kind=DECLINED_KIND)
    audit_record(
        action=Action.ASSIGNMENT_ANSWERED,
        actor=assignment.user,
        obj=assignment,
        changes={"status": (TrainerAssignment.Status.INVITED, assignment.status)},
    )
    return assignment


@transaction.atomic
def assignment_withdraw(*, assignment: TrainerAssignment, by: User) -> TrainerAssignment:
    """Take a person off a session (the coordinator), or step off it (the person themselves,
    no reason asked). Their reminders are cancelled and the other side is told; a confirmed
    session left without a service-user lead goes back to planned."""
    assignment = _assignment_locked(assignment)
    session = assignment.session
    if assignment.status not in HOLDING_STATUSES:
        raise ValidationError(assignment_answered_already(assignment))
    if session.status not in BOOKED_STATUSES:
        raise ValidationError(
            f"This session is {session.get_status_display().lower()}, so nobody can be taken "
            "off it."
        )
    if session.starts_at <= timezone.now():
        raise ValidationError("This session has already started, so nobody can be taken off it.")
    return _assignment_take_off(assignment, by=by)


def _assignment_take_off(
    assignment: TrainerAssignment, *, by: User | None, left: bool = False
) -> TrainerAssignment:
    """Withdraw a locked assignment: reminders and invitation cancelled, the other side told
    (the coordinator alone when the person has left the programme)."""
    session = assignment.session
    before = assignment.status
    assignment.status = TrainerAssignment.Status.WITHDRAWN
    assignment.responded_at = timezone.now()
    assignment.save(update_fields=["status", "responded_at"])
    notification_cancel_for(related=assignment, kind=TRAINER_REMINDER_KIND)
    notification_cancel_for(related=assignment, kind=INVITED_KIND)
    notification_cancel_for(related=assignment, kind=JOINING_LINK_KIND)
    if left:
        _tell_coordinator(
            assignment,
            what="has left the programme, so is no longer on the session",
            kind=TRAINER_LEFT_KIND,
        )
    elif by is not None and by.pk == assignment.user_id:
        _tell_coordinator(assignment, what="stepped off the session", kind=STEPPED_OFF_KIND)
    else:
        notification_queue(
            kind=WITHDRAWN_KIND,
            recipient_email=assignment.user.email,
            recipient_user=assignment.user,
            related=assignment,
            subject=_subject(
                f"You are no longer needed: {session.course_version.course}, "
                f"{_long_day(session.starts_at)}"
            ),
            template="sessions/email/assignment_withdrawn",
            context=_session_context(session) | {"was_accepted": before == "accepted"},
            due_at=assignment.responded_at,
        )
    changes: dict = {"status": (before, assignment.status)}
    if session.status == TrainingSession.Status.CONFIRMED and not session_is_service_user_led(
        session=session
    ):
        session.status = TrainingSession.Status.PLANNED
        session.save(update_fields=["status", "updated_at"])
        changes["session status"] = (
            TrainingSession.Status.CONFIRMED,
            TrainingSession.Status.PLANNED,
        )
    audit_record(action=Action.ASSIGNMENT_WITHDRAWN, actor=by, obj=assignment, changes=changes)
    return assignment


def assignments_on_trainer_left(trainer: Trainer, by: User | None) -> int:
    """A trainer has left the programme: take them off every session still to come (open
    invitations and accepted places alike), stop their reminders and tell each coordinator; a
    confirmed session left without a service-user lead goes back to planned. For
    trainers.services.trainer_leave to call inside its transaction. Returns how many."""
    holding = list(
        TrainerAssignment.objects.filter(
            user_id=trainer.user_id,
            status__in=HOLDING_STATUSES,
            session__status__in=BOOKED_STATUSES,
            session__starts_at__gt=timezone.now(),
        ).order_by("session_id")
    )
    taken_off = 0
    for assignment in holding:
        # Session first, then the person, then the assignment, like every other service.
        assignment = _assignment_locked(assignment)
        if (
            assignment.status in HOLDING_STATUSES
            and assignment.session.status in BOOKED_STATUSES
            and assignment.session.starts_at > timezone.now()
        ):
            _assignment_take_off(assignment, by=by, left=True)
            taken_off += 1
    return taken_off


def trainer_reminder_times(*, starts_at: datetime, lead_days: int = 7) -> list[datetime]:
    """When a person on a session is reminded: 09:00 UK time, `lead_days` and 1 day before."""
    day = _local(starts_at).date()
    days = sorted({lead_days, *TRAINER_REMINDER_DAYS[1:]}, reverse=True)
    return [
        datetime.combine(day - timedelta(days=n), TRAINER_REMINDER_AT, tzinfo=LONDON) for n in days
    ]


def _trainer_reminders_queue(assignment: TrainerAssignment) -> None:
    session = assignment.session
    trainer = getattr(assignment.user, "trainer", None)
    lead_days = trainer.reminder_lead_days if trainer is not None else TRAINER_REMINDER_DAYS[0]
    now = timezone.now()
    for due_at in trainer_reminder_times(starts_at=session.starts_at, lead_days=lead_days):
        if due_at <= now:
            continue  # a reminder whose time has passed would only arrive late
        days = (_local(session.starts_at).date() - due_at.date()).days
        notification_queue(
            kind=TRAINER_REMINDER_KIND,
            recipient_email=assignment.user.email,
            recipient_user=assignment.user,
            related=assignment,
            subject=_subject(
                f"Reminder: {session.course_version.course} "
                f"{'tomorrow' if days == 1 else f'in {days} days'}, {session_when(session)}"
            ),
            template="sessions/email/session_reminder_trainer",
            context=_session_context(session)
            | {"days": days, "role": assignment.get_role_display()},
            due_at=due_at,
        )


# --- Registrations and attendance ---

# Learners are reminded two days before their session, at 09:00 UK time (LONDON).
LEARNER_REMINDER_DAYS_BEFORE = 2
LEARNER_REMINDER_AT = time(9, 0)
LEARNER_REMINDER_KIND = "session_reminder_learner"
CHECK_IN_NOT_FOUND = (
    "We could not find a place on this session booked with that email address. Check it is "
    "the address you registered with, or speak to the trainer."
)
COST_LARGEST = Decimal("9999999.99")


class RegistrationResult(NamedTuple):
    """A registration, and whether the person was already registered (nothing new was made)."""

    registration: Registration
    already_registered: bool = False


def _session_day(session: TrainingSession) -> str:
    return date_format(timezone.localtime(session.starts_at, LONDON), "j F Y")


def _learner_context(registration: Registration) -> dict:
    # Plain words only: the cancel link and an online session's joining link are made when the
    # email is sent, from the registration, so neither is stored in the notification log.
    session = registration.session
    at_venue = not session.is_online and session.room_id is not None
    return {
        # Typed by a visitor on the public form: printed with no link a mail client could make.
        "learner_name": text_without_links(registration.participant.full_name, default="there"),
        "course": str(session.course_version.course),
        "when": session_when(session),
        "place": session_where(session),
        "is_online": not at_venue,
        "accessibility": session.room.venue.accessibility if at_venue else "",
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
        template=f"sessions/email/{template}",
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
        template="registration_reminder",
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
            template="registration_confirmed",
            ics=_learner_ics(registration),
        )
        _learner_reminder_queue(registration)
    else:
        _learner_email_queue(
            registration,
            kind="registration_waitlisted",
            subject=f"You are on the waitlist for {course}, {_session_day(session)}",
            template="registration_waitlisted",
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
            template="registration_promoted",
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
    full_name, email = " ".join(full_name.split()), email.strip()
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
        template="registration_already",
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
        template="registration_cancelled",
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
            template="registration_session_cancelled",
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
            template="registration_joining_link_changed",
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
            template="registration_session_changed",
            context={"was_booked": booked},
            ics=_learner_ics(registration) if booked else "",
        )
    return len(registrations)


@transaction.atomic
def attendance_record(
    *, session: TrainingSession, marks: Mapping[int, str], by: User
) -> RegistrationCounts:
    """Save the register: each registration id marked attended, partly attended or no-show.
    Only during the register's window; every save is audited. Returns the register's counts."""
    session = _session_locked(session)
    reason = attendance_closed_reason(session)
    if reason:
        raise ValidationError(reason)
    if any(mark not in ATTENDANCE_MARKS for mark in marks.values()):
        raise ValidationError("Mark each person as attended, partly attended or did not attend.")
    on_register = {
        registration.pk: registration
        for registration in Registration.objects.filter(
            session=session, status__in=PLACE_TAKING, pk__in=list(marks)
        )
    }
    if set(marks) - set(on_register):
        raise ValidationError(
            "Someone on this register is no longer booked on the session. Open the register "
            "again and mark it afresh."
        )
    now = timezone.now()
    changes: dict[str, tuple[str, str]] = {}
    changed = []
    for pk, mark in marks.items():
        registration = on_register[pk]
        if registration.status != mark:
            changes[f"registration {pk}"] = (registration.status, mark)
            registration.status, registration.status_changed_at = mark, now
            changed.append(registration)
    Registration.objects.bulk_update(changed, ["status", "status_changed_at"])
    if changed and session.status == TrainingSession.Status.DELIVERED:
        for hook in SESSION_DELIVERED:
            hook(session)
    counts = registration_counts(session=session)
    audit_record(
        action=Action.ATTENDANCE_RECORDED,
        actor=by,
        obj=session,
        changes={
            "attended": counts.attended,
            "partly_attended": counts.partly_attended,
            "no_show": counts.no_show,
            "not_marked": counts.unmarked,
            **changes,
        },
    )
    return counts


@transaction.atomic
def attendance_check_in(*, session: TrainingSession, email: str) -> Registration:
    """A learner marks themselves attended with the email they registered with, from half an
    hour before the start to the end. A mark a trainer already gave (partly) is kept."""
    reason = check_in_closed_reason(session)
    if reason:
        raise ValidationError(reason)
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .filter(session=session, participant__email__iexact=email.strip(), status__in=PLACE_TAKING)
        .first()
    )
    # The same words whether the address is unknown, waiting or cancelled: the page must not
    # tell anyone who else is registered.
    if registration is None:
        raise ValidationError({"email": CHECK_IN_NOT_FOUND})
    if registration.status in (Registration.Status.BOOKED, Registration.Status.NO_SHOW):
        registration.status = Registration.Status.ATTENDED
        registration.status_changed_at = timezone.now()
        registration.save(update_fields=["status", "status_changed_at"])
    return registration


@transaction.atomic
def delivery_report_submit(
    *,
    session: TrainingSession,
    by: User,
    delivered_as_planned: bool | None,
    attendee_count: int | None,
    changes_on_the_day: str = "",
    went_well: str = "",
    to_change: str = "",
    debrief_feeling: int | None = None,
    debrief_notes: str = "",
    wants_debrief: bool = False,
) -> DeliveryReport:
    """A session's lead or co-trainer reports on it after it ends, which marks it delivered.
    One report per session. The optional debrief is saved as the trainer's private wellbeing
    check-in (trainers.services.checkin_record): only they and their supporter can read it."""
    session = _session_locked(session)
    filed = DeliveryReport.objects.filter(session=session).select_related("submitted_by").first()
    reason = delivery_report_refused_reason(session=session, user=by, report=filed)
    if reason:
        raise ValidationError(reason)
    changes_on_the_day, debrief_notes = changes_on_the_day.strip(), debrief_notes.strip()
    errors = {}
    if delivered_as_planned is None:
        errors["delivered_as_planned"] = "Say whether the session was delivered as planned."
    elif not delivered_as_planned and not changes_on_the_day:
        errors["changes_on_the_day"] = "Say what was different from the plan."
    if attendee_count is None or attendee_count < 0:
        errors["attendee_count"] = "Enter the number of learners: 0 or more."
    trainer = None
    if debrief_feeling is None:
        if debrief_notes or wants_debrief:
            errors["debrief_feeling"] = "Choose how you are feeling, or leave the debrief empty."
    else:
        trainer = Trainer.objects.filter(user=by).first()
        if trainer is None:
            errors["debrief_feeling"] = (
                "Only trainers with a trainer profile can record a wellbeing debrief here."
            )
    if errors:
        raise ValidationError(errors)
    debrief = None
    if trainer is not None:
        debrief = checkin_record(
            trainer=trainer,
            by=by,
            moment=WellbeingCheckIn.Moment.AFTER,
            feeling=debrief_feeling,
            notes=debrief_notes,
            wants_debrief=wants_debrief,
        )
    report = DeliveryReport.objects.create(
        session=session,
        delivered_as_planned=delivered_as_planned,
        changes_on_the_day=changes_on_the_day,
        attendee_count=attendee_count,
        went_well=went_well.strip(),
        to_change=to_change.strip(),
        debrief=debrief,
        submitted_by=by,
    )
    status_before = session.status
    session.status = TrainingSession.Status.DELIVERED
    session.save(update_fields=["status", "updated_at"])
    for hook in SESSION_DELIVERED:
        hook(session)
    # Nothing about the debrief goes into the trail, not even that there was one.
    audit_record(
        action=Action.DELIVERY_REPORT_FILED,
        actor=by,
        obj=session,
        changes={
            "status": (status_before, session.status),
            "delivered_as_planned": delivered_as_planned,
            "attendee_count": attendee_count,
        },
    )
    return report


def _cost_checked(*, kind: str, amount: Decimal | None, description: str) -> dict:
    description = " ".join(description.split())
    errors = {}
    if kind not in SessionCost.Kind.values:
        errors["kind"] = "Choose room hire, refreshments, support or other."
    elif kind == SessionCost.Kind.OTHER and not description:
        errors["description"] = "Say what the cost was for."
    if len(description) > 200:
        errors["description"] = "Keep the description to 200 characters."
    if amount is None or not amount.is_finite():
        errors["amount"] = "Enter an amount in pounds, like 45 or 45.50."
    elif amount < 0:
        errors["amount"] = "The amount cannot be less than £0."
    elif amount.as_tuple().exponent < -2:
        errors["amount"] = "Enter pounds and pence, with at most 2 digits for pence."
    elif amount > COST_LARGEST:
        errors["amount"] = "Enter an amount under £10,000,000."
    if errors:
        raise ValidationError(errors)
    return {"kind": kind, "amount": amount.quantize(Decimal("0.01")), "description": description}


@transaction.atomic
def session_cost_add(
    *, session: TrainingSession, kind: str, amount: Decimal | None, description: str = "", by: User
) -> SessionCost:
    """Add a cost to a session: room hire, refreshments, support or other, in pounds."""
    cost = SessionCost.objects.create(
        session=session, **_cost_checked(kind=kind, amount=amount, description=description)
    )
    audit_record(
        action=Action.SESSION_COST_ADDED,
        actor=by,
        obj=session,
        changes={"cost": cost.get_kind_display(), "amount": str(cost.amount)},
    )
    return cost


@transaction.atomic
def session_cost_room_hire_add(*, session: TrainingSession, by: User) -> SessionCost:
    """Add the room's hire cost, as recorded for the room, to the session's costs."""
    if session.room_id is None:
        raise ValidationError("This session has no room, so there is no room hire to add.")
    if SessionCost.objects.filter(session=session, kind=SessionCost.Kind.ROOM_HIRE).exists():
        raise ValidationError("Room hire is already in this session's costs.")
    room = Room.objects.select_related("venue").get(pk=session.room_id)
    return session_cost_add(
        session=session,
        kind=SessionCost.Kind.ROOM_HIRE,
        amount=room.hire_cost,
        description=f"{room.name}, {room.venue.name}",
        by=by,
    )


@transaction.atomic
def session_cost_remove(*, cost: SessionCost, by: User) -> None:
    """Take a cost off a session (recorded in the audit trail)."""
    audit_record(
        action=Action.SESSION_COST_REMOVED,
        actor=by,
        obj=cost.session,
        changes={"cost": cost.get_kind_display(), "amount": str(cost.amount)},
    )
    cost.delete()


# session_cancel and session_update call these inside their transactions.
if registrations_on_session_cancelled not in SESSION_CANCELLED:
    SESSION_CANCELLED.append(registrations_on_session_cancelled)
if registrations_on_session_changed not in SESSION_MOVED:
    SESSION_MOVED.append(registrations_on_session_changed)
if registrations_on_joining_link_changed not in SESSION_LINK_CHANGED:
    SESSION_LINK_CHANGED.append(registrations_on_joining_link_changed)


# --- Calendar feeds and imports ---


@transaction.atomic
def calendar_feed_renew(*, user: User) -> CalendarFeed:
    """Give a person a new secret calendar address (the first one, or a replacement: the old
    address stops working at once)."""
    feed, created = CalendarFeed.objects.get_or_create(user=user)
    if not created:
        feed.token = new_token()
        feed.created_at = timezone.now()
        feed.save(update_fields=["token", "created_at"])
        audit_record(action=Action.CALENDAR_FEED_RENEWED, actor=user, obj=feed)
    return feed


@transaction.atomic
def csv_import_run(
    *, kind: str, content: bytes | str, dry_run: bool = True, by: User | None = None
) -> ImportResult:
    """Check a CSV file of workforce, sessions or attendance and, unless it is a dry run or any
    row is bad, write all of it (nothing at all otherwise). Sends no message to anyone."""
    if kind not in IMPORT_KINDS:
        raise ValueError(f"Unknown import: {kind!r}.")
    importer, result = import_check(kind=kind, content=content, by=by)
    result.dry_run = dry_run
    if dry_run or result.errors:
        return result
    try:
        with transaction.atomic():
            importer.apply()
    except IntegrityError:
        # The checks passed, so someone else wrote the same codes or emails meanwhile.
        result.errors.append(
            RowError(
                None,
                "",
                "Someone changed the same records while this file was being imported, so "
                "nothing was imported. Try again.",
            )
        )
        return result
    result.applied = True
    audit_record(
        action=Action.IMPORT,
        actor=by,
        changes={
            "file": f"{kind}.csv",
            "rows": result.rows,
            "added": result.created,
            "changed": result.updated,
            "unchanged": result.unchanged,
        },
    )
    return result
