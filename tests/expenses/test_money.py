"""Money in expenses is exact: mileage is miles times the rate in force on the day, to the penny,
and a claim's total is the sum of its items."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from expenses.models import Claim, Item, MileageRate, Vehicle
from expenses.selectors import claim_total, mileage_amount, mileage_rate_on
from tests.factories import TrainerFactory

pytestmark = pytest.mark.django_db


def test_the_starting_rates_are_45p_5p_20p_and_24p_a_mile():
    rates = {rate.vehicle: rate.per_mile for rate in MileageRate.objects.all()}

    assert rates == {
        Vehicle.CAR: Decimal("0.45"),
        Vehicle.PASSENGER: Decimal("0.05"),
        Vehicle.BICYCLE: Decimal("0.20"),
        Vehicle.MOTORCYCLE: Decimal("0.24"),
    }


def test_the_rate_in_force_is_the_latest_one_effective_on_or_before_the_day():
    MileageRate.objects.create(
        vehicle=Vehicle.CAR, per_mile=Decimal("0.50"), effective_from=date(2027, 4, 6)
    )

    assert mileage_rate_on(vehicle=Vehicle.CAR, day=date(2027, 4, 5)).per_mile == Decimal("0.45")
    assert mileage_rate_on(vehicle=Vehicle.CAR, day=date(2027, 4, 6)).per_mile == Decimal("0.50")
    assert mileage_rate_on(vehicle=Vehicle.BICYCLE, day=date(2027, 4, 6)).per_mile == Decimal(
        "0.20"
    )


def test_no_rate_is_in_force_before_the_first():
    assert mileage_rate_on(vehicle=Vehicle.CAR, day=date(2011, 4, 5)) is None


@pytest.mark.parametrize(
    ("miles", "per_mile", "amount"),
    [
        ("23.5", "0.45", "10.58"),  # 10.575: half a penny rounds up
        ("0.3", "0.45", "0.14"),  # 0.1 + 0.2 miles, which is not 0.3 in floating point
        ("1", "0.05", "0.05"),
        ("9999.9", "0.24", "2399.98"),  # 2399.976
    ],
)
def test_a_trip_is_worth_its_miles_times_the_rate_to_the_penny(miles, per_mile, amount):
    assert mileage_amount(miles=Decimal(miles), per_mile=Decimal(per_mile)) == Decimal(amount)


def test_a_claim_totals_its_items_exactly():
    claim = Claim.objects.create(
        trainer=TrainerFactory(), activity=Claim.Activity.OTHER, activity_description="Visit"
    )
    for amount in ("0.10", "0.20", "10.58", "4.20"):
        Item.objects.create(
            claim=claim,
            kind=Item.Kind.OTHER,
            spent_on=date(2026, 12, 1),
            description="x",
            amount=Decimal(amount),
        )

    assert claim_total(claim) == Decimal("15.08")


def test_a_claim_with_no_items_totals_nothing():
    claim = Claim.objects.create(
        trainer=TrainerFactory(), activity=Claim.Activity.OTHER, activity_description="Visit"
    )

    assert claim_total(claim) == Decimal("0.00")


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": Item.Kind.PARKING, "amount": Decimal("0")},
        {"kind": Item.Kind.PARKING, "amount": Decimal("-1.00")},
        {"kind": Item.Kind.MILEAGE, "amount": Decimal("1.00")},  # no miles, vehicle or rate
        {
            "kind": Item.Kind.MILEAGE,
            "amount": Decimal("1.00"),
            "miles": Decimal("0"),
            "vehicle": Vehicle.CAR,
            "per_mile": Decimal("0.45"),
        },
    ],
)
def test_the_database_refuses_an_item_that_is_not_money_owed(fields):
    claim = Claim.objects.create(
        trainer=TrainerFactory(), activity=Claim.Activity.OTHER, activity_description="Visit"
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        Item.objects.create(claim=claim, spent_on=date(2026, 12, 1), description="x", **fields)


def test_the_database_refuses_a_session_claim_without_a_session_and_paid_without_a_date():
    trainer = TrainerFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(trainer=trainer, activity=Claim.Activity.SESSION)
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(
            trainer=trainer, activity=Claim.Activity.OTHER, status=Claim.Status.PAID
        )
