from datetime import datetime

from django.db import models
from django.db.models import F

from notifications.models import Notification


def notification_count_since(*, kind: str, recipient_email: str, since: datetime) -> int:
    """How many messages of a kind this address has been sent (or queued) since a time."""
    return (
        Notification.objects.filter(
            kind=kind, recipient_email__iexact=recipient_email, created_at__gte=since
        )
        .exclude(status=Notification.Status.CANCELLED)
        .count()
    )


def notification_failed_list() -> models.QuerySet[Notification]:
    """Messages that failed for good, latest attempt first, for the failed-email page."""
    return Notification.objects.filter(status=Notification.Status.FAILED).order_by(
        F("last_attempt_at").desc(nulls_last=True), "-pk"
    )


def notification_retrying_count() -> int:
    """Messages still queued after at least one failed attempt (they will be tried again)."""
    return Notification.objects.filter(status=Notification.Status.QUEUED, attempts__gt=0).count()
