from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from types import MappingProxyType
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator

from core.qr import qr_svg
from people.models import Participant, Region, Role, User
from sessions.ics import calendar_document, session_event
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
)
from trainers.models import Involvement, Trainer
from trainers.selectors import BookingCounts, trainers_available

# --- Courses and venues ---


def course_list() -> QuerySet[Course]:
    """Every course with its newest version and the number of its newest published version."""
    newest = CourseVersion.objects.filter(course=OuterRef("pk")).order_by("-number")
    return (
        Course.objects.annotate(
            newest_version_pk=Subquery(newest.values("pk")[:1]),
            newest_version_number=Subquery(newest.values("number")[:1]),
            newest_version_status=Subquery(newest.values("status")[:1]),
            published_version_number=Subquery(
                newest.filter(status=CourseVersion.Status.PUBLISHED).values("number")[:1]
            ),
        )
        .annotate(
            newest_version_status_label=Case(
                *[
                    When(newest_version_status=value, then=Value(label))
                    for value, label in CourseVersion.Status.choices
                ],
                default=Value(""),
            )
        )
        .order_by("title")
    )


def course_version_with_handbook() -> QuerySet[CourseVersion]:
    """Versions with everything their page and handbook show, in order, in four queries."""
    return CourseVersion.objects.select_related("course", "role_description").prefetch_related(
        Prefetch(
            "co_designers",
            queryset=Trainer.objects.select_related("user").order_by("user__full_name", "pk"),
        ),
        Prefetch(
            "outcomes",
            queryset=LearningOutcome.objects.order_by("order", "pk").prefetch_related(
                Prefetch("activities", queryset=Activity.objects.order_by("order", "pk"))
            ),
        ),
    )


def course_version_get(*, pk: int) -> CourseVersion:
    return get_object_or_404(course_version_with_handbook(), pk=pk)


def course_version_problems(version: CourseVersion) -> list[str]:
    """What stops a version going to pilot or being published, in words; empty when it is
    ready. Reads the outcomes and activities, so pass a version from course_version_get."""
    problems = []
    if not version.aims.strip():
        problems.append("Write the learning aims.")
    outcomes = list(version.outcomes.all())
    if not outcomes:
        problems.append("Add at least one learning outcome.")
    for number, outcome in enumerate(outcomes, start=1):
        if not outcome.activities.all():
            text = Truncator(outcome.text).chars(60)
            problems.append(f"Add at least one activity to outcome {number}, “{text}”.")
    return problems


def course_versions_of(*, course: Course) -> QuerySet[CourseVersion]:
    """All versions of a course, newest first, for moving between them."""
    return course.versions.only("pk", "course_id", "number", "status").order_by("-number")


def outcome_get(*, pk: int) -> LearningOutcome:
    return get_object_or_404(
        LearningOutcome.objects.select_related("version__course").annotate(
            activity_count=Count("activities")
        ),
        pk=pk,
    )


def activity_get(*, pk: int) -> Activity:
    return get_object_or_404(Activity.objects.select_related("outcome__version__course"), pk=pk)


def venue_list() -> QuerySet[Venue]:
    """Every venue with its region and how many rooms it has."""
    return (
        Venue.objects.select_related("region")
        .annotate(room_count=Count("rooms"), largest_room=Max("rooms__capacity"))
        .order_by("region__name", "name")
    )


def venue_get(*, pk: int) -> Venue:
    return get_object_or_404(
        Venue.objects.select_related("region").prefetch_related(
            Prefetch("rooms", queryset=Room.objects.order_by("name"))
        ),
        pk=pk,
    )


def room_get(*, pk: int) -> Room:
    return get_object_or_404(Room.objects.select_related("venue__region"), pk=pk)


# --- Scheduling and trainers ---
# Times are entered and shown in Europe/London and stored in UTC: "that day" and "that month"
# always mean UK days and months, whatever the server's clock says.

LONDON = ZoneInfo("Europe/London")
# Only these hold a room or a person: a cancelled or delivered session frees both.
BOOKED_STATUSES = (TrainingSession.Status.PLANNED, TrainingSession.Status.CONFIRMED)
# Only these hold a person to a session.
HOLDING_STATUSES = (TrainerAssignment.Status.INVITED, TrainerAssignment.Status.ACCEPTED)
# The roles that make a session service-user-led (DESIGN.md §4).
LEADING_ROLES = (TrainerAssignment.Role.LEAD, TrainerAssignment.Role.CO_TRAINER)
# The roles a service-user trainer is invited in, and the involvement each asks of them.
ROLE_INVOLVEMENT = {
    TrainerAssignment.Role.LEAD: Involvement.LEAD,
    TrainerAssignment.Role.CO_TRAINER: Involvement.CO_DELIVER,
    TrainerAssignment.Role.SHADOWING: Involvement.CO_DELIVER,
}
# Registrations that take one of the session's places.
PLACE_TAKING = (
    Registration.Status.BOOKED,
    Registration.Status.ATTENDED,
    Registration.Status.PARTLY_ATTENDED,
    Registration.Status.NO_SHOW,
)
# The month view lists this many sessions in a day and links to the rest.
MONTH_DAY_LIMIT = 4


