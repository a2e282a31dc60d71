"""Secrets in URLs are redacted by route: the urlconf says which path parameters are secrets
(the token and code converters), so a token is redacted whatever it looks like."""

import logging
import time

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, include, path, reverse

from core.converters import SecretConverter
from core.logging import RedactSecretsFilter, redact, secret_routes
from tests.log_secrets import secrets_in

# Tokens chosen to slip past a redaction by shape: no digit, short, all one case.
NO_DIGIT = "abcdefghijklmnopqrstuvwxyzABCDEF"
DIGITS = "Xk3_9fQz-Lm2Pa7Rt5Yw1Hb8Nc4aB7dE"
CODE = "ABCDEFGH"  # an 8-character check-in code without a digit
CODE_WITH_DIGITS = "ABCD2345"
UID = "MTIz"
RESET_TOKEN = "cf1x2k-9b8e7d6c5b4a39281706f5e4d3c2b1a0"

# Every route whose URL carries a secret, by name, with the literal text around it that stays.
SECRET_ROUTES = {
    "sessions:invitation-accept": ({"token": NO_DIGIT}, ["/invitations/", "/accept/"]),
    "sessions:invitation-decline": ({"token": NO_DIGIT}, ["/invitations/", "/decline/"]),
    "sessions:register": ({"token": NO_DIGIT}, ["/register/"]),
    "sessions:register-done": ({"token": NO_DIGIT}, ["/register/", "/done/"]),
    "sessions:registration-self-cancel": ({"token": NO_DIGIT}, ["/registrations/", "/cancel/"]),
    "sessions:checkin": ({"code": CODE}, ["/c/"]),
    "sessions:calendar-feed": ({"token": NO_DIGIT}, ["/calendar/", ".ics"]),
    "evaluations:respond-short-link": ({"code": CODE}, ["/evaluate/s/"]),
    "evaluations:respond": ({"token": NO_DIGIT}, ["/evaluate/"]),
    "evaluations:respond-thanks": ({"token": NO_DIGIT}, ["/evaluate/", "/thanks/"]),
    "evaluations:document-certificate": ({"token": NO_DIGIT}, ["/evaluate/", "/certificate.pdf"]),
    "password_reset_confirm": (
        {"uidb64": UID, "token": RESET_TOKEN},
        ["/accounts/password-reset/"],
    ),
}


def _routes_with_secret_converters() -> set[str]:
    found = set()

    def walk(patterns, namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, inner)
            elif isinstance(entry, URLPattern):
                converters = getattr(entry.pattern, "converters", {})
                if any(isinstance(c, SecretConverter) for c in converters.values()):
                    found.add(f"{namespace}{entry.name}")

    walk(get_resolver().url_patterns, "")
    return found


def test_the_list_of_secret_routes_is_every_route_with_a_token_or_code_in_the_urlconf():
    assert _routes_with_secret_converters() == set(SECRET_ROUTES)


def test_every_parameter_named_like_a_secret_uses_a_secret_converter():
    def walk(patterns, prefix: str) -> list[str]:
        wrong = []
        for entry in patterns:
            route = prefix + str(entry.pattern)
            converters = getattr(entry.pattern, "converters", {})
            wrong += [
                f"{name} in {route}"
                for name, converter in converters.items()
                if name in {"token", "code", "uidb64", "key", "secret"}
                and not isinstance(converter, SecretConverter)
            ]
            if isinstance(entry, URLResolver):
                wrong += walk(entry.url_patterns, route)
        return wrong

    assert walk(get_resolver().url_patterns, "") == []


def _gift(request, voucher):
    raise AssertionError("never called")


urlpatterns = [
    path("gift/<token:voucher>/open/", _gift, name="gift"),
    path("", include("config.urls")),
]


@pytest.mark.urls(__name__)
def test_a_new_route_with_a_token_is_redacted_without_touching_the_redaction():
    assert any(route.startswith("/gift/") for route in secret_routes())
    assert redact("/gift/abcdefghijklmnop/open/") == "/gift/<secret>/open/"


def test_the_redaction_patterns_come_from_the_urlconf():
    assert "/c/" in {route.split("(")[0] for route in secret_routes()}


