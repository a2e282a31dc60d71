import re
from datetime import date, datetime
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from core.dates import LONDON
from core.forms import NativeDateInput, NativeTimeInput, PlainEmailField
from people.models import Region, User
from trainers.models import (
    Application,
    Certification,
    Involvement,
    RoleDescription,
    SupportSession,
    T3Programme,
    T3Requirement,
    Trainer,
    WellbeingCheckIn,
)
from trainers.selectors import STATUS_FILTER_FOR_COORDINATORS, STATUS_FOR_COORDINATORS

# --- Role descriptions and recruitment ---


class RoleDescriptionForm(forms.ModelForm):
    """The text of a draft role description. Saved through the services, never form.save()."""

    class Meta:
        model = RoleDescription
        fields = [
            "title",
            "purpose",
            "involves",
            "time_commitment",
            "support_offered",
            "payment_policy",
        ]
        labels = {
            "title": "Title",
            "purpose": "Purpose of the role",
            "involves": "What the role involves",
            "time_commitment": "Time commitment",
            "support_offered": "Support offered",
            "payment_policy": "Expenses and payment policy",
        }
        help_texts = {
            "payment_policy": "Include how expenses are paid and that people may decline "
            "payment, for example because of benefits.",
        }
        widgets = {
            name: forms.Textarea(attrs={"rows": 4})
            for name in [
                "purpose",
                "involves",
                "time_commitment",
                "support_offered",
                "payment_policy",
            ]
        }
        error_messages = {
            "title": {"required": "Give the role description a title."},
            "purpose": {"required": "Say what the role is for."},
            "involves": {"required": "Say what the role involves."},
            "time_commitment": {"required": "Say how much time the role takes."},
            "support_offered": {"required": "Say what support trainers get."},
            "payment_policy": {"required": "Say how expenses and payment work."},
        }


PHONE_CHARACTERS = re.compile(r"^[0-9 +()\-]*$")


class ApplicationForm(forms.Form):
    """The public expression-of-interest form. `website` is a honeypot: it sits in a hidden
    block people never see or reach, so only a bot fills it in."""

    HONEYPOT = "website"

    full_name = forms.CharField(
        label="Your name",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": "Enter your name."},
    )
    email = PlainEmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Enter your email address.",
            "invalid": "Enter an email address in the right format, like name@example.org.",
        },
    )
    phone = forms.CharField(
        label="Phone number (optional)",
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
        help_text="If you would rather we phoned you.",
    )
    region = forms.ModelChoiceField(
        label="Where you live or would like to be involved",
        queryset=Region.objects.all(),
        empty_label="Choose a region",
        error_messages={
            "required": "Choose a region.",
            "invalid_choice": "Choose one of the regions listed.",
        },
    )
    involvement = forms.MultipleChoiceField(
        label="How would you like to be involved?",
        choices=Involvement.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose as many as you like. You can change your mind later.",
        error_messages={
            "required": "Choose at least one way you would like to be involved.",
            "invalid_choice": "Choose from the ways of being involved listed.",
        },
    )
    about_involvement = forms.CharField(
        label="Anything else you would like to tell us (optional)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example, topics you are interested in, or what you would like to get "
        "out of it. You do not need to tell us about your own experiences here.",
    )
    access_needs = forms.CharField(
        label="Access needs (optional)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="We ask so that we can make talking with us, training and delivering work "
        "for you: for example step-free access, a quiet room, large print, a British Sign "
        "Language interpreter or extra breaks. Only the coordinators who recruit trainers "
        "read it.",
    )
    consent = forms.BooleanField(
        label="I agree to Coproduce keeping the details on this form, as described in “How we "
        "use your details” above.",
        error_messages={
            "required": "Tick the box to say we may keep these details. Without it we cannot "
            "take your application."
        },
    )

    def clean_full_name(self) -> str:
        name = self.cleaned_data["full_name"].strip()
        if not name:
            raise ValidationError("Enter your name.")
        return name

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if not PHONE_CHARACTERS.match(phone):
            raise ValidationError(
                "Enter a phone number using only numbers, spaces and + ( ) -, like 0161 496 0000."
            )
        return phone

    @property
    def is_from_a_bot(self) -> bool:
        return bool(self.data.get(self.HONEYPOT, "").strip())


