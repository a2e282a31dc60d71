from django import forms
from django.core.exceptions import ValidationError


def add_service_errors(
    form: forms.Form, error: ValidationError, *, aliases: dict[str, str] | None = None
) -> None:
    """Put a service's refusal at the field it is about, or above the form.

    `aliases` maps a service's field name to the form's, where they differ."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        field = (aliases or {}).get(field, field)
        form.add_error(field if field in form.fields else None, errors)


class NativeDateInput(forms.DateInput):
    """The browser's own date picker; its value is always ISO (YYYY-MM-DD)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class NativeTimeInput(forms.TimeInput):
    """The browser's own time picker, in 24-hour HH:MM."""

    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")
