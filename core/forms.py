import unicodedata

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


class PlainEmailField(forms.EmailField):
    """An email address as mail servers and the database compare it: compatibility characters
    made plain (NFKC: the Kelvin sign "K" is "K", the long "ſ" is "s"), the name before the @ in
    plain ASCII, and an international domain in its ASCII (punycode) form.

    Django's check lets through a few letters that only look like ASCII ones ("K", "ſ", "ı",
    "İ" match [A-Z] when case is ignored), and PostgreSQL's lower() and upper() fold them
    differently: a case-insensitive lookup missed what a unique constraint on lower(email) then
    refused (a server error, or a page saying the address was known), and a per-recipient
    limit counted "ſam@" apart from the "sam@" it reached."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return value
        value = unicodedata.normalize("NFKC", value)
        name, _, domain = value.rpartition("@")
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not name.isascii():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return f"{name}@{domain}"
