"""A paid trainer's fee for a session: a coordinator records it at the standard rate in force on
the session's day (units times the rate, to the penny), another coordinator approves it, then it
is marked paid. Trainers who chose expenses only or no payment cannot be given one; every bad
input and crafted POST is refused with nothing changed."""

import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from expenses.audit_actions import ExpenseAction
from expenses.models import Fee, FeeRate
from expenses.selectors import fee_amount
from expenses.services import fee_approve, fee_pay, fee_record
from people.models import Role
from tests.expenses.factories import FeeFactory, FeeRateFactory
from tests.locks import wait_until_it_waits_for_our_lock
from tests.people.factories import UserFactory
from tests.sessions.factories import TrainerAssignmentFactory, TrainingSessionFactory
from tests.trainers.factories import TrainerFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 4)
HALF_DAY = FeeRate.Unit.HALF_DAY


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime(2026, 12, 4, 12, 0, tzinfo=UTC)):
        yield


@pytest.fixture
def rate():
    return FeeRateFactory(unit=HALF_DAY, amount=Decimal("75.00"), effective_from=date(2026, 4, 6))


@pytest.fixture
def session(rate):
    return TrainingSessionFactory(
        starts_at=datetime(2026, 11, 20, 10, tzinfo=UTC),
        ends_at=datetime(2026, 11, 20, 13, tzinfo=UTC),
        status="delivered",
    )


def on(session, payment_choice="paid", status="accepted", **fields):
    """A trainer with this payment choice and an assignment of `status` on the session."""
    trainer = TrainerFactory(status="active", payment_choice=payment_choice, **fields)
    TrainerAssignmentFactory(session=session, user=trainer.user, status=status)
    return trainer


@pytest.fixture
def paid_trainer(session):
    return on(session)


@pytest.fixture
def second_coordinator(db):
    return UserFactory(email="second.coordinator@example.org", roles=[Role.COORDINATOR])


def record(session, trainer, by, **fields):
    arguments = {"unit": HALF_DAY, "quantity": Decimal("1")}
    return fee_record(session=session, trainer=trainer, by=by, **(arguments | fields))


# Recording


def test_a_fee_is_the_units_times_the_rate_in_force_on_the_sessions_day(
    session, paid_trainer, coordinator
):
    FeeRateFactory(unit=HALF_DAY, amount=Decimal("90.00"), effective_from=date(2026, 11, 21))

    fee = record(session, paid_trainer, coordinator, quantity=Decimal("1.5"))

    assert (fee.rate, fee.amount, fee.status) == (
        Decimal("75.00"),
        Decimal("112.50"),
        Fee.Status.RECORDED,
    )
    event = AuditEvent.objects.get(action=ExpenseAction.FEE_RECORDED)
    assert event.actor == coordinator
    assert event.changes["amount"] == "112.50"


def test_the_rate_is_kept_with_the_fee_when_the_rate_changes_later(
    session, paid_trainer, coordinator, rate
):
    fee = record(session, paid_trainer, coordinator)
    FeeRateFactory(unit=HALF_DAY, amount=Decimal("80.00"), effective_from=date(2026, 11, 20))
    rate.amount = Decimal("99.00")
    rate.save()

    fee.refresh_from_db()
    assert (fee.rate, fee.amount) == (Decimal("75.00"), Decimal("75.00"))


@pytest.mark.parametrize(
    ("quantity", "rate", "amount"),
    [
        ("1.5", "12.45", "18.68"),  # 18.675: half a penny rounds up
        ("0.1", "0.30", "0.03"),  # 0.1 x 0.3 is not 0.03 in floating point
        ("0.3", "33.33", "10.00"),  # 9.999
        ("2.5", "0.01", "0.03"),  # 0.025
    ],
)
def test_a_fee_is_exact_to_the_penny(quantity, rate, amount):
    assert fee_amount(quantity=Decimal(quantity), rate=Decimal(rate)) == Decimal(amount)


