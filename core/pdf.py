"""The one way Coproduce makes PDFs: a Django template rendered by WeasyPrint.

The URL fetcher serves only the app's own static and media files. Anything else, a `file://`
path, another host, a path that climbs out of the static folders, is refused, so a template fed
with user-supplied text can never pull a local file or reach the network into a document.
"""

import logging
import mimetypes
import posixpath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from core.uploads import PRIVATE_UPLOADS

logger = logging.getLogger(__name__)


class RefusedURL(ValueError):
    """A document asked for something outside the app's static and media files."""


def _read_static(path: str) -> bytes:
    try:
        found = finders.find(path)
    except SuspiciousFileOperation as exc:
        raise RefusedURL(path) from exc
    if not found:
        raise RefusedURL(path)
    try:
        with open(found, "rb") as handle:
            return handle.read()
    except OSError as exc:  # a folder, not a file
        raise RefusedURL(path) from exc


def _read_media(path: str) -> bytes:
    # Private uploads (receipts, evidence) are never pulled into a document by URL: a view that
    # checks permission is the only way to them.
    if path.startswith(PRIVATE_UPLOADS):
        raise RefusedURL(path)
    try:
        with default_storage.open(path, "rb") as handle:
            return handle.read()
    except (SuspiciousFileOperation, OSError) as exc:  # outside MEDIA_ROOT, missing, a folder
        raise RefusedURL(path) from exc


# Percent-decoding is repeated until nothing changes, so "%252E" is a "." like "%2E"; a path
# still encoded after this many rounds is refused rather than decoded further.
DECODING_ROUNDS = 4


def _normalised_path(url: str, raw_path: str) -> str:
    """The path fully decoded and normalised ("/media/./private" and "/media//private" both
    become "/media/private"), so the checks that follow see the file that would be opened.
    Refuses what normalising would hide: "..", backslashes, NUL, endless encoding."""
    path = raw_path
    for _ in range(DECODING_ROUNDS):
        decoded = unquote(path)
        if decoded == path:
            break
        path = decoded
    else:
        raise RefusedURL(url)
    if "\\" in path or "\x00" in path or ".." in path.split("/"):
        raise RefusedURL(url)
    normalised = posixpath.normpath(path)
    if not normalised.startswith("/") or normalised.startswith("//"):
        raise RefusedURL(url)
    return normalised


def safe_url_fetcher(url: str) -> URLFetcherResponse:
    """Fetch one of this site's STATIC_URL or MEDIA_URL files; refuse every other URL."""
    site = urlsplit(settings.SITE_URL)
    parts = urlsplit(url)
    if (parts.scheme, parts.netloc) != (site.scheme, site.netloc):
        raise RefusedURL(url)
    path = _normalised_path(url, parts.path)
    if path.startswith(settings.STATIC_URL):
        content = _read_static(path.removeprefix(settings.STATIC_URL))
    elif settings.MEDIA_URL and path.startswith(settings.MEDIA_URL):
        content = _read_media(path.removeprefix(settings.MEDIA_URL))
    else:
        raise RefusedURL(url)
    mime_type, _ = mimetypes.guess_type(path)
    return URLFetcherResponse(
        url, body=content, headers={"Content-Type": mime_type or "application/octet-stream"}
    )


class SafeURLFetcher(URLFetcher):
    """WeasyPrint 68+ fetches through a URLFetcher; a plain function fails on every URL."""

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        return safe_url_fetcher(url)


def render_pdf(template_name: str, context: dict | None = None) -> bytes:
    """Render a template to PDF bytes; relative URLs resolve against the site's own files."""
    html = render_to_string(template_name, context or {})
    document = HTML(string=html, base_url=settings.SITE_URL + "/", url_fetcher=SafeURLFetcher())
    return document.write_pdf()
