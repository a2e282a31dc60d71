import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import resolve

from audit.actions import AccessAction, ExportAction
from audit.models import AuditEvent
from audit.services import audit_record
from people.audit_actions import RoleAction

pytestmark = pytest.mark.django_db


@pytest.fixture
def rf() -> RequestFactory:
    return RequestFactory()


def _request(rf, path="/somewhere/", user=None, **meta):
    request = rf.get(path, **meta)
    request.user = user or AnonymousUser()
    return request


def test_it_records_who_what_which_object_and_when(coordinator, trainer):
    event = audit_record(action=RoleAction.ROLES_CHANGED, actor=coordinator, obj=trainer)

    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.actor == coordinator
    assert stored.action == "roles_changed"
    assert stored.object_type.model_class() is type(trainer)
    assert stored.object_id == str(trainer.pk)
    assert stored.object_repr == str(trainer)
    assert stored.created_at is not None


def test_it_takes_the_actor_from_the_signed_in_person(rf, manager):
    event = audit_record(action=ExportAction.EXPORT, request=_request(rf, user=manager))

    assert event.actor == manager


def test_it_records_no_actor_for_a_signed_out_visitor(rf, db):
    event = audit_record(action=ExportAction.EXPORT, request=_request(rf))

    assert event.actor is None


def test_an_anonymous_actor_overrides_the_signed_in_person(rf, manager):
    event = audit_record(
        action=AccessAction.SIGN_IN_FAILED,
        actor=AnonymousUser(),
        request=_request(rf, user=manager),
    )

    assert event.actor is None


def test_it_keeps_the_path_without_the_query_string(rf, db):
    request = _request(rf, "/reports/?email=ann@example.org&token=abc")

    event = audit_record(action=ExportAction.EXPORT, request=request)

    assert event.path == "/reports/"


def test_a_secret_in_the_path_is_replaced_by_its_name(rf, db):
    path = "/accounts/password-reset/MQ/cb7-0123456789abcdef0123/"
    request = _request(rf, path)
    request.resolver_match = resolve(path)

    event = audit_record(action=AccessAction.PERMISSION_DENIED, request=request)

    assert event.path == "/accounts/password-reset/MQ/<token>/"


def test_it_records_the_ip_address(rf, db):
    event = audit_record(
        action=ExportAction.EXPORT, request=_request(rf, REMOTE_ADDR="203.0.113.9")
    )

    assert event.ip_address == "203.0.113.9"


def test_it_records_no_ip_address_when_the_address_is_not_one(rf, db):
    event = audit_record(action=ExportAction.EXPORT, request=_request(rf, REMOTE_ADDR="unknown"))

    assert event.ip_address is None


def test_it_refuses_an_unknown_action(db):
    with pytest.raises(ValueError, match="Unknown audit action"):
        audit_record(action="made_tea")

    assert not AuditEvent.objects.exists()


def test_it_stores_a_change_as_old_and_new(db):
    event = audit_record(action=RoleAction.ROLES_CHANGED, changes={"roles": (["trainer"], [])})

    assert AuditEvent.objects.get(pk=event.pk).changes == {"roles": [["trainer"], []]}


@pytest.mark.parametrize(
    "field",
    [
        "password",
        "new_password1",
        "api_token",
        "invitation_token",
        "feed_secret",
        "otp_device",
        "api_key",
        "recovery_code",
        "notes",
        "supervision_notes",
        "personal_story",
        "wellbeing",
        "wellbeing_check_in",
        "boundaries",
        "debrief",
        "supervision",
        "lived_experience",
        "Lived_Experience_Summary",
    ],
)
def test_a_sensitive_field_is_stored_as_changed_without_its_values(db, field):
    event = audit_record(
        action=RoleAction.ROLES_CHANGED, changes={field: ("old value here", "new value here")}
    )

    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.changes == {field: "changed"}
    assert "value here" not in str(stored.changes)


def test_a_long_text_value_is_stored_as_changed_without_its_values(db):
    long_text = "I felt " + "x" * 200

    event = audit_record(action=RoleAction.ROLES_CHANGED, changes={"comment": ("", long_text)})

    assert AuditEvent.objects.get(pk=event.pk).changes == {"comment": "changed"}


def test_a_text_value_of_200_characters_is_kept(db):
    text = "x" * 200

    event = audit_record(action=RoleAction.ROLES_CHANGED, changes={"title": ("", text)})

    assert AuditEvent.objects.get(pk=event.pk).changes == {"title": ["", text]}


def test_a_sensitive_key_inside_a_value_is_hidden(db):
    event = audit_record(
        action=ExportAction.EXPORT, changes={"filters": {"region": "North", "token": "abc123"}}
    )

    assert AuditEvent.objects.get(pk=event.pk).changes == {
        "filters": {"region": "North", "token": "changed"}
    }


def test_other_fields_keep_their_values_next_to_a_hidden_one(db):
    event = audit_record(
        action=RoleAction.ROLES_CHANGED,
        changes={"password": ("a", "b"), "is_active": (True, False)},
    )

    assert AuditEvent.objects.get(pk=event.pk).changes == {
        "password": "changed",
        "is_active": [True, False],
    }


def test_values_json_cannot_hold_are_stored_as_text(db):
    import datetime
    from decimal import Decimal

    event = audit_record(
        action=ExportAction.EXPORT,
        changes={"amount": (Decimal("10.50"), Decimal("12.00")), "on": datetime.date(2025, 1, 31)},
    )

    assert AuditEvent.objects.get(pk=event.pk).changes == {
        "amount": ["10.50", "12.00"],
        "on": "2025-01-31",
    }


def test_a_single_value_detail_is_kept(db):
    event = audit_record(action=ExportAction.EXPORT, changes={"rows": 120})

    assert AuditEvent.objects.get(pk=event.pk).changes == {"rows": 120}