NOTE_ONLY = ""


class _StepField(forms.ChoiceField):
    """Offers the possible next steps but lets any step through to the service, which refuses
    one that is no longer possible with a message saying why."""

    def valid_value(self, value) -> bool:
        return value == NOTE_ONLY or value in Application.Status.values


class ApplicationMoveForm(forms.Form):
    """Move an application to its next step, or add a note. Only the possible next steps are
    offered; a step that is no longer possible (someone else moved it) is refused by the
    service with a message."""

    status = _StepField(
        label="What happens next?",
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose one of the steps listed."},
    )
    conversation_date = forms.DateField(
        label="Conversation date",
        required=False,
        widget=NativeDateInput,
        help_text="Needed when you book a conversation.",
        error_messages={"invalid": "Enter a real date, for example 14/06/2025."},
    )
    conversation_time = forms.TimeField(
        label="Conversation time",
        required=False,
        widget=NativeTimeInput,
        help_text="UK time, for example 14:30.",
        error_messages={"invalid": "Enter a time, for example 14:30."},
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Coordinators see this in the history. Write it as if the applicant may read "
        "it: they can ask to see what we hold about them.",
    )

    def __init__(self, *args, application: Application, next_steps: tuple[str, ...], **kwargs):
        super().__init__(*args, **kwargs)
        self.application = application
        choices = [
            (
                step,
                "Change the conversation time"
                if step == application.status
                else Application.Status(step).label,
            )
            for step in next_steps
        ]
        choices.append((NOTE_ONLY, "No change: just add a note"))
        cast(_StepField, self.fields["status"]).choices = choices
        self.fields["status"].initial = NOTE_ONLY
        if next_steps:
            self.fields["status"].help_text = (
                f"Now: {application.get_status_display()}. Accepting creates the trainer's "
                "account and emails them a link to choose a password."
                if Application.Status.ACCEPTED in next_steps
                else f"Now: {application.get_status_display()}."
            )
        if application.conversation_at:
            when = timezone.localtime(application.conversation_at, LONDON)
            self.fields["conversation_date"].initial = when.date()
            self.fields["conversation_time"].initial = when.time()

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("status") == Application.Status.CONVERSATION_BOOKED:
            day, at = cleaned.get("conversation_date"), cleaned.get("conversation_time")
            if day is None and "conversation_date" not in self.errors:
                self.add_error("conversation_date", "Enter the date of the conversation.")
            if at is None and "conversation_time" not in self.errors:
                self.add_error("conversation_time", "Enter the time of the conversation.")
            if day is not None and at is not None:
                cleaned["conversation_at"] = datetime.combine(day, at, tzinfo=LONDON)
        return cleaned


class ApplicationFilterForm(forms.Form):
    """The pipeline page's filter; both may be left empty."""

    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), *Application.Status.choices],
        error_messages={"invalid_choice": "Choose one of the statuses listed."},
    )
    region = forms.ModelChoiceField(
        label="Region",
        required=False,
        queryset=Region.objects.all(),
        empty_label="Any region",
        error_messages={"invalid_choice": "Choose one of the regions listed."},
    )


# --- Trainer profiles and Train the Trainer ---


# A text box rather than the browser's date picker: a half-typed date in a picker is sent as
# nothing at all, so the mistake would not be shown (as on the audit trail's filter).
T3_DATE_HINT = "For example, 31/01/2025"
T3_DATE_ERROR = "Enter a real date, like 31/01/2025."
PRIVATE_HINT = "Private: only you and your supporter can see this."


def _text(label: str, *, help_text: str = "", rows: int = 3, required: bool = False):
    return forms.CharField(
        label=label,
        required=required,
        max_length=5000,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _whole_number(label: str, low: int, high: int, *, what: str, help_text: str = ""):
    message = f"Choose {what} from {low} to {high}."
    return forms.IntegerField(
        label=label,
        min_value=low,
        max_value=high,
        help_text=help_text,
        error_messages={
            "required": message,
            "invalid": f"Enter a whole number from {low} to {high}.",
            "min_value": message,
            "max_value": message,
        },
    )


def _day_field(label: str, **kwargs):
    return forms.DateField(
        label=label,
        help_text=T3_DATE_HINT,
        widget=forms.DateInput(attrs={"autocomplete": "off"}),
        error_messages={"required": "Enter the date.", "invalid": T3_DATE_ERROR},
        **kwargs,
    )


class _PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.full_name} ({obj.email})" if obj.full_name else obj.email


