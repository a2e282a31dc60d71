"""Emails about expenses, queued through the notification log inside the change that causes them
(so they go after commit, and not at all if it rolls back), and the daily overdue flag.

The trainer hears of each change of their claim's status and of their travel being booked or
cancelled; coordinators hear of each new claim, each new travel request and, once a claim is
overdue, of it in one summary. Emails name the claim, the session's course and day, places and
amounts, never an activity's description, a purpose or anything else a trainer typed about
themselves (docs/domain.md#privacy); the page behind the link says the rest.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from core.dates import DAY, LONDON, WEEKDAY_DAY, uk_day, uk_weekday
from expenses.models import Claim, TravelRequest
from expenses.selectors.claims import claim_total, claims_overdue
from notifications.services import notification_queue
from people.models import Role, User
from sessions.models import TrainingSession


def claim_path(claim: Claim, *, for_coordinator: bool) -> str:
    """Where an email about a claim links to: the trainer's claim page, or the coordinators'."""
    name = "expenses:review-claim" if for_coordinator else "expenses:claim-detail"
    return reverse(name, kwargs={"pk": claim.pk})


def _active_coordinators() -> list[User]:
    return list(
        User.objects.filter(is_active=True, groups__name=Role.COORDINATOR.label)
        .distinct()
        .order_by("pk")
    )


def _told(coordinators: list[User], *, session: TrainingSession | None, about: User) -> list[User]:
    others = [c for c in coordinators if c.pk != about.pk]
    if session is not None:
        own = [c for c in others if c.pk == session.coordinator_id]
        if own:
            return own
    return others


def coordinators_to_tell(*, session: TrainingSession | None, about: User) -> list[User]:
    """Who is told of a trainer's new claim or travel request: the session's coordinator, as
    sessions tell them of answers to invitations; for other activity, or a session whose
    coordinator is gone, every active coordinator. Never the trainer themselves."""
    return _told(_active_coordinators(), session=session, about=about)


def _claim_label(claim: Claim) -> str:
    session = claim.session
    if session is None:
        return f"Claim {claim.pk}"
    return f"Claim {claim.pk}, {session.course_version.course} on {uk_day(session.starts_at)}"


# Each status a trainer is told of: the email's kind and template, and its subject's ending.
CLAIM_EMAILS: dict[str, tuple[str, str]] = {
    Claim.Status.SUBMITTED: ("expenses/email/claim_submitted", "received"),
    Claim.Status.APPROVED: ("expenses/email/claim_approved", "approved"),
    Claim.Status.REJECTED: ("expenses/email/claim_rejected", "not approved"),
    Claim.Status.RETURNED: ("expenses/email/claim_returned", "returned for a change"),
    Claim.Status.PAID: ("expenses/email/claim_paid", "paid"),
}


def claim_status_notify(*, claim: Claim) -> None:
    """Tell the trainer their claim moved on (a receipt when they submit it, the reason when it
    is rejected or returned, the date and reference when it is paid); tell coordinators of a
    newly submitted claim."""
    if claim.status not in CLAIM_EMAILS:
        return
    template, what = CLAIM_EMAILS[claim.status]
    label = _claim_label(claim)
    total = claim_total(claim)
    trainer = claim.trainer.user
    notification_queue(
        kind=f"claim_{claim.status}",
        recipient_email=trainer.email,
        recipient_user=trainer,
        related=claim,
        subject=f"Your expenses claim {claim.pk} is {what}",
        template=template,
        context={
            "claim_label": label,
            "total": f"{total:,}",
            "reason": claim.decision_reason,
            "paid_on": date_format(claim.paid_on, DAY) if claim.paid_on else "",
            "reference": claim.payment_reference,
            "claim_path": claim_path(claim, for_coordinator=False),
        },
    )
    if claim.status != Claim.Status.SUBMITTED:
        return
    for coordinator in coordinators_to_tell(session=claim.session, about=trainer):
        notification_queue(
            kind="claim_submitted_coordinator",
            recipient_email=coordinator.email,
            recipient_user=coordinator,
            related=claim,
            subject=f"New expenses claim from {trainer}",
            template="expenses/email/claim_submitted_coordinator",
            context={
                "trainer": str(trainer),
                "claim_label": label,
                "total": f"{total:,}",
                "claim_path": claim_path(claim, for_coordinator=True),
            },
        )


# --- Overdue claims ---


@transaction.atomic
def claims_overdue_flag(*, now: datetime | None = None) -> int:
    """Mark claims newly overdue (unpaid more than 10 working days after submission) and send
    each coordinator one summary of them; how many were newly flagged. Safe to run twice: the
    conditional UPDATE below claims each claim for one run only."""
    now = now or timezone.now()
    today = timezone.localtime(now, LONDON).date()
    # Two runs at once: the second's UPDATE waits on the first's row locks, then finds
    # overdue_flagged_at set and skips those rows. Each run knows its own rows by its stamp.
    flagged = (
        claims_overdue(today=today)
        .filter(overdue_flagged_at__isnull=True)
        .update(overdue_flagged_at=now)
    )
    if not flagged:
        return 0
    claims = list(
        Claim.objects.filter(overdue_flagged_at=now)
        .select_related("trainer__user", "session__course_version__course")
        .order_by("submitted_at", "pk")
    )
    _overdue_summaries_queue(claims, now=now)
    return flagged


def _overdue_summaries_queue(claims: Iterable[Claim], *, now: datetime) -> None:
    per_coordinator: dict[User, list[dict]] = defaultdict(list)
    coordinators = _active_coordinators()
    for claim in claims:
        line = {
            "trainer": str(claim.trainer.user),
            "claim_label": _claim_label(claim),
            "submitted": uk_weekday(claim.submitted_at) if claim.submitted_at else "",
            "status": claim.get_status_display().lower(),
            "claim_path": claim_path(claim, for_coordinator=True),
        }
        for coordinator in _told(coordinators, session=claim.session, about=claim.trainer.user):
            per_coordinator[coordinator].append(line)
    for coordinator, lines in per_coordinator.items():
        notification_queue(
            kind="claims_overdue",
            recipient_email=coordinator.email,
            recipient_user=coordinator,
            subject=(
                "1 expenses claim is overdue for payment"
                if len(lines) == 1
                else f"{len(lines)} expenses claims are overdue for payment"
            ),
            template="expenses/email/claims_overdue",
            context={"claims": lines},
            due_at=now,
        )


# --- Travel booked for trainers ---


def _travel_context(travel: TravelRequest) -> dict:
    return {
        "travel_on": _travel_day(travel),
        "from_place": travel.from_place,
        "to_place": travel.to_place,
        "mode": travel.get_mode_display(),
        "return_journey": travel.return_journey,
        "travel_path": reverse("expenses:travel-detail", kwargs={"pk": travel.pk}),
    }


def _travel_day(travel: TravelRequest) -> str:
    return date_format(travel.travel_on, WEEKDAY_DAY)


def travel_requested_notify(*, travel: TravelRequest) -> None:
    """Tell coordinators a trainer asked for travel to be booked."""
    trainer = travel.trainer.user
    for coordinator in coordinators_to_tell(session=travel.session, about=trainer):
        notification_queue(
            kind="travel_requested",
            recipient_email=coordinator.email,
            recipient_user=coordinator,
            related=travel,
            subject=f"{trainer} asks for travel to be booked",
            template="expenses/email/travel_requested",
            context=_travel_context(travel) | {"trainer": str(trainer)},
        )


def travel_booked_notify(*, travel: TravelRequest) -> None:
    """Tell the trainer their travel is booked, with the details."""
    trainer = travel.trainer.user
    notification_queue(
        kind="travel_booked",
        recipient_email=trainer.email,
        recipient_user=trainer,
        related=travel,
        subject=f"Your travel on {_travel_day(travel)} is booked",
        template="expenses/email/travel_booked",
        context=_travel_context(travel) | {"booking_details": travel.booking_details},
    )


def travel_cancelled_notify(*, travel: TravelRequest, by: User) -> None:
    """Tell the trainer a coordinator cancelled their travel; tell the coordinator who booked it
    when the trainer cancels booked travel, so the tickets can be given back."""
    trainer = travel.trainer.user
    if by.pk != trainer.pk:
        recipient = trainer
    elif travel.booked_by is not None and travel.booked_by.is_active:
        recipient = travel.booked_by
    else:
        return
    notification_queue(
        kind="travel_cancelled",
        recipient_email=recipient.email,
        recipient_user=recipient,
        related=travel,
        subject=f"Travel on {_travel_day(travel)} is cancelled",
        template="expenses/email/travel_cancelled",
        context=_travel_context(travel)
        | {"trainer": str(trainer), "to_trainer": recipient.pk == trainer.pk},
    )
