"""Reads about expenses: the mileage rate in force on a day, what a trip is worth, what a claim
adds up to, and what a trainer has been paid in a tax year against their earnings limit."""

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet, Sum
from django.utils import timezone

from core.dates import LONDON, uk_local
from core.workdays import working_day_back, working_days_between
from expenses.models import Claim, Fee, Item, MileageRate
from trainers.models import Trainer

PENNY = Decimal("0.01")


def mileage_rate_on(*, vehicle: str, day: date) -> MileageRate | None:
    """The rate for `vehicle` in force on `day`: the latest one effective on or before it."""
    return (
        MileageRate.objects.filter(vehicle=vehicle, effective_from__lte=day)
        .order_by("-effective_from")
        .first()
    )


def mileage_amount(*, miles: Decimal, per_mile: Decimal) -> Decimal:
    """Miles times the rate, to the penny (half a penny rounds up): 23.5 miles at 45p is £10.58."""
    return (miles * per_mile).quantize(PENNY, rounding=ROUND_HALF_UP)


def claim_total(claim: Claim) -> Decimal:
    """The sum of a claim's items, exactly (£0.00 for a claim with none)."""
    total = claim.items.aggregate(total=Sum("amount"))["total"]
    return total if total is not None else Decimal("0.00")


def tax_year_of(day: date) -> tuple[date, date]:
    """The UK tax year holding `day`: 6 April to the next 5 April."""
    start_year = day.year if (day.month, day.day) >= (4, 6) else day.year - 1
    return date(start_year, 4, 6), date(start_year + 1, 4, 5)


@dataclass(frozen=True)
class EarningsCheck:
    """What a trainer has been paid or approved in a tax year, and what one more payment would
    make it, against the yearly limit they recorded on their profile."""

    limit: Decimal
    so_far: Decimal
    after: Decimal

    @property
    def over(self) -> bool:
        return self.after > self.limit


def earnings_check(*, trainer: Trainer, extra: Decimal, day: date) -> EarningsCheck | None:
    """Fees and expense claims approved or paid in the tax year holding `day`, plus `extra`,
    against the trainer's recorded limit; None when they recorded none. Expenses count as well
    as fees: it is the trainer's adviser, not us, who decides what counts for their benefits, so
    we warn early rather than late. A fee counts in the year of its session, a claim in the year
    it was submitted."""
    if trainer.yearly_earnings_limit is None:
        return None
    start, end = tax_year_of(day)
    counted = (Fee.Status.APPROVED, Fee.Status.PAID)
    fees = Fee.objects.filter(
        trainer=trainer, status__in=counted, session__starts_at__date__range=(start, end)
    ).aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
    claims = Item.objects.filter(
        claim__trainer=trainer,
        claim__status__in=(Claim.Status.APPROVED, Claim.Status.PAID),
        claim__submitted_at__date__range=(start, end),
    ).aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
    so_far = fees + claims
    return EarningsCheck(limit=trainer.yearly_earnings_limit, so_far=so_far, after=so_far + extra)


# --- Overdue: claims not paid within 10 working days of submission (docs/domain.md#expenses) ---

OVERDUE_AFTER_WORKING_DAYS = 10
UNPAID = (Claim.Status.SUBMITTED, Claim.Status.APPROVED)


def claim_working_days_unpaid(claim: Claim) -> int | None:
    """Working days (England and Wales) a submitted claim has waited: from the UK day it was
    submitted to today, or to the day it was paid; None for a claim not waiting for payment."""
    if claim.submitted_at is None or claim.status not in (*UNPAID, Claim.Status.PAID):
        return None
    until = claim.paid_on if claim.paid_on is not None else timezone.localdate(timezone=LONDON)
    return working_days_between(uk_local(claim.submitted_at).date(), until)


def claim_is_overdue(claim: Claim) -> bool:
    """Still unpaid more than 10 working days after the day it was submitted."""
    waited = claim_working_days_unpaid(claim)
    return claim.status in UNPAID and waited is not None and waited > OVERDUE_AFTER_WORKING_DAYS


def claims_overdue(*, today: date) -> QuerySet[Claim]:
    """Claims still unpaid on `today` more than 10 working days after the day they were sent:
    those submitted before the 11th working day counting back from today."""
    first_in_time = working_day_back(today, OVERDUE_AFTER_WORKING_DAYS + 1)
    return Claim.objects.filter(
        status__in=UNPAID,
        submitted_at__lt=datetime.combine(first_in_time, time(0, 0), tzinfo=LONDON),
    )
