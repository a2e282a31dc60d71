"""Reads about expenses: the mileage rate in force on a day, what a trip is worth, and what a
claim adds up to."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum

from expenses.models import Claim, MileageRate

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
