import pytest
from django.db import DatabaseError, connection, transaction

from audit.actions import ExportAction
from audit.models import AppendOnlyError, AuditEvent
from audit.services import audit_record
from people.audit_actions import RoleAction

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(coordinator, trainer):
    return audit_record(
        action=RoleAction.ROLES_CHANGED,
        actor=coordinator,
        obj=trainer,
        changes={"roles": ([], ["trainer"])},
    )


def _stored(event: AuditEvent) -> AuditEvent:
    return AuditEvent.objects.get(pk=event.pk)


# the model


def test_an_event_cannot_be_saved_again(event):
    event.action = ExportAction.EXPORT

    with pytest.raises(AppendOnlyError):
        event.save()

    assert _stored(event).action == RoleAction.ROLES_CHANGED


def test_an_event_loaded_from_the_database_cannot_be_saved(event):
    with pytest.raises(AppendOnlyError):
        _stored(event).save()


def test_an_event_cannot_be_deleted(event):
    with pytest.raises(AppendOnlyError):
        event.delete()

    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_events_cannot_be_updated_in_bulk(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action=ExportAction.EXPORT)


def test_events_cannot_be_deleted_in_bulk(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()

    assert AuditEvent.objects.filter(pk=event.pk).exists()


# the database, underneath the model


def _raw(sql: str, params: list) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_the_database_refuses_an_update(event):
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("UPDATE audit_auditevent SET action = %s WHERE id = %s", ["export", event.pk])

    assert _stored(event).action == RoleAction.ROLES_CHANGED


def test_the_database_refuses_to_change_who_did_it(event, manager):
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("UPDATE audit_auditevent SET actor_id = %s WHERE id = %s", [manager.pk, event.pk])


def test_the_database_refuses_to_forget_who_did_it_while_changing_something_else(event):
    with pytest.raises(DatabaseError, match="append-only"):
        _raw(
            "UPDATE audit_auditevent SET actor_id = NULL, object_repr = %s WHERE id = %s",
            ["someone else", event.pk],
        )


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite (development only) refuses deletes in the model, not the database",
)
def test_the_database_refuses_a_delete(event):
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])

    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_deleting_a_person_keeps_their_events_without_the_link(event, coordinator):
    coordinator.delete()

    stored = _stored(event)
    assert stored.actor is None
    assert stored.action == RoleAction.ROLES_CHANGED
    assert stored.changes == {"roles": [[], ["trainer"]]}


def test_deleting_the_object_keeps_its_event_and_what_it_was_called(event, trainer):
    name = str(trainer)

    trainer.delete()

    assert _stored(event).object_repr == name


# reading


def test_changes_read_as_old_to_new():
    event = AuditEvent(
        changes={"roles": [["trainer"], ["coordinator", "trainer"]], "is_staff": [False, True]}
    )

    assert event.change_lines == [
        ("roles", "trainer → coordinator, trainer"),
        ("is staff", "no → yes"),
    ]


def test_a_hidden_value_reads_as_changed_without_a_value():
    event = AuditEvent(changes={"password": "changed"})

    assert event.change_lines == [("password", "changed (value not recorded)")]


def test_no_roles_reads_as_none():
    event = AuditEvent(changes={"roles": [[], ["trainer"]]})

    assert event.change_lines == [("roles", "none → trainer")]
