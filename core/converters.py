"""URL path converters for the secrets some public links carry.

A token route matches only the characters its token can hold, so anything else (a NUL byte, a
space, an accented letter) is a 404 before a view or the database sees it. The converters also
mark the parameter as a secret: core.logging redacts it from every log line by route.
"""

from django.urls import register_converter


class SecretConverter:
    """A path parameter whose value is a secret: never logged (see core.logging)."""

    regex: str

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class TokenConverter(SecretConverter):
    """A link token: secrets.token_urlsafe (32 characters today, fields hold 64), and Django's
    password-reset uidb64 and token ("<base36>-<hex>"), all from the URL-safe base64 alphabet."""

    regex = "[A-Za-z0-9_-]{1,64}"


class CheckInCodeConverter(SecretConverter):
    """A check-in code typed by a learner: letters and digits, any case (the stored field holds
    up to 12). The codes made today use A-Z and 2-9 without look-alikes; a typed 0 or 1 is a
    plain 404 from the lookup, like any unknown code."""

    regex = "[A-Za-z0-9]{1,12}"


# Registered once, on import: core.apps imports this module when the app registry is ready,
# before any urlconf is loaded.
register_converter(TokenConverter, "token")
register_converter(CheckInCodeConverter, "code")