def london_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LONDON)


def month_bounds(moment: datetime) -> tuple[datetime, datetime]:
    """The start of the UK calendar month `moment` falls in, and the start of the next."""
    first = timezone.localtime(moment, LONDON).date().replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return london_midnight(first), london_midnight(following)


def _overlapping(starts_at: datetime, ends_at: datetime, *, via: str = "") -> Q:
    return Q(**{f"{via}starts_at__lt": ends_at, f"{via}ends_at__gt": starts_at})


def session_bookings(starts_at: datetime, ends_at: datetime) -> BookingCounts:
    """The bookings hook for trainers_available (registered in SessionsConfig.ready): trainers
    invited to or on a planned or confirmed session overlapping the window, and each trainer's
    number of sessions (not cancelled) in the UK calendar month the window starts in."""
    holding = TrainerAssignment.objects.filter(
        status__in=HOLDING_STATUSES, user__trainer__isnull=False
    )
    busy = holding.filter(
        _overlapping(starts_at, ends_at, via="session__"), session__status__in=BOOKED_STATUSES
    ).values_list("user__trainer__id", flat=True)
    month_start, month_end = month_bounds(starts_at)
    counts = (
        holding.filter(session__starts_at__gte=month_start, session__starts_at__lt=month_end)
        .exclude(session__status=TrainingSession.Status.CANCELLED)
        .order_by()
        .values("user__trainer__id")
        .annotate(sessions=Count("session", distinct=True))
        .values_list("user__trainer__id", "sessions")
    )
    return BookingCounts(busy=frozenset(busy), this_month=MappingProxyType(dict(counts)))


def session_room_clash(
    *, room: Room, starts_at: datetime, ends_at: datetime, exclude_pk: int | None = None
) -> TrainingSession | None:
    """The first planned or confirmed session in the room at an overlapping time, if any."""
    return (
        TrainingSession.objects.filter(
            _overlapping(starts_at, ends_at), room=room, status__in=BOOKED_STATUSES
        )
        .exclude(pk=exclude_pk)
        .select_related("course_version__course")
        .order_by("starts_at", "pk")
        .first()
    )


def assignment_clashes(
    *, user_ids: Iterable[int], starts_at: datetime, ends_at: datetime, exclude_session_pk=None
) -> list[TrainerAssignment]:
    """The places these people already hold (invited or accepted) on planned or confirmed
    sessions at an overlapping time."""
    return list(
        TrainerAssignment.objects.filter(
            _overlapping(starts_at, ends_at, via="session__"),
            user_id__in=list(user_ids),
            status__in=HOLDING_STATUSES,
            session__status__in=BOOKED_STATUSES,
        )
        .exclude(session_id=exclude_session_pk)
        .select_related("user", "session__course_version__course")
        .order_by("user__full_name", "session__starts_at", "pk")
    )


def session_is_service_user_led(*, session: TrainingSession) -> bool:
    """Whether a service-user trainer with a Train the Trainer certification valid on the
    session's day has accepted as lead or co-trainer (DESIGN.md §4)."""
    day = timezone.localtime(session.starts_at, LONDON).date()
    return (
        TrainerAssignment.objects.filter(
            session=session,
            status=TrainerAssignment.Status.ACCEPTED,
            role__in=LEADING_ROLES,
            user__trainer__certifications__certified_on__lte=day,
            user__trainer__certifications__expires_on__gt=day,
        )
        .exclude(user__trainer__status=Trainer.Status.LEFT)
        .exists()
    )


def _schedule_filtered(
    sessions: QuerySet[TrainingSession],
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    region: Region | None = None,
    course: Course | None = None,
    status: str | None = None,
    phase: str | None = None,
) -> QuerySet[TrainingSession]:
    if date_from is not None:
        sessions = sessions.filter(starts_at__gte=london_midnight(date_from))
    if date_to is not None:
        sessions = sessions.filter(starts_at__lt=london_midnight(date_to + timedelta(days=1)))
    if region is not None:
        sessions = sessions.filter(region=region)
    if course is not None:
        sessions = sessions.filter(course_version__course=course)
    if status:
        sessions = sessions.filter(status=status)
    if phase:
        sessions = sessions.filter(phase=phase)
    return sessions