@pytest.mark.parametrize("name", sorted(SECRET_ROUTES))
def test_a_secret_route_loses_its_secret_and_keeps_its_shape(name):
    kwargs, kept = SECRET_ROUTES[name]
    path = reverse(name, kwargs=kwargs)

    redacted = redact(path)

    assert all(value not in redacted for value in kwargs.values()), redacted
    assert "<secret>" in redacted
    assert all(part in redacted for part in kept), redacted


@pytest.mark.parametrize("name", sorted(SECRET_ROUTES))
@pytest.mark.parametrize(
    "template",
    [
        "Not Found: {path}",
        '"GET {path} HTTP/1.1" 404 179',
        "http://testserver{path}",
        "https://coproduce.example.org{path}?utm_source=email",
        "{path}extra/bits/after",
        "/accounts/sign-in/?next={path}",
        "Internal Server Error: {path}\nTraceback: ... {path}",
    ],
)
def test_a_secret_route_is_redacted_inside_any_log_line(name, template):
    kwargs, _ = SECRET_ROUTES[name]
    line = template.format(path=reverse(name, kwargs=kwargs))

    redacted = redact(line)

    assert all(value not in redacted for value in kwargs.values()), redacted


@pytest.mark.parametrize(
    ("path", "secret"),
    [
        ("/c/abcdefgh/", "abcdefgh"),
        ("/c/ABCD2345/", "ABCD2345"),
        ("/evaluate/s/abcd2345/", "abcd2345"),
        (f"/calendar/{DIGITS}.ics", DIGITS),
        ("/register/short/", "short"),
    ],
)
def test_codes_and_tokens_of_any_shape_are_redacted(path, secret):
    assert secret not in redact(path)


@pytest.mark.parametrize(
    "line",
    [
        f"/accounts/sign-in/?next=%2Finvitations%2F{NO_DIGIT}%2Faccept%2F",
        f"/accounts/sign-in/?next=%252Finvitations%252F{NO_DIGIT}%252Faccept%252F",
        f"/calendar/%41{NO_DIGIT}.ics",
        f"/schedule/?token={NO_DIGIT}",
        f"/schedule/?x=1&code={CODE}&y=2",
        f"/anything/?uidb64={UID}&token={RESET_TOKEN}",
        f"/schedule/?TOKEN={NO_DIGIT}",
        f"/schedule/?next=https://coproduce.example.org/evaluate/{NO_DIGIT}/",
    ],
)
def test_secrets_in_query_strings_and_encoded_paths_are_redacted(line):
    redacted = redact(line)

    assert NO_DIGIT not in redacted
    assert CODE not in redacted
    assert RESET_TOKEN not in redacted
    assert "<secret>" in redacted


@pytest.mark.parametrize(
    "line",
    [
        "/schedule/2026-W50/sessions/12/",
        "/schedule/12/check-in/",
        "/trainers/12/check-ins/",
        "/accounts/password-reset/",
        "/accounts/password-reset/sent/",
        "/accounts/password-reset/done/",
        "/evaluations/results/?region=3&course=4",
        "/static/vendor/bootstrap/bootstrap.min.css",
        "notification 42 (password_reset) sent",
        '"GET /schedule/?month=2026-12 HTTP/1.1" 200 5120',
        "Not Found: /media/private/receipts/ee5c18dad38e4a668c2e821d51fbdecb.pdf",
        "Failed to load file:///tmp/pytest-of-root/test_it_ignores_the_same_a0/probe.css",
        "Task notifications.tasks.send_notification[0f8e6c1e-9d7b-4b8a-a2f3-5c6d7e8f9a0b] ok",
    ],
)
def test_ordinary_paths_and_lines_are_left_as_they_are(line):
    assert redact(line) == line


def test_a_redacted_encoded_path_cannot_forge_a_log_line():
    redacted = redact(f"/calendar/%41{NO_DIGIT}.ics%0AFAKE%20LINE")

    assert "\n" not in redacted
    assert NO_DIGIT not in redacted


def test_the_filter_rewrites_a_records_message_and_arguments():
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s",
        (f"/c/{CODE}/",), None,
    )  # fmt: skip

    RedactSecretsFilter().filter(record)

    assert record.getMessage() == "Not Found: /c/<secret>/"


