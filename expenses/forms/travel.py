"""Forms for travel booked for trainers: asking for it, and a coordinator booking it. The rules
(a session the trainer is on, no past dates, details when booked) are the services'."""

from django import forms

from core.dates import uk_weekday
from core.forms import NativeDateInput
from expenses.models import TravelRequest
from sessions.models import TrainingSession


class _SessionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: TrainingSession) -> str:
        return f"{obj.course_version.course}, {uk_weekday(obj.starts_at)}"


class TravelRequestForm(forms.Form):
    """What a trainer needs booked: what for, when, from where to where, and how."""

    session = _SessionChoice(
        label="Which session is it for?",
        queryset=TrainingSession.objects.none(),
        required=False,
        empty_label="Not a session: something else",
        error_messages={"invalid_choice": "Choose a session you are on."},
    )
    purpose = forms.CharField(
        label="If it is not for a session, what is it for?",
        required=False,
        max_length=200,
        help_text="For example: a Train the Trainer day.",
    )
    travel_on = forms.DateField(
        label="Date of travel",
        widget=NativeDateInput(),
        error_messages={
            "required": "Enter the date you travel.",
            "invalid": "Enter the date you travel, for example 14/12/2026.",
        },
    )
    from_place = forms.CharField(
        label="From",
        max_length=200,
        help_text="A station, a town or an address.",
        error_messages={"required": "Say where you travel from."},
    )
    to_place = forms.CharField(
        label="To",
        max_length=200,
        error_messages={"required": "Say where you travel to."},
    )
    mode = forms.ChoiceField(
        label="How would you like to travel?",
        choices=TravelRequest.Mode.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how you would like to travel."},
    )
    return_journey = forms.BooleanField(
        label="I need a return journey too", required=False, initial=True
    )
    notes = forms.CharField(
        label="Anything the person booking should know (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example the times that suit you, or help you need on the journey.",
    )

    def __init__(self, *args, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = sessions


class TravelBookForm(forms.Form):
    """A coordinator's booking: what the trainer needs to travel, and what it cost."""

    booking_details = forms.CharField(
        label="Booking details",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Tickets, times and the booking reference: the trainer sees this and is "
        "emailed it.",
        error_messages={
            "required": "Give the booking details: tickets, times and reference.",
        },
    )
    cost = forms.DecimalField(
        label="Cost in £ (optional)",
        required=False,
        min_value=0,
        max_digits=9,
        decimal_places=2,
        error_messages={
            "invalid": "Enter the cost in pounds and pence, for example 23.40.",
            "min_value": "Enter the cost in pounds and pence, for example 23.40.",
            "max_decimal_places": "Enter pounds and pence only, for example 23.40.",
        },
    )
