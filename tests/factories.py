"""Every app's test factories under one name, for the tests written before they moved.

The factories live next to each app's tests, in tests/<app>/factories.py; new tests import from
there. This module only re-exports them so older imports keep working."""

from tests.evaluations.factories import (
    EvaluationFormFactory,
    ResponseFactory,
    responses_for,
    standard_form,
)
from tests.people.factories import (
    PASSWORD,
    ParticipantFactory,
    RegionFactory,
    TeamFactory,
    UserFactory,
)
from tests.sessions.factories import (
    ActivityFactory,
    CourseFactory,
    CourseVersionFactory,
    LearningOutcomeFactory,
    RegistrationFactory,
    RoomFactory,
    SessionCostFactory,
    TrainerAssignmentFactory,
    TrainingSessionFactory,
    VenueFactory,
    next_week_at,
    registrations_in_bulk,
    training_sessions_in_bulk,
)
from tests.trainers.factories import (
    ApplicationFactory,
    CertificationFactory,
    RoleDescriptionFactory,
    SupportSessionFactory,
    T3ProgrammeFactory,
    T3RequirementFactory,
    TrainerFactory,
    WellbeingCheckInFactory,
    published_role_description,
    trainers_in_bulk,
)

__all__ = [
    "PASSWORD",
    "ActivityFactory",
    "ApplicationFactory",
    "CertificationFactory",
    "CourseFactory",
    "CourseVersionFactory",
    "EvaluationFormFactory",
    "LearningOutcomeFactory",
    "ParticipantFactory",
    "RegionFactory",
    "RegistrationFactory",
    "ResponseFactory",
    "RoleDescriptionFactory",
    "RoomFactory",
    "SessionCostFactory",
    "SupportSessionFactory",
    "T3ProgrammeFactory",
    "T3RequirementFactory",
    "TeamFactory",
    "TrainerAssignmentFactory",
    "TrainerFactory",
    "TrainingSessionFactory",
    "UserFactory",
    "VenueFactory",
    "WellbeingCheckInFactory",
    "next_week_at",
    "published_role_description",
    "registrations_in_bulk",
    "responses_for",
    "standard_form",
    "trainers_in_bulk",
    "training_sessions_in_bulk",
]
