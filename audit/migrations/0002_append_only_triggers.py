"""Make the audit trail append-only in the database itself, under the model's own refusal.

UPDATE and DELETE are refused on PostgreSQL, the production database. On SQLite (the embedded
development mode) only UPDATE is refused: SQLite empties tables with DELETE when Django flushes
a test or development database, and the model refuses deletes there anyway. One update is allowed: setting `actor`
or `object_type` to NULL and nothing else, which is what deleting a person or a content type
does (on_delete=SET_NULL); the event stays, without the link.

On SQLite the triggers name the table's columns, and a migration that rebuilds the table drops
them: a later migration that alters this table must create them again (tests/audit checks).
"""

from django.db import migrations

POSTGRESQL_CREATE = """
CREATE OR REPLACE FUNCTION audit_auditevent_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
        AND (NEW.actor_id IS NULL OR NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id)
        AND (NEW.object_type_id IS NULL
             OR NEW.object_type_id IS NOT DISTINCT FROM OLD.object_type_id)
        AND to_jsonb(NEW) - 'actor_id' - 'object_type_id'
            = to_jsonb(OLD) - 'actor_id' - 'object_type_id'
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'The audit trail is append-only: its events cannot be changed or deleted.'
        USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER audit_auditevent_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_auditevent_refuse_change();
"""

POSTGRESQL_DROP = """
DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_auditevent_refuse_change();
"""

SQLITE_CREATE = [
    """
    CREATE TRIGGER audit_auditevent_no_update
    BEFORE UPDATE ON audit_auditevent
    WHEN NOT (
        NEW.id IS OLD.id
        AND NEW.action IS OLD.action
        AND NEW.object_id IS OLD.object_id
        AND NEW.object_repr IS OLD.object_repr
        AND NEW.changes IS OLD.changes
        AND NEW.path IS OLD.path
        AND NEW.ip_address IS OLD.ip_address
        AND NEW.created_at IS OLD.created_at
        AND (NEW.actor_id IS NULL OR NEW.actor_id IS OLD.actor_id)
        AND (NEW.object_type_id IS NULL OR NEW.object_type_id IS OLD.object_type_id)
    )
    BEGIN
        SELECT RAISE(ABORT, 'The audit trail is append-only: its events cannot be changed.');
    END;
    """,
]

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_update;",
]


def _statements(vendor: str, *, create: bool) -> list[str]:
    if vendor == "postgresql":
        return [POSTGRESQL_CREATE if create else POSTGRESQL_DROP]
    if vendor == "sqlite":
        return SQLITE_CREATE if create else SQLITE_DROP
    return []


def create_triggers(apps, schema_editor) -> None:
    for sql in _statements(schema_editor.connection.vendor, create=True):
        # No parameters: the SQL is run exactly as written.
        schema_editor.execute(sql, params=None)


def drop_triggers(apps, schema_editor) -> None:
    for sql in _statements(schema_editor.connection.vendor, create=False):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers),
    ]