def _count_of(queryset: QuerySet, *, by: str) -> Coalesce:
    counted = queryset.order_by().values(by).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted[:1]), 0)


def session_list_for_coordinator(**filters) -> QuerySet[TrainingSession]:
    """The schedule: sessions in time order with their course, place, places booked and
    accepted lead trainers. Filters: date_from, date_to (UK days), region, course, status,
    phase."""
    leading = TrainerAssignment.objects.filter(
        session=OuterRef("pk"),
        status=TrainerAssignment.Status.ACCEPTED,
        role__in=LEADING_ROLES,
    )
    places = Registration.objects.filter(session=OuterRef("pk"), status__in=PLACE_TAKING)
    return (
        _schedule_filtered(TrainingSession.objects.all(), **filters)
        .select_related("course_version__course", "region", "room__venue")
        .annotate(
            leading_count=_count_of(leading, by="session"),
            booked_count=_count_of(places, by="session"),
        )
        .order_by("starts_at", "pk")
    )


@dataclass(frozen=True)
class CalendarEntry:
    """One session as a calendar shows it."""

    pk: int
    code: str
    starts_at: datetime  # UK time
    ends_at: datetime  # UK time
    title: str
    status: str
    status_label: str
    where: str


@dataclass
class CalendarDay:
    day: date
    in_period: bool = True
    is_today: bool = False
    entries: list[CalendarEntry] = field(default_factory=list)
    more: int = 0  # sessions that day not listed (the month view lists MONTH_DAY_LIMIT)


def _calendar_entries(*, first: date, last: date, **filters) -> dict[date, list[CalendarEntry]]:
    """The sessions from `first` to `last` (UK days) in one query, by UK day."""
    rows = (
        _schedule_filtered(
            TrainingSession.objects.filter(
                starts_at__gte=london_midnight(first),
                starts_at__lt=london_midnight(last + timedelta(days=1)),
            ),
            **filters,
        )
        .order_by("starts_at", "pk")
        .values_list(
            "pk",
            "code",
            "starts_at",
            "ends_at",
            "status",
            "course_version__course__title",
            "is_online",
            "room__name",
            "room__venue__name",
        )
    )
    labels = dict(TrainingSession.Status.choices)
    by_day: dict[date, list[CalendarEntry]] = defaultdict(list)
    for pk, code, starts_at, ends_at, status, title, is_online, room, venue in rows:
        starts = timezone.localtime(starts_at, LONDON)
        by_day[starts.date()].append(
            CalendarEntry(
                pk=pk,
                code=code,
                starts_at=starts,
                ends_at=timezone.localtime(ends_at, LONDON),
                title=title,
                status=status,
                status_label=labels[status],
                where="Online" if is_online or not room else f"{venue}, {room}",
            )
        )
    return by_day


def schedule_month(*, month: date, today: date, **filters) -> list[list[CalendarDay]]:
    """The weeks (Monday to Sunday) that show `month`, each day with up to MONTH_DAY_LIMIT of
    its sessions and how many more there are. Days of the next or last month are left empty."""
    first = month.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    by_day = _calendar_entries(first=first, last=last, **filters)
    start = first - timedelta(days=first.weekday())
    weeks = []
    day = start
    while day <= last:
        week = []
        for _ in range(7):
            entries = by_day.get(day, []) if first <= day <= last else []
            week.append(
                CalendarDay(
                    day=day,
                    in_period=first <= day <= last,
                    is_today=day == today,
                    entries=entries[:MONTH_DAY_LIMIT],
                    more=max(0, len(entries) - MONTH_DAY_LIMIT),
                )
            )
            day += timedelta(days=1)
        weeks.append(week)
    return weeks


def schedule_week(*, monday: date, today: date, **filters) -> list[CalendarDay]:
    """The seven days from `monday`, each with all its sessions."""
    by_day = _calendar_entries(first=monday, last=monday + timedelta(days=6), **filters)
    days = [monday + timedelta(days=n) for n in range(7)]
    return [CalendarDay(day=d, is_today=d == today, entries=by_day.get(d, [])) for d in days]


