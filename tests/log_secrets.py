"""Application logs must never carry a password, a token, a session id or an email address.

A handler on the root logger keeps every record the suite produces; when the run ends,
`pytest_sessionfinish` fails the run if any of them carries one (see tests/conftest.py). Under
pytest-xdist each worker scans its own records and hands what it found to the controller."""

import logging
import re

from people.demo import DEMO_PASSWORD
from tests.people.factories import PASSWORD

# Loggers of test equipment rather than the application (the fake SMTP server logs addresses).
NOT_THE_APP = ("mail.log",)

PATTERNS = {
    "an email address": re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"),
    # Django's password-reset tokens: "<base36 timestamp>-<hex digest>".
    "a password reset token": re.compile(r"\b[0-9a-z]{5,}-[0-9a-f]{20,}\b"),
    # Tokens in our own links (secrets.token_urlsafe): 20+ URL-safe characters mixing cases
    # and digits.
    "a link token": re.compile(
        r"(?<![\w-])(?=[\w-]*[A-Z])(?=[\w-]*[a-z])(?=[\w-]*\d)[\w-]{20,}(?![\w-])"
    ),
    # Django's session keys: 32 characters of a-z and 0-9. Requiring a letter past "f" tells
    # them from hex digests and UUIDs (a real key lacks one with odds of about 1 in 10^11).
    "a session id": re.compile(r"\b(?=[a-z0-9]*[g-z])(?=[a-z0-9]*\d)[a-z0-9]{32}\b"),
}
KNOWN_PASSWORDS = (PASSWORD, DEMO_PASSWORD)


class KeepEverything(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(NOT_THE_APP):
            return
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        self.lines.append((record.name, text))


def secrets_in(text: str) -> list[str]:
    found = [what for what, pattern in PATTERNS.items() if pattern.search(text)]
    found += ["a password" for password in KNOWN_PASSWORDS if password in text]
    return found


def findings(lines: list[tuple[str, str]]) -> list[str]:
    return [
        f"{logger}: {', '.join(found)}: {text[:200]!r}"
        for logger, text in lines
        if (found := secrets_in(text))
    ]
