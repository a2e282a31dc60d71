"""A trainer's yearly statement: the fees and expenses paid to them in a tax year (by the day
they were paid), line by line, with totals that are the sums of the lines, as a PDF for benefits
or tax advisers. For the trainer and coordinators only."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.actions import ExportAction
from audit.models import AuditEvent
from expenses.models import Claim, Fee, Item, Vehicle
from expenses.pdf import STATEMENT_TEMPLATE, statement_context
from expenses.selectors import year_paid
from tests.expenses.factories import ClaimFactory, FeeFactory, ItemFactory
from tests.pdfs import pdf_inflated
from tests.trainers.factories import TrainerFactory

pytestmark = pytest.mark.django_db


def bookmark(title: str) -> bytes:
    """How a heading holding "£" is written in the PDF's outline: UTF-16, in hex."""
    return b"/Title <feff" + title.encode("utf-16-be").hex().encode() + b">"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime(2026, 12, 4, 12, 0, tzinfo=UTC)):
        yield


@pytest.fixture
def trainer():
    trainer = TrainerFactory(status="active", user__full_name="Sam Trainer")
    trainer.created_at = timezone.now() - timedelta(days=800)
    trainer.save(update_fields=["created_at"])
    return trainer


def paid_fee(trainer, paid_on, amount):
    return FeeFactory(
        trainer=trainer, amount=Decimal(amount), status=Fee.Status.PAID, paid_on=paid_on
    )


def paid_claim(trainer, paid_on, *amounts):
    claim = ClaimFactory(trainer=trainer, status=Claim.Status.PAID, paid_on=paid_on)
    for amount in amounts:
        ItemFactory(claim=claim, amount=Decimal(amount))
    return claim


@pytest.fixture
def paid(trainer):
    """This tax year: two fees and two claims with amounts that expose float rounding, and one
    of each paid in the year before, one approved but unpaid."""
    paid_fee(trainer, date(2026, 4, 6), "0.10")
    paid_fee(trainer, date(2027, 4, 5), "0.20")
    paid_fee(trainer, date(2026, 4, 5), "500.00")
    FeeFactory(trainer=trainer, amount=Decimal("7.00"), status=Fee.Status.APPROVED)
    paid_claim(trainer, date(2026, 6, 1), "0.10", "0.20", "10.58")
    claim = paid_claim(trainer, date(2026, 7, 1), "4.20")
    Item.objects.create(
        claim=claim,
        kind=Item.Kind.MILEAGE,
        spent_on=date(2026, 6, 30),
        description="To the venue",
        miles=Decimal("23.5"),
        vehicle=Vehicle.CAR,
        per_mile=Decimal("0.45"),
        amount=Decimal("10.58"),
    )
    paid_claim(trainer, date(2026, 4, 5), "300.00")
    ClaimFactory(trainer=trainer, status=Claim.Status.APPROVED)


def test_the_year_holds_what_was_paid_in_it_and_its_totals_are_the_sums_of_the_lines(trainer, paid):
    statement = year_paid(trainer=trainer, start_year=2026)

    assert [fee.amount for fee in statement.fees] == [Decimal("0.10"), Decimal("0.20")]
    assert statement.fees_total == Decimal("0.30")
    assert [claim.total for claim in statement.claims] == [Decimal("10.88"), Decimal("14.78")]
    assert statement.expenses_total == sum(
        (item.amount for claim in statement.claims for item in claim.items), Decimal("0")
    )
    assert statement.expenses_total == Decimal("25.66")
    assert statement.total == Decimal("25.96")


def test_the_statement_lists_every_line_and_the_totals(trainer, paid):
    html = render_to_string(
        STATEMENT_TEMPLATE, statement_context(year_paid(trainer=trainer, start_year=2026))
    )

    assert "Tax year 6 April 2026 to 5 April 2027" in html
    assert html.count("Claim total") == 2
    for line in ("£0.10", "£0.20", "£10.58", "£4.20", "23.5 miles at £0.45"):
        assert line in html
    assert "£500.00" not in html
    assert "£300.00" not in html
    assert "£7.00" not in html
    assert 'Total fees</th><td class="amount">£0.30' in html
    assert "<strong>Total expenses: £25.66</strong>" in html


def test_the_trainer_downloads_their_statement_and_its_headings_carry_the_totals(
    client, trainer, paid
):
    client.force_login(trainer.user)

    response = client.get(
        reverse("expenses:statement-pdf", kwargs={"pk": trainer.pk, "year": 2026})
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="statement-2026-2027.pdf"'
    assert response["Cache-Control"] == "no-store"
    content = pdf_inflated(response.content)
    for heading in ("Fees paid: £0.30", "Expenses paid: £25.66", "Total paid: £25.96"):
        assert bookmark(heading) in content
    event = AuditEvent.objects.get(action=ExportAction.EXPORT)
    assert (event.actor, event.changes) == (trainer.user, {"file": "statement-2026-2027.pdf"})


def test_a_coordinator_downloads_a_trainers_statement(client, coordinator, trainer):
    client.force_login(coordinator)

    url = reverse("expenses:statement-pdf", kwargs={"pk": trainer.pk, "year": 2025})

    assert client.get(url).status_code == 200


def test_another_trainer_gets_a_404(client, other_trainer, trainer):
    TrainerFactory(user=other_trainer)
    client.force_login(other_trainer)

    url = reverse("expenses:statement-pdf", kwargs={"pk": trainer.pk, "year": 2026})

    assert client.get(url).status_code == 404
    assert not AuditEvent.objects.filter(action=ExportAction.EXPORT).exists()


@pytest.mark.parametrize("year", [2023, 2027, 1, 0, 9999, 10000])
def test_a_year_before_they_joined_or_still_to_come_is_a_404(client, trainer, year):
    client.force_login(trainer.user)

    url = reverse("expenses:statement-pdf", kwargs={"pk": trainer.pk, "year": year})

    assert client.get(url).status_code == 404


def test_the_last_tax_year_of_the_calendar_stops_on_its_last_day(trainer):
    statement = year_paid(trainer=trainer, start_year=9999)

    assert (statement.start, statement.end) == (date(9999, 4, 6), date.max)
    assert statement.label == "9999 to 9999"
    assert statement.total == Decimal("0.00")


def test_the_statement_reads_the_same_number_of_queries_for_few_and_many_lines(trainer):
    paid_claim(trainer, date(2026, 6, 1), "1.00")
    paid_fee(trainer, date(2026, 6, 1), "1.00")
    with CaptureQueriesContext(connection) as few:
        year_paid(trainer=trainer, start_year=2026)
    for _ in range(10):
        paid_claim(trainer, date(2026, 6, 1), "1.00", "2.00")
        paid_fee(trainer, date(2026, 6, 1), "1.00")

    with CaptureQueriesContext(connection) as many:
        statement = year_paid(trainer=trainer, start_year=2026)

    assert len(many) == len(few)
    assert statement.total == Decimal("42.00")