def session_get_for_coordinator(*, pk: int) -> TrainingSession:
    """A session for its page: course, place, coordinator and everyone invited to it, without
    any trainer's private answers."""
    role_order = Case(
        *[When(role=role, then=Value(n)) for n, role in enumerate(TrainerAssignment.Role.values)],
        output_field=IntegerField(),
    )
    assignments = (
        TrainerAssignment.objects.select_related("user__trainer", "overridden_by")
        .defer(*[f"user__trainer__{name}" for name in Trainer.PRIVATE_FIELDS])
        .annotate(role_order=role_order)
        .order_by("role_order", "user__full_name", "pk")
    )
    sessions = TrainingSession.objects.select_related(
        "course_version__course", "region", "room__venue__region", "coordinator"
    ).prefetch_related(Prefetch("assignments", queryset=assignments))
    return get_object_or_404(sessions, pk=pk)


@dataclass(frozen=True)
class Candidate:
    """A trainer who may be invited without an override, and the roles they would like."""

    trainer: Trainer
    roles: list[tuple[str, str]]


def assignment_candidates(*, session: TrainingSession) -> list[Candidate]:
    """Trainers of the session's region free at its time, under their monthly limit and
    certified that day (trainers_available), in the roles their involvement fits."""
    if session.status not in BOOKED_STATUSES or session.starts_at <= timezone.now():
        return []
    on_session = TrainerAssignment.objects.filter(
        session=session, status__in=HOLDING_STATUSES
    ).values("user_id")
    trainers = trainers_available(
        starts_at=session.starts_at, ends_at=session.ends_at, region=session.region_id
    ).exclude(user_id__in=on_session)
    candidates = []
    for trainer in trainers:
        roles = [
            (role.value, role.label)
            for role, involvement in ROLE_INVOLVEMENT.items()
            if involvement in (trainer.involvement or [])
        ]
        if roles:
            candidates.append(Candidate(trainer=trainer, roles=roles))
    return candidates


def assignment_invitable_people(*, session: TrainingSession) -> tuple[list[User], list[User]]:
    """Whom the invite form offers: trainers who are active or in training, and staff (active
    people without a trainer profile); neither already invited to or on the session. Trainers
    who are stepping back or have left are never offered."""
    on_session = TrainerAssignment.objects.filter(
        session=session, status__in=HOLDING_STATUSES
    ).values("user_id")
    people = (
        User.objects.filter(is_active=True)
        .exclude(pk__in=on_session)
        .only("pk", "full_name", "email")
        .order_by("full_name", "pk")
    )
    trainers = people.filter(
        trainer__status__in=[Trainer.Status.ACTIVE, Trainer.Status.IN_TRAINING]
    )
    staff = people.filter(trainer__isnull=True)
    return list(trainers), list(staff)


def _assignments_with_sessions() -> QuerySet[TrainerAssignment]:
    return TrainerAssignment.objects.select_related(
        "session__course_version__course", "session__room__venue", "session__coordinator", "user"
    )


@dataclass(frozen=True)
class MySessions:
    invitations: list[TrainerAssignment]
    upcoming: list[TrainerAssignment]
    # Sessions the person delivered that ended while the register is still open, newest first:
    # where they mark attendance late and file the delivery report.
    recent: list[TrainerAssignment]


def assignment_list_for_user(*, user: User) -> MySessions:
    """A person's invitations still to answer, the sessions they are on that have not ended
    (cancelled ones too, so they see the change) and those that ended within the register's
    week, each with who else is on it and whether they keep its register and file its report."""
    now = timezone.now()
    accepted = TrainerAssignment.objects.filter(status=TrainerAssignment.Status.ACCEPTED)
    assignments = (
        _assignments_with_sessions()
        .filter(
            user=user,
            status__in=HOLDING_STATUSES,
            session__ends_at__gt=now - REGISTER_OPEN_AFTER_END,
        )
        .prefetch_related(
            Prefetch(
                "session__assignments",
                queryset=accepted.select_related("user").order_by("user__full_name", "pk"),
                to_attr="team",
            )
        )
        .order_by("session__starts_at", "pk")
    )
    invitations, upcoming, recent = [], [], []
    for assignment in assignments:
        session = assignment.session
        assignment.others = [a for a in session.team if a.user_id != user.pk]
        assignment.keeps_register = assignment.role in DELIVERY_TEAM_ROLES
        assignment.files_report = assignment.role in REPORTING_ROLES
        if assignment.status == TrainerAssignment.Status.ACCEPTED:
            if session.ends_at > now:
                upcoming.append(assignment)
            elif session.status != TrainingSession.Status.CANCELLED:
                recent.append(assignment)
        elif session.status in BOOKED_STATUSES and session.starts_at > now:
            invitations.append(assignment)
    return MySessions(invitations=invitations, upcoming=upcoming, recent=recent[::-1])


