from celery import shared_task

from trainers.services import application_purge_closed


@shared_task(acks_late=True)
def purge_closed_applications() -> int:
    """Beat, daily: delete applications closed over 12 months ago (safe to run twice)."""
    return application_purge_closed()