def test_an_hourly_fee_uses_the_hourly_rate(session, paid_trainer, coordinator):
    FeeRateFactory(unit=FeeRate.Unit.HOUR, amount=Decimal("12.45"), effective_from=date(2026, 1, 1))

    fee = record(
        session, paid_trainer, coordinator, unit=FeeRate.Unit.HOUR, quantity=Decimal("1.5")
    )

    assert (fee.rate, fee.amount) == (Decimal("12.45"), Decimal("18.68"))


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"quantity": Decimal("0")},
            "quantity",
            "Enter how many units, more than 0, for example 1 or 1.5.",
        ),
        (
            {"quantity": Decimal("-1")},
            "quantity",
            "Enter how many units, more than 0, for example 1 or 1.5.",
        ),
        (
            {"quantity": None},
            "quantity",
            "Enter how many units, more than 0, for example 1 or 1.5.",
        ),
        (
            {"quantity": Decimal("Infinity")},
            "quantity",
            "Enter how many units, more than 0, for example 1 or 1.5.",
        ),
        (
            {"quantity": Decimal("1.255")},
            "quantity",
            "Enter the units with at most one decimal place, for example 1.5.",
        ),
        (
            {"quantity": Decimal("1.25")},
            "quantity",
            "Enter the units with at most one decimal place, for example 1.5.",
        ),
        ({"quantity": Decimal("1000")}, "quantity", "Enter at most 999.9 units."),
        ({"unit": "week"}, "unit", "Choose a half day, full day or hour."),
        (
            {"unit": FeeRate.Unit.FULL_DAY},
            "unit",
            "No standard rate for this unit was in force on 20 November 2026: set one on the fee "
            "rates page first.",
        ),
    ],
)
def test_a_bad_fee_is_refused_at_its_field_with_nothing_saved(
    session, paid_trainer, coordinator, fields, field, message
):
    with pytest.raises(ValidationError) as refused:
        record(session, paid_trainer, coordinator, **fields)

    assert refused.value.message_dict == {field: [message]}
    assert not Fee.objects.exists()
    assert not AuditEvent.objects.filter(action=ExpenseAction.FEE_RECORDED).exists()


@pytest.mark.parametrize(
    ("payment_choice", "shown"), [("expenses_only", "expenses only"), ("decline", "no payment")]
)
def test_a_trainer_who_chose_not_to_be_paid_a_fee_cannot_be_given_one(
    session, coordinator, payment_choice, shown
):
    trainer = on(session, payment_choice=payment_choice)

    with pytest.raises(ValidationError) as refused:
        record(session, trainer, coordinator)

    assert (
        f"chose “{shown}”, so they cannot be given a fee."
        in refused.value.message_dict["trainer"][0]
    )
    assert not Fee.objects.exists()


@pytest.mark.parametrize("status", ["invited", "declined", "withdrawn"])
def test_a_trainer_who_was_not_on_the_session_cannot_be_given_a_fee(session, coordinator, status):
    trainer = on(session, status=status)

    with pytest.raises(ValidationError) as refused:
        record(session, trainer, coordinator)

    assert refused.value.message_dict == {"trainer": ["Choose a trainer who was on this session."]}
    assert not Fee.objects.exists()


def test_a_trainer_on_another_session_cannot_be_given_a_fee_for_this_one(session, coordinator):
    trainer = on(TrainingSessionFactory())

    with pytest.raises(ValidationError):
        record(session, trainer, coordinator)

    assert not Fee.objects.exists()


def test_a_second_fee_for_the_same_trainer_and_session_is_refused(
    session, paid_trainer, coordinator, second_coordinator
):
    record(session, paid_trainer, coordinator)

    with pytest.raises(ValidationError) as refused:
        record(session, paid_trainer, second_coordinator, quantity=Decimal("2"))

    assert refused.value.message_dict == {
        "trainer": ["This trainer already has a fee for this session."]
    }
    assert Fee.objects.get().quantity == Decimal("1")


def test_a_cancelled_session_has_no_fees(session, paid_trainer, coordinator):
    session.status = "cancelled"
    session.save()

    with pytest.raises(ValidationError, match="The session was cancelled"):
        record(session, paid_trainer, coordinator)

    assert not Fee.objects.exists()


def test_only_a_coordinator_records_a_fee(session, paid_trainer, manager):
    with pytest.raises(ValidationError, match="Only a coordinator"):
        record(session, paid_trainer, paid_trainer.user)
    with pytest.raises(ValidationError, match="Only a coordinator"):
        record(session, paid_trainer, manager)

    assert not Fee.objects.exists()


# Approving and paying


@pytest.fixture
def fee(session, paid_trainer, coordinator):
    return record(session, paid_trainer, coordinator)


