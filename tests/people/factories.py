"""Factories for people: users (made through the service, as the app creates them), regions,
teams and participants."""

import factory

from people.models import Participant, ParticipantType, Region, Team, User
from people.services import user_create
from tests.factory_base import ModelFactory

PASSWORD = "a-long-enough-test-password"


class UserFactory(ModelFactory[User]):
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


class RegionFactory(ModelFactory[Region]):
    class Meta:
        model = Region
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Region {n}")


class TeamFactory(ModelFactory[Team]):
    class Meta:
        model = Team

    region = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda n: f"Team {n}")
    workforce_headcount = 30


class ParticipantFactory(ModelFactory[Participant]):
    class Meta:
        model = Participant

    full_name = factory.Faker("name", locale="en_GB")
    email = factory.Sequence(lambda n: f"learner{n}@example.org")
    participant_type = ParticipantType.STAFF
    team = factory.SubFactory(TeamFactory)
    region = factory.SelfAttribute("team.region")
