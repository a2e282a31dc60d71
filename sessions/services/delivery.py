"""After a session starts: the register and self check-in, the delivery report (which marks the
session delivered), and the session's costs."""

from collections.abc import Mapping
from decimal import Decimal
from typing import cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from core.text import one_line
from people.models import User
from sessions.audit_actions import SessionAction
from sessions.hooks import session_delivered
from sessions.models import DeliveryReport, Registration, Room, SessionCost, TrainingSession
from sessions.selectors import (
    ATTENDANCE_MARKS,
    PLACE_TAKING,
    RegistrationCounts,
    attendance_closed_reason,
    check_in_closed_reason,
    delivery_report_refused_reason,
    registration_counts,
)
from sessions.services._common import _session_locked
from trainers.models import Trainer, WellbeingCheckIn
from trainers.services import checkin_record

CHECK_IN_NOT_FOUND = (
    "We could not find a place on this session booked with that email address. Check it is "
    "the address you registered with, or speak to the trainer."
)
COST_LARGEST = Decimal("9999999.99")


@transaction.atomic
def attendance_record(
    *, session: TrainingSession, marks: Mapping[int, str], by: User
) -> RegistrationCounts:
    """Save the register: each registration id marked attended, partly attended or no-show.
    Only during the register's window; every save is audited. Returns the register's counts."""
    session = _session_locked(session)
    reason = attendance_closed_reason(session)
    if reason:
        raise ValidationError(reason)
    if any(mark not in ATTENDANCE_MARKS for mark in marks.values()):
        raise ValidationError("Mark each person as attended, partly attended or did not attend.")
    on_register = {
        registration.pk: registration
        for registration in Registration.objects.filter(
            session=session, status__in=PLACE_TAKING, pk__in=list(marks)
        )
    }
    if set(marks) - set(on_register):
        raise ValidationError(
            "Someone on this register is no longer booked on the session. Open the register "
            "again and mark it afresh."
        )
    now = timezone.now()
    changes: dict[str, tuple[str, str]] = {}
    changed = []
    for pk, mark in marks.items():
        registration = on_register[pk]
        if registration.status != mark:
            changes[f"registration {pk}"] = (registration.status, mark)
            registration.status, registration.status_changed_at = mark, now
            changed.append(registration)
    Registration.objects.bulk_update(changed, ["status", "status_changed_at"])
    if changed and session.status == TrainingSession.Status.DELIVERED:
        session_delivered.fire(session=session)
    counts = registration_counts(session=session)
    audit_record(
        action=SessionAction.ATTENDANCE_RECORDED,
        actor=by,
        obj=session,
        changes={
            "attended": counts.attended,
            "partly_attended": counts.partly_attended,
            "no_show": counts.no_show,
            "not_marked": counts.unmarked,
            **changes,
        },
    )
    return counts


@transaction.atomic
def attendance_check_in(*, session: TrainingSession, email: str) -> Registration:
    """A learner marks themselves attended with the email they registered with, from half an
    hour before the start to the end. A mark a trainer already gave (partly) is kept."""
    reason = check_in_closed_reason(session)
    if reason:
        raise ValidationError(reason)
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .filter(session=session, participant__email__iexact=email.strip(), status__in=PLACE_TAKING)
        .first()
    )
    # The same words whether the address is unknown, waiting or cancelled: the page must not
    # tell anyone who else is registered.
    if registration is None:
        raise ValidationError({"email": CHECK_IN_NOT_FOUND})
    if registration.status in (Registration.Status.BOOKED, Registration.Status.NO_SHOW):
        registration.status = Registration.Status.ATTENDED
        registration.status_changed_at = timezone.now()
        registration.save(update_fields=["status", "status_changed_at"])
    return registration