def assignment_get_for_user(*, user: User, pk: int) -> TrainerAssignment:
    """One of the person's own assignments; anyone else's is a 404."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    return get_object_or_404(_assignments_with_sessions(), pk=pk, user=user)


def assignment_get_for_coordinator(*, pk: int) -> TrainerAssignment:
    return get_object_or_404(_assignments_with_sessions(), pk=pk)


def assignment_get_by_token(*, token: str) -> TrainerAssignment | None:
    """The assignment an emailed link is for; None for a token nobody was sent."""
    return _assignments_with_sessions().filter(token=token).first()


# --- Registrations and attendance ---

# Places are held by PLACE_TAKING registrations (above): booked people, and after the session
# everyone whose attendance is marked.
# What the register can mark, and who appears on it.
ATTENDANCE_MARKS = (
    Registration.Status.ATTENDED,
    Registration.Status.PARTLY_ATTENDED,
    Registration.Status.NO_SHOW,
)
# The people who deliver a session and may use its register, check-in display and pack;
# shadowing trainees watch and learn, so they do not.
DELIVERY_TEAM_ROLES = (
    TrainerAssignment.Role.LEAD,
    TrainerAssignment.Role.CO_TRAINER,
    TrainerAssignment.Role.STAFF,
)
# Only the service-user trainers who led or co-delivered file the delivery report.
REPORTING_ROLES = (TrainerAssignment.Role.LEAD, TrainerAssignment.Role.CO_TRAINER)
# The register stays open a week after the session for late marking; self check-in opens half an
# hour before the start so people arriving early can check in.
REGISTER_OPEN_AFTER_END = timedelta(days=7)
CHECK_IN_OPENS_BEFORE_START = timedelta(minutes=30)


def _session_with_place() -> QuerySet[TrainingSession]:
    return TrainingSession.objects.select_related(
        "course_version__course", "room__venue", "region", "coordinator"
    )


def registration_session_get(*, pk: int) -> TrainingSession:
    """A session with its course and place, for the coordinators' pages about it."""
    return get_object_or_404(_session_with_place(), pk=pk)


def session_get_for_delivery_team(
    *, user, pk: int, roles: tuple[str, ...] = DELIVERY_TEAM_ROLES
) -> TrainingSession:
    """A session for a coordinator, or for a trainer who accepted one of `roles` on it; a 404
    for any other trainer, so nobody learns which sessions exist."""
    sessions = _session_with_place()
    if not user.is_coordinator:
        sessions = sessions.filter(
            assignments__user=user,
            assignments__status=TrainerAssignment.Status.ACCEPTED,
            assignments__role__in=roles,
        )
    return get_object_or_404(sessions, pk=pk)


def registration_closed_reason(session: TrainingSession, *, now: datetime | None = None) -> str:
    """Why a session takes no more registrations, in words; empty while it is open."""
    now = now or timezone.now()
    if session.status == TrainingSession.Status.CANCELLED:
        return "This session has been cancelled, so it is not taking registrations."
    if session.status == TrainingSession.Status.DELIVERED:
        return "This session has already taken place, so it is not taking registrations."
    if session.starts_at <= now:
        return "This session has already started, so it is not taking registrations."
    return ""


@dataclass(frozen=True)
class RegistrationCounts:
    capacity: int
    booked: int = 0
    waitlisted: int = 0
    attended: int = 0
    partly_attended: int = 0
    no_show: int = 0
    cancelled: int = 0

    @property
    def places_taken(self) -> int:
        return self.booked + self.attended + self.partly_attended + self.no_show

    @property
    def places_left(self) -> int:
        return max(0, self.capacity - self.places_taken)

    @property
    def unmarked(self) -> int:
        return self.booked


def registration_counts(*, session: TrainingSession) -> RegistrationCounts:
    """How many people are at each status on a session, in one query."""
    by_status = dict(
        Registration.objects.filter(session=session)
        .order_by()
        .values("status")
        .annotate(count=Count("pk"))
        .values_list("status", "count")
    )
    return RegistrationCounts(capacity=session.capacity, **by_status)


def registration_list_for_session(*, session: TrainingSession) -> QuerySet[Registration]:
    """A session's registrations for the coordinators' list: people with a place first, then
    the waitlist in the order it is promoted, then cancellations."""
    return (
        Registration.objects.filter(session=session)
        .select_related("participant__team__region")
        .annotate(
            group=Case(
                When(status=Registration.Status.WAITLISTED, then=Value(1)),
                When(status=Registration.Status.CANCELLED, then=Value(2)),
                default=Value(0),
            )
        )
        .order_by("group", "created_at", "pk")
    )


