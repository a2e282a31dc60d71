from celery import shared_task

from expenses.services import claims_overdue_flag


@shared_task(acks_late=True)
def flag_overdue_claims() -> int:
    """Beat, daily: tell coordinators once of each claim unpaid 10 working days after it was
    submitted (safe to run twice: a claim is flagged by a conditional UPDATE)."""
    return claims_overdue_flag()
