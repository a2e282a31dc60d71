"""Coordinators set the standard fee rates (a half day, a full day, an hour) with the day each is
in force from, at /fees/rates/; a rate for the same unit and day is refused at the field."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from expenses.audit_actions import ExpenseAction
from expenses.models import FeeRate
from expenses.selectors import fee_rate_list, fee_rate_on
from expenses.services import fee_rate_create
from tests.expenses.factories import FeeRateFactory

pytestmark = pytest.mark.django_db

HALF_DAY = FeeRate.Unit.HALF_DAY
URL = "/fees/rates/"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime(2026, 12, 4, 12, 0, tzinfo=UTC)):
        yield


def test_the_rates_page_is_where_the_url_says():
    assert reverse("expenses:fee-rates") == URL


def test_a_coordinator_sets_a_rate_and_it_is_audited(coordinator):
    rate = fee_rate_create(
        by=coordinator, unit=HALF_DAY, amount=Decimal("75.50"), effective_from=date(2027, 4, 6)
    )

    assert (rate.unit, rate.amount, rate.effective_from) == (
        HALF_DAY,
        Decimal("75.50"),
        date(2027, 4, 6),
    )
    event = AuditEvent.objects.get(action=ExpenseAction.FEE_RATE_SET)
    assert (event.actor, event.changes["amount"]) == (coordinator, "75.50")


def test_the_rate_in_force_is_the_latest_one_effective_on_or_before_the_day():
    FeeRateFactory(unit=HALF_DAY, amount=Decimal("70.00"), effective_from=date(2026, 4, 6))
    FeeRateFactory(unit=HALF_DAY, amount=Decimal("80.00"), effective_from=date(2027, 4, 6))
    FeeRateFactory(unit=FeeRate.Unit.HOUR, amount=Decimal("15.00"), effective_from=date(2027, 1, 1))

    assert fee_rate_on(unit=HALF_DAY, day=date(2027, 4, 5)).amount == Decimal("70.00")
    assert fee_rate_on(unit=HALF_DAY, day=date(2027, 4, 6)).amount == Decimal("80.00")
    assert fee_rate_on(unit=HALF_DAY, day=date(2026, 4, 5)) is None
    rows = [(row.rate.amount, row.in_force) for row in fee_rate_list(today=date(2026, 12, 4))]
    assert rows == [
        (Decimal("80.00"), False),  # the half day's 2027 rate is not in force yet
        (Decimal("70.00"), True),
        (Decimal("15.00"), False),  # the hourly rate starts in 2027
    ]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"amount": Decimal("0")}, "amount", "Enter an amount of more than £0."),
        ({"amount": Decimal("-5")}, "amount", "Enter an amount of more than £0."),
        ({"amount": None}, "amount", "Enter an amount of more than £0."),
        (
            {"amount": Decimal("75.505")},
            "amount",
            "Enter pounds and pence only, for example 75.50.",
        ),
        ({"amount": Decimal("10000.01")}, "amount", "A rate can be at most £10,000."),
        (
            {"unit": "week"},
            "unit",
            "Choose what the rate is for: a half day, full day or hour.",
        ),
    ],
)
def test_a_bad_rate_is_refused_at_its_field(coordinator, fields, field, message):
    arguments = {"unit": HALF_DAY, "amount": Decimal("75"), "effective_from": date(2027, 4, 6)}

    with pytest.raises(ValidationError) as refused:
        fee_rate_create(by=coordinator, **(arguments | fields))

    assert refused.value.message_dict == {field: [message]}
    assert not FeeRate.objects.exists()


def test_only_a_coordinator_sets_a_rate(manager, trainer):
    for person in (manager, trainer):
        with pytest.raises(ValidationError, match="Only a coordinator"):
            fee_rate_create(
                by=person, unit=HALF_DAY, amount=Decimal("75"), effective_from=date(2027, 4, 6)
            )

    assert not FeeRate.objects.exists()


def test_a_second_rate_for_the_same_unit_and_day_is_refused_at_the_date_keeping_what_was_typed(
    client, coordinator
):
    FeeRateFactory(unit=HALF_DAY, amount=Decimal("75.00"), effective_from=date(2027, 4, 6))
    client.force_login(coordinator)

    response = client.post(
        URL, {"unit": HALF_DAY, "amount": "82.25", "effective_from": "2027-04-06"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "There is already a rate for this unit from that day: choose another day." in page
    assert 'value="82.25"' in page
    assert FeeRate.objects.get().amount == Decimal("75.00")


def test_a_rate_from_the_last_day_of_the_calendar_is_set_and_listed(client, coordinator):
    client.force_login(coordinator)

    response = client.post(
        URL, {"unit": HALF_DAY, "amount": "80", "effective_from": "9999-12-31"}, follow=True
    )

    assert "31 December 9999" in response.content.decode()
    assert FeeRate.objects.filter(effective_from=date.max).exists()


def test_the_same_day_for_another_unit_is_fine(client, coordinator):
    FeeRateFactory(unit=HALF_DAY, effective_from=date(2027, 4, 6))
    client.force_login(coordinator)

    response = client.post(
        URL,
        {"unit": FeeRate.Unit.FULL_DAY, "amount": "140", "effective_from": "2027-04-06"},
        follow=True,
    )

    assert "Full day rate of £140.00 set from 6 April 2027." in response.content.decode()
    assert FeeRate.objects.count() == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"amount": "lots"}, "Enter the amount in pounds and pence, for example 75.50."),
        ({"effective_from": "31/02/2027"}, "Enter a real date, like 6/4/2027."),
        ({"unit": ""}, "Choose a half day, full day or hour."),
    ],
)
def test_unreadable_input_is_explained_at_the_field(client, coordinator, data, message):
    client.force_login(coordinator)

    response = client.post(
        URL, {"unit": HALF_DAY, "amount": "75", "effective_from": "2027-04-06"} | data
    )

    assert message in response.content.decode()
    assert not FeeRate.objects.exists()


def test_the_rates_page_marks_the_rate_in_force_today_and_is_for_coordinators_only(
    client, coordinator, trainer
):
    FeeRateFactory(unit=HALF_DAY, amount=Decimal("70.00"), effective_from=date(2026, 4, 6))
    FeeRateFactory(unit=HALF_DAY, amount=Decimal("80.00"), effective_from=date(2027, 4, 6))
    client.force_login(trainer)
    assert client.get(URL).status_code == 403

    client.force_login(coordinator)
    page = client.get(URL).content.decode()

    assert page.count("In force</span>") == 1
    assert page.index("£80.00") < page.index("£70.00") < page.index("In force</span>")


def test_the_rates_page_runs_the_same_queries_with_few_or_many_rates(
    client, coordinator, django_assert_max_num_queries
):
    FeeRateFactory(unit=HALF_DAY, effective_from=date(2026, 4, 6))
    client.force_login(coordinator)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    FeeRate.objects.bulk_create(
        FeeRate(unit=unit, amount=Decimal("50.00"), effective_from=date(2000 + n, 1, 1))
        for n in range(20)
        for unit in FeeRate.Unit.values
    )

    with django_assert_max_num_queries(len(few)):
        page = client.get(URL).content.decode()

    assert page.count("In force</span>") == 3
