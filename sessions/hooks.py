"""What apps above sessions plug into it (declared with core.hooks; docs/architecture.md#hooks).

What happens to learners when a session is cancelled, moved or given a new joining link is the
sessions app's own business, so the scheduling services call the registration services for it
directly; only effects in higher apps go through a hook.
"""

from core.hooks import hook
from sessions.models import TrainingSession


@hook()
def session_delivered(*, session: TrainingSession) -> None:
    """A session became delivered, or its attendance was corrected afterwards; runs inside the
    same transaction, so listeners must be safe to run more than once.

    Fired by sessions.services.delivery_report_submit (the session becomes delivered) and by
    sessions.services.attendance_record (a delivered session's register changed). Listener:
    evaluations (evaluations.services.invitations_on_session_delivered), which invites the
    learners who attended to give feedback.
    """
