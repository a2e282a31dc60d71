from celery import shared_task

from notifications import services


@shared_task(acks_late=True)
def send_notification(notification_id: int) -> None:
    """Send one notification; safe to run twice (the second run finds it claimed or sent).

    No Celery retries: a failed attempt records its next try in the database, where the sweep
    finds it, so a restarted worker or a lost broker message forgets nothing."""
    services.notification_send(notification_id=notification_id)


@shared_task(acks_late=True)
def send_due_notifications() -> int:
    """Beat, each minute: hand each due, queued notification to a worker (reminders, retries,
    hand-offs lost while the broker was away), except those already waiting in the broker (see
    services.HAND_OFF_GRACE); how many were handed over."""
    handed = 0
    for notification_id in services.notification_due_ids():
        if not services.notification_hand_off(notification_id=notification_id):
            break  # the broker is away: the next sweep tries again
        handed += 1
    return handed