def waitlist_positions(*, session: TrainingSession) -> dict[int, int]:
    """Each waitlisted registration's place in the queue (1 is promoted next)."""
    waiting = (
        Registration.objects.filter(session=session, status=Registration.Status.WAITLISTED)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )
    return {pk: position for position, pk in enumerate(waiting, start=1)}


PARTICIPANT_SEARCH_LIMIT = 20


def participant_search(*, session: TrainingSession, query: str) -> list[Participant]:
    """Up to 20 people whose name or email contains `query`, each with `registration_status`
    on this session (None when not registered)."""
    query = query.strip()
    if len(query) < 2:
        return []
    on_session = Registration.objects.filter(session=session, participant=OuterRef("pk"))
    return list(
        Participant.objects.filter(Q(full_name__icontains=query) | Q(email__icontains=query))
        .select_related("team__region")
        .annotate(registration_status=Subquery(on_session.values("status")[:1]))
        .order_by("full_name", "pk")[:PARTICIPANT_SEARCH_LIMIT]
    )


def session_get_for_registration(*, token: str) -> TrainingSession:
    """The session a public registration link is for."""
    return get_object_or_404(_session_with_place(), registration_token=token)


def registration_get_by_token(*, token: str) -> Registration:
    """A learner's own registration, from the link in their email."""
    return get_object_or_404(
        Registration.objects.select_related(
            "participant",
            "session__course_version__course",
            "session__room__venue",
        ),
        token=token,
    )


def attendance_register(*, session: TrainingSession) -> list[Registration]:
    """The people on a session's register: booked, or already marked; by name."""
    return list(
        Registration.objects.filter(session=session, status__in=PLACE_TAKING)
        .select_related("participant__team")
        .order_by("participant__full_name", "pk")
    )


def attendance_window(session: TrainingSession) -> tuple[datetime, datetime]:
    """When the register can be saved: from the start until a week after the end."""
    return session.starts_at, session.ends_at + REGISTER_OPEN_AFTER_END


def attendance_closed_reason(session: TrainingSession, *, now: datetime | None = None) -> str:
    """Why the register cannot be saved now, in words; empty when it can."""
    now = now or timezone.now()
    opens, closes = attendance_window(session)
    if session.status == TrainingSession.Status.CANCELLED:
        return "This session was cancelled, so there is no register to keep."
    if now < opens:
        start = timezone.localtime(opens)
        return (
            f"The register opens when the session starts, at {start:%H:%M} on "
            f"{date_format(start, 'l j F Y')}."
        )
    if now > closes:
        return (
            "The register closed a week after the session. Ask a coordinator if attendance "
            "needs correcting."
        )
    return ""


def session_get_for_check_in(*, code: str) -> TrainingSession:
    """The session a check-in code is for (codes are shown in capitals; any case is fine)."""
    return get_object_or_404(
        TrainingSession.objects.select_related("course_version__course", "room__venue"),
        check_in_code=code.strip().upper(),
    )


def check_in_closed_reason(session: TrainingSession, *, now: datetime | None = None) -> str:
    """Why a learner cannot check in now, in words; empty during the session window."""
    now = now or timezone.now()
    opens = session.starts_at - CHECK_IN_OPENS_BEFORE_START
    if session.status == TrainingSession.Status.CANCELLED:
        return "This session was cancelled, so there is nothing to check in to."
    if now < opens:
        at = timezone.localtime(opens)
        return (
            f"Check-in opens at {at:%H:%M} on {date_format(at, 'l j F Y')}, half an hour "
            "before the session starts."
        )
    if now > session.ends_at:
        return "Check-in has closed because the session has ended. Please speak to the trainer."
    return ""


@dataclass(frozen=True)
class SessionPack:
    session: TrainingSession
    outcomes: list[LearningOutcome]
    team: list[TrainerAssignment]
    learners: list[Registration]
    planned_minutes: int


def session_pack_get(*, session: TrainingSession) -> SessionPack:
    """What the session pack prints: the version's outcomes with their activities, the accepted
    trainers and the people with a place, in four queries."""
    outcomes = list(
        LearningOutcome.objects.filter(version_id=session.course_version_id)
        .order_by("order", "pk")
        .prefetch_related(Prefetch("activities", queryset=Activity.objects.order_by("order", "pk")))
    )
    team = list(
        TrainerAssignment.objects.filter(session=session, status=TrainerAssignment.Status.ACCEPTED)
        .select_related("user")
        .order_by("role", "user__full_name")
    )
    return SessionPack(
        session=session,
        outcomes=outcomes,
        team=team,
        learners=attendance_register(session=session),
        planned_minutes=sum(
            activity.duration_minutes
            for outcome in outcomes
            for activity in outcome.activities.all()
        ),
    )


