"""Registrations and attendance: a session for its coordinators and delivery team, whether it
takes registrations, its counts, list and waitlist, the register and self check-in, the session
pack, the delivery report and the costs."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from core.dates import uk_day, uk_weekday
from core.qr import qr_svg
from people.models import Participant
from sessions.hooks import ExtraCost, session_extra_costs
from sessions.models import (
    Activity,
    DeliveryReport,
    LearningOutcome,
    Registration,
    Room,
    SessionCost,
    TrainerAssignment,
    TrainingSession,
)
from sessions.selectors.scheduling import (
    DELIVERY_TEAM_ROLES,
    PLACE_TAKING,
    REGISTER_OPEN_AFTER_END,
    REPORTING_ROLES,
)
from trainers.models import Trainer

# Places are held by PLACE_TAKING registrations (sessions.selectors.scheduling): booked people, and
# after the session everyone whose attendance is marked. Who delivers a session
# (DELIVERY_TEAM_ROLES), who files its report (REPORTING_ROLES) and how long its register stays
# open (REGISTER_OPEN_AFTER_END) are there too, beside the trainers' list of sessions that uses
# them.
# What the register can mark, and who appears on it.
ATTENDANCE_MARKS = (
    Registration.Status.ATTENDED,
    Registration.Status.PARTLY_ATTENDED,
    Registration.Status.NO_SHOW,
)
# Self check-in opens half an hour before the start so people arriving early can check in.
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
            f"The register opens when the session starts, at {start:%H:%M} on {uk_weekday(start)}."
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
            f"Check-in opens at {at:%H:%M} on {uk_weekday(at)}, half an hour "
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
        when = uk_day(report.submitted_at)
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
            f"{uk_weekday(end)}."
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
    return DeliveryReportPage(
        report=report,
        may_file=not refused,
        refused_reason=refused,
        with_debrief=reporter and Trainer.objects.filter(user=user).exists(),
        attended=counts.attended + counts.partly_attended,
        own_debrief_id=(
            report.debrief_id if report is not None and report.submitted_by_id == user.pk else None
        ),
    )


# The learners who count as having attended, for costs per learner.
LEARNERS_ATTENDED = (Registration.Status.ATTENDED, Registration.Status.PARTLY_ATTENDED)


def cost_per_learner(*, total: Decimal, attended: int) -> Decimal | None:
    """A session's total cost shared by the learners who attended, to the penny (half a penny
    rounds up); None when nobody attended."""
    if not attended:
        return None
    return (total / attended).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class SessionCosts:
    costs: list[SessionCost]
    # Lines from higher apps (sessions.hooks.session_extra_costs), such as trainers' fees.
    extra: list[ExtraCost]
    total: Decimal
    room: Room | None
    room_hire_added: bool
    attended: int
    per_learner: Decimal | None


def session_costs(*, session: TrainingSession) -> SessionCosts:
    """A session's costs with the lines higher apps add, their total, the cost per learner
    attended, and whether the room's hire cost can be added."""
    costs = list(SessionCost.objects.filter(session=session).order_by("kind", "pk"))
    extra = [line for lines in session_extra_costs.fire(session=session) for line in lines]
    total = sum((cost.amount for cost in costs), Decimal("0.00")) + sum(
        (line.amount for line in extra), Decimal("0.00")
    )
    attended = Registration.objects.filter(session=session, status__in=LEARNERS_ATTENDED).count()
    return SessionCosts(
        costs=costs,
        extra=extra,
        total=total,
        room=session.room,
        room_hire_added=any(cost.kind == SessionCost.Kind.ROOM_HIRE for cost in costs),
        attended=attended,
        per_learner=cost_per_learner(total=total, attended=attended),
    )
