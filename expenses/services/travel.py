"""Travel booked for trainers, so nobody pays up front: a trainer asks (for a session they are
on, or another activity), a coordinator books it and adds the details (tickets, times,
reference, the cost if known), then marks it used; either may cancel it before then. Every
change is in the audit trail; the emails are in expenses.services.notify."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from core.text import one_line
from expenses.audit_actions import ExpenseAction
from expenses.models import TravelRequest
from expenses.services.notify import (
    travel_booked_notify,
    travel_cancelled_notify,
    travel_requested_notify,
)
from people.models import Role, User
from sessions.models import TrainerAssignment, TrainingSession
from trainers.models import Trainer

OPEN = (TravelRequest.Status.REQUESTED, TravelRequest.Status.BOOKED)
MOST_COST = Decimal("10000")


def _travel_locked(travel: TravelRequest) -> TravelRequest:
    return (
        TravelRequest.objects.select_for_update(of=("self",))
        .select_related("trainer__user", "booked_by", "session")
        .get(pk=travel.pk)
    )


def _travel_move(travel: TravelRequest, *, to: str, by: User) -> None:
    before = travel.status
    travel.status = to
    travel.save()
    audit_record(
        action=ExpenseAction.TRAVEL_STATUS_CHANGED,
        actor=by,
        obj=travel,
        changes={"status": (before, to)},
    )


def _session_refusal(*, trainer: Trainer, session: TrainingSession | None, purpose: str) -> dict:
    if session is None:
        return {} if purpose else {"purpose": "Say what the travel is for."}
    on_it = TrainerAssignment.objects.filter(
        session=session, user=trainer.user, status=TrainerAssignment.Status.ACCEPTED
    ).exclude(session__status=TrainingSession.Status.CANCELLED)
    return {} if on_it.exists() else {"session": "Choose a session you are on."}


def _journey_refusal(*, travel_on: date, from_place: str, to_place: str, mode: str) -> dict:
    errors = {}
    if travel_on < timezone.localdate():
        errors["travel_on"] = "The date of travel cannot be in the past."
    if not from_place:
        errors["from_place"] = "Say where you travel from."
    if not to_place:
        errors["to_place"] = "Say where you travel to."
    if mode not in TravelRequest.Mode.values:
        errors["mode"] = "Choose how you would like to travel."
    return errors


@transaction.atomic
def travel_request_create(
    *,
    trainer: Trainer,
    by: User,
    travel_on: date,
    from_place: str,
    to_place: str,
    mode: str,
    session: TrainingSession | None = None,
    purpose: str = "",
    return_journey: bool = True,
    notes: str = "",
) -> TravelRequest:
    """A trainer asks for travel to be booked for them, for a session they are on or another
    activity they name; coordinators are told. Whatever payment they chose, they may ask."""
    if trainer.user_id != by.pk:
        raise ValidationError("Only the trainer can ask for their own travel to be booked.")
    if trainer.status == Trainer.Status.LEFT:
        raise ValidationError("You have left the programme, so travel cannot be booked for you.")
    purpose = "" if session is not None else one_line(purpose)
    from_place, to_place = one_line(from_place), one_line(to_place)
    errors = _session_refusal(trainer=trainer, session=session, purpose=purpose)
    errors |= _journey_refusal(
        travel_on=travel_on, from_place=from_place, to_place=to_place, mode=mode
    )
    if errors:
        raise ValidationError(errors)
    travel = TravelRequest.objects.create(
        trainer=trainer,
        session=session,
        purpose=purpose,
        travel_on=travel_on,
        from_place=from_place,
        to_place=to_place,
        mode=mode,
        return_journey=return_journey,
        notes=notes.strip(),
    )
    audit_record(
        action=ExpenseAction.TRAVEL_STATUS_CHANGED,
        actor=by,
        obj=travel,
        changes={"status": ("", travel.status)},
    )
    travel_requested_notify(travel=travel)
    return travel


def _cost(cost: Decimal | None) -> Decimal | None:
    if cost is None:
        return None
    if not cost.is_finite() or cost < 0:
        raise ValidationError({"cost": "Enter the cost in pounds and pence, for example 23.40."})
    if cost.as_tuple().exponent < -2:  # type: ignore[operator]  # finite, so an int
        raise ValidationError({"cost": "Enter pounds and pence only, for example 23.40."})
    if cost > MOST_COST:
        raise ValidationError({"cost": f"The cost can be at most £{MOST_COST:,}."})
    return cost


@transaction.atomic
def travel_request_book(
    *, travel: TravelRequest, by: User, booking_details: str, cost: Decimal | None = None
) -> TravelRequest:
    """A coordinator books requested travel and gives the trainer the details (tickets, times,
    reference), with the cost if known; the trainer is emailed them."""
    travel = _travel_locked(travel)
    if not by.has_role(Role.COORDINATOR):
        raise ValidationError("Only a coordinator can book travel.")
    if travel.status != TravelRequest.Status.REQUESTED:
        raise ValidationError(
            f"This travel is {travel.get_status_display().lower()} already, so it was not changed."
        )
    booking_details = booking_details.strip()
    if not booking_details:
        raise ValidationError(
            {"booking_details": "Give the booking details: tickets, times and reference."}
        )
    travel.cost = _cost(cost)
    travel.booking_details = booking_details
    travel.booked_by, travel.booked_at = by, timezone.now()
    _travel_move(travel, to=TravelRequest.Status.BOOKED, by=by)
    travel_booked_notify(travel=travel)
    return travel


@transaction.atomic
def travel_request_cancel(*, travel: TravelRequest, by: User) -> TravelRequest:
    """The trainer cancels their own travel, or a coordinator cancels any, while it is still
    requested or booked. A coordinator's cancelling is emailed to the trainer; a trainer's
    cancelling of booked travel, to the coordinator who booked it."""
    travel = _travel_locked(travel)
    if travel.trainer.user_id != by.pk and not by.has_role(Role.COORDINATOR):
        raise ValidationError("Only the trainer or a coordinator can cancel this travel.")
    if travel.status not in OPEN:
        raise ValidationError(
            f"This travel is {travel.get_status_display().lower()}, so it cannot be cancelled."
        )
    was_booked = travel.status == TravelRequest.Status.BOOKED
    _travel_move(travel, to=TravelRequest.Status.CANCELLED, by=by)
    if was_booked or travel.trainer.user_id != by.pk:
        travel_cancelled_notify(travel=travel, by=by)
    return travel


@transaction.atomic
def travel_request_mark_used(*, travel: TravelRequest, by: User) -> TravelRequest:
    """A coordinator records that booked travel was used."""
    travel = _travel_locked(travel)
    if not by.has_role(Role.COORDINATOR):
        raise ValidationError("Only a coordinator can mark travel as used.")
    if travel.status != TravelRequest.Status.BOOKED:
        raise ValidationError(
            f"This travel is {travel.get_status_display().lower()}, so it cannot be marked used."
        )
    _travel_move(travel, to=TravelRequest.Status.USED, by=by)
    return travel
