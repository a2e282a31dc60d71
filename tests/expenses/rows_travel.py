"""Permission-matrix rows for expenses: travel, and the placeholder claim pages emails link to."""

from tests.expenses.factories import ClaimFactory
from tests.permissions import ROLES, Row

ROWS: list[Row] = [
    # Placeholder until merge: expenses:claim-detail and expenses:review-claim come from other
    # branches with their own rows; the placeholders answer 404 to everyone.
    Row("expenses:claim-detail", lambda p: {"pk": ClaimFactory().pk}, dict.fromkeys(ROLES, 404)),
    Row("expenses:review-claim", lambda p: {"pk": ClaimFactory().pk}, dict.fromkeys(ROLES, 404)),
]
