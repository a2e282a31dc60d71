"""Forms for a trainer's own claims: starting one, and adding or correcting an expense with its
receipts. The rules (amounts, miles, dates, a taxi's reason) are the services'; a refusal is put
on the field it is about."""

from django import forms
from django.db.models import QuerySet

from core.forms import NativeDateInput
from core.uploads import FileContentValidator, MultipleFileField, MultipleFileInput
from expenses.models import Claim, Item, Vehicle
from expenses.services.claims import MOST_RECEIPTS_AN_ITEM, RECEIPT_KINDS
from sessions.models import TrainingSession


class SessionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: TrainingSession) -> str:
        return f"{obj.course_version.course}, {obj.starts_at:%-d %B %Y}"


class ClaimStartForm(forms.Form):
    activity = forms.ChoiceField(
        label="What is the claim for?",
        choices=Claim.Activity.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the claim is for."},
    )
    session = SessionChoiceField(
        label="Which session (for a training session)",
        queryset=TrainingSession.objects.none(),
        required=False,
        empty_label="Choose a session you were on",
        error_messages={"invalid_choice": "Choose a session you were on."},
    )
    activity_description = forms.CharField(
        label="What the activity was (for anything but a session)",
        help_text="For example: Train the Trainer day 2 in Leeds, or supervision with Sam.",
        max_length=200,
        required=False,
    )

    def __init__(self, *args, sessions: QuerySet[TrainingSession], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = sessions  # type: ignore[attr-defined]


class ItemForm(forms.Form):
    """One expense. Mileage gives miles and how the trainer travelled (the amount is worked out);
    every other kind gives its amount; a taxi gives a reason."""

    kind = forms.ChoiceField(
        label="Kind of expense",
        choices=[("", "Choose a kind"), *Item.Kind.choices],
        error_messages={"required": "Choose what kind of expense it is."},
    )
    spent_on = forms.DateField(
        label="Date",
        widget=NativeDateInput,
        error_messages={
            "required": "Enter the date of the expense.",
            "invalid": "Enter a real date, for example 4 December 2026.",
        },
    )
    description = forms.CharField(
        label="What it was",
        help_text="For example: bus from home to the venue and back.",
        max_length=200,
        error_messages={"required": "Say what the expense was."},
    )
    amount = forms.DecimalField(
        label="Amount (£)",
        help_text="Pounds and pence, for example 4.20. Leave empty for mileage: it is worked out.",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={"invalid": "Enter the amount in pounds and pence, for example 4.20."},
    )
    miles = forms.DecimalField(
        label="Miles (mileage only)",
        help_text="The whole trip, to one decimal place, for example 23.5.",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={"invalid": "Enter the miles as a number, for example 23.5."},
    )
    vehicle = forms.ChoiceField(
        label="How you travelled (mileage only)",
        choices=[("", "Choose how you travelled"), *Vehicle.choices],
        required=False,
    )
    reason = forms.CharField(
        label="Why a taxi was needed (taxi only)",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    receipts = MultipleFileField(
        label="Receipts (optional)",
        help_text=(
            "PDF, JPEG or PNG, up to 10 MB each. You can choose several, or take a photo with "
            "your phone."
        ),
        required=False,
        max_files=MOST_RECEIPTS_AN_ITEM,
        validators=[FileContentValidator(RECEIPT_KINDS)],
        # image/* lets a phone offer its camera; the content is what is checked.
        widget=MultipleFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png,image/*"}),
    )

    @classmethod
    def initial_for(cls, item: Item) -> dict:
        return {
            "kind": item.kind,
            "spent_on": item.spent_on,
            "description": item.description,
            "amount": None if item.kind == Item.Kind.MILEAGE else item.amount,
            "miles": item.miles,
            "vehicle": item.vehicle,
            "reason": item.reason,
        }
