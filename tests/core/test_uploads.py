"""Uploads: checked by content, stored under random private names, served only as downloads.

Files are real: a PDF rendered by WeasyPrint or a minimal PDF, JPEG and PNG images drawn with
Pillow, an EXE header, an HTML page and an SVG with a script, a ZIP archive. Large files are
sparse temporary files, so a 10 MB check costs neither memory nor time.
"""

import io
import re
import zipfile
from pathlib import Path

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.db import models
from django.db.migrations.writer import MigrationWriter
from django.test.utils import isolate_apps
from django.urls import Resolver404, resolve
from django.utils.datastructures import MultiValueDict
from PIL import Image

from core.pdf import render_pdf
from core.uploads import (
    FileContentValidator,
    MultipleFileField,
    PrivateUploadPath,
    detect_kind,
    private_file_response,
)

MB = 1024 * 1024
RECEIPT_KINDS = ("pdf", "jpeg", "png")
NOT_A_RECEIPT = "This file is not a PDF, JPEG or PNG. Choose a file of one of those types."
STORED_NAME = re.compile(r"^private/receipts/[0-9a-f]{32}\.(pdf|jpg|png|bin)$")

MINIMAL_PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
HTML_PAGE = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG_WITH_SCRIPT = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script></svg>"
)


def _image(image_format: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), color=(200, 30, 30)).save(buffer, format=image_format)
    return buffer.getvalue()


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("receipt.pdf", MINIMAL_PDF)
    return buffer.getvalue()


def _upload(name: str, content: bytes, content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture(scope="module")
def rendered_pdf() -> bytes:
    return render_pdf("500.html")


@pytest.fixture
def sized_pdf():
    """Make a PDF upload of an exact size: a real header, then a sparse temporary file."""
    made = []

    def make(size: int) -> TemporaryUploadedFile:
        upload = TemporaryUploadedFile("big-receipt.pdf", "application/pdf", size, None)
        upload.write(MINIMAL_PDF)
        upload.seek(size - 1)
        upload.write(b"\n")
        upload.seek(0)
        made.append(upload)
        return upload

    yield make
    for upload in made:
        upload.close()


@pytest.fixture
def receipt_model():
    """A model with a receipt field, registered only for the test that asks for it."""
    with isolate_apps("core"):

        class ExpenseReceipt(models.Model):
            receipt = models.FileField(
                upload_to=PrivateUploadPath("receipts"),
                validators=[FileContentValidator(allowed=RECEIPT_KINDS)],
            )

            class Meta:
                app_label = "core"

            def __str__(self) -> str:
                return self.receipt.name

        yield ExpenseReceipt


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _store(model, upload):
    """Save the file the way a ModelForm or `objects.create` does, without a database row."""
    instance = model(receipt=upload)
    model._meta.get_field("receipt").pre_save(instance, add=True)
    return instance


def _messages(error: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    return error.value.messages


# FileContentValidator: what it accepts


def test_it_accepts_a_real_pdf(rendered_pdf):
    receipt = _upload("receipt.pdf", rendered_pdf)

    FileContentValidator(allowed=RECEIPT_KINDS)(receipt)


def test_it_accepts_a_minimal_pdf():
    FileContentValidator(allowed=RECEIPT_KINDS)(_upload("receipt.pdf", MINIMAL_PDF))


def test_it_accepts_a_jpeg_photo_of_a_receipt():
    photo = _upload("IMG_0042.jpg", _image("JPEG"), "image/jpeg")

    FileContentValidator(allowed=RECEIPT_KINDS)(photo)


def test_it_accepts_a_png_scan_of_a_receipt():
    scan = _upload("scan.png", _image("PNG"), "image/png")

    FileContentValidator(allowed=RECEIPT_KINDS)(scan)


def test_the_content_decides_not_the_name_so_a_png_called_pdf_is_accepted_as_a_png():
    scan = _upload("scan.pdf", _image("PNG"), "application/pdf")

    FileContentValidator(allowed=RECEIPT_KINDS)(scan)

    assert detect_kind(scan) == "png"


def test_it_rewinds_the_file_after_checking_it():
    receipt = _upload("receipt.pdf", MINIMAL_PDF)
    receipt.read(5)

    FileContentValidator(allowed=RECEIPT_KINDS)(receipt)

    assert receipt.tell() == 0
    assert receipt.read() == MINIMAL_PDF


# FileContentValidator: what it refuses


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        pytest.param("receipt.pdf", EXE, "application/pdf", id="an exe renamed .pdf"),
        pytest.param("receipt.pdf", HTML_PAGE, "application/pdf", id="an html page named .pdf"),
        pytest.param("receipt.png", SVG_WITH_SCRIPT, "image/png", id="an svg named .png"),
        pytest.param("receipt.svg", SVG_WITH_SCRIPT, "image/svg+xml", id="an svg as itself"),
        pytest.param("receipt.jpg", _zip(), "image/jpeg", id="a zip renamed .jpg"),
        pytest.param("receipt.zip", _zip(), "application/zip", id="a zip as itself"),
        pytest.param("receipt.pdf", b"Train fare: 12.40", "application/pdf", id="plain text"),
        pytest.param("receipt.pdf", b"PDF-1.4 almost", "application/pdf", id="a near miss"),
    ],
)
def test_it_refuses_a_file_whose_content_is_not_a_receipt_kind(name, content, content_type):
    with pytest.raises(ValidationError) as error:
        FileContentValidator(allowed=RECEIPT_KINDS)(_upload(name, content, content_type))

    assert error.value.code == "wrong_type"
    assert _messages(error) == [NOT_A_RECEIPT]


