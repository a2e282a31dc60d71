from django import forms
from django.core.exceptions import ValidationError

from core.forms import add_service_errors


class NameForm(forms.Form):
    full_name = forms.CharField()


def bound() -> NameForm:
    form = NameForm({"full_name": "Ann"})
    assert form.is_valid()
    return form


def test_a_refusal_about_a_field_shows_at_that_field():
    form = bound()

    add_service_errors(form, ValidationError({"full_name": "Too short."}))

    assert form.errors == {"full_name": ["Too short."]}


def test_a_refusal_about_no_field_shows_above_the_form():
    form = bound()

    add_service_errors(form, ValidationError("The session is full."))

    assert form.non_field_errors() == ["The session is full."]


def test_a_field_the_form_does_not_have_shows_above_the_form():
    form = bound()

    add_service_errors(form, ValidationError({"capacity": "Too many."}))

    assert form.non_field_errors() == ["Too many."]


def test_an_alias_puts_the_service_field_on_the_forms_field():
    form = bound()

    add_service_errors(form, ValidationError({"name": "Taken."}), aliases={"name": "full_name"})

    assert form.errors == {"full_name": ["Taken."]}


def test_the_date_input_is_the_browsers_date_picker_with_an_iso_value():
    from datetime import date

    from core.forms import NativeDateInput

    html = NativeDateInput().render("day", date(2026, 12, 14))

    assert 'type="date"' in html
    assert 'value="2026-12-14"' in html


def test_the_time_input_is_the_browsers_time_picker_in_24_hours():
    from datetime import time

    from core.forms import NativeTimeInput

    html = NativeTimeInput().render("start", time(14, 5))

    assert 'type="time"' in html
    assert 'value="14:05"' in html
