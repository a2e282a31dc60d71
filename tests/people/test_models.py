import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction

from people.models import Participant, Region, Role, Team, User
from people.services import user_roles_set
from tests.factories import ParticipantFactory, RegionFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


# User: roles


def test_a_new_person_holds_no_roles():
    assert UserFactory().roles == frozenset()


def test_roles_are_the_role_groups_a_person_belongs_to():
    user = UserFactory(roles=[Role.COORDINATOR, Role.TRAINER])

    assert user.roles == {"coordinator", "trainer"}


def test_groups_that_are_not_roles_are_not_roles():
    user = UserFactory()
    user.groups.add(Group.objects.create(name="Volunteers"))

    assert user.roles == frozenset()


def test_being_admin_is_not_a_role(admin_user):
    assert admin_user.roles == frozenset()
    assert not admin_user.has_role(*Role.values)


def test_has_role_is_true_for_a_role_held(coordinator):
    assert coordinator.has_role(Role.COORDINATOR)


def test_has_role_is_false_for_a_role_not_held(coordinator):
    assert not coordinator.has_role(Role.TRAINER)


def test_has_role_is_true_when_any_of_several_roles_is_held(manager):
    assert manager.has_role(Role.COORDINATOR, Role.MANAGER)


def test_has_role_with_no_roles_asked_for_is_false(coordinator):
    assert not coordinator.has_role()


def test_roles_are_read_once_per_person(coordinator, django_assert_num_queries):
    person = User.objects.get(pk=coordinator.pk)

    with django_assert_num_queries(1):
        assert person.is_coordinator
        assert not person.is_trainer
        assert person.has_role(Role.COORDINATOR)


@pytest.mark.parametrize(
    ("role", "flag"),
    [
        (Role.COORDINATOR, "is_coordinator"),
        (Role.TRAINER, "is_trainer"),
        (Role.TEAM_LEAD, "is_team_lead"),
        (Role.MANAGER, "is_manager"),
    ],
)
def test_each_role_has_its_own_flag(role, flag):
    user = UserFactory(roles=[role])
    flags = ["is_coordinator", "is_trainer", "is_team_lead", "is_manager"]

    assert [name for name in flags if getattr(user, name)] == [flag]


def test_changing_roles_shows_at_once(trainer):
    assert trainer.is_trainer

    user_roles_set(user=trainer, roles=[Role.MANAGER])

    assert trainer.roles == {"manager"}


# User: identity


def test_a_person_reads_as_their_name():
    assert str(UserFactory(full_name="Ann Jones")) == "Ann Jones"


def test_a_person_without_a_name_reads_as_their_email():
    user = User.objects.create_user("nameless@example.org")

    assert str(user) == "nameless@example.org"


def test_the_short_name_is_the_first_name():
    assert UserFactory(full_name="Ann Marie Jones").get_short_name() == "Ann"


def test_the_short_name_falls_back_to_the_email():
    user = User.objects.create_user("nameless@example.org")

    assert user.get_short_name() == "nameless@example.org"


def test_create_user_lower_cases_the_email():
    user = User.objects.create_user("Ann.Jones@Example.ORG", full_name="Ann Jones")

    assert user.email == "ann.jones@example.org"


def test_create_user_needs_an_email():
    with pytest.raises(ValueError, match="email"):
        User.objects.create_user("", full_name="Ann Jones")


def test_create_superuser_makes_an_admin_who_can_use_the_django_admin():
    user = User.objects.create_superuser("root@example.org", "a-long-password", full_name="Root")

    assert user.is_superuser
    assert user.is_staff
    assert user.check_password("a-long-password")


def test_sign_in_finds_a_person_by_email_in_any_case(coordinator):
    assert User.objects.get_by_natural_key("COORDINATOR@Example.org") == coordinator


def test_clean_lower_cases_the_email():
    user = User(email="Ann@Example.ORG", full_name="Ann")

    user.clean()

    assert user.email == "ann@example.org"


def test_the_database_refuses_a_second_account_with_a_case_variant_email(coordinator):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="Coordinator@Example.org", full_name="Impostor")


# Region and Team


def test_a_region_reads_as_its_name():
    assert str(RegionFactory(name="Manchester")) == "Manchester"


def test_a_team_reads_as_its_name_and_region():
    team = TeamFactory(name="Crisis Resolution Team", region=RegionFactory(name="London"))

    assert str(team) == "Crisis Resolution Team (London)"


def test_two_regions_cannot_share_a_name():
    RegionFactory(name="London")

    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.create(name="London")


def test_two_teams_in_a_region_cannot_share_a_name():
    team = TeamFactory(name="Inpatient Ward Team")

    with pytest.raises(IntegrityError), transaction.atomic():
        Team.objects.create(region=team.region, name="Inpatient Ward Team")


def test_teams_in_different_regions_may_share_a_name():
    TeamFactory(name="Inpatient Ward Team", region=RegionFactory(name="London"))

    TeamFactory(name="Inpatient Ward Team", region=RegionFactory(name="Manchester"))

    assert Team.objects.filter(name="Inpatient Ward Team").count() == 2


def test_a_region_with_teams_cannot_be_deleted():
    team = TeamFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.filter(pk=team.region_id).delete()


# Participant


def test_a_participant_reads_as_their_name():
    assert str(ParticipantFactory(full_name="Ann Jones")) == "Ann Jones"


def test_the_database_refuses_a_second_participant_with_a_case_variant_email():
    ParticipantFactory(email="Ann@X.org")

    with pytest.raises(IntegrityError), transaction.atomic():
        Participant.objects.create(full_name="Ann Again", email="ann@x.org")


def test_a_participant_outlives_their_team():
    participant = ParticipantFactory()

    participant.team.delete()

    participant.refresh_from_db()
    assert participant.team is None
