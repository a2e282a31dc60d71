from typing import Any

from django import forms

from audit.actions import action_choices

# A text box rather than the browser's date picker: a half-typed date in a picker is sent as
# nothing at all, so the filter would be silently dropped instead of the mistake being shown.
DATE_HINT = "For example, 31/01/2025"
DATE_ERROR = "Enter a real date, like 31/01/2025."


def _action_choices() -> list[tuple[str, str]]:
    # Read when the form is built: apps register their actions in ready(), after imports.
    return [("", "Any action"), *action_choices()]


class EventFilterForm(forms.Form):
    """The audit trail page's filter. Every field may be left empty."""

    action = forms.ChoiceField(label="Action", required=False, choices=_action_choices)
    actor_email = forms.EmailField(
        label="Person's email",
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        error_messages={"invalid": "Enter a full email address, like name@example.org."},
    )
    date_from = forms.DateField(
        label="From",
        required=False,
        help_text=DATE_HINT,
        widget=forms.DateInput(attrs={"autocomplete": "off"}),
        error_messages={"invalid": DATE_ERROR},
    )
    date_to = forms.DateField(
        label="To",
        required=False,
        help_text=DATE_HINT,
        widget=forms.DateInput(attrs={"autocomplete": "off"}),
        error_messages={"invalid": DATE_ERROR},
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", "“To” must be the same as or later than “From”.")
        return cleaned
