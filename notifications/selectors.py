from datetime import datetime

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
