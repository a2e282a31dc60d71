"""Permission-matrix rows for expenses: coordinators reviewing and paying claims.

Coordinators only: everyone else is refused before any lookup (403), so a claim's id tells them
nothing; a draft, an unknown claim, a draft's receipt or a receipt of another claim is a 404 for a
coordinator too.
Deciding and paying are POST only (405 to a coordinator's GET)."""

from expenses.models import Claim
from tests.expenses.factories import ClaimFactory, ItemFactory, ReceiptFactory
from tests.permissions import Row, only
from tests.trainers.factories import TrainerFactory


def claim_of_trainer_a(people: dict, status: str = Claim.Status.SUBMITTED) -> Claim:
    trainer = TrainerFactory(user=people["trainer_a"], status="active")
    return ClaimFactory(trainer=trainer, status=status)


def receipt_kwargs(people: dict) -> dict:
    receipt = ReceiptFactory(item=ItemFactory(claim=claim_of_trainer_a(people)))
    return {"pk": receipt.item.claim_id, "receipt_pk": receipt.pk}


def receipt_of_a_draft(people: dict) -> dict:
    receipt = ReceiptFactory(item=ItemFactory(claim=claim_of_trainer_a(people, Claim.Status.DRAFT)))
    return {"pk": receipt.item.claim_id, "receipt_pk": receipt.pk}


def receipt_of_another_claim(people: dict) -> dict:
    receipt = ReceiptFactory(item=ItemFactory(claim=ClaimFactory(status="submitted")))
    return {"pk": claim_of_trainer_a(people).pk, "receipt_pk": receipt.pk}


COORDINATOR_ONLY = only("coordinator")

ROWS: list[Row] = [
    Row("expenses:review-claim", lambda p: {"pk": claim_of_trainer_a(p).pk}, COORDINATOR_ONLY),
    Row(
        "expenses:review-claim",
        lambda p: {"pk": claim_of_trainer_a(p, Claim.Status.DRAFT).pk},
        COORDINATOR_ONLY | {"coordinator": 404},
        "a draft",
    ),
    Row(
        "expenses:review-claim",
        lambda p: {"pk": 999999},
        COORDINATOR_ONLY | {"coordinator": 404},
        "no such claim",
    ),
    Row(
        "expenses:review-decide",
        lambda p: {"pk": claim_of_trainer_a(p).pk},
        COORDINATOR_ONLY | {"coordinator": 405},
    ),
    Row(
        "expenses:review-pay",
        lambda p: {"pk": claim_of_trainer_a(p, Claim.Status.APPROVED).pk},
        COORDINATOR_ONLY | {"coordinator": 405},
    ),
    Row("expenses:review-receipt", receipt_kwargs, COORDINATOR_ONLY),
    Row(
        "expenses:review-receipt",
        receipt_of_another_claim,
        COORDINATOR_ONLY | {"coordinator": 404},
        "another claim's receipt",
    ),
    Row(
        "expenses:review-receipt",
        receipt_of_a_draft,
        COORDINATOR_ONLY | {"coordinator": 404},
        "a draft's receipt",
    ),
]
