import json

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.actions import AccessAction
from audit.models import AuditEvent
from people.audit_actions import RoleAction
from people.models import Role
from people.services import user_create, user_roles_set
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SIGN_IN = "/accounts/sign-in/"


def attempt(client, email: str, password: str):
    return client.post(SIGN_IN, {"username": email, "password": password})


def _events(action: str, *, after: int = 0) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, pk__gt=after).order_by("id"))


def _last_id() -> int:
    """Events up to here were made by setting up the test (people get their roles)."""
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _every_stored_value(event: AuditEvent) -> str:
    """Every column of the stored row, as text, lower-cased."""
    event = AuditEvent.objects.get(pk=event.pk)
    values = [getattr(event, field.attname) for field in AuditEvent._meta.concrete_fields]
    return json.dumps(values, default=str).lower()


# signing in and out


def test_signing_in_through_the_form_records_a_sign_in(client, trainer, password):
    attempt(client, trainer.email, password)

    [event] = _events(AccessAction.SIGN_IN)
    assert event.actor == trainer
    assert event.path == SIGN_IN
    assert event.ip_address == "127.0.0.1"


def test_a_wrong_password_records_a_failed_sign_in_by_that_account(client, trainer):
    attempt(client, trainer.email, "not-the-password")

    [event] = _events(AccessAction.SIGN_IN_FAILED)
    assert event.actor == trainer
    assert event.path == SIGN_IN
    assert not _events(AccessAction.SIGN_IN)


def test_a_failed_sign_in_matches_the_account_whatever_the_case_typed(client, trainer):
    attempt(client, trainer.email.upper(), "not-the-password")

    [event] = _events(AccessAction.SIGN_IN_FAILED)
    assert event.actor == trainer


def test_an_unknown_email_records_a_failed_sign_in_by_nobody(client, trainer):
    attempt(client, "nobody@example.org", "not-the-password")

    [event] = _events(AccessAction.SIGN_IN_FAILED)
    assert event.actor is None


def test_a_failed_sign_in_to_an_inactive_account_is_tied_to_no_one(client, trainer, password):
    trainer.is_active = False
    trainer.save()

    attempt(client, trainer.email, password)

    [event] = _events(AccessAction.SIGN_IN_FAILED)
    assert event.actor is None


@pytest.mark.parametrize("typed_email", ["Trainer@Example.org", "nobody.here@example.org"])
def test_a_failed_sign_in_stores_neither_the_typed_email_nor_the_password(
    client, trainer, typed_email
):
    typed_password = "Typed-Secret-Password-77"

    attempt(client, typed_email, typed_password)

    [event] = _events(AccessAction.SIGN_IN_FAILED)
    stored = _every_stored_value(event)
    assert typed_email.lower() not in stored
    assert typed_email.split("@")[0].lower() not in stored
    assert typed_password.lower() not in stored


def test_the_fifth_failure_records_a_lockout_by_that_account(client, trainer):
    for _ in range(5):
        attempt(client, trainer.email, "not-the-password")

    [locked] = _events(AccessAction.SIGN_IN_LOCKED)
    assert locked.actor == trainer
    assert locked.path == SIGN_IN
    assert len(_events(AccessAction.SIGN_IN_FAILED)) == 5
    assert trainer.email not in _every_stored_value(locked)


def test_four_failures_record_no_lockout(client, trainer):
    for _ in range(4):
        attempt(client, trainer.email, "not-the-password")

    assert not _events(AccessAction.SIGN_IN_LOCKED)


def test_a_lockout_of_an_unknown_email_is_tied_to_no_one(client, db):
    for _ in range(5):
        attempt(client, "nobody@example.org", "not-the-password")

    [locked] = _events(AccessAction.SIGN_IN_LOCKED)
    assert locked.actor is None
    assert "nobody" not in _every_stored_value(locked)


def test_signing_out_records_a_sign_out(client, trainer, password):
    attempt(client, trainer.email, password)

    client.post(reverse("logout"))

    [event] = _events(AccessAction.SIGN_OUT)
    assert event.actor == trainer


# refused pages


def test_a_trainer_opening_the_coordinators_page_records_a_permission_denial(client, trainer):
    client.force_login(trainer)

    response = client.get("/schedule/?from=menu")

    assert response.status_code == 403
    [event] = _events(AccessAction.PERMISSION_DENIED)
    assert event.actor == trainer
    assert event.path == "/schedule/"


def test_a_page_that_is_allowed_records_no_denial(client, trainer):
    client.force_login(trainer)

    client.get("/me/sessions/")

    assert not _events(AccessAction.PERMISSION_DENIED)


def test_a_signed_out_visitor_sent_to_sign_in_records_no_denial(client, db):
    client.get("/schedule/")

    assert not _events(AccessAction.PERMISSION_DENIED)


