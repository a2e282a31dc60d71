"""CSV downloads of already-permitted rows, each recorded in the audit trail."""

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest, HttpResponse

from audit.actions import ExportAction
from audit.services import audit_record
from core.csvsafe import write_csv


def csv_response(
    request: HttpRequest, filename: str, header: Iterable[str], rows: Iterable[Iterable[Any]]
) -> HttpResponse:
    """A downloadable CSV file of already-permitted rows; every export is audited."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so Excel reads UTF-8 names correctly
    count = write_csv(response, header, rows)
    audit_record(
        action=ExportAction.EXPORT, request=request, changes={"file": filename, "rows": count}
    )
    return response
