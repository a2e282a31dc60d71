"""Permission-matrix rows for expenses: review."""

from tests.permissions import Row

ROWS: list[Row] = []
