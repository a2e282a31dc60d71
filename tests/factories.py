"""Small factories for test data. Users go through the service, as the app creates them."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory
from django.db.models import Max
from django.utils import timezone

from people.models import Participant, ParticipantType, Region, Role, Team, User
from people.services import user_create
from sessions.models import (
    Activity,
    Course,
    CourseVersion,
    LearningOutcome,
    Registration,
    Room,
    SessionCost,
    TrainerAssignment,
    TrainingSession,
    Venue,
)
from trainers.models import (
    Application,
    Certification,
    Involvement,
    RoleDescription,
    SupportSession,
    T3Programme,
    T3Progress,
    T3Requirement,
    Trainer,
    WellbeingCheckIn,
)

PASSWORD = "a-long-enough-test-password"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    password = PASSWORD
    roles: tuple[str, ...] = ()
    is_superuser = False

    @classmethod
    def _create(cls, model_class, *args, **kwargs) -> User:
        return user_create(**kwargs)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Region {n}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    region = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda n: f"Team {n}")
    workforce_headcount = 30


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    full_name = factory.Faker("name", locale="en_GB")
    email = factory.Sequence(lambda n: f"learner{n}@example.org")
    participant_type = ParticipantType.STAFF
    team = factory.SubFactory(TeamFactory)
    region = factory.SelfAttribute("team.region")


# --- Trainers ---

# Role descriptions and recruitment
# A role description is a draft unless told otherwise: only one version may be published.


class RoleDescriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleDescription

    title = "Service-user trainer"
    version = factory.LazyFunction(
        lambda: (RoleDescription.objects.aggregate(last=Max("version"))["last"] or 0) + 1
    )
    purpose = "To bring lived experience of mental distress into training for staff."
    involves = "Designing and co-delivering sessions with staff trainers."
    time_commitment = "About two sessions a month, at times that suit you."
    support_offered = "Train the Trainer, a named supporter and a debrief after each session."
    payment_policy = "A fee per session and expenses; you may choose expenses only or no payment."
    status = RoleDescription.Status.DRAFT
    published_at = factory.LazyAttribute(
        lambda o: None if o.status == RoleDescription.Status.DRAFT else timezone.now()
    )


def published_role_description() -> RoleDescription:
    """The published version, made if there is none yet."""
    published = RoleDescription.objects.filter(status=RoleDescription.Status.PUBLISHED).first()
    return published or RoleDescriptionFactory(status=RoleDescription.Status.PUBLISHED)


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    role_description = factory.LazyFunction(published_role_description)
    full_name = factory.Faker("name", locale="en_GB")
    email = factory.Sequence(lambda n: f"applicant{n}@example.org")
    region = factory.SubFactory(RegionFactory)
    involvement = factory.LazyFunction(lambda: [Involvement.CO_DELIVER.value])
    consent_given_at = factory.LazyFunction(timezone.now)
    status = Application.Status.RECEIVED


# Profiles and T3


class TrainerFactory(factory.django.DjangoModelFactory):
    """A trainer profile and the person (with the trainer role) who signs in as it.
    `TrainerFactory(certified=True)` also gives a certification valid today and is active."""

    class Meta:
        model = Trainer
        skip_postgeneration_save = True

    class Params:
        certified = factory.Trait(
            status=Trainer.Status.ACTIVE,
            certification=factory.RelatedFactory(
                "tests.factories.CertificationFactory", factory_related_name="trainer"
            ),
        )

    user = factory.SubFactory(UserFactory, roles=[Role.TRAINER])
    region = factory.SubFactory(RegionFactory)
    involvement = factory.LazyFunction(lambda: list(Involvement.values))


class T3ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = T3Programme

    name = factory.Sequence(lambda n: f"Train the Trainer {n}")
    certification_months = 24


class T3RequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = T3Requirement

    programme = factory.SubFactory(T3ProgrammeFactory)
    title = factory.Sequence(lambda n: f"Requirement {n}")
    order = factory.Sequence(lambda n: n + 1)


class CertificationFactory(factory.django.DjangoModelFactory):
    """A certification valid today: from 30 days ago for two years."""

    class Meta:
        model = Certification

    trainer = factory.SubFactory(TrainerFactory, status=Trainer.Status.ACTIVE)
    programme = factory.SubFactory(T3ProgrammeFactory)
    certified_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    expires_on = factory.LazyAttribute(lambda c: c.certified_on + timedelta(days=730))


# Support and wellbeing
# Whose check-in or session it is decides who may see it: pass `trainer=` with the supporter you
# need, e.g. TrainerFactory(user=..., supporter=...).


class SupportSessionFactory(factory.django.DjangoModelFactory):
    """A session held a week ago, recorded by the trainer's named supporter."""

    class Meta:
        model = SupportSession

    trainer = factory.SubFactory(
        TrainerFactory, supporter=factory.SubFactory(UserFactory, roles=[Role.COORDINATOR])
    )
    supporter = factory.SelfAttribute("trainer.supporter")
    kind = SupportSession.Kind.ONE_TO_ONE
    held_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=7))
    notes = "We talked about the last session."
    agreed_actions = "Try a shorter story next time."


class WellbeingCheckInFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WellbeingCheckIn

    trainer = factory.SubFactory(TrainerFactory)
    moment = WellbeingCheckIn.Moment.AFTER
    feeling = WellbeingCheckIn.Feeling.OKAY
    notes = ""
    wants_debrief = False


# Many trainers at once, for query-count tests.


def trainers_in_bulk(count: int) -> None:
    """`count` trainers with users, certifications and progress, made in bulk to stay fast."""
    region = RegionFactory()
    requirement = T3RequirementFactory()
    start = User.objects.count()
    users = User.objects.bulk_create(
        User(email=f"bulk{n}@example.org", full_name=f"Bulk Trainer {n:04}")
        for n in range(start, start + count)
    )
    trainers = Trainer.objects.bulk_create(
        Trainer(
            user=user,
            region=region,
            programme=requirement.programme,
            status=Trainer.Status.STEPPING_BACK if n % 3 == 0 else Trainer.Status.IN_TRAINING,
        )
        for n, user in enumerate(users)
    )
    today = timezone.localdate()
    Certification.objects.bulk_create(
        Certification(
            trainer=trainer,
            programme=requirement.programme,
            certified_on=today - timedelta(days=10),
            expires_on=today + timedelta(days=20 + n),
        )
        for n, trainer in enumerate(trainers)
        if n % 2
    )
    T3Progress.objects.bulk_create(
        T3Progress(trainer=trainer, requirement=requirement, completed_on=today)
        for n, trainer in enumerate(trainers)
        if n % 5 == 0
    )


# --- Sessions ---

# Courses and venues
# CourseFactory() is a course with a published version 1 that has one outcome with one activity.
# CourseVersionFactory() is such a version of a new course; pass status="draft" for a draft and
# outcome=None for a version with no outcomes yet.


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Recovery in practice {n}")
    version = factory.RelatedFactory(
        "tests.factories.CourseVersionFactory", factory_related_name="course"
    )


class CourseVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CourseVersion
        skip_postgeneration_save = True

    course = factory.SubFactory(CourseFactory, version=None)
    number = factory.LazyAttribute(
        lambda o: (o.course.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    )
    status = CourseVersion.Status.PUBLISHED
    aims = "Understand recovery from the point of view of people who use services."
    support_guidance = "A debrief with the lead trainer after every session."
    published_at = factory.LazyAttribute(
        lambda o: None if o.status == CourseVersion.Status.DRAFT else timezone.now()
    )
    outcome = factory.RelatedFactory(
        "tests.factories.LearningOutcomeFactory", factory_related_name="version"
    )


class LearningOutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LearningOutcome
        skip_postgeneration_save = True

    version = factory.SubFactory(CourseVersionFactory, outcome=None)
    text = factory.Sequence(lambda n: f"Learners can describe recovery idea {n}.")
    order = factory.Sequence(lambda n: n + 1)
    activity = factory.RelatedFactory(
        "tests.factories.ActivityFactory", factory_related_name="outcome"
    )


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    outcome = factory.SubFactory(LearningOutcomeFactory, activity=None)
    title = factory.Sequence(lambda n: f"Story circle {n}")
    duration_minutes = 30
    materials = "Flip chart and pens."
    instructions = "Learners sit in a circle and listen."
    trainer_notes = "Offer a break if the story is hard to hear."
    order = factory.Sequence(lambda n: n + 1)


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    name = factory.Sequence(lambda n: f"Community Centre {n}")
    address = "1 High Street\nManchester\nM1 1AA"
    region = factory.SubFactory(RegionFactory)
    accessibility = "Step-free entrance, lift to all floors, accessible toilet."


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    venue = factory.SubFactory(VenueFactory)
    name = factory.Sequence(lambda n: f"Room {n}")
    capacity = 20
    hire_cost = Decimal("45.00")


# Scheduling and trainers
# TrainingSessionFactory() is a planned session of a published course version next week, 10:00 to
# 13:00 UK time, with 12 places, in a room (holding 20) of a venue in the session's region. Pass
# room=None, is_online=True and a joining_link for an online one.
# TrainerAssignmentFactory() invites a certified service-user trainer as lead; pass
# status="accepted" for one who said yes, or user=... for someone in particular.


def next_week_at(hour: int, minute: int = 0) -> datetime:
    """A time a week from today, in UK time."""
    day = timezone.localdate() + timedelta(days=7)
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo("Europe/London"))


class TrainingSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingSession

    code = factory.Sequence(lambda n: f"T-{n:05d}")
    course_version = factory.SubFactory(CourseVersionFactory)
    starts_at = factory.LazyFunction(lambda: next_week_at(10))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=3))
    region = factory.SubFactory(RegionFactory)
    room = factory.SubFactory(RoomFactory, venue__region=factory.SelfAttribute("...region"))
    capacity = 12
    phase = TrainingSession.Phase.PILOT
    status = TrainingSession.Status.PLANNED


class TrainerAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainerAssignment

    session = factory.SubFactory(TrainingSessionFactory)
    user = factory.LazyFunction(lambda: TrainerFactory(certified=True).user)
    role = TrainerAssignment.Role.LEAD
    status = TrainerAssignment.Status.INVITED
    responded_at = factory.LazyAttribute(
        lambda o: None if o.status == TrainerAssignment.Status.INVITED else timezone.now()
    )


def training_sessions_in_bulk(
    count: int, *, first_starts_at: datetime, every: timedelta = timedelta(hours=4)
) -> None:
    """`count` planned three-hour sessions of one course in one room, one starting every
    `every` from `first_starts_at`, made in bulk to stay fast."""
    version = CourseVersionFactory(outcome=None)
    room = RoomFactory()
    start = TrainingSession.objects.count()
    TrainingSession.objects.bulk_create(
        TrainingSession(
            code=f"B-{start + n:06d}",
            course_version=version,
            starts_at=first_starts_at + n * every,
            ends_at=first_starts_at + n * every + timedelta(hours=3),
            region_id=room.venue.region_id,
            room=room,
            capacity=12,
        )
        for n in range(count)
    )


# Registrations and attendance
# RegistrationFactory() books a new participant onto a new session, written straight to the
# database (no email); pass status="waitlisted" and so on. registrations_in_bulk() makes many.


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    session = factory.SubFactory(TrainingSessionFactory)
    participant = factory.SubFactory(ParticipantFactory)
    status = Registration.Status.BOOKED
    source = Registration.Source.PUBLIC


class SessionCostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionCost

    session = factory.SubFactory(TrainingSessionFactory)
    kind = SessionCost.Kind.REFRESHMENTS
    description = "Tea, coffee and biscuits"
    amount = Decimal("24.50")


