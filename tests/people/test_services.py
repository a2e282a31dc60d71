import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.exceptions import ValidationError

from notifications.models import Notification
from people.models import Participant, ParticipantType, Region, Role, Team, User
from people.services import (
    ROLE_PERMISSIONS,
    participant_get_or_create,
    password_reset_send,
    role_groups_sync,
    team_upsert,
    user_create,
    user_roles_set,
)
from tests.factories import PASSWORD, RegionFactory, TeamFactory

pytestmark = pytest.mark.django_db


def _permission_codes(group: Group) -> set[str]:
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }


# user_create


def test_it_creates_a_person_who_can_sign_in():
    user = user_create(email="ann@example.org", full_name="Ann Jones", password=PASSWORD)

    assert user.pk is not None
    assert user.check_password(PASSWORD)
    assert user.is_active


def test_it_lower_cases_and_trims_the_email():
    user = user_create(email="  Ann.Jones@Example.ORG ", full_name="Ann Jones")

    assert user.email == "ann.jones@example.org"


def test_it_trims_the_name():
    user = user_create(email="ann@example.org", full_name="  Ann Jones  ")

    assert user.full_name == "Ann Jones"


@pytest.mark.parametrize("email", ["ann@example.org", "ANN@EXAMPLE.ORG", "Ann@Example.org"])
def test_it_refuses_a_duplicate_email_in_any_case(email):
    user_create(email="ann@example.org", full_name="Ann Jones")

    with pytest.raises(ValidationError) as error:
        user_create(email=email, full_name="Another Ann")

    assert "email" in error.value.message_dict
    assert User.objects.count() == 1


def test_it_refuses_an_invalid_email():
    with pytest.raises(ValidationError) as error:
        user_create(email="not-an-email", full_name="Ann Jones")

    assert "email" in error.value.message_dict


def test_it_refuses_an_empty_name():
    with pytest.raises(ValidationError) as error:
        user_create(email="ann@example.org", full_name="   ")

    assert "full_name" in error.value.message_dict


def test_it_gives_the_person_their_roles():
    user = user_create(
        email="ann@example.org", full_name="Ann", roles=[Role.TRAINER, Role.TEAM_LEAD]
    )

    assert User.objects.get(pk=user.pk).roles == {"trainer", "team_lead"}


def test_without_a_password_the_person_cannot_sign_in_until_they_set_one():
    user = user_create(email="ann@example.org", full_name="Ann Jones")

    assert not user.has_usable_password()


def test_an_admin_can_use_the_django_admin():
    user = user_create(email="root@example.org", full_name="Root", is_superuser=True)

    assert user.is_superuser
    assert user.is_staff


def test_a_person_who_is_not_admin_cannot_use_the_django_admin():
    user = user_create(email="ann@example.org", full_name="Ann", roles=[Role.COORDINATOR])

    assert not user.is_superuser
    assert not user.is_staff


def test_nothing_is_saved_when_a_role_is_unknown():
    with pytest.raises(ValidationError):
        user_create(email="ann@example.org", full_name="Ann", roles=["wizard"])

    assert not User.objects.filter(email="ann@example.org").exists()


# user_roles_set


def test_it_gives_exactly_the_roles_asked_for(coordinator):
    user_roles_set(user=coordinator, roles=[Role.TRAINER, Role.MANAGER])

    assert User.objects.get(pk=coordinator.pk).roles == {"trainer", "manager"}


def test_it_can_take_every_role_away(coordinator):
    user_roles_set(user=coordinator, roles=[])

    assert User.objects.get(pk=coordinator.pk).roles == frozenset()


def test_roles_are_held_through_the_groups_named_after_them(coordinator):
    user_roles_set(user=coordinator, roles=["coordinator", "team_lead"])

    assert set(coordinator.groups.values_list("name", flat=True)) == {"Coordinator", "Team lead"}


def test_it_refuses_an_unknown_role(coordinator):
    with pytest.raises(ValidationError, match="Unknown role: wizard"):
        user_roles_set(user=coordinator, roles=[Role.TRAINER, "wizard"])


def test_a_refused_change_leaves_the_roles_as_they_were(coordinator):
    with pytest.raises(ValidationError):
        user_roles_set(user=coordinator, roles=[Role.TRAINER, "wizard"])

    assert User.objects.get(pk=coordinator.pk).roles == {"coordinator"}


