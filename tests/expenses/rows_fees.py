"""Permission-matrix rows for expenses: fees."""

from tests.permissions import Row

ROWS: list[Row] = []
