from celery import shared_task

from notifications import services


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=services.DELIVERY_ERRORS,
    retry_backoff=True,
    max_retries=5,
)
def send_notification(self, notification_id: int) -> None:
    """Send one notification; safe to run twice (the second run finds it already sent)."""
    services.notification_send(
        notification_id=notification_id, final_attempt=self.request.retries >= self.max_retries
    )


@shared_task(acks_late=True)
def send_due_notifications() -> int:
    """Beat: hand each due, queued notification to a worker (reminders, retries after an outage)."""
    due = services.notification_due_ids()
    for notification_id in due:
        send_notification.delay(notification_id)
    return len(due)