def test_it_refuses_a_pdf_where_only_images_are_allowed():
    with pytest.raises(ValidationError) as error:
        FileContentValidator(allowed=("jpeg", "png"))(_upload("photo.jpg", MINIMAL_PDF))

    assert _messages(error) == [
        "This file is not a JPEG or PNG. Choose a file of one of those types."
    ]


def test_it_names_the_one_kind_when_a_field_allows_only_one():
    with pytest.raises(ValidationError) as error:
        FileContentValidator(allowed=("pdf",))(_upload("photo.pdf", _image("PNG")))

    assert _messages(error) == ["This file is not a PDF. Choose a PDF file."]


def test_it_refuses_an_empty_file():
    with pytest.raises(ValidationError) as error:
        FileContentValidator(allowed=RECEIPT_KINDS)(_upload("receipt.pdf", b""))

    assert error.value.code == "empty"


def test_it_accepts_a_receipt_of_exactly_10_mb(sized_pdf):
    FileContentValidator(allowed=RECEIPT_KINDS)(sized_pdf(10 * MB))


def test_it_rejects_a_receipt_one_byte_over_10_mb(sized_pdf):
    with pytest.raises(ValidationError) as error:
        FileContentValidator(allowed=RECEIPT_KINDS)(sized_pdf(10 * MB + 1))

    assert error.value.code == "too_large"
    # Rounded up, so a file over the cap never reads as exactly the cap.
    assert _messages(error) == ["This file is 10.1 MB; the most it can be is 10 MB."]


def test_the_size_message_gives_the_size_to_one_decimal_place(sized_pdf):
    with pytest.raises(ValidationError) as error:
        FileContentValidator(allowed=RECEIPT_KINDS)(sized_pdf(int(12.3 * MB)))

    assert _messages(error) == ["This file is 12.3 MB; the most it can be is 10 MB."]


def test_the_default_cap_is_read_from_the_settings_when_a_file_is_checked(settings):
    validator = FileContentValidator(allowed=RECEIPT_KINDS)
    settings.MAX_UPLOAD_BYTES = 100

    with pytest.raises(ValidationError) as error:
        validator(_upload("receipt.pdf", MINIMAL_PDF + b" " * 100))

    assert error.value.code == "too_large"


