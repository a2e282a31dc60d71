"""The request body cap: an oversized request is refused from its Content-Length, unread.

The body of every refused request here is a stream that fails the test if anything reads it, so
"refused before reading" is proved, not assumed.
"""

from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import RequestFactory

from core.middleware import RequestSizeLimitMiddleware

MB = 1024 * 1024


class UnreadableBody:
    """A wsgi.input that fails the test when anything reads it."""

    def read(self, *args):
        raise AssertionError("the request body was read")

    readline = read
    readlines = read

    def __iter__(self):
        raise AssertionError("the request body was read")


def _unread_post(content_length: str, path: str = "/expenses/claims/new/"):
    environ: dict[str, Any] = {"wsgi.input": UnreadableBody()}
    return RequestFactory().generic(
        "POST",
        path,
        CONTENT_TYPE="multipart/form-data; boundary=receipts",
        CONTENT_LENGTH=content_length,
        **environ,
    )


class ViewProbe:
    """Stands in for the rest of the stack and records whether it was reached."""

    def __init__(self):
        self.called = False

    def __call__(self, request):
        self.called = True
        return HttpResponse("reached the view")


@pytest.fixture
def view():
    return ViewProbe()


@pytest.fixture
def middleware(view):
    return RequestSizeLimitMiddleware(view)


def _post_unread(client, content_length: str):
    """A POST of the sign-in form through the whole stack; the body fails the test if read."""
    return client.generic(
        "POST",
        "/accounts/sign-in/",
        CONTENT_TYPE="multipart/form-data; boundary=receipts",
        CONTENT_LENGTH=content_length,
        **{"wsgi.input": UnreadableBody()},
    )


# Refused


def test_a_50_mb_upload_is_refused_with_413_before_its_body_is_read(client):
    response = _post_unread(client, str(50 * MB))

    assert response.status_code == 413
    assert "That upload is too large" in response.content.decode()


@pytest.mark.django_db
def test_without_the_cap_the_same_request_would_be_read_so_the_probe_proves_something(
    client, settings
):
    settings.MIDDLEWARE = [
        name for name in settings.MIDDLEWARE if name != "core.middleware.RequestSizeLimitMiddleware"
    ]

    with pytest.raises(AssertionError, match="the request body was read"):
        _post_unread(client, str(50 * MB))


def test_no_view_or_form_runs_for_an_oversized_request(middleware, view):
    response = middleware(_unread_post(str(50 * MB)))

    assert response.status_code == 413
    assert view.called is False


def test_the_413_page_is_in_the_site_layout(client):
    response = _post_unread(client, str(50 * MB))

    assert [template.name for template in response.templates] == ["413.html", "base.html"]
    html = response.content.decode()
    assert "<title>Upload too large · Coproduce</title>" in html
    assert '<main id="main"' in html
    assert "Skip to main content" in html
    assert "Each file can be at most 10 MB, and everything sent at once at most 25 MB." in html


def test_a_request_one_byte_over_the_cap_is_refused(middleware, view):
    response = middleware(_unread_post(str(25 * MB + 1)))

    assert response.status_code == 413
    assert view.called is False


def test_the_cap_follows_the_setting(settings, middleware, view):
    settings.MAX_REQUEST_BYTES = 1 * MB

    response = middleware(_unread_post(str(2 * MB)))

    assert response.status_code == 413
    assert "at most 1 MB" in response.content.decode()


def test_without_the_setting_the_cap_is_25_mb(settings, middleware):
    del settings.MAX_REQUEST_BYTES

    assert middleware(_unread_post(str(25 * MB))).status_code == 200
    assert middleware(_unread_post(str(25 * MB + 1))).status_code == 413


@pytest.mark.parametrize(
    "content_length",
    [
        pytest.param("lots", id="a word"),
        pytest.param("-1", id="negative"),
        pytest.param("1e9", id="exponent"),
        pytest.param("0x10", id="hexadecimal"),
        pytest.param("1_000", id="underscores"),
        pytest.param("12 34", id="two numbers"),
        pytest.param("\u0661\u0662", id="non-ascii digits"),
        pytest.param("9" * 5000, id="too many digits to convert"),
    ],
)
def test_a_malformed_content_length_is_refused_with_400_unread(middleware, view, content_length):
    response = middleware(_unread_post(content_length))

    assert response.status_code == 400
    assert view.called is False


def test_a_malformed_content_length_is_refused_through_the_whole_stack(client):
    assert _post_unread(client, "lots").status_code == 400


# Passed


def test_a_small_upload_passes_and_the_view_can_read_it(middleware):
    receipt = SimpleUploadedFile("receipt.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    request = RequestFactory().post("/expenses/claims/new/", {"receipts": receipt})

    def view(request):
        return HttpResponse(request.FILES["receipts"].read())

    response = RequestSizeLimitMiddleware(view)(request)

    assert response.status_code == 200
    assert response.content == b"%PDF-1.4\n%%EOF\n"


def test_a_request_exactly_at_the_cap_passes(middleware, view):
    response = middleware(_unread_post(str(25 * MB)))

    assert response.status_code == 200
    assert view.called is True


@pytest.mark.parametrize("content_length", [None, "", "0", " 120 "])
def test_a_request_with_no_or_a_small_content_length_passes(middleware, view, content_length):
    request = RequestFactory().get("/")
    if content_length is None:
        request.META.pop("CONTENT_LENGTH", None)
    else:
        request.META["CONTENT_LENGTH"] = content_length

    assert middleware(request).status_code == 200
    assert view.called is True


def test_the_cap_comes_straight_after_the_security_middleware():
    middleware = django_settings.MIDDLEWARE
    security = middleware.index("django.middleware.security.SecurityMiddleware")

    assert middleware[security + 1] == "core.middleware.RequestSizeLimitMiddleware"
