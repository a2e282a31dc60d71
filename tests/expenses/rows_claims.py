"""Permission-matrix rows for expenses: a trainer's own claims, items and receipts.

Only the trainer whose claim it is reaches it (trainer_a); another trainer gets a 404, people
without the trainer role a 403. A receipt is also open to coordinators, who decide on claims, once
its claim is submitted (a draft's is a 404 to them).
Pages about a claim that can no longer change send its trainer back to the claim (302); POST-only
routes answer a GET with 405."""

from expenses.models import Claim
from tests.expenses.factories import ClaimFactory, ItemFactory, ReceiptFactory, joined_a_year_ago
from tests.permissions import ROLES, SIGN_IN, Row
from tests.trainers.factories import TrainerFactory


def own_claim(p: dict, status: str = Claim.Status.DRAFT) -> Claim:
    """A claim of trainer_a's, for a session they were on."""
    trainer = joined_a_year_ago(TrainerFactory(user=p["trainer_a"], status="active"))
    return ClaimFactory(trainer=trainer, status=status)


def trainer_a_only(*, trainer_a: int | str = 200, **others: int | str) -> dict[str, int | str]:
    """trainer_a gets `trainer_a`, trainer_b a 404, the visitor the sign-in page, others 403."""
    expect: dict[str, int | str] = dict.fromkeys(ROLES, 403)
    return expect | {"visitor": SIGN_IN, "trainer_a": trainer_a, "trainer_b": 404} | others


SUBMITTED = Claim.Status.SUBMITTED

ROWS: list[Row] = [
    Row("expenses:claim-detail", lambda p: {"pk": own_claim(p).pk}, trainer_a_only(), "draft"),
    Row(
        "expenses:claim-detail",
        lambda p: {"pk": own_claim(p, SUBMITTED).pk},
        trainer_a_only(),
        "submitted: read-only",
    ),
    Row(
        "expenses:claim-submit",
        lambda p: {"pk": ItemFactory(claim=own_claim(p)).claim_id},
        trainer_a_only(),
        "draft: shows the total",
    ),
    Row(
        "expenses:claim-submit",
        lambda p: {"pk": own_claim(p, SUBMITTED).pk},
        trainer_a_only(trainer_a=302),
        "submitted: back to the claim",
    ),
    Row("expenses:claim-discard", lambda p: {"pk": own_claim(p).pk}, trainer_a_only(), "draft"),
    Row(
        "expenses:claim-discard",
        lambda p: {"pk": own_claim(p, SUBMITTED).pk},
        trainer_a_only(trainer_a=302),
        "submitted: back to the claim",
    ),
    Row(
        "expenses:claim-start",
        lambda p: {"session_id": own_claim(p).session_id},
        trainer_a_only(trainer_a=405, trainer_b=405),
        "POST only",
    ),
    Row(
        "expenses:item-edit",
        lambda p: {"pk": ItemFactory(claim=own_claim(p)).pk},
        trainer_a_only(),
        "draft",
    ),
    Row(
        "expenses:item-edit",
        lambda p: {"pk": ItemFactory(claim=own_claim(p, SUBMITTED)).pk},
        trainer_a_only(trainer_a=302),
        "submitted: back to the claim",
    ),
    Row(
        "expenses:item-remove",
        lambda p: {"pk": ItemFactory(claim=own_claim(p)).pk},
        trainer_a_only(),
        "draft",
    ),
    Row(
        "expenses:item-remove",
        lambda p: {"pk": ItemFactory(claim=own_claim(p, SUBMITTED)).pk},
        trainer_a_only(trainer_a=302),
        "submitted: back to the claim",
    ),
    Row(
        "expenses:receipt-download",
        lambda p: {"pk": ReceiptFactory(item=ItemFactory(claim=own_claim(p, SUBMITTED))).pk},
        trainer_a_only(coordinator=200),
        "submitted",
    ),
    Row(
        "expenses:receipt-download",
        lambda p: {"pk": ReceiptFactory(item=ItemFactory(claim=own_claim(p))).pk},
        trainer_a_only(coordinator=404),
        "draft: the trainer's own",
    ),
    Row(
        "expenses:receipt-remove",
        lambda p: {"pk": ReceiptFactory(item=ItemFactory(claim=own_claim(p))).pk},
        trainer_a_only(trainer_a=405, trainer_b=405),
        "POST only",
    ),
]
