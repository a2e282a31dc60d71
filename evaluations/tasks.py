from celery import shared_task

from evaluations import services


@shared_task(acks_late=True)
def send_evaluation_chasers() -> int:
    """Beat: send the one reminder, 3 days after the invitation, to each attendee who has not
    given feedback; safe to run again (each invitation is chased once)."""
    return services.invitations_chase_due()
