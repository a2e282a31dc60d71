"""Permission-matrix rows for expenses: travel."""

from tests.permissions import Row

ROWS: list[Row] = []
