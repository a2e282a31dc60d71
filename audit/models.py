from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from audit.actions import action_label


class Action(models.TextChoices):
    """Transitional: every app's actions in one place, until each app uses the class it registers
    (audit.actions, <app>/audit_actions.py). Not the column's choices; nothing new goes here."""

    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    SIGN_IN_LOCKED = "sign_in_locked", "Locked out after failed sign-ins"
    SIGN_OUT = "sign_out", "Signed out"
    PERMISSION_DENIED = "permission_denied", "Permission denied"
    ROLES_CHANGED = "roles_changed", "Roles changed"
    EXPORT = "export", "Exported data"
    SECOND_FACTOR_ADDED = "second_factor_added", "Two-step sign-in set up"
    SECOND_FACTOR_FAILED = "second_factor_failed", "Wrong two-step sign-in code"
    SECOND_FACTOR_REPLACED = "second_factor_replaced", "Two-step sign-in authenticator replaced"
    SECOND_FACTOR_RESET = "second_factor_reset", "Two-step sign-in reset by an admin"
    ROLE_DESCRIPTION_PUBLISHED = "role_description_published", "Role description published"
    APPLICATION_STATUS_CHANGED = "application_status_changed", "Application moved on"
    TRAINER_ASSIGNED = "trainer_assigned", "Trainer's supporter or programme set"
    T3_PROGRESS_RECORDED = "t3_progress_recorded", "Train the Trainer requirement recorded"
    CERTIFIED = "certified", "Trainer certified"
    CERTIFICATION_CHANGED = "certification_changed", "Certification expiry changed"
    APPLICATION_DELETED = "application_deleted", "Application deleted"
    TRAINER_ACCOUNT_CREATED = "trainer_account_created", "Trainer account created"
    COURSE_VERSION_PILOTED = "course_version_piloted", "Course version moved to pilot"
    COURSE_VERSION_PUBLISHED = "course_version_published", "Course version published"
    IMPORT = "import", "Imported data"
    CALENDAR_FEED_RENEWED = "calendar_feed_renewed", "Calendar address replaced"
    ATTENDANCE_RECORDED = "attendance_recorded", "Attendance recorded"
    DELIVERY_REPORT_FILED = "delivery_report_filed", "Delivery report filed"
    SESSION_COST_ADDED = "session_cost_added", "Session cost added"
    SESSION_COST_REMOVED = "session_cost_removed", "Session cost removed"
    SESSION_SCHEDULED = "session_scheduled", "Session scheduled"
    SESSION_CHANGED = "session_changed", "Session changed or moved"
    SESSION_CONFIRMED = "session_confirmed", "Session confirmed"
    SESSION_CANCELLED = "session_cancelled", "Session cancelled"
    ASSIGNMENT_INVITED = "assignment_invited", "Invited to a session"
    ASSIGNMENT_OVERRIDDEN = "assignment_overridden", "Trainer's own limits overridden"
    ASSIGNMENT_ANSWERED = "assignment_answered", "Invitation to a session answered"
    ASSIGNMENT_WITHDRAWN = "assignment_withdrawn", "Taken off a session"
    EVALUATION_COMMENTS_RELEASED = "evaluation_comments_released", "Comments released to trainers"
    EVALUATION_COMMENT_HIDDEN = "evaluation_comment_hidden", "Evaluation comment hidden"
    EVALUATION_FORM_PUBLISHED = "evaluation_form_published", "Evaluation form published"
    COURSE_REVIEW_RECORDED = "course_review_recorded", "Course review recorded"
    COURSE_REVIEW_NEXT_VERSION = (
        "course_review_next_version",
        "Next course version started from a review",
    )
    NOTIFICATION_RESENT = "notification_resent", "Failed email sent again"


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
