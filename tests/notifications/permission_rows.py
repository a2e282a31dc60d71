"""Permission-matrix rows for notifications.

See tests/permissions.py for what a row says; tests/test_permission_matrix.py runs them."""

from notifications.models import Notification
from tests.permissions import Row, only

ROWS: list[Row] = [
    # --- Notifications ---
    # Re-sending a failed email is a coordinator's POST; a GET is refused.
    Row(
        "notifications:resend",
        lambda p: {
            "pk": Notification.objects.create(
                key="matrix-failed",
                kind="k",
                recipient_email="learner@example.org",
                subject="s",
                template="t",
                due_at="2026-01-05T09:00:00Z",
                status=Notification.Status.FAILED,
            ).pk
        },
        only("coordinator") | {"coordinator": 405},
    ),
]
