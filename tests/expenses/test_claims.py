"""A claim's workflow: a trainer opens a draft (for a session they were on, or other approved
activity), adds expenses, submits; a coordinator approves, rejects or returns it with a reason,
then marks it paid. Each change is on the trainer's timeline and in the audit trail; every bad
input is refused with nothing changed."""

import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from audit.models import AuditEvent
from expenses.audit_actions import ExpenseAction
from expenses.models import Claim, ClaimEvent, Item, MileageRate, Vehicle
from expenses.selectors import claim_total
from expenses.services import claim_decide, claim_pay, claim_start, claim_submit, item_add
from people.models import Role
from tests.factories import (
    TrainerAssignmentFactory,
    TrainerFactory,
    TrainingSessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 4)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime(2026, 12, 4, 12, 0, tzinfo=UTC)):
        yield


@pytest.fixture
def trainer_profile():
    profile = TrainerFactory(status="active")
    profile.created_at = timezone.now() - timedelta(days=365)
    profile.save(update_fields=["created_at"])
    return profile


@pytest.fixture
def session(trainer_profile):
    session = TrainingSessionFactory()
    TrainerAssignmentFactory(session=session, user=trainer_profile.user, status="accepted")
    return session


@pytest.fixture
def draft(trainer_profile, session):
    return claim_start(trainer=trainer_profile, activity=Claim.Activity.SESSION, session=session)


def add(claim, **fields):
    arguments = {
        "by": claim.trainer.user,
        "kind": Item.Kind.PUBLIC_TRANSPORT,
        "spent_on": TODAY,
        "description": "Bus to the venue",
        "amount": Decimal("4.20"),
    }
    return item_add(claim=claim, **(arguments | fields))


def submitted(draft):
    add(draft)
    return claim_submit(claim=draft, by=draft.trainer.user)


# Starting a claim


def test_a_session_claim_opens_one_draft_for_that_session(trainer_profile, session, draft):
    again = claim_start(trainer=trainer_profile, activity=Claim.Activity.SESSION, session=session)

    assert again == draft
    assert draft.status == Claim.Status.DRAFT
    assert list(draft.events.values_list("from_status", "to_status")) == [("", "draft")]


def test_a_trainer_cannot_claim_for_a_session_they_were_not_on(trainer_profile):
    with pytest.raises(ValidationError) as refused:
        claim_start(
            trainer=trainer_profile,
            activity=Claim.Activity.SESSION,
            session=TrainingSessionFactory(),
        )

    assert refused.value.message_dict == {"session": ["Choose a session you were on."]}
    assert not Claim.objects.exists()


def test_other_activity_needs_saying_what_it_was(trainer_profile):
    with pytest.raises(ValidationError) as refused:
        claim_start(trainer=trainer_profile, activity=Claim.Activity.T3_DAY)

    assert "activity_description" in refused.value.message_dict
    claim = claim_start(
        trainer=trainer_profile,
        activity=Claim.Activity.SUPERVISION,
        activity_description=" Travel to\nsupervision ",
    )
    assert claim.activity_description == "Travel to supervision"
    assert claim.session is None


# Items


def test_mileage_is_the_miles_times_the_rate_on_the_day_and_the_total_is_exact(draft):
    add(draft, kind=Item.Kind.MILEAGE, miles=Decimal("23.5"), vehicle=Vehicle.CAR, amount=None)
    add(draft)

    mileage = draft.items.get(kind=Item.Kind.MILEAGE)
    assert (mileage.amount, mileage.per_mile) == (Decimal("10.58"), Decimal("0.45"))
    assert claim_total(draft) == Decimal("14.78")


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"amount": Decimal("-1.00")}, "amount", "Enter an amount of more than £0."),
        ({"amount": Decimal("0")}, "amount", "Enter an amount of more than £0."),
        ({"amount": Decimal("4.205")}, "amount", "Enter pounds and pence only, for example 4.20."),
        ({"amount": None}, "amount", "Enter the amount in pounds and pence, for example 4.20."),
        (
            {"amount": Decimal("NaN")},
            "amount",
            "Enter the amount in pounds and pence, for example 4.20.",
        ),
        ({"amount": Decimal("10000.01")}, "amount", "An item can be at most £10,000."),
        (
            {"kind": Item.Kind.MILEAGE, "miles": Decimal("0"), "vehicle": Vehicle.CAR},
            "miles",
            "Enter the miles, more than 0 and up to 1,000.",
        ),
        (
            {"kind": Item.Kind.MILEAGE, "miles": Decimal("10000"), "vehicle": Vehicle.CAR},
            "miles",
            "Enter the miles, more than 0 and up to 1,000.",
        ),
        (
            {"kind": Item.Kind.MILEAGE, "miles": Decimal("5"), "vehicle": "rocket"},
            "vehicle",
            "Choose how you travelled.",
        ),
        ({"spent_on": TODAY + timedelta(days=1)}, "spent_on", "The date cannot be in the future."),
        (
            {"spent_on": TODAY - timedelta(days=400)},
            "spent_on",
            "The date is before you joined the programme.",
        ),
        ({"kind": Item.Kind.TAXI}, "reason", "Say why a taxi was needed."),
        ({"description": "  "}, "description", "Say what the expense was."),
        ({"kind": "lottery"}, "kind", "Choose what kind of expense it is."),
    ],
)
def test_a_bad_item_is_refused_at_its_field_with_nothing_saved(draft, fields, field, message):
    with pytest.raises(ValidationError) as refused:
        add(draft, **fields)

    assert refused.value.message_dict == {field: [message]}
    assert not Item.objects.exists()


