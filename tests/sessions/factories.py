"""Factories for sessions: courses and venues, scheduling and trainers, registrations and costs."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory
from django.db.models import Max
from django.utils import timezone

from people.models import Participant
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
from tests.factory_base import ModelFactory
from tests.people.factories import ParticipantFactory, RegionFactory
from tests.trainers.factories import TrainerFactory

# Courses and venues
# CourseFactory() is a course with a published version 1 that has one outcome with one activity.
# CourseVersionFactory() is such a version of a new course; pass status="draft" for a draft and
# outcome=None for a version with no outcomes yet.


class CourseFactory(ModelFactory[Course]):
    class Meta:
        model = Course
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Recovery in practice {n}")
    version = factory.RelatedFactory(
        "tests.sessions.factories.CourseVersionFactory", factory_related_name="course"
    )


class CourseVersionFactory(ModelFactory[CourseVersion]):
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
        "tests.sessions.factories.LearningOutcomeFactory", factory_related_name="version"
    )


class LearningOutcomeFactory(ModelFactory[LearningOutcome]):
    class Meta:
        model = LearningOutcome
        skip_postgeneration_save = True

    version = factory.SubFactory(CourseVersionFactory, outcome=None)
    text = factory.Sequence(lambda n: f"Learners can describe recovery idea {n}.")
    order = factory.Sequence(lambda n: n + 1)
    activity = factory.RelatedFactory(
        "tests.sessions.factories.ActivityFactory", factory_related_name="outcome"
    )


class ActivityFactory(ModelFactory[Activity]):
    class Meta:
        model = Activity

    outcome = factory.SubFactory(LearningOutcomeFactory, activity=None)
    title = factory.Sequence(lambda n: f"Story circle {n}")
    duration_minutes = 30
    materials = "Flip chart and pens."
    instructions = "Learners sit in a circle and listen."
    trainer_notes = "Offer a break if the story is hard to hear."
    order = factory.Sequence(lambda n: n + 1)


class VenueFactory(ModelFactory[Venue]):
    class Meta:
        model = Venue

    name = factory.Sequence(lambda n: f"Community Centre {n}")
    address = "1 High Street\nManchester\nM1 1AA"
    region = factory.SubFactory(RegionFactory)
    accessibility = "Step-free entrance, lift to all floors, accessible toilet."


class RoomFactory(ModelFactory[Room]):
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


class TrainingSessionFactory(ModelFactory[TrainingSession]):
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


class TrainerAssignmentFactory(ModelFactory[TrainerAssignment]):
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


class RegistrationFactory(ModelFactory[Registration]):
    class Meta:
        model = Registration

    session = factory.SubFactory(TrainingSessionFactory)
    participant = factory.SubFactory(ParticipantFactory)
    status = Registration.Status.BOOKED
    source = Registration.Source.PUBLIC


class SessionCostFactory(ModelFactory[SessionCost]):
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
