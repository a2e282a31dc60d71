from celery import shared_task

from expenses.models import Statement
from expenses.services import claims_overdue_flag, statement_prepare, statements_hand_off_waiting
from trainers.models import Trainer


@shared_task(acks_late=True)
def flag_overdue_claims() -> int:
    """Beat, daily: tell coordinators once of each claim unpaid 10 working days after it was
    submitted (safe to run twice: a claim is flagged by a conditional UPDATE)."""
    return claims_overdue_flag()


@shared_task(acks_late=True)
def prepare_statement(statement_id: int) -> None:
    """Render a queued yearly statement's PDF, store it and mark it ready. Safe to run twice:
    a statement gone or ready already is left alone, and it is marked ready by a conditional
    UPDATE. No Celery retries: a run that fails leaves it queued, and beat's sweep hands it
    over again."""
    statement = (
        Statement.objects.select_related("trainer__user")
        .defer(*[f"trainer__{name}" for name in Trainer.PRIVATE_FIELDS])
        .filter(pk=statement_id)
        .first()
    )
    if statement is None or statement.status != Statement.Status.QUEUED:
        return
    statement_prepare(statement=statement)


@shared_task(acks_late=True)
def hand_off_waiting_statements() -> int:
    """Beat, every two minutes: hand statements still queued after a few minutes to a worker
    again (hand-offs lost while the broker was away); how many were handed over."""
    return statements_hand_off_waiting()
