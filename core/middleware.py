"""Middleware that refuses a request before anything reads it."""

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    UnreadablePostError,
)
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string

from core.uploads import DEFAULT_MAX_UPLOAD_BYTES, MEGABYTE, format_megabytes

DEFAULT_MAX_REQUEST_BYTES = 25 * MEGABYTE


class RequestSizeLimitMiddleware:
    """Refuse a request whose Content-Length is over settings.MAX_REQUEST_BYTES with 413, and one
    whose Content-Length is not a whole number with 400.

    It looks only at the header, so an oversized upload is refused before Django's upload
    handlers spool it, and before any view or form runs. It sits near the top of MIDDLEWARE so
    nothing earlier reads the body. Under gunicorn (WSGI) Django reads nothing it is not asked
    for; a server or proxy in front should still cap bodies at the same size, since it may read
    and discard the rest of a refused body, and Django's ASGI handler reads the whole body
    before any middleware runs.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        declared = request.META.get("CONTENT_LENGTH", "").strip()
        if declared:
            if not (declared.isascii() and declared.isdigit()):
                return self._malformed()
            try:
                length = int(declared)
            except ValueError:  # more digits than Python will convert: not a real length
                return self._malformed()
            if length > self.limit:
                return self._too_large(request)
        return self.get_response(request)

    @property
    def limit(self) -> int:
        return getattr(settings, "MAX_REQUEST_BYTES", DEFAULT_MAX_REQUEST_BYTES)

    def _malformed(self) -> HttpResponse:
        return HttpResponseBadRequest(
            "Bad request: the Content-Length header is not a number.",
            content_type="text/plain; charset=utf-8",
        )

    def _too_large(self, request: HttpRequest) -> HttpResponse:
        context = {
            "max_request_mb": format_megabytes(self.limit),
            "max_upload_mb": format_megabytes(
                getattr(settings, "MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES)
            ),
        }
        return HttpResponse(render_to_string("413.html", context, request=request), status=413)


NUL = "\x00"


def _holds_nul(data) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in data.lists())


class RefuseNulMiddleware:
    """Answer 404 for a NUL byte in the path and 400 for one in a query parameter, a form field,
    a cookie or a header, before any view or the database sees it (PostgreSQL refuses NUL in
    text, so it would otherwise be a 500 wherever the value reaches a query).

    Forms already refuse NUL (ProhibitNullCharactersValidator); this covers what views, the
    admin, axes and the session store read directly. A multipart body is parsed here rather than
    in CSRF's check a step later (Django's own upload handlers, nothing earlier has read it);
    the size limit runs before this, and uploaded file names are cleaned by Django's parser.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if NUL in request.path_info:
            raise Http404("No page has a NUL byte in its address.")
        if (
            _holds_nul(request.GET)
            or any(NUL in name or NUL in value for name, value in request.COOKIES.items())
            # Headers too: axes stores the User-Agent of a failed sign-in.
            or any(NUL in value for name, value in request.headers.items())
        ):
            raise BadRequest("A query parameter, cookie or header holds a NUL byte.")
        if request.method == "POST":
            try:
                posted = request.POST
            except (MultiPartParserError, UnreadablePostError) as exc:
                raise BadRequest("The form data could not be read.") from exc
            if _holds_nul(posted):
                raise BadRequest("A form field holds a NUL byte.")
        return self.get_response(request)
