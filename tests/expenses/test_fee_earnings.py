"""Earnings against a trainer's yearly limit: fees and expense claims approved or paid in the UK
tax year (6 April to 5 April), the warning the coordinator and the trainer see, and the
trainer's "My earnings" page."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from expenses.models import Claim, Fee
from expenses.selectors import earnings_check, tax_year_of
from tests.expenses.factories import ClaimFactory, FeeFactory, ItemFactory
from tests.sessions.factories import TrainingSessionFactory
from tests.trainers.factories import TrainerFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime(2026, 12, 4, 12, 0, tzinfo=UTC)):
        yield


@pytest.fixture
def limited():
    trainer = TrainerFactory(status="active", yearly_earnings_limit=Decimal("100.00"))
    trainer.created_at = timezone.now() - timedelta(days=800)
    trainer.save(update_fields=["created_at"])
    return trainer


def fee_on(trainer, day: date, amount: str, status=Fee.Status.APPROVED):
    """A fee for a session at 10:00 UK time on `day`."""
    starts = datetime(day.year, day.month, day.day, 10, tzinfo=LONDON)
    return FeeFactory(
        trainer=trainer,
        session=TrainingSessionFactory(starts_at=starts, ends_at=starts + timedelta(hours=3)),
        amount=Decimal(amount),
        status=status,
        paid_on=day if status == Fee.Status.PAID else None,
    )


def claim_submitted(trainer, at: datetime, amount: str, status=Claim.Status.APPROVED):
    claim = ClaimFactory(trainer=trainer, status=status)
    Claim.objects.filter(pk=claim.pk).update(submitted_at=at)
    ItemFactory(claim=claim, amount=Decimal(amount))
    return claim


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        (date(2026, 4, 5), date(2025, 4, 6), date(2026, 4, 5)),
        (date(2026, 4, 6), date(2026, 4, 6), date(2027, 4, 5)),
        (date(2027, 1, 1), date(2026, 4, 6), date(2027, 4, 5)),
    ],
)
def test_the_tax_year_runs_from_6_april_to_5_april(day, start, end):
    assert tax_year_of(day) == (start, end)


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        (date(9999, 12, 31), date(9999, 4, 6), date.max),
        (date(9999, 4, 5), date(9998, 4, 6), date(9999, 4, 5)),
        (date(1, 1, 1), date.min, date(1, 4, 5)),
    ],
)
def test_a_tax_year_at_the_ends_of_the_calendar_stops_at_its_first_or_last_day(day, start, end):
    assert tax_year_of(day) == (start, end)


def test_the_earnings_check_on_the_last_day_of_the_calendar_counts_that_years_fees(limited):
    fee_on(limited, date(9999, 12, 31), "150.00")

    check = earnings_check(trainer=limited, extra=Decimal("0.00"), day=date(9999, 12, 31))

    assert check is not None
    assert (check.so_far, check.over) == (Decimal("150.00"), True)


def test_no_limit_recorded_means_no_check():
    trainer = TrainerFactory(yearly_earnings_limit=None)
    fee_on(trainer, date(2026, 5, 1), "5000.00")

    assert earnings_check(trainer=trainer, extra=Decimal("1"), day=date(2026, 12, 4)) is None


def test_fees_and_claims_in_the_tax_year_count_and_the_edges_are_5_and_6_april(limited):
    fee_on(limited, date(2026, 4, 5), "1000.00")  # the tax year before
    fee_on(limited, date(2026, 4, 6), "10.10")  # first day of this one
    fee_on(limited, date(2027, 4, 5), "20.20")  # its last day
    fee_on(limited, date(2027, 4, 6), "1000.00")  # the next
    claim_submitted(
        limited, datetime(2026, 4, 5, 23, 30, tzinfo=UTC), "0.10"
    )  # 00:30 on 6 April, UK
    claim_submitted(
        limited, datetime(2026, 4, 5, 22, 30, tzinfo=UTC), "500.00"
    )  # 23:30 on 5 April, UK

    check = earnings_check(trainer=limited, extra=Decimal("0.20"), day=date(2026, 12, 4))

    assert (check.so_far, check.after, check.limit) == (
        Decimal("30.40"),
        Decimal("30.60"),
        Decimal("100.00"),
    )
    assert not check.over


@pytest.mark.parametrize(
    ("fee_status", "claim_status", "counted"),
    [
        (Fee.Status.RECORDED, Claim.Status.SUBMITTED, "0.00"),
        (Fee.Status.APPROVED, Claim.Status.DRAFT, "60.00"),
        (Fee.Status.PAID, Claim.Status.REJECTED, "60.00"),
        (Fee.Status.RECORDED, Claim.Status.APPROVED, "40.00"),
        (Fee.Status.RECORDED, Claim.Status.PAID, "40.00"),
        (Fee.Status.RECORDED, Claim.Status.RETURNED, "0.00"),
        (Fee.Status.PAID, Claim.Status.PAID, "100.00"),
    ],
)
def test_only_approved_or_paid_fees_and_claims_count(limited, fee_status, claim_status, counted):
    fee_on(limited, date(2026, 6, 1), "60.00", status=fee_status)
    claim_submitted(limited, datetime(2026, 6, 2, 12, tzinfo=UTC), "40.00", status=claim_status)

    check = earnings_check(trainer=limited, extra=Decimal("0"), day=date(2026, 12, 4))

    assert check.so_far == Decimal(counted)


def test_going_past_the_limit_by_a_penny_is_over_and_reaching_it_is_not(limited):
    fee_on(limited, date(2026, 6, 1), "0.10")
    claim_submitted(limited, datetime(2026, 6, 2, 12, tzinfo=UTC), "0.20")
    day = date(2026, 12, 4)

    assert earnings_check(trainer=limited, extra=Decimal("99.70"), day=day).over is False
    assert earnings_check(trainer=limited, extra=Decimal("99.71"), day=day).over is True
    assert earnings_check(trainer=limited, extra=Decimal("99.70"), day=day).after == Decimal(
        "100.00"
    )


def test_another_trainers_earnings_do_not_count(limited):
    fee_on(TrainerFactory(), date(2026, 6, 1), "99.00")

    assert earnings_check(trainer=limited, extra=Decimal("0"), day=date(2026, 12, 4)).so_far == 0


# My earnings


URL = "/my-earnings/"


def test_my_earnings_shows_what_was_paid_this_tax_year_and_the_limit(client, limited):
    fee_on(limited, date(2026, 6, 1), "45.10", status=Fee.Status.PAID)
    fee_on(limited, date(2026, 3, 1), "999.00", status=Fee.Status.PAID)  # last tax year
    claim = claim_submitted(limited, datetime(2026, 6, 2, 12, tzinfo=UTC), "0.10")
    ItemFactory(claim=claim, amount=Decimal("0.20"))
    Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.PAID, paid_on=date(2026, 6, 9))
    client.force_login(limited.user)

    page = client.get(URL).content.decode()

    assert reverse("expenses:my-earnings") == URL
    assert "Fees paid this tax year, total £45.10" in page
    assert "Expense claims paid this tax year, total £0.30" in page
    assert "Paid to you this tax year in all: <strong>£45.40</strong>" in page
    assert "Your limit is <strong>£100.00</strong>" in page
    assert "come to <strong>£45.40</strong>, so £54.60 is left" in page
    assert "Warning:" not in page
    statement = reverse("expenses:statement-request", kwargs={"pk": limited.pk, "year": 2026})
    assert statement in page
    assert "Tax year 6 April 2024 to 5 April 2025" in page
    assert "Prepare my statement for 2024 to 2025" in page


def test_the_trainer_is_warned_when_a_fee_awaiting_approval_would_take_them_past_it(
    client, limited
):
    fee_on(limited, date(2026, 6, 1), "60.00", status=Fee.Status.PAID)
    fee_on(limited, date(2026, 11, 1), "40.01", status=Fee.Status.RECORDED)
    client.force_login(limited.user)

    page = client.get(URL).content.decode()

    assert "£40.01 of fees and expenses waiting for approval would take you past" in page


def test_the_trainer_is_warned_when_past_their_limit(client, limited):
    fee_on(limited, date(2026, 6, 1), "100.01", status=Fee.Status.APPROVED)
    client.force_login(limited.user)

    assert "you are past the limit you recorded" in client.get(URL).content.decode()


def test_no_limit_recorded_is_said_plainly(client):
    trainer = TrainerFactory(yearly_earnings_limit=None)
    client.force_login(trainer.user)

    page = client.get(URL).content.decode()

    assert "You have not recorded a yearly earnings limit." in page
    assert "No fees paid this tax year." in page


def test_my_earnings_is_for_trainers_with_a_profile(client, trainer, coordinator):
    client.force_login(trainer)  # the trainer role, but no profile yet
    assert client.get(URL).status_code == 404
    client.force_login(coordinator)
    assert client.get(URL).status_code == 403


def test_my_earnings_runs_the_same_queries_with_few_and_many_payments(
    client, limited, django_assert_max_num_queries
):
    def paid_claim(day):
        claim = claim_submitted(limited, datetime(2026, 6, 2, 12, tzinfo=UTC), "1.00")
        Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.PAID, paid_on=day)

    fee_on(limited, date(2026, 6, 1), "1.00", status=Fee.Status.PAID)
    paid_claim(date(2026, 6, 3))
    client.force_login(limited.user)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for day in range(2, 22):
        fee_on(limited, date(2026, 7, day), "1.00", status=Fee.Status.PAID)
        paid_claim(date(2026, 7, day))

    with django_assert_max_num_queries(len(few)):
        page = client.get(URL).content.decode()

    assert "Fees paid this tax year, total £21.00" in page