def registrations_in_bulk(
    session: TrainingSession, count: int, *, status: str = Registration.Status.BOOKED
) -> list[Registration]:
    """`count` new participants registered on `session` with `status`, made in bulk to stay
    fast; the oldest registration comes first."""
    start = Participant.objects.count()
    participants = Participant.objects.bulk_create(
        Participant(full_name=f"Bulk Learner {n:05}", email=f"bulk.learner{n}@example.org")
        for n in range(start, start + count)
    )
    now = timezone.now()
    return Registration.objects.bulk_create(
        Registration(
            session=session,
            participant=participant,
            status=status,
            source=Registration.Source.IMPORT,
            created_at=now - timedelta(minutes=count - n),
        )
        for n, participant in enumerate(participants)
    )


# --- Evaluations ---
# The form


def standard_form():
    """The published standard form, seeded (version 1) if there is none yet."""
    from evaluations.models import EvaluationForm
    from evaluations.services import standard_form_seed

    published = EvaluationForm.objects.filter(
        course=None, status=EvaluationForm.Status.PUBLISHED
    ).first()
    return published or standard_form_seed()


class EvaluationFormFactory(factory.django.DjangoModelFactory):
    """The published standard form (seeded with its sections and questions), or the existing
    one. Pass `course=` for a course's own extra questions: an empty draft set."""

    class Meta:
        model = "evaluations.EvaluationForm"

    title = "Session evaluation"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        course = kwargs.get("course")
        if course is None:
            return standard_form()
        version = (
            model_class.objects.filter(course=course).aggregate(v=Max("version"))["v"] or 0
        ) + 1
        kwargs.setdefault("status", model_class.Status.DRAFT)
        kwargs["version"] = version
        return model_class.objects.create(**kwargs)


# Results
# ResponseFactory() is an empty response to a new delivered session on the standard form.
# responses_for(session, n) makes n responses in bulk, each answering every rating with 4 and
# yes/no with yes; `ratings` / `answers` map a question key to one value for all, or to a list
# with one value per response (None: not answered). `keys` limits which questions are answered.


class ResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "evaluations.Response"

    session = factory.SubFactory(TrainingSessionFactory, status=TrainingSession.Status.DELIVERED)
    form = factory.LazyFunction(standard_form)
    submitted_on = factory.LazyFunction(timezone.localdate)


def responses_for(
    session: TrainingSession,
    n: int,
    *,
    ratings: dict | None = None,
    answers: dict | None = None,
    keys: tuple[str, ...] | None = None,
    form=None,
    course_form=None,
) -> list:
    """`n` responses to `session`, made with bulk_create in batches of 5,000."""
    from evaluations.models import Answer, Question, Response

    form = form or standard_form()
    forms = [f for f in (form, course_form) if f is not None]
    questions = [
        q for q in Question.objects.filter(section__form__in=forms) if keys is None or q.key in keys
    ]
    given = {**(ratings or {}), **(answers or {})}
    defaults = {Question.Kind.RATING: 4, Question.Kind.YES_NO: True}
    today = timezone.localdate()
    responses = Response.objects.bulk_create(
        [
            Response(session=session, form=form, course_form=course_form, submitted_on=today)
            for _ in range(n)
        ],
        batch_size=5000,
    )
    rows = []
    for i, response in enumerate(responses):
        for question in questions:
            value = given.get(question.key, defaults.get(question.kind))
            if isinstance(value, list):
                value = value[i]
            if value is None:
                continue
            field = {
                Question.Kind.RATING: "number",
                Question.Kind.YES_NO: "boolean",
                Question.Kind.MULTIPLE: "selected",
            }.get(question.kind, "text")
            rows.append(Answer(response=response, question=question, **{field: value}))
    Answer.objects.bulk_create(rows, batch_size=5000)
    # As response_submit does after each response: counted into results in batches of five.
    from evaluations.services import response_batches_count

    response_batches_count(session=session)
    return responses
