"""Uploaded files: checked by their content, stored under random names, served only as downloads.

Every file field in the app uses these pieces, so a receipt or an evidence file is handled the
same way everywhere:

* `FileContentValidator` refuses an empty file, a file over the size cap and a file whose content
  is not one of the kinds the field allows, whatever its name or declared content type says.
* `MultipleFileField` runs its validators on each file of a multi-file upload and names the file
  that failed.
* `PrivateUploadPath` (the `upload_to` of every file field) stores the file as
  `private/<folder>/<random>.<extension of the detected kind>`; the uploaded name is never used.
* `private_file_response` is the only way a stored file leaves the app. MEDIA_URL is never served
  by a URL pattern; a view checks permission on the object, then returns this response.
"""

import math
import uuid
from dataclasses import dataclass
from pathlib import PurePosixPath

import filetype
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db.models import FileField
from django.http import FileResponse
from django.utils.deconstruct import deconstructible
from django.utils.text import get_text_list

# Every upload lives under this folder of the default storage, which no URL serves.
PRIVATE_UPLOADS = "private/"

MEGABYTE = 1024 * 1024
DEFAULT_MAX_UPLOAD_BYTES = 10 * MEGABYTE
# filetype reads this many bytes itself; every signature it knows lies within them.
HEADER_BYTES = 8192


@dataclass(frozen=True)
class FileKind:
    mime: str
    label: str
    extension: str


# The kinds a field may allow, keyed by the name fields use. A kind is recognised by its content
# (filetype's signatures), never by the file name. SVG, HTML and anything else a browser might run
# as a page are deliberately absent: an SVG can carry scripts.
KINDS: dict[str, FileKind] = {
    "pdf": FileKind(mime="application/pdf", label="PDF", extension="pdf"),
    "jpeg": FileKind(mime="image/jpeg", label="JPEG", extension="jpg"),
    "png": FileKind(mime="image/png", label="PNG", extension="png"),
}

UNKNOWN_EXTENSION = "bin"
UNKNOWN_MIME = "application/octet-stream"


def _read_header(file: File) -> bytes:
    """The first bytes of the file, leaving it rewound for whoever reads it next."""
    file.seek(0)
    header = file.read(HEADER_BYTES)
    file.seek(0)
    return header


def detect_kind(file: File) -> str | None:
    """The name of the kind in KINDS that the file's content is, or None."""
    guess = filetype.guess(_read_header(file))
    if guess is None:
        return None
    for name, kind in KINDS.items():
        if guess.mime == kind.mime:
            return name
    return None


def format_megabytes(num_bytes: int, *, round_up: bool = False) -> str:
    """`12.3`, `10`: one decimal place at most. Rounding a file's size up means a file one byte
    over the cap never reads as exactly the cap."""
    tenths = num_bytes * 10 / MEGABYTE
    tenths = math.ceil(tenths) if round_up else round(tenths)
    return f"{tenths / 10:.1f}".removesuffix(".0")


