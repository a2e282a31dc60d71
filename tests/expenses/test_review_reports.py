"""The finance file (one row per expense, exact money, safe cells, every download audited) and the
totals per trainer, session and month, both over a range of dates and in a bounded number of
queries."""

import csv
import io
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.actions import ExportAction
from audit.models import AuditEvent
from expenses.models import Claim, ClaimEvent, Item
from expenses.selectors import FINANCE_HEADER, expense_totals
from people.models import Role
from tests.expenses.factories import ClaimFactory, ItemFactory
from tests.people.factories import UserFactory
from tests.trainers.factories import TrainerFactory

pytestmark = pytest.mark.django_db

CSV = reverse("expenses:finance-csv")
TOTALS = reverse("expenses:totals")


@pytest.fixture
def coordinator():
    return UserFactory(roles=[Role.COORDINATOR])


@pytest.fixture
def signed_in(client, coordinator):
    client.force_login(coordinator)
    return client


def claim_with(*amounts: str, status=Claim.Status.APPROVED, submitted_on=None, **fields) -> Claim:
    claim = ClaimFactory(status=status, **fields)
    if submitted_on:
        claim.submitted_at = datetime.combine(date(*submitted_on), time(12), tzinfo=UTC)
        claim.save()
    for amount in amounts:
        ItemFactory(claim=claim, amount=Decimal(amount))
    return claim


def rows_of(response) -> list[dict]:
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    return list(csv.DictReader(io.StringIO(text.decode("utf-8-sig"))))


# The finance file


def test_each_expense_is_a_row_with_the_exact_claim_total(signed_in):
    claim = claim_with("0.10", "0.20")
    claim.trainer.user.full_name = "Tam Trainer"
    claim.trainer.user.save()

    rows = rows_of(signed_in.get(CSV))

    assert list(rows[0]) == FINANCE_HEADER
    assert [row["Amount (£)"] for row in rows] == ["0.10", "0.20"]
    assert {row["Claim total (£)"] for row in rows} == {"0.30"}
    assert rows[0]["Trainer"] == "Tam Trainer"
    assert rows[0]["Claim"] == str(claim.pk)
    assert rows[0]["Claim status"] == "Approved"


def test_the_cost_code_is_the_sessions_code_or_the_kind_of_activity(signed_in):
    session_claim = claim_with("1.00")
    claim_with(
        "2.00",
        activity=Claim.Activity.T3_DAY,
        session=None,
        activity_description="T3 day two",
        trainer=TrainerFactory(),
    )

    rows = {row["Amount (£)"]: row for row in rows_of(signed_in.get(CSV))}

    assert rows["1.00"]["Cost code"] == session_claim.session.code
    assert rows["1.00"]["Region"] == session_claim.session.region.name
    assert rows["2.00"]["Cost code"] == "T3_DAY"
    assert rows["2.00"]["For"] == "A Train the Trainer day: T3 day two"


def test_a_mileage_row_has_its_miles_and_rate_and_the_dates_of_each_step(signed_in, coordinator):
    claim = ClaimFactory(status=Claim.Status.PAID, payment_reference="BACS 9")
    ItemFactory(
        claim=claim,
        kind=Item.Kind.MILEAGE,
        miles=Decimal("0.1"),
        vehicle="car",
        per_mile=Decimal("0.45"),
        amount=Decimal("0.05"),
    )
    approved_at = timezone.now() - timedelta(days=2)
    ClaimEvent.objects.create(claim=claim, by=coordinator, at=approved_at, to_status="approved")

    row = rows_of(signed_in.get(CSV))[0]

    assert (row["Miles"], row["Rate a mile (£)"], row["Amount (£)"]) == ("0.1", "0.45", "0.05")
    assert row["Approved"] == timezone.localtime(approved_at).date().isoformat()
    assert row["Paid"] == claim.paid_on.isoformat()
    assert row["Payment reference"] == "BACS 9"


def test_drafts_are_never_in_the_file(signed_in):
    claim_with("1.00", status=Claim.Status.DRAFT)

    assert rows_of(signed_in.get(CSV)) == []


def test_the_file_is_filtered_by_status_and_submission_dates(signed_in):
    claim_with("1.00", submitted_on=(2026, 10, 1))
    claim_with("2.00", submitted_on=(2026, 11, 1))
    claim_with("3.00", status=Claim.Status.PAID, submitted_on=(2026, 11, 2))

    rows = rows_of(
        signed_in.get(CSV, {"status": "approved", "start": "2026-10-15", "end": "2026-11-30"})
    )

    assert [row["Amount (£)"] for row in rows] == ["2.00"]


