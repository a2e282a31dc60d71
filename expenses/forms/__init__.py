"""The expenses app's forms, one module per topic; callers import them from here."""

from expenses.forms.claims import (
    ClaimStartForm,
    ItemForm,
    SessionChoiceField,
)
from expenses.forms.fees import (
    DATE_ERRORS,
    UNIT_CHOICES,
    UNIT_ERRORS,
    FeeForm,
    FeePayForm,
    FeeRateForm,
)
from expenses.forms.review import (
    BulkForm,
    DateRangeForm,
    DecisionForm,
    FinanceFilterForm,
    MileageRateForm,
    PaymentForm,
    QueueFilterForm,
)
from expenses.forms.travel import (
    TravelBookForm,
    TravelRequestForm,
)

__all__ = [
    "DATE_ERRORS",
    "UNIT_CHOICES",
    "UNIT_ERRORS",
    "BulkForm",
    "ClaimStartForm",
    "DateRangeForm",
    "DecisionForm",
    "FeeForm",
    "FeePayForm",
    "FeeRateForm",
    "FinanceFilterForm",
    "ItemForm",
    "MileageRateForm",
    "PaymentForm",
    "QueueFilterForm",
    "SessionChoiceField",
    "TravelBookForm",
    "TravelRequestForm",
]
