"""Changes to expense claims: starting one, adding items, and moving it through its workflow
(draft -> submitted -> approved / rejected / returned for a change -> paid). Every change of
status is kept as a ClaimEvent, the trainer's timeline, and in the audit trail.

Emails on each change, the coordinators' notice of a new claim, receipts, fees and the pages
that call these are still to come.
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from core.text import one_line
from expenses.audit_actions import ExpenseAction
from expenses.models import Claim, ClaimEvent, Item
from expenses.selectors import mileage_amount, mileage_rate_on
from expenses.services_notify import claim_status_notify
from people.models import Role, User
from sessions.models import TrainerAssignment, TrainingSession
from trainers.models import Trainer

EDITABLE = (Claim.Status.DRAFT, Claim.Status.RETURNED)
# A trip longer than this is a typing mistake (the length of Great Britain is under 900 miles).
MOST_MILES = Decimal("1000")
MOST_AMOUNT = Decimal("10000")


def _claim_locked(claim: Claim) -> Claim:
    return Claim.objects.select_for_update().select_related("trainer__user").get(pk=claim.pk)


def _claim_move(claim: Claim, *, to: str, by: User, note: str = "") -> None:
    before = claim.status
    claim.status = to
    claim.save()
    ClaimEvent.objects.create(
        claim=claim, by=by, at=timezone.now(), from_status=before, to_status=to, note=note
    )
    audit_record(
        action=ExpenseAction.CLAIM_STATUS_CHANGED,
        actor=by,
        obj=claim,
        changes={"status": (before, to)},
    )
    claim_status_notify(claim=claim)


@transaction.atomic
def claim_start(
    *,
    trainer: Trainer,
    activity: str,
    session: TrainingSession | None = None,
    activity_description: str = "",
) -> Claim:
    """Open a draft claim. For a session the trainer was on, the draft already open for it is
    given back rather than a second one."""
    activity_description = one_line(activity_description)
    if activity not in Claim.Activity.values:
        raise ValidationError({"activity": "Choose what the claim is for."})
    if activity == Claim.Activity.SESSION:
        on_it = session is not None and TrainerAssignment.objects.filter(
            session=session, user=trainer.user, status=TrainerAssignment.Status.ACCEPTED
        )
        if session is None or not on_it or not on_it.exists():
            raise ValidationError({"session": "Choose a session you were on."})
        open_draft = Claim.objects.filter(
            trainer=trainer, session=session, status__in=EDITABLE
        ).first()
        if open_draft is not None:
            return open_draft
    elif not activity_description:
        raise ValidationError({"activity_description": "Say what the activity was."})
    claim = Claim.objects.create(
        trainer=trainer,
        activity=activity,
        session=session if activity == Claim.Activity.SESSION else None,
        activity_description=activity_description,
    )
    ClaimEvent.objects.create(
        claim=claim, by=trainer.user, at=timezone.now(), to_status=Claim.Status.DRAFT
    )
    return claim


def _money(value: Decimal | None, *, field: str) -> Decimal:
    if value is None or not value.is_finite():
        raise ValidationError({field: "Enter the amount in pounds and pence, for example 4.20."})
    if value <= 0:
        raise ValidationError({field: "Enter an amount of more than £0."})
    if value.as_tuple().exponent < -2:  # type: ignore[operator]  # finite, so an int
        raise ValidationError({field: "Enter pounds and pence only, for example 4.20."})
    if value > MOST_AMOUNT:
        raise ValidationError({field: f"An item can be at most £{MOST_AMOUNT:,}."})
    return value


def _item_day_error(claim: Claim, spent_on: date) -> str:
    if spent_on > timezone.localdate():
        return "The date cannot be in the future."
    if spent_on < timezone.localtime(claim.trainer.created_at).date():
        return "The date is before you joined the programme."
    return ""


@transaction.atomic
def item_add(
    *,
    claim: Claim,
    by: User,
    kind: str,
    spent_on: date,
    description: str,
    amount: Decimal | None = None,
    miles: Decimal | None = None,
    vehicle: str = "",
    reason: str = "",
) -> Item:
    """Add an expense to the trainer's own draft or returned claim. Mileage is worked out from
    the miles and the rate in force on the day; every other kind gives its amount."""
    claim = _claim_locked(claim)
    if claim.trainer.user_id != by.pk or claim.status not in EDITABLE:
        raise ValidationError("Only the trainer's own draft or returned claim can be changed.")
    description, reason = one_line(description), reason.strip()
    if kind not in Item.Kind.values:
        raise ValidationError({"kind": "Choose what kind of expense it is."})
    if not description:
        raise ValidationError({"description": "Say what the expense was."})
    if problem := _item_day_error(claim, spent_on):
        raise ValidationError({"spent_on": problem})
    item = Item(claim=claim, kind=kind, spent_on=spent_on, description=description)
    if kind == Item.Kind.MILEAGE:
        if miles is None or not miles.is_finite() or not 0 < miles <= MOST_MILES:
            raise ValidationError(
                {"miles": f"Enter the miles, more than 0 and up to {MOST_MILES:,}."}
            )
        rate = mileage_rate_on(vehicle=vehicle, day=spent_on)
        if rate is None:
            raise ValidationError({"vehicle": "Choose how you travelled."})
        item.miles, item.vehicle, item.per_mile = miles, vehicle, rate.per_mile
        item.amount = mileage_amount(miles=miles, per_mile=rate.per_mile)
    else:
        item.amount = _money(amount, field="amount")
    if kind == Item.Kind.TAXI and not reason:
        raise ValidationError({"reason": "Say why a taxi was needed."})
    item.reason = reason if kind == Item.Kind.TAXI else ""
    item.save()
    return item


@transaction.atomic
def claim_submit(*, claim: Claim, by: User) -> Claim:
    """The trainer sends their claim for approval; from now on they can only read it."""
    claim = _claim_locked(claim)
    if claim.trainer.user_id != by.pk or claim.status not in EDITABLE:
        raise ValidationError("Only the trainer's own draft or returned claim can be submitted.")
    if not claim.items.exists():
        raise ValidationError("Add at least one expense before submitting the claim.")
    claim.submitted_at = timezone.now()
    # Sent again after a change, it has 10 working days again (docs/domain.md#expenses).
    claim.overdue_flagged_at = None
    _claim_move(claim, to=Claim.Status.SUBMITTED, by=by)
    return claim


def _decider_refusal(claim: Claim, by: User) -> str:
    if not by.has_role(Role.COORDINATOR):
        return "Only a coordinator can decide on a claim."
    if claim.trainer.user_id == by.pk:
        return "You cannot decide on your own claim: ask another coordinator."
    return ""


@transaction.atomic
def claim_decide(*, claim: Claim, by: User, to: str, reason: str = "") -> Claim:
    """A coordinator approves a submitted claim, rejects it or returns it for a change (both with
    a reason the trainer sees). Of two coordinators deciding at once, the second is told."""
    claim = _claim_locked(claim)
    if problem := _decider_refusal(claim, by):
        raise ValidationError(problem)
    if to not in (Claim.Status.APPROVED, Claim.Status.REJECTED, Claim.Status.RETURNED):
        raise ValueError(f"A claim cannot be decided as {to!r}.")
    if claim.status != Claim.Status.SUBMITTED:
        raise ValidationError(
            f"This claim is {claim.get_status_display().lower()} already, so it was not changed."
        )
    reason = reason.strip()
    if to != Claim.Status.APPROVED and not reason:
        raise ValidationError({"reason": "Say why: the trainer is told."})
    claim.decision_reason = reason
    _claim_move(claim, to=to, by=by, note=reason)
    return claim


@transaction.atomic
def claim_pay(*, claim: Claim, by: User, paid_on: date, reference: str = "") -> Claim:
    """Record that an approved claim was paid, on which day and with which reference."""
    claim = _claim_locked(claim)
    if problem := _decider_refusal(claim, by):
        raise ValidationError(problem)
    if claim.status != Claim.Status.APPROVED:
        raise ValidationError(
            f"This claim is {claim.get_status_display().lower()}, so it cannot be marked paid."
        )
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": "The payment date cannot be in the future."})
    claim.paid_on, claim.payment_reference = paid_on, one_line(reference)
    _claim_move(claim, to=Claim.Status.PAID, by=by, note=f"Paid on {paid_on:%-d %B %Y}")
    return claim
