import logging

import pytest

from tests.log_secrets import KeepEverything, findings, secrets_in
from tests.people.factories import PASSWORD


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("login failed for ann@example.org", "an email address"),
        ("token c9x1kz-3f2a9b0c8d7e6f5a4b3c2d1e reused", "a password reset token"),
        ("session 0a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p expired", "a session id"),
        (f"password was {PASSWORD}", "a password"),
        ("Not Found: /calendar/Xk3_9fQz-Lm2Pa7Rt5Yw1Hb8Nc4.ics", "a link token"),
    ],
)
def test_the_scan_recognises_each_kind_of_secret(text, what):
    assert what in secrets_in(text)


@pytest.mark.parametrize(
    "text",
    [
        "notification 42 (password_reset) sent",
        "Task notifications.tasks.send_notification[0f8e6c1e-9d7b-4b8a-a2f3-5c6d7e8f9a0b] ok",
        "Not Found: /accounts/sign-in/",
        'AXES: Repeated login failure by {username: "********"}',
        "Not Found: /media/private/receipts/ee5c18dad38e4a668c2e821d51fbdecb.pdf",
    ],
)
def test_ordinary_log_lines_pass_the_scan(text):
    assert secrets_in(text) == []


def test_the_keeper_sees_records_and_their_tracebacks():
    keeper = KeepEverything()
    logger = logging.getLogger("coproduce.test")
    logger.addHandler(keeper)
    logger.propagate = False  # keep this planted secret out of the suite-wide scan
    try:
        try:
            raise ValueError("for carol@example.org")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(keeper)
        logger.propagate = True

    assert findings(keeper.lines)


def test_request_logs_name_paths_without_their_secret_tokens():
    from core.logging import RedactSecretsFilter

    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s",
        ("/calendar/Xk3_9fQz-Lm2Pa7Rt5Yw1Hb8Nc4.ics",), None,
    )  # fmt: skip

    RedactSecretsFilter().filter(record)

    assert record.getMessage() == "Not Found: /calendar/<secret>.ics"
    assert secrets_in(record.getMessage()) == []


def test_ordinary_paths_are_left_as_they_are():
    from core.logging import redact

    assert redact("/schedule/2026-W50/sessions/12/") == "/schedule/2026-W50/sessions/12/"
