"""A trainer's yearly statement: the fees and expenses paid to them in a tax year (by the day
they were paid), line by line, with totals that are the sums of the lines, as a PDF for benefits
or tax advisers, prepared by a worker (asking puts it in the queue) and then downloaded. For the
trainer and coordinators only. A broker that is down is in test_statement_outage.py."""

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.actions import ExportAction
from audit.models import AuditEvent
from expenses.models import Claim, Fee, Item, Statement, Vehicle
from expenses.pdf import STATEMENT_TEMPLATE, statement_context
from expenses.selectors import year_paid
from expenses.services import statement_prepare, statement_request
from expenses.tasks import prepare_statement
from sessions.models import TrainerAssignment
from tests.expenses.factories import ClaimFactory, FeeFactory, ItemFactory, StatementFactory
from tests.pdfs import pdf_inflated
from tests.sessions.factories import TrainerAssignmentFactory
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


# Asking for it, the worker preparing it, downloading it


def url(name: str, trainer, year: int | None = None) -> str:
    kwargs = {"pk": trainer.pk} if year is None else {"pk": trainer.pk, "year": year}
    return reverse(f"expenses:{name}", kwargs=kwargs)


def ask(client, trainer, year, capture):
    """Press "Prepare …" for `year`; the worker's task runs once the request has committed."""
    with capture(execute=True):
        return client.post(url("statement-request", trainer, year))


def downloaded(response) -> bytes:
    return b"".join(response.streaming_content)


