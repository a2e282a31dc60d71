"""Permission-matrix rows for people: the role start pages and the password-reset link.

See tests/permissions.py for what a row says; tests/test_permission_matrix.py runs them."""

from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.permissions import ROLES, Row, only

ROWS: list[Row] = [
    # Coordinators and trainers start at their real pages now; their placeholders are gone.
    Row(
        "people:start", lambda p: {"role": "coordinator"}, dict.fromkeys(ROLES, 404), "coordinator"
    ),
    Row("people:start", lambda p: {"role": "trainer"}, dict.fromkeys(ROLES, 404), "trainer"),
    Row("people:start", lambda p: {"role": "team_lead"}, only("team_lead"), "team lead"),
    Row("people:start", lambda p: {"role": "manager"}, only("manager"), "manager"),
    Row(
        "people:start",
        lambda p: {"role": "nobody"},
        dict.fromkeys(ROLES, 404),
        "unknown role",
    ),
    # A reset link is its own credential; a tampered one shows everyone the same "no longer
    # works" page and never the form.
    Row(
        "password_reset_confirm",
        lambda p: {
            "uidb64": urlsafe_base64_encode(force_bytes(p["trainer_a"].pk)),
            "token": "c9x1kz-0000000000000000000000000000",
        },
        dict.fromkeys(ROLES, 200),
        "tampered token",
    ),
]