def test_a_cell_that_would_be_a_formula_is_made_safe(signed_in):
    claim = claim_with()
    ItemFactory(claim=claim, description="=HYPERLINK(1)")

    assert rows_of(signed_in.get(CSV))[0]["Description"] == "'=HYPERLINK(1)"


def test_each_download_is_recorded_in_the_audit_trail(signed_in, coordinator):
    claim_with("1.00", "2.00")

    signed_in.get(CSV)

    event = AuditEvent.objects.get(action=ExportAction.EXPORT)
    assert event.actor == coordinator
    assert event.changes == {"file": "expense-items.csv", "rows": 2}


def test_dates_at_either_end_of_the_calendar_filter_the_file_and_the_totals(signed_in):
    claim_with("1.00", submitted_on=(2026, 11, 2))
    far = {"start": "0001-01-01", "end": "9999-12-31"}

    rows = rows_of(signed_in.get(CSV, far))
    totals = signed_in.get(TOTALS, far)

    assert [row["Amount (£)"] for row in rows] == ["1.00"]
    assert totals.context["totals"] is not None


def test_an_end_before_the_start_is_refused_and_no_file_is_made(signed_in):
    response = signed_in.get(CSV, {"start": "2026-11-02", "end": "2026-11-01"})

    assert response.context["form"].errors == {
        "end": ["The end date cannot be before the start date."]
    }
    assert not AuditEvent.objects.filter(action=ExportAction.EXPORT).exists()


def test_the_file_reads_the_same_number_of_queries_for_few_or_many_claims(signed_in):
    claim_with("1.00")
    with CaptureQueriesContext(connection) as few:
        signed_in.get(CSV)
    for _ in range(30):
        claim_with("1.00", "2.00", trainer=TrainerFactory())

    with CaptureQueriesContext(connection) as many:
        assert len(rows_of(signed_in.get(CSV))) == 61

    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_finance_file_is_for_coordinators_only(client):
    client.force_login(UserFactory(roles=[Role.MANAGER]))

    assert client.get(CSV).status_code == 403


# Totals


def test_totals_count_approved_and_paid_claims_per_trainer_session_and_month(coordinator):
    first = claim_with("0.10", "0.20", submitted_on=(2026, 10, 3))
    claim_with("1.00", status=Claim.Status.PAID, submitted_on=(2026, 11, 30), trainer=first.trainer)
    claim_with("5.00", status=Claim.Status.SUBMITTED, submitted_on=(2026, 11, 3))
    claim_with("7.00", status=Claim.Status.REJECTED, submitted_on=(2026, 11, 3))

    totals = expense_totals()

    assert totals.total == Decimal("1.30")
    assert [(row["claim__trainer_id"], row["total"]) for row in totals.by_trainer] == [
        (first.trainer_id, Decimal("1.30"))
    ]
    assert [row["total"] for row in totals.by_month] == [Decimal("0.30"), Decimal("1.00")]
    assert [row["month"].month for row in totals.by_month] == [10, 11]
    assert sorted(row["total"] for row in totals.by_session) == [Decimal("0.30"), Decimal("1.00")]


def test_totals_are_for_claims_submitted_within_the_dates(coordinator):
    claim_with("1.00", submitted_on=(2026, 10, 3))
    claim_with("2.00", submitted_on=(2026, 11, 3))

    totals = expense_totals(start=date(2026, 11, 1), end=date(2026, 11, 30))

    assert totals.total == Decimal("2.00")


def test_the_totals_page_shows_pounds_and_pence_in_bounded_queries(signed_in):
    claim_with("0.10", "0.20")
    with CaptureQueriesContext(connection) as few:
        text = signed_in.get(TOTALS).content.decode()
    assert "£0.30" in text
    for _ in range(20):
        claim_with("1.00", trainer=TrainerFactory())

    with CaptureQueriesContext(connection) as many:
        signed_in.get(TOTALS)

    assert len(many.captured_queries) == len(few.captured_queries)


def test_managers_read_the_totals_and_trainers_do_not(client):
    client.force_login(UserFactory(roles=[Role.MANAGER]))
    assert client.get(TOTALS).status_code == 200

    client.force_login(UserFactory(roles=[Role.TRAINER]))
    assert client.get(TOTALS).status_code == 403


def test_a_bad_date_on_the_totals_page_is_refused_clearly(signed_in):
    response = signed_in.get(TOTALS, {"start": "2026-02-31"})

    assert response.context["form"].errors == {
        "start": ["Enter a real date, for example 2026-12-04."]
    }
    assert response.context["totals"] is None
