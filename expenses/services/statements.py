"""Yearly statements, prepared by a worker rather than in the request: rendering a busy year
takes seconds (docs/operations.md#worker-and-beat).

Asking for a statement puts its row back to queued and, after commit, hands the task to the
broker. A worker renders the PDF with no transaction open, stores it under a private random name
and marks the row ready with one conditional UPDATE, so running it twice, or after the statement
was asked for again, changes nothing. A hand-off lost while the broker was away is made again by
beat's sweep (`statements_hand_off_waiting`)."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.handoff import task_hand_off
from expenses.models import Statement
from expenses.pdf import render_statement_pdf
from expenses.selectors.fees import statement_year_refused_reason, year_paid
from people.models import User
from trainers.models import Trainer

# A statement published to the broker is not published again for this long, and the sweep
# leaves a new request this long for its own hand-off (a few seconds' work once a worker has it).
STATEMENT_HAND_OFF_GRACE = timedelta(minutes=5)


@transaction.atomic
def statement_request(*, trainer: Trainer, start_year: int, by: User) -> Statement:
    """Ask for `trainer`'s statement of the tax year from 6 April `start_year` to be prepared,
    or prepared again with what was paid since (the file prepared before is dropped); a worker
    prepares it after commit. One already being prepared is left as it is."""
    refused = statement_year_refused_reason(
        trainer=trainer, start_year=start_year, by=by, today=timezone.localdate()
    )
    if refused:
        raise ValidationError(refused, code="year")
    now = timezone.now()
    statement, created = Statement.objects.select_for_update().get_or_create(
        trainer=trainer,
        start_year=start_year,
        defaults={"requested_by": by, "requested_at": now},
    )
    if not created:
        if statement.status == Statement.Status.QUEUED:
            return statement
        old = statement.file
        old_name = old.name or ""
        statement.status = Statement.Status.QUEUED
        statement.file = ""
        statement.prepared_at = None
        statement.requested_by = by
        statement.requested_at = now
        statement.handed_off_at = None
        statement.save()
        # Only once the row no longer names it: a rollback keeps both.
        transaction.on_commit(lambda: old.storage.delete(old_name))
    transaction.on_commit(lambda: statement_hand_off(statement_id=statement.pk))
    return statement


def statement_prepare(*, statement: Statement) -> bool:
    """Render a queued statement's PDF, store it and mark the statement ready; False when it
    was ready already or asked for again while this one was rendering (the file just stored is
    deleted; the newer request's own run prepares it).

    Not atomic on purpose: rendering takes seconds, and no transaction or lock is held while it
    does. The figures read are those of the request the row names (`requested_at`)."""
    requested_at = statement.requested_at
    pdf = render_statement_pdf(
        year_paid(trainer=statement.trainer, start_year=statement.start_year)
    )
    statement.file = ContentFile(pdf, name="statement.pdf")
    # Stored under private/expenses/statements/<random>.pdf, the kind read from the content.
    statement.file.save(statement.file.name, statement.file.file, save=False)
    now = timezone.now()
    marked = Statement.objects.filter(
        pk=statement.pk, status=Statement.Status.QUEUED, requested_at=requested_at
    ).update(status=Statement.Status.READY, file=statement.file.name, prepared_at=now)
    if not marked:
        statement.file.delete(save=False)
        return False
    statement.status, statement.prepared_at = Statement.Status.READY, now
    return True


def statement_hand_off(*, statement_id: int) -> bool:
    """Publish a queued statement to the broker unless it is already waiting there; False only
    when the broker could not take it (the mark is cleared, so the sweep tries again)."""
    from expenses.tasks import prepare_statement  # tasks import this module

    now = timezone.now()
    marked = (
        Statement.objects.filter(pk=statement_id, status=Statement.Status.QUEUED)
        .filter(Q(handed_off_at__isnull=True) | Q(handed_off_at__lt=now - STATEMENT_HAND_OFF_GRACE))
        .update(handed_off_at=now)
    )
    if not marked:
        return True  # already in the broker, or prepared meanwhile: nothing to publish
    if task_hand_off(prepare_statement, statement_id):
        return True
    Statement.objects.filter(pk=statement_id, handed_off_at=now).update(handed_off_at=None)
    return False


def statements_hand_off_waiting() -> int:
    """Hand to the broker again each statement queued for more than a few minutes and not
    published in the last few (a hand-off lost while the broker was away, a message the broker
    lost), oldest first; how many were handed over."""
    before = timezone.now() - STATEMENT_HAND_OFF_GRACE
    waiting = (
        Statement.objects.filter(status=Statement.Status.QUEUED, requested_at__lt=before)
        .filter(Q(handed_off_at__isnull=True) | Q(handed_off_at__lt=before))
        .order_by("requested_at")
        .values_list("pk", flat=True)[:500]
    )
    handed = 0
    for statement_id in waiting:
        if not statement_hand_off(statement_id=statement_id):
            break  # the broker is away: the next sweep tries again
        handed += 1
    return handed
