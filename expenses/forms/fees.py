"""Forms for fee rates, a session's fees and their payment. The services check the rules
(amounts, quantities, dates), and their refusals are placed on these fields."""

from typing import cast

from django import forms

from core.forms import NativeDateInput
from expenses.models import FeeRate
from trainers.models import Trainer

UNIT_CHOICES = [("", "Choose…"), *FeeRate.Unit.choices]
UNIT_ERRORS = {
    "required": "Choose a half day, full day or hour.",
    "invalid_choice": "Choose a half day, full day or hour.",
}
DATE_ERRORS = {"required": "Enter the date.", "invalid": "Enter a real date, like 6/4/2027."}


class FeeRateForm(forms.Form):
    unit = forms.ChoiceField(label="Unit of work", choices=UNIT_CHOICES, error_messages=UNIT_ERRORS)
    amount = forms.DecimalField(
        label="Amount (£)",
        error_messages={
            "required": "Enter the amount in pounds and pence, for example 75.50.",
            "invalid": "Enter the amount in pounds and pence, for example 75.50.",
        },
    )
    effective_from = forms.DateField(
        label="In force from", widget=NativeDateInput, error_messages=DATE_ERRORS
    )


class FeeForm(forms.Form):
    trainer = forms.ChoiceField(
        label="Trainer",
        error_messages={
            "required": "Choose a trainer on this session who is paid a fee.",
            "invalid_choice": "Choose a trainer on this session who is paid a fee.",
        },
    )
    unit = forms.ChoiceField(label="Unit of work", choices=UNIT_CHOICES, error_messages=UNIT_ERRORS)
    quantity = forms.DecimalField(
        label="How many units",
        help_text="For example 1, or 1.5 for one and a half.",
        error_messages={
            "required": "Enter how many units, for example 1 or 1.5.",
            "invalid": "Enter how many units as a number, for example 1 or 1.5.",
        },
    )

    def __init__(self, *args, trainers: list[Trainer], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.trainers = {str(trainer.pk): trainer for trainer in trainers}
        cast(forms.ChoiceField, self.fields["trainer"]).choices = [
            ("", "Choose…"),
            *((pk, trainer.user.full_name) for pk, trainer in self.trainers.items()),
        ]

    def clean_trainer(self) -> Trainer:
        return self.trainers[self.cleaned_data["trainer"]]


class FeePayForm(forms.Form):
    paid_on = forms.DateField(label="Paid on", widget=NativeDateInput, error_messages=DATE_ERRORS)
    reference = forms.CharField(
        label="Payment reference",
        required=False,
        max_length=100,
        error_messages={"max_length": "Keep the reference to 100 characters."},
    )
