"""Factories for trainers: role descriptions and applications, trainer profiles and Train the
Trainer, support sessions and wellbeing check-ins."""

from datetime import timedelta

import factory
from django.db.models import Max
from django.utils import timezone

from people.models import Role, User
from tests.factory_base import ModelFactory
from tests.people.factories import RegionFactory, UserFactory
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

# Role descriptions and recruitment
# A role description is a draft unless told otherwise: only one version may be published.


class RoleDescriptionFactory(ModelFactory[RoleDescription]):
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


class ApplicationFactory(ModelFactory[Application]):
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


class TrainerFactory(ModelFactory[Trainer]):
    """A trainer profile and the person (with the trainer role) who signs in as it.
    `TrainerFactory(certified=True)` also gives a certification valid today and is active."""

    class Meta:
        model = Trainer
        skip_postgeneration_save = True

    class Params:
        certified = factory.Trait(
            status=Trainer.Status.ACTIVE,
            certification=factory.RelatedFactory(
                "tests.trainers.factories.CertificationFactory", factory_related_name="trainer"
            ),
        )

    user = factory.SubFactory(UserFactory, roles=[Role.TRAINER])
    region = factory.SubFactory(RegionFactory)
    involvement = factory.LazyFunction(lambda: list(Involvement.values))


class T3ProgrammeFactory(ModelFactory[T3Programme]):
    class Meta:
        model = T3Programme

    name = factory.Sequence(lambda n: f"Train the Trainer {n}")
    certification_months = 24


class T3RequirementFactory(ModelFactory[T3Requirement]):
    class Meta:
        model = T3Requirement

    programme = factory.SubFactory(T3ProgrammeFactory)
    title = factory.Sequence(lambda n: f"Requirement {n}")
    order = factory.Sequence(lambda n: n + 1)


class CertificationFactory(ModelFactory[Certification]):
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


class SupportSessionFactory(ModelFactory[SupportSession]):
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


class WellbeingCheckInFactory(ModelFactory[WellbeingCheckIn]):
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
