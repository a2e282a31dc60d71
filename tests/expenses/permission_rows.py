"""Permission-matrix rows for expenses, one module for each part of the app.

See tests/permissions.py for what a row says; tests/test_permission_matrix.py runs them."""

from tests.expenses.rows_claims import ROWS as CLAIM_ROWS
from tests.expenses.rows_fees import ROWS as FEE_ROWS
from tests.expenses.rows_review import ROWS as REVIEW_ROWS
from tests.expenses.rows_travel import ROWS as TRAVEL_ROWS

ROWS = [*CLAIM_ROWS, *REVIEW_ROWS, *TRAVEL_ROWS, *FEE_ROWS]