def test_it_refuses_a_role_label_in_place_of_a_role(coordinator):
    with pytest.raises(ValidationError):
        user_roles_set(user=coordinator, roles=["Team lead"])


def test_setting_roles_leaves_other_groups_alone(coordinator):
    volunteers = Group.objects.create(name="Newsletter editors")
    coordinator.groups.add(volunteers)

    user_roles_set(user=coordinator, roles=[Role.TRAINER])

    assert set(coordinator.groups.values_list("name", flat=True)) == {
        "Trainer",
        "Newsletter editors",
    }


def test_a_role_whose_group_was_deleted_is_still_given(coordinator):
    Group.objects.filter(name="Manager").delete()

    user_roles_set(user=coordinator, roles=[Role.MANAGER])

    assert User.objects.get(pk=coordinator.pk).roles == {"manager"}


# role_groups_sync


def test_there_is_one_group_per_role():
    role_groups_sync()

    names = set(Group.objects.values_list("name", flat=True))
    assert {role.label for role in Role} <= names


@pytest.mark.parametrize("role", list(Role))
def test_each_role_group_has_exactly_its_permissions(role):
    role_groups_sync()

    group = Group.objects.get(name=role.label)
    assert _permission_codes(group) == set(ROLE_PERMISSIONS[role])


def test_every_permission_named_for_a_role_exists():
    wanted = {code for codes in ROLE_PERMISSIONS.values() for code in codes}
    existing = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Permission.objects.select_related("content_type")
    }

    assert wanted <= existing


def test_syncing_twice_changes_nothing():
    role_groups_sync()
    before = {g.name: _permission_codes(g) for g in Group.objects.all()}

    role_groups_sync()

    assert {g.name: _permission_codes(g) for g in Group.objects.all()} == before


def test_it_takes_away_a_permission_a_role_should_not_have():
    group = Group.objects.get(name=Role.TRAINER.label)
    group.permissions.add(Permission.objects.get(codename="delete_user"))

    role_groups_sync()

    assert _permission_codes(group) == set()


def test_it_brings_back_a_deleted_role_group():
    Group.objects.filter(name=Role.MANAGER.label).delete()

    role_groups_sync()

    group = Group.objects.get(name=Role.MANAGER.label)
    assert _permission_codes(group) == set(ROLE_PERMISSIONS[Role.MANAGER])


def test_it_keeps_the_people_in_a_role_group(coordinator):
    role_groups_sync()

    assert User.objects.get(pk=coordinator.pk).is_coordinator


# team_upsert


def test_it_creates_a_new_region_and_team():
    team = team_upsert(region_name="Manchester", team_name="Inpatient Ward Team", headcount=35)

    assert team.region.name == "Manchester"
    assert team.name == "Inpatient Ward Team"
    assert team.workforce_headcount == 35


def test_it_adds_a_team_to_an_existing_region():
    region = RegionFactory(name="Manchester")

    team = team_upsert(region_name="Manchester", team_name="Inpatient Ward Team", headcount=35)

    assert team.region == region
    assert Region.objects.count() == 1


def test_it_updates_the_headcount_of_an_existing_team():
    team = TeamFactory(name="Inpatient Ward Team", region=RegionFactory(name="Manchester"))

    team_upsert(region_name="Manchester", team_name="Inpatient Ward Team", headcount=40)

    team.refresh_from_db()
    assert team.workforce_headcount == 40
    assert Team.objects.count() == 1


def test_it_matches_region_and_team_names_in_any_case():
    team = TeamFactory(name="Inpatient Ward Team", region=RegionFactory(name="Manchester"))

    again = team_upsert(region_name="MANCHESTER", team_name="inpatient ward team", headcount=40)

    assert again.pk == team.pk
    assert (Region.objects.count(), Team.objects.count()) == (1, 1)


def test_it_keeps_the_names_as_first_written():
    team_upsert(region_name="Manchester", team_name="Inpatient Ward Team", headcount=35)

    team = team_upsert(region_name="manchester", team_name="INPATIENT WARD TEAM", headcount=36)

    assert (team.region.name, team.name) == ("Manchester", "Inpatient Ward Team")