def test_another_coordinator_approves_a_fee(fee, second_coordinator):
    fee_approve(fee=fee, by=second_coordinator)

    fee.refresh_from_db()
    assert (fee.status, fee.approved_by) == (Fee.Status.APPROVED, second_coordinator)
    assert fee.approved_at is not None
    event = AuditEvent.objects.get(action=ExpenseAction.FEE_STATUS_CHANGED)
    assert event.changes == {"status": ["recorded", "approved"]}


def test_the_coordinator_who_recorded_a_fee_cannot_approve_it(fee, coordinator):
    with pytest.raises(ValidationError, match="You recorded this fee"):
        fee_approve(fee=fee, by=coordinator)

    fee.refresh_from_db()
    assert fee.status == Fee.Status.RECORDED


def test_a_coordinator_cannot_approve_their_own_fee(session, second_coordinator, coordinator):
    user = UserFactory(roles=[Role.TRAINER, Role.COORDINATOR])
    trainer = TrainerFactory(user=user, status="active", payment_choice="paid")
    TrainerAssignmentFactory(session=session, user=user, status="accepted")
    fee = record(session, trainer, coordinator)

    with pytest.raises(ValidationError, match="You cannot approve your own fee"):
        fee_approve(fee=fee, by=trainer.user)

    fee.refresh_from_db()
    assert fee.status == Fee.Status.RECORDED


def test_a_fee_is_approved_once(fee, second_coordinator):
    third = UserFactory(roles=[Role.COORDINATOR])
    fee_approve(fee=fee, by=second_coordinator)

    with pytest.raises(ValidationError, match="This fee is approved already"):
        fee_approve(fee=fee, by=third)

    fee.refresh_from_db()
    assert fee.approved_by == second_coordinator


def test_a_trainer_cannot_approve_a_fee(fee, paid_trainer):
    with pytest.raises(ValidationError, match="Only a coordinator"):
        fee_approve(fee=fee, by=paid_trainer.user)


def test_an_approved_fee_is_marked_paid_with_its_date_and_reference(fee, second_coordinator):
    fee_approve(fee=fee, by=second_coordinator)

    fee_pay(fee=fee, by=second_coordinator, paid_on=TODAY, reference=" BACS\n1234 ")

    fee.refresh_from_db()
    assert (fee.status, fee.paid_on, fee.payment_reference) == (Fee.Status.PAID, TODAY, "BACS 1234")


def test_a_fee_not_yet_approved_cannot_be_marked_paid(fee, second_coordinator):
    with pytest.raises(ValidationError, match="This fee is recorded, so it cannot be marked paid"):
        fee_pay(fee=fee, by=second_coordinator, paid_on=TODAY)

    fee.refresh_from_db()
    assert (fee.status, fee.paid_on) == (Fee.Status.RECORDED, None)


def test_a_payment_date_in_the_future_is_refused(fee, second_coordinator):
    fee_approve(fee=fee, by=second_coordinator)

    with pytest.raises(ValidationError) as refused:
        fee_pay(fee=fee, by=second_coordinator, paid_on=TODAY + timedelta(days=1))

    assert refused.value.message_dict == {"paid_on": ["The payment date cannot be in the future."]}
    fee.refresh_from_db()
    assert fee.status == Fee.Status.APPROVED


def test_a_payment_date_before_the_fee_was_approved_is_refused(fee, second_coordinator):
    with time_machine.travel(datetime(2026, 12, 2, 12, 0, tzinfo=UTC)):
        fee_approve(fee=fee, by=second_coordinator)

    with pytest.raises(ValidationError) as refused:
        fee_pay(fee=fee, by=second_coordinator, paid_on=date(2026, 12, 1), reference="R1")

    assert refused.value.message_dict == {
        "paid_on": ["The payment date cannot be before the fee was approved, on 2 December 2026."]
    }
    fee.refresh_from_db()
    assert (fee.status, fee.paid_on, fee.payment_reference) == (Fee.Status.APPROVED, None, "")
    fee_pay(fee=fee, by=second_coordinator, paid_on=date(2026, 12, 2))


def test_a_payment_date_before_the_session_is_refused(coordinator, second_coordinator, rate):
    starts = datetime(2026, 12, 10, 10, tzinfo=UTC)
    session = TrainingSessionFactory(starts_at=starts, ends_at=starts + timedelta(hours=3))
    fee = record(session, on(session), coordinator)
    with time_machine.travel(datetime(2026, 11, 30, 12, 0, tzinfo=UTC)):
        fee_approve(fee=fee, by=second_coordinator)

    with pytest.raises(ValidationError) as refused:
        fee_pay(fee=fee, by=second_coordinator, paid_on=TODAY)

    assert refused.value.message_dict == {
        "paid_on": ["The payment date cannot be before the session, on 10 December 2026."]
    }
    fee.refresh_from_db()
    assert (fee.status, fee.paid_on) == (Fee.Status.APPROVED, None)


