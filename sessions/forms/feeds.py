"""The forms of the calendar feeds and imports pages: the CSV import's upload and its
confirmation (the calendar feed pages need none)."""

from django import forms

from core.uploads import format_megabytes
from sessions.imports import KINDS as IMPORT_KINDS
from sessions.imports import MAX_IMPORT_BYTES


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label="What is in the file?",
        choices=[(kind.key, kind.label) for kind in IMPORT_KINDS.values()],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what the file holds: workforce, sessions or attendance.",
            "invalid_choice": "Choose workforce, sessions or attendance.",
        },
    )
    file = forms.FileField(
        label="CSV file",
        help_text=f"A CSV file saved as UTF-8, at most {format_megabytes(MAX_IMPORT_BYTES)} MB.",
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
        error_messages={
            "required": "Choose the CSV file to check.",
            "empty": "This file is empty. Choose the CSV file with your rows.",
            "invalid": "Choose a file to upload.",
        },
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                f"This file is {format_megabytes(file.size, round_up=True)} MB; an import can be "
                f"at most {format_megabytes(MAX_IMPORT_BYTES)} MB. Split it into smaller files."
            )
        return file


class ImportConfirmForm(forms.Form):
    """Names the checked file by its digest, so only the file that was shown can be imported."""

    digest = forms.CharField(widget=forms.HiddenInput, max_length=64)