def test_it_trims_the_names():
    team = team_upsert(region_name="  London ", team_name=" Crisis Resolution Team  ", headcount=31)

    assert (team.region.name, team.name) == ("London", "Crisis Resolution Team")


def test_the_same_team_name_in_another_region_is_another_team():
    team_upsert(region_name="Manchester", team_name="Inpatient Ward Team", headcount=35)

    team_upsert(region_name="London", team_name="Inpatient Ward Team", headcount=20)

    assert Team.objects.count() == 2


def test_a_headcount_of_zero_is_allowed():
    team = team_upsert(region_name="London", team_name="New Team", headcount=0)

    assert team.workforce_headcount == 0


def test_it_refuses_a_negative_headcount():
    with pytest.raises(ValidationError) as error:
        team_upsert(region_name="London", team_name="Crisis Resolution Team", headcount=-1)

    assert "headcount" in error.value.message_dict
    assert not Region.objects.exists()


def test_it_refuses_an_empty_region_name():
    with pytest.raises(ValidationError):
        team_upsert(region_name="   ", team_name="Crisis Resolution Team", headcount=31)

    assert not Team.objects.exists()


def test_it_refuses_an_empty_team_name():
    with pytest.raises(ValidationError):
        team_upsert(region_name="London", team_name="", headcount=31)

    assert not Region.objects.exists()


# participant_get_or_create


def test_it_records_a_new_participant():
    participant, created = participant_get_or_create(
        email="ann@x.org", full_name="Ann Jones", participant_type=ParticipantType.SERVICE_USER
    )

    assert created
    assert (participant.email, participant.full_name) == ("ann@x.org", "Ann Jones")
    assert participant.participant_type == ParticipantType.SERVICE_USER


def test_a_participant_is_found_again_by_email_in_any_case():
    first, _ = participant_get_or_create(email="Ann@X.org", full_name="Ann Jones")

    again, created = participant_get_or_create(email="ann@x.org", full_name="Ann J")

    assert again.pk == first.pk
    assert not created
    assert Participant.objects.count() == 1


def test_a_participant_is_found_again_when_the_email_has_spaces_around_it():
    first, _ = participant_get_or_create(email="ann@x.org", full_name="Ann Jones")

    again, created = participant_get_or_create(email="  ANN@x.org ", full_name="Ann Jones")

    assert (again.pk, created) == (first.pk, False)


def test_a_participant_is_staff_unless_told_otherwise():
    participant, _ = participant_get_or_create(email="ann@x.org", full_name="Ann Jones")

    assert participant.participant_type == ParticipantType.STAFF


def test_a_participant_takes_the_region_of_their_team():
    team = TeamFactory()

    participant, _ = participant_get_or_create(email="ann@x.org", full_name="Ann", team=team)

    assert (participant.team, participant.region) == (team, team.region)


def test_it_refuses_an_invalid_participant_email():
    with pytest.raises(ValidationError) as error:
        participant_get_or_create(email="not-an-email", full_name="Ann Jones")

    assert "email" in error.value.message_dict
    assert not Participant.objects.exists()


def test_it_refuses_an_unknown_participant_type():
    with pytest.raises(ValidationError) as error:
        participant_get_or_create(email="ann@x.org", full_name="Ann", participant_type="alien")

    assert "participant_type" in error.value.message_dict


# password_reset_send


def test_it_emails_a_reset_link_to_the_person(coordinator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        password_reset_send(user=coordinator)

    (message,) = mail.outbox
    assert message.to == [coordinator.email]
    assert message.subject == "Reset your Coproduce password"
    assert "http://testserver/accounts/password-reset/" in message.body


def test_the_reset_link_works_for_that_person(coordinator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        password_reset_send(user=coordinator)

    link = next(word for word in mail.outbox[0].body.split() if "/accounts/password-reset/" in word)
    token = link.rstrip("/").split("/")[-1]
    assert default_token_generator.check_token(coordinator, token)


def test_the_reset_email_keeps_no_token_in_the_log(coordinator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        password_reset_send(user=coordinator)

    notification = Notification.objects.get(kind="password_reset")
    assert notification.recipient_user == coordinator
    assert notification.context == {}
    assert notification.status == Notification.Status.SENT