def test_a_cap_given_to_the_validator_wins_over_the_setting(settings):
    settings.MAX_UPLOAD_BYTES = 100
    validator = FileContentValidator(allowed=RECEIPT_KINDS, max_bytes=5 * MB)

    validator(_upload("receipt.pdf", MINIMAL_PDF + b" " * 100))


@pytest.mark.parametrize("allowed", [("svg",), ("pdf", "html"), ()])
def test_a_validator_cannot_be_made_to_allow_an_unknown_or_unsafe_kind(allowed):
    with pytest.raises(ValueError, match="Allowed kinds"):
        FileContentValidator(allowed=allowed)


def test_the_validator_can_be_written_into_a_migration():
    validator = FileContentValidator(allowed=RECEIPT_KINDS, max_bytes=5 * MB)

    path, args, kwargs = validator.deconstruct()
    source, imports = MigrationWriter.serialize(validator)

    assert path == "core.uploads.FileContentValidator"
    assert FileContentValidator(*args, **kwargs) == validator
    assert "core.uploads.FileContentValidator(" in source
    assert "import core.uploads" in imports


def test_the_validator_refuses_a_bad_file_on_a_model_field(receipt_model):
    expense = receipt_model(receipt=_upload("receipt.pdf", EXE))

    with pytest.raises(ValidationError) as error:
        expense.full_clean()

    assert error.value.message_dict == {"receipt": [NOT_A_RECEIPT]}


# MultipleFileField


def _receipts_field(**kwargs) -> MultipleFileField:
    return MultipleFileField(validators=[FileContentValidator(allowed=RECEIPT_KINDS)], **kwargs)


def test_a_multi_file_field_returns_every_file_when_all_are_receipts():
    files = [
        _upload("ticket.pdf", MINIMAL_PDF),
        _upload("photo.jpg", _image("JPEG"), "image/jpeg"),
        _upload("scan.png", _image("PNG"), "image/png"),
    ]

    assert _receipts_field().clean(files) == files


def test_each_file_of_a_multi_file_field_is_checked_and_the_bad_one_named():
    files = [
        _upload("receipt1.pdf", MINIMAL_PDF),
        _upload("receipt2.exe", EXE, "application/x-msdownload"),
        _upload("receipt3.png", _image("PNG"), "image/png"),
    ]

    with pytest.raises(ValidationError) as error:
        _receipts_field().clean(files)

    assert _messages(error) == [f"receipt2.exe: {NOT_A_RECEIPT}"]
    assert [item.code for item in error.value.error_list] == ["wrong_type"]


def test_every_bad_file_of_a_multi_file_field_is_reported_not_just_the_first():
    files = [
        _upload("page.pdf", HTML_PAGE),
        _upload("ok.pdf", MINIMAL_PDF),
        _upload("empty.pdf", b""),
        _upload("drawing.png", SVG_WITH_SCRIPT, "image/png"),
    ]

    with pytest.raises(ValidationError) as error:
        _receipts_field().clean(files)

    assert _messages(error) == [
        f"page.pdf: {NOT_A_RECEIPT}",
        "empty.pdf: The submitted file is empty.",
        f"drawing.png: {NOT_A_RECEIPT}",
    ]


def test_a_multi_file_field_refuses_more_files_than_it_allows():
    files = [_upload(f"receipt{n}.pdf", MINIMAL_PDF) for n in range(4)]

    with pytest.raises(ValidationError) as error:
        _receipts_field(max_files=3).clean(files)

    assert _messages(error) == ["Choose at most 3 files; you chose 4."]


def test_a_required_multi_file_field_refuses_no_files():
    with pytest.raises(ValidationError) as error:
        _receipts_field().clean([])

    assert error.value.code == "required"


def test_an_optional_multi_file_field_gives_an_empty_list_for_no_files():
    assert _receipts_field(required=False).clean([]) == []


