"""Scheduling and trainers: what holds a room, a person or a place, UK days and months, room and
people clashes and the bookings the trainers app asks for, whether a session is
service-user-led, the schedule and its calendars, and the sessions trainers are invited to."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING, TypedDict, cast

from django.db.models import (
    Case,
    Count,
    IntegerField,
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
from django.utils import timezone

from core.dates import LONDON
from people.models import Region, User
from sessions.hooks import PageLink, session_links
from sessions.models import (
    Course,
    Registration,
    Room,
    TrainerAssignment,
    TrainingSession,
)
from trainers.hooks import BookingCounts
from trainers.models import Involvement, Trainer
from trainers.selectors import trainers_available

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

# Times are entered and shown in Europe/London and stored in UTC: "that day" and "that month"
# always mean UK days and months, whatever the server's clock says.

# Only these hold a room or a person: a cancelled or delivered session frees both.
BOOKED_STATUSES = (TrainingSession.Status.PLANNED, TrainingSession.Status.CONFIRMED)
# Only these hold a person to a session.
HOLDING_STATUSES = (TrainerAssignment.Status.INVITED, TrainerAssignment.Status.ACCEPTED)
# The roles that make a session service-user-led (docs/domain.md#sessions-and-scheduling).
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
# The people who deliver a session and may use its register, check-in display and pack;
# shadowing trainees watch and learn, so they do not.
DELIVERY_TEAM_ROLES = (
    TrainerAssignment.Role.LEAD,
    TrainerAssignment.Role.CO_TRAINER,
    TrainerAssignment.Role.STAFF,
)
# Only the service-user trainers who led or co-delivered file the delivery report.
REPORTING_ROLES = (TrainerAssignment.Role.LEAD, TrainerAssignment.Role.CO_TRAINER)
# The register stays open a week after the session for late marking (self check-in's window is
# with the registrations' selectors).
REGISTER_OPEN_AFTER_END = timedelta(days=7)


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
    sessions = TrainingSession.objects.filter(
        _overlapping(starts_at, ends_at), room=room, status__in=BOOKED_STATUSES
    )
    if exclude_pk is not None:
        sessions = sessions.exclude(pk=exclude_pk)
    return sessions.select_related("course_version__course").order_by("starts_at", "pk").first()


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
    session's day has accepted as lead or co-trainer (docs/domain.md#sessions-and-scheduling)."""
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


class SessionTeam(TypedDict):
    # The session's accepted assignments, prefetched (to_attr) by assignment_list_for_user.
    team: list[TrainerAssignment]


class MySessionsMarks(TypedDict):
    # Who else is on the session, and whether the person keeps its register and files its report.
    others: list[TrainerAssignment]
    keeps_register: bool
    files_report: bool
    # What higher apps offer about a recent session (sessions.hooks.session_links).
    links: list[PageLink]


@dataclass(frozen=True)
class MySessions:
    invitations: "list[WithAnnotations[TrainerAssignment, MySessionsMarks]]"
    upcoming: "list[WithAnnotations[TrainerAssignment, MySessionsMarks]]"
    # Sessions the person delivered that ended while the register is still open, newest first:
    # where they mark attendance late and file the delivery report.
    recent: "list[WithAnnotations[TrainerAssignment, MySessionsMarks]]"


def session_page_links(*, session: TrainingSession, user: User) -> list[PageLink]:
    """Every way on that higher apps offer the person about a session they are on."""
    return [link for links in session_links.fire(session=session, user=user) for link in links]


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
    for each in assignments:
        # Marked here with what the page shows; the session has its team from the prefetch.
        assignment = cast("WithAnnotations[TrainerAssignment, MySessionsMarks]", each)
        session = cast("WithAnnotations[TrainingSession, SessionTeam]", assignment.session)
        assignment.others = [a for a in session.team if a.user_id != user.pk]
        assignment.keeps_register = assignment.role in DELIVERY_TEAM_ROLES
        assignment.files_report = assignment.role in REPORTING_ROLES
        assignment.links = []
        if assignment.status == TrainerAssignment.Status.ACCEPTED:
            if session.ends_at > now:
                upcoming.append(assignment)
            elif session.status != TrainingSession.Status.CANCELLED:
                assignment.links = session_page_links(session=session, user=user)
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