# role changes


def test_setting_roles_records_who_changed_them_and_the_old_and_new_roles(coordinator, trainer):
    start = _last_id()
    user_roles_set(user=trainer, roles=[Role.TEAM_LEAD, Role.TRAINER], by=coordinator)

    [event] = _events(RoleAction.ROLES_CHANGED, after=start)
    assert event.actor == coordinator
    assert event.object_id == str(trainer.pk)
    assert event.object_repr == str(trainer)
    assert event.changes == {"roles": [["trainer"], ["team_lead", "trainer"]]}


def test_taking_every_role_away_is_recorded(coordinator, trainer):
    start = _last_id()
    user_roles_set(user=trainer, roles=[], by=coordinator)

    [event] = _events(RoleAction.ROLES_CHANGED, after=start)
    assert event.changes == {"roles": [["trainer"], []]}


def test_setting_the_same_roles_again_records_nothing(coordinator, trainer):
    start = _last_id()
    user_roles_set(user=trainer, roles=[Role.TRAINER], by=coordinator)

    assert not _events(RoleAction.ROLES_CHANGED, after=start)


def test_a_role_change_without_a_person_behind_it_records_no_actor(trainer):
    start = _last_id()
    user_roles_set(user=trainer, roles=[Role.MANAGER])

    [event] = _events(RoleAction.ROLES_CHANGED, after=start)
    assert event.actor is None


def test_refusing_an_unknown_role_records_nothing(coordinator, trainer):
    start = _last_id()
    with pytest.raises(ValidationError, match="Unknown role"):
        user_roles_set(user=trainer, roles=["wizard"], by=coordinator)

    assert not _events(RoleAction.ROLES_CHANGED, after=start)


def test_creating_a_person_with_roles_records_who_gave_them(coordinator):
    start = _last_id()
    user = user_create(
        email="ann@example.org", full_name="Ann Jones", roles=[Role.TRAINER], by=coordinator
    )

    [event] = _events(RoleAction.ROLES_CHANGED, after=start)
    assert event.actor == coordinator
    assert event.object_id == str(user.pk)
    assert event.changes == {"roles": [[], ["trainer"]]}


def test_creating_a_person_without_roles_records_nothing(coordinator):
    start = _last_id()
    user_create(email="ann@example.org", full_name="Ann Jones", by=coordinator)

    assert not _events(RoleAction.ROLES_CHANGED, after=start)


# role changes in the Django admin


def _admin_change(client, user, *, groups, is_superuser=False):
    data = {
        "email": user.email,
        "full_name": user.full_name,
        "groups": [Group.objects.get(name=Role(role).label).pk for role in groups],
        "is_active": "on",
        "date_joined_0": "2025-01-31",
        "date_joined_1": "10:00:00",
        "last_login_0": "",
        "last_login_1": "",
        "_save": "Save",
    }
    if is_superuser:
        data["is_superuser"] = "on"
    return client.post(reverse("admin:people_user_change", args=[user.pk]), data)


def test_changing_roles_in_the_admin_records_who_changed_them(client, admin_user, trainer):
    start = _last_id()
    client.force_login(admin_user)

    response = _admin_change(client, trainer, groups=[Role.TRAINER, Role.COORDINATOR])

    assert response.status_code == 302
    [event] = _events(RoleAction.ROLES_CHANGED, after=start)
    assert event.actor == admin_user
    assert event.object_id == str(trainer.pk)
    assert event.changes == {"roles": [["trainer"], ["coordinator", "trainer"]]}
    assert event.path == reverse("admin:people_user_change", args=[trainer.pk])


def test_making_someone_an_admin_in_the_admin_is_recorded(client, admin_user, trainer):
    start = _last_id()
    client.force_login(admin_user)

    _admin_change(client, trainer, groups=[Role.TRAINER], is_superuser=True)

    [event] = _events(RoleAction.ROLES_CHANGED, after=start)
    assert event.changes == {"is_superuser": [False, True]}


def test_saving_a_person_in_the_admin_without_changing_roles_records_nothing(
    client, admin_user, trainer
):
    start = _last_id()
    client.force_login(admin_user)

    response = _admin_change(client, trainer, groups=[Role.TRAINER])

    assert response.status_code == 302
    assert not _events(RoleAction.ROLES_CHANGED, after=start)


def test_a_group_that_is_not_a_role_is_not_a_role_change(client, admin_user):
    client.force_login(admin_user)
    person = UserFactory(roles=[Role.TRAINER])
    person.groups.add(Group.objects.create(name="Newsletter"))
    start = _last_id()

    _admin_change(client, person, groups=[Role.TRAINER])

    assert not _events(RoleAction.ROLES_CHANGED, after=start)