# The session's fees page


def fees_url(session):
    return reverse("expenses:session-fees", kwargs={"pk": session.pk})


def test_the_page_shows_each_trainer_and_who_cannot_be_given_a_fee(client, coordinator, session):
    on(session, user__full_name="Pat Paid")
    on(session, payment_choice="expenses_only", user__full_name="Erin Expenses")
    on(session, payment_choice="decline", user__full_name="Nell None")
    client.force_login(coordinator)

    page = client.get(fees_url(session)).content.decode()

    assert "Expenses only: no fee" in page
    assert "No payment: no fee" in page
    assert '<option value="' in page
    options = page[
        page.index('name="trainer"') : page.index("</select>", page.index('name="trainer"'))
    ]
    assert "Pat Paid" in options
    assert "Erin Expenses" not in options
    assert "Nell None" not in options


def test_a_coordinator_records_a_fee_on_the_page(client, coordinator, session, paid_trainer):
    client.force_login(coordinator)

    response = client.post(
        fees_url(session),
        {"trainer": paid_trainer.pk, "unit": HALF_DAY, "quantity": "1.5"},
        follow=True,
    )

    assert "Fee of £112.50 recorded" in response.content.decode()
    assert Fee.objects.get().amount == Decimal("112.50")


def test_a_bad_quantity_is_shown_at_its_field_and_what_was_typed_is_kept(
    client, coordinator, session, paid_trainer
):
    client.force_login(coordinator)

    response = client.post(
        fees_url(session), {"trainer": paid_trainer.pk, "unit": HALF_DAY, "quantity": "1.255"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter the units with at most one decimal place, for example 1.5." in page
    assert 'value="1.255"' in page
    assert not Fee.objects.exists()


def test_a_crafted_post_for_an_expenses_only_trainer_is_refused(client, coordinator, session):
    trainer = on(session, payment_choice="expenses_only")
    client.force_login(coordinator)

    response = client.post(
        fees_url(session), {"trainer": trainer.pk, "unit": HALF_DAY, "quantity": "1"}
    )

    assert "Choose a trainer on this session who is paid a fee." in response.content.decode()
    assert not Fee.objects.exists()


def test_a_crafted_post_for_a_trainer_of_another_session_is_refused(client, coordinator, session):
    trainer = on(TrainingSessionFactory())
    client.force_login(coordinator)

    client.post(fees_url(session), {"trainer": trainer.pk, "unit": HALF_DAY, "quantity": "1"})

    assert not Fee.objects.exists()


def test_the_recorder_sees_why_they_cannot_approve_and_a_crafted_post_changes_nothing(
    client, coordinator, fee
):
    client.force_login(coordinator)

    page = client.get(fees_url(fee.session)).content.decode()
    response = client.post(reverse("expenses:fee-approve", kwargs={"pk": fee.pk}), follow=True)

    assert "You recorded this fee, so another coordinator approves it." in page
    assert "You recorded this fee" in response.content.decode()
    fee.refresh_from_db()
    assert fee.status == Fee.Status.RECORDED


def test_another_coordinator_approves_then_marks_paid_on_the_pages(client, second_coordinator, fee):
    client.force_login(second_coordinator)

    approved = client.post(reverse("expenses:fee-approve", kwargs={"pk": fee.pk}), follow=True)
    pay_url = reverse("expenses:fee-pay", kwargs={"pk": fee.pk})
    future = client.post(pay_url, {"paid_on": "2026-12-05", "reference": "R1"})
    paid = client.post(pay_url, {"paid_on": "2026-12-04", "reference": "R1"}, follow=True)

    assert "approved." in approved.content.decode()
    assert "The payment date cannot be in the future." in future.content.decode()
    assert 'value="R1"' in future.content.decode()
    assert "marked paid." in paid.content.decode()
    fee.refresh_from_db()
    assert (fee.status, fee.paid_on, fee.payment_reference) == ("paid", TODAY, "R1")


def test_the_fees_page_of_a_session_on_the_last_day_of_the_calendar_shows(client, coordinator):
    starts = datetime(9999, 12, 31, 10, tzinfo=UTC)
    session = TrainingSessionFactory(starts_at=starts, ends_at=starts + timedelta(hours=3))
    trainer = on(session, yearly_earnings_limit=Decimal("100.00"))
    FeeFactory(trainer=trainer, session=session)
    client.force_login(coordinator)

    response = client.get(fees_url(session))

    assert response.status_code == 200
    assert "£75.00" in response.content.decode()


@pytest.mark.parametrize(
    ("paid_on", "message"),
    [
        ("9999-12-31", "The payment date cannot be in the future."),
        ("10000-01-01", "Enter a real date"),
    ],
)
def test_a_fee_paid_date_at_the_end_of_the_calendar_is_refused_at_the_field(
    client, second_coordinator, fee, paid_on, message
):
    fee_approve(fee=fee, by=second_coordinator)
    client.force_login(second_coordinator)

    response = client.post(reverse("expenses:fee-pay", kwargs={"pk": fee.pk}), {"paid_on": paid_on})

    assert message in response.context["form"].errors["paid_on"][0]
    fee.refresh_from_db()
    assert fee.status == Fee.Status.APPROVED


def test_a_payment_date_before_the_approval_is_refused_at_the_field_keeping_what_was_typed(
    client, second_coordinator, fee
):
    fee_approve(fee=fee, by=second_coordinator)
    client.force_login(second_coordinator)

    response = client.post(
        reverse("expenses:fee-pay", kwargs={"pk": fee.pk}),
        {"paid_on": "2026-12-03", "reference": "R1"},
    )

    assert response.context["form"].errors == {
        "paid_on": ["The payment date cannot be before the fee was approved, on 4 December 2026."]
    }
    assert 'value="R1"' in response.content.decode()
    fee.refresh_from_db()
    assert fee.status == Fee.Status.APPROVED


def test_the_coordinator_is_warned_before_approving_a_fee_past_the_trainers_limit(
    client, second_coordinator, session
):
    trainer = on(session, yearly_earnings_limit=Decimal("100.00"))
    FeeFactory(
        trainer=trainer,
        session=TrainingSessionFactory(starts_at=datetime(2026, 10, 1, 10, tzinfo=UTC)),
        amount=Decimal("30.00"),
        status=Fee.Status.APPROVED,
    )
    fee = FeeFactory(trainer=trainer, session=session, amount=Decimal("70.01"))
    client.force_login(second_coordinator)

    over = client.get(fees_url(session)).content.decode()
    fee.amount = Decimal("70.00")
    fee.save()
    at_the_limit = client.get(fees_url(session)).content.decode()

    assert "Warning:</strong> approving this fee would take" in over
    assert "Warning:" not in at_the_limit


def test_the_fees_page_runs_the_same_queries_with_one_trainer_or_many(
    client, second_coordinator, session, django_assert_max_num_queries
):
    client.force_login(second_coordinator)
    FeeFactory(trainer=on(session, yearly_earnings_limit=Decimal("10")), session=session)
    with CaptureQueriesContext(connection) as one:
        client.get(fees_url(session))
    for _ in range(6):
        FeeFactory(trainer=on(session, yearly_earnings_limit=Decimal("10")), session=session)
        on(session, payment_choice="decline")

    with django_assert_max_num_queries(len(one)):
        response = client.get(fees_url(session))

    assert response.content.decode().count("Warning:</strong>") == 7


@pytest.mark.django_db(transaction=True)
def test_two_coordinators_approving_at_once_one_wins_and_the_other_is_told(fee):
    first, second = (UserFactory(roles=[Role.COORDINATOR]) for _ in range(2))
    outcome: list[str] = []

    def approve():
        try:
            fee_approve(fee=fee, by=second)
            outcome.append("approved")
        except ValidationError as refused:
            outcome.append(refused.messages[0])
        finally:
            connection.close()

    thread = threading.Thread(target=approve)
    with transaction.atomic():
        fee_approve(fee=fee, by=first)  # holds the fee's row lock until this block ends
        thread.start()
        wait_until_it_waits_for_our_lock(thread)
    thread.join(timeout=30)

    fee.refresh_from_db()
    assert (fee.status, fee.approved_by) == (Fee.Status.APPROVED, first)
    assert outcome == ["This fee is approved already, so it was not changed."]
    assert AuditEvent.objects.filter(action=ExpenseAction.FEE_STATUS_CHANGED).count() == 1