@transaction.atomic
def delivery_report_submit(
    *,
    session: TrainingSession,
    by: User,
    delivered_as_planned: bool | None,
    attendee_count: int | None,
    changes_on_the_day: str = "",
    went_well: str = "",
    to_change: str = "",
    debrief_feeling: int | None = None,
    debrief_notes: str = "",
    wants_debrief: bool = False,
) -> DeliveryReport:
    """A session's lead or co-trainer reports on it after it ends, which marks it delivered.
    One report per session. The optional debrief is saved as the trainer's private wellbeing
    check-in (trainers.services.checkin_record): only they and their supporter can read it."""
    session = _session_locked(session)
    filed = DeliveryReport.objects.filter(session=session).select_related("submitted_by").first()
    reason = delivery_report_refused_reason(session=session, user=by, report=filed)
    if reason:
        raise ValidationError(reason)
    changes_on_the_day, debrief_notes = changes_on_the_day.strip(), debrief_notes.strip()
    errors = {}
    if delivered_as_planned is None:
        errors["delivered_as_planned"] = "Say whether the session was delivered as planned."
    elif not delivered_as_planned and not changes_on_the_day:
        errors["changes_on_the_day"] = "Say what was different from the plan."
    if attendee_count is None or attendee_count < 0:
        errors["attendee_count"] = "Enter the number of learners: 0 or more."
    trainer = None
    if debrief_feeling is None:
        if debrief_notes or wants_debrief:
            errors["debrief_feeling"] = "Choose how you are feeling, or leave the debrief empty."
    else:
        trainer = Trainer.objects.filter(user=by).first()
        if trainer is None:
            errors["debrief_feeling"] = (
                "Only trainers with a trainer profile can record a wellbeing debrief here."
            )
    if errors or delivered_as_planned is None or attendee_count is None:
        raise ValidationError(errors)
    debrief = None
    if trainer is not None and debrief_feeling is not None:
        debrief = checkin_record(
            trainer=trainer,
            by=by,
            moment=WellbeingCheckIn.Moment.AFTER,
            feeling=debrief_feeling,
            notes=debrief_notes,
            wants_debrief=wants_debrief,
        )
    report = DeliveryReport.objects.create(
        session=session,
        delivered_as_planned=delivered_as_planned,
        changes_on_the_day=changes_on_the_day,
        attendee_count=attendee_count,
        went_well=went_well.strip(),
        to_change=to_change.strip(),
        debrief=debrief,
        submitted_by=by,
    )
    status_before = session.status
    session.status = TrainingSession.Status.DELIVERED
    session.save(update_fields=["status", "updated_at"])
    session_delivered.fire(session=session)
    # Nothing about the debrief goes into the trail, not even that there was one.
    audit_record(
        action=SessionAction.DELIVERY_REPORT_FILED,
        actor=by,
        obj=session,
        changes={
            "status": (status_before, session.status),
            "delivered_as_planned": delivered_as_planned,
            "attendee_count": attendee_count,
        },
    )
    return report


def _cost_checked(*, kind: str, amount: Decimal | None, description: str) -> dict:
    description = one_line(description)
    errors = {}
    if kind not in SessionCost.Kind.values:
        errors["kind"] = "Choose room hire, refreshments, support or other."
    elif kind == SessionCost.Kind.OTHER and not description:
        errors["description"] = "Say what the cost was for."
    if len(description) > 200:
        errors["description"] = "Keep the description to 200 characters."
    if amount is None or not amount.is_finite():
        errors["amount"] = "Enter an amount in pounds, like 45 or 45.50."
    elif amount < 0:
        errors["amount"] = "The amount cannot be less than £0."
    elif cast(int, amount.as_tuple().exponent) < -2:  # a finite amount's exponent is a number
        errors["amount"] = "Enter pounds and pence, with at most 2 digits for pence."
    elif amount > COST_LARGEST:
        errors["amount"] = "Enter an amount under £10,000,000."
    if errors or amount is None:
        raise ValidationError(errors)
    return {"kind": kind, "amount": amount.quantize(Decimal("0.01")), "description": description}


@transaction.atomic
def session_cost_add(
    *, session: TrainingSession, kind: str, amount: Decimal | None, description: str = "", by: User
) -> SessionCost:
    """Add a cost to a session: room hire, refreshments, support or other, in pounds."""
    cost = SessionCost.objects.create(
        session=session, **_cost_checked(kind=kind, amount=amount, description=description)
    )
    audit_record(
        action=SessionAction.SESSION_COST_ADDED,
        actor=by,
        obj=session,
        changes={"cost": cost.get_kind_display(), "amount": str(cost.amount)},
    )
    return cost


@transaction.atomic
def session_cost_room_hire_add(*, session: TrainingSession, by: User) -> SessionCost:
    """Add the room's hire cost, as recorded for the room, to the session's costs."""
    if session.room_id is None:
        raise ValidationError("This session has no room, so there is no room hire to add.")
    if SessionCost.objects.filter(session=session, kind=SessionCost.Kind.ROOM_HIRE).exists():
        raise ValidationError("Room hire is already in this session's costs.")
    room = Room.objects.select_related("venue").get(pk=session.room_id)
    return session_cost_add(
        session=session,
        kind=SessionCost.Kind.ROOM_HIRE,
        amount=room.hire_cost,
        description=f"{room.name}, {room.venue.name}",
        by=by,
    )


@transaction.atomic
def session_cost_remove(*, cost: SessionCost, by: User) -> None:
    """Take a cost off a session (recorded in the audit trail)."""
    audit_record(
        action=SessionAction.SESSION_COST_REMOVED,
        actor=by,
        obj=cost.session,
        changes={"cost": cost.get_kind_display(), "amount": str(cost.amount)},
    )
    cost.delete()