class TrainerProfileForm(forms.Form):
    """What a trainer says about themselves: where, how they like to be involved, their
    boundaries (private), adjustments and payment."""

    region = forms.ModelChoiceField(
        label="Region",
        queryset=Region.objects.order_by("name"),
        empty_label="Choose your region",
        error_messages={"required": "Choose your region.", "invalid_choice": "Choose your region."},
    )
    involvement = forms.MultipleChoiceField(
        label="How I like to be involved",
        choices=Involvement.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick all that suit you. You are only invited to things you have ticked.",
        error_messages={"invalid_choice": "Choose only from the ways listed."},
    )
    topics_will_speak_about = _text("Topics I will speak about", help_text=PRIVATE_HINT)
    topics_will_not_speak_about = _text("Topics I will not speak about", help_text=PRIVATE_HINT)
    story_sharing = _text("How much of my story I share", help_text=PRIVATE_HINT)
    lived_experience_notes = _text(
        "Notes about my lived experience", help_text=PRIVATE_HINT, rows=5
    )
    max_sessions_per_month = _whole_number(
        "Most sessions a month", 1, 20, what="a number", help_text="From 1 to 20."
    )
    reasonable_adjustments = _text(
        "Reasonable adjustments",
        help_text="Anything that helps you take part, such as breaks, step-free access or "
        "materials in advance. Coordinators see this so they can arrange it.",
    )
    reminder_lead_days = _whole_number(
        "Remind me this many days before a session",
        1,
        28,
        what="a number of days",
        help_text="From 1 to 28 days.",
    )
    payment_choice = forms.ChoiceField(
        label="How I would like to be paid",
        choices=Trainer.Payment.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how you would like to be paid."},
    )
    yearly_earnings_limit = forms.DecimalField(
        label="Yearly earnings limit in pounds (optional)",
        required=False,
        min_value=0,
        max_digits=9,
        decimal_places=2,
        help_text="If you receive benefits, the most you can earn in a year, like 1200 or "
        "1200.50. We warn before a fee would go past it.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={
            "invalid": "Enter an amount in pounds, like 1200 or 1200.50.",
            "min_value": "The limit cannot be less than £0.",
            "max_digits": "Enter an amount under £10,000,000.",
            "max_whole_digits": "Enter an amount under £10,000,000.",
            "max_decimal_places": "Enter pounds and pence, with at most 2 digits for pence.",
        },
    )

    @classmethod
    def initial_for(cls, trainer: Trainer) -> dict:
        return {name: getattr(trainer, name) for name in cls.base_fields if name != "region"} | {
            "region": trainer.region_id
        }


class TrainerFilterForm(forms.Form):
    """The coordinators' trainer list filter; both fields may be left empty."""

    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[
            ("", "Any status"),
            *[
                (key, STATUS_FOR_COORDINATORS[status])
                for key, status in STATUS_FILTER_FOR_COORDINATORS.items()
            ],
        ],
        error_messages={"invalid_choice": "Choose a status from the list."},
    )
    region = forms.ModelChoiceField(
        label="Region",
        required=False,
        queryset=Region.objects.order_by("name"),
        empty_label="Any region",
        error_messages={"invalid_choice": "Choose a region from the list."},
    )


class TrainerAssignForm(forms.Form):
    """A coordinator names the trainer's supporter and chooses their T3 programme."""

    supporter = _PersonChoiceField(
        label="Named supporter",
        required=False,
        queryset=User.objects.filter(is_active=True).order_by("full_name", "email"),
        empty_label="No supporter yet",
        help_text="The supporter can read the trainer's private notes and records their support "
        "sessions.",
        error_messages={"invalid_choice": "Choose a person from the list."},
    )
    programme = forms.ModelChoiceField(
        label="Train the Trainer programme",
        required=False,
        queryset=T3Programme.objects.order_by("name"),
        empty_label="No programme yet",
        error_messages={"invalid_choice": "Choose a programme from the list."},
    )


