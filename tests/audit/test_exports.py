import csv
import io

import pytest

from audit.actions import ExportAction
from audit.exports import csv_response
from audit.models import AuditEvent


def test_the_response_is_a_csv_download(export_request):
    response = csv_response(export_request, "reach.csv", ["Name"], [["Ann"]])

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="reach.csv"'


def test_the_response_starts_with_a_byte_order_mark_so_excel_reads_utf8(export_request):
    response = csv_response(export_request, "reach.csv", ["Name"], [["Siân"]])

    assert response.content.startswith("\ufeff".encode())


def test_the_response_holds_the_neutralised_rows(export_request):
    response = csv_response(
        export_request, "reach.csv", ["Name", "Staff"], [["Siân", 12], ["=1+1", -3]]
    )

    written = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert written == [["Name", "Staff"], ["Siân", "12"], ["'=1+1", "-3"]]


def test_every_export_is_recorded_in_the_audit_trail_with_who_and_how_many_rows(
    export_request, coordinator
):
    csv_response(export_request, "reach.csv", ["Name"], [["Ann"], ["Bea"]])

    event = AuditEvent.objects.get(action=ExportAction.EXPORT)
    assert event.actor == coordinator
    assert event.changes == {"file": "reach.csv", "rows": 2}
    assert event.path == "/exports/reach.csv"


@pytest.fixture
def export_request(rf, coordinator):
    request = rf.get("/exports/reach.csv")
    request.user = coordinator
    return request
