"""Mileage rates for coordinators: every rate with its date, and a new one from today on; a rate
for a day that has one already, a past day or an impossible amount is refused at its field."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from expenses.audit_actions import ExpenseAction
from expenses.models import MileageRate
from expenses.services import mileage_rate_add
from people.models import Role
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db

RATES = reverse("expenses:rate-list")


@pytest.fixture
def coordinator():
    return UserFactory(roles=[Role.COORDINATOR])


@pytest.fixture
def signed_in(client, coordinator):
    client.force_login(coordinator)
    return client


def next_week() -> str:
    return (timezone.localdate() + timedelta(days=7)).isoformat()


def test_the_page_lists_every_rate_with_its_date(signed_in):
    text = signed_in.get(RATES).content.decode()

    assert "£0.45" in text  # the seeded car rate
    assert "Passenger in a car" in text


def test_a_coordinator_adds_a_rate_from_a_future_date_and_it_is_audited(signed_in, coordinator):
    response = signed_in.post(
        RATES, {"vehicle": "car", "per_mile": "£0.55", "effective_from": next_week()}
    )

    assert response.status_code == 302
    rate = MileageRate.objects.get(vehicle="car", per_mile=Decimal("0.55"))
    assert rate.effective_from.isoformat() == next_week()
    event = AuditEvent.objects.get(action=ExpenseAction.MILEAGE_RATE_ADDED)
    assert event.actor == coordinator


def test_a_rate_for_a_day_that_has_one_is_refused_at_the_date(signed_in):
    MileageRate.objects.create(vehicle="car", per_mile=Decimal("0.50"), effective_from=next_week())

    response = signed_in.post(
        RATES, {"vehicle": "car", "per_mile": "0.55", "effective_from": next_week()}
    )

    assert response.context["form"].errors == {
        "effective_from": ["There is already a rate for this way of travelling from then."]
    }
    assert 'value="0.55"' in response.content.decode()
    assert not MileageRate.objects.filter(per_mile=Decimal("0.55")).exists()


def test_a_rate_from_a_past_day_is_refused(signed_in):
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()

    response = signed_in.post(
        RATES, {"vehicle": "car", "per_mile": "0.55", "effective_from": yesterday}
    )

    assert response.context["form"].errors == {
        "effective_from": ["A new rate starts today or later; claims made keep their rate."]
    }


@pytest.mark.parametrize(
    ("per_mile", "message"),
    [
        ("", "Enter the rate a mile in pounds, for example 0.45."),
        ("forty", "Enter the rate a mile in pounds, for example 0.45."),
        ("0.455", "Enter whole pence only, for example 0.45."),
        ("-0.10", "Enter the rate in pounds, from 0 up to £2.00, e.g. 0.45."),
        ("2.01", "Enter the rate in pounds, from 0 up to £2.00, e.g. 0.45."),
    ],
)
def test_an_impossible_rate_is_refused_at_the_field(signed_in, per_mile, message):
    before = MileageRate.objects.count()

    response = signed_in.post(
        RATES, {"vehicle": "car", "per_mile": per_mile, "effective_from": next_week()}
    )

    assert response.context["form"].errors == {"per_mile": [message]}
    assert MileageRate.objects.count() == before


def test_a_rate_from_the_last_day_of_the_calendar_is_added_and_listed(signed_in):
    response = signed_in.post(
        RATES, {"vehicle": "car", "per_mile": "0.55", "effective_from": "9999-12-31"}, follow=True
    )

    assert "31 December 9999" in response.content.decode()
    assert MileageRate.objects.filter(effective_from=date.max).exists()


def test_an_unknown_way_of_travelling_is_refused(signed_in):
    response = signed_in.post(
        RATES, {"vehicle": "rocket", "per_mile": "0.45", "effective_from": next_week()}
    )

    assert response.context["form"].errors == {
        "vehicle": ["Choose a way of travelling from the list."]
    }


def test_the_service_refuses_a_second_rate_for_the_same_day(coordinator):
    mileage_rate_add(
        vehicle="bicycle",
        per_mile=Decimal("0.25"),
        effective_from=timezone.localdate(),
        by=coordinator,
    )

    with pytest.raises(ValidationError) as refused:
        mileage_rate_add(
            vehicle="bicycle",
            per_mile=Decimal("0.30"),
            effective_from=timezone.localdate(),
            by=coordinator,
        )

    assert refused.value.message_dict == {
        "effective_from": ["There is already a rate for this way of travelling from then."]
    }


def test_people_other_than_coordinators_are_refused(client):
    client.force_login(UserFactory(roles=[Role.MANAGER]))

    assert client.get(RATES).status_code == 403