def test_nobody_but_the_trainer_adds_to_their_claim(draft, other_trainer, coordinator):
    for person in (other_trainer, coordinator):
        with pytest.raises(ValidationError):
            add(draft, by=person)

    assert not Item.objects.exists()


# Submitting


def test_an_empty_claim_cannot_be_submitted(draft):
    with pytest.raises(ValidationError, match="Add at least one expense"):
        claim_submit(claim=draft, by=draft.trainer.user)

    draft.refresh_from_db()
    assert draft.status == Claim.Status.DRAFT


def test_a_submitted_claim_is_read_only_to_its_trainer(draft):
    submitted(draft)

    with pytest.raises(ValidationError, match="Only the trainer's own draft or returned claim"):
        add(draft)
    with pytest.raises(ValidationError):
        claim_submit(claim=draft, by=draft.trainer.user)
    assert draft.items.count() == 1


def test_a_returned_claim_can_be_changed_and_submitted_again(draft, coordinator):
    submitted(draft)
    claim_decide(claim=draft, by=coordinator, to=Claim.Status.RETURNED, reason="Add the receipt")

    add(draft, description="Bus home")
    claim_submit(claim=draft, by=draft.trainer.user)

    draft.refresh_from_db()
    assert (draft.status, draft.items.count()) == (Claim.Status.SUBMITTED, 2)


# Deciding and paying


def test_the_timeline_reads_submitted_approved_paid_with_who_and_the_audit_trail(
    draft, coordinator
):
    submitted(draft)
    claim_decide(claim=draft, by=coordinator, to=Claim.Status.APPROVED)
    claim_pay(claim=draft, by=coordinator, paid_on=TODAY, reference="BACS 991")

    draft.refresh_from_db()
    assert (draft.status, draft.paid_on, draft.payment_reference) == (
        Claim.Status.PAID,
        TODAY,
        "BACS 991",
    )
    timeline = list(
        ClaimEvent.objects.filter(claim=draft).values_list("from_status", "to_status", "by")
    )
    trainer_user = draft.trainer.user.pk
    assert timeline == [
        ("", "draft", trainer_user),
        ("draft", "submitted", trainer_user),
        ("submitted", "approved", coordinator.pk),
        ("approved", "paid", coordinator.pk),
    ]
    assert AuditEvent.objects.filter(action=ExpenseAction.CLAIM_STATUS_CHANGED).count() == 3


@pytest.mark.parametrize("to", [Claim.Status.REJECTED, Claim.Status.RETURNED])
def test_rejecting_or_returning_needs_a_reason_the_trainer_sees(draft, coordinator, to):
    submitted(draft)

    with pytest.raises(ValidationError) as refused:
        claim_decide(claim=draft, by=coordinator, to=to, reason="  ")
    assert refused.value.message_dict == {"reason": ["Say why: the trainer is told."]}

    claim_decide(claim=draft, by=coordinator, to=to, reason="No receipt for the taxi")
    draft.refresh_from_db()
    assert (draft.status, draft.decision_reason) == (to, "No receipt for the taxi")


def test_nobody_decides_on_their_own_claim_or_without_being_a_coordinator(draft):
    submitted(draft)
    trainer_user = draft.trainer.user
    trainer_user.groups.add(*UserFactory(roles=[Role.COORDINATOR]).groups.all())
    trainer_user = type(trainer_user).objects.get(pk=trainer_user.pk)

    with pytest.raises(ValidationError, match="You cannot decide on your own claim"):
        claim_decide(claim=draft, by=trainer_user, to=Claim.Status.APPROVED)
    with pytest.raises(ValidationError, match="Only a coordinator"):
        claim_decide(claim=draft, by=UserFactory(roles=[Role.MANAGER]), to=Claim.Status.APPROVED)

    draft.refresh_from_db()
    assert draft.status == Claim.Status.SUBMITTED