def test_asking_queues_the_statement_and_the_worker_prepares_it_after_commit(
    trainer, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        statement = statement_request(trainer=trainer, start_year=2026, by=trainer.user)

    assert Statement.objects.get().status == Statement.Status.QUEUED
    assert statement.requested_by == trainer.user
    assert not statement.file
    for callback in callbacks:
        callback()  # what commit runs: the hand-off, inline in tests
    statement.refresh_from_db()
    assert statement.status == Statement.Status.READY
    assert statement.prepared_at is not None
    assert statement.file.name.startswith("private/expenses/statements/")
    assert statement.file.name.endswith(".pdf")
    assert "statement" not in statement.file.name.removeprefix("private/expenses/statements/")


def test_the_trainer_prepares_their_statement_and_downloads_the_stored_pdf(
    client, trainer, paid, django_capture_on_commit_callbacks
):
    client.force_login(trainer.user)

    response = ask(client, trainer, 2026, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response.url == reverse("expenses:my-earnings") + "#statement-2026"
    response = client.get(url("statement-pdf", trainer, 2026))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="statement-2026-2027.pdf"'
    assert response["Cache-Control"] == "no-store"
    body = downloaded(response)
    with Statement.objects.get().file.open("rb") as stored:
        assert body == stored.read()
    content = pdf_inflated(body)
    for heading in ("Fees paid: £0.30", "Expenses paid: £25.66", "Total paid: £25.96"):
        assert bookmark(heading) in content
    event = AuditEvent.objects.get(action=ExportAction.EXPORT)
    assert (event.actor, event.changes) == (trainer.user, {"file": "statement-2026-2027.pdf"})


def test_the_download_is_what_was_prepared_until_it_is_prepared_again(
    client, trainer, paid, django_capture_on_commit_callbacks
):
    client.force_login(trainer.user)
    ask(client, trainer, 2026, django_capture_on_commit_callbacks)
    first = Statement.objects.get().file.name
    paid_fee(trainer, date(2026, 12, 1), "100.00")  # paid after it was prepared

    before = pdf_inflated(downloaded(client.get(url("statement-pdf", trainer, 2026))))
    ask(client, trainer, 2026, django_capture_on_commit_callbacks)
    after = pdf_inflated(downloaded(client.get(url("statement-pdf", trainer, 2026))))

    assert bookmark("Fees paid: £0.30") in before
    assert bookmark("Fees paid: £100.30") in after
    statement = Statement.objects.get()
    assert statement.file.name != first
    assert not statement.file.storage.exists(first)


def test_a_coordinator_prepares_and_downloads_a_trainers_statement(
    client, coordinator, trainer, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)

    response = ask(client, trainer, 2025, django_capture_on_commit_callbacks)

    assert response.url == url("statements", trainer) + "#statement-2025"
    assert Statement.objects.get().requested_by == coordinator
    assert client.get(url("statement-pdf", trainer, 2025)).status_code == 200


def test_another_trainer_gets_a_404_and_nothing_is_prepared(
    client, other_trainer, trainer, django_capture_on_commit_callbacks
):
    TrainerFactory(user=other_trainer)
    StatementFactory(trainer=trainer, start_year=2025)
    client.force_login(other_trainer)

    assert ask(client, trainer, 2026, django_capture_on_commit_callbacks).status_code == 404
    assert client.get(url("statements", trainer)).status_code == 404
    assert client.get(url("statement-pdf", trainer, 2025)).status_code == 404
    assert list(Statement.objects.values_list("start_year", flat=True)) == [2025]
    assert not AuditEvent.objects.filter(action=ExportAction.EXPORT).exists()


@pytest.mark.parametrize(
    ("year", "message"),
    [
        (2023, "The tax year 2023 to 2024 ended before you joined, so there is nothing to put"),
        (1, "The tax year 1 to 2 ended before you joined"),
        (0, "The tax year 0 to 1 ended before you joined"),
        (2027, "The tax year 2027 to 2028 has not started yet, so there is no statement of it."),
        (9999, "The tax year 9999 to 10000 has not started yet"),
        (10000, "The tax year 10000 to 10001 has not started yet"),
    ],
)
def test_a_year_before_they_joined_or_still_to_come_is_refused_plainly(
    client, trainer, year, message, django_capture_on_commit_callbacks
):
    client.force_login(trainer.user)

    with pytest.raises(ValidationError, match=message):
        statement_request(trainer=trainer, start_year=year, by=trainer.user)
    response = ask(client, trainer, year, django_capture_on_commit_callbacks)

    assert message in client.get(response.url).content.decode()
    assert not Statement.objects.exists()
    assert client.get(url("statement-pdf", trainer, year)).status_code == 404


def test_a_coordinator_is_told_the_trainers_name_and_their_first_year(trainer, coordinator):
    with pytest.raises(ValidationError) as refused:
        statement_request(trainer=trainer, start_year=2023, by=coordinator)

    assert refused.value.messages == [
        "The tax year 2023 to 2024 ended before Sam Trainer joined, so there is nothing to put "
        "in a statement. The first statement is for 2024 to 2025."
    ]


def test_a_statement_not_prepared_yet_sends_the_person_to_ask_for_it(client, trainer):
    client.force_login(trainer.user)

    response = client.get(url("statement-pdf", trainer, 2026))

    assert response.url == reverse("expenses:my-earnings") + "#statement-2026"
    page = client.get(response.url).content.decode()
    assert "The statement for 2026 to 2027 is not ready to download yet. Prepare it first" in page


def test_a_statement_being_prepared_is_not_downloaded_half_made(client, coordinator, trainer):
    StatementFactory(trainer=trainer, start_year=2026, status=Statement.Status.QUEUED, file="")
    client.force_login(coordinator)

    response = client.get(url("statement-pdf", trainer, 2026))

    assert response.url == url("statements", trainer) + "#statement-2026"
    page = client.get(response.url).content.decode()
    assert "is not ready to download yet. It is being prepared." in page


# The pages


def test_my_earnings_offers_to_prepare_each_year_then_says_it_is_being_prepared_then_offers_it(
    client, trainer
):
    StatementFactory(trainer=trainer, start_year=2025, status=Statement.Status.QUEUED, file="")
    StatementFactory(
        trainer=trainer, start_year=2024, prepared_at=datetime(2026, 12, 5, 9, tzinfo=UTC)
    )
    client.force_login(trainer.user)

    page = client.get(reverse("expenses:my-earnings")).content.decode()

    assert "Prepare my statement for 2026 to 2027</button>" in page
    assert url("statement-request", trainer, 2026) in page
    assert "Your statement for 2025 to 2026 is being prepared." in page
    # A new address each time it is drawn, so following it loads the page again.
    assert re.search(r'href="/my-earnings/\?checked=\d+#statement-2025">Check again<', page)
    assert "Prepare my statement for 2025 to 2026" not in page
    assert (
        f'<a href="{url("statement-pdf", trainer, 2024)}">Download the statement'
        '<span class="visually-hidden"> for 2024 to 2025</span> (prepared 5 December 2026)</a>'
    ) in page
    assert "Prepare it again" in page
    assert 'http-equiv="refresh"' not in page  # nothing reloads the page or moves focus


def test_asking_again_for_one_being_prepared_leaves_it_and_hands_off_nothing(
    trainer, django_capture_on_commit_callbacks
):
    queued = StatementFactory(
        trainer=trainer,
        start_year=2026,
        status=Statement.Status.QUEUED,
        file="",
        requested_at=timezone.now() - timedelta(minutes=1),
    )

    with django_capture_on_commit_callbacks() as callbacks:
        again = statement_request(trainer=trainer, start_year=2026, by=trainer.user)

    assert callbacks == []
    assert again.requested_at == queued.requested_at


def test_a_coordinator_reaches_a_trainers_statements_from_the_sessions_fees(
    client, coordinator, trainer
):
    fee = FeeFactory(trainer=trainer)
    TrainerAssignmentFactory(
        session=fee.session, user=trainer.user, status=TrainerAssignment.Status.ACCEPTED
    )
    client.force_login(coordinator)

    fees_page = client.get(reverse("expenses:session-fees", kwargs={"pk": fee.session_id}))
    page = client.get(url("statements", trainer)).content.decode()

    assert url("statements", trainer) in fees_page.content.decode()
    assert "<h1>Yearly statements" in page
    assert "Prepare the statement for 2024 to 2025</button>" in page
    assert "Prepare my statement" not in page


def test_my_earnings_reads_a_fixed_number_of_queries_however_many_statements(
    client, trainer, django_assert_max_num_queries
):
    client.force_login(trainer.user)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("expenses:my-earnings"))
    trainer.created_at = timezone.now() - timedelta(days=365 * 12)
    trainer.save(update_fields=["created_at"])
    for year in range(2015, 2027):
        StatementFactory(trainer=trainer, start_year=year)

    with django_assert_max_num_queries(len(few)):
        page = client.get(reverse("expenses:my-earnings")).content.decode()

    assert page.count("Download the statement") == 12


# The worker's task


def test_running_the_task_twice_keeps_one_file_and_the_first_preparation(
    trainer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        statement = statement_request(trainer=trainer, start_year=2026, by=trainer.user)
    statement.refresh_from_db()
    prepared = (statement.file.name, statement.prepared_at)

    with time_machine.travel(timezone.now() + timedelta(minutes=1)):
        prepare_statement(statement.pk)

    statement.refresh_from_db()
    assert (statement.file.name, statement.prepared_at) == prepared
    assert statement.status == Statement.Status.READY


def test_a_run_that_started_before_the_statement_was_asked_for_again_leaves_no_trace(trainer):
    queued = StatementFactory(trainer=trainer, start_year=2026, status="queued", file="")
    late = Statement.objects.select_related("trainer__user").get()  # a run that read it now
    assert statement_prepare(statement=queued)
    with time_machine.travel(timezone.now() + timedelta(minutes=1)):
        statement_request(trainer=trainer, start_year=2026, by=trainer.user)

    assert statement_prepare(statement=late) is False

    assert not late.file
    statement = Statement.objects.get()
    assert (statement.status, statement.file.name) == (Statement.Status.QUEUED, "")


def test_the_task_for_a_statement_gone_does_nothing(trainer):
    statement = StatementFactory(trainer=trainer, status=Statement.Status.QUEUED, file="")
    statement.delete()

    assert prepare_statement(statement.pk) is None
