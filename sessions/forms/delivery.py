"""The forms for delivering a session: the attendance register, learners' self
check-in, the delivery report with the trainer's optional debrief, and the session's costs."""

from django import forms

from sessions.models import Registration, SessionCost
from trainers.models import WellbeingCheckIn


class AttendanceForm(forms.Form):
    """One choice per person on the register: attended, partly or did not attend. Left empty,
    a person stays unmarked."""

    MARK_CHOICES = [
        (Registration.Status.ATTENDED, "Attended"),
        (Registration.Status.PARTLY_ATTENDED, "Partly"),
        (Registration.Status.NO_SHOW, "Did not attend"),
    ]

    def __init__(self, *args, registrations: list[Registration], **kwargs):
        super().__init__(*args, **kwargs)
        self.registrations = registrations
        for registration in registrations:
            marked = registration.status in dict(self.MARK_CHOICES)
            self.fields[f"mark_{registration.pk}"] = forms.ChoiceField(
                label=registration.participant.full_name,
                choices=self.MARK_CHOICES,
                required=False,
                initial=registration.status if marked else None,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": "Choose attended, partly or did not attend."},
            )

    def rows(self):
        """(registration, bound field) for each person, in the register's order."""
        return [
            (registration, self[f"mark_{registration.pk}"]) for registration in self.registrations
        ]

    def marks(self) -> dict[int, str]:
        return {
            registration.pk: self.cleaned_data[f"mark_{registration.pk}"]
            for registration in self.registrations
            if self.cleaned_data.get(f"mark_{registration.pk}")
        }


class SelfCheckInForm(forms.Form):
    email = forms.EmailField(
        label="The email address you registered with",
        max_length=254,
        error_messages={
            "required": "Enter the email address you registered with.",
            "invalid": "Enter an email address like name@example.org.",
        },
    )


class _YesNo(forms.TypedChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            choices=[("yes", "Yes"), ("no", "No")],
            coerce=lambda value: value == "yes",
            widget=forms.RadioSelect,
            **kwargs,
        )


class DeliveryReportForm(forms.Form):
    delivered_as_planned = _YesNo(
        label="Was the session delivered as planned?",
        error_messages={"required": "Say whether the session was delivered as planned."},
    )
    changes_on_the_day = forms.CharField(
        label="What was different from the plan?",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Needed if it was not delivered as planned.",
    )
    attendee_count = forms.IntegerField(
        label="Number of learners",
        min_value=0,
        max_value=10000,
        error_messages={
            "required": "Enter the number of learners.",
            "invalid": "Enter a whole number, like 12.",
            "min_value": "Enter the number of learners: 0 or more.",
            "max_value": "Enter the number of learners who came, like 12.",
        },
    )
    went_well = forms.CharField(
        label="What went well?",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    to_change = forms.CharField(
        label="What should change in the course?",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Coordinators read this when they write the course's next version.",
    )
    debrief_feeling = forms.TypedChoiceField(
        label="How are you feeling after delivering?",
        choices=WellbeingCheckIn.Feeling.choices,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    debrief_notes = forms.CharField(
        label="Anything you would like to note",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    wants_debrief = forms.BooleanField(
        label="I would like a debrief with my supporter",
        required=False,
        help_text="We email your supporter straight away to say you asked, without your notes.",
    )

    DEBRIEF_FIELDS = ("debrief_feeling", "debrief_notes", "wants_debrief")

    def __init__(self, *args, with_debrief: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_debrief:
            for name in self.DEBRIEF_FIELDS:
                del self.fields[name]

    def report_fields(self):
        return [self[name] for name in self.fields if name not in self.DEBRIEF_FIELDS]

    def debrief_fields(self):
        return [self[name] for name in self.fields if name in self.DEBRIEF_FIELDS]


class _PoundsField(forms.DecimalField):
    """Pounds as people write them: "45", "45.50", "£1,200"."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().removeprefix("£").replace(",", "").strip()
        return super().to_python(value)


class SessionCostForm(forms.Form):
    kind = forms.ChoiceField(
        label="Cost",
        choices=[("", "Choose…"), *SessionCost.Kind.choices],
        error_messages={
            "required": "Choose room hire, refreshments, support or other.",
            "invalid_choice": "Choose room hire, refreshments, support or other.",
        },
    )
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=200,
        help_text="Needed for “Other”.",
        error_messages={"max_length": "Keep the description to 200 characters."},
    )
    amount = _PoundsField(
        label="Amount (£)",
        min_value=0,
        max_digits=9,
        decimal_places=2,
        error_messages={
            "required": "Enter an amount in pounds, like 45 or 45.50.",
            "invalid": "Enter an amount in pounds, like 45 or 45.50.",
            "min_value": "The amount cannot be less than £0.",
            "max_decimal_places": "Enter pounds and pence, with at most 2 digits for pence.",
            "max_digits": "Enter an amount under £10,000,000.",
            "max_whole_digits": "Enter an amount under £10,000,000.",
        },
    )
