"""Permission-matrix rows for expenses: claims."""

from tests.permissions import Row

ROWS: list[Row] = []
