from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet

from audit.models import AuditEvent
from core.dates import LONDON


def event_list(
    *,
    action: str | None = None,
    actor_email: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEvent]:
    """Audit events, newest first, for the audit trail page; both dates are included."""
    events = AuditEvent.objects.select_related("actor", "object_type").order_by(
        "-created_at", "-id"
    )
    if action:
        events = events.filter(action=action)
    if actor_email:
        events = events.filter(actor__email__iexact=actor_email.strip())
    if date_from:
        events = events.filter(created_at__gte=_start_of_day(date_from))
    if date_to:
        events = events.filter(created_at__lt=_start_of_day(date_to + timedelta(days=1)))
    return events


def _start_of_day(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LONDON)
