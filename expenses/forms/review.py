"""Coordinators' forms: the queue's filter and bulk action, a decision, a payment, a new mileage
rate, and the date ranges of the finance file and the totals."""

from django import forms
from django.core.exceptions import ValidationError

from core.forms import NativeDateInput
from expenses.models import Claim, Vehicle
from expenses.selectors.claims import QUEUE_STATUSES
from people.models import Region
from trainers.models import Trainer


class _PoundsField(forms.DecimalField):
    """Pounds as people write them: "0.45", "£0.45"."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().removeprefix("£").strip()
        return super().to_python(value)


class _TrainerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Trainer) -> str:
        return obj.user.full_name or f"Trainer {obj.pk}"


def _date_field(label: str, *, required: bool = False) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=NativeDateInput,
        error_messages={
            "required": "Enter the date.",
            "invalid": "Enter a real date, for example 2026-12-04.",
        },
    )


class QueueFilterForm(forms.Form):
    """Which claims the queue lists: waiting for a decision or approved and unpaid, by region
    and trainer (both may be left empty)."""

    show = forms.ChoiceField(
        label="Claims",
        required=False,
        choices=[
            (Claim.Status.SUBMITTED, "Waiting for a decision"),
            (Claim.Status.APPROVED, "Approved, not paid"),
        ],
        error_messages={"invalid_choice": "Choose which claims to show from the list."},
    )
    region = forms.ModelChoiceField(
        label="Region",
        required=False,
        queryset=Region.objects.order_by("name"),
        empty_label="Any region",
        error_messages={"invalid_choice": "Choose a region from the list."},
    )
    trainer = _TrainerChoice(
        label="Trainer",
        required=False,
        queryset=Trainer.objects.select_related("user").order_by("user__full_name", "pk"),
        empty_label="Any trainer",
        error_messages={"invalid_choice": "Choose a trainer from the list."},
    )

    def status(self) -> str:
        """The tab asked for; submitted claims when none is."""
        return self.cleaned_data.get("show") or QUEUE_STATUSES[0]


class BulkForm(forms.Form):
    """Several claims of the queue, approved or marked paid together."""

    APPROVE, PAY = "approve", "pay"

    claims = forms.ModelMultipleChoiceField(
        label="Claims",
        queryset=Claim.objects.exclude(status=Claim.Status.DRAFT),
        error_messages={
            "required": "Choose at least one claim.",
            "invalid_choice": "Choose claims from the list; one of them is not a claim here.",
            "invalid_pk_value": "Choose claims from the list; one of them is not a claim here.",
        },
    )
    action = forms.ChoiceField(
        choices=[(APPROVE, "Approve"), (PAY, "Mark paid")],
        error_messages={
            "required": "Choose approve or mark paid.",
            "invalid_choice": "Choose approve or mark paid.",
        },
    )
    paid_on = _date_field("Paid on")
    reference = forms.CharField(
        label="Payment reference",
        required=False,
        max_length=100,
        error_messages={"max_length": "Keep the reference to 100 characters."},
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("action") == self.PAY
            and not cleaned.get("paid_on")
            and not self.has_error("paid_on")
        ):
            self.add_error("paid_on", "Enter the date they were paid.")
        return cleaned


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        widget=forms.RadioSelect,
        choices=[
            (Claim.Status.APPROVED, "Approve"),
            (Claim.Status.RETURNED, "Return for a change"),
            (Claim.Status.REJECTED, "Reject"),
        ],
        error_messages={
            "required": "Choose approve, return for a change or reject.",
            "invalid_choice": "Choose approve, return for a change or reject.",
        },
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed to return or reject: the trainer reads it.",
        max_length=2000,
        error_messages={"max_length": "Keep the reason to 2,000 characters."},
    )


class PaymentForm(forms.Form):
    paid_on = _date_field("Paid on", required=True)
    reference = forms.CharField(
        label="Payment reference",
        required=False,
        max_length=100,
        error_messages={"max_length": "Keep the reference to 100 characters."},
    )


class MileageRateForm(forms.Form):
    vehicle = forms.ChoiceField(
        label="Way of travelling",
        choices=[("", "Choose…"), *Vehicle.choices],
        error_messages={
            "required": "Choose a way of travelling.",
            "invalid_choice": "Choose a way of travelling from the list.",
        },
    )
    per_mile = _PoundsField(
        label="Rate a mile (£)",
        max_digits=5,
        decimal_places=2,
        help_text="For example 0.45 for 45p.",
        error_messages={
            "required": "Enter the rate a mile in pounds, for example 0.45.",
            "invalid": "Enter the rate a mile in pounds, for example 0.45.",
            "max_decimal_places": "Enter whole pence only, for example 0.45.",
            "max_digits": "Enter the rate a mile in pounds, for example 0.45.",
            "max_whole_digits": "Enter the rate a mile in pounds, for example 0.45.",
        },
    )
    effective_from = _date_field("In force from", required=True)


class DateRangeForm(forms.Form):
    """Claims submitted from one day to another; either end may be left open."""

    start = _date_field("Submitted from")
    end = _date_field("Submitted up to")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            raise ValidationError({"end": "The end date cannot be before the start date."})
        return cleaned


class FinanceFilterForm(DateRangeForm):
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[
            ("", "Any status but draft"),
            *[(value, label) for value, label in Claim.Status.choices if value != "draft"],
        ],
        error_messages={"invalid_choice": "Choose a status from the list."},
    )

    field_order = ["status", "start", "end"]
