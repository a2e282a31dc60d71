import csv
import io
from decimal import Decimal

import pytest

from core.csvsafe import safe_cell, write_csv


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("=SUM(A1:A9)", id="equals"),
        pytest.param("+44 161 000 0000", id="plus"),
        pytest.param("-2+3", id="minus"),
        pytest.param("@SUM(A1)", id="at"),
        pytest.param("\t=1+1", id="tab"),
        pytest.param("\r=1+1", id="carriage return"),
        pytest.param('=HYPERLINK("http://example.com","Click")', id="a hyperlink formula"),
    ],
)
def test_it_neutralises_text_that_would_start_a_formula(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("Siân Jones", id="a name"),
        pytest.param("a=b", id="a formula sign later on"),
        pytest.param("", id="empty text"),
    ],
)
def test_it_leaves_ordinary_text_alone(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(-5, id="a negative integer"),
        pytest.param(Decimal("-12.50"), id="a negative decimal"),
        pytest.param(3.5, id="a float"),
        pytest.param(None, id="nothing"),
    ],
)
def test_it_leaves_numbers_and_empty_cells_untouched(value):
    assert safe_cell(value) is value


def test_it_neutralises_the_header_and_every_row():
    handle = io.StringIO()

    write_csv(handle, ["Name", "=Total"], [["=cmd|' /C calc'!A0", 3], ["Ann", "@x"]])

    assert list(csv.reader(io.StringIO(handle.getvalue()))) == [
        ["Name", "'=Total"],
        ["'=cmd|' /C calc'!A0", "3"],
        ["Ann", "'@x"],
    ]