def delivery_report_for(*, session: TrainingSession) -> DeliveryReport | None:
    """The session's delivery report, if filed. Its debrief is a private check-in: pages show
    that one exists only to the trainer who recorded it."""
    return DeliveryReport.objects.filter(session=session).select_related("submitted_by").first()


def may_file_delivery_report(*, session: TrainingSession, user) -> bool:
    """Whether `user` accepted the lead or co-trainer role on the session."""
    return TrainerAssignment.objects.filter(
        session=session,
        user=user,
        status=TrainerAssignment.Status.ACCEPTED,
        role__in=REPORTING_ROLES,
    ).exists()


def session_cost_get(*, session: TrainingSession, pk: int) -> SessionCost:
    return get_object_or_404(SessionCost, session=session, pk=pk)


def registration_get_on_session(*, session: TrainingSession, pk: int) -> Registration:
    """One of this session's registrations (another session's is a 404)."""
    return get_object_or_404(
        Registration.objects.select_related("participant"), session=session, pk=pk
    )


def registration_cancel_refused_reason(registration: Registration) -> str:
    """Why this registration cannot be cancelled now, in words; empty when it can."""
    session = registration.session
    if registration.status == Registration.Status.CANCELLED:
        return "This registration is already cancelled."
    if registration.status not in (Registration.Status.BOOKED, Registration.Status.WAITLISTED):
        return "Attendance is already recorded for this registration, so it cannot be cancelled."
    if session.status == TrainingSession.Status.CANCELLED:
        return "The session itself has been cancelled, so there is nothing more to cancel."
    if session.status == TrainingSession.Status.DELIVERED or session.starts_at <= timezone.now():
        return "The session has already started, so the place can no longer be cancelled."
    return ""


@dataclass(frozen=True)
class RegistrationOverview:
    counts: RegistrationCounts
    positions: dict[int, int]
    search_results: list[Participant]
    closed_reason: str
    public_url: str


def registration_overview(*, session: TrainingSession, query: str = "") -> RegistrationOverview:
    """Everything the coordinators' registrations page shows beside the list itself."""
    path = reverse("sessions:register", kwargs={"token": session.registration_token})
    return RegistrationOverview(
        counts=registration_counts(session=session),
        positions=waitlist_positions(session=session),
        search_results=participant_search(session=session, query=query),
        closed_reason=registration_closed_reason(session),
        public_url=settings.SITE_URL + path,
    )


@dataclass(frozen=True)
class CheckInDisplay:
    url: str
    short_url: str
    code: str
    qr_svg: str
    opens_at: datetime
    closes_at: datetime


def check_in_display(*, session: TrainingSession) -> CheckInDisplay:
    """The self check-in link as a QR code, and as a short link to type."""
    url = settings.SITE_URL + reverse("sessions:checkin", kwargs={"code": session.check_in_code})
    return CheckInDisplay(
        url=url,
        short_url=url.split("://", 1)[-1],
        code=session.check_in_code,
        qr_svg=qr_svg(url, title=f"QR code for checking in: {url}"),
        opens_at=session.starts_at - CHECK_IN_OPENS_BEFORE_START,
        closes_at=session.ends_at,
    )


def delivery_report_refused_reason(
    *, session: TrainingSession, user, report: DeliveryReport | None, now: datetime | None = None
) -> str:
    """Why `user` cannot file this session's delivery report now, in words; empty if they can."""
    now = now or timezone.now()
    if report is not None:
        when = date_format(timezone.localtime(report.submitted_at), "j F Y")
        who = report.submitted_by or "someone no longer registered"
        return f"A delivery report for this session was already filed by {who} on {when}."
    if not may_file_delivery_report(session=session, user=user):
        return "Only the session's lead trainer or co-trainer can file its delivery report."
    if session.status == TrainingSession.Status.CANCELLED:
        return "This session was cancelled, so it has no delivery report."
    if now < session.ends_at:
        end = timezone.localtime(session.ends_at)
        return (
            f"The report can be filed once the session has ended, at {end:%H:%M} on "
            f"{date_format(end, 'l j F Y')}."
        )
    return ""


