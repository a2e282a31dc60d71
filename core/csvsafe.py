"""CSV export that spreadsheet programs cannot turn into formulas."""

import csv
from collections.abc import Iterable
from typing import Any

# A cell starting with one of these is read as a formula by Excel, LibreOffice and Sheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Prefix text that would start a formula with an apostrophe; leave numbers alone."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def write_csv(handle, header: Iterable[str], rows: Iterable[Iterable[Any]]) -> int:
    """Write a header and rows with formula cells neutralised; returns how many rows."""
    writer = csv.writer(handle)
    writer.writerow([safe_cell(cell) for cell in header])
    count = 0
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
        count += 1
    return count
