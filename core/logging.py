"""Keep secrets in URLs (calendar feeds, invitation, registration and reset links) out of logs."""

import logging
import re

# A path segment that looks like a secret token: long, random, URL-safe.
SECRET_SEGMENT = re.compile(r"(?<=/)(?=[A-Za-z0-9_-]*\d)[A-Za-z0-9_-]{20,}(?=[/.?]|$)")


def redact(text: str) -> str:
    return SECRET_SEGMENT.sub("<secret>", text)


class RedactSecretsFilter(logging.Filter):
    """Rewrite a record's message so any secret-looking URL segment reads <secret>."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