@dataclass(frozen=True)
class DeliveryReportPage:
    report: DeliveryReport | None
    may_file: bool
    refused_reason: str
    with_debrief: bool
    attended: int
    # Only the trainer who recorded the debrief is shown the way to it.
    own_debrief_id: int | None


def delivery_report_page(*, session: TrainingSession, user) -> DeliveryReportPage:
    report = delivery_report_for(session=session)
    refused = delivery_report_refused_reason(session=session, user=user, report=report)
    counts = registration_counts(session=session)
    reporter = report is None and may_file_delivery_report(session=session, user=user)
    own_debrief = report is not None and report.submitted_by_id == user.pk
    return DeliveryReportPage(
        report=report,
        may_file=not refused,
        refused_reason=refused,
        with_debrief=reporter and Trainer.objects.filter(user=user).exists(),
        attended=counts.attended + counts.partly_attended,
        own_debrief_id=report.debrief_id if own_debrief else None,
    )


@dataclass(frozen=True)
class SessionCosts:
    costs: list[SessionCost]
    total: Decimal
    room: Room | None
    room_hire_added: bool


def session_costs(*, session: TrainingSession) -> SessionCosts:
    """A session's costs, their total and whether the room's hire cost can be added."""
    costs = list(SessionCost.objects.filter(session=session).order_by("kind", "pk"))
    return SessionCosts(
        costs=costs,
        total=sum((cost.amount for cost in costs), Decimal("0.00")),
        room=session.room,
        room_hire_added=any(cost.kind == SessionCost.Kind.ROOM_HIRE for cost in costs),
    )


# --- Calendar feeds and imports ---

# A feed holds the sessions from a month ago to a year ahead: enough for a calendar app, and a
# bounded amount of work however long someone has been with the programme.
FEED_DAYS_BACK = 30
FEED_DAYS_AHEAD = 365
FEED_ROLES = (Role.TRAINER, Role.COORDINATOR)


def calendar_feed_for(*, user: User) -> CalendarFeed | None:
    """The person's calendar address, if they have made one."""
    return CalendarFeed.objects.filter(user=user).first()


def _session_page_url(session: TrainingSession, user: User) -> str:
    """Coordinators open the session's own page; trainers their list of sessions."""
    if user.is_coordinator:
        path = reverse("sessions:session-detail", kwargs={"pk": session.pk})
    else:
        path = reverse("sessions:my-sessions")
    return f"{settings.SITE_URL}{path}"


def _feed_description(session: TrainingSession, user: User, page_url: str) -> str:
    lines = []
    if session.status == TrainingSession.Status.CANCELLED:
        lines.append("This session has been cancelled.")
    lines += [f"Your role: {a.get_role_display()}" for a in session.feed_assignments]
    if session.coordinator_id == user.pk:
        lines.append("You coordinate this session.")
    lines.append(f"{session.get_phase_display()} session, {session.region.name}.")
    if session.is_online:
        lines.append("Online. The joining link is never put in calendars: find it in Coproduce.")
    lines.append(f"In Coproduce: {page_url}")
    return "\n".join(lines)


def calendar_feed_ics(*, token: str) -> str:
    """The iCal text of the feed at this secret address: the sessions its owner coordinates or
    has accepted to train at, a month back to a year ahead (cancelled ones marked cancelled).

    An unknown or replaced address, or one whose owner can no longer sign in or is no longer a
    trainer or coordinator, is a 404."""
    feed = get_object_or_404(
        CalendarFeed.objects.select_related("user"), token=token, user__is_active=True
    )
    user = feed.user
    if not user.has_role(*FEED_ROLES):
        raise Http404
    now = timezone.now()
    accepted = TrainerAssignment.objects.filter(user=user, status=TrainerAssignment.Status.ACCEPTED)
    sessions = (
        TrainingSession.objects.filter(
            starts_at__gte=now - timedelta(days=FEED_DAYS_BACK),
            starts_at__lte=now + timedelta(days=FEED_DAYS_AHEAD),
        )
        .filter(Q(pk__in=accepted.values("session")) | Q(coordinator=user))
        .select_related("course_version__course", "room__venue", "region")
        .prefetch_related(Prefetch("assignments", queryset=accepted, to_attr="feed_assignments"))
        .order_by("starts_at", "pk")
    )
    events = [
        session_event(
            session,
            uid_suffix="feed",
            description=_feed_description(session, user, _session_page_url(session, user)),
            cancelled=session.status == TrainingSession.Status.CANCELLED,
        )
        for session in sessions
    ]
    return calendar_document(events, method=None, name="Coproduce sessions")