def test_the_file_input_takes_several_files_and_hints_the_allowed_types():
    class ReceiptsForm(forms.Form):
        receipts = _receipts_field()

    html = str(ReceiptsForm()["receipts"])

    assert "multiple" in html
    assert 'accept="application/pdf,image/jpeg,image/png"' in html


class ExpenseForm(forms.Form):
    description = forms.CharField()
    receipts = MultipleFileField(
        validators=[FileContentValidator(allowed=RECEIPT_KINDS)], max_files=5
    )


def test_a_form_with_a_bad_receipt_is_invalid_and_says_so_at_the_field():
    files = MultiValueDict(
        {
            "receipts": [
                _upload("receipt1.pdf", MINIMAL_PDF),
                _upload("receipt2.exe", EXE, "application/pdf"),
            ]
        }
    )
    form = ExpenseForm(data={"description": "Train fare to Manchester"}, files=files)

    assert form.is_valid() is False
    assert form.errors == {"receipts": [f"receipt2.exe: {NOT_A_RECEIPT}"]}
    html = form.as_div()
    assert "receipt2.exe: This file is not a PDF, JPEG or PNG." in html
    assert 'value="Train fare to Manchester"' in html


def test_a_file_name_in_an_error_is_shown_escaped():
    files = MultiValueDict({"receipts": [_upload("<img src=x onerror=alert(1)>.pdf", EXE)]})
    form = ExpenseForm(data={"description": "Taxi"}, files=files)

    assert form.is_valid() is False
    html = form.as_div()
    assert "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;.pdf: This file is not a PDF" in html


# PrivateUploadPath


def test_a_stored_upload_gets_a_random_private_name_with_the_extension_of_its_content(
    receipt_model, media_root
):
    expense = _store(receipt_model, _upload("receipt.pdf", _image("PNG"), "application/pdf"))

    assert re.fullmatch(r"private/receipts/[0-9a-f]{32}\.png", expense.receipt.name)
    assert (media_root / expense.receipt.name).read_bytes() == _image("PNG")


@pytest.mark.parametrize(
    ("content", "extension"),
    [(MINIMAL_PDF, "pdf"), (_image("JPEG"), "jpg"), (_image("PNG"), "png")],
)
def test_the_stored_extension_is_the_one_of_the_detected_kind(
    receipt_model, media_root, content, extension
):
    expense = _store(receipt_model, _upload("upload.exe", content, "application/octet-stream"))

    assert expense.receipt.name.endswith(f".{extension}")


@pytest.mark.parametrize(
    "original_name",
    [
        "../../etc/passwd.pdf",
        "<script>.pdf",
        "..\\..\\windows\\win.ini.pdf",
        "/var/www/static/receipt.pdf",
        "Jo Bloggs mental health record.pdf",
    ],
)
def test_the_original_name_is_never_part_of_the_path(receipt_model, original_name):
    expense = receipt_model(receipt=ContentFile(MINIMAL_PDF, name=original_name))
    upload_to = receipt_model._meta.get_field("receipt").upload_to

    path = upload_to(expense, original_name)

    assert re.fullmatch(r"private/receipts/[0-9a-f]{32}\.pdf", path)
    for word in ("passwd", "etc", "script", "windows", "www", "static", "Bloggs", ".."):
        assert word not in path


def test_two_uploads_of_the_same_file_get_different_names(receipt_model, media_root):
    first = _store(receipt_model, _upload("receipt.pdf", MINIMAL_PDF))
    second = _store(receipt_model, _upload("receipt.pdf", MINIMAL_PDF))

    assert first.receipt.name != second.receipt.name
    assert STORED_NAME.fullmatch(first.receipt.name)
    assert STORED_NAME.fullmatch(second.receipt.name)


def test_a_file_saved_without_its_content_in_view_is_stored_as_bin_not_by_its_name(
    receipt_model, media_root
):
    expense = receipt_model()

    expense.receipt.save("receipt.html", ContentFile(HTML_PAGE), save=False)

    assert re.fullmatch(r"private/receipts/[0-9a-f]{32}\.bin", expense.receipt.name)


