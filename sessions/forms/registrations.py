"""The forms for registrations: a person's details (the public page's form and the
coordinators' "add a new person"), the search for someone already known, and booking them."""

from django import forms

from core.forms import PlainEmailField
from people.models import Participant, ParticipantType, Team


class _TeamChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Team) -> str:
        return f"{obj.name} ({obj.region.name})"


class RegistrationForm(forms.Form):
    """A person's details for a session: the public link's form, and the coordinators' "add a
    new person". Saved through the services. On the public page `website` is a honeypot in a
    block nobody sees or reaches, so only a bot fills it in."""

    HONEYPOT = "website"

    full_name = forms.CharField(
        label="Full name",
        max_length=200,
        error_messages={
            "required": "Enter the person's full name.",
            "max_length": "Keep the name to 200 characters.",
        },
    )
    email = PlainEmailField(
        label="Email address",
        max_length=254,
        help_text="We send the confirmation and a calendar invitation here.",
        error_messages={
            "required": "Enter an email address.",
            "invalid": "Enter an email address like name@example.org.",
            "max_length": "Keep the email address to 254 characters.",
        },
    )
    participant_type = forms.ChoiceField(
        label="Which describes you?",
        choices=ParticipantType.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose staff, service user or other.",
            "invalid_choice": "Choose staff, service user or other.",
        },
    )
    team = _TeamChoice(
        label="Team (optional)",
        queryset=Team.objects.select_related("region").order_by("region__name", "name"),
        required=False,
        empty_label="Not in a team, or my team is not listed",
        error_messages={"invalid_choice": "Choose a team from the list, or none."},
    )

    def __init__(self, *args, for_coordinator: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        name, email, kind = (
            self.fields["full_name"],
            self.fields["email"],
            self.fields["participant_type"],
        )
        if for_coordinator:
            kind.label = "Type"
            email.help_text = (
                "They get the confirmation and a calendar invitation here. Someone already known "
                "by this address is booked as they are recorded."
            )
        else:
            name.error_messages["required"] = "Enter your full name."
            email.error_messages["required"] = "Enter your email address."
            email.help_text = (
                "We send your confirmation, a calendar invitation and a link to cancel here."
            )

    @property
    def is_from_a_bot(self) -> bool:
        return bool(self.data.get(self.HONEYPOT, "").strip())


class ParticipantSearchForm(forms.Form):
    q = forms.CharField(
        label="Find someone already known by name or email",
        required=False,
        max_length=100,
        help_text="Type at least 2 letters.",
    )


class RegistrationExistingForm(forms.Form):
    participant = forms.ModelChoiceField(
        queryset=Participant.objects.all(),
        error_messages={
            "required": "Choose someone to add.",
            "invalid_choice": "That person could not be found. Search again.",
        },
    )
