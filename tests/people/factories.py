"""Factories for people: users (made through the service, as the app creates them), regions,
teams and participants."""

import factory

from people.models import Participant, ParticipantType, Region, Team, User
from people.services import user_create

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