@pytest.mark.parametrize("folder", ["", "/receipts", "../receipts", "receipts/../../etc", "."])
def test_the_upload_folder_must_be_a_plain_relative_path(folder):
    with pytest.raises(ValueError, match="plain relative path"):
        PrivateUploadPath(folder)


def test_the_upload_path_can_be_written_into_a_migration():
    upload_to = PrivateUploadPath("expenses/receipts")

    path, args, kwargs = upload_to.deconstruct()
    source, imports = MigrationWriter.serialize(upload_to)

    assert path == "core.uploads.PrivateUploadPath"
    assert PrivateUploadPath(*args, **kwargs) == upload_to
    assert source == "core.uploads.PrivateUploadPath('expenses/receipts')"
    assert imports == {"import core.uploads"}


# private_file_response


def _body(response) -> bytes:
    content = b"".join(response.streaming_content)
    response.file_to_stream.close()
    return content


def test_a_private_file_is_sent_as_an_attachment_that_is_never_sniffed_or_cached(
    receipt_model, media_root, rendered_pdf
):
    expense = _store(receipt_model, _upload("receipt.pdf", rendered_pdf))

    response = private_file_response(expense.receipt, download_name="receipt-claim-12.pdf")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="receipt-claim-12.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Type"] == "application/pdf"
    assert _body(response) == rendered_pdf


def test_the_content_type_of_a_private_file_comes_from_its_content(receipt_model, media_root):
    expense = _store(receipt_model, _upload("photo.pdf", _image("JPEG"), "application/pdf"))

    response = private_file_response(expense.receipt, download_name="photo.jpeg")

    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == 'attachment; filename="photo.jpeg"'
    _body(response)


@pytest.mark.parametrize(
    ("download_name", "sent_as"),
    [
        ("receipt", "receipt.pdf"),
        ("notes.html", "notes.pdf"),
        ("Receipt.PDF", "Receipt.PDF"),
    ],
)
def test_a_download_name_always_ends_in_the_extension_of_the_content(
    receipt_model, media_root, download_name, sent_as
):
    expense = _store(receipt_model, _upload("receipt.pdf", MINIMAL_PDF))

    response = private_file_response(expense.receipt, download_name=download_name)

    assert response["Content-Disposition"] == f'attachment; filename="{sent_as}"'
    _body(response)


def test_an_image_asked_for_inline_is_shown_in_the_page_never_sniffed_or_cached(
    receipt_model, media_root
):
    expense = _store(receipt_model, _upload("photo.png", _image("PNG")))

    response = private_file_response(expense.receipt, download_name="photo.png", inline=True)

    assert response["Content-Disposition"] == 'inline; filename="photo.png"'
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"
    _body(response)


def test_a_pdf_asked_for_inline_is_still_an_attachment(receipt_model, media_root):
    expense = _store(receipt_model, _upload("receipt.pdf", MINIMAL_PDF))

    response = private_file_response(expense.receipt, download_name="receipt.pdf", inline=True)

    assert response["Content-Disposition"] == 'attachment; filename="receipt.pdf"'
    _body(response)


def test_a_stored_file_of_unknown_content_is_sent_as_plain_bytes(receipt_model, media_root):
    expense = receipt_model()
    expense.receipt.save("notes.html", ContentFile(HTML_PAGE), save=False)

    response = private_file_response(expense.receipt, download_name="notes.bin")

    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert _body(response) == HTML_PAGE


@pytest.mark.django_db
def test_media_files_are_never_served_by_a_url(client, receipt_model, media_root):
    expense = _store(receipt_model, _upload("receipt.pdf", MINIMAL_PDF))
    assert (media_root / expense.receipt.name).is_file()

    response = client.get(f"/media/{expense.receipt.name}")

    assert response.status_code == 404
    with pytest.raises(Resolver404):
        resolve(f"/media/{expense.receipt.name}")
