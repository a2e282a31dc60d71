"""The expenses app's documents, rendered through core's one PDF helper."""

from django.utils import timezone

from core.pdf import render_pdf
from expenses.selectors import YearPaid

STATEMENT_TEMPLATE = "expenses/pdf/statement.html"


def statement_context(statement: YearPaid) -> dict:
    """What the yearly statement shows; pass what fee_selectors.year_paid gives."""
    return {
        "statement": statement,
        "trainer": statement.trainer,
        "printed_on": timezone.localdate(),
    }


def render_statement_pdf(statement: YearPaid) -> bytes:
    """A trainer's yearly statement: each fee and each expense paid in a tax year, line by line,
    with totals that are the sums of the lines, for benefits or tax advisers."""
    return render_pdf(STATEMENT_TEMPLATE, statement_context(statement))
