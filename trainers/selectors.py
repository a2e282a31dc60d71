from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, TypedDict

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from people.models import Region, User
from trainers.hooks import bookings
from trainers.models import (
    Application,
    ApplicationNote,
    Certification,
    RoleDescription,
    SupportSession,
    T3Programme,
    T3Progress,
    T3Requirement,
    Trainer,
    WellbeingCheckIn,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

# --- Role descriptions and recruitment ---


def role_description_published() -> RoleDescription | None:
    """The version people apply under now, if any."""
    return RoleDescription.objects.filter(status=RoleDescription.Status.PUBLISHED).first()


def role_description_draft() -> RoleDescription | None:
    """The draft being written, if any (there is at most one)."""
    return RoleDescription.objects.filter(status=RoleDescription.Status.DRAFT).first()


def role_description_public_get(*, version: int) -> RoleDescription:
    """A published or retired version, for anyone; drafts are a 404."""
    return get_object_or_404(
        RoleDescription.objects.exclude(status=RoleDescription.Status.DRAFT), version=version
    )


def role_description_list() -> QuerySet[RoleDescription]:
    """Every version, newest first, with how many people applied under each."""
    return (
        RoleDescription.objects.select_related("created_by")
        .annotate(application_count=Count("applications"))
        .order_by("-version")
    )


def role_description_get(*, pk: int) -> RoleDescription:
    return get_object_or_404(RoleDescription.objects.select_related("created_by"), pk=pk)


@dataclass(frozen=True)
class ApplicationPipeline:
    """How many applications are at each step, and the ones the filter picks, newest first."""

    counts: list[tuple[str, str, int]]  # (status, label, count), in pipeline order
    applications: QuerySet[Application]


def application_pipeline(
    *, status: str | None = None, region: Region | None = None
) -> ApplicationPipeline:
    """The coordinators' recruitment pipeline. The counts follow the region filter only, so
    they always show every step."""
    applications = Application.objects.all()
    if region is not None:
        applications = applications.filter(region=region)
    by_status = dict(
        applications.order_by()
        .values("status")
        .annotate(count=Count("pk"))
        .values_list("status", "count")
    )
    counts = [
        (value, label, by_status.get(value, 0)) for value, label in Application.Status.choices
    ]
    if status:
        applications = applications.filter(status=status)
    return ApplicationPipeline(
        counts=counts,
        applications=applications.select_related("region").order_by("-submitted_at", "-pk"),
    )


def application_get(*, pk: int) -> Application:
    """One application with its role description, trainer and history (oldest first)."""
    notes = ApplicationNote.objects.select_related("by").order_by("at", "pk")
    applications = Application.objects.select_related(
        "region", "role_description", "trainer__user"
    ).prefetch_related(Prefetch("notes", queryset=notes))
    return get_object_or_404(applications, pk=pk)


# --- Trainer profiles and Train the Trainer ---


# Coordinators never see Trainer.PRIVATE_FIELDS: their reads leave those columns out altogether
# (docs/domain.md#privacy), and a trainer who is stepping back shows to them only as "Unavailable"
# (docs/domain.md#trainers-and-recruitment).
STATUS_FOR_COORDINATORS = {
    **dict(Trainer.Status.choices),
    Trainer.Status.STEPPING_BACK: "Unavailable",
}
# The coordinators' status filter: even its values say "unavailable", not "stepping back".
STATUS_FILTER_FOR_COORDINATORS = {
    "in_training": Trainer.Status.IN_TRAINING,
    "active": Trainer.Status.ACTIVE,
    "unavailable": Trainer.Status.STEPPING_BACK,
    "left": Trainer.Status.LEFT,
}
STUCK_AFTER_DAYS = 90
EXPIRING_WITHIN_DAYS = 60


def _for_coordinators(trainers: QuerySet[Trainer]) -> QuerySet[Trainer]:
    latest = Certification.objects.filter(trainer=OuterRef("pk")).order_by("-expires_on", "-pk")
    return trainers.defer(*Trainer.PRIVATE_FIELDS).annotate(
        status_shown=Case(
            *[
                When(status=value, then=Value(label))
                for value, label in STATUS_FOR_COORDINATORS.items()
            ],
            output_field=CharField(),
        ),
        certification_expires_on=Subquery(latest.values("expires_on")[:1]),
    )


def trainer_list_for_coordinator(
    *, status: str | None = None, region: Region | None = None
) -> QuerySet[Trainer]:
    """Trainers for the coordinators' list, with the end of their latest certification.
    `status` is a key of STATUS_FILTER_FOR_COORDINATORS."""
    trainers = _for_coordinators(Trainer.objects.select_related("user", "region"))
    if status:
        trainers = trainers.filter(status=STATUS_FILTER_FOR_COORDINATORS[status])
    if region is not None:
        trainers = trainers.filter(region=region)
    return trainers.order_by("user__full_name", "pk")


def trainer_get_for_coordinator(*, pk: int) -> Trainer:
    """One trainer, without their private answers, for the coordinators' trainer page."""
    trainers = Trainer.objects.select_related("user", "region", "supporter", "programme")
    return get_object_or_404(_for_coordinators(trainers), pk=pk)


def trainer_profile_get(*, user) -> Trainer:
    """The signed-in person's own trainer profile, in full; a 404 for anyone without one."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    trainers = Trainer.objects.select_related("user", "region", "supporter", "programme")
    return get_object_or_404(trainers, user=user)


@dataclass(frozen=True)
class RequirementStep:
    requirement: T3Requirement
    progress: T3Progress | None


def t3_steps_for_trainer(*, trainer: Trainer) -> list[RequirementStep]:
    """Each requirement of the trainer's programme, in order, with its progress if met."""
    if trainer.programme_id is None:
        return []
    requirements = T3Requirement.objects.filter(programme_id=trainer.programme_id).order_by(
        "order", "pk"
    )
    done = {
        progress.requirement_id: progress
        for progress in T3Progress.objects.filter(
            trainer=trainer, requirement__programme_id=trainer.programme_id
        ).select_related("recorded_by")
    }
    return [RequirementStep(requirement, done.get(requirement.pk)) for requirement in requirements]


def certification_list_for_trainer(*, trainer: Trainer) -> list[Certification]:
    """A trainer's certifications, latest first."""
    return list(
        Certification.objects.filter(trainer=trainer)
        .select_related("programme")
        .order_by("-certified_on", "-expires_on", "-pk")
    )


def t3_programme_list() -> QuerySet[T3Programme]:
    """Programmes with how many requirements and trainers each has."""
    return T3Programme.objects.annotate(
        requirement_count=Count("requirements", distinct=True),
        trainer_count=Count("trainers", distinct=True),
    ).order_by("name")


def t3_requirement_list(*, programme: T3Programme) -> QuerySet[T3Requirement]:
    return T3Requirement.objects.filter(programme=programme).order_by("order", "pk")


class RequirementCount(TypedDict):
    requirement_count: int


@dataclass
class ProgrammePipeline:
    # Annotated with requirement_count, which t3_pipeline and the page read.
    programme: "WithAnnotations[T3Programme, RequirementCount]"
    # (requirements met, trainers in training who have met that many), from none to all.
    steps: list[tuple[int, int]] = field(default_factory=list)
    in_training: int = 0
    certified: int = 0
    expiring: int = 0


@dataclass(frozen=True)
class PipelineTrainer:
    pk: int
    name: str
    programme: str
    on: date  # stuck: the last progress or joining date; expiring: the certification's end
    days: int = 0


@dataclass
class T3Pipeline:
    programmes: list[ProgrammePipeline]
    without_programme: int
    stuck: list[PipelineTrainer]
    expiring: list[PipelineTrainer]


def t3_pipeline(*, today: date | None = None) -> T3Pipeline:
    """Where trainers are in Train the Trainer: in training per step, certified, expiring within
    60 days, and who is stuck (in training, nothing recorded for more than 90 days)."""
    today = today or timezone.localdate()
    programmes = {
        programme.pk: ProgrammePipeline(programme=programme)
        for programme in T3Programme.objects.annotate(
            requirement_count=Count("requirements")
        ).order_by("name")
    }
    in_programme = Q(progress__requirement__programme=F("programme"))
    in_training = (
        Trainer.objects.filter(status=Trainer.Status.IN_TRAINING)
        .annotate(
            met=Count("progress", filter=in_programme),
            last_on=Max("progress__completed_on"),
        )
        .values_list(
            "pk",
            "user__full_name",
            "programme_id",
            "programme__name",
            "created_at",
            "met",
            "last_on",
        )
        .order_by("user__full_name", "pk")
    )
    met_counts: dict[int, Counter] = defaultdict(Counter)
    without_programme = 0
    stuck = []
    for pk, name, programme_id, programme_name, created_at, met, last_on in in_training:
        if programme_id is None:
            without_programme += 1
        else:
            met_counts[programme_id][met] += 1
        since = last_on or timezone.localdate(created_at)
        if (today - since).days > STUCK_AFTER_DAYS:
            stuck.append(
                PipelineTrainer(pk, name, programme_name or "", since, (today - since).days)
            )
    for programme_id, counts in met_counts.items():
        pipeline = programmes[programme_id]
        total = pipeline.programme.requirement_count
        pipeline.steps = [
            (met, counts[met]) for met in range(total + 1) if met < total or counts[met]
        ]
        pipeline.in_training = sum(counts.values())
    for pipeline in programmes.values():
        if not pipeline.steps:
            pipeline.steps = [(met, 0) for met in range(pipeline.programme.requirement_count)]
    # Certified today: one line per trainer and programme, with the latest end date they hold.
    valid = (
        Certification.objects.filter(certified_on__lte=today, expires_on__gt=today)
        .exclude(trainer__status=Trainer.Status.LEFT)
        .values("programme_id", "trainer_id", "trainer__user__full_name", "programme__name")
        .annotate(until=Max("expires_on"))
        .order_by("until", "trainer__user__full_name")
    )
    soon = today + timedelta(days=EXPIRING_WITHIN_DAYS)
    expiring = []
    for row in valid:
        pipeline = programmes[row["programme_id"]]
        pipeline.certified += 1
        if row["until"] <= soon:
            pipeline.expiring += 1
            expiring.append(
                PipelineTrainer(
                    row["trainer_id"],
                    row["trainer__user__full_name"],
                    row["programme__name"],
                    row["until"],
                    (row["until"] - today).days,
                )
            )
    return T3Pipeline(
        programmes=list(programmes.values()),
        without_programme=without_programme,
        stuck=stuck,
        expiring=expiring,
    )


def trainers_available(
    *,
    starts_at: datetime,
    ends_at: datetime,
    involvement: str | None = None,
    region: Region | int | None = None,
) -> QuerySet[Trainer]:
    """Trainers who may be invited to a session at this time: active (not stepping back, left or
    in training), certified on the session's day, willing to be involved this way, under their
    monthly limit and not booked at an overlapping time."""
    if ends_at <= starts_at:
        raise ValueError("A session must end after it starts.")
    day = timezone.localdate(starts_at)
    certified = Certification.objects.filter(
        trainer=OuterRef("pk"), certified_on__lte=day, expires_on__gt=day
    )
    candidates = Trainer.objects.filter(Exists(certified), status=Trainer.Status.ACTIVE)
    if region is not None:
        candidates = candidates.filter(region=region)
    busy: set[int] = set()
    this_month: Counter[int] = Counter()
    for counts in bookings.fire(starts_at=starts_at, ends_at=ends_at):
        busy.update(counts.busy)
        this_month.update(counts.this_month)
    # Involvement is a JSON list, which SQLite cannot search inside, so it is checked here.
    fitting = [
        pk
        for pk, chosen, limit in candidates.values_list(
            "pk", "involvement", "max_sessions_per_month"
        )
        if pk not in busy
        and this_month[pk] < limit
        and (involvement is None or involvement in (chosen or []))
    ]
    return (
        Trainer.objects.filter(pk__in=fitting)
        .select_related("user", "region")
        .defer(*Trainer.PRIVATE_FIELDS)
        .order_by("user__full_name", "pk")
    )


# --- Support, wellbeing and privacy ---
# Lived-experience notes, boundaries, wellbeing check-ins and support sessions are visible only to
# the trainer and their named supporter (docs/domain.md#privacy): not to other coordinators,
# managers or admins. Every read below filters on that, so anyone else gets a 404 and learns
# nothing.


def _private_to(user, *, via: str = "") -> Q:
    """Rows whose trainer is `user`, or whose trainer's current named supporter is `user`."""
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    return Q(**{f"{via}user": user}) | Q(**{f"{via}supporter": user})


def trainer_get_private(*, user, pk: int) -> Trainer:
    """A trainer with their private notes, for the trainer themselves or their supporter."""
    trainers = Trainer.objects.select_related("user", "supporter", "region")
    return get_object_or_404(trainers.filter(_private_to(user)), pk=pk)


def trainer_get_supported(*, user, pk: int) -> Trainer:
    """A trainer whom `user` supports: only their named supporter records support sessions."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    trainers = Trainer.objects.select_related("user", "supporter")
    return get_object_or_404(trainers, pk=pk, supporter=user)


def trainers_supported_by(*, user) -> QuerySet[Trainer]:
    """The trainers whose named supporter this person is, with their latest debrief request."""
    latest_debrief = (
        WellbeingCheckIn.objects.filter(trainer=OuterRef("pk"), wants_debrief=True)
        .order_by("-recorded_at")
        .values("recorded_at")[:1]
    )
    return (
        Trainer.objects.filter(supporter=user)
        .select_related("user", "region")
        .only("pk", "status", "user__full_name", "user__email", "region__name")
        .annotate(latest_debrief_at=Subquery(latest_debrief))
        .order_by("user__full_name")
    )


def trainer_get_own(*, user) -> Trainer:
    """The signed-in person's own trainer profile."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    return get_object_or_404(Trainer.objects.select_related("user", "supporter"), user=user)


def checkin_debrief_recipient(*, trainer: Trainer) -> User | None:
    """Who a debrief request goes to: the named supporter, if they still have an active account."""
    supporter = trainer.supporter
    if supporter is None or not supporter.is_active:
        return None
    return supporter


def checkin_list_for(*, user, trainer: Trainer) -> QuerySet[WellbeingCheckIn]:
    """A trainer's wellbeing check-ins, newest first, if `user` may see them (else none)."""
    return WellbeingCheckIn.objects.filter(
        _private_to(user, via="trainer__"), trainer=trainer
    ).order_by("-recorded_at", "-pk")


def checkin_get_for(*, user, pk: int) -> WellbeingCheckIn:
    """One check-in, for its trainer or their supporter; a 404 for anyone else."""
    check_ins = WellbeingCheckIn.objects.select_related("trainer__user", "trainer__supporter")
    return get_object_or_404(check_ins.filter(_private_to(user, via="trainer__")), pk=pk)


def support_session_list_for(*, user, trainer: Trainer) -> QuerySet[SupportSession]:
    """A trainer's support and supervision sessions, newest first, if `user` may see them."""
    return (
        SupportSession.objects.filter(_private_to(user, via="trainer__"), trainer=trainer)
        .select_related("supporter")
        .order_by("-held_on", "-pk")
    )


def support_session_get_for(*, user, pk: int) -> SupportSession:
    """One support session, for its trainer or their supporter; a 404 for anyone else."""
    sessions = SupportSession.objects.select_related(
        "trainer__user", "trainer__supporter", "supporter"
    )
    return get_object_or_404(sessions.filter(_private_to(user, via="trainer__")), pk=pk)
