"""Reads about expenses: the mileage rate in force on a day, what a trip is worth, what a claim
adds up to, and what a trainer has been paid in a tax year against their earnings limit."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum

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


def earnings_so_far(*, trainers: Iterable[Trainer], day: date) -> dict[int, Decimal]:
    """Fees and expense claims approved or paid in the tax year holding `day`, for each of
    `trainers` by primary key, in two queries however many there are. A fee counts in the year
    of its session, a claim in the year it was submitted."""
    pks = [trainer.pk for trainer in trainers]
    start, end = tax_year_of(day)
    totals = dict.fromkeys(pks, Decimal("0.00"))
    fees = (
        Fee.objects.filter(
            trainer__in=pks,
            status__in=(Fee.Status.APPROVED, Fee.Status.PAID),
            session__starts_at__date__range=(start, end),
        )
        .values("trainer")
        .annotate(total=Sum("amount"))
    )
    claims = (
        Item.objects.filter(
            claim__trainer__in=pks,
            claim__status__in=(Claim.Status.APPROVED, Claim.Status.PAID),
            claim__submitted_at__date__range=(start, end),
        )
        .values("claim__trainer")
        .annotate(total=Sum("amount"))
    )
    for fee_row in fees:
        totals[fee_row["trainer"]] += fee_row["total"]
    for claim_row in claims:
        totals[claim_row["claim__trainer"]] += claim_row["total"]
    return totals


def earnings_check(*, trainer: Trainer, extra: Decimal, day: date) -> EarningsCheck | None:
    """Fees and expense claims approved or paid in the tax year holding `day` (earnings_so_far),
    plus `extra`, against the trainer's recorded limit; None when they recorded none. Expenses
    count as well as fees: it is the trainer's adviser, not us, who decides what counts for their
    benefits, so we warn early rather than late."""
    if trainer.yearly_earnings_limit is None:
        return None
    so_far = earnings_so_far(trainers=[trainer], day=day)[trainer.pk]
    return EarningsCheck(limit=trainer.yearly_earnings_limit, so_far=so_far, after=so_far + extra)
