"""Changes to fees: the standard rates coordinators set, and a paid trainer's fee for a session
(recorded at the rate in force on the session's day -> approved -> paid). Every change is in the
audit trail. The rules are in docs/domain.md#expenses."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.services import audit_record
from core.dates import uk_local
from core.text import one_line
from expenses.audit_actions import ExpenseAction
from expenses.models import Fee, FeeRate
from expenses.selectors.claims import PENNY
from expenses.selectors.fees import (
    fee_amount,
    fee_approve_refused_reason,
    fee_rate_on,
    fee_refused_reason,
    session_day,
)
from people.models import Role, User
from sessions.models import TrainingSession
from trainers.models import Trainer

# The quantity column holds up to 999.9 units, with one decimal place (one and a half days).
MOST_QUANTITY = Decimal("999.9")
MOST_RATE = Decimal("10000")


def _coordinator_refusal(by: User) -> None:
    if not by.has_role(Role.COORDINATOR):
        raise ValidationError("Only a coordinator can do this.")


@transaction.atomic
def fee_rate_create(
    *, by: User, unit: str, amount: Decimal | None, effective_from: date
) -> FeeRate:
    """Set a standard fee for a unit of work from a date; it replaces the unit's earlier rate
    from that day on."""
    _coordinator_refusal(by)
    if unit not in FeeRate.Unit.values:
        raise ValidationError(
            {"unit": "Choose what the rate is for: a half day, full day or hour."}
        )
    if amount is None or not amount.is_finite() or amount <= 0:
        raise ValidationError({"amount": "Enter an amount of more than £0."})
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]  # finite, so an int
        raise ValidationError({"amount": "Enter pounds and pence only, for example 75.50."})
    if amount > MOST_RATE:
        raise ValidationError({"amount": f"A rate can be at most £{MOST_RATE:,}."})
    if FeeRate.objects.filter(unit=unit, effective_from=effective_from).exists():
        raise ValidationError(
            {
                "effective_from": "There is already a rate for this unit from that day: "
                "choose another day."
            }
        )
    try:
        with transaction.atomic():
            rate = FeeRate.objects.create(
                unit=unit, amount=amount.quantize(PENNY), effective_from=effective_from
            )
    except IntegrityError:  # another coordinator set one for that day a moment ago
        raise ValidationError(
            {"effective_from": "There is already a rate for this unit from that day."}
        ) from None
    audit_record(
        action=ExpenseAction.FEE_RATE_SET,
        actor=by,
        obj=rate,
        changes={"unit": unit, "amount": rate.amount, "effective_from": effective_from},
    )
    return rate


def _quantity(value: Decimal | None) -> Decimal:
    if value is None or not value.is_finite() or value <= 0:
        raise ValidationError(
            {"quantity": "Enter how many units, more than 0, for example 1 or 1.5."}
        )
    if value.as_tuple().exponent < -1:  # type: ignore[operator]  # finite, so an int
        raise ValidationError(
            {"quantity": "Enter the units with at most one decimal place, for example 1.5."}
        )
    if value > MOST_QUANTITY:
        raise ValidationError({"quantity": f"Enter at most {MOST_QUANTITY} units."})
    return value


@transaction.atomic
def fee_record(
    *,
    session: TrainingSession,
    trainer: Trainer,
    by: User,
    unit: str,
    quantity: Decimal | None,
) -> Fee:
    """Record a paid trainer's fee for a session they were on: the units at the standard rate in
    force on the session's day, snapshotted so a later rate does not change it."""
    _coordinator_refusal(by)
    # Locking the trainer makes a second coordinator recording the same fee wait, then be told.
    trainer = Trainer.objects.select_for_update().select_related("user").get(pk=trainer.pk)
    if problem := fee_refused_reason(trainer=trainer, session=session):
        raise ValidationError({"trainer": problem})
    if Fee.objects.filter(trainer=trainer, session=session).exists():
        raise ValidationError({"trainer": "This trainer already has a fee for this session."})
    if unit not in FeeRate.Unit.values:
        raise ValidationError({"unit": "Choose a half day, full day or hour."})
    quantity = _quantity(quantity)
    day = session_day(session)
    rate = fee_rate_on(unit=unit, day=day)
    if rate is None:
        raise ValidationError(
            {
                "unit": f"No standard rate for this unit was in force on {day:%-d %B %Y}: "
                "set one on the fee rates page first."
            }
        )
    fee = Fee.objects.create(
        trainer=trainer,
        session=session,
        unit=unit,
        quantity=quantity,
        rate=rate.amount,
        amount=fee_amount(quantity=quantity, rate=rate.amount),
        recorded_by=by,
    )
    audit_record(
        action=ExpenseAction.FEE_RECORDED,
        actor=by,
        obj=fee,
        changes={"unit": unit, "quantity": quantity, "rate": rate.amount, "amount": fee.amount},
    )
    return fee


def _fee_locked(fee: Fee) -> Fee:
    return (
        Fee.objects.select_for_update(of=("self",))
        .select_related("trainer__user", "session")
        .get(pk=fee.pk)
    )


def _fee_move(fee: Fee, *, to: str, by: User) -> None:
    before = fee.status
    fee.status = to
    fee.save()
    audit_record(
        action=ExpenseAction.FEE_STATUS_CHANGED,
        actor=by,
        obj=fee,
        changes={"status": (before, to)},
    )


@transaction.atomic
def fee_approve(*, fee: Fee, by: User) -> Fee:
    """A second coordinator approves a recorded fee; from now on it counts towards the trainer's
    earnings. Of two coordinators approving at once, the second is told."""
    fee = _fee_locked(fee)
    if problem := fee_approve_refused_reason(fee=fee, by=by):
        raise ValidationError(problem)
    fee.approved_by, fee.approved_at = by, timezone.now()
    _fee_move(fee, to=Fee.Status.APPROVED, by=by)
    return fee


def _paid_too_early(fee: Fee, paid_on: date) -> str:
    """Why a fee cannot have been paid on `paid_on`, or "": not before the session it is for,
    nor before the day it was approved, whichever came later (the UK days)."""
    limits = [(session_day(fee.session), "the session")]
    if fee.approved_at is not None:
        limits.append((uk_local(fee.approved_at).date(), "the fee was approved"))
    day, what = max(limits, key=lambda limit: limit[0])
    if paid_on < day:
        return f"The payment date cannot be before {what}, on {day:%-d %B %Y}."
    return ""


@transaction.atomic
def fee_pay(*, fee: Fee, by: User, paid_on: date | None, reference: str = "") -> Fee:
    """Record that an approved fee was paid, on which day (not in the future, nor before its
    session or its approval) and with which reference."""
    fee = _fee_locked(fee)
    if not by.has_role(Role.COORDINATOR):
        raise ValidationError("Only a coordinator can record a payment.")
    if fee.trainer.user_id == by.pk:
        raise ValidationError("You cannot record payment of your own fee: ask another coordinator.")
    if fee.status != Fee.Status.APPROVED:
        raise ValidationError(
            f"This fee is {fee.get_status_display().lower()}, so it cannot be marked paid."
        )
    if paid_on is None:
        raise ValidationError({"paid_on": "Enter the day it was paid."})
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": "The payment date cannot be in the future."})
    if problem := _paid_too_early(fee, paid_on):
        raise ValidationError({"paid_on": problem})
    fee.paid_on, fee.payment_reference = paid_on, one_line(reference)
    _fee_move(fee, to=Fee.Status.PAID, by=by)
    return fee