def test_only_an_approved_claim_is_paid_and_not_on_a_future_day(draft, coordinator):
    submitted(draft)
    with pytest.raises(ValidationError, match="cannot be marked paid"):
        claim_pay(claim=draft, by=coordinator, paid_on=TODAY)
    claim_decide(claim=draft, by=coordinator, to=Claim.Status.APPROVED)
    with pytest.raises(ValidationError) as refused:
        claim_pay(claim=draft, by=coordinator, paid_on=TODAY + timedelta(days=1))

    assert refused.value.message_dict == {"paid_on": ["The payment date cannot be in the future."]}
    draft.refresh_from_db()
    assert draft.status == Claim.Status.APPROVED


def test_a_payment_date_before_the_day_the_claim_was_approved_is_refused(draft, coordinator):
    with time_machine.travel(datetime(2026, 12, 1, 12, 0, tzinfo=UTC)):
        add(draft, spent_on=date(2026, 11, 30))
        claim_submit(claim=draft, by=draft.trainer.user)
    with time_machine.travel(datetime(2026, 12, 3, 12, 0, tzinfo=UTC)):
        claim_decide(claim=draft, by=coordinator, to=Claim.Status.APPROVED)

    for before in (date(2026, 12, 2), date(2026, 11, 30)):
        with pytest.raises(ValidationError) as refused:
            claim_pay(claim=draft, by=coordinator, paid_on=before, reference="BACS 1")
        assert refused.value.message_dict == {
            "paid_on": [
                "The payment date cannot be before the claim was approved, on 3 December 2026."
            ]
        }
    draft.refresh_from_db()
    assert (draft.status, draft.paid_on, draft.payment_reference) == ("approved", None, "")
    assert not ClaimEvent.objects.filter(claim=draft, to_status=Claim.Status.PAID).exists()

    claim_pay(claim=draft, by=coordinator, paid_on=date(2026, 12, 3))
    draft.refresh_from_db()
    assert (draft.status, draft.paid_on) == (Claim.Status.PAID, date(2026, 12, 3))


def test_the_day_a_claim_was_approved_is_its_day_in_the_uk(draft, coordinator):
    submitted(draft)
    # 00:30 on 5 June in London (summer time) is still 4 June in UTC.
    with time_machine.travel(datetime(2027, 6, 4, 23, 30, tzinfo=UTC)):
        claim_decide(claim=draft, by=coordinator, to=Claim.Status.APPROVED)

    with (
        time_machine.travel(datetime(2027, 6, 5, 12, 0, tzinfo=UTC)),
        pytest.raises(ValidationError, match="approved, on 5 June 2027"),
    ):
        claim_pay(claim=draft, by=coordinator, paid_on=date(2027, 6, 4))


def test_a_claim_decided_already_is_not_decided_again(draft, coordinator):
    submitted(draft)
    claim_decide(claim=draft, by=coordinator, to=Claim.Status.APPROVED)

    with pytest.raises(ValidationError, match="This claim is approved already"):
        claim_decide(
            claim=draft,
            by=UserFactory(roles=[Role.COORDINATOR]),
            to=Claim.Status.REJECTED,
            reason="Too late",
        )

    draft.refresh_from_db()
    assert draft.status == Claim.Status.APPROVED


@pytest.mark.django_db(transaction=True)
def test_two_coordinators_deciding_at_once_one_wins_and_the_other_is_told(
    trainer_profile, session, coordinator
):
    draft = claim_start(trainer=trainer_profile, activity=Claim.Activity.SESSION, session=session)
    submitted(draft)
    other = UserFactory(roles=[Role.COORDINATOR])
    outcomes: list[str] = []

    def decide(by, to):
        try:
            claim_decide(claim=draft, by=by, to=to, reason="Not for this session")
            outcomes.append(to)
        except ValidationError as refused:
            outcomes.append(refused.messages[0])
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(coordinator, Claim.Status.APPROVED)),
        threading.Thread(target=decide, args=(other, Claim.Status.REJECTED)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    draft.refresh_from_db()
    assert draft.status in (Claim.Status.APPROVED, Claim.Status.REJECTED)
    assert sorted(outcomes, key=len) == [
        draft.status,
        f"This claim is {draft.get_status_display().lower()} already, so it was not changed.",
    ]
    assert draft.events.filter(from_status="submitted").count() == 1


def test_mileage_with_no_rate_in_force_says_so_rather_than_asking_again(draft):
    MileageRate.objects.filter(vehicle=Vehicle.CAR).delete()

    with pytest.raises(ValidationError) as refused:
        add(draft, kind=Item.Kind.MILEAGE, miles=Decimal("5"), vehicle=Vehicle.CAR, amount=None)

    assert refused.value.message_dict == {
        "vehicle": [
            "There is no mileage rate for a car on 4 December 2026: "
            "ask your coordinator to set one."
        ]
    }
    assert not Item.objects.exists()
