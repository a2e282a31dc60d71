"""Keep the secrets in URLs (link tokens, check-in codes, password-reset links) out of every log.

Redaction goes by route, not by the look of a string: the urlconf marks each secret path
parameter with a secret converter (core.converters: `<token:...>`, `<code:...>`), and from it
`secret_routes()` builds one pattern per such route, so an 8-letter check-in code or a token
without a digit is redacted like any other. `redact()` applies them anywhere in a line (a bare
path, a full URL, a request line, a `?next=` value, percent-encoded or not) and also blanks
query parameters named like secrets. It is the one function used by RedactSecretsFilter (on the
console handler and the request loggers, config/settings/base.py) and by gunicorn's access and
error logs (config/gunicorn.py).
"""

import functools
import logging
import re
from urllib.parse import quote, unquote

SECRET = "<secret>"  # noqa: S105 (the placeholder, not a secret)

# Query parameters whose value is a secret, whatever the page (compared in any case).
SECRET_QUERY_PARAMETERS = ("token", "code", "uidb64", "key", "secret", "password")
SECRET_QUERY = re.compile(rf"(?i)(^|[?&;])((?:{'|'.join(SECRET_QUERY_PARAMETERS)})=)[^&;#\s\"'<>]*")

# A run of URL characters; one holding percent-encoding is decoded before redaction, so
# "?next=%2Finvitations%2F<token>%2Faccept%2F" and "/calendar/%41bc.ics" are caught too. Runs
# are matched whole and tested for an escape afterwards: a pattern asking for the "%" inside
# the run backtracks over the rest of it from every start, quadratic in its length (a 100 KB
# path took 36 s, an 8 KB header 0.25 s per pass).
URL_RUN = re.compile(r"[^\s\"'<>]+")
ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
DECODING_ROUNDS = 4
# Characters left as they are when a redacted run is encoded again; all else (a newline, a
# space) is percent-encoded, so a redacted line can never be split or forged.
URL_SAFE = "/:?#[]@!$&'()*+,;=-._~<>"

SECRET_GROUP = "(?P<secret>"  # noqa: S105
# What stands in a secret's place in a log line: the whole path segment, not only the
# converter's characters. A token a mail client mangled with a zero-width space or a soft
# hyphen still opens nothing, but Django logs that character as "\u200b", and a redaction
# stopping there would leave the rest of a real token in the line.
SECRET_SEGMENT = r"[^/\s\"'<>?#&;.]+"  # noqa: S105
ROUTE_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>[^>]+)>")


def _route_pattern(route: str, converters: dict) -> tuple[int, str] | None:
    """A regex for a route's path up to its last secret parameter, each secret in a group
    `(?P<secret>...)`, and the length of the route's literal start (to order the patterns)."""
    from core.converters import SecretConverter

    parts, kept, end = [], 0, 0
    for match in ROUTE_PARAMETER.finditer(route):
        parts.append(re.escape(route[end : match.start()]))
        converter = converters.get(match.group("parameter"))
        if isinstance(converter, SecretConverter):
            parts.append(f"{SECRET_GROUP}{SECRET_SEGMENT})")
            kept = len(parts)
        else:
            parts.append(f"(?:{getattr(converter, 'regex', '[^/]+')})")
        end = match.end()
    if not kept:
        return None
    return route.find("<"), "/" + "".join(parts[:kept])


@functools.lru_cache(maxsize=8)
def _secret_routes_for(urlconf: str) -> tuple[str, ...]:
    from django.urls import URLPattern, URLResolver, get_resolver
    from django.urls.resolvers import RoutePattern

    found: list[tuple[int, str]] = []

    def walk(patterns, prefix: str, converters: dict) -> None:
        for entry in patterns:
            if not isinstance(entry.pattern, RoutePattern):
                continue  # a regex route cannot use a converter, so it carries no marked secret
            route = prefix + str(entry.pattern)
            inner = {**converters, **entry.pattern.converters}
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, route, inner)
            elif isinstance(entry, URLPattern) and (pattern := _route_pattern(route, inner)):
                found.append(pattern)

    walk(get_resolver(urlconf).url_patterns, "", {})
    # Longest literal start first: "/evaluate/s/<code>" is tried before "/evaluate/<token>".
    return tuple(regex for _, regex in sorted(set(found), reverse=True))


@functools.lru_cache(maxsize=8)
def _combined(routes: tuple[str, ...]) -> re.Pattern | None:
    """All the secret routes as one alternation: at each place in a line the first route that
    matches wins, and what it matched is not looked at again."""
    if not routes:
        return None
    combined = "|".join(f"(?:{route})" for route in routes)
    pieces = combined.split(SECRET_GROUP)  # each group needs a name of its own
    # In any case: "/Evaluate/<token>/" is not found, but its token is real all the same.
    return re.compile(
        pieces[0] + "".join(f"(?P<secret_{n}>{piece}" for n, piece in enumerate(pieces[1:])),
        re.IGNORECASE,
    )


def secret_routes() -> tuple[str, ...]:
    """One regex per route whose URL carries a secret, from the urlconf in use."""
    from django.apps import apps
    from django.conf import settings
    from django.urls import get_urlconf

    if not apps.ready:  # nothing logs a request before the app is loaded
        return ()
    return _secret_routes_for(get_urlconf() or settings.ROOT_URLCONF)


def _blank_secrets(match: re.Match) -> str:
    text, start = match.group(0), match.start()
    spans = sorted(
        match.span(name) for name, value in match.groupdict().items() if value is not None
    )
    for group_start, group_end in reversed(spans):
        text = text[: group_start - start] + SECRET + text[group_end - start :]
    return text


def _redact_plain(text: str) -> str:
    routes = _combined(secret_routes())
    if routes is not None:
        text = routes.sub(_blank_secrets, text)
    return SECRET_QUERY.sub(rf"\g<1>\g<2>{SECRET}", text)


def _redact_encoded(match: re.Match) -> str:
    run = decoded = match.group(0)
    if not ESCAPE.search(run):
        return run
    for _ in range(DECODING_ROUNDS):
        once = unquote(decoded)
        if once == decoded:
            break
        decoded = once
    redacted = _redact_plain(decoded)
    if redacted == decoded:
        return run
    return quote(redacted, safe=URL_SAFE)


def redact(text: str) -> str:
    """The text with every secret a URL in it carries replaced by <secret>."""
    return URL_RUN.sub(_redact_encoded, _redact_plain(text))


class RedactSecretsFilter(logging.Filter):
    """Rewrite a record's message (and its traceback text) so no URL secret is left in it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