@deconstructible(path="core.uploads.FileContentValidator")
class FileContentValidator:
    """Refuse an empty file, a file over `max_bytes`, and a file whose content is not one of the
    `allowed` kinds. Works as a model field or form field validator.

    `max_bytes` defaults to settings.MAX_UPLOAD_BYTES, read when a file is checked.
    """

    def __init__(self, allowed: tuple[str, ...] | list[str], max_bytes: int | None = None):
        unknown = [kind for kind in allowed if kind not in KINDS]
        if unknown or not allowed:
            raise ValueError(
                f"Allowed kinds must be some of {', '.join(KINDS)}; got {list(allowed)!r}."
            )
        self.allowed = tuple(allowed)
        self.max_bytes = max_bytes

    def __call__(self, file: File) -> None:
        size = file.size
        if not size:
            raise ValidationError(
                "This file is empty. Choose a file with something in it.", code="empty"
            )
        max_bytes = self.limit
        if size > max_bytes:
            raise ValidationError(
                "This file is %(size)s MB; the most it can be is %(limit)s MB.",
                code="too_large",
                params={
                    "size": format_megabytes(size, round_up=True),
                    "limit": format_megabytes(max_bytes),
                },
            )
        if detect_kind(file) not in self.allowed:
            labels = [KINDS[kind].label for kind in self.allowed]
            if len(labels) == 1:
                hint = f"Choose a {labels[0]} file."
            else:
                hint = "Choose a file of one of those types."
            raise ValidationError(
                "This file is not a %(kinds)s. %(hint)s",
                code="wrong_type",
                params={"kinds": get_text_list(labels, "or"), "hint": hint},
            )

    @property
    def limit(self) -> int:
        if self.max_bytes is not None:
            return self.max_bytes
        return getattr(settings, "MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES)

    @property
    def mime_types(self) -> list[str]:
        return [KINDS[kind].mime for kind in self.allowed]

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, FileContentValidator)
            and self.allowed == other.allowed
            and self.max_bytes == other.max_bytes
        )

    def __hash__(self) -> int:
        return hash((self.allowed, self.max_bytes))


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file input that takes several files; `cleaned_data` holds a list.

    The field's validators run on each file, and an error names the file it is about
    ("receipt2.exe: This file is not a PDF, JPEG or PNG…"), so a person knows which one to
    replace. Every bad file is reported, not just the first.
    """

    widget = MultipleFileInput
    default_error_messages = {
        "max_files": "Choose at most %(max_files)s files; you chose %(count)s.",
    }

    def __init__(self, *args, max_files: int | None = None, **kwargs):
        self.max_files = max_files
        super().__init__(*args, **kwargs)
        # Only a hint for the browser's file picker; the validators decide by content.
        mime_types = [
            mime
            for validator in self.validators
            if isinstance(validator, FileContentValidator)
            for mime in validator.mime_types
        ]
        if mime_types:
            self.widget.attrs.setdefault("accept", ",".join(dict.fromkeys(mime_types)))

    def clean(self, data, initial=None) -> list:
        items = data if isinstance(data, list | tuple) else [data]
        files = [item for item in items if item is not None and item != ""]
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if self.max_files is not None and len(files) > self.max_files:
            raise ValidationError(
                self.error_messages["max_files"],
                code="max_files",
                params={"max_files": self.max_files, "count": len(files)},
            )
        cleaned: list[File] = []
        errors: list[ValidationError] = []
        for file in files:
            try:
                cleaned.append(super().clean(file, initial))
            except ValidationError as exc:
                name = getattr(file, "name", "") or "A file"
                errors.extend(
                    ValidationError(f"{name}: {message}", code=error.code)
                    for error in exc.error_list
                    for message in error
                )
        if errors:
            raise ValidationError(errors)
        return cleaned


@deconstructible(path="core.uploads.PrivateUploadPath")
class PrivateUploadPath:
    """`upload_to` for every file field: `private/<folder>/<uuid4 hex>.<extension>`.

    The extension comes from the detected kind of the content, and the uploaded name is never
    part of the path, so a name like `../../etc/passwd` or `<script>.pdf` goes nowhere.

    Django hands `upload_to` only the instance and the uploaded name, so the content is found on
    the instance: the not-yet-stored file of the field this path belongs to. That is the case
    when a file is assigned and the instance saved (`item.receipt = upload; item.save()`, a
    ModelForm, `objects.create(receipt=upload)`). `item.receipt.save(name, content)` hands the
    content over only after the path is chosen, so such a file is stored as `.bin`; serving it
    still takes the type from the content.
    """

    def __init__(self, folder: str):
        parts = PurePosixPath(folder).parts
        if not parts or folder.startswith("/") or any(part in ("..", ".") for part in parts):
            raise ValueError(f"Upload folder must be a plain relative path; got {folder!r}.")
        self.folder = folder.strip("/")

    def __call__(self, instance, filename: str) -> str:
        kind = self._detected_kind(instance, filename)
        extension = KINDS[kind].extension if kind else UNKNOWN_EXTENSION
        return f"{PRIVATE_UPLOADS}{self.folder}/{uuid.uuid4().hex}.{extension}"

    def _detected_kind(self, instance, filename: str) -> str | None:
        for field in instance._meta.concrete_fields:
            if not isinstance(field, FileField) or field.upload_to is not self:
                continue
            field_file = getattr(instance, field.attname)
            # `_committed` is False while the FieldFile wraps a new, not-yet-stored upload.
            if field_file and not field_file._committed and field_file.name == filename:
                return detect_kind(field_file.file)
        return None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PrivateUploadPath) and self.folder == other.folder

    def __hash__(self) -> int:
        return hash(self.folder)


def _download_name(download_name: str, kind: str | None) -> str:
    """The name a person's computer saves the file as ends in the extension of its content, so a
    PDF called `notes.html` can never be opened as a web page once downloaded."""
    if kind is None:
        return download_name
    suffix = PurePosixPath(download_name).suffix.lower().lstrip(".")
    if suffix in (kind, KINDS[kind].extension):
        return download_name
    stem = PurePosixPath(download_name).stem if suffix else download_name
    return f"{stem}.{KINDS[kind].extension}"


# Kinds a browser may show in the page (an <img>); anything else is always a download.
INLINE_KINDS = ("jpeg", "png")


def private_file_response(field_file, *, download_name: str, inline: bool = False) -> FileResponse:
    """A stored upload as a download: an attachment, typed by its content, never sniffed or
    cached. With `inline`, a JPEG or PNG is served to be shown in the page instead (a receipt's
    preview); a PDF or anything else is still an attachment.

    This does NOT check permission. The calling view must first fetch the object through a
    selector that returns only what the signed-in person may see (a stranger's file is a 404),
    and only then call this.
    """
    kind = detect_kind(field_file.open("rb"))
    response = FileResponse(
        field_file,
        as_attachment=not (inline and kind in INLINE_KINDS),
        filename=_download_name(download_name, kind),
        content_type=KINDS[kind].mime if kind else UNKNOWN_MIME,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response
