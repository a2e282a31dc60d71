"""The permission matrix's vocabulary: the roles, what a row says, and shorthands for its answers.

Each app lists its rows in tests/<app>/permission_rows.py as `ROWS`; tests/test_permission_matrix.py
collects them, runs every row for every role, and fails when a route with a parameter has no row.
"""

from collections.abc import Callable
from dataclasses import dataclass

ROLES = ("visitor", "trainer_a", "trainer_b", "team_lead", "coordinator", "manager", "admin")
SIGN_IN = "sign-in"  # a redirect to the site's sign-in page
ADMIN_SIGN_IN = "admin-sign-in"  # a redirect to the Django admin's sign-in page


@dataclass(frozen=True)
class Row:
    """How to build a real URL for `route` from the matrix's people, and what each role gets."""

    route: str
    kwargs: Callable[[dict], dict]
    expect: dict[str, int | str]
    label: str = ""


def only(role: str, *, others: int | str = 403) -> dict[str, int | str]:
    return {r: (200 if r == role else SIGN_IN if r == "visitor" else others) for r in ROLES}
