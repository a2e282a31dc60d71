"""CSV export that spreadsheet programs cannot turn into formulas."""

import csv
from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest, HttpResponse

from audit.models import Action
from audit.services import audit_record

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


def csv_response(
    request: HttpRequest, filename: str, header: Iterable[str], rows: Iterable[Iterable[Any]]
) -> HttpResponse:
    """A downloadable CSV file of already-permitted rows; every export is audited."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so Excel reads UTF-8 names correctly
    count = write_csv(response, header, rows)
    audit_record(action=Action.EXPORT, request=request, changes={"file": filename, "rows": count})
    return response
