from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from audit.actions import action_label


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an audit event."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The audit trail is append-only: events cannot be changed.")

    def bulk_update(self, *args, **kwargs):
        raise AppendOnlyError("The audit trail is append-only: events cannot be changed.")

    def delete(self):
        raise AppendOnlyError("The audit trail is append-only: events cannot be deleted.")


class AuditEvent(models.Model):
    """One thing that happened: who, what, to which object, when and which fields changed.

    Append-only: the model refuses to update or delete a row, and database triggers (migration
    0002) refuse UPDATE and DELETE underneath it. Written only through
    `audit.services.audit_record`, which keeps passwords, tokens and sensitive free text out.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # No choices: each app registers its own actions (audit.actions), and audit_record refuses
    # any other, so a new action needs no migration here.
    action = models.CharField(max_length=50)
    object_type = models.ForeignKey(
        ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField("object", max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    # The path only: a query string can carry search terms or tokens.
    path = models.CharField(max_length=500, blank=True)
    ip_address = models.GenericIPAddressField("IP address", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["action", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.created_at:%Y-%m-%d %H:%M})"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyError("The audit trail is append-only: an event cannot be changed.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The audit trail is append-only: an event cannot be deleted.")

    def get_action_display(self) -> str:
        """The action as people read it, from the registered actions."""
        return action_label(self.action)

    @property
    def change_lines(self) -> list[tuple[str, str]]:
        """The changes as (field, what happened) for people to read."""
        lines = []
        for field, value in self.changes.items():
            name = field.replace("_", " ")
            if value == "changed":
                lines.append((name, "changed (value not recorded)"))
            elif isinstance(value, list) and len(value) == 2:
                lines.append((name, f"{_readable(value[0])} → {_readable(value[1])}"))
            else:
                lines.append((name, _readable(value)))
        return lines


def _readable(value) -> str:
    if value is None or value == "" or value == []:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_readable(item) for item in value)
    return str(value)
