"""The expenses factories make valid rows that the database accepts."""

import pytest

from expenses.models import Claim
from sessions.models import TrainerAssignment
from tests.expenses.factories import (
    ClaimFactory,
    FeeFactory,
    FeeRateFactory,
    ItemFactory,
    ReceiptFactory,
    StatementFactory,
    TravelRequestFactory,
)

pytestmark = pytest.mark.django_db


def test_a_claim_is_for_a_session_the_trainer_was_on():
    claim = ClaimFactory(status=Claim.Status.PAID)
    assert claim.paid_on is not None
    assert TrainerAssignment.objects.filter(
        session=claim.session, user=claim.trainer.user, status="accepted"
    ).exists()


def test_each_factory_makes_a_row():
    receipt = ReceiptFactory()
    assert receipt.item.claim.items.get() == receipt.item
    with receipt.file.open("rb") as stored:
        assert stored.read().startswith(b"\x89PNG")
    assert ItemFactory().amount > 0
    assert TravelRequestFactory().status == "requested"
    assert FeeRateFactory().amount > 0
    assert FeeFactory().recorded_by.has_role("coordinator")
    statement = StatementFactory()
    assert statement.file.name.startswith("private/expenses/statements/")
    assert statement.file.name.endswith(".pdf")
