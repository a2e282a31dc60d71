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