def test_every_record_through_the_console_handler_is_redacted(caplog):
    """The filter sits on the handler, so any logger that names a path is covered."""
    console = next(
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(f, RedactSecretsFilter) for f in handler.filters)
    )
    record = logging.LogRecord(
        "some.library", logging.INFO, __file__, 1, "fetched %s", (f"/evaluate/{NO_DIGIT}/",), None
    )

    console.filter(record)

    assert NO_DIGIT not in record.getMessage()
    assert secrets_in(record.getMessage()) == []


def test_a_request_log_from_a_real_404_carries_no_token(client, db, caplog):
    caplog.set_level(logging.WARNING, logger="django.request")

    client.get(f"/evaluate/{NO_DIGIT}/")
    client.get(f"/c/{CODE}/")

    messages = [record.getMessage() for record in caplog.records]
    assert any("/evaluate/<secret>/" in message for message in messages), messages
    assert not [m for m in messages if NO_DIGIT in m or CODE in m]


@pytest.mark.parametrize(
    "line",
    [
        pytest.param("GET /" + "a" * 100_000 + " HTTP/1.1", id="a 100 KB path"),
        pytest.param("/c/" * 30_000, id="a route prefix repeated"),
        pytest.param("/evaluate/" * 10_000 + "%41", id="a long run ending in an escape"),
    ],
)
def test_a_huge_line_is_redacted_in_linear_time(line):
    # gunicorn passes every header and environ value (8 KB each, up to 100 of them) through
    # redact(), so a scan that is quadratic in a run's length lets one request hold a worker.
    started = time.perf_counter()

    redact(line)

    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize(
    "stray",
    [
        pytest.param("%E2%80%8B", id="a zero-width space from a mail client"),
        pytest.param("%C2%AD", id="a soft hyphen"),
        pytest.param("%00", id="a NUL"),
    ],
)
def test_a_token_with_a_stray_character_leaves_no_part_of_itself_in_the_request_log(
    client, db, caplog, stray
):
    # Django writes a non-ASCII or control character of the path as "\u200b", "\xad" or
    # "\x00"; the rest of the token after it is still most of a real secret.
    caplog.set_level(logging.WARNING, logger="django.request")

    client.get(f"/evaluate/{DIGITS[:8]}{stray}{DIGITS[8:]}/")

    messages = [record.getMessage() for record in caplog.records]
    assert any("/evaluate/<secret>/" in message for message in messages), messages
    assert not [m for m in messages if DIGITS[8:20] in m], messages


TEST_EQUIPMENT = ("_pytest", "tests.")


def _handlers_reached_from(name: str) -> list[logging.Handler]:
    found: list[logging.Handler] = []
    logger: logging.Logger | None = logging.getLogger(name)
    while logger:
        # The test run's own capturing handlers are not the app's.
        found += [h for h in logger.handlers if not type(h).__module__.startswith(TEST_EQUIPMENT)]
        logger = logger.parent if logger.propagate else None
    return found


@pytest.mark.parametrize("name", ["django.security.csrf", "django.security.DisallowedHost"])
def test_no_handler_under_django_prints_a_token_in_development(settings, name):
    # Django's own "django" logger keeps its console handler (DEBUG only) after LOGGING is
    # applied; a CSRF failure on a token route ("Forbidden (CSRF cookie not set.): /evaluate/…")
    # went through it unredacted.
    settings.DEBUG = True
    printed = []
    for handler in _handlers_reached_from(name):
        record = logging.LogRecord(
            name, logging.WARNING, __file__, 1, "Forbidden: %s", (f"/evaluate/{NO_DIGIT}/",), None
        )
        if handler.filter(record):
            printed.append(handler.format(record))

    assert printed
    assert not [line for line in printed if NO_DIGIT in line], printed


@pytest.mark.parametrize(
    "line",
    [
        f"Not Found: /Evaluate/{NO_DIGIT}/",
        f"Not Found: /EVALUATE/S/{CODE}/",
        f'"GET /C/{CODE}/ HTTP/1.1" 404 179',
        f"Not Found: /Calendar/{NO_DIGIT}.ics",
    ],
)
def test_a_route_typed_in_another_case_still_loses_its_secret(line):
    # The page is not found, but the token in it is real and still opens the right address.
    redacted = redact(line)

    assert NO_DIGIT not in redacted
    assert CODE not in redacted
