"""The PDF helper: WeasyPrint renders templates and may fetch only the site's own files.

Test-only templates live in tests/templates/core_tests/; the `test_templates` fixture adds that
folder to the template DIRS for the test that asks for it.
"""

import logging
import re
import struct
import zlib
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from core.pdf import RefusedURL, render_pdf, safe_url_fetcher
from tests.pdfs import pdf_inflated

TEST_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
SITE_CSS = django_settings.BASE_DIR / "static" / "css" / "site.css"
A4 = (595.28, 841.89)  # points
PROBE_PAGE = (283.46, 141.73)  # 100 mm x 50 mm in points


def _png(pixel: bytes = b"\xff\x00\x00") -> bytes:
    """A valid one-pixel PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" + pixel)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    boxes = re.findall(rb"/MediaBox\s*\[([^\]]*)\]", pdf_inflated(pdf))
    sizes = []
    for box in boxes:
        _x0, _y0, x1, y1 = (float(n) for n in box.split())
        sizes.append((round(x1, 2), round(y1, 2)))
    return sizes


def _image_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Subtype\s*/Image", pdf_inflated(pdf)))


def _weasyprint_errors(caplog) -> list[str]:
    """WeasyPrint logs an unreachable resource as an error (bad CSS syntax is a warning)."""
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == "weasyprint" and record.levelno >= logging.ERROR
    ]


@pytest.fixture
def test_templates(settings):
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [*engine["DIRS"], TEST_TEMPLATES]}]


@pytest.fixture
def probe_static(settings, tmp_path) -> Path:
    """A static folder served under /static/pdf-probe/ holding a stylesheet with a small page."""
    folder = tmp_path / "probe-static"
    folder.mkdir()
    (folder / "probe.css").write_text("@page { size: 100mm 50mm; }\n")
    settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, ("pdf-probe", folder)]
    return folder


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    folder = tmp_path / "media"
    (folder / "receipts").mkdir(parents=True)
    (folder / "receipts" / "pixel.png").write_bytes(_png())
    settings.MEDIA_ROOT = folder
    return folder


# safe_url_fetcher: what it serves


def test_it_serves_the_sites_own_stylesheet():
    response = safe_url_fetcher(django_settings.SITE_URL + "/static/css/site.css")

    assert response.read() == SITE_CSS.read_bytes()
    assert response.content_type == "text/css"


def test_it_serves_a_static_file_from_a_prefixed_static_folder():
    response = safe_url_fetcher(
        django_settings.SITE_URL + "/static/vendor/bootstrap/bootstrap.min.css"
    )

    assert response.read().startswith(b"@charset")
    assert response.content_type == "text/css"


def test_it_serves_a_media_file(media_root):
    response = safe_url_fetcher(django_settings.SITE_URL + "/media/receipts/pixel.png")

    assert response.read() == (media_root / "receipts" / "pixel.png").read_bytes()
    assert response.content_type == "image/png"


def test_it_follows_the_site_url_setting(settings):
    settings.SITE_URL = "https://coproduce.example.org"

    response = safe_url_fetcher("https://coproduce.example.org/static/css/site.css")

    assert response.read() == SITE_CSS.read_bytes()


def test_it_refuses_the_old_origin_once_the_site_url_changes(settings):
    settings.SITE_URL = "https://coproduce.example.org"

    with pytest.raises(RefusedURL):
        safe_url_fetcher("http://testserver/static/css/site.css")


# safe_url_fetcher: what it refuses


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("file:///etc/passwd", id="a local file"),
        pytest.param("http://example.com/x.css", id="another host"),
        pytest.param("http://example.com/static/css/site.css", id="a static path on another host"),
        pytest.param("https://testserver/static/css/site.css", id="another scheme"),
        pytest.param("http://testserver:8443/static/css/site.css", id="another port"),
        pytest.param("http://testserver.evil.example/static/css/site.css", id="a lookalike host"),
        pytest.param("http://evil.example@testserver/static/css/site.css", id="user info"),
        pytest.param("data:text/css,body{color:red}", id="a data url"),
        pytest.param("/static/css/site.css", id="a url without an origin"),
    ],
)
def test_it_refuses_urls_outside_the_sites_origin(url):
    with pytest.raises(RefusedURL):
        safe_url_fetcher(url)


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/static/../../etc/passwd", id="dot dot"),
        pytest.param("/static/css/../../../etc/passwd", id="dot dot after a folder"),
        pytest.param("/static/%2e%2e/%2e%2e/etc/passwd", id="encoded dot dot"),
        pytest.param("/static/..%2f..%2fetc/passwd", id="encoded slash"),
        pytest.param("/static//etc/passwd", id="an absolute path after the prefix"),
        pytest.param("/static/../config/settings/base.py", id="the settings beside static"),
        pytest.param("/media/../config/settings/base.py", id="dot dot out of media"),
        pytest.param("/media//etc/passwd", id="an absolute path after the media prefix"),
    ],
)
def test_it_refuses_paths_that_climb_out_of_static_and_media(path, media_root):
    with pytest.raises(RefusedURL):
        safe_url_fetcher(django_settings.SITE_URL + path)


def test_it_refuses_an_unknown_static_file():
    with pytest.raises(RefusedURL):
        safe_url_fetcher(django_settings.SITE_URL + "/static/css/not-there.css")


def test_it_refuses_a_static_folder():
    with pytest.raises(RefusedURL):
        safe_url_fetcher(django_settings.SITE_URL + "/static/css/")


def test_it_refuses_an_unknown_media_file(media_root):
    with pytest.raises(RefusedURL):
        safe_url_fetcher(django_settings.SITE_URL + "/media/receipts/not-there.png")


def test_it_refuses_the_media_folder_itself(media_root):
    with pytest.raises(RefusedURL):
        safe_url_fetcher(django_settings.SITE_URL + "/media/")


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/etc/passwd", id="a file path"),
        pytest.param("/admin/", id="a page"),
        pytest.param("/staticfiles/css/site.css", id="a lookalike prefix"),
    ],
)
def test_it_refuses_paths_on_the_site_outside_static_and_media(path):
    with pytest.raises(RefusedURL):
        safe_url_fetcher(django_settings.SITE_URL + path)


# render_pdf


def test_it_renders_a_site_template_to_a_pdf(caplog):
    pdf = render_pdf("500.html")

    assert pdf.startswith(b"%PDF-")
    assert _page_sizes(pdf) == [A4]
    assert _weasyprint_errors(caplog) == []


def test_it_applies_a_stylesheet_from_the_static_files(test_templates, probe_static, caplog):
    pdf = render_pdf("core_tests/pdf_probe.html", {"stylesheets": ["/static/pdf-probe/probe.css"]})

    assert _page_sizes(pdf) == [PROBE_PAGE]
    assert _weasyprint_errors(caplog) == []


def test_it_resolves_relative_urls_against_the_site(test_templates, probe_static, caplog):
    pdf = render_pdf("core_tests/pdf_probe.html", {"stylesheets": ["static/pdf-probe/probe.css"]})

    assert _page_sizes(pdf) == [PROBE_PAGE]


def test_it_ignores_the_same_stylesheet_asked_for_by_file_url(test_templates, probe_static, caplog):
    file_url = (probe_static / "probe.css").as_uri()

    pdf = render_pdf("core_tests/pdf_probe.html", {"stylesheets": [file_url]})

    assert pdf.startswith(b"%PDF-")
    assert _page_sizes(pdf) == [A4]
    assert any(file_url in error and "RefusedURL" in error for error in _weasyprint_errors(caplog))


def test_it_embeds_an_image_from_the_media_files(test_templates, media_root, caplog):
    pdf = render_pdf("core_tests/pdf_probe.html", {"images": ["/media/receipts/pixel.png"]})

    assert _image_count(pdf) == 1
    assert _weasyprint_errors(caplog) == []


def test_it_leaves_out_the_same_image_asked_for_by_file_url(test_templates, media_root, caplog):
    file_url = (media_root / "receipts" / "pixel.png").as_uri()

    pdf = render_pdf("core_tests/pdf_probe.html", {"images": [file_url]})

    assert pdf.startswith(b"%PDF-")
    assert _image_count(pdf) == 0


def test_it_still_renders_when_a_template_asks_for_local_files_and_the_network(
    test_templates, caplog
):
    pdf = render_pdf("core_tests/pdf_hostile.html")

    assert pdf.startswith(b"%PDF-")
    assert _image_count(pdf) == 0


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "http://example.com/x.css", "http://example.com/x.png"],
)
def test_the_fetcher_refuses_what_a_hostile_template_asks_for(test_templates, caplog, url):
    render_pdf("core_tests/pdf_hostile.html")

    refusals = [error for error in _weasyprint_errors(caplog) if url in error]
    assert refusals
    assert all("RefusedURL" in error for error in refusals)


def test_a_hostile_template_still_gets_the_sites_own_stylesheet(test_templates, caplog):
    render_pdf("core_tests/pdf_hostile.html")

    assert not [error for error in _weasyprint_errors(caplog) if "site.css" in error]


def test_a_private_upload_is_refused_even_though_it_is_a_media_file(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "private" / "receipts").mkdir(parents=True)
    (tmp_path / "private" / "receipts" / "r.png").write_bytes(b"\x89PNG\r\n\x1a\n")

    with pytest.raises(RefusedURL):
        safe_url_fetcher(settings.SITE_URL + "/media/private/receipts/r.png")


# safe_url_fetcher: a private upload asked for by a path that only normalises to one


@pytest.fixture
def private_upload(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "private" / "receipts").mkdir(parents=True)
    (tmp_path / "private" / "receipts" / "r.png").write_bytes(_png(b"\x00\x00\xff"))
    (tmp_path / "receipts").mkdir()
    (tmp_path / "receipts" / "pixel.png").write_bytes(_png())
    return tmp_path


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/media/./private/receipts/r.png", id="a dot segment"),
        pytest.param("/media/%2E/private/receipts/r.png", id="an encoded dot"),
        pytest.param("/media/%2e/private/receipts/r.png", id="an encoded dot in lower case"),
        pytest.param("/media/%252E/private/receipts/r.png", id="a twice-encoded dot"),
        pytest.param("/media/%25252E/private/receipts/r.png", id="a thrice-encoded dot"),
        pytest.param("/media/.%2Fprivate/receipts/r.png", id="an encoded slash after a dot"),
        pytest.param("/media//private/receipts/r.png", id="a double slash"),
        pytest.param("/media///private/receipts/r.png", id="a triple slash"),
        pytest.param("/media/%2Fprivate/receipts/r.png", id="an encoded slash"),
        pytest.param("/media/private//receipts/r.png", id="a double slash inside"),
        pytest.param("/media/./././private/receipts/r.png", id="several dot segments"),
        pytest.param("/media/receipts/../private/receipts/r.png", id="dot dot back into private"),
        pytest.param("/media/.\\private\\receipts\\r.png", id="backslashes"),
        pytest.param("/media/%5Cprivate/receipts/r.png", id="an encoded backslash"),
        pytest.param("/media/private/./receipts/r.png", id="a dot segment inside private"),
        pytest.param("/media/%70rivate/receipts/r.png", id="an encoded letter"),
        pytest.param("/media/private%00/receipts/r.png", id="a NUL byte"),
    ],
)
def test_a_private_upload_is_refused_whatever_the_spelling_of_its_path(private_upload, path):
    with pytest.raises(RefusedURL):
        safe_url_fetcher(django_settings.SITE_URL + path)


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/media/receipts/pixel.png", id="plain"),
        pytest.param("/media/./receipts/pixel.png", id="with a dot segment"),
        pytest.param("/media/receipts/%70ixel.png", id="with an encoded letter"),
    ],
)
def test_a_public_media_file_is_still_served_once_normalised(private_upload, path):
    response = safe_url_fetcher(django_settings.SITE_URL + path)

    assert response.read() == (private_upload / "receipts" / "pixel.png").read_bytes()


@pytest.mark.parametrize(
    "path", ["/static/css/site.css", "/static/./css/site.css", "/static/css/%73ite.css"]
)
def test_a_static_file_is_still_served_once_normalised(path):
    response = safe_url_fetcher(django_settings.SITE_URL + path)

    assert response.read() == SITE_CSS.read_bytes()


def test_a_media_image_still_reaches_a_pdf_while_a_private_one_does_not(
    test_templates, private_upload, caplog
):
    # WeasyPrint resolves "./" itself, but not "%2E".
    images = ["/media/receipts/pixel.png", "/media/%2E/private/receipts/r.png"]

    pdf = render_pdf("core_tests/pdf_probe.html", {"images": images})

    assert _image_count(pdf) == 1
    assert any("RefusedURL" in error for error in _weasyprint_errors(caplog))