class T3ProgressForm(forms.Form):
    """A coordinator records a requirement a trainer has met."""

    requirement = forms.ModelChoiceField(
        label="Requirement met",
        queryset=T3Requirement.objects.none(),
        empty_label="Choose a requirement",
        error_messages={
            "required": "Choose the requirement that was met.",
            "invalid_choice": "Choose one of this trainer's requirements that is not met yet.",
        },
    )
    completed_on = _day_field("Date it was met")
    evidence = _text(
        "Evidence notes (optional)",
        help_text="For example, who signed it off or which session they shadowed.",
    )

    def __init__(self, *args, requirements: QuerySet[T3Requirement], **kwargs):
        super().__init__(*args, **kwargs)
        requirement = cast("forms.ModelChoiceField[T3Requirement]", self.fields["requirement"])
        requirement.queryset = requirements


class CertificationExpiryForm(forms.Form):
    """A coordinator corrects when a certification ends."""

    expires_on = _day_field("Certification ends on")

    def __init__(self, *args, certification: Certification, **kwargs):
        self.certification = certification
        kwargs.setdefault("initial", {"expires_on": certification.expires_on})
        kwargs.setdefault("prefix", f"certification-{certification.pk}")
        super().__init__(*args, **kwargs)

    def clean_expires_on(self) -> date:
        expires_on = self.cleaned_data["expires_on"]
        if expires_on <= self.certification.certified_on:
            on = self.certification.certified_on
            raise forms.ValidationError(
                f"The expiry date must be after the date of certification, {on.day} {on:%B %Y}."
            )
        return expires_on


class T3ProgrammeForm(forms.Form):
    """A Train the Trainer programme's name, description and how long certification lasts."""

    name = forms.CharField(
        label="Name",
        max_length=200,
        error_messages={"required": "Give the programme a name."},
    )
    description = _text("Description (optional)", rows=4)
    certification_months = _whole_number(
        "Certification lasts (months)",
        1,
        120,
        what="a number of months",
        help_text="From 1 to 120. Changing it affects certifications given from now on.",
    )


class T3RequirementForm(forms.Form):
    """One requirement of a programme."""

    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="For example, “Shadow a session” or “Sign-off by supporter”.",
        error_messages={"required": "Give the requirement a title."},
    )
    description = _text("Description (optional)", rows=3)


# --- Support, wellbeing and privacy ---


class SupportSessionForm(forms.Form):
    """A support or supervision session, as the trainer's supporter records it."""

    kind = forms.ChoiceField(
        label="Kind of session",
        choices=SupportSession.Kind.choices,
        initial=SupportSession.Kind.ONE_TO_ONE,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of session."},
    )
    held_on = forms.DateField(
        label="Date of the session",
        widget=NativeDateInput,
        error_messages={
            "required": "Enter the date the session was held.",
            "invalid": "Enter a real date, for example 14/06/2025.",
        },
    )
    notes = forms.CharField(
        label="Notes",
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Only the trainer and you, as their supporter, can read these.",
    )
    agreed_actions = forms.CharField(
        label="Agreed actions",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    next_on = forms.DateField(
        label="Next session (optional)",
        required=False,
        widget=NativeDateInput,
        error_messages={"invalid": "Enter a real date, for example 14/07/2025."},
    )


class CheckInForm(forms.Form):
    """A trainer's wellbeing check-in before or after delivering."""

    moment = forms.ChoiceField(
        label="When are you checking in?",
        choices=WellbeingCheckIn.Moment.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether this is before or after delivering."},
    )
    feeling = forms.TypedChoiceField(
        label="How are you feeling?",
        choices=WellbeingCheckIn.Feeling.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how you are feeling."},
    )
    notes = forms.CharField(
        label="Anything you would like to note (optional)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Only you and your supporter can read this. It is never emailed.",
    )
    wants_debrief = forms.BooleanField(
        label="I would like a debrief",
        required=False,
        help_text="We email your supporter straight away to say you asked, without your notes.",
    )
